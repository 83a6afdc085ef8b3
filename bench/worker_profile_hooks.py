"""Gunicorn hooks for bench/worker_profile.py: a cProfile of each request in a worker, once a sentinel file exists.

    gunicorn -c bench/worker_profile_hooks.py ...   (WORKER_PROFILE_DIR: where the sentinel and the .prof files are)

pre_request/post_request bracket the app's WSGI call and the writing of the answer; gunicorn's reading
and parsing of the request is outside (bench/worker_profile.py reports the worker's whole CPU beside it).
The cyclic garbage collector's passes are timed apart (CPU seconds per generation, from gc.callbacks):
they land on whichever function allocated, and a worker with a large heap pays more for the full ones.
With WORKER_PROFILE=off only the collector is timed (the CPU per instance is then unprofiled). With
WORKER_PROFILE=sample a CPU timer (setitimer ITIMER_PROF, every 0.5 ms of the process's CPU) samples the
stack instead: almost no overhead, and C work (SQLite, zlib, sockets) weighs what it costs, which
cProfile's per-call overhead hides by inflating pure-Python code more.
"""

import cProfile
import gc
import json
import os
import signal
import time
from collections import Counter

_dir = os.environ["WORKER_PROFILE_DIR"]
_mode = os.environ.get("WORKER_PROFILE", "on")
_profiling = _mode == "on"
_samples: Counter = Counter()  # (file, line, function) -> samples with it on the stack (each counted once)
_leaves: Counter = Counter()  # the innermost Python frame of each sample
_profile = cProfile.Profile(time.thread_time)  # CPU, not wall: waiting for a core is not the request's cost
_state = {"now": False, "gc_started": 0.0}
_gc = {"seconds": [0.0, 0.0, 0.0], "passes": [0, 0, 0]}


def _time_gc(phase, info):
    if not _state["now"]:
        return
    if phase == "start":
        _state["gc_started"] = time.thread_time()
    else:
        _gc["seconds"][info["generation"]] += time.thread_time() - _state["gc_started"]
        _gc["passes"][info["generation"]] += 1


def _sample(_signum, frame):
    if not _state["now"]:
        return
    seen = set()
    _leaves[(frame.f_code.co_filename, frame.f_code.co_firstlineno, frame.f_code.co_name)] += 1
    while frame is not None:
        key = (frame.f_code.co_filename, frame.f_code.co_firstlineno, frame.f_code.co_name)
        if key not in seen:
            seen.add(key)
            _samples[key] += 1
        frame = frame.f_back
    _samples[("", 0, "<all>")] += 1


def post_worker_init(worker):
    gc.callbacks.append(_time_gc)
    if _mode == "sample":
        signal.signal(signal.SIGPROF, _sample)
        signal.setitimer(signal.ITIMER_PROF, 0.0005, 0.0005)
    elif _mode == "wall":  # where the worker's time goes, waiting included (accept, locks, fsync)
        signal.signal(signal.SIGALRM, _sample)
        signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)


def pre_request(worker, req):
    if os.path.exists(os.path.join(_dir, "on")):
        _state["now"] = True
        if _profiling:
            _profile.enable()


def post_request(worker, req, environ, resp):
    if _state["now"] and _mode not in (
        "sample",
        "wall",
    ):  # sampling goes on between requests: gunicorn's own work counts
        if _profiling:
            _profile.disable()
        _state["now"] = False


def worker_exit(server, worker):
    if _profiling:
        _profile.dump_stats(os.path.join(_dir, f"worker-{os.getpid()}.prof"))
    with open(os.path.join(_dir, f"gc-{os.getpid()}.json"), "w") as f:
        json.dump(_gc | {"objects": len(gc.get_objects()), "frozen": gc.get_freeze_count()}, f)
    if _mode in ("sample", "wall"):
        signal.setitimer(signal.ITIMER_PROF if _mode == "sample" else signal.ITIMER_REAL, 0, 0)
        with open(os.path.join(_dir, f"samples-{os.getpid()}.json"), "w") as f:
            json.dump(
                {"stack": [[*k, v] for k, v in _samples.items()], "leaf": [[*k, v] for k, v in _leaves.items()]}, f
            )
