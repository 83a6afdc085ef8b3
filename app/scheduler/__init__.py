"""APScheduler as each process's clock: it only ticks; claiming timers is the database's job.

Every process that runs the tick (the web app with SCHEDULER_ENABLED, or `complaintflow
scheduler` as a dedicated process) starts it once: never in the reloader's watcher process,
never twice in one app. Each job runs inside an app context and calls one service. The first
tick runs at start, so what came due while every process was down fires then.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone

from flask import Flask

log = logging.getLogger(__name__)


def tick_job(app: Flask):
    """The job: fire every due timer inside an app context."""
    from ..services.notifications import outbox as notifications
    from ..services.sla import timers

    rt = app.extensions["complaintflow"]

    def tick():
        with app.app_context():
            try:
                timers.fire_due_timers(rt)
            except Exception:  # the database may be away for a while: the next tick tries again
                log.exception("timer tick failed")
            try:
                notifications.send_due(rt)  # the outbox: SMS and e-mail to customers
            except Exception:
                log.exception("notification tick failed")

    return tick


TEXT_JOB_SECONDS = 60


def text_job(app: Flask):
    """The job: retrain the classifier when due and look for bursts of similar complaints."""
    from ..services.text_intelligence import jobs

    rt = app.extensions["complaintflow"]

    def run():
        with app.app_context():
            try:
                jobs.run(rt)
            except Exception:
                log.exception("text job failed")

    return run


SURVEY_JOB_SECONDS = 3600


def survey_job(app: Flask):
    """The job: send the in-progress survey to the sample of open complaints that reached its age."""
    from ..services.surveys import progress

    rt = app.extensions["complaintflow"]

    def run():
        with app.app_context():
            try:
                progress.sample_open_complaints(rt)
            except Exception:
                log.exception("survey job failed")

    return run


IMPROVEMENT_CLOCK_SECONDS = 60


def report_watch_job(app: Flask, which: str):
    """The job: the improvement actions' due clock (督办), or the baseline alerts' check; each calls one service."""
    from ..services.reporting import baseline_alerts, improvement_clock

    rt = app.extensions["complaintflow"]
    service = improvement_clock.watch_due if which == "improvement" else baseline_alerts.check_baselines

    def run():
        with app.app_context():
            try:
                service(rt)
            except Exception:
                log.exception("%s job failed", which)

    return run


ORPHAN_JOB_SECONDS = 3600


def orphan_job(app: Flask):
    """The job: delete the customer's uploads that were never sent with a complaint, once old enough."""
    from ..services.complaints import customer_evidence

    rt = app.extensions["complaintflow"]

    def run():
        with app.app_context():
            try:
                removed = customer_evidence.remove_orphans(rt)
                if removed:
                    log.info("removed %d customer uploads never sent with a complaint", removed)
            except Exception:
                log.exception("orphaned uploads job failed")

    return run


def _add_tick(app: Flask, scheduler) -> None:
    # APScheduler's own clock decides only when to tick; due times are read from the app clock.
    scheduler.add_job(
        tick_job(app),
        "interval",
        seconds=app.config["SCHEDULER_TICK_SECONDS"],
        id="timer-tick",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(timezone.utc),
    )
    # Training takes seconds to a minute: its own job, so the timer tick never waits for it.
    scheduler.add_job(
        text_job(app), "interval", seconds=TEXT_JOB_SECONDS, id="text-job", max_instances=1, coalesce=True
    )
    # Hourly: the sample is the same whenever it runs, so a complaint is asked within the hour it comes of age.
    scheduler.add_job(
        survey_job(app), "interval", seconds=SURVEY_JOB_SECONDS, id="survey-job", max_instances=1, coalesce=True
    )
    # Notices that are not about a task: once each, whichever process sends them first (the services claim them).
    scheduler.add_job(
        report_watch_job(app, "improvement"),
        "interval",
        seconds=IMPROVEMENT_CLOCK_SECONDS,
        id="improvement-clock",
        max_instances=1,
        coalesce=True,
    )
    # Hourly against an age counted in hours (CUSTOMER_UPLOAD_ORPHAN_HOURS): a file goes within the hour it is due.
    scheduler.add_job(
        orphan_job(app), "interval", seconds=ORPHAN_JOB_SECONDS, id="orphaned-uploads", max_instances=1, coalesce=True
    )
    from ..services.reporting.baseline_alerts import CHECK_SECONDS

    scheduler.add_job(
        report_watch_job(app, "baseline"),
        "interval",
        seconds=CHECK_SECONDS,
        id="baseline-alerts",
        max_instances=1,
        coalesce=True,
    )


def init_scheduler(app: Flask):
    """Start the timer tick once per process (never in the reloader's parent)."""
    if app.extensions.get("complaintflow_scheduler") is not None:
        return app.extensions["complaintflow_scheduler"]
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None  # the reloader's watcher process: the child will start it
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(daemon=True)
    _add_tick(app, scheduler)
    scheduler.start()
    app.extensions["complaintflow_scheduler"] = scheduler
    return scheduler


def run_blocking(app: Flask) -> None:
    """Tick in the foreground until stopped (the `scheduler` command's dedicated process)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler()
    _add_tick(app, scheduler)
    app.extensions["complaintflow_scheduler"] = scheduler
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
