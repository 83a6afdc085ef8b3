"""What the branches' steps change outside the engine, in the transaction that saves the instance.

The write path (steps/write.py) applies them after the projection of every step (registration, a
completed task, fired timers, a migration). They read the steps the engine completed since the instance
was loaded and, once per step:

- sends the notification a diagram element names with the property ``notifyTemplate`` (through the outbox);
- on classification: links an outage complaint to its incident (the number must name an open incident) and
  flags repeats (domain/metrics.is_repeat: the same phone filed on the same category within the window of
  config/flow.toml, before or after it);
- on handling: mirrors responsibility and compensation onto the complaint row;
- audits the compensation decision of the DMN table and the approval, and keeps the compensation status;
- on reopening (the customer was unsatisfied): counts it and flags the complaint as a repeat;
- on an appeal: checks the withdrawal proof was uploaded, and records the outcome when the appeal closes;
- on a survey answer (the reply or the return visit, by an agent or through the customer's link): tells the
  owning agent and the department's supervisors (survey_routing.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain.metrics import is_repeat, repeat_gap
from ...domain.money import yuan
from ...engine import TaskNotReady
from ...engine.properties import element_properties
from ...errors import Invalid
from ...models import Appeal, Complaint, HumanTask, OutageIncident, User
from ...plain_sql import Plain
from ..notifications import outbox as notifications
from ..audit.log import AuditLog
from ..runtime.flow_config import flow_rules
from ..runtime import Runtime
from .. import evidence_files
from . import people_counts, suggestion_decisions, survey_routing

HANDLING = ("handle", "privacy_investigate", "fraud_handle", "care_handle", "appeal_investigate")
BRANCH_DESKS = ("outage_link", "privacy_init", "fraud_init", "care_init")  # the scripts that set `department`
SURVEY_STEPS = ("feedback", "visit_call", "visit_await")  # the steps whose form may carry the closing answer
_MATTERS = {
    "classify",
    "intake_classified",  # a live complaint classified on the one intake screen
    "dispatch",
    "decide_compensation",
    "approve_compensation",
    "count_rehandle",
    "appeal_settle",
    "appeal_closed_notice",
    "appeal_director",
    *HANDLING,
    *BRANCH_DESKS,
    *SURVEY_STEPS,
}
_DONE = "_branch_effects_done"  # task ids already handled on an Instance object (it may be saved twice)


def check_settings(rt: Runtime) -> None:
    """Read the branches' settings now: a bad file stops start-up, not the first step that needs it."""
    flow_rules(rt)
    try:
        notifications.templates(rt)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"setting COMPLAINTFLOW_NOTIFICATIONS_CONFIG: {exc}") from exc


def new_steps(inst) -> list:
    """The steps the engine completed since the instance was loaded and no write has handled yet."""
    done: set[str] = vars(inst).setdefault(_DONE, set())
    steps = [st for st in inst.steps if st.task_id not in done]
    done.update(st.task_id for st in steps)
    return steps


