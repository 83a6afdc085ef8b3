"""Load on PostgreSQL: requests/s and p50/p99 for complete-task and the inbox with 1, 2 and 4 app processes.

    python bench/load.py [--write-docs]

Makes a fresh database on the PostgreSQL of COMPLAINTFLOW_TEST_PG_URL (default: the local one),
deploys bench/eight_tasks.bpmn (eight user tasks, no forms: the cost measured is the app's, not a
form's), seeds ready tasks for the inbox, then for each worker count starts gunicorn
(config/gunicorn.conf.py, sync workers) and drives it from client processes (so the client's GIL
is not the limit) for a fixed time per operation:
- complete-task: each client thread starts an instance and completes its tasks one after another
  (POST /api/v1/tasks/{id}/complete), timing every completion;
- inbox: GET /api/v1/tasks?limit=50 as an agent who sees every seeded task.
Clients run on the same machine as the server and PostgreSQL; on a 2-core machine they compete
for the same cores, which is part of what the figures show. --write-docs puts the table under
"## Load on PostgreSQL" in docs/performance.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cluster import AppProcess, free_port  # noqa: E402

MODEL = ROOT / "bench" / "eight_tasks.bpmn"
DOCS = ROOT / "docs" / "performance.md"
HEADING = "## Load on PostgreSQL"
WORKERS = (1, 2, 4)


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]


def _call(conn: http.client.HTTPConnection, method: str, path: str, token: str, body=None):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = conn.getresponse()
    payload = r.read()
    return r.status, (json.loads(payload) if payload else None)


def _client(args) -> tuple[list[float], int]:
    """One client process: `threads` threads doing `op` against the port until the end time."""
    op, port, token, threads, until = args
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def complete_tasks():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        while time.time() < until:
            status, inst = _call(
                conn, "POST", "/api/v1/process-instances", token, {"process_id": "eight_tasks", "data": {}}
            )
            if status != 201:
                errors[0] += 1
                continue
            task = inst["ready_tasks"][0]
            while task is not None and time.time() < until:
                t0 = time.perf_counter()
                status, body = _call(
                    conn, "POST", f"/api/v1/tasks/{task['id']}/complete", token, {"data": {"ok": True}}
                )
                mine.append(time.perf_counter() - t0)
                if status != 200:
                    errors[0] += 1
                    break
                task = body["next_tasks"][0] if body["next_tasks"] else None
        with lock:
            latencies.extend(mine)

    def read_inbox():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        while time.time() < until:
            t0 = time.perf_counter()
            status, _ = _call(conn, "GET", "/api/v1/tasks?limit=50", token)
            mine.append(time.perf_counter() - t0)
            if status != 200:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    target = complete_tasks if op == "complete" else read_inbox
    pool = [threading.Thread(target=target) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latencies, errors[0]


def measure(op: str, port: int, token: str, concurrency: int, seconds: float) -> dict:
    """Drive one operation with `concurrency` clients spread over two client processes."""
    processes = 2 if concurrency > 1 else 1
    per = [concurrency // processes + (1 if i < concurrency % processes else 0) for i in range(processes)]
    start = time.time()
    until = start + seconds
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.map(_client, [(op, port, token, n, until) for n in per])
    elapsed = max(time.time() - start, seconds)
    latencies = sorted(x for lat, _ in results for x in lat)
    return {
        "requests": len(latencies),
        "per_s": len(latencies) / elapsed,
        "errors": sum(e for _, e in results),
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
    }


def prepare(url: str, seed: int) -> str:
    """Migrate, create the bench user, deploy the model and seed `seed` instances with a ready task."""
    from app import create_app
    from app.migrate import upgrade
    from app.services.accounts.users import create_user, ensure_groups, issue_token, viewer_by_id
    from app.services.process_models.deployment import deploy_model
    from app.domain.actors import Actor
    from app.services.instances.store import start_instance

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TOKEN_TTL_HOURS": 24})
    rt = app.extensions["complaintflow"]
    upgrade(rt.db)
    ensure_groups(rt)
    uid = create_user(rt, "bench", "bench-password", "Bench", ["agent"])
    deploy_model(rt, {MODEL.name: MODEL.read_bytes()}, user_id=uid)
    for _ in range(seed):
        start_instance(rt, "eight_tasks", {}, Actor(uid, "bench"))
    token = issue_token(rt, viewer_by_id(rt, uid))["token"]
    rt.db.dispose()
    return token


def _database(base: str) -> tuple[str, callable]:
    from sqlalchemy import create_engine, text

    name = f"cf_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.rsplit("/", 1)[0] + "/" + name, drop


def run(base_url: str, seconds: float, seed: int) -> list[dict]:
    url, drop = _database(base_url)
    rows = []
    try:
        token = prepare(url, seed)
        env = {
            **os.environ,
            "COMPLAINTFLOW_DATABASE_URL": url,
            "COMPLAINTFLOW_SECRET_KEY": "bench",
            "COMPLAINTFLOW_DB_POOL_SIZE": "2",
            "COMPLAINTFLOW_DB_MAX_OVERFLOW": "2",
            "COMPLAINTFLOW_LOG_LEVEL": "warning",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        for workers in WORKERS:
            log = Path(os.environ.get("TMPDIR", "/tmp")) / f"cf-load-{workers}.log"
            app = AppProcess({**env, "COMPLAINTFLOW_LOG_FORMAT": "text"}, log, free_port(), workers).start()
            try:
                app.wait_ready()
                concurrency = 2 * workers
                measure("complete", app.port, token, concurrency, 3)  # warm up: parse the model, fill pools
                complete = measure("complete", app.port, token, concurrency, seconds)
                inbox = measure("inbox", app.port, token, concurrency, seconds)
            finally:
                app.stop()
            rows.append({"workers": workers, "concurrency": concurrency, "complete": complete, "inbox": inbox})
            print(
                f"{workers} worker(s): complete {complete['per_s']:.1f}/s p50 {complete['p50_ms']:.1f} ms "
                f"p99 {complete['p99_ms']:.1f} ms; inbox {inbox['per_s']:.1f}/s p50 {inbox['p50_ms']:.1f} ms "
                f"p99 {inbox['p99_ms']:.1f} ms; errors {complete['errors'] + inbox['errors']}",
                flush=True,
            )
    finally:
        drop()
    return rows


def table(rows: list[dict], seconds: float, seed: int) -> str:
    base_c, base_i = rows[0]["complete"]["per_s"], rows[0]["inbox"]["per_s"]
    lines = [
        HEADING,
        "",
        f"`python bench/load.py --write-docs` ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, PostgreSQL "
        f"on the same machine, clients too). Sync gunicorn workers; 2 client threads per worker in two client "
        f"processes; {seconds:.0f} s per operation after a warm-up. complete-task: POST /api/v1/tasks/{{id}}/complete "
        f"on bench/eight_tasks.bpmn (no form), each client walking its own instances. inbox: GET /api/v1/tasks?limit=50 "
        f"for an agent who sees {seed}+ ready tasks.",
        "",
        "| app processes (workers) | complete-task req/s | p50 ms | p99 ms | scaling | inbox req/s | p50 ms | p99 ms | scaling |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        c, i = r["complete"], r["inbox"]
        lines.append(
            f"| {r['workers']} | {c['per_s']:.1f} | {c['p50_ms']:.1f} | {c['p99_ms']:.1f} | "
            f"{c['per_s'] / base_c:.2f}x | {i['per_s']:.1f} | {i['p50_ms']:.1f} | {i['p99_ms']:.1f} | "
            f"{i['per_s'] / base_i:.2f}x |"
        )
    lines += ["", "How it scales: " + scaling_note(rows), ""]
    return "\n".join(lines)


def scaling_note(rows: list[dict]) -> str:
    c = {r["workers"]: r["complete"]["per_s"] for r in rows}
    cores = os.cpu_count() or 1
    return (
        f"from 1 to 2 workers completions go {c[1]:.0f} -> {c[2]:.0f}/s ({c[2] / c[1]:.2f}x); from 2 to 4, "
        f"{c[2]:.0f} -> {c[4]:.0f}/s ({c[4] / c[2]:.2f}x). With {cores} cores shared by gunicorn, PostgreSQL and "
        f"the clients, throughput stops growing once the cores are busy: more workers then only queue (p99 "
        f"grows). Each completion is a short transaction on its own instance row, so across hosts it scales with "
        f"the app hosts' cores until PostgreSQL's CPU or commit rate is the limit; add hosts, not workers per core."
    )


def write_docs(section: str) -> None:
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Performance\n"
    if HEADING in text:
        start = text.index(HEADING)
        following = text.find("\n## ", start + len(HEADING))
        text = text[:start] + section.rstrip("\n") + ("\n" + text[following:] if following != -1 else "\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("COMPLAINTFLOW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", "15")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED", "1000")))
    parser.add_argument("--write-docs", action="store_true", help="write the table into docs/performance.md")
    args = parser.parse_args()
    rows = run(args.pg_url, args.seconds, args.seed)
    section = table(rows, args.seconds, args.seed)
    print()
    print(section)
    if args.write_docs:
        write_docs(section)
        print(f"written to {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
