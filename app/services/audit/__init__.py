"""The audit trail: append-only hash-chained events, their checks, and the log of who read personal data."""