def apply(s: Session, rt: Runtime, instance_id: int, inst, now, submitted: dict[str, Any], steps) -> None:
    """The branches' effects of these steps (the module docstring lists them)."""
    if not steps:
        return
    templates = {st.task_id: element_properties(inst.bundle, st.element_id).get("notifyTemplate") for st in steps}
    if not (
        any(templates.values()) or submitted.get("customer_email") or any(st.element_id in _MATTERS for st in steps)
    ):
        return  # most saves (receive, dispatch, track...) need nothing here: no query on the hot path
    complaint = s.scalars(select(Complaint).where(Complaint.instance_id == instance_id)).first()
    if complaint is not None and submitted.get("customer_email") and not complaint.customer_email:
        complaint.customer_email = str(submitted["customer_email"])[:120]
    log: AuditLog | None = None

    def audit() -> AuditLog:
        nonlocal log
        log = log or AuditLog(s, instance_id)
        return log

    for step in steps:
        template = templates[step.task_id]
        if not template and step.element_id not in _MATTERS:
            continue
        try:
            data = inst.task_data(step.task_id)  # as this step left it (inside a called diagram too)
        except TaskNotReady:  # a task no longer in the tree: the instance's current data
            data = inst.data
        if template:
            notifications.enqueue(
                s,
                rt,
                template,
                f"{instance_id}:{step.task_id}:{template}",
                now,
                complaint=complaint,
                instance_id=instance_id,
                data=data,
            )
        element = step.element_id
        if complaint is not None and element == "classify":
            _classified(s, rt, complaint, {**data, **submitted}, now, audit)
        if complaint is not None and element == "intake_classified" and data.get("category"):
            _flag_repeats(s, complaint, data["category"], flow_rules(rt).repeat_window_days, now, audit)
        if complaint is not None and element in suggestion_decisions.STEP_FIELDS:
            # what the agent chose against what the text suggested: an override teaches the next model
            suggestion_decisions.record_decision(s, complaint, element, {**data, **submitted}, now)
        if complaint is not None and element in BRANCH_DESKS and data.get("department"):
            complaint.department = data["department"]  # a special branch chose its desk, not the dispatcher
        if complaint is not None and element in HANDLING and "responsibility" in submitted:
            complaint.responsibility = submitted.get("responsibility")
            complaint.compensation_type = submitted.get("compensation_type")
            complaint.compensation_amount = yuan(submitted.get("compensation_amount"))
        if element == "decide_compensation":
            level = data.get("approval_level") or "none"
            if complaint is not None:
                complaint.compensation_status = "not_required" if level == "none" else "pending"
            audit().append(
                "compensation.decided",
                at=now,
                actor="system",
                element_id=element,
                task_id=step.task_id,
                element_name=step.name,
                after={
                    "compensation_type": data.get("compensation_type"),
                    "amount": data.get("compensation_amount"),
                    "approval_level": level,
                    "rule": data.get("approval_rule"),
                },
            )
        if complaint is not None and element in SURVEY_STEPS and submitted.get("satisfaction"):
            by = s.scalar(select(HumanTask.completed_by_id).where(HumanTask.id == step.task_id))
            name = s.scalar(select(User.username).where(User.id == by)) if by else None
            survey_routing.route_answer(
                s, rt, complaint, "closing", submitted, now, actor=name or "customer", actor_id=by
            )
        if element == "approve_compensation":
            _approved(s, complaint, data, step, now, audit)
        if complaint is not None and element == "count_rehandle":
            complaint.reopen_count = (complaint.reopen_count or 0) + 1
            complaint.is_repeat = True
            audit().append(
                "complaint.reopened",
                at=now,
                actor="system",
                element_id=element,
                task_id=step.task_id,
                reason=data.get("satisfaction_reason"),
                after={"reopen_count": complaint.reopen_count},
            )
        if element == "appeal_settle":
            _check_proof(rt, instance_id, data.get("withdrawal_proof") or [])
        if element == "appeal_closed_notice" or element == "appeal_director":
            _appeal_closed(s, instance_id, data, now)


def _classified(s: Session, rt: Runtime, complaint: Complaint, data: dict[str, Any], now, audit) -> None:
    rules = flow_rules(rt)
    category = data.get("category")
    if category:
        _flag_repeats(s, complaint, category, rules.repeat_window_days, now, audit)
    if data.get("special_type") == "outage":
        number = str(data.get("incident_id") or "").strip()
        incident = s.scalars(select(OutageIncident).where(OutageIncident.number == number)).first()
        if incident is None:
            raise Invalid(
                "no such outage incident",
                [
                    {
                        "field": "incident_id",
                        "message": f"no incident {number}",
                        "code": "outage.no_incident",
                        "params": {"number": number},
                    }
                ],
            )
        if incident.status != "open":
            raise Invalid(
                "the outage incident is already resolved",
                [
                    {
                        "field": "incident_id",
                        "message": f"incident {number} is resolved: classify it as an ordinary complaint",
                        "code": "outage.incident_resolved",
                        "params": {"number": number},
                    }
                ],
            )
        if complaint.outage_incident_id != incident.id:
            complaint.outage_incident_id = incident.id
            audit().append(
                "outage.linked",
                at=now,
                actor="system",
                element_id="classify",
                after={"incident": incident.number, "title": incident.title},
            )


