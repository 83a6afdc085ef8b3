"""Managers' pages with 100,000 generated complaints: search, the instance page, every dashboard page (the
dashboard, satisfaction analysis, periodicity, per agent and department, the regulator's view), cached and
computed afresh, and the dashboard's API: p50 / p95 / max in one table.

    python bench/reports.py                    # SQLite at instance/bench-reports.db (made once, then reused)
    python bench/reports.py --fresh            # generate it again
    python bench/reports.py --db postgresql+psycopg://postgres@127.0.0.1:5432/cf_bench_reports --fresh
    python bench/reports.py --db sqlite:////tmp/dash100k.db --fresh-rounds 2   # reuse a database built before

The history is made by `complaintflow generate-demo`'s generator (app/demo/history.py):
180 days up to Monday 2026-03-02 09:00 Shanghai, the last two days and 500 templates worked
(--templates, --live-days)
through the real services, the rest replays of finished ones. Then each page is requested ROUNDS
times by a signed-in manager's test client, cycling through realistic filters; the figures are
server-side wall time per request (session, queries, the access-log write, the template).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
SEARCHES = (
    "",
    "status=open",
    "status=closed&sort=closed_at",
    "category=network&severity=major",
    "sla=breached",
    "sla=paused",
    "sla=breached_ever&department=billing",
    "channel=social&created_from=2026-02-01&created_to=2026-02-28",
    "phone=138",
    "number=TS202602",
    "assignee=network&status=open",
    "version=1&order=asc",
    "department=hall&category=service",
)
# The default period (the last 30 days) holds fewer complaints than earlier months: replays must finish before
# the live days, so late arrivals are made up earlier. January (about 20,000 complaints) is the full month.
DASHBOARDS = (
    "",
    "category=network",
    "department=billing",
    "from=2025-12-03&to=2026-03-02",
    "from=2026-02-01&to=2026-02-28&category=billing",
    "from=2026-01-01&to=2026-01-31",
)
# The dashboard's other pages (their figures kept 60 s like the dashboard's): satisfaction analysis, periodicity,
# per agent and department; each is requested with the dashboard's filter sets.
PAGES = {
    "satisfaction": "/reports/satisfaction",
    "periodicity": "/reports/periodicity",
    "team": "/reports/team",
}


def prepare(
    url: str,
    n: int,
    fresh: bool,
    templates: int,
    live_days: int,
    days: int = 180,
    workers: int | None = None,
    seed: int = 6,
) -> None:
    from sqlalchemy import func, select

    from app.config import load_settings
    from app.db import Database
    from app.migrate import upgrade
    from app.models import Complaint
    from app.demo.history import generate_history
    from fresh_db import recreate_postgresql

    if url.startswith("postgresql") and fresh:
        recreate_postgresql(url)
    elif fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(url.split("///", 1)[1] + suffix).unlink(missing_ok=True)
    db = Database(url)
    upgrade(db)
    with db.read() as s:
        have = s.scalar(select(func.count()).select_from(Complaint))
    db.dispose()
    if have >= n:
        print(f"reusing {have} complaints in {url}")
        _analyze(url)  # an upgrade may have added indexes since it was built
        return
    settings = load_settings(ROOT / "instance", {"DATABASE_URL": url})
    started = time.perf_counter()
    made = [0]

    def progress(k: int) -> None:  # how far it got, for a build that is stopped before the end
        made[0] += k
        if made[0] % 50_000 == 0:
            took = time.perf_counter() - started
            print(f"  {made[0]} complaints in {took:.0f} s, load average {os.getloadavg()[0]:.1f}", flush=True)

    stats = generate_history(
        settings,
        n - have,
        NOW - timedelta(days=days),
        NOW,
        seed=seed,
        templates=templates,
        live_days=live_days,
        workers=workers,
        progress=progress,
    )
    took = time.perf_counter() - started
    copies = stats.replay_seconds - stats.index_seconds - stats.analyse_seconds
    print(
        f"wall time {took:.0f} s: templates through the services {stats.services_seconds:.0f} s, copies {copies:.0f} s "
        f"({stats.replayed / max(copies, 1e-9):.0f}/s), indexes {stats.index_seconds:.0f} s, analyse "
        f"{stats.analyse_seconds:.0f} s, roll-up recount {stats.rollup_seconds:.0f} s; load average "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    print(
        f"generated {stats.complaints + stats.replayed} complaints in {took:.0f} s: {stats.complaints} through the "
        f"services ({stats.complaints / max(stats.services_seconds, 1e-9):.1f}/s, {stats.completed_tasks} tasks, "
        f"{stats.fired_timers} timers fired, {stats.still_open} open), {stats.replayed} replayed "
        f"({stats.replayed / max(stats.replay_seconds, 1e-9):.0f}/s), roll-ups recounted in {stats.rollup_seconds:.0f} s"
    )
    t0 = time.perf_counter()
    _analyze(url)
    print(f"  and the bench's own ANALYZE (full) in {time.perf_counter() - t0:.0f} s", flush=True)


def _analyze(url: str) -> None:
    """Fresh statistics for the planner, as a nightly job would keep them."""
    from app.db import Database

    db = Database(url)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    db.dispose()


def measure(client, paths: list[str], rounds: int, before=None, headers=None) -> list[float]:
    times = []
    for i in range(rounds):
        path = paths[i % len(paths)]
        if before is not None:
            before()
        t0 = time.perf_counter()
        r = client.get(path, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (path, r.status_code, r.get_data(as_text=True)[:300])
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default=f"sqlite:///{ROOT / 'instance' / 'bench-reports.db'}")
    ap.add_argument("--complaints", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--fresh", action="store_true", help="generate the history again")
    ap.add_argument(
        "--templates", type=int, default=500, help="complaints worked through the services before the last days"
    )
    ap.add_argument("--live-days", type=int, default=2, help="the last days worked entirely through the services")
    ap.add_argument("--days", type=int, default=180, help="the history's length in days, up to 2026-03-02")
    ap.add_argument(
        "--only",
        default="",
        help="comma-separated case keys: search, instance, dashboard, fresh, api, api-fresh, regulator, regulator-fresh, "
        "satisfaction, satisfaction-fresh, periodicity, periodicity-fresh, team, team-fresh (default: all)",
    )
    ap.add_argument(
        "--seed", type=int, default=6, help="the generator's seed; another one to add to a database built before"
    )
    ap.add_argument("--workers", type=int, help="processes building the bulk copies (default: one per core)")
    ap.add_argument("--verbose", action="store_true", help="also time each search and dashboard filter set alone")
    ap.add_argument("--fresh-rounds", type=int, default=8, help="rounds of the 6 dashboard filter sets computed afresh")
    args = ap.parse_args()
    (ROOT / "instance").mkdir(exist_ok=True)
    prepare(args.db, args.complaints, args.fresh, args.templates, args.live_days, args.days, args.workers, args.seed)

    from sqlalchemy import func, select

    from app import create_app
    from app.domain.clock import FixedClock
    from app.models import Complaint, ProcessInstance
    from tests.integration.web_client import Web

    app = create_app(
        {"DATABASE_URL": args.db, "SECRET_KEY": "bench", "TESTING": True, "REPORTS_CACHE_SECONDS": 60},
        clock=FixedClock(NOW),
    )
    rt = app.extensions["complaintflow"]
    with rt.db.read() as s:
        total = s.scalar(select(func.count()).select_from(Complaint))
        open_ = s.scalar(select(func.count()).select_from(Complaint).where(Complaint.status == "open"))
        ids = list(s.scalars(select(ProcessInstance.id)))
    rng = random.Random(6)
    instances = [f"/reports/instances/{i}" for i in rng.sample(ids, min(len(ids), args.rounds))]
    web = Web(app).login("manager")
    first = web.client.get("/reports/instances").get_data(as_text=True)
    after = first.split("after=", 1)[1].split("&", 1)[0].split('"', 1)[0] if "after=" in first else ""
    searches = [f"/reports/instances?{q}" for q in SEARCHES] + ([f"/reports/instances?after={after}"] if after else [])
    dashboards = [f"/reports?{q}" for q in DASHBOARDS]
    api_dashboards = [f"/api/v1/reports/dashboard?{q}" for q in DASHBOARDS]
    token = web.client.post("/api/v1/auth/token", json={"username": "manager", "password": "demo1234"})
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    cold = lambda: rt.settings.get("_dashboard_cache", {}).clear()  # noqa: E731
    fresh_rounds = len(dashboards) * args.fresh_rounds
    quarters = ["/reports/regulator"]
    cases = {  # key: (name, paths, rounds, called before each request, headers)
        "search": ("search (13 filter sets + page 2)", searches, args.rounds, None, None),
        "instance": ("instance page (random instances)", instances, args.rounds, None, None),
        "dashboard": ("dashboard (6 filter sets, cached up to 60 s)", dashboards, args.rounds, None, None),
        "fresh": ("dashboard computed afresh (cache emptied)", dashboards, fresh_rounds, cold, None),
        "api": ("dashboard API (6 filter sets, cached up to 60 s)", api_dashboards, args.rounds, None, bearer),
        "api-fresh": ("dashboard API computed afresh (cache emptied)", api_dashboards, fresh_rounds, cold, bearer),
        "regulator": ("regulator's view (4 quarters, cached up to 60 s)", quarters, 10, None, None),
        "regulator-fresh": ("regulator's view computed afresh (cache emptied)", quarters, 5, cold, None),
    }
    for key, page in PAGES.items():  # the dashboard's other pages, with the dashboard's filter sets
        paths = [f"{page}?{q}" for q in DASHBOARDS]
        cases[key] = (f"{key} page (6 filter sets, cached up to 60 s)", paths, args.rounds, None, None)
        cases[f"{key}-fresh"] = (f"{key} page computed afresh (cache emptied)", paths, fresh_rounds, cold, None)
    only = {k for k in args.only.split(",") if k}
    print(f"{args.db.split(':', 1)[0]}: {total} complaints ({open_} open); load average {os.getloadavg()[0]:.2f}")
    print("| case | requests | p50 ms | p95 ms | max ms |\n| --- | --- | --- | --- | --- |")
    for key, (name, paths, rounds, before, headers) in cases.items():
        if only and key not in only:
            continue
        measure(web.client, paths[:3], 3, before, headers)  # warm the caches (diagrams, statements, pages)
        times = sorted(measure(web.client, paths, rounds, before, headers))
        p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
        print(f"| {name} | {len(times)} | {statistics.median(times):.1f} | {p95:.1f} | {times[-1]:.1f} |")
    if args.verbose:  # each filter set alone: the search's median of 5, the dashboard's afresh median of 3
        for path, before, n in [(p, None, 5) for p in searches] + [(p, cold, 3) for p in dashboards]:
            times = sorted(measure(web.client, [path], n, before))
            print(f"  {statistics.median(times):7.1f} ms  {path}{'  (afresh)' if before else ''}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    rt.db.dispose()


if __name__ == "__main__":
    main()
