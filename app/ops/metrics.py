"""Prometheus metrics: requests and latency by route, what the audit trail records, and DB gauges.

Counters and histograms live in this process (or, under gunicorn with PROMETHEUS_MULTIPROC_DIR
set, in files that every worker of the host writes and /metrics adds up). They count what was
committed, not what was tried: the audit log lists the events each write transaction appended
(services/audit/log.py drops those of a rolled-back savepoint), a flush hook notes timer failures, and
the counters move only after the commit.
So a scheduler process that shares the host's PROMETHEUS_MULTIPROC_DIR shows its timers here too.

The gauges about work in progress (open tasks by SLA state, overdue and failed timers) are read
from the database at each scrape: any host reports the cluster's numbers, so take max() across hosts.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import case, func, inspect, select

from ..models import HumanTask, Timer
from ..models._types import as_utc
from ..services.audit.log import Appended, appended, keep_appended_true

log = logging.getLogger(__name__)

REQUESTS = Counter(
    "complaintflow_http_requests", "HTTP requests answered, by route template and status", ["method", "route", "status"]
)
LATENCY = Histogram(
    "complaintflow_http_request_duration_seconds",
    "Time to answer a request, by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
COMPLETIONS = Counter("complaintflow_task_completions", "User tasks completed (committed)", ["element"])
INSTANCES_STARTED = Counter("complaintflow_instances_started", "Process instances started (committed)")
TIMERS_FIRED = Counter(
    "complaintflow_timers_fired", "Timers fired (committed), by kind: warning, breach, timer", ["kind"]
)
TIMER_FAILURES = Counter("complaintflow_timer_failures", "Claimed timers whose firing failed (retried with back-off)")
INCIDENTS = Counter("complaintflow_timer_incidents", "Timers that failed TIMER_MAX_ATTEMPTS times and became incidents")
LATENESS = Histogram(
    "complaintflow_timer_lateness_seconds",
    "How long after its due time a timer fired",
    buckets=(0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
)

_FIRE_EVENTS = {"timer.fired": "timer", "sla.warning": "warning", "sla.breached": "breach"}
_PENDING = "complaintflow_metrics"


def install(db) -> None:
    """Count committed audit events and timer failures of this database's write sessions."""
    keep_appended_true(db)  # before the hooks below read what a transaction appended
    db.listen_writes("after_flush", _note_flush)
    db.listen_writes("after_commit", _count_commit)
    db.listen_writes("after_soft_rollback", _forget)


def _note_flush(session, _flush_context) -> None:
    pending = session.info.setdefault(_PENDING, {"failures": 0})
    for obj in session.dirty:
        if isinstance(obj, Timer):
            added = inspect(obj).attrs.attempts.history.added
            if added and added[0]:
                pending["failures"] += 1


def _forget(session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a savepoint's rollback leaves the outer work to count
        session.info.pop(_PENDING, None)


def _count_commit(session) -> None:
    pending = session.info.pop(_PENDING, None)
    try:
        if pending and pending["failures"]:
            TIMER_FAILURES.inc(pending["failures"])
        for e in appended(session):  # the audit log drops the events of a rolled-back savepoint
            _count_event(e)
    except Exception:  # noqa: BLE001 - metrics never fail a committed transaction
        log.exception("counting metrics failed")


def _count_event(e: Appended) -> None:
    if e.type == "task.completed":
        COMPLETIONS.labels(e.element_id or "").inc()
    elif e.type == "instance.started":
        INSTANCES_STARTED.inc()
    elif e.type == "timer.incident":
        INCIDENTS.inc()
    elif e.type in _FIRE_EVENTS:
        TIMERS_FIRED.labels(_FIRE_EVENTS[e.type]).inc()
        due = (e.data_after or {}).get("due_at")
        if due:
            LATENESS.observe(max(0.0, (as_utc(e.at) - as_utc(datetime.fromisoformat(due))).total_seconds()))


# The labelled children of the two request metrics, found once per (method, route, status):
# labels() checks and joins its values under a lock on every call, a few % of a request's layer.
# Bounded by the routes (templates, never raw paths) times the methods and statuses they answer.
_REQUEST_CHILDREN: dict[tuple[str, str, int], tuple] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    key = (method, route, status)
    children = _REQUEST_CHILDREN.get(key)
    if children is None:
        children = (REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route))
        _REQUEST_CHILDREN[key] = children
    children[0].inc()
    children[1].observe(seconds)


