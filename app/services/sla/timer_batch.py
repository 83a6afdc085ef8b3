"""Fire one batch of due timers in one write transaction, with as few round trips as the guarantees allow.

On PostgreSQL every statement is a round trip over TCP; firing one instance statement by statement
took 15 of them (a savepoint, its state, its timer rows, its ready tasks, its complaint, the lock
and head of its audit chain, three events, ...). A batch now goes:

1. claim   one statement locks the instances owning the earliest due timer rows and reads their
           state (PostgreSQL: ``FOR UPDATE OF process_instance SKIP LOCKED``, so processes share the
           work and never wait on each other; SQLite: the transaction's ``BEGIN IMMEDIATE`` lock);
2. read    one statement per table for the whole batch: timer rows, ready tasks, complaints, and
           the heads of the audit chains (projection.Known, AuditLog's known heads);
3. run     each instance's engine fires its timers, without the database; a failure (a script
           raising, a state with nothing due) is set aside with nothing written for it;
4. write   each fired instance goes through write_step: its state under the version check, the
           projection from the rows of 2, its audit events in one INSERT; then the failures' back-off.

No savepoint per instance: an instance that fails in 3 has written nothing. A failure while
writing (a database error, a bug in an effect) rolls back the savepoint around 2-4, and those
instances are fired again the careful way: a savepoint per instance, each reading its own rows, so
that only the failing instance is set aside. Running an engine again is harmless unless the model
calls a connector (an HTTP call would go out twice): such instances are fired the careful way
from the start, each once. A failure outside the savepoint (the claim, the commit) fires the whole
batch again the careful way. Exactly once holds as before: the instance row lock is the one
every writer of an instance takes, whoever commits first turns the timer into a fired row and a
state without it, and a process killed mid-batch commits nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain.actors import SYSTEM, Actor
from ...engine import CompletedStep, Instance
from ...models import Timer
from ...plain_sql import Plain, Sql
from ..audit.log import AuditLog, read_heads
from ..instances.store import audit_new_tasks, record_steps
from ..runtime import DeployedModel, Runtime
from ..steps import rollups as report_rollups
from ..steps.projection import Known, timer_row
from ..steps.write import Step, write_step

log = logging.getLogger(__name__)
SCHEDULER = Actor(None, "scheduler")
_EVENT_OF_KIND = {"warning": "sla.warning", "breach": "sla.breached"}


class NothingDue(Exception):
    """The timer rows say due, the instance's state says not: counted as a failure, not retried at once."""


@dataclass(frozen=True)
class BatchResult:
    claimed: int
    fired: int
    failed: int


@dataclass(frozen=True)
class Claimed:
    """A claimed instance's row as the claim read it."""

    id: int
    state: bytes
    version: int
    process_version_id: int


_CLAIM = (
    "SELECT p.id, p.state, p.version, p.process_version_id FROM timer t"
    " JOIN process_instance p ON p.id = t.instance_id"
    " WHERE t.status = 'waiting' AND t.due_at < :now AND p.status = 'running'"
    " AND (t.next_attempt_at IS NULL OR t.next_attempt_at <= :now)"
    " ORDER BY t.due_at LIMIT :size"
)
_CLAIM_SQLITE, _CLAIM_POSTGRESQL = Sql(_CLAIM), Sql(_CLAIM + " FOR UPDATE OF p SKIP LOCKED")


def fire_batch(rt: Runtime, size: int) -> BatchResult:
    """Claim up to size instances with due timers and fire them in one transaction."""
    try:
        return _fire(rt, size, careful=False)
    except Exception as exc:  # noqa: BLE001 - again instance by instance, to set the failing one aside
        log.warning("a batch of timers rolled back (%s: %s); firing it instance by instance", type(exc).__name__, exc)
        return _fire(rt, size, careful=True)


def claim(s: Session, now: datetime, size: int) -> list[Claimed]:
    """Lock the instances owning the earliest due timers, skipping those another process holds."""
    db = Plain.of(s)
    sql = _CLAIM_POSTGRESQL if db.is_postgresql else _CLAIM_SQLITE
    got: dict[int, Claimed] = {}
    for iid, state, version, pvid in db.rows(sql, {"now": db.time(now), "size": size}):
        got.setdefault(iid, Claimed(iid, bytes(state), version, pvid))  # one instance may own several due rows
    return list(got.values())


