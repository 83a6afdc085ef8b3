"""The JSON API under /api/v1: bearer tokens, problem+json errors, an OpenAPI document."""

from __future__ import annotations

import re

import orjson
from flask import Blueprint, current_app, g, jsonify, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, PathConverter

from ..errors import Invalid, ServiceError, TooManyRequests, Unauthorized
from ..services.accounts import users as accounts
from ..services.runtime import Runtime
from ..domain.actors import Viewer

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class _Id(IntegerConverter):
    """<int:...> bounded by the database's integer columns: a larger id is no route (404), not a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


# Before any route of the app is added (this blueprint registers first), so pages get it too.
bp.record_once(lambda state: state.app.url_map.converters.__setitem__("int", _Id))

PUBLIC_ENDPOINTS = {"api.issue_token", "api.openapi"}


class StrictJsonProvider(DefaultJSONProvider):
    """Flask's JSON, written and read by orjson, and strict: NaN and Infinity in a body are refused (422).

    Python's parser accepts NaN and Infinity, but neither PostgreSQL's jsonb nor the instance
    state keeps them; orjson refuses them. What orjson reads differently from the standard library
    (an integer of 19 digits or more becomes a float) or cannot write (an integer beyond 64 bits)
    goes to Flask's own path, as does any call with options. The answers are the same JSON as
    Flask's (keys sorted, dates as HTTP dates), in UTF-8 rather than \\u escapes; orjson saves
    about 2 % of a completion's CPU.
    """

    _OPTIONS = (
        orjson.OPT_SORT_KEYS
        | orjson.OPT_NON_STR_KEYS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_DATACLASS
    )

    def loads(self, s, **kwargs):
        long_number = _LONG_NUMBER_TEXT if isinstance(s, str) else _LONG_NUMBER_BYTES
        if not kwargs and not long_number.search(s):
            try:
                value = orjson.loads(s)  # refuses lone surrogates, and nesting beyond 1,024 without recursing
            except orjson.JSONDecodeError:
                pass  # the standard library decides, as before: its error, or what only it reads
            else:
                # orjson refused lone surrogates; deeper than MAX_JSON_DEPTH needs more brackets than that
                if _brackets(s) > MAX_JSON_DEPTH:
                    check_json_value(value, surrogates=False)
                return value
        kwargs.setdefault("parse_constant", _refuse_constant)
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
        check_json_value(value)
        return value

    def dumps(self, obj, **kwargs):
        if not kwargs:
            try:
                return orjson.dumps(obj, default=self.default, option=self._OPTIONS).decode()
            except orjson.JSONEncodeError:
                pass
        return super().dumps(obj, **kwargs)

    def response(self, *args, **kwargs):
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)  # indented for people, as Flask does in debug
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = orjson.dumps(obj, default=self.default, option=self._OPTIONS | orjson.OPT_APPEND_NEWLINE)
        except orjson.JSONEncodeError:
            return super().response(*args, **kwargs)
        return self._app.response_class(body, mimetype=self.mimetype)


_LONG_NUMBER_BYTES, _LONG_NUMBER_TEXT = re.compile(rb"\d{19}"), re.compile(r"\d{19}")
MAX_JSON_DEPTH = 64  # nesting of a request body; task data itself may nest 32 levels


def _brackets(s: str | bytes) -> int:
    return s.count("[") + s.count("{") if isinstance(s, str) else s.count(b"[") + s.count(b"{")


def check_json_value(value, surrogates: bool = True) -> None:
    """Raise ValueError for JSON nested deeper than MAX_JSON_DEPTH or (with surrogates) a lone surrogate.

    Python's parser accepts "\\ud800" on its own; neither UTF-8 nor PostgreSQL can store it, and
    SQLite's driver fails encoding it: the request would end as a 500 after the work was done.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if surrogates and not item.isascii():
                _refuse_surrogates(item)
            continue
        if isinstance(item, dict):
            children = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        stack.extend((child, depth + 1) for child in children)


