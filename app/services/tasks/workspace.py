"""What the workspace pages show, read in one place: a task with its complaint, history and helpers."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ...domain.coded_values import in_words, option_titles
from ...domain import metrics
from ...domain.metrics import previous_of
from ...domain.intake import complete_live_intake
from ...domain.personal_data import mask_name, mask_record
from ...engine.sandbox import render_instructions  # Jinja text, rendered only inside the sandbox
from ...errors import NotFound
from ...models import Complaint, HumanTask, ProcessInstance, User
from ..reporting import record as complaint_record
from ..accounts.visibility import visible_complaints
from ..audit.trail import record_access
from ..complaints import register as complaints, evidence
from ..instances import store as instances
from . import reply_templates, work as tasks
from ..runtime import Runtime
from ..runtime.flow_config import flow_rules
from ...domain.actors import Viewer

HISTORY_LIMIT = 10


def instructions_html(template_text: str | None, data: dict[str, Any]) -> tuple[str | None, bool]:
    """(text, is_html): rendered by the sandbox (values escaped), else the raw text to escape."""
    if not template_text:
        return None, False
    try:
        return render_instructions(template_text, data), True
    except Exception:  # noqa: BLE001 - a bad template must not break the page; show its text
        return template_text, False


_TITLES: dict[int, tuple[Any, dict[str, dict[str, str]]]] = {}  # per loaded version (immutable): id -> (model, titles)


def _titles(rt: Runtime, instance_id: int) -> dict[str, dict[str, str]]:
    """The option titles of the forms of the instance's version (instructions print codes in words)."""
    with rt.db.read() as s:
        version_id = s.scalar(select(ProcessInstance.process_version_id).where(ProcessInstance.id == instance_id))
    if version_id is None:
        return {}
    model = rt.model(version_id)
    cached = _TITLES.get(id(model))
    if cached is None or cached[0] is not model:
        schemas = []
        for text in model.forms.values():
            try:
                schemas.append(json.loads(text))
            except ValueError:
                continue
        cached = _TITLES[id(model)] = (model, option_titles(s for s in schemas if isinstance(s, dict)))
    return cached[1]


def customer_history(
    rt: Runtime,
    viewer: Viewer,
    phone: str | None,
    *,
    exclude_id: int | None = None,
    before: datetime | None = None,
    limit: int = HISTORY_LIMIT,
    prefix: bool = False,
    shown: bool = True,
    of_worked: bool = False,
) -> list[dict[str, Any]]:
    """The customer's other complaints (same phone, or phones starting so), newest first, those the viewer may see
    (the name masked unless shown).

    ``of_worked``: the viewer works a complaint of this customer, so every earlier complaint is listed (a dispatcher
    or handler weighs the customer's history too), each with ``may_open`` saying whether the viewer may open it."""
    if not phone:
        return []
    if prefix:  # a range, not LIKE: it uses the phone index on PostgreSQL too
        match = (Complaint.customer_phone >= phone) & (Complaint.customer_phone < phone + ":")
    else:
        match = Complaint.customer_phone == phone
    q = select(Complaint).where(match)
    if not of_worked:
        q = visible_complaints(q, viewer)
    if exclude_id is not None:
        q = q.where(Complaint.id != exclude_id)
    if before is not None:
        q = q.where(Complaint.created_at <= before)
    q = q.order_by(Complaint.created_at.desc()).limit(limit)
    with rt.db.read() as s:
        rows = list(s.scalars(q))
        ids = [c.id for c in rows]
        openable = (
            set(s.scalars(visible_complaints(select(Complaint.id), viewer).where(Complaint.id.in_(ids))))
            if of_worked and ids
            else set(ids)
        )
        return [
            {
                "id": c.id,
                "number": c.number,
                "may_open": c.id in openable,
                "customer_name": c.customer_name if shown else mask_name(c.customer_name),
                "created_at": c.created_at.isoformat(),
                "category": c.category,
                "severity": c.severity,
                "status": c.status,
                "current_step": c.current_step,
                "matter": c.matter[:80],
                "satisfaction": c.satisfaction,
            }
            for c in rows
        ]


def lookup_customer(rt: Runtime, viewer: Viewer, phone: str, via: str) -> list[dict[str, Any]]:
    """The customer's recent complaints by their complete phone (the registration form asks); logged."""
    items = customer_history(rt, viewer, phone, limit=5)
    record_access(rt, viewer, "customer.looked_up", via, detail={"phone": phone, "shown": [i["id"] for i in items]})
    return items


def is_repeat(rt: Runtime, complaint: dict[str, Any] | None, earlier: list[dict[str, Any]]) -> bool:
    """The workspace's hint, by the one definition the repeat rate counts (domain/metrics.is_repeat): the customer
    complained about the same category within the repeat window (config/flow.toml) before, or it was reopened.

    ``complaint`` has created_at, category and reopen_count (a complaint being registered: its category, if chosen).
    """
    if not complaint or not complaint.get("created_at"):
        return False
    at = datetime.fromisoformat(complaint["created_at"])
    previous = previous_of(
        at, complaint.get("category"), [(datetime.fromisoformat(e["created_at"]), e.get("category")) for e in earlier]
    )
    return metrics.is_repeat(
        metrics.repeat_gap(previous, at), bool(complaint.get("reopen_count")), flow_rules(rt).repeat_window_days
    )


