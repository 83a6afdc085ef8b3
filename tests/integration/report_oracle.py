"""The dashboard's period figures recomputed from the raw rows in plain Python, as the definitions say.

An independent reading of services/reporting/dashboard.py's docstring (no roll-up, no SQL aggregate): the tests
compare the dashboard with it after real flows. The p90 is the exact nearest-rank duration; the
dashboard shows the upper bound of its duration band (domain/duration_bands.py), so `expected()`
applies that bound, and nothing else, before comparing.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import timedelta

from sqlalchemy import select

from app.domain.clock import local_date
from app.domain.duration_bands import band_of, upper_seconds
from app.models import Complaint, HumanTask


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


def expected(rt, f, window_days: int = 30) -> dict:
    """The figures the dashboard must show for filter f (a reports.ReportFilter)."""
    with rt.db.read() as s:
        complaints = s.execute(
            select(
                Complaint.instance_id,
                Complaint.created_at,
                Complaint.category,
                Complaint.department,
                Complaint.channel,
                Complaint.severity,
                Complaint.status,
                Complaint.satisfaction,
                Complaint.customer_phone,
                Complaint.transfer_count,
                Complaint.return_count,
                Complaint.reopen_count,
            )
        ).all()
        tasks = s.execute(
            select(
                HumanTask.instance_id,
                HumanTask.element_id,
                HumanTask.name,
                HumanTask.created_at,
                HumanTask.completed_at,
                HumanTask.due_at,
            ).where(HumanTask.state == "completed")
        ).all()
    registered_by_phone = defaultdict(list)
    for c in complaints:
        registered_by_phone[c.customer_phone, c.category].append(c.created_at)
    chosen = [
        c
        for c in complaints
        if f.date_from <= local_date(c.created_at) <= f.date_to
        and (not f.category or c.category == f.category)
        and (not f.department or c.department == f.department)
    ]
    ids = {c.instance_id for c in chosen}
    by_task = defaultdict(list)
    for t in tasks:
        if t.instance_id in ids:
            by_task[t.element_id].append(t)
    handled = Counter(t.instance_id for t in tasks if t.element_id == "handle")

    days = Counter(local_date(c.created_at).isoformat() for c in chosen)
    n_days = (f.date_to - f.date_from).days + 1
    closed = [c for c in chosen if c.status == "closed"]
    # docs/metrics.md: exactly one round, nothing transferred or returned
    first_time = [c for c in closed if handled[c.instance_id] == 1 and c.transfer_count == 0 and c.return_count == 0]
    sat = Counter(c.satisfaction for c in chosen)
    # docs/metrics.md: the same phone and category within the window before, or reopened
    repeats = [
        c
        for c in chosen
        if c.reopen_count
        or c.category
        and any(
            c.created_at - timedelta(days=window_days) <= e < c.created_at
            for e in registered_by_phone[c.customer_phone, c.category]
        )
    ]
    steps = {}
    for element_id, done in by_task.items():
        durations = sorted(t.completed_at - t.created_at for t in done)
        with_due = [t for t in done if t.due_at is not None]
        on_time = sum(t.completed_at <= t.due_at for t in with_due)
        p90 = durations[math.ceil(0.9 * len(durations)) - 1]
        steps[element_id] = {
            "element_id": element_id,
            "name": max(t.name for t in done),
            "completed": len(done),
            "with_deadline": len(with_due),
            "on_time": on_time,
            "on_time_rate": _rate(on_time, len(with_due)),
            "avg_seconds": round(sum(d.total_seconds() for d in durations) / len(durations), 1),
            "p90_seconds": round(upper_seconds(band_of(p90)), 1),
            "p90_exact_seconds": p90.total_seconds(),
        }
    answered = sat["satisfied"] + sat["basically_satisfied"] + sat["unsatisfied"]
    return {
        "by_day": {
            (f.date_from + timedelta(days=i)).isoformat(): days[(f.date_from + timedelta(days=i)).isoformat()]
            for i in range(n_days)
        },
        "total": len(chosen),
        **{
            f"by_{name}": dict(Counter(getattr(c, name) for c in chosen))
            for name in ("category", "channel", "severity", "department")
        },
        "steps": steps,
        "resolution": {
            "registered": len(chosen),
            "closed": len(closed),
            "rate": _rate(len(closed), len(chosen)),
            "solved_confirmed": sum(c.satisfaction in ("satisfied", "basically_satisfied") for c in closed),
            "closed_with_reason": sum(c.satisfaction not in ("satisfied", "basically_satisfied") for c in closed),
        },
        "first_contact_resolution": {
            "closed": len(closed),
            "resolved_first_time": len(first_time),
            "rate": _rate(len(first_time), len(closed)),
        },
        "satisfaction": {
            "answered": answered,
            "satisfied": sat["satisfied"],
            "basically_satisfied": sat["basically_satisfied"],
            "unsatisfied": sat["unsatisfied"],
            "rate": _rate(sat["satisfied"] + sat["basically_satisfied"], answered),
        },
        "repeat": {
            "window_days": window_days,
            "total": len(chosen),
            "repeats": len(repeats),
            "rate": _rate(len(repeats), len(chosen)),
        },
    }


def shown(d: dict) -> dict:
    """The same figures read off a dashboard (reports.dashboard's answer)."""
    return {
        "by_day": {r["day"]: r["count"] for r in d["volume"]["by_day"]},
        "total": d["volume"]["total"],
        **{
            f"by_{name}": {r["value"]: r["count"] for r in d[f"by_{name}"]}
            for name in ("category", "channel", "severity", "department")
        },
        "steps": {s["element_id"]: s for s in d["steps"]},
        **{k: d[k] for k in ("resolution", "first_contact_resolution", "satisfaction", "repeat")},
    }


def assert_matches(d: dict, want: dict) -> None:
    """The dashboard shows the recomputed figures (the mean to 0.1 s: it sums whole milliseconds)."""
    got = shown(d)
    for element_id, step in want["steps"].items():
        have = got["steps"].get(element_id)
        assert have is not None, f"step {element_id} missing"
        assert abs(have["avg_seconds"] - step["avg_seconds"]) <= 0.1, (element_id, have, step)
        exact = step["p90_exact_seconds"]
        assert exact <= have["p90_seconds"] + 0.05 and have["p90_seconds"] <= max(1.0, exact) * 1.0906, (
            element_id,
            have,
            step,
        )
        for k in ("name", "completed", "with_deadline", "on_time", "on_time_rate", "p90_seconds"):
            assert have[k] == step[k], (element_id, k, have[k], step[k])
    assert set(got["steps"]) == set(want["steps"])
    for k in want:
        if k != "steps":
            assert got[k] == want[k], (k, got[k], want[k])


def assert_regulator_matches(rt, view: dict) -> None:
    """The regulator's view shows, per quarter, the counts recomputed from the raw rows."""
    from app.domain.reporting import quarter_of
    from app.services.sla.complaint_clocks import REPLY_STEPS
    from app.services.reporting.dashboard import reporting_config

    cfg, now = reporting_config(rt), rt.clock.now()
    with rt.db.read() as s:
        complaints = s.execute(
            select(
                Complaint.instance_id,
                Complaint.created_at,
                Complaint.category,
                Complaint.closed_at,
                Complaint.final_reply_due_at,
            )
        ).all()
        replies = s.execute(
            select(HumanTask.instance_id, HumanTask.completed_at).where(
                HumanTask.state == "completed", HumanTask.element_id.in_(REPLY_STEPS)
            )
        ).all()
    first_reply: dict = {}
    for iid, at in replies:
        first_reply[iid] = min(at, first_reply.get(iid, at))
    want = {q["quarter"]: {"total": 0, "in_time": 0, "late": 0, "by_category": Counter()} for q in view["quarters"]}
    for c in complaints:
        entry = want.get(quarter_of(local_date(c.created_at)))
        if entry is None:
            continue
        answer, due = first_reply.get(c.instance_id) or c.closed_at, c.final_reply_due_at
        entry["total"] += 1
        entry["in_time"] += bool(due and answer and answer <= due)
        entry["late"] += bool(due and ((answer and answer > due) or (answer is None and due < now)))
        entry["by_category"][cfg.regulator_category(c.category)] += 1
    for q in view["quarters"]:
        w = want[q["quarter"]]
        assert (q["total"], q["in_time"], q["late"]) == (w["total"], w["in_time"], w["late"]), (q, w)
        assert {c["code"]: c["count"] for c in q["by_category"] if c["count"]} == dict(+w["by_category"]), (q, w)
