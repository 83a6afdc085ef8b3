"""Structured logs: one JSON object a line, each carrying the id of the request it belongs to.

The request id lives in a context variable (set by ``app.ops.requests`` for each request), so any
logger anywhere in the request (a service, SQLAlchemy, the engine) stamps it without being passed
it. ``configure("json")`` puts the JSON formatter on the root logger; gunicorn gets the same
formatter through ``config/gunicorn.conf.py`` and its access log through ``JsonAccessLogger``.
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
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return  # gunicorn's logconfig or an earlier app already did it
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(quiet)


try:  # gunicorn is only there when serving; the app runs without it (tests, CLI)
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object


class JsonAccessLogger(_GunicornLogger):
    """Gunicorn's logger with an access log of JSON lines (method, route, status, duration, request id)."""

    def access(self, resp, req, environ, request_time):
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict or self.cfg.syslog):
            return
        headers = dict((k.lower(), v) for k, v in (resp.headers or []))
        entry = {
            "ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "level": "info",
            "logger": "gunicorn.access",
            "msg": "request",
            "request_id": headers.get("x-request-id"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING") or None,
            "status": int(str(resp.status).split()[0]),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 2),
            "remote": environ.get("HTTP_X_FORWARDED_FOR") or environ.get("REMOTE_ADDR"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info(json.dumps(entry, ensure_ascii=False))
        except Exception:  # noqa: BLE001 - a log line must never fail a request
            self.error_log.exception("failed to write the access log")