def _display_names(rt: Runtime, usernames: set[str], ids: set[int]) -> tuple[dict[str, str], dict[int, str]]:
    with rt.db.read() as s:
        rows = s.execute(
            select(User.id, User.username, User.display_name).where((User.username.in_(usernames)) | (User.id.in_(ids)))
        ).all()
    return {r.username: r.display_name for r in rows}, {r.id: r.display_name for r in rows}


def task_page(rt: Runtime, viewer: Viewer, task_id: str, via: str = "web") -> dict[str, Any]:
    """A task, its form and data, the complaint, its history and the customer's earlier complaints.

    Personal data is masked unless the viewer works the complaint; the reading is logged."""
    task = tasks.read_task(rt, viewer, task_id, via)  # NotFound unless the viewer may see it
    shown = task["personal_data"] == "shown"
    complaint = None
    if task.get("complaint_id"):
        try:
            complaint = complaints.get_complaint(rt, viewer, task["complaint_id"], via=None)  # logged as the task
        except NotFound:
            complaint = None
    events = instances.list_events(rt, task["instance_id"])
    if not shown:
        events = [mask_record(e) for e in events]
    mine = [e for e in events if e["task_id"] == task_id]
    submitted = next((e["data_after"] for e in reversed(mine) if e["type"] == "task.completed"), None)
    returned = (
        bool(mine) and any(e["type"] == "task.returned" for e in mine) and (task.get("candidate_group") == "dispatcher")
    )
    data = dict(task.get("data") or {})
    context = {**(complaint or {}), **data}
    text, is_html = instructions_html(task.get("instructions"), in_words(context, _titles(rt, task["instance_id"])))
    earlier = customer_history(
        rt,
        viewer,
        complaints.customer_phone_of(rt, complaint["id"]) if complaint else None,
        exclude_id=(complaint or {}).get("id"),
        shown=shown,
        of_worked=True,
    )
    earlier = [e for e in earlier if complaint is None or e["created_at"] <= complaint["created_at"]]
    by_name, by_id = _display_names(rt, {e["actor"] for e in events}, {i for i in [task.get("assignee_id")] if i})
    files = evidence.describe(rt, evidence.ids_on_record(events, data, submitted or {}))
    return {
        "task": task,
        "complaint": complaint,
        "events": events,
        "submitted": submitted,
        "returned": returned,
        "instructions": text,
        "instructions_html": is_html,
        "earlier": earlier,
        "repeat": is_repeat(rt, complaint, earlier),
        "actor_names": by_name,
        "assignee_name": by_id.get(task.get("assignee_id")),
        "templates": reply_templates.for_step(task["element_id"], context),
        "files": files,  # every file on the complaint's record, the customer's marked
    }


def complaint_page(rt: Runtime, viewer: Viewer, complaint_id: int, via: str | None = "web") -> dict[str, Any]:
    """A complaint with its tasks (open and done), history and the customer's other complaints (masked unless
    the viewer works it; the reading is logged)."""
    complaint = complaints.get_complaint(rt, viewer, complaint_id, via=via)
    shown = complaint["personal_data"] == "shown"
    instance_id = complaint["process_instance_id"]
    with rt.db.read() as s:
        rows = (
            s.scalars(
                select(HumanTask)
                .where(HumanTask.instance_id == instance_id)
                .order_by(HumanTask.created_at, HumanTask.id)
            ).all()
            if instance_id
            else []
        )
        task_list = [tasks.task_summary(rt, t) | {"may_open": tasks._may_see(viewer, t)} for t in rows]
    events = instances.list_events(rt, instance_id) if instance_id else []
    if not shown:
        events = [mask_record(e) for e in events]
    record = complaint_record.record(rt, instance_id) if instance_id else []
    if not shown:
        record = complaint_record.masked_sections(record)
    earlier = customer_history(
        rt, viewer, complaints.customer_phone_of(rt, complaint_id), exclude_id=complaint_id, shown=shown, of_worked=True
    )
    by_name, by_id = _display_names(
        rt,
        {e["actor"] for e in events},
        (
            {t["assignee_id"] for t in task_list if t["assignee_id"]}
            | {complaint.get("owner_id")}
            | {sec["actor_id"] for sec in record}
        )
        - {None},
    )
    return {
        "complaint": complaint,
        "tasks": task_list,
        "events": events,
        "earlier": earlier,
        "record": record,
        "repeat": is_repeat(rt, complaint, earlier),
        "actor_names": by_name,
        "user_names": by_id,
        "files": evidence.describe(rt, evidence.ids_on_record(events)),
    }


REGISTRATION_UI = "intake-uischema.json"


def registration_form(rt: Runtime) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The schema and UI schema agents register complaints with (the receive step's form)."""
    model = rt.current_model(complaints.PROCESS_ID)
    schema = model.form(complaints.REGISTRATION_FORM)
    ui = model.form(REGISTRATION_UI)
    return (json.loads(schema) if schema else None), (json.loads(ui) if ui else None)


def register_and_first_task(
    rt: Runtime, viewer: Viewer, data: dict[str, Any], accepted: dict[str, str] | None = None
) -> dict[str, Any]:
    """Register a complaint; add the first ready task the registering agent may work (first responder).

    ``accepted``: the text suggestions the agent accepted at intake (they pre-fill the classify step).
    """
    result = complaints.register_complaint(rt, viewer, data, accepted)
    ready = tasks.list_tasks(rt, viewer, instance_id=result["process_instance_id"])
    first = next((t for t in ready if tasks._may_work(viewer, t)), None)
    return result | {"first_task_id": first["id"] if first else None, "live_intake": complete_live_intake(data)}
