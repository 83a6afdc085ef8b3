"""Timer benchmark: how late due timers fire, and how fast, with 100,000 waiting timers.

    python bench/timers.py                      # SQLite in a temporary directory, 1 process
    python bench/timers.py --db sqlite --db postgresql+psycopg://postgres@127.0.0.1:5432/cf_bench_timers \
        --processes 1,2,4                       # both databases, 1, 2 and 4 scheduler processes each
    python bench/timers.py --before /tmp/cf-before   # the same run with another checkout's scheduler first

For each --db (``sqlite``: a temporary file; a PostgreSQL URL: that database, dropped and created)
it seeds --waiting instances of bench/timer_wait.bpmn, each waiting on one timer: most due in 30
days. Then, for each process count, that many `complaintflow scheduler` processes start (the real
clock, SCHEDULER_TICK_SECONDS=1, TIMER_BATCH=50), and once they run, --steady timers are added due
one after another over 20 s, then --burst of them all due at one instant 5 s later (so each phase
starts with --waiting timers waiting). A reader polls the timer table every 50 ms and notes when
each firing became visible (committed): lateness = that instant - due. Prints, per database and
process count, p50/p99/max lateness of the steady stream and of the burst, the burst's firings per
second and how many of it were visible within 1 s of their due instant, CPU per firing of the
scheduler processes (and, on PostgreSQL, of the server's backends for the bench database), measured
from /proc, the load average; and the round trips (statements) one batch of 50 firings sends.

--before PATH runs the same phase first with the scheduler of the checkout at PATH (e.g. a
`git worktree add /tmp/cf-before <commit>`) on the same database, so before and after are
measured side by side under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fresh_db import recreate_postgresql  # noqa: E402
from sqlalchemy import create_engine, insert, select, text  # noqa: E402

TEMPLATE_DUE = "2000-01-01T00:00:00+00:00"


def make_app(url: str, **extra):
    from app import create_app
    from app.migrate import upgrade
    from app.services.accounts.users import ensure_groups

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SCHEDULER_ENABLED": False, **extra})
    rt = app.extensions["complaintflow"]
    upgrade(rt.db)
    ensure_groups(rt)
    return app


def deploy_timer_wait(rt) -> int:
    from app.services.process_models.deployment import deploy_model

    return deploy_model(rt, {"timer_wait.bpmn": (ROOT / "bench" / "timer_wait.bpmn").read_bytes()}).version_id


def seed_waiting_timers(rt, version_id: int, dues: list[datetime], divisor: int = 1, chunk: int = 2000) -> list[int]:
    """Insert one waiting instance (state, timer row) per due instant, fast: one engine run, then copies."""
    from app.engine import state_from_text, state_text
    from app.models import ProcessInstance, Timer

    model = rt.model(version_id)
    inst = rt.engine.start(model.bundle, {"due": TEMPLATE_DUE.replace("2000", "2999"), "divisor": divisor})
    template = state_text(inst.dump()).replace("2999-01-01T00:00:00+00:00", "{DUE}")
    timer = inst.waiting_timers()[0]
    now = rt.clock.now()
    ids = []
    with rt.db.write() as s:
        first = (s.scalar(select(text("max(id)")).select_from(ProcessInstance)) or 0) + 1
    for start in range(0, len(dues), chunk):
        part = dues[start : start + chunk]
        rows, timers = [], []
        for offset, due in enumerate(part):
            iid = first + start + offset
            iso = due.astimezone(timezone.utc).isoformat()
            state = template.replace("{DUE}", iso)
            rows.append(
                {
                    "id": iid,
                    "process_version_id": version_id,
                    "process_id": model.process_id,
                    "status": "running",
                    "state": state_from_text(state),
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            timers.append(
                {
                    "instance_id": iid,
                    "task_id": timer.task_id,
                    "element_id": timer.element_id,
                    "attached_to": None,
                    "kind": "timer",
                    "sla_step": None,
                    "due_at": due,
                    "status": "waiting",
                    "provisional": False,
                    "attempts": 0,
                    "details": {},
                }
            )
            ids.append(iid)
        with rt.db.write() as s:
            s.execute(insert(ProcessInstance), rows)
            s.execute(insert(Timer), timers)
    if rt.db.url.startswith("postgresql"):
        with rt.db.write() as s:
            s.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('process_instance', 'id'), (SELECT max(id) FROM process_instance))"
                )
            )
    return ids


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _server_pids(url: str) -> list[int]:
    """The PostgreSQL backends serving the bench database (their titles name it); none for SQLite."""
    if not url.startswith("postgresql"):
        return []
    name = url.rsplit("/", 1)[1]
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres: ") and f" {name} " in title:
                pids.append(int(entry.name))
    return pids


class Schedulers:
    """N `complaintflow scheduler` processes of one checkout, started and stopped by the bench."""

    def __init__(self, code: Path, url: str, processes: int, tick: float, batch: int, logs: Path):
        env = {
            **os.environ,
            "COMPLAINTFLOW_DATABASE_URL": url,
            "COMPLAINTFLOW_SECRET_KEY": "bench",
            "COMPLAINTFLOW_SCHEDULER_TICK_SECONDS": str(tick),
            "COMPLAINTFLOW_TIMER_BATCH": str(batch),
        }
        command = [sys.executable, "-c", "from app.cli import main; main()", "scheduler"]
        self.logs = [logs / f"scheduler-{uuid.uuid4().hex[:6]}.log" for _ in range(processes)]
        self.procs = [
            subprocess.Popen(command, cwd=code, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
            for log in self.logs
        ]

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not all(b"timer tick every" in log.read_bytes() for log in self.logs):
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.procs):
                raise RuntimeError("a scheduler process did not start: " + self.logs[0].read_text()[-2000:])
            time.sleep(0.1)

    def cpu(self) -> float:
        return sum(_cpu_seconds(p.pid) for p in self.procs)

    def stop(self) -> None:
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def phase(rt, url: str, version_id: int, code: Path, processes: int, steady: int, burst: int, tick: float, logs: Path):
    """Start the schedulers of one checkout, add the steady stream and the burst, watch them fire."""
    schedulers = Schedulers(code, url, processes, tick, 50, logs)
    load_before = os.getloadavg()
    try:
        schedulers.wait_ready()
        start = datetime.now(timezone.utc) + timedelta(seconds=3)
        steady_dues = [start + timedelta(seconds=20 * i / steady) for i in range(steady)]
        burst_at = start + timedelta(seconds=25)
        steady_ids = set(seed_waiting_timers(rt, version_id, steady_dues))
        burst_ids = set(seed_waiting_timers(rt, version_id, [burst_at] * burst))
        mine = steady_ids | burst_ids
        seen: dict[int, datetime] = {}
        due_of: dict[int, datetime] = {}
        reader = create_engine(url)
        cpu_at: dict[str, tuple[float, float, float]] = {}  # phase mark -> (wall, schedulers, server)
        low = min(mine)

        def mark(name: str) -> None:
            cpu_at[name] = (
                time.monotonic(),
                schedulers.cpu(),
                sum(_cpu_seconds(pid) for pid in _server_pids(url)),
            )

        mark("steady")
        deadline = time.monotonic() + 60 + 25 + burst / 20
        while len(seen) < len(mine) and time.monotonic() < deadline:
            if "burst" not in cpu_at and datetime.now(timezone.utc) >= burst_at - timedelta(seconds=0.5):
                mark("burst")
            with reader.connect() as conn:
                rows = conn.execute(
                    text("SELECT instance_id, due_at FROM timer WHERE status = 'fired' AND instance_id >= :low"),
                    {"low": low},
                ).all()
            observed = datetime.now(timezone.utc)
            for iid, due in rows:
                if iid in mine and iid not in seen:
                    seen[iid] = observed
                    due_of[iid] = due if isinstance(due, datetime) else datetime.fromisoformat(str(due))
            time.sleep(0.05)
        mark("end")
        reader.dispose()
    finally:
        schedulers.stop()
    load_after = os.getloadavg()

    def late(ids):
        return [
            (seen[i] - due_of[i].replace(tzinfo=due_of[i].tzinfo or timezone.utc)).total_seconds()
            for i in ids
            if i in seen
        ]

    steady_late, burst_late = late(steady_ids), late(burst_ids)
    drain = max(burst_late) if burst_late else float("nan")
    burst_cpu = [cpu_at["end"][k] - cpu_at.get("burst", cpu_at["end"])[k] for k in (1, 2)]
    steady_cpu = [cpu_at.get("burst", cpu_at["end"])[k] - cpu_at["steady"][k] for k in (1, 2)]
    with rt.db.read() as s:
        left = s.scalar(text("SELECT count(*) FROM timer WHERE status = 'waiting'"))
        # Exactly once, whatever the process count: one timer.fired event per instance of the phase.
        events = dict(
            s.execute(
                text(
                    "SELECT instance_id, count(*) FROM audit_event WHERE type = 'timer.fired'"
                    " AND instance_id >= :low GROUP BY instance_id"
                ),
                {"low": low},
            ).all()
        )
    return {
        "scheduler_code": str(code),
        "processes": processes,
        "load_average_1m_before_after": [round(load_before[0], 1), round(load_after[0], 1)],
        "steady": {
            "timers": steady,
            "fired": len(steady_late),
            "over_seconds": 20,
            "lateness_p50_s": round(percentile(steady_late, 50), 3) if steady_late else None,
            "lateness_p99_s": round(percentile(steady_late, 99), 3) if steady_late else None,
            "lateness_max_s": round(max(steady_late), 3) if steady_late else None,
            "cpu_ms_per_firing_schedulers": round(1000 * steady_cpu[0] / max(1, len(steady_late)), 2),
        },
        "burst": {
            "timers": burst,
            "fired": len(burst_late),
            "drain_seconds": round(drain, 2),
            "firings_per_second": round(len(burst_late) / drain, 1) if drain else None,
            "fired_within_1s": sum(1 for x in burst_late if x <= 1.0),
            "lateness_p50_s": round(percentile(burst_late, 50), 3) if burst_late else None,
            "lateness_p99_s": round(percentile(burst_late, 99), 3) if burst_late else None,
            "lateness_max_s": round(max(burst_late), 3) if burst_late else None,
            "cpu_ms_per_firing_schedulers": round(1000 * burst_cpu[0] / max(1, len(burst_late)), 2),
            "cpu_ms_per_firing_database_server": round(1000 * burst_cpu[1] / max(1, len(burst_late)), 2)
            if url.startswith("postgresql")
            else None,
        },
        "still_waiting_after": left,
        "fired_more_than_once": sum(1 for i in mine if events.get(i, 0) > 1),
        "fired_events_missing": sum(1 for i in mine if events.get(i, 0) == 0),
    }


def run(
    url: str, waiting: int, steady: int, burst: int, tick: float, processes: list[int], before: Path | None
) -> dict:
    app = make_app(url, SCHEDULER_TICK_SECONDS=tick)
    rt = app.extensions["complaintflow"]
    version_id = deploy_timer_wait(rt)
    far = datetime.now(timezone.utc) + timedelta(days=30)
    t0 = time.perf_counter()
    seed_waiting_timers(rt, version_id, [far] * (waiting - steady - burst))
    seed_seconds = time.perf_counter() - t0
    if url.startswith("postgresql"):
        with rt.db.write() as s:
            s.execute(text("ANALYZE"))
    result: dict = {
        "database": url.split(":", 1)[0],
        "waiting_timers": waiting,
        "seed_seconds": round(seed_seconds, 1),
        "tick_seconds": tick,
        "cores": os.cpu_count(),
        "one_batch_of_50": count_round_trips(app, rt, version_id),
        "phases": [],
    }
    with tempfile.TemporaryDirectory() as logs:
        for n in processes:
            if before is not None:
                result["phases"].append(phase(rt, url, version_id, before, n, steady, burst, tick, Path(logs)))
            result["phases"].append(phase(rt, url, version_id, ROOT, n, steady, burst, tick, Path(logs)))
    rt.db.dispose()
    return result


def count_round_trips(app, rt, version_id: int, size: int = 50) -> dict:
    """Fire one batch of size timers in this process; count its statements and its round trips.

    A statement is a round trip to PostgreSQL unless it goes in a pipeline (the batch's held writes,
    Plain.holding), which is one; an executemany outside one is one too. BEGIN and COMMIT count.
    On SQLite the same statements are counted, though none crosses a network.
    """
    from sqlalchemy import event

    from app.plain_sql import Plain
    from app.services.sla.timers import fire_batch

    kinds: dict[str, int] = {}
    trips = [0]
    in_pipeline = [False]
    execute, send_held = Plain._execute, Plain.send_held

    def note(statement: str) -> None:
        kind = statement.split()[0].upper()
        kinds[kind] = kinds.get(kind, 0) + 1
        trips[0] += 0 if in_pipeline[0] else 1

    def counted_execute(self, cur, sql, params, many):
        note(sql.text)
        return execute(self, cur, sql, params, many)

    def counted_send(self):
        if self._held and self.is_postgresql:
            trips[0] += 1
            in_pipeline[0] = True
        try:
            send_held(self)
        finally:
            in_pipeline[0] = False

    hooks = [
        ("before_cursor_execute", lambda conn, cursor, statement, *args: note(statement)),
        ("begin", lambda conn: note("BEGIN")),
        ("commit", lambda conn: note("COMMIT")),
    ]
    seed_waiting_timers(rt, version_id, [datetime.now(timezone.utc) - timedelta(seconds=1)] * size)
    Plain._execute, Plain.send_held = counted_execute, counted_send  # type: ignore[method-assign]
    for name, fn in hooks:
        event.listen(rt.db.engine, name, fn)
    try:
        with app.app_context():
            fired = fire_batch(rt, size).fired
    finally:
        Plain._execute, Plain.send_held = execute, send_held  # type: ignore[method-assign]
        for name, fn in hooks:
            event.remove(rt.db.engine, name, fn)
    statements = sum(kinds.values())
    return {
        "fired": fired,
        "statements": statements,
        "round_trips": trips[0] if rt.db.url.startswith("postgresql") else None,
        "round_trips_per_firing": round(trips[0] / max(1, fired), 2) if rt.db.url.startswith("postgresql") else None,
        "statements_by_kind": kinds,
    }


def table(results: list[dict]) -> str:
    """The runs side by side: one line per database, scheduler code and process count."""
    head = (
        "| database | code | processes | steady p50 / p99 / max s | burst p50 / p99 / max s | burst firings/s"
        " | burst within 1 s | CPU ms per firing (schedulers + server) | fired twice / never | load before/after |"
    )
    lines = [head, "|" + " --- |" * 10]
    for r in results:
        for ph in r["phases"]:
            st, bu = ph["steady"], ph["burst"]
            server = bu["cpu_ms_per_firing_database_server"]
            cpu = f"{bu['cpu_ms_per_firing_schedulers']}" + (f" + {server}" if server is not None else "")
            lines.append(
                f"| {r['database']} | {Path(ph['scheduler_code']).name} | {ph['processes']} "
                f"| {st['lateness_p50_s']} / {st['lateness_p99_s']} / {st['lateness_max_s']} "
                f"| {bu['lateness_p50_s']} / {bu['lateness_p99_s']} / {bu['lateness_max_s']} "
                f"| {bu['firings_per_second']} | {bu['fired_within_1s']} of {bu['timers']} | {cpu} "
                f"| {ph['fired_more_than_once']} / {ph['fired_events_missing']} "
                f"| {ph['load_average_1m_before_after'][0]} / {ph['load_average_1m_before_after'][1]} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db",
        action="append",
        help="'sqlite' (a temporary file) or a PostgreSQL URL; repeat for several (default: sqlite)",
    )
    parser.add_argument("--waiting", type=int, default=100_000)
    parser.add_argument("--steady", type=int, default=1_000)
    parser.add_argument("--burst", type=int, default=2_000)
    parser.add_argument("--tick", type=float, default=1.0)
    parser.add_argument("--processes", default="1", help="scheduler process counts, e.g. 1,2,4 (a phase each)")
    parser.add_argument("--before", type=Path, help="another checkout whose scheduler runs the same phase first")
    args = parser.parse_args()
    counts = [int(n) for n in args.processes.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for url in args.db or ["sqlite"]:
            if url == "sqlite":
                url = f"sqlite:///{tmp}/bench-{uuid.uuid4().hex[:6]}.db"
            elif url.startswith("postgresql"):
                recreate_postgresql(url)
            results.append(run(url, args.waiting, args.steady, args.burst, args.tick, counts, args.before))
    print(json.dumps(results, indent=2))
    print(table(results))


if __name__ == "__main__":
    main()
