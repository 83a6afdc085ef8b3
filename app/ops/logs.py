"""Structured logs: one JSON object a line, each carrying the id of the request it belongs to.

The request id lives in a context variable (set by ``app.ops.requests`` for each request), so any
logger anywhere in the request (a service, SQLAlchemy, the engine) stamps it without being passed
it. ``configure("json")`` puts the JSON formatter on the root logger; ``configure_access`` sends
the access log (``access``, one line a request, written by ``app.ops.tracing``) to stdout, as JSON
or as plain text. Granian, the web server, logs its own lines in the same format
(``app.ops.serving``).
"""
from __future__ import annotations

import contextvars
import json
import logging
import os
from datetime import datetime, timezone

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# Attributes every LogRecord has; anything else was passed with extra= and goes into the object.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}


class RequestIdFilter(logging.Filter):
    """Stamp the current request id on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            out["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in out and key != "request_id" and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


# Libraries that narrate every step at INFO (SpiffWorkflow logs each task state change, APScheduler
# each tick): at scale that is most of the log volume and a real share of the CPU.
QUIET = {"spiff": "WARNING", "SpiffWorkflow": "WARNING", "apscheduler": "WARNING"}


def configure(fmt: str, level: int = logging.INFO) -> None:
    """Send the root logger's records to stderr as JSON (fmt="json"); text leaves logging alone."""
    if fmt != "json":
        return
    for name, quiet in QUIET.items():  # also when Granian's config already set up the root logger
        logging.getLogger(name).setLevel(quiet)
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return  # Granian's logging config or an earlier app already did it
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root.handlers[:] = [handler]
    root.setLevel(level)


ACCESS = logging.getLogger("complaintflow.access")


def configure_access(fmt: str) -> None:
    """Write the access log to stdout: JSON objects (fmt="json") or one plain line a request."""
    if any(getattr(h, "_cf_access", False) for h in ACCESS.handlers):
        return  # an earlier app in this process did it
    import sys

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter("%(message)s"))
    handler._cf_access = True
    ACCESS.addHandler(handler)
    ACCESS.addFilter(RequestIdFilter())  # stamped when logged, whatever handler formats it later
    ACCESS.setLevel(logging.INFO)
    ACCESS.propagate = False  # the errors' log on stderr stays about errors


def access(method: str, path: str, query: str, status: int, size: int | None, seconds: float,
           remote: str | None, user_agent: str | None, route: str) -> None:
    """One finished request: its line in the access log (the request id comes from the context)."""
    ms = round(seconds * 1000, 2)
    if isinstance(ACCESS.handlers[0].formatter, JsonFormatter):
        ACCESS.info("request", extra={
            "method": method, "path": path, "query": query or None, "route": route, "status": status,
            "bytes": size, "duration_ms": ms, "remote": remote, "user_agent": user_agent, "pid": os.getpid()})
    else:
        ACCESS.info('%s "%s %s%s" %s %s %.2f ms %s', remote or "-", method, path, f"?{query}" if query else "",
                    status, size if size is not None else "-", ms, request_id.get() or "-")
