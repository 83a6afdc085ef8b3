"""APScheduler as each process's clock: it only ticks; claiming timers is the database's job.

The timers' job runs at the earliest due instant (wake.py plans each next run); the other jobs run
at fixed intervals.

Every process that runs the tick (the web app with SCHEDULER_ENABLED, or `complaintflow
scheduler` as a dedicated process) starts it once: never in the reloader's watcher process,
never twice in one app. Each job runs inside an app context and calls one service. The first
tick runs at start, so what came due while every process was down fires then.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta, timezone
from typing import Callable

from flask import Flask

log = logging.getLogger(__name__)


def timer_job(app: Flask, scheduler) -> Callable[[], None]:
    """The timers' job: fire what is due, then schedule itself again at the instant wake.py plans."""
    from .wake import TimerWake

    rt = app.extensions["complaintflow"]
    wake = TimerWake(rt, poll=app.config["SCHEDULER_POLL_SECONDS"], sweep=app.config["SCHEDULER_TICK_SECONDS"])

    def run():
        wait = app.config["SCHEDULER_TICK_SECONDS"]
        try:
            with app.app_context():
                wait = wake.run()
        except Exception:  # the database may be away for a while: the next run tries again
            log.exception("timer tick failed")
        finally:
            _run_timers_in(scheduler, run, wait)

    return run


def _run_timers_in(scheduler, run: Callable[[], None], seconds: float) -> None:
    # A one-off job per run, each scheduling its successor. No fixed id: APScheduler removes a
    # finished one-off job by id after it started, which could remove the successor it scheduled.
    # No misfire grace limit: a run delayed by a busy machine runs late rather than never.
    scheduler.add_job(
        run,
        "date",
        run_date=datetime.now(timezone.utc) + timedelta(seconds=seconds),
        name="timer-tick",
        misfire_grace_time=None,
    )


def outbox_job(app: Flask):
    """The job: send the notification outbox (SMS and e-mail to customers) inside an app context."""
    from ..services.notifications import outbox as notifications

    rt = app.extensions["complaintflow"]

    def send():
        with app.app_context():
            try:
                notifications.send_due(rt)
            except Exception:
                log.exception("notification tick failed")

    return send


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
    # APScheduler's own clock decides only when to run; due times are read from the app clock. The
    # first run is at start, so what came due while every process was down fires then.
    _run_timers_in(scheduler, timer_job(app, scheduler), 0)
    scheduler.add_job(
        outbox_job(app),
        "interval",
        seconds=app.config["SCHEDULER_TICK_SECONDS"],
        id="outbox-tick",
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
