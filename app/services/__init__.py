"""Use cases, grouped by feature: each package owns one capability and its transactions."""
