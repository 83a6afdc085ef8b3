"""What saving a step of an instance writes besides its state: projection, branch effects, SLA marks, idempotency record."""
