"""The numbers managers read: dashboard figures as SQL aggregates (the regulator's view: regulator.py).

No workflow is ever deserialized. The dashboard's period figures count the complaints registered
in [date_from, date_to] (local days) matching the category and department filters, read from the
daily roll-ups (models/rollups.py) that the services keep in the transaction of each change
(services/steps/rollups.py): a period reads its days' roll-up rows (about 40,000 for 30 days at
100,000 complaints), not its complaints and tasks. The "now" figures (breached, paused, backlog by age) count the open complaints matching
those filters, whatever their registration day, on the live tables (few rows, indexed).
Definitions (docs/metrics.md is the glossary):
- on-time rate of a step: completed tasks with a deadline finished at or before it / those tasks;
- duration of a step: completed_at - created_at of its tasks; the mean is exact (to the millisecond);
  p90 is the nearest-rank 90th percentile, shown as the upper bound of the duration band holding it
  (domain/duration_bands.py: bands 9.05 % wide, so never below the exact figure, at most 9.05 % above);
- first-contact resolution (一次性解决率): closed complaints handled in exactly one round (one completed
  handle task: no re-handling) with no transfer or return (domain/metrics.first_contact_resolved) / closed;
- resolution rate (投诉解决率): closed / registered;
- repeat-complaint rate (投诉重复率): complaints that are repeats (domain/metrics.is_repeat: the phone had a
  complaint of the same category registered in the repeat_window_days before, or it was reopened) / complaints;
- satisfaction: (satisfied + basically satisfied) / complaints with an answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal_column, or_, select

from ...domain.typed_days import FIRST_DAY, LAST_DAY, typed_day
from ...domain.clock import local_date, local_midnight
from ...domain.duration_bands import nearest_rank_band, upper_seconds
from ...domain.reporting import ReportingConfig
from ...errors import Invalid
from ...models import Complaint, HumanTask, ReportComplaintDay, ReportStepDay, User
from ..runtime import Runtime
from ...domain.metrics import CONFIRMED_SOLVED, breached_by_step
from ..runtime.flow_config import flow_rules
from .search import breached_now, require_auditor
from ...domain.actors import Viewer

AGE_BUCKETS = ((0, 1, "lt1d"), (1, 3, "1to3d"), (3, 7, "3to7d"), (7, 15, "7to15d"), (15, None, "ge15d"))
MAX_DAYS = 732


@dataclass(frozen=True)
class ReportFilter:
    date_from: date
    date_to: date  # inclusive
    category: str | None = None
    department: str | None = None

    @classmethod
    def parse(cls, args, today: date, default_days: int = 30) -> "ReportFilter":
        """From query-string values; the default period is the last default_days local days."""
        # typed_day before any arithmetic: to=0001-01-01 minus the default period overflowed (a 500).
        to = typed_day(args["to"]) if args.get("to") else today
        if to is None:
            raise Invalid(
                "bad date",
                [{"field": "to", "message": "dates are YYYY-MM-DD, from 2000 to 2099", "code": "report.bad_date"}],
            )
        start = typed_day(args["from"]) if args.get("from") else to - timedelta(days=default_days - 1)
        if start is None:
            raise Invalid(
                "bad date",
                [{"field": "from", "message": "dates are YYYY-MM-DD, from 2000 to 2099", "code": "report.bad_date"}],
            )
        if not (FIRST_DAY <= start <= to <= LAST_DAY) or (to - start).days > MAX_DAYS:
            raise Invalid(
                "bad period",
                [
                    {
                        "field": "from",
                        "message": f"from must be before to, at most {MAX_DAYS} days",
                        "code": "report.bad_period",
                        "params": {"n": MAX_DAYS},
                    }
                ],
            )
        return cls(start, to, args.get("category") or None, args.get("department") or None)

    def params(self) -> dict[str, str]:
        out = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        out.update({k: v for k, v in (("category", self.category), ("department", self.department)) if v})
        return out


def reporting_config(rt: Runtime) -> ReportingConfig:
    """The reporting settings (config/reporting.toml), read once per runtime."""
    cfg = rt.settings.get("_reporting_config")
    if cfg is None:
        from ...config import ROOT

        path = rt.settings.get("REPORTING_CONFIG") or str(ROOT / "config" / "reporting.toml")
        try:
            cfg = ReportingConfig.load(path)
        except (OSError, ValueError) as exc:
            raise SystemExit(f"setting COMPLAINTFLOW_REPORTING_CONFIG: cannot load {path}: {exc}") from exc
        rt.settings["_reporting_config"] = cfg
    return replace(cfg, repeat_window_days=flow_rules(rt).repeat_window_days)  # the one window, config/flow.toml


# -- dialect helpers -------------------------------------------------------------------------------


def _pg(s) -> bool:
    return s.bind.dialect.name == "postgresql"


def local_day(s, column):
    """The operator's calendar day (Asia/Shanghai, UTC+8 all year) of an instant column, as text."""
    if _pg(s):
        return func.to_char(func.timezone("Asia/Shanghai", column), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column, "+8 hours")