def _fire(rt: Runtime, size: int, careful: bool) -> BatchResult:
    now = rt.clock.now()
    failures: list[tuple[int, str]] = []
    with rt.db.write() as s:
        claimed = claim(s, now, size)
        if careful:
            fired = _one_by_one(rt, s, claimed, now, failures)
        else:
            # A run that calls a connector reaches outside the database: it gets a savepoint of its own, so that
            # no other instance's failure rolls it back and runs it (and its HTTP call) a second time.
            outward = [row for row in claimed if _calls_out(rt, row)]
            fired = _one_by_one(rt, s, outward, now, failures)
            inward = [row for row in claimed if row not in outward]
            try:
                with s.begin_nested():
                    held_failures: list[tuple[int, str]] = []
                    fired_held = _held(rt, s, inward, now, held_failures)
            except Exception as exc:  # noqa: BLE001 - their engines touch nothing outside: run them again one by one
                log.warning(
                    "a batch's writes rolled back (%s: %s); firing it instance by instance", type(exc).__name__, exc
                )
                held_failures = []
                fired_held = _one_by_one(rt, s, inward, now, held_failures)
            fired += fired_held
            failures += held_failures
        for instance_id, error in failures:
            log.warning("timers of instance %s failed: %s", instance_id, error)
            _record_failure(rt, s, instance_id, now, error)
    return BatchResult(len(claimed), fired, len(failures))


def _calls_out(rt: Runtime, row: Claimed) -> bool:
    try:
        return rt.model(row.process_version_id).bundle.has_service_tasks
    except Exception:  # noqa: BLE001 - the careful way records why its model cannot be had
        return True


def _held(rt: Runtime, s: Session, rows: list[Claimed], now, failures: list[tuple[int, str]]) -> int:
    """Fire these instances with their rows read at once and their writes sent in one round trip."""
    fired = 0
    known = read_batch(s, [row.id for row in rows])
    with Plain.of(s).holding():
        for row in rows:
            try:
                ran = _run(rt, row, now)
            except Exception as exc:  # noqa: BLE001 - the engine failed before anything was written
                failures.append((row.id, f"{exc.__class__.__name__}: {exc}"))
                continue
            fired += _write(rt, s, row, now, ran, known[row.id])
    return fired


def _one_by_one(rt: Runtime, s: Session, rows: list[Claimed], now, failures: list[tuple[int, str]]) -> int:
    """Fire these instances each on a savepoint of its own, reading its own rows: a failure sets one aside."""
    fired = 0
    for row in rows:
        try:
            with s.begin_nested():
                fired += _fire_instance(rt, s, row, now, None)
        except Exception as exc:  # noqa: BLE001 - one broken instance must not stop the others
            failures.append((row.id, f"{exc.__class__.__name__}: {exc}"))
    return fired


# -- 2. read: the batch's rows, one statement per table ------------------------------------------


def _in(ids: list[int]) -> tuple[str, dict[str, int]]:
    return ", ".join(f":i{n}" for n in range(len(ids))), {f"i{n}": v for n, v in enumerate(ids)}


def read_batch(s: Session, ids: list[int]) -> dict[int, Known]:
    """The claimed instances' timer rows, ready tasks, complaints and audit chain heads, read at once."""
    known = {iid: Known() for iid in ids}
    if not ids:
        return known
    db = Plain.of(s)
    marks, params = _in(ids)
    timers = Sql(
        "SELECT id, task_id, element_id, attached_to, kind, sla_step, due_at, provisional, instance_id, status"
        f" FROM timer WHERE instance_id IN ({marks}) AND status IN ('waiting', 'incident')"
    )
    for r in db.rows(timers, params):
        k = known[r[8]]
        (k.timers if r[9] == "waiting" else k.incidents).append(timer_row(r))
    ready = Sql(f"SELECT instance_id, id FROM human_task WHERE instance_id IN ({marks}) AND state = 'ready'")
    for iid, task_id in db.rows(ready, params):
        known[iid].ready_ids.add(task_id)
    for (iid,) in db.rows(Sql(f"SELECT instance_id FROM complaint WHERE instance_id IN ({marks})"), params):
        known[iid].has_complaint = True
    read_heads(s, ids)  # the claim holds their rows locked: nobody else appends to these chains
    return known


# -- 3. run and 4. write ---------------------------------------------------------------------------


