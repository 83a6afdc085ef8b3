"""Gunicorn hooks for bench/worker_profile.py: a cProfile of each request in a worker, once a sentinel file exists.

    gunicorn -c bench/worker_profile_hooks.py ...   (WORKER_PROFILE_DIR: where the sentinel and the .prof files are)

pre_request/post_request bracket the app's WSGI call and the writing of the answer; gunicorn's reading
and parsing of the request is outside (bench/worker_profile.py reports the worker's whole CPU beside it).
"""

import cProfile
import os
import time

_dir = os.environ["WORKER_PROFILE_DIR"]
_profile = cProfile.Profile(time.thread_time)  # CPU, not wall: waiting for a core is not the request's cost
_on = {"now": False}


def pre_request(worker, req):
    if os.path.exists(os.path.join(_dir, "on")):
        _on["now"] = True
        _profile.enable()


def post_request(worker, req, environ, resp):
    if _on["now"]:
        _profile.disable()
        _on["now"] = False


def worker_exit(server, worker):
    _profile.dump_stats(os.path.join(_dir, f"worker-{os.getpid()}.prof"))