def _scope(f: ReportFilter, table=Complaint) -> list:
    c = []
    if f.category:
        c.append(table.category == f.category)
    if f.department:
        c.append(table.department == f.department)
    return c


def _is_open(s):
    """Complaint.status == "open", which SQLite is told is rare (unlikely()): its statistics say a status holds half
    the rows (two values), so with a category or department kept off their indexes (+column) it scanned the whole
    table for the open ones: 217 ms at 540,000 complaints for the owners' list, 0.1 ms through the status index."""
    is_open = Complaint.status == "open"
    return is_open if _pg(s) else func.unlikely(is_open)


def _open_scope(s, f: ReportFilter) -> list:
    """The filters on open complaints, which ix_complaint_status_created finds (they are few).

    SQLite's statistics cannot see that: given a category or a department it walks that column's index
    over every complaint (80 ms at 100,000). `+column` keeps it on the status index.
    """
    if _pg(s):
        return _scope(f)
    return [
        literal_column(f"+complaint.{name}") == value
        for name, value in (("category", f.category), ("department", f.department))
        if value
    ]


def _rolled(table, f: ReportFilter, counted) -> list:
    """A roll-up's rows of the period and filters (rows a move left at zero are skipped)."""
    return [table.day >= f.date_from, table.day <= f.date_to, counted != 0, *_scope(f, table)]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# -- the dashboard ---------------------------------------------------------------------------------

CACHE_SECONDS = 60  # a dashboard is the same for a minute: many managers, one computation


def dashboard(rt: Runtime, viewer: Viewer, f: ReportFilter) -> dict[str, Any]:
    """Every dashboard figure for a filter; computed at most once a minute per filter and process.

    REPORTS_CACHE_SECONDS (default 60; 0 when TESTING) sets how long; `generated_at` says when.
    """
    require_auditor(viewer)
    cfg = reporting_config(rt)
    return _cached(rt, ("dashboard", f, cfg.repeat_window_days), lambda: _dashboard(rt, f, cfg))


def _cached(rt: Runtime, key, compute):
    ttl = rt.settings.get("REPORTS_CACHE_SECONDS", 0 if rt.settings.get("TESTING") else CACHE_SECONDS)
    cache = rt.settings.setdefault("_dashboard_cache", {})
    hit = cache.get(key)
    if ttl and hit is not None and time.monotonic() - hit[0] < ttl:
        return hit[1]
    out = compute()
    if ttl:
        if len(cache) > 200:
            cache.clear()
        cache[key] = (time.monotonic(), out)
    return out


def _dashboard(rt: Runtime, f: ReportFilter, cfg: ReportingConfig) -> dict[str, Any]:
    now = rt.clock.now()
    with rt.db.read() as s:
        out = {"filters": f.params(), "generated_at": now.isoformat()}
        out.update(_distributions(s, f))
        out.update(_by_day(s, f, cfg.repeat_window_days))
        out["steps"] = _steps(s, f)
        out["now"] = _now(s, f, now)
        out["backlog_by_age"] = _backlog(s, f, now)
        out["promises"] = _promises(s, f, now)
        out["resolution"].update(_resolved_apart(s, f))
        out["owners"] = _owners(s, f)
    return out


def _resolved_apart(s, f: ReportFilter) -> dict[str, int]:
    """The period's closed complaints split: solved as the customer confirmed, or closed on a stated reason (a
    supervisor's closure, an unsatisfied customer after the last round, no answer to the survey)."""
    start, end = local_midnight(f.date_from), local_midnight(f.date_to + timedelta(days=1))
    confirmed = case((Complaint.satisfaction.in_(CONFIRMED_SOLVED), 1), else_=0)
    closed, solved = s.execute(
        select(func.count(), func.sum(confirmed)).where(
            Complaint.created_at >= start, Complaint.created_at < end, Complaint.status == "closed", *_scope(f)
        )
    ).one()
    closed, solved = int(closed or 0), int(solved or 0)
    return {"solved_confirmed": solved, "closed_with_reason": closed - solved}