def _flag_repeats(s: Session, complaint: Complaint, category: str, window_days: int, now, audit) -> None:
    """Flag the repeats classification makes (domain/metrics.is_repeat, the definition the repeat rate counts): this
    complaint, when the phone complained of the same category within the window before it; and the phone's later
    complaints of the category within the window after it (registered before this one was classified)."""
    same = (Complaint.customer_phone == complaint.customer_phone, Complaint.category == category)
    if not complaint.is_repeat:
        earlier = s.execute(
            select(Complaint.id, Complaint.number, Complaint.created_at)
            .where(*same, Complaint.id != complaint.id, Complaint.created_at < complaint.created_at)
            .order_by(Complaint.created_at.desc())
            .limit(1)
        ).first()
        gap = repeat_gap(earlier.created_at if earlier else None, complaint.created_at)
        if earlier is not None and is_repeat(gap, False, window_days):
            complaint.is_repeat, complaint.repeat_of_id = True, earlier.id
            audit().append(
                "complaint.repeat",
                at=now,
                actor="system",
                element_id="classify",
                after={"repeat_of": earlier.number, "window_days": window_days},
            )
    later = s.scalars(
        select(Complaint)
        .where(
            *same,
            Complaint.id != complaint.id,
            Complaint.is_repeat.is_(False),
            Complaint.created_at > complaint.created_at,
            Complaint.created_at <= complaint.created_at + timedelta(days=window_days),
        )
        .order_by(Complaint.created_at)
        .limit(20)
    ).all()
    for other in later:
        other.is_repeat, other.repeat_of_id = True, complaint.id
        if other.instance_id is not None:
            AuditLog(s, other.instance_id).append(
                "complaint.repeat",
                at=now,
                actor="system",
                element_id="classify",
                after={"repeat_of": complaint.number, "window_days": window_days},
            )
    if later:  # the team page counts their repeat flag: move their completions under it
        s.flush()
        db = Plain.of(s)
        for other in later:
            if other.instance_id is not None:
                people_counts.sync(db, other.instance_id, [])


def _approved(s: Session, complaint: Complaint | None, data: dict[str, Any], step, now, audit) -> None:
    decision = data.get("approval_decision")
    by = s.execute(
        select(HumanTask.completed_by_id, User.username)
        .outerjoin(User, User.id == HumanTask.completed_by_id)
        .where(HumanTask.id == step.task_id)
    ).first()
    if complaint is not None:
        complaint.compensation_status = decision
        if decision == "adjusted" and data.get("approved_amount") is not None:
            complaint.compensation_amount = yuan(data.get("approved_amount"))
    audit().append(
        f"compensation.{decision}",
        at=now,
        actor=(by.username if by and by.username else "system"),
        actor_id=by.completed_by_id if by else None,
        task_id=step.task_id,
        element_id=step.element_id,
        element_name=step.name,
        reason=data.get("approval_note"),
        after={
            "approval_level": data.get("approval_level"),
            "amount": data.get("compensation_amount"),
            "approved_amount": data.get("approved_amount"),
            "compensation_type": data.get("compensation_type"),
        },
    )


def _check_proof(rt: Runtime, instance_id: int, ids: list[str]) -> None:
    missing = []
    for evidence_id in ids:
        try:
            meta = evidence_files.read_meta(rt, str(evidence_id))
        except Exception:  # noqa: BLE001 - NotFound, or an id that is not one
            missing.append(evidence_id)
            continue
        if meta.get("instance_id") not in (None, instance_id):
            missing.append(evidence_id)
    if missing:
        raise Invalid(
            "the withdrawal proof is not uploaded",
            [
                {
                    "field": "withdrawal_proof",
                    "message": f"upload the withdrawal proof first (not found: {', '.join(map(str, missing))})",
                    "code": "appeal.proof_missing",
                    "params": {"files": ", ".join(map(str, missing))},
                }
            ],
        )


def _appeal_closed(s: Session, instance_id: int, data: dict[str, Any], now) -> None:
    appeal = s.scalars(select(Appeal).where(Appeal.instance_id == instance_id)).first()
    if appeal is None or appeal.status == "closed":
        return
    appeal.status, appeal.closed_at = "closed", now
    appeal.outcome = "settled" if data.get("settled") else "investigated"
