"""Surveys of complaints still in progress (seed 000, 8.1.2): the daily sample, its SMS, its answers."""
