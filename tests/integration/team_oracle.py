"""The team page's per-person figures counted in Python from the raw rows (human_task, complaint), as
docs/metrics.md defines them, to check the roll-up the page reads (report_person_day)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from app.domain.clock import local_date
from app.models import Complaint, HumanTask

GOOD = ("satisfied", "basically_satisfied")


def expected_agents(rt, f) -> dict[int, dict]:
    """Per person: steps completed in the period (local days), on time by their own deadline, and over the
    distinct complaints worked there (category and department filters on the complaint): satisfied, answered,
    repeats, reopened."""
    steps: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    worked: dict[int, set[int]] = defaultdict(set)
    with rt.db.read() as s:
        rows = s.execute(
            select(HumanTask.completed_by_id, HumanTask.completed_at, HumanTask.due_at, Complaint)
            .join(Complaint, Complaint.instance_id == HumanTask.instance_id)
            .where(HumanTask.state == "completed", HumanTask.completed_by_id.is_not(None))
        ).all()
        complaints = {}
        for uid, at, due, c in rows:
            if not f.date_from <= local_date(at) <= f.date_to:
                continue
            if (f.category and c.category != f.category) or (f.department and c.department != f.department):
                continue
            n = steps[uid]
            n[0] += 1
            n[1] += due is not None
            n[2] += due is not None and at <= due
            worked[uid].add(c.id)
            complaints[c.id] = (c.satisfaction, bool(c.is_repeat), (c.reopen_count or 0) > 0)
    out = {}
    for uid, (handled, with_due, in_time) in steps.items():
        mine = [complaints[cid] for cid in worked[uid]]
        out[uid] = {
            "handled": handled,
            "with_deadline": with_due,
            "on_time": in_time,
            "complaints": len(mine),
            "satisfied": sum(sat in GOOD for sat, _, _ in mine),
            "satisfaction_answered": sum(sat is not None for sat, _, _ in mine),
            "repeats": sum(rep for _, rep, _ in mine),
            "reopened": sum(reo for _, _, reo in mine),
        }
    return out


def shown_agents(figures: dict) -> dict[int, dict]:
    keys = ("handled", "with_deadline", "on_time", "complaints", "satisfied", "satisfaction_answered", "repeats")
    return {a["user_id"]: {k: a[k] for k in (*keys, "reopened")} for a in figures["agents"]}


def expected_departments(rt, f) -> dict[str, dict]:
    """Per department: the complaints registered in the period (local days), closed, and their completed steps
    with a deadline and on time."""
    out: dict[str, dict] = {}
    with rt.db.read() as s:
        complaints = s.scalars(select(Complaint).where(Complaint.department.is_not(None))).all()
        done: dict[int, list] = defaultdict(list)
        for iid, at, due in s.execute(
            select(HumanTask.instance_id, HumanTask.completed_at, HumanTask.due_at).where(
                HumanTask.state == "completed"
            )
        ):
            done[iid].append((at, due))
    for c in complaints:
        if not f.date_from <= local_date(c.created_at) <= f.date_to:
            continue
        if (f.category and c.category != f.category) or (f.department and c.department != f.department):
            continue
        d = out.setdefault(c.department, {"complaints": 0, "closed": 0, "with_deadline": 0, "on_time": 0})
        d["complaints"] += 1
        d["closed"] += c.status == "closed"
        for at, due in done[c.instance_id]:
            d["with_deadline"] += due is not None
            d["on_time"] += due is not None and at <= due
    return out


def shown_departments(figures: dict) -> dict[str, dict]:
    keys = ("complaints", "closed", "with_deadline", "on_time")
    return {d["department"]: {k: d[k] for k in keys} for d in figures["departments"]}
