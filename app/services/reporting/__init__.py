"""What managers read: dashboard figures and their roll-ups, instance search, exports, an auditor's view of an instance."""
