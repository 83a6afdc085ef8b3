"""Demo data: the demo users and a realistic complaint history made by the real services."""
