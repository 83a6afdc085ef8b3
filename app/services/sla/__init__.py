"""SLA: timers, deadlines, extensions, the complaint-wide clocks and the working-day calendar."""