def _refuse_surrogates(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a string holds a lone surrogate (\\ud800-\\udfff), which is not text") from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


def runtime() -> Runtime:
    return current_app.extensions["complaintflow"]


def viewer() -> Viewer:
    return g.viewer


def problem(status: int, title: str, detail: str, **extra):
    body = {"type": "about:blank", "status": status, "title": title, "detail": detail, **extra}
    if g.get("request_id"):
        body["request_id"] = g.request_id  # quote it to operations: the logs carry the same id
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def optional_json_body() -> dict:
    """The request's JSON object when a body was sent, {} when none; a 422 for any other body."""
    return json_body() if request.get_data(cache=True).strip() else {}


def json_body() -> dict:
    """The request's JSON object, or a 422 naming what is wrong with it."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        reason = "send a JSON object with Content-Type: application/json"
        if data is None and request.is_json:
            try:
                current_app.json.loads(request.get_data(cache=True))
            except ValueError as exc:  # why it was refused: nesting, a lone surrogate, bad syntax
                reason = f"{reason} ({str(exc)[:300]})"
        raise Invalid("the body must be a JSON object", [{"field": "", "message": reason}])
    return data


@bp.before_request
def authenticate():
    rt = runtime()
    g.viewer = None  # the pages' viewer hook leaves API calls alone (web/access.py)
    # The token's lookup and the use case's plain reads share one pooled connection (app/db.py).
    g.cf_kept_plain = rt.db.keep_plain()
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return problem(401, "Unauthorized", "send Authorization: Bearer <token> (POST /api/v1/auth/token)")
    g.viewer = accounts.viewer_for_token(rt, header[7:].strip())
    return None


@bp.teardown_request
def _release_connection(_exc) -> None:
    kept = g.pop("cf_kept_plain", None)
    if kept is not None:
        runtime().db.release_plain(kept)


@bp.errorhandler(ServiceError)
def service_error(exc: ServiceError):
    extra = dict(exc.extra)
    if exc.code:
        extra["code"] = exc.code
    if isinstance(exc, Invalid):
        extra["errors"] = exc.errors
    response = problem(exc.status, exc.title, exc.detail, **extra)
    if isinstance(exc, Unauthorized):
        response.headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.extra.get("retry_after", 60))
    return response


@bp.errorhandler(OperationalError)
@bp.errorhandler(DBAPIError)
def database_down(exc):
    if not exc.connection_invalidated and not isinstance(exc, (OperationalError, InterfaceError)):
        current_app.logger.exception("database error")
        return problem(500, "Internal error", "a database error occurred")
    response = problem(503, "Service unavailable", "the database is not reachable; retry shortly")
    response.headers["Retry-After"] = "2"
    return response


@bp.errorhandler(OverflowError)
@bp.errorhandler(DataError)
def number_out_of_range(exc):
    """A value that does not fit the database's column (a huge integer): the client's input, not a fault."""
    return problem(
        422,
        "Unprocessable content",
        "a value is out of range for its field",
        errors=[{"field": "", "message": str(getattr(exc, "orig", exc)).splitlines()[0][:200]}],
    )


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if exc.code == 413:
        return problem(
            413, exc.name, f"the body is larger than {current_app.config['MAX_UPLOAD_MB']} MB (MAX_UPLOAD_MB)"
        )
    return problem(exc.code or 500, exc.name, exc.description or exc.name)


def api_not_found(path: str = ""):
    return problem(404, "Not Found", f"no API route {request.path}")


class _AnyPath(PathConverter):
    """Like path, but also across control characters (a %0A in a path): every miss under /api/v1 is problem+json."""

    regex = r"[\s\S]*?"
    part_isolating = False  # werkzeug guesses from a "/" in the regex; this one spans segments


def _miss(exc: HTTPException):
    """404/405 outside any route (an id too large for <int:>): problem+json under /api/, else the pages' handler."""
    if request.path.startswith(bp.url_prefix + "/"):
        return problem(exc.code, exc.name, exc.description or exc.name)
    pages = current_app.error_handler_spec[None][None].get(HTTPException)
    return pages(exc) if pages is not None else exc


def _register_misses(state) -> None:
    state.app.url_map.converters.setdefault("anypath", _AnyPath)
    state.app.register_error_handler(404, _miss)
    state.app.register_error_handler(405, _miss)


bp.record_once(_register_misses)
bp.add_url_rule("/<anypath:path>", "not_found", api_not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])

from . import auth, calendar, complaints, instances, openapi, process_models, sla, task_actions, tasks  # noqa: E402,F401  (routes register on bp)
from . import reports  # noqa: E402,F401  (managers: search, audit view, dashboard)
from . import branches  # noqa: E402,F401  (outages, appeals, the outbox, evidence)
from . import text_intelligence  # noqa: E402,F401  (suggestions, similar complaints, bursts, topics, history)
from . import improvement  # noqa: E402,F401  (improvement actions: 整改 with an owner, a due date, an evaluation)
