"""The production web server: Granian serving ``app.wsgi:app`` (``complaintflow web``; docs/deploy.md).

Granian parses HTTP and keeps connections alive in Rust threads, so a worker's Python thread
spends its time in the app: measured side by side on bench/engine_vs_http.py, 10 % less CPU per
instance than gunicorn's sync worker and 13 to 23 % more instances per second (gunicorn 27's sync
worker closes every connection and waits for the client to close its side too).

Every value comes from the environment, so one unit file serves every host:
  COMPLAINTFLOW_BIND             address:port to listen on (default 0.0.0.0:8000)
  COMPLAINTFLOW_WORKERS          worker processes (default: 2 per core; WEB_CONCURRENCY works too)
  COMPLAINTFLOW_THREADS          Python threads per worker running requests (default 1)
  COMPLAINTFLOW_WORKER_LIFETIME  seconds before a worker is replaced, one at a time (default 86400;
                                 0 keeps workers): a slow leak never takes a host down
  COMPLAINTFLOW_WORKER_MAX_RSS   MiB of memory after which a worker is replaced (default 1024)
  COMPLAINTFLOW_LOG_FORMAT       json (one object a line, with the request id) or text (default text)
  COMPLAINTFLOW_LOG_LEVEL        debug, info, warning... (default info)
  COMPLAINTFLOW_ACCESS_LOG       one line per request on stdout (default on here, off elsewhere)
  PROMETHEUS_MULTIPROC_DIR       a directory private to this host's complaintflow processes: /metrics
                                 then adds up every worker (and a scheduler process that shares it)
The app's own settings (COMPLAINTFLOW_DATABASE_URL, COMPLAINTFLOW_SECRET_KEY, COMPLAINTFLOW_PROXY_HOPS...)
are read by create_app in each worker.

The app is not built in this process: workers are forked, and a database pool must not be.
"""
from __future__ import annotations

import glob
import logging
import os
from collections.abc import Mapping

LOG = logging.getLogger(__name__)

GRACEFUL_SECONDS = 30  # SIGTERM: requests in flight finish (a deploy drains a host this way)


def server_options(env: Mapping[str, str]) -> dict:
    """Granian's settings from the environment (a pure function: the tests read it)."""
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    host, _, port = env.get("COMPLAINTFLOW_BIND", "0.0.0.0:8000").rpartition(":")
    workers = int(env.get("COMPLAINTFLOW_WORKERS") or env.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
    lifetime = int(env.get("COMPLAINTFLOW_WORKER_LIFETIME", "86400"))
    level = env.get("COMPLAINTFLOW_LOG_LEVEL", "info").lower()
    return {
        "target": "app.wsgi:app",
        "interface": Interfaces.WSGI,
        "address": host.strip("[]") or "0.0.0.0",
        "port": int(port),
        "workers": workers,
        "blocking_threads": int(env.get("COMPLAINTFLOW_THREADS", "1")),
        "websockets": False,
        # Keep-alive outlives a load balancer's usual 60 s idle timeout; Granian holds idle
        # connections in its Rust runtime, not in a Python thread.
        "http1_settings": HTTP1Settings(keep_alive=True),
        "log_level": LogLevels(level),
        "log_dictconfig": _json_logging(level) if env.get("COMPLAINTFLOW_LOG_FORMAT", "text") == "json" else None,
        "log_access": False,  # the app writes the access log: it knows the request id and the route
        "respawn_failed_workers": True,
        "workers_lifetime": lifetime or None,
        "workers_max_rss": int(env.get("COMPLAINTFLOW_WORKER_MAX_RSS", "1024")) or None,
        "workers_kill_timeout": GRACEFUL_SECONDS,
    }


def _json_logging(level: str) -> dict:
    """Granian's own lines (start, stop, a worker's death) in the app's JSON format."""
    from .logs import QUIET

    formatter = {"()": "app.ops.logs.JsonFormatter"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"level": level.upper(), "handlers": ["console"]},
        "loggers": {"_granian": {"handlers": ["console"], "level": level.upper(), "propagate": False},
                    **{name: {"level": quiet} for name, quiet in QUIET.items()}},
    }


def prepare_metrics_dir(env: Mapping[str, str], workers: int) -> None:
    """Start the host's metrics afresh: drop the files of processes that are gone, keep live ones'."""
    path = env.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        if workers > 1:
            LOG.warning("PROMETHEUS_MULTIPROC_DIR is not set: /metrics shows one worker's counters only")
        return
    os.makedirs(path, exist_ok=True)
    for name in glob.glob(os.path.join(path, "*.db")):
        pid = os.path.basename(name).rsplit("_", 1)[-1].split(".")[0]
        if pid.isdigit() and not _alive(int(pid)):
            os.remove(name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serve() -> None:
    """Run Granian in the foreground until SIGTERM or SIGINT (SIGHUP replaces the workers)."""
    from granian.server import Server

    # An access log is a server's job: on unless said otherwise. Each worker reads it in create_app.
    os.environ.setdefault("COMPLAINTFLOW_ACCESS_LOG", "true")
    options = server_options(os.environ)
    prepare_metrics_dir(os.environ, options["workers"])
    Server(**options).serve()