class DatabaseCollector:
    """Gauges read from the database at scrape: the cluster's open work, overdue and failed timers."""

    def __init__(self, rt):
        self.rt = rt

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("complaintflow_database_up", "1 when the scrape could read the database")
        try:
            families = self._read()
        except Exception as exc:  # noqa: BLE001 - a scrape while the database is away says so
            log.warning("metrics could not read the database: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _read(self) -> list[GaugeMetricFamily]:
        now = self.rt.clock.now()
        sla = case(
            (HumanTask.sla_paused_at.is_not(None), "paused"),
            (HumanTask.due_at.is_(None), "none"),
            (HumanTask.due_at <= now, "breached"),
            (HumanTask.warn_at <= now, "warning"),
            else_="on_time",
        )
        with self.rt.db.read() as s:
            by_state = dict(s.execute(select(sla, func.count()).where(HumanTask.state == "ready").group_by(sla)).all())
            overdue, oldest = s.execute(
                select(func.count(), func.min(Timer.due_at)).where(Timer.status == "waiting", Timer.due_at < now)
            ).one()
            incidents = s.scalar(select(func.count()).where(Timer.status == "incident"))
        tasks = GaugeMetricFamily("complaintflow_open_tasks", "Ready user tasks by SLA state", labels=["sla_state"])
        for state in ("on_time", "warning", "breached", "paused", "none"):
            tasks.add_metric([state], by_state.get(state, 0))
        waiting = GaugeMetricFamily(
            "complaintflow_timers_overdue", "Waiting timers past their due time (scheduler backlog)"
        )
        waiting.add_metric([], overdue or 0)
        lag = GaugeMetricFamily("complaintflow_timer_backlog_seconds", "Age of the oldest overdue waiting timer")
        lag.add_metric([], (now - as_utc(oldest)).total_seconds() if oldest is not None else 0)
        open_incidents = GaugeMetricFamily("complaintflow_open_incidents", "Timers waiting for a supervisor's retry")
        open_incidents.add_metric([], incidents or 0)
        return [tasks, waiting, lag, open_incidents, *self._calendar()]

    def _calendar(self) -> list[GaugeMetricFamily]:
        """A missing holiday schedule is a warning to alert on, not a readiness failure."""
        from ..services.sla.calendar_admin import provisional_counts, years_needing_schedule

        missing = years_needing_schedule(self.rt)
        years = GaugeMetricFamily(
            "complaintflow_calendar_years_needing_schedule",
            "Years (this and next) whose official holiday schedule is not entered",
        )
        years.add_metric([], len(missing))
        with self.rt.db.read() as s:
            counts = provisional_counts(s)
        provisional = GaugeMetricFamily(
            "complaintflow_provisional_deadlines",
            "Open deadlines that depend on a year without official holiday data",
            labels=["kind"],
        )
        for kind in ("tasks", "timers", "complaints"):
            provisional.add_metric([kind.rstrip("s")], counts[kind])
        return [years, provisional]


def exposition(rt) -> tuple[bytes, str]:
    """The text a scrape gets: this host's counters (all its processes) and the database gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        local = CollectorRegistry()
        multiprocess.MultiProcessCollector(local)
    else:
        from prometheus_client import REGISTRY as local
    shared = CollectorRegistry(auto_describe=False)
    shared.register(DatabaseCollector(rt))
    return generate_latest(local) + generate_latest(shared), CONTENT_TYPE_LATEST
