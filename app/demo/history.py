"""Realistic complaint history at scale, made by the real services under a moving clock.

Every complaint is registered with ``register_complaint`` and worked step by step with
``complete_task`` by the demo user of the task's group, at instants drawn from each step's usual
duration; timers that come due before a step is done are fired by ``fire_due_timers`` at their
due instant (so warnings, breaches and supervisors' escalations happen as the tick would make
them), a few complaints are suspended and resumed. Nothing the services write is skipped: state,
projections, clocks and the hash-chained trail are all there. Speed comes from batching: the
services' transactions become savepoints of one transaction committed every ``batch`` complaints.

Arrivals follow the hour of day and the weekday, with outage days bursting with network
complaints; customers have Chinese names and mainland numbers; categories and channels come in
realistic proportions; some customers complain again within weeks; complaints registered near
the end of the history stay open at their step, and those past a deadline are overdue.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import func, select

from ..domain.clock import OPERATOR_ZONE, FixedClock
from ..domain.groups import ROUTING
from ..models import HumanTask, Timer, User
from ..services.accounts.users import viewer_of
from .batching import BatchDatabase
from .vocabulary import (
    CATEGORIES,
    CHANNELS,
    CITIES,
    DEMANDS,
    DURATION,
    GIVEN,
    GROUP_USERS,
    HOUR_WEIGHT,
    MATTERS,
    OFFICE_STEPS,
    PREFIXES,
    SURNAMES,
    WEEKDAY_WEIGHT,
)
from ..services.runtime import Runtime
from ..domain.actors import Viewer


@dataclass
class Plan:
    """What the generator decided for one complaint before working it."""

    arrival: datetime
    name: str
    phone: str
    category: str
    channel: str
    severity: str
    outage: bool = False
    unsolved_at_track: bool = False
    satisfaction: str = "satisfied"
    suspend_hours: float = 0.0
    rounds: dict[str, int] = field(default_factory=dict)


# Cumulative weights, summed once: random.choices with cum_weights draws exactly what it draws with the weights.
_HOURS = range(24)
_HOUR_CUM = list(itertools.accumulate(HOUR_WEIGHT))
_CATEGORY_NAMES, _CATEGORY_CUM = list(CATEGORIES), list(itertools.accumulate(CATEGORIES.values()))
_CHANNEL_NAMES, _CHANNEL_CUM = list(CHANNELS), list(itertools.accumulate(CHANNELS.values()))
_SATISFACTION, _SATISFACTION_CUM = ("satisfied", "basically_satisfied", "unsatisfied"), [72, 92, 100]


@dataclass
class Stats:
    complaints: int = 0  # worked through the services
    completed_tasks: int = 0
    fired_timers: int = 0
    suspended: int = 0
    still_open: int = 0
    replayed: int = 0  # copies of finished complaints (replay.py)
    services_seconds: float = 0.0
    replay_seconds: float = 0.0
    rollup_seconds: float = 0.0  # the dashboard's roll-ups recomputed after the replays
    index_seconds: float = 0.0  # of replay_seconds: the indexes dropped for the copies made again
    analyse_seconds: float = 0.0  # of replay_seconds: the statistics after them (SQLite)
    finished_ids: list[int] = field(default_factory=list, repr=False)
    copied: list[tuple[int, int, int]] = field(default_factory=list, repr=False)  # (template, copy, days) ids


class Generator:
    """Makes a history of n complaints between start and end (UTC instants) with one random seed."""

    def __init__(self, rt: Runtime, start: datetime, end: datetime, seed: int = 1, batch: int = 200):
        self.rt, self.start, self.end, self.batch, self.seed = rt, start, end, batch, seed
        self.random = random.Random(seed)
        self.clock: FixedClock = rt.clock
        self.stats = Stats()
        # (arrival, phone, name) of the last 30 days: a queue, about 80,000 long in a year of a million complaints
        self.recent: deque[tuple[datetime, str, str]] = deque()
        self.templates = _templates(Path(rt.settings["PROCESSES_DIR"]) / "complaint_handling.scenarios.json")
        self.users = self._viewers()

    # -- who and when ---------------------------------------------------------------------------
    def _viewers(self) -> dict[str, list[Viewer]]:
        with self.rt.db.read() as s:
            by_name = {u.username: viewer_of(u) for u in s.scalars(select(User))}
        return {g: [by_name[n] for n in names if n in by_name] for g, names in GROUP_USERS.items()}

    def day_weights(self) -> tuple[date, list[float], set[int]]:
        """The first local day, each day's share of arrivals (weekday, slight growth, outages), the outage days."""
        r = random.Random(self.seed)  # the same outage days for every part of one history
        first = self.start.astimezone(OPERATOR_ZONE).date()
        days = (self.end.astimezone(OPERATOR_ZONE).date() - first).days + 1
        outage_days = set(r.sample(range(days), k=min(days, max(1, days // 45))))
        weights = [
            WEEKDAY_WEIGHT[(first + timedelta(days=i)).weekday()]
            * (0.9 + 0.2 * i / days)
            * (1.7 if i in outage_days else 1.0)
            for i in range(days)
        ]
        return first, weights, outage_days

    def arrivals(self, n: int, since: datetime | None = None, until: datetime | None = None) -> list[Plan]:
        """n arrival plans in [since, until) in time order: weekday and hour profile, trend, outage bursts."""
        r = self.random
        since, until = since or self.start, until or self.end
        first, weights, outage_days = self.day_weights()
        lo = max(0, (since.astimezone(OPERATOR_ZONE).date() - first).days)
        hi = min(len(weights), max(lo + 1, (until.astimezone(OPERATOR_ZONE).date() - first).days + 1))
        plans = []
        while len(plans) < n:
            for i in r.choices(range(lo, hi), weights=weights[lo:hi], k=n - len(plans)):
                d = first + timedelta(days=i)
                outage = i in outage_days and r.random() < 0.45
                hour = r.choices(_HOURS, cum_weights=_HOUR_CUM)[0] if not outage else r.choice((19, 20, 21, 22))
                local = datetime.combine(d, time(hour, r.randrange(60), r.randrange(60)), OPERATOR_ZONE)
                arrival = local.astimezone(timezone.utc)
                if since <= arrival < until:
                    plans.append(self._plan(arrival, outage))
        plans.sort(key=lambda p: p.arrival)
        return plans

    def _plan(self, arrival: datetime, outage: bool) -> Plan:
        r = self.random
        category = "network" if outage else r.choices(_CATEGORY_NAMES, cum_weights=_CATEGORY_CUM)[0]
        return Plan(
            arrival=arrival,
            name=r.choice(SURNAMES) + "".join(r.choices(GIVEN, k=r.choice((1, 2, 2)))),
            phone=r.choice(PREFIXES) + f"{r.randrange(10**8):08d}",
            category=category,
            channel=r.choices(_CHANNEL_NAMES, cum_weights=_CHANNEL_CUM)[0],
            severity="major" if r.random() < (0.2 if outage else 0.04) else "general",
            outage=outage,
            unsolved_at_track=r.random() < 0.06,
            satisfaction=r.choices(_SATISFACTION, cum_weights=_SATISFACTION_CUM)[0],
            suspend_hours=r.choice((20.0, 30.0, 50.0)) if r.random() < 0.01 else 0.0,
        )

    def _repeat(self, plan: Plan) -> None:
        """About one complaint in twelve comes from a customer who complained within the last weeks."""
        cutoff = plan.arrival - timedelta(days=30)
        while self.recent and self.recent[0][0] < cutoff:
            self.recent.popleft()
        if self.recent and self.random.random() < 0.085:
            _, plan.phone, plan.name = self.random.choice(self.recent)
        self.recent.append((plan.arrival, plan.phone, plan.name))

    def _duration(self, element_id: str) -> timedelta:
        kind = (
            "supervise"
            if element_id.endswith("_supervise")
            else "escalate"
            if element_id.endswith("_escalate")
            else element_id
        )
        median, spread = DURATION.get(kind, (30, 0.8))
        return timedelta(minutes=max(0.5, self.random.lognormvariate(math.log(median), spread)))

    def _office(self, at: datetime, element_id: str) -> datetime:
        if element_id not in OFFICE_STEPS:
            return at
        local = at.astimezone(OPERATOR_ZONE)
        if 8 <= local.hour < 21:
            return at
        day = local.date() + timedelta(days=1 if local.hour >= 21 else 0)
        start = datetime.combine(day, time(8, 30), OPERATOR_ZONE) + timedelta(minutes=self.random.randrange(90))
        return start.astimezone(timezone.utc)

    # -- the run --------------------------------------------------------------------------------
    def run(self, plans: list[Plan], progress: Callable[[int], None] | None = None) -> Stats:
        db = self.rt.db
        for i, plan in enumerate(plans, 1):
            self._repeat(plan)
            self.one(plan)
            if i % self.batch == 0:
                db.commit()
            if progress is not None:
                progress(1)
        db.commit()
        return self.stats

    def one(self, plan: Plan) -> None:
        from ..services.complaints.register import register_complaint

        rt = self.rt
        self.clock.set(plan.arrival)
        created = register_complaint(rt, self.random.choice(self.users["agent"]), self._data("receive", plan))
        iid, cid = created["process_instance_id"], created["id"]
        self.stats.complaints += 1
        planned: dict[str, datetime] = {}
        for _ in range(60):  # far more steps than any path of the diagram takes
            ready = self._ready(iid)
            if not ready:
                self.stats.finished_ids.append(cid)
                return
            for t in ready:
                if t.id not in planned:
                    at = max(t.created_at, self.clock.now()) + self._duration(t.element_id)
                    planned[t.id] = self._office(at, t.element_id)
            task = min(ready, key=lambda t: planned[t.id])
            at = planned[task.id]
            if at > self.end:
                self._fire_until(iid, self.end)
                self.stats.still_open += 1
                return
            if self._fire_until(iid, at):
                continue  # a timer fired: an escalation may come first
            if task.element_id == "handle" and plan.suspend_hours and not plan.rounds.get("suspended"):
                plan.rounds["suspended"] = 1
                if self._suspend(cid, task, plan, planned):
                    continue
            self.clock.set(at)
            self._complete(task, plan)

    def _ready(self, iid: int) -> list[HumanTask]:
        with self.rt.db.read() as s:
            return list(s.scalars(select(HumanTask).where(HumanTask.instance_id == iid, HumanTask.state == "ready")))

    def _fire_until(self, iid: int, until: datetime) -> bool:
        """Fire, at their due instants, the instance's timers due before until; tell whether any fired."""
        from ..services.sla.timers import fire_due_timers

        fired = False
        while True:
            with self.rt.db.read() as s:
                due = s.scalar(
                    select(func.min(Timer.due_at)).where(Timer.instance_id == iid, Timer.status == "waiting")
                )
            if due is None or due >= until:
                return fired
            self.clock.set(max(due + timedelta(seconds=1), self.clock.now()))
            count = fire_due_timers(self.rt)
            self.stats.fired_timers += count
            if not count:
                return fired
            fired = True

    def _suspend(self, cid: int, task: HumanTask, plan: Plan, planned: dict[str, datetime]) -> bool:
        from ..services.complaints.suspension import resume_complaint, suspend_complaint

        at = task.created_at + timedelta(minutes=30)
        back = at + timedelta(hours=plan.suspend_hours)
        if back >= self.end or self._fire_until(task.instance_id, at):
            return False
        supervisor = self.users["supervisor"][0]
        self.clock.set(at)
        suspend_complaint(self.rt, supervisor, cid, "客户出差在外，约定返回后再上门处理。")
        self.clock.set(back)
        resume_complaint(self.rt, supervisor, cid, "客户已返回，恢复处理。")
        planned[task.id] += back - at
        self.stats.suspended += 1
        return True

    def _complete(self, task: HumanTask, plan: Plan) -> None:
        from ..services.tasks.work import complete_task

        users = self.users.get(task.candidate_group or "agent") or self.users["agent"]
        who = self.random.choice(users)
        # 首问负责制: a step held by the complaint's owner is done by the owner.
        who = next((u for u in users if u.id == task.assignee_id), who) if task.assignee_id else who
        complete_task(self.rt, who, task.id, self._data(task.element_id, plan))
        plan.rounds[task.element_id] = plan.rounds.get(task.element_id, 0) + 1
        self.stats.completed_tasks += 1

    # -- what people type -------------------------------------------------------------------------
    def _data(self, element_id: str, plan: Plan) -> dict[str, Any]:
        r, tpl = self.random, self.templates
        matter = (
            "所在片区晚间突发大面积断网，手机和宽带均无法使用。" if plan.outage else r.choice(MATTERS[plan.category])
        )
        who = {"customer_name": plan.name, "customer_phone": plan.phone, "channel": plan.channel, "matter": matter}
        if element_id == "receive":
            return who | {"received_at": plan.arrival.astimezone(OPERATOR_ZONE).isoformat()}
        if element_id == "classify":
            return {"category": plan.category, "severity": plan.severity, "special_type": "none"}
        if element_id == "register":
            tried = r.random() < 0.6
            return who | {
                "account": plan.phone,
                "place": r.choice(CITIES),
                "demand": r.choice(DEMANDS),
                "occurred_at": (plan.arrival - timedelta(days=r.randrange(1, 6))).astimezone(OPERATOR_ZONE).isoformat(),
                "tried_self": tried,
                "read_back_confirmed": True,
                **({"tried_self_detail": "已重启设备并自行排查，问题依旧。"} if tried else {}),
            }
        if element_id == "dispatch":
            return {"department": ROUTING.get(plan.category, "network")}
        if element_id == "track":
            solved = not (plan.unsolved_at_track and plan.rounds.get("track", 0) == 0)
            return {
                "progress": "已回访客户确认处理结果。" if solved else "客户反映问题仍在，需再次处理。",
                "solved": solved,
                **({} if solved else {"unsolved_reason": "故障复现"}),
            }
        if element_id == "feedback":
            first = plan.rounds.get("feedback", 0) == 0
            sat = plan.satisfaction if first else "satisfied"
            data = {
                "reply": "已向客户说明处理结果和补偿方案。",
                "contact_method": r.choice(("phone", "phone", "sms", "online")),
                "contact_result": "reached",
                "satisfaction": sat,
            }
            if sat == "unsatisfied":
                data["satisfaction_reason"] = "处理结果未达到预期。"
            return data
        if element_id.endswith("_supervise"):
            return {"supervise_action": "urge", "priority": "high", "supervise_note": "已督促责任人立即处理。"}
        if element_id.endswith("_escalate"):
            return {
                "escalate_action": "accountability",
                "escalate_accountability": "talk",
                "escalate_note": "督办仍超时，约谈责任人。",
            }
        return dict(tpl.get((element_id, plan.category)) or tpl.get((element_id, None)) or {})


def _templates(path: Path) -> dict[tuple[str, str | None], dict[str, Any]]:
    """Step data of the scenario files, by (step, category), as realistic and valid examples."""
    out: dict[tuple[str, str | None], dict[str, Any]] = {}
    if not path.exists():
        return out
    for sc in json.loads(path.read_text(encoding="utf-8"))["scenarios"]:
        category = next((st["data"].get("category") for st in sc["steps"] if st.get("task") == "classify"), None)
        for st in sc["steps"]:
            if "task" in st:
                out.setdefault((st["task"], category), st["data"])
                out.setdefault((st["task"], None), st["data"])
    return out


def generate_history(
    settings: dict[str, Any],
    n: int,
    start: datetime,
    end: datetime,
    *,
    seed: int = 1,
    batch: int = 200,
    templates: int = 1000,
    live_days: int = 2,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Stats:
    """Make n complaints between start and end on the settings' database, with its own moving clock.

    The last live_days are worked entirely through the services (the open backlog, the overdue
    steps); before them, up to `templates` complaints are worked through the services and the
    rest are replays of the finished ones (replay.py) at other dates for other customers. The replays'
    rows are built by `workers` processes while this one writes (by default one per core when there
    are at least 10,000 copies to make; 0 builds them here).
    """
    import time as wall

    from ..services.bootstrap import build_runtime
    from .bulk_copies import replay
    from .users import seed_demo_users
    from ..services.process_models.deployment import deploy_directory

    rt = build_runtime(settings, clock=FixedClock(start))
    try:
        seed_demo_users(rt)  # the groups too: lanes name them
        deploy_directory(rt, Path(settings["PROCESSES_DIR"]))
        rt.db = BatchDatabase(rt.db)
        gen = Generator(rt, start, end, seed=seed, batch=batch)
        tail_start = max(start, end - timedelta(days=live_days))
        _, weights, _ = gen.day_weights()
        tail_days = max(0, math.ceil((end - tail_start).total_seconds() / 86400))
        n_tail = min(n, round(n * sum(weights[-tail_days:]) / sum(weights))) if tail_days else 0
        n_seed = min(n - n_tail, templates)
        n_copies = n - n_tail - n_seed
        t0 = wall.perf_counter()
        gen.run(gen.arrivals(n_seed, start, tail_start), progress)
        gen.run(gen.arrivals(n_tail, tail_start, end), progress)
        gen.stats.services_seconds = wall.perf_counter() - t0
        if n_copies:
            t0 = wall.perf_counter()
            if workers is None:
                workers = (os.cpu_count() or 1) if n_copies >= 10_000 else 0
            replay(gen, tail_start, n_copies, progress, workers)
            gen.stats.replay_seconds = wall.perf_counter() - t0
        if gen.stats.replayed < n_copies:  # a short history leaves arrivals no finished template fits
            t0 = wall.perf_counter()
            gen.run(gen.arrivals(n_copies - gen.stats.replayed, start, tail_start), progress)
            gen.stats.services_seconds += wall.perf_counter() - t0
        if gen.stats.replayed:  # the copies were inserted in bulk, past the services that keep the roll-ups
            from ..services.reporting.rebuild import rebuild

            t0 = wall.perf_counter()
            with rt.db.write() as s:
                rebuild(s.connection())
            rt.db.commit()
            gen.stats.rollup_seconds = wall.perf_counter() - t0
        return gen.stats
    finally:
        db = rt.db.inner if isinstance(rt.db, BatchDatabase) else rt.db
        db.dispose()
