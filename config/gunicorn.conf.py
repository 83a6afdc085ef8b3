"""Gunicorn settings for complaintflow's app processes (docs/deploy.md).

    gunicorn -c config/gunicorn.conf.py app.wsgi:app

Every value comes from the environment, so one file serves every host:
  COMPLAINTFLOW_BIND            address:port to listen on (default 0.0.0.0:8000)
  COMPLAINTFLOW_WORKERS         worker processes (default: 2 per core; WEB_CONCURRENCY works too)
  COMPLAINTFLOW_THREADS         threads per worker (default 1: sync workers; >1 switches to gthread)
  COMPLAINTFLOW_WORKER_TIMEOUT  seconds a request may take before its worker is replaced (default 30)
  COMPLAINTFLOW_FORWARDED_ALLOW_IPS  the load balancers' addresses, trusted for X-Forwarded-* (default 127.0.0.1)
  COMPLAINTFLOW_LOG_FORMAT      json (one object a line, with the request id) or text (default text)
  COMPLAINTFLOW_LOG_LEVEL       debug, info, warning... (default info)
  COMPLAINTFLOW_CONTROL_SOCKET  the gunicornc control socket (default: one per bind address in
                                $XDG_RUNTIME_DIR or /tmp/complaintflow-<uid>/; "off" disables it)
  PROMETHEUS_MULTIPROC_DIR      a directory private to this host's complaintflow processes: /metrics then
                                adds up every worker (and a scheduler process that shares it)
The app's own settings (COMPLAINTFLOW_DATABASE_URL, COMPLAINTFLOW_SECRET_KEY...) are read by create_app.
"""

import glob
import logging
import os
import re
import tempfile

_env = os.environ.get

bind = _env("COMPLAINTFLOW_BIND", "0.0.0.0:8000")
workers = int(_env("COMPLAINTFLOW_WORKERS") or _env("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
threads = int(_env("COMPLAINTFLOW_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(_env("COMPLAINTFLOW_WORKER_TIMEOUT", "30"))
graceful_timeout = 30  # SIGTERM: requests in flight finish (a deploy drains a host this way)
keepalive = 75  # gthread only: longer than a load balancer's usual 60 s idle timeout
max_requests = 20000  # recycle workers now and then: a slow leak never takes a host down
max_requests_jitter = 2000
forwarded_allow_ips = _env("COMPLAINTFLOW_FORWARDED_ALLOW_IPS", "127.0.0.1")
preload_app = False  # each worker opens its own database pool after the fork
accesslog = "-"
errorlog = "-"
loglevel = _env("COMPLAINTFLOW_LOG_LEVEL", "info")
proc_name = "complaintflow"


def _control_socket_path() -> str:
    """One control socket per bind address: gunicorn's default ($HOME/.gunicorn/gunicorn.ctl) is one path per
    user, so a second instance on the same host (another port, a test run) would take the first one's socket."""
    base = _env("XDG_RUNTIME_DIR") or os.path.join(tempfile.gettempdir(), f"complaintflow-{os.getuid()}")
    return os.path.join(base, "gunicorn-" + re.sub(r"[^A-Za-z0-9.]+", "_", bind) + ".ctl")


_control = _env("COMPLAINTFLOW_CONTROL_SOCKET", "")
if _control == "off":
    control_socket_disable = True
else:
    control_socket = _control or _control_socket_path()

if _env("COMPLAINTFLOW_LOG_FORMAT", "text") == "json":
    logger_class = "app.ops.logs.JsonAccessLogger"
    _json = {"()": "app.ops.logs.JsonFormatter"}
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": _json, "access": {"format": "%(message)s"}},
        "filters": {"request_id": {"()": "app.ops.logs.RequestIdFilter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            },
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        },
        "root": {"level": loglevel.upper(), "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
            **{name: {"level": "WARNING"} for name in ("spiff", "SpiffWorkflow", "apscheduler")},
        },
    }


def on_starting(server):
    """Prepare the metrics directory: keep files of live processes (a scheduler), drop the dead ones'."""
    path = _env("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        if workers > 1:
            server.log.warning("PROMETHEUS_MULTIPROC_DIR is not set: /metrics shows one worker's counters only")
        return
    os.makedirs(path, exist_ok=True)
    for name in glob.glob(os.path.join(path, "*.db")):
        pid = os.path.basename(name).rsplit("_", 1)[-1].split(".")[0]
        if pid.isdigit() and not _alive(int(pid)):
            os.remove(name)


def child_exit(server, worker):
    """A worker died or was recycled: its live gauges stop counting (its counters stay in the totals)."""
    if _env("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


logging.captureWarnings(True)
