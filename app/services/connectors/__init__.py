"""Service task connectors: the calls behind app/domain/connectors.py's table, with retries and back-off."""

from __future__ import annotations

import importlib
import json
import logging
import time
import tomllib
import urllib.request
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

from sqlalchemy import func, select

from ...domain.connectors import CONNECTORS
from ...engine import ServiceCallFailed
from ...models import Complaint
from ..notifications.outbox import enqueue
from ..runtime import Runtime

log = logging.getLogger(__name__)
DEFAULT = Path(__file__).resolve().parents[3] / "config" / "connectors.toml"
MAX_ANSWER = 1024 * 1024


class ConnectorFailed(ServiceCallFailed):
    """A connector call that failed every attempt (or can never succeed): the step fails naming it."""


def settings(rt: Runtime) -> dict[str, Any]:
    path = Path(rt.settings.get("CONNECTORS_CONFIG") or DEFAULT)
    return tomllib.loads(path.read_text(encoding="utf-8"))


def call_connector(
    rt: Runtime,
    name: str,
    params: Mapping[str, Any],
    data: Mapping[str, Any],
    sleep: Callable[[float], None] = time.sleep,
) -> Any:
    """Call a registered connector, retrying with back-off; raise ConnectorFailed with what went wrong."""
    if name not in CONNECTORS:
        raise ConnectorFailed(f"connector '{name}' is not registered")
    problems = CONNECTORS[name].problems(set(params))
    if problems:
        raise ConnectorFailed("; ".join(problems))
    conf = settings(rt)
    attempts = max(1, int(conf.get("retry", {}).get("attempts", 3)))
    wait = float(conf.get("retry", {}).get("backoff_seconds", 0.5))
    for attempt in range(1, attempts + 1):
        try:
            return _CALLS[name](rt, conf, dict(params))
        except ConnectorFailed:
            raise  # refused before anything was sent: trying again cannot help
        except Exception as exc:  # noqa: BLE001 - a network or adapter failure: try again, then report
            log.warning("connector %s failed (attempt %d of %d): %s", name, attempt, attempts, exc)
            if attempt == attempts:
                raise ConnectorFailed(f"connector '{name}' failed {attempts} times: {exc}") from exc
            sleep(wait * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def _allowed(conf: Mapping[str, Any], url: Any) -> str:
    if not isinstance(url, str):
        raise ConnectorFailed("url must be text")
    parts = urlsplit(url)
    hosts = set(conf.get("http", {}).get("allowed_hosts", []))
    if parts.scheme not in ("http", "https") or parts.netloc not in hosts:
        raise ConnectorFailed(f"host '{parts.netloc}' is not in the allow-list of config/connectors.toml")
    return url


def _http(method: str):
    def call(rt: Runtime, conf, params):
        url = _allowed(conf, params["url"])
        body = json.dumps(params["body"]).encode() if method == "POST" and "body" in params else None
        headers = {
            "Accept": "application/json",
            **({"Content-Type": "application/json"} if body else {}),
            **{str(k): str(v) for k, v in dict(params.get("headers") or {}).items()},
        }
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=float(conf.get("http", {}).get("timeout_seconds", 5))) as answer:
            return json.loads(answer.read(MAX_ANSWER + 1)[:MAX_ANSWER] or b"null")

    return call


def _notify(channel: str):
    def call(rt: Runtime, conf, params):
        # the engine runs outside the instance's write: the outbox row is its own short write, keyed
        # so that the same step retried never queues the message twice
        key = f"connector:{channel}:{params['template']}:{params['to']}:{json.dumps(params.get('context'), sort_keys=True)}"
        with rt.db.write() as s:
            rows = enqueue(
                s,
                rt,
                str(params["template"]),
                key,
                rt.clock.now(),
                to={channel: str(params["to"])},
                extra=dict(params.get("context") or {}),
            )
        return {"queued": len(rows)}

    return call


def _customer(rt: Runtime, conf, params):
    adapter = conf.get("customer", {}).get("adapter") or ""
    if adapter:
        module, _, function = adapter.partition(":")
        return getattr(importlib.import_module(module), function)(rt, str(params["phone"]))
    with rt.db.read() as s:
        latest = s.scalars(
            select(Complaint)
            .where(Complaint.customer_phone == str(params["phone"]))
            .order_by(Complaint.id.desc())
            .limit(1)
        ).first()
        count = s.scalar(
            select(func.count()).select_from(Complaint).where(Complaint.customer_phone == str(params["phone"]))
        )
    if latest is None:
        return {"found": False, "phone": str(params["phone"])}
    return {
        "found": True,
        "phone": latest.customer_phone,
        "name": latest.customer_name,
        "email": latest.customer_email,
        "complaints": count,
    }


_CALLS = {
    "http/get": _http("GET"),
    "http/post": _http("POST"),
    "sms/send": _notify("sms"),
    "email/send": _notify("email"),
    "customer/lookup": _customer,
}
