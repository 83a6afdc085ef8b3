"""The request layer alone, in process: this app's API call around a stubbed use case, beside bare Flask.

    python bench/request_layer.py                        # this tree: CPU µs per request, and bare Flask's
    python bench/request_layer.py --against /work/main   # and another checkout of the app, side by side
    python bench/request_layer.py --instructions [--against PATH]   # instructions per call (valgrind)

Each tree runs in a process of its own (``--child``) on a fresh SQLite file with the bench user and
bench/eight_tasks.bpmn deployed (bench/engine_vs_http.py's _prepare). The use cases behind the two
calls the bench's driver makes (start an instance, complete a task) are replaced by functions that
return a real answer captured once, so what is measured is everything else a call costs in the worker:
Flask's routing and contexts, the before-request hooks (request id, the pages' CSRF and session
viewer, the bearer token's lookup in the database), reading and checking the JSON body, the
idempotency wrapper, the answer's JSON, the after-request hooks (security headers, request id,
metrics) and teardown. The reference is bare Flask (the thin app's way: ``get_json`` and ``jsonify``)
answering the same body in the same child. Calls go straight to the WSGI callable (no test client,
no sockets). The parent gives the processes their turns alternately, ABBA, BENCH_ROUNDS rounds
(default 12) of BENCH_CALLS calls (default 1,500, a start for every eight completions), and prints
the median of each side's CPU µs per call (process time) with the median per-round ratio. On a
machine loaded by other work the times move by a fifth from round to round; --instructions counts the
instructions per call under valgrind's callgrind instead (only while the calls run; slow, but the
same figure at any load): the steadiest way to tell a change of a few µs. It also counts whole calls
(real instances, the use cases not stubbed), where sharing the request's connection shows.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def _child() -> None:
    root = Path.cwd()
    sys.path.insert(0, str(root))
    sys.path.insert(0, str(root / "bench"))
    tmp = Path(tempfile.mkdtemp(prefix="cf-layer-"))
    os.environ["COMPLAINTFLOW_DATABASE_URL"] = f"sqlite:///{tmp / 'app.db'}"
    os.environ["COMPLAINTFLOW_SECRET_KEY"] = "bench"
    from engine_vs_http import _prepare

    _prepare({**os.environ, "PYTHONPATH": str(root)})
    import flask
    from werkzeug.test import EnvironBuilder

    from app import create_app

    app = create_app()
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "bench", "password": "bench-password"}).get_json()
    auth = {"Authorization": f"Bearer {token['token']}"}
    start_body = {"process_id": "eight_tasks", "data": {}}
    started = client.post("/api/v1/process-instances", json=start_body, headers=auth).get_json()
    task_id = started["ready_tasks"][0]["id"]
    completed = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"ok": True}}, headers=auth).get_json()

    import app.api.instances as api_instances
    import app.api.tasks as api_tasks

    real = (
        api_tasks.tasks.complete_task,
        api_instances.instances.start_instance,
        api_instances.instances.describe_instance,
    )
    stubs = (lambda rt, viewer, tid, data: completed, lambda *a, **k: started["id"], lambda *a, **k: started)

    def use(fns) -> None:
        (
            api_tasks.tasks.complete_task,
            api_instances.instances.start_instance,
            api_instances.instances.describe_instance,
        ) = fns

    use(stubs)

    bare = flask.Flask("bare")

    @bare.post("/api/v1/process-instances")
    def bare_start():
        (flask.request.get_json() or {}).get("data")
        return flask.jsonify(started), 201

    @bare.post("/api/v1/tasks/<tid>/complete")
    def bare_complete(tid):
        (flask.request.get_json() or {}).get("data")
        return flask.jsonify(completed)

    def prepared(path: str, body: dict) -> tuple[dict, bytes]:
        headers = {**auth, "Content-Type": "application/json", "Host": "127.0.0.1:8000"}
        env = EnvironBuilder(path=path, method="POST", data=json.dumps(body), headers=headers).get_environ()
        return env, env["wsgi.input"].read()

    calls = [prepared("/api/v1/process-instances", start_body)] + [
        prepared(f"/api/v1/tasks/{task_id}/complete", {"data": {"ok": True}})
    ] * 8

    def start_response(status, headers, exc_info=None):
        return None

    def run(wsgi, n: int) -> float:
        began = time.process_time()
        for i in range(n):
            env, body = calls[i % 9]
            env = dict(env)
            env["wsgi.input"] = io.BytesIO(body)
            answer = wsgi(env, start_response)
            for _chunk in answer:
                pass
            answer.close()
        return (time.process_time() - began) / n * 1e6

    def whole(n: int) -> float:
        """n calls of whole instances, the use cases not stubbed: what a gunicorn worker's Flask does."""
        use(real)
        began = time.process_time()
        for _ in range(n // 9):
            env, body = calls[0]
            answer = _call(app, env, body, start_response)
            task = json.loads(answer)["ready_tasks"][0]["id"]
            for _step in range(8):
                env, body = prepared(f"/api/v1/tasks/{task}/complete", {"data": {"ok": True}})
                nxt = json.loads(_call(app, env, body, start_response))["next_tasks"]
                task = nxt[0]["id"] if nxt else None
        use(stubs)
        return (time.process_time() - began) / (n // 9 * 9) * 1e6

    run(app, 900), run(bare, 900), whole(90)  # warm up
    print("ready", flush=True)
    for line in sys.stdin:
        which, n = line.split()
        kinds = {"app": lambda k: run(app, k), "bare": lambda k: run(bare, k), "whole": whole}
        print(json.dumps(kinds[which](int(n))), flush=True)


def _call(wsgi, env: dict, body: bytes, start_response) -> bytes:
    env = dict(env)
    env["wsgi.input"] = io.BytesIO(body)
    answer = wsgi(env, start_response)
    try:
        return b"".join(answer)
    finally:
        answer.close()


class _Tree:
    def __init__(self, root: Path, valgrind: Path | None = None):
        self.root = root
        env = {**os.environ, "PYTHONPATH": str(root)}
        prefix = []
        if valgrind is not None:  # counted, not timed: instrumented only while a turn runs
            prefix = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={valgrind}"]
        self.proc = subprocess.Popen(
            prefix + [sys.executable, str(Path(__file__).resolve()), "--child"],
            cwd=root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        while self.proc.stdout.readline().strip() != "ready":
            if self.proc.poll() is not None:
                raise SystemExit(f"the child in {root} failed")

    def turn(self, n: int) -> list[float]:
        return [self.one("app", n), self.one("bare", n), self.one("whole", n)]

    def one(self, which: str, n: int) -> float:
        self.proc.stdin.write(f"{which} {n}\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def instructions(self, which: str, n: int, out: Path) -> float:
        """Instructions per call (valgrind's callgrind, counting only this turn)."""
        control = ["callgrind_control", str(self.proc.pid)]
        subprocess.run([*control[:1], "-i", "on", *control[1:]], check=True, capture_output=True)
        self.one(which, n)
        subprocess.run([*control[:1], "-i", "off", *control[1:]], check=True, capture_output=True)
        before = set(out.parent.glob(out.name + ".*"))
        subprocess.run([*control[:1], "-d", *control[1:]], check=True, capture_output=True)
        deadline = time.time() + 30
        while not (set(out.parent.glob(out.name + ".*")) - before) and time.time() < deadline:
            time.sleep(0.2)
        (dump,) = set(out.parent.glob(out.name + ".*")) - before
        return _self_cost(dump) / n

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(60)


def _self_cost(dump: Path) -> int:
    """The instructions a callgrind dump counts: every cost line but the inclusive ones after calls=."""
    total, inclusive = 0, False
    for line in dump.read_text().splitlines():
        if line.startswith("calls="):
            inclusive = True
        elif line[:1].isdigit() or line[:1] in "+-*":
            fields = line.split()
            if not inclusive and len(fields) > 1:
                total += int(fields[1])
            inclusive = False
    return total


def main() -> None:
    rounds = int(os.environ.get("BENCH_ROUNDS", "12"))
    n = int(os.environ.get("BENCH_CALLS", "1500"))
    other = Path(sys.argv[sys.argv.index("--against") + 1]).resolve() if "--against" in sys.argv else None
    if "--instructions" in sys.argv:
        _instructions([HERE] + ([other] if other else []), int(os.environ.get("BENCH_CALLS", "900")))
        return
    print(f"load average {os.getloadavg()[0]:.1f}; {rounds} rounds of {n} calls (1 start : 8 completions)")
    trees = [_Tree(HERE)] + ([_Tree(other)] if other else [])
    results: list[list[list[float]]] = [[] for _ in trees]
    try:
        for r in range(rounds):
            order = list(range(len(trees)))
            if (r % 4) in (1, 2):
                order.reverse()  # ABBA
            for i in order:
                results[i].append(trees[i].turn(n))
    finally:
        for t in trees:
            t.close()
    names = [f"this tree ({HERE})"] + ([f"other ({other})"] if other else [])
    print("| tree | this app µs per call, use cases stubbed | bare Flask | layer's extra | whole calls |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, rows in zip(names, results):
        app_us, bare_us, whole_us = (statistics.median(r[k] for r in rows) for k in range(3))
        print(f"| {name} | {app_us:.1f} | {bare_us:.1f} | {app_us - bare_us:+.1f} | {whole_us:.1f} |")
    if other:
        for k, what in ((0, "use cases stubbed"), (2, "whole calls")):
            ratios = [a[k] / b[k] for a, b in zip(results[0], results[1])]
            q = statistics.quantiles(ratios, n=4, method="inclusive")
            print(f"per-round ratio this tree / other, {what}: median {q[1]:.3f}, quartiles {q[0]:.3f}-{q[2]:.3f}")
    print(f"load average after {os.getloadavg()[0]:.1f}")


def _instructions(roots: list[Path], n: int) -> None:
    """Under valgrind (about a minute per tree to start): instructions per call, the same on any load."""
    print(f"{n} calls per count (1 start : 8 completions), instructions counted by valgrind's callgrind")
    print("| tree | this app, use cases stubbed | bare Flask | layer's extra | this app, whole calls |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for root in roots:
        out = Path(tempfile.mkdtemp(prefix="cf-callgrind-")) / "callgrind.out"
        tree = _Tree(root, valgrind=out)
        try:
            app_i, bare_i = tree.instructions("app", n, out), tree.instructions("bare", n, out)
            whole_i = tree.instructions("whole", n, out)
        finally:
            tree.close()
        print(f"| {root} | {app_i:,.0f} | {bare_i:,.0f} | {app_i - bare_i:+,.0f} | {whole_i:,.0f} |", flush=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child()
    else:
        main()
