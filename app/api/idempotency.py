"""The Idempotency-Key header on POSTs that create: retries answer what the first request did.

A key is 1-255 visible ASCII characters, chosen by the client per intended effect (a UUID). The
same key with the same request answers the first answer again (header ``Idempotent-Replayed:
true``); the same key with a different request is refused (422). Keys belong to the signed-in
user and expire after IDEMPOTENCY_HOURS.
"""

from __future__ import annotations

import functools
import re
from typing import Callable

from flask import jsonify, make_response, request

from ..errors import Invalid
from ..services import idempotent_answers
from ..services.steps import idempotency as idem
from . import runtime, viewer

HEADER = "Idempotency-Key"
_SANE = re.compile(r"^[\x21-\x7e]{1,255}$")


def idempotent(resource_of: Callable[[dict], str] | None = None):
    """Make a POST view honour Idempotency-Key; resource_of names what it acts on from its path arguments."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(**kwargs):
            key = request.headers.get(HEADER)
            if key is None:
                return view(**kwargs)
            if not _SANE.match(key):
                raise Invalid(f"bad {HEADER}", [{"field": HEADER, "message": "1 to 255 visible ASCII characters"}])
            rt, v = runtime(), viewer()
            fp = idem.fingerprint(request.method, request.url_rule.rule, kwargs, request.get_data(cache=True))
            found = idem.lookup(rt, v.id, key)
            if found is not None:
                return _replay(rt, found, fp)
            pending = idem.Pending(
                v.id,
                key,
                fp,
                request.method,
                request.path,
                resource_of(kwargs) if resource_of else None,
                rt.clock.now(),
            )
            token = idem.begin(pending)
            try:
                rv = view(**kwargs)
            except Exception:
                # A twin request with this key may have committed meanwhile (this one then lost the
                # key's unique constraint, or found its task already done): answer what it did.
                found = _lookup_quietly(rt, v.id, key)
                if found is None:
                    raise
                return _replay(rt, found, fp)
            finally:
                idem.end(token)
            response = make_response(rv)
            if pending.row_id is not None:  # the effect committed with its key
                idem.store_answer(rt, pending, response.status_code, response.get_json(silent=True))
            return response

        return wrapped

    return decorate


def _lookup_quietly(rt, user_id: int, key: str):
    try:
        return idem.lookup(rt, user_id, key)
    except Exception:  # noqa: BLE001 - the database is away: the original error answers (503)
        return None


def _replay(rt, found: idem.Stored, fp: str):
    if found.fingerprint != fp:
        raise Invalid(
            f"this {HEADER} was used for a different request",
            [{"field": HEADER, "message": "already used with another method, path or body; use a new key"}],
        )
    if found.status_code is not None:
        body, status = found.response, found.status_code
    else:
        body, status = idempotent_answers.rebuild(rt, found.resource)
    response = jsonify(body)
    response.status_code = status
    response.headers["Idempotent-Replayed"] = "true"
    return response