@dataclass
class Ran:
    """An instance whose engine fired its timers, not yet written."""

    model: DeployedModel
    inst: Instance
    steps: list[CompletedStep]
    fired_ids: set[str]


def _run(rt: Runtime, row: Claimed, now) -> Ran:
    model = rt.model(row.process_version_id)
    inst = rt.engine.load(model.bundle, row.state)
    waiting = {t.task_id for t in inst.waiting_timers()}
    steps = inst.fire_timers()
    fired_ids = {step.task_id for step in steps if step.task_id in waiting}
    if not fired_ids:
        raise NothingDue("the instance's state has no timer due yet")
    return Ran(model, inst, steps, fired_ids)


def _fire_instance(rt: Runtime, s, row: Claimed, now, known: Known | None) -> int:
    return _write(rt, s, row, now, _run(rt, row, now), known)


def _write(rt: Runtime, s, row: Claimed, now, ran: Ran, known: Known | None) -> int:
    write_step(
        s,
        rt,
        Step(row.id, ran.inst, now, row.version, fired_task_ids=ran.fired_ids, known=known),
        lambda audit, changes: _audit_fired(s, audit, row.id, ran, changes, now, known),
    )
    return len(ran.fired_ids)


_REVIVE = Sql("UPDATE timer SET status = 'fired', fired_at = :at WHERE id = :id AND status = 'incident'")
_INCIDENTS = Sql(
    "SELECT id, task_id, element_id, attached_to, kind, sla_step, due_at, provisional FROM timer"
    " WHERE instance_id = :iid AND status = 'incident'"
)


def _audit_fired(s, audit: AuditLog, instance_id: int, ran: Ran, changes, now, known: Known | None) -> None:
    """The timers' events: fired, warned, breached (and escalated), what the engine ran and raised."""
    db = Plain.of(s)
    # A timer that had become an incident and now fired with a retried sibling is done too.
    incidents = (
        known.incidents if known is not None else [timer_row(r) for r in db.rows(_INCIDENTS, {"iid": instance_id})]
    )
    revived = [row for row in incidents if row.task_id in ran.fired_ids]
    db.run_many(_REVIVE, [{"id": row.id, "at": db.time(now)} for row in revived])
    breaches = []
    model, inst = ran.model, ran.inst
    for row in [*changes.fired_timers, *revived]:
        if row.kind == "breach":
            breaches.append(row)
        audit.append(
            _EVENT_OF_KIND.get(row.kind, "timer.fired"),
            at=now,
            actor=SCHEDULER.name,
            task_id=row.task_id,
            element_id=row.element_id,
            element_name=model.bundle.element_name(row.element_id),
            after={
                "step": row.sla_step,
                "attached_to": row.attached_to,
                "due_at": row.due_at.isoformat(),
                "provisional": row.provisional,
            },
        )
    if breaches:
        report_rollups.mark_breached(s, instance_id)  # the search's "breached ever"
    record_steps(audit, inst, [x for x in ran.steps if x.task_id not in ran.fired_ids], SCHEDULER, now)
    audit_new_tasks(audit, changes, SCHEDULER, now, ready=True)
    for task in changes.created_tasks if breaches else ():
        audit.append(
            "sla.escalated",
            at=now,
            actor=SCHEDULER.name,
            task_id=task.id,
            element_id=task.element_id,
            element_name=task.name,
            after={
                "step": breaches[0].sla_step,
                "to_group": task.candidate_group,
                "due_at": task.due_at.isoformat() if task.due_at else None,
            },
        )
    if inst.completed:
        audit.append("instance.completed", at=now, actor=SYSTEM.name)


def _record_failure(rt: Runtime, s, instance_id: int, now, error: str) -> None:
    max_attempts = rt.settings["TIMER_MAX_ATTEMPTS"]
    audit = None
    for row in s.scalars(
        select(Timer).where(Timer.instance_id == instance_id, Timer.status == "waiting", Timer.due_at < now)
    ):
        row.attempts += 1
        row.last_error = error[:2000]
        if row.attempts >= max_attempts:
            row.status, row.next_attempt_at = "incident", None
            audit = audit or AuditLog(s, instance_id)
            audit.append(
                "timer.incident",
                at=now,
                actor=SCHEDULER.name,
                task_id=row.task_id,
                element_id=row.element_id,
                reason=row.last_error,
                after={"attempts": row.attempts},
            )
        else:
            row.next_attempt_at = now + timedelta(seconds=min(2**row.attempts, 300))
