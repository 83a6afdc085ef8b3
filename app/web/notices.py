"""The user's notices: a count in the top bar that the page polls, and the list.

Polling a small JSON endpoint, not server-sent events: the app runs on gunicorn's synchronous
workers (two on the reference machine), and every open event stream would hold one worker for as
long as the tab is open, so two open tabs would stop the app answering anyone. A poll every 30 s
costs one short indexed read.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from ..services.tasks import notices
from .access import login_required, runtime, viewer
from .i18n import N_, actor_name, event_label, local_time, t
from .labels import step_name

bp = Blueprint("notices", __name__, url_prefix="/notices")


def _in_words(item: dict) -> dict:
    """A notice as the page shows it: what happened, to which complaint and step, by whom, when."""
    kind = "task.assigned_to_me" if item["kind"] == N_("task.transferred") else item["kind"]
    return item | {
        "title": t(f"notice.{kind}"),
        "what": " · ".join(
            x
            for x in (
                item["number"],
                step_name(item["element_id"], item["step"]),
                item["actor_name"] or actor_name(item["actor"]),
            )
            if x
        ),
        "when": local_time(item["at"], "MM-dd HH:mm"),
        "url": url_for("tasks.show", task_id=item["task_id"]) if item["open"] and item["task_id"] else None,
        "event": event_label(item["kind"]),
    }


@bp.get("")
@login_required
def index():
    """The notices of the last days, unread ones marked."""
    data = notices.list_notices(runtime(), viewer())
    return render_template("notices/index.html", items=[_in_words(i) for i in data["items"]], unread=data["unread"])


@bp.get("/latest")
@login_required
def latest():
    """The unread count and the newest unread notices, for the top bar's poll."""
    data = notices.list_notices(runtime(), viewer())
    unread = [_in_words(i) for i in data["items"] if i["unread"]][:5]
    return jsonify(
        {"unread": data["unread"], "items": [{k: i[k] for k in ("id", "title", "what", "when", "url")} for i in unread]}
    )


@bp.post("/read")
@login_required
def read():
    """Mark every notice up to the newest shown as read."""
    try:
        up_to = int(request.form.get("up_to", "0"))
    except ValueError:
        up_to = 0
    notices.mark_read(runtime(), viewer(), up_to)
    return redirect(url_for(".index"))
