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
from .i18n import actor_name, event_label, local_time, t
from .labels import step_name
from .reports import short_label

bp = Blueprint("notices", __name__, url_prefix="/notices")


def _staff_in_words(item: dict) -> dict:
    """A notice that is not about a task: an improvement action's clock, a baseline alert, a survey answer."""
    d = item.get("data") or {}
    if item["url_kind"] == "complaint":  # a survey answer: which survey, the answer; flagged when low
        what = " · ".join(
            x
            for x in (
                d.get("number"),
                t(f"notice.survey.kind.{d.get('kind')}"),
                t(f"notice.survey.answer.{d['satisfaction']}") if d.get("satisfaction") else "",
            )
            if x
        )
        url = url_for("complaints.show", complaint_id=int(item["ref"]))
    elif item["url_kind"] == "improvement_action":
        what = " · ".join(
            x for x in (d.get("title"), short_label("category", d.get("category")), d.get("due_date")) if x
        )
        url = url_for("improvement.show", action_id=int(item["ref"]))
    else:
        what = t(
            "notice.baseline_what",
            category=short_label("category", d.get("category")) or t("common.none"),
            day=d.get("day", ""),
            count=d.get("count", ""),
            baseline=d.get("baseline", ""),
        )
        url = url_for("improvement.periodicity", day=item["ref"])
    return item | {
        "title": t(f"notice.{item['kind']}"),
        "what": what,
        "when": local_time(item["at"], "%m-%d %H:%M"),
        "url": url,
        "event": t(f"notice.{item['kind']}"),
        "low": bool(d.get("low")),
    }


def _in_words(item: dict) -> dict:
    """A notice as the page shows it: what happened, to which complaint and step, by whom, when."""
    if item.get("url_kind"):
        return _staff_in_words(item)
    kind = "task.assigned_to_me" if item["kind"] == "task.transferred" else item["kind"]
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
        "when": local_time(item["at"], "%m-%d %H:%M"),
        "url": url_for("tasks.show", task_id=item["task_id"]) if item["open"] and item["task_id"] else None,
        "event": event_label(item["kind"]),
    }


@bp.get("")
@login_required
def index():
    """The notices of the last days, unread ones marked."""
    data = notices.list_notices(runtime(), viewer())
    return render_template(
        "notices/index.html",
        items=[_in_words(i) for i in data["items"]],
        unread=data["unread"],
        up_to=data["up_to"],
        up_to_staff=data["up_to_staff"],
    )


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
    marks = []
    for name in ("up_to", "up_to_staff"):
        try:
            marks.append(max(0, min(int(request.form.get(name, "0")), 2**31 - 1)))
        except ValueError:
            marks.append(0)
    notices.mark_read(runtime(), viewer(), *marks)
    return redirect(url_for(".index"))
