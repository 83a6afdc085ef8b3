"""The one write path of a step (write.py) and what it writes: state, projection, SLA marks, branch effects, idempotency."""
