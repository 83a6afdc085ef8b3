"""Notifications: the outbox, its senders and the supervisors' view of it."""