def _promises(s, f: ReportFilter, now: datetime) -> dict[str, Any]:
    """Dates promised to customers that fell due in the period: kept, missed, still running."""
    start, end = local_midnight(f.date_from), local_midnight(f.date_to + timedelta(days=1))
    missed = or_(Complaint.promise_kept.is_(False), and_(Complaint.promise_kept.is_(None), Complaint.promised_at < now))
    total, kept, lost = s.execute(
        select(
            func.count(),
            func.sum(case((Complaint.promise_kept.is_(True), 1), else_=0)),
            func.sum(case((missed, 1), else_=0)),
        ).where(Complaint.promised_at >= start, Complaint.promised_at < end, *_scope(f))
    ).one()
    total, kept, lost = int(total or 0), int(kept or 0), int(lost or 0)
    return {
        "promised": total,
        "kept": kept,
        "missed": lost,
        "running": total - kept - lost,
        "kept_rate": _rate(kept, kept + lost),
    }


def _owners(s, f: ReportFilter) -> list[dict[str, Any]]:
    """Open complaints per owner (首问责任人), most first."""
    rows = s.execute(
        select(User.display_name, func.count())
        .select_from(Complaint)
        .join(User, User.id == Complaint.owner_id)
        .where(_is_open(s), *_open_scope(s, f))
        .group_by(User.display_name)
        .order_by(func.count().desc())
        .limit(20)
    ).all()
    return [{"owner": name, "open": int(n)} for name, n in rows]


def _distributions(s, f: ReportFilter) -> dict[str, Any]:
    d = ReportComplaintDay
    cols = (d.category, d.channel, d.severity, d.department)
    rows = s.execute(select(*cols, func.sum(d.registered)).where(*_rolled(d, f, d.registered)).group_by(*cols)).all()
    out: dict[str, Any] = {}
    for i, name in enumerate(("category", "channel", "severity", "department")):
        counts: dict[Any, int] = {}
        for r in rows:
            value = r[i] or None  # the roll-ups' '' is "not set yet"
            counts[value] = counts.get(value, 0) + int(r[-1])
        out[f"by_{name}"] = [
            {"value": k, "count": v} for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))) if v
        ]
    return out


def _by_day(s, f: ReportFilter, window_days: int) -> dict[str, Any]:
    """Volume and trend, resolution, first-contact resolution, satisfaction and repeats: one pass over the days."""
    d = ReportComplaintDay
    # domain/metrics.is_repeat: a gap to the same phone and category within the window, or a reopening
    repeat = case((and_(d.repeat_gap >= 1, d.repeat_gap <= window_days), d.registered), else_=d.reopened)
    rows = s.execute(
        select(
            d.day,
            func.sum(d.registered),
            func.sum(d.closed),
            func.sum(d.first_time),
            func.sum(d.satisfied),
            func.sum(d.basically_satisfied),
            func.sum(d.unsatisfied),
            func.sum(repeat),
        )
        .where(*_rolled(d, f, d.registered))
        .group_by(d.day)
    ).all()
    counts = {(day if isinstance(day, date) else date.fromisoformat(day)): n for day, n, *_ in rows}
    total, closed, first_time, sat, basic, unsat, repeats = (sum(int(r[i] or 0) for r in rows) for i in range(1, 8))
    answered = sat + basic + unsat
    return {
        "volume": _volume(f, counts, total),
        "resolution": {"registered": total, "closed": closed, "rate": _rate(closed, total)},
        "first_contact_resolution": {
            "closed": closed,
            "resolved_first_time": first_time,
            "rate": _rate(first_time, closed),
        },
        "satisfaction": {
            "answered": answered,
            "satisfied": sat,
            "basically_satisfied": basic,
            "unsatisfied": unsat,
            "rate": _rate(sat + basic, answered),
        },
        "repeat": {"window_days": window_days, "total": total, "repeats": repeats, "rate": _rate(repeats, total)},
    }


def _volume(f: ReportFilter, counts: dict[date, int], total: int) -> dict[str, Any]:
    days, d = [], f.date_from
    while d <= f.date_to:
        days.append({"day": d.isoformat(), "count": int(counts.get(d, 0))})
        d += timedelta(days=1)
    for i, row in enumerate(days):  # trailing 7-day moving average: the trend without the weekly cycle
        window = days[max(0, i - 6) : i + 1]
        row["trend"] = round(sum(w["count"] for w in window) / len(window), 2)
    weeks: dict[str, int] = {}
    for row in days:
        d = date.fromisoformat(row["day"])
        monday = (d - timedelta(days=d.weekday())).isoformat()
        weeks[monday] = weeks.get(monday, 0) + row["count"]
    return {
        "total": total,
        "by_day": days,
        "by_week": [{"week_start": k, "count": v} for k, v in weeks.items()],
        "slope_per_day": _slope([r["count"] for r in days]),
    }


