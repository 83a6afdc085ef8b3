"""APScheduler as each process's clock: it only ticks; claiming timers is the database's job."""
from __future__ import annotations

import os

from flask import Flask


def init_scheduler(app: Flask):
    """Start the timer tick once per process (never in the reloader's parent)."""
    if app.extensions.get("complaintflow_scheduler") is not None:
        return app.extensions["complaintflow_scheduler"]
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None  # the reloader's watcher process: the child will start it
    from apscheduler.schedulers.background import BackgroundScheduler

    from ..services import timers

    rt = app.extensions["complaintflow"]
    scheduler = BackgroundScheduler(daemon=True)

    def tick():
        with app.app_context():
            timers.fire_due_timers(rt)

    scheduler.add_job(tick, "interval", seconds=app.config["SCHEDULER_TICK_SECONDS"], id="timer-tick",
                      max_instances=1, coalesce=True)
    scheduler.start()
    app.extensions["complaintflow_scheduler"] = scheduler
    return scheduler
