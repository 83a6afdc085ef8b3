"""The special branches: major outages (重大故障) and appeals (申诉)."""