def _slope(ys: list[int]) -> float | None:
    """Least-squares slope of daily counts: complaints per day gained (or lost) per day."""
    n = len(ys)
    if n < 2:
        return None
    mx, my = (n - 1) / 2, sum(ys) / n
    den = sum((x - mx) ** 2 for x in range(n))
    return round(sum((x - mx) * (y - my) for x, y in enumerate(ys)) / den, 4)


def _steps(s, f: ReportFilter) -> list[dict[str, Any]]:
    """Per step: completed, on time, the mean and the p90's duration band, summed over the period's bands."""
    d = ReportStepDay
    rows = s.execute(
        select(
            d.element_id,
            d.band,
            func.max(d.name),
            func.sum(d.completed),
            func.sum(d.with_deadline),
            func.sum(d.on_time),
            func.sum(d.duration_ms),
        )
        .where(*_rolled(d, f, d.completed))
        .group_by(d.element_id, d.band)
    ).all()
    steps: dict[str, dict[str, Any]] = {}
    for element_id, band, name, done, with_due, on_time, ms in rows:
        st = steps.setdefault(
            element_id, {"name": name, "completed": 0, "with_deadline": 0, "on_time": 0, "ms": 0, "bands": []}
        )
        st["name"] = max(st["name"], name)
        st["completed"] += int(done)
        st["with_deadline"] += int(with_due)
        st["on_time"] += int(on_time)
        st["ms"] += int(ms)
        st["bands"].append((band, int(done)))
    out = []
    for element_id, st in steps.items():
        if st["completed"] <= 0:
            continue
        band = nearest_rank_band(st["bands"])
        out.append(
            {
                "element_id": element_id,
                "name": st["name"],
                "completed": st["completed"],
                "with_deadline": st["with_deadline"],
                "on_time": st["on_time"],
                "on_time_rate": _rate(st["on_time"], st["with_deadline"]),
                "avg_seconds": round(st["ms"] / st["completed"] / 1000, 1),
                "p90_seconds": round(upper_seconds(band), 1) if band is not None else None,
            }
        )
    return sorted(out, key=lambda r: -r["completed"])


def _now(s, f: ReportFilter, now: datetime) -> dict[str, Any]:
    is_open = _is_open(s)
    total_open, breached, paused = s.execute(
        select(
            func.count(),
            func.sum(case((breached_now(now), 1), else_=0)),
            func.sum(case((Complaint.suspended_at.is_not(None), 1), else_=0)),
        ).where(is_open, *_open_scope(s, f))
    ).one()
    # IN (the breached complaints), not a join: SQLite would join by scanning every complaint (35 ms at 100,000).
    breached_ids = select(Complaint.instance_id).where(is_open, breached_now(now), *_open_scope(s, f))
    overdue = s.execute(
        select(HumanTask.instance_id, HumanTask.element_id, HumanTask.name, HumanTask.due_at).where(
            HumanTask.state == "ready",
            HumanTask.due_at < now,
            HumanTask.sla_paused_at.is_(None),
            HumanTask.instance_id.in_(breached_ids),
        )
    ).all()
    return {
        "open": int(total_open or 0),
        "breached": int(breached or 0),
        "paused": int(paused or 0),
        "breached_by_step": breached_by_step(overdue, int(breached or 0)),
    }


def _backlog(s, f: ReportFilter, now: datetime) -> list[dict[str, Any]]:
    whens = []
    for low, high, key in AGE_BUCKETS:
        cond = [Complaint.created_at <= now - timedelta(days=low)]
        if high is not None:
            cond.append(Complaint.created_at > now - timedelta(days=high))
        whens.append((and_(*cond), key))
    bucket = case(*whens, else_="lt1d").label("bucket")
    counts = dict(s.execute(select(bucket, func.count()).where(_is_open(s), *_open_scope(s, f)).group_by(bucket)).all())
    return [
        {"bucket": key, "min_days": low, "max_days": high, "count": counts.get(key, 0)}
        for low, high, key in AGE_BUCKETS
    ]


def today(rt: Runtime) -> date:
    return local_date(rt.clock.now())
