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
    rid = request.environ.get("HTTP_X_REQUEST_ID", "")  # the header X-Request-ID, as WSGI passes it
    if not _SANE.match(rid):
        rid = secrets.token_hex(16)  # 32 hex digits like a UUID's, without building one (every request)
    g.request_id = rid
    g.cf_trace = (logs.request_id.set(rid), time.perf_counter())  # one attribute: each costs a lookup


def _finish(response):
    trace = g.get("cf_trace")
    if trace is not None:
        response.headers["X-Request-ID"] = g.request_id
        rule = request.url_rule
        route = rule.rule if rule is not None else "unmatched"
        metrics.observe_request(request.method, route, response.status_code, time.perf_counter() - trace[1])
    return response


def _end(_exc) -> None:
    trace = g.pop("cf_trace", None)
    if trace is not None:
        logs.request_id.reset(trace[0])
