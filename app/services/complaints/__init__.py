"""Complaints: registration, suspension, evidence files and the customer's own channel."""
