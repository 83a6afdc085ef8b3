"""Registration at scale: a complaint registered through the services, and what the intake panel reads beside it.

    python bench/registration.py --db sqlite:////tmp/registration/r300k.db            # this checkout only
    python bench/registration.py --db ... --before main --rounds 2                     # side by side with a commit
    python bench/registration.py --db ... --sql --profile /tmp/reg.prof                # where the time goes

Works on a database generated before (bench/reports.py, bench/more_copies.py) and adds to it: each run
registers ``--n`` complaints per round and way (a few dozen are harmless in a history of 100,000s). The clock
stands just after the history's end (reports.NOW), moving a minute per registration, so the similar-complaint
window and the repeat window are full. Half the registrations are by a phone that already complained (the
repeat check and the customer's history find something), half by a new one; matters are the generator's.

Cases, each timed per call inside one process (p50 / p95 / max):
- ``first``: the process's first registration (it builds the process's similar-complaint index);
- ``register``: ``register_complaint`` as the registration page and the API call it;
- ``analyse``: the intake panel's live analysis (``text_intelligence.intake.analyse``: suggestions, similar
  complaints, the repeat);
- ``history``: the customer's other complaints (``tasks.workspace.customer_history``, as the task page lists them);
- ``appeal``: an appeal's comparison with the customer's earlier complaints (``branches.appeals._earlier_complaints``
  and ``decide``), read only;
- ``moved``: one registration 31 days later in the same process, when the similar window has moved on by more than
  similar.REBUILD_AFTER (the index is brought to the new window).

``--before REF`` runs the same cases with the code of REF (a detached worktree under /tmp) in a child process,
alternating with this checkout's, round by round: the ratios are side by side in one run. The child processes
import their own ``app``; this script is the driver for both.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ("first", "register", "analyse", "history", "appeal", "moved")


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p * (len(xs) - 1))))]


def child(args: argparse.Namespace) -> None:
    """One way's round: import the app from args.code, register and read, print the timings as JSON."""
    sys.path.insert(0, str(Path(args.code).resolve()))
    sys.path.insert(1, str(ROOT / "bench"))
    from sqlalchemy import event, func, select

    from app.config import load_settings
    from app.demo.history import MATTERS
    from app.domain.clock import FixedClock
    from app.models import Complaint, User
    from app.services.accounts.users import viewer_of
    from app.services.bootstrap import build_runtime
    from app.services.branches import appeals
    from app.services.complaints.register import register_complaint
    from app.services.tasks.workspace import customer_history
    from app.services.text_intelligence import intake
    from app.services.text_intelligence.settings import text_settings
    from app.domain.appeal_admissibility import decide
    from reports import NOW

    r = random.Random(args.seed)
    clock = FixedClock(NOW + timedelta(minutes=args.minute))
    rt = build_runtime(load_settings(Path(args.code) / "instance", {"DATABASE_URL": args.db}), clock=clock)
    sql: dict[str, list[float]] = {}
    if args.sql:
        engine = rt.db.engine

        @event.listens_for(engine, "before_cursor_execute")
        def _before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
            conn.info["t0"] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def _after(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
            sql.setdefault(" ".join(statement.split())[:220], []).append(time.perf_counter() - conn.info["t0"])

    with rt.db.read() as s:
        agents = [viewer_of(u) for u in s.scalars(select(User)) if "agent" in viewer_of(u).groups]
        top = s.scalar(select(func.max(Complaint.id))) or 1
        phones: list[str] = []
        while len(phones) < args.n:  # customers who complained before: random ids, the gaps skipped
            phone = s.scalar(select(Complaint.customer_phone).where(Complaint.id == r.randrange(1, top + 1)))
            if phone:
                phones.append(phone)
    matters = [m for ms in MATTERS.values() for m in ms]
    cats = list(MATTERS)

    def payload(i: int) -> dict:
        phone = phones[i] if i % 2 == 0 else f"139{r.randrange(10**8):08d}"
        return {
            "customer_name": "测试客户",
            "customer_phone": phone,
            "channel": "phone",
            "matter": r.choice(matters),
            "received_at": clock.now().isoformat(),
        }

    times: dict[str, list[float]] = {c: [] for c in CASES}

    def timed(case: str, fn, *a) -> None:  # noqa: ANN001
        t0 = time.perf_counter()
        fn(*a)
        times[case].append((time.perf_counter() - t0) * 1000)

    prof = None
    agent = agents[0]
    timed("first", lambda: register_complaint(rt, agent, payload(0)))
    if args.sql:
        sql.clear()
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    score = text_settings(rt).repeat_score
    reply_days = 15
    for i in range(args.n):
        clock.set(clock.now() + timedelta(minutes=1))
        data = payload(i)
        timed("register", register_complaint, rt, r.choice(agents), data)
        timed("analyse", lambda phone: intake.analyse(rt, agent, r.choice(matters), phone, via="bench"), phones[i])
        timed("history", lambda phone: customer_history(rt, agent, phone, of_worked=True), phones[i])

        def appeal(phone: str) -> None:
            with rt.db.read() as s:
                earlier = appeals._earlier_complaints(s, rt, {"customer_phone": phone}, clock.now(), reply_days)
            matter = r.choice(matters)
            same = getattr(appeals, "_similarity_among", None)  # the code before this session's change has none
            decide(
                earlier,
                category=r.choice(cats),
                matter=matter,
                received=clock.now(),
                same_text=same(matter, earlier) if same else appeals._similarity,
                min_score=score,
            )

        timed("appeal", appeal, phones[i])
    if prof is not None:
        prof.disable()
        prof.dump_stats(args.profile)
    plans: list[str] = []
    if args.explain:  # every statement of one more registration and its reads, explained on this database
        seen: list[tuple[str, object]] = []

        def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
            if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH", "UPDATE", "DELETE")):
                seen.append((statement, parameters))

        event.listen(rt.db.engine, "before_cursor_execute", record)
        register_complaint(rt, agent, payload(0))
        intake.analyse(rt, agent, r.choice(matters), phones[0], via="bench")
        customer_history(rt, agent, phones[0], of_worked=True)
        event.remove(rt.db.engine, "before_cursor_execute", record)
        postgresql = rt.db.engine.dialect.name == "postgresql"
        with rt.db.engine.connect() as conn:
            for statement, params in seen:
                # EXPLAIN ANALYZE runs the statement: its rows are read, never kept (rolled back below)
                how = "EXPLAIN (ANALYZE, BUFFERS) " if postgresql else "EXPLAIN QUERY PLAN "
                lines = [row[-1] for row in conn.exec_driver_sql(how + statement, params)]
                total = next((x for x in lines if x.startswith("Execution Time")), "")
                scans = [x.strip() for x in lines if "Seq Scan" in x or x.startswith("SCAN")]
                plans.append(f"{' '.join(statement.split())[:150]} | {total} | scans: {scans or 'none'}")
            conn.rollback()
    # a month later (as a long-running worker sees it): the similar window has moved on past REBUILD_AFTER
    clock.set(clock.now() + timedelta(days=31))
    timed("moved", register_complaint, rt, agent, payload(1))
    out = {"times": times, "sql": {k: [len(v), sum(v) * 1000, max(v) * 1000] for k, v in sql.items()}, "plans": plans}
    print("RESULT " + json.dumps(out), flush=True)
    rt.db.engine.dispose()


def run_way(code: Path, args: argparse.Namespace, minute: int, seed: int) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        "--code",
        str(code),
        "--db",
        args.db,
        "--n",
        str(args.n),
        "--minute",
        str(minute),
        "--seed",
        str(seed),
    ]
    if args.sql:
        cmd.append("--sql")
    if args.explain:
        cmd.append("--explain")
    if args.profile:
        cmd += ["--profile", f"{args.profile}.{code.name}.{minute}"]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=code)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"the run with {code} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
    return json.loads(line[7:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--n", type=int, default=30, help="registrations per round and way")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--before", help="a git ref whose code runs beside this checkout's, alternating")
    ap.add_argument("--sql", action="store_true", help="also print the statements' total time")
    ap.add_argument("--profile", help="cProfile output path prefix (one file per way and round)")
    ap.add_argument(
        "--explain",
        action="store_true",
        help="explain every statement of one more registration (ANALYZE on PostgreSQL)",
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--code", default=str(ROOT), help=argparse.SUPPRESS)
    ap.add_argument("--minute", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    ways: list[tuple[str, Path]] = []
    if args.before:
        before = Path(f"/tmp/registration-before-{os.getpid()}")
        subprocess.run(["git", "worktree", "add", "--detach", str(before), args.before], cwd=ROOT, check=True)
        ways.append(("before " + args.before, before))
    ways.append(("this checkout", ROOT))
    print(f"{args.db}: {args.n} registrations per round and way, load average {os.getloadavg()[0]:.1f}", flush=True)
    results: dict[str, dict[str, list[float]]] = {name: {c: [] for c in CASES} for name, _ in ways}
    sql: dict[str, dict[str, list[float]]] = {name: {} for name, _ in ways}
    minute = int(time.time() // 60) % 1000  # a new stretch of the clock each run, within a day of the history
    try:
        for rnd in range(args.rounds):
            for name, code in ways:
                minute += args.n + 5
                got = run_way(code, args, minute, seed=rnd * 7 + 1)
                for c in CASES:
                    results[name][c] += got["times"][c]
                for line in got["plans"]:
                    print(f"plan, {name}: {line}", flush=True)
                for k, (n, total, mx) in got["sql"].items():
                    acc = sql[name].setdefault(k, [0, 0.0, 0.0])
                    acc[0] += n
                    acc[1] += total
                    acc[2] = max(acc[2], mx)
                print(
                    f"round {rnd + 1} {name}: register p50 {statistics.median(got['times']['register']):.1f} ms, "
                    f"first {got['times']['first'][0]:.0f} ms, load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    finally:
        if args.before:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, check=False)
    print("\n| case | way | calls | p50 ms | p95 ms | max ms |\n| --- | --- | ---: | ---: | ---: | ---: |")
    for c in CASES:
        for name, _ in ways:
            xs = results[name][c]
            print(f"| {c} | {name} | {len(xs)} | {_pct(xs, 0.5):.1f} | {_pct(xs, 0.95):.1f} | {max(xs):.1f} |")
    if args.before:
        print()
        for c in CASES:
            a, b = results[ways[0][0]][c], results[ways[1][0]][c]
            print(
                f"{c}: p50 {_pct(a, 0.5) / max(_pct(b, 0.5), 1e-9):.1f}x, p95 {_pct(a, 0.95) / max(_pct(b, 0.95), 1e-9):.1f}x"
            )
    if args.sql:
        for name, _ in ways:
            print(f"\nstatements, {name} (after the first registration): calls, total ms, max ms")
            for k, (n, total, mx) in sorted(sql[name].items(), key=lambda kv: -kv[1][1])[:15]:
                print(f"{n:6d} {total:9.1f} {mx:8.1f}  {k}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
