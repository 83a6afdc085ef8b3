"""Claim, release or transfer several inbox tasks at once, each as its own use case.

Each task goes through the same service (and the same checks) as when it is acted on alone, in its
own transaction: a task someone else claimed meanwhile is refused and reported, and does not undo
the others a user ticked.
"""

from __future__ import annotations

from typing import Any

from ...errors import Conflict, Forbidden, Invalid, NotFound
from ..runtime import Runtime
from . import actions, work
from .work import Viewer

ACTIONS = ("claim", "release", "transfer")
MAX_TASKS = 50  # one inbox page


def bulk_act(
    rt: Runtime,
    viewer: Viewer,
    task_ids: list[str],
    action: str,
    *,
    to_group: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Apply one action to each task; {"done": [ids], "refused": [{"task_id", "code", "detail"}]}."""
    if action not in ACTIONS:
        raise Invalid(
            "unknown action",
            [{"field": "action", "message": f"one of {', '.join(ACTIONS)}", "code": "bulk.unknown_action"}],
        )
    ids = list(dict.fromkeys(i for i in task_ids if i))[: MAX_TASKS + 1]
    if not ids:
        raise Invalid(
            "no task chosen", [{"field": "task_ids", "message": "tick at least one task", "code": "bulk.none_chosen"}]
        )
    if len(ids) > MAX_TASKS:
        raise Invalid(
            "too many tasks",
            [
                {
                    "field": "task_ids",
                    "message": f"at most {MAX_TASKS} at once",
                    "code": "bulk.too_many",
                    "params": {"n": MAX_TASKS},
                }
            ],
        )
    if action == "transfer":
        reason = actions.require_text(reason)
        if not to_group:
            raise Invalid(
                "no target",
                [{"field": "to_group", "message": "choose the group to transfer to", "code": "bulk.no_target"}],
            )
    done, refused = [], []
    for task_id in ids:
        try:
            if action == "claim":
                work.claim_task(rt, viewer, task_id)
            elif action == "release":
                work.release_task(rt, viewer, task_id, reason or "")
            else:
                actions.transfer_task(rt, viewer, task_id, reason=reason, to_group=to_group)
        except (Conflict, Forbidden, Invalid, NotFound) as exc:
            code = type(exc).__name__.lower()
            detail = "; ".join(e["message"] for e in exc.errors) if isinstance(exc, Invalid) else str(exc.detail)
            # code is the refusal's kind; message_code and params name the words a page shows (app/errors.py)
            first = exc.errors[0] if isinstance(exc, Invalid) and exc.errors and not exc.code else {}
            refused.append(
                {
                    "task_id": task_id,
                    "code": code,
                    "detail": detail,
                    "message_code": exc.code or first.get("code"),
                    "params": exc.params or first.get("params") or {},
                    "status": exc.status,
                }
            )
        else:
            done.append(task_id)
    return {"done": done, "refused": refused}
