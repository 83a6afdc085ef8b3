"""Every request gets an id (X-Request-ID honoured when sane, else made), echoed and measured.

The id goes back in the X-Request-ID header and in problem+json bodies, into every log line of
the request (``app.ops.logs.request_id``), and gunicorn's JSON access log reads it from the
response. Latency and status are counted per route template, never per raw path.
"""

from __future__ import annotations

import re
import secrets
import time

from flask import Flask, g, request

from . import logs, metrics

# A proxy's or a client's id is kept if it is short and plain; anything else is replaced.
_SANE = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_end)


def _start() -> None:
    rid = request.headers.get("X-Request-ID", "")
    if not _SANE.match(rid):
        rid = secrets.token_hex(16)  # 32 hex digits like a UUID's, without building one (every request)
    g.request_id = rid
    g.cf_log_token = logs.request_id.set(rid)
    g.cf_started = time.perf_counter()


def _finish(response):
    rid = g.get("request_id")
    if rid:
        response.headers["X-Request-ID"] = rid
    started = g.get("cf_started")
    if started is not None:
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        metrics.observe_request(request.method, route, response.status_code, time.perf_counter() - started)
    return response


def _end(_exc) -> None:
    token = g.pop("cf_log_token", None)
    if token is not None:
        logs.request_id.reset(token)
