"""The regulator's appeal rule end to end: the same customer's earlier complaint about the same matter, left
unanswered past its 15 days or answered and rejected; every refusal answers the appeal centre through the outbox.

Now is 2026-03-02 09:00 Shanghai (the clock fixture).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import select, update

from app.models import Appeal, Complaint, HumanTask, Notification
from app.services.notifications.outbox import send_due

from .test_appeals import _complained_first, _order

THREE_HOURS_AGO = datetime(2026, 3, 1, 22, 0, tzinfo=timezone.utc)


def _refusals(rt) -> dict[str, Notification]:
    with rt.db.read() as s:
        return {
            n.context["case_number"]: n
            for n in s.scalars(select(Notification).where(Notification.template == "appeal_refused"))
        }


def test_admitted_when_the_same_matter_went_unanswered_past_fifteen_days(api, rt, deployed):
    number = _complained_first(api, rt)  # 2026-02-10, never answered: the limit ended 2026-02-25 24:00
    r = api.post("agent", "/appeals", json=_order(case_number="GXB-OK"))
    body = r.get_json()
    assert r.status_code == 201 and body["admissible"] is True and body["complaint_number"] == number
    assert _refusals(rt) == {}


def test_refused_without_any_complaint_and_the_centre_gets_the_reason(api, rt, deployed):
    r = api.post("agent", "/appeals", json=_order(case_number="GXB-NONE"))
    assert (r.get_json()["admissible"], r.get_json()["reason_code"]) == (False, "no_prior_complaint")
    sent = _refusals(rt)["GXB-NONE"]
    assert (sent.channel, sent.recipient, sent.status) == ("email", "appeal-centre@example.invalid", "pending")
    assert send_due(rt) >= 1
    with rt.db.read() as s:
        row = s.get(Notification, sent.id)
    assert row.status == "sent" and "GXB-NONE" in row.subject and "GXB-NONE" in row.body
    assert "客户未先向本公司投诉" in row.body and "增值业务费" in row.body


def test_refused_when_the_earlier_complaint_is_about_another_matter(api, rt, deployed):
    # the case that was admitted before: an open complaint 3 hours earlier about something else
    _complained_first(api, rt, matter="家里宽带每天晚上都断网，报修三次都没修好。", at=THREE_HOURS_AGO)
    r = api.post("agent", "/appeals", json=_order(case_number="GXB-OTHER"))
    assert (r.get_json()["admissible"], r.get_json()["reason_code"]) == (False, "different_matter")
    assert "不是同一事项" in _refusals(rt)["GXB-OTHER"].context["refusal_reason"]


def test_refused_while_the_same_matter_is_within_its_fifteen_days(api, rt, deployed):
    _complained_first(api, rt, at=THREE_HOURS_AGO)  # registered 03-02 06:00 local: the limit ends 03-17 24:00
    r = api.post("agent", "/appeals", json=_order(case_number="GXB-WAIT"))
    body = r.get_json()
    assert (body["admissible"], body["reason_code"]) == (False, "reply_limit_not_reached")
    assert "15 日答复时限内（至 2026-03-17 24 时止）" in body["inadmissible_reason"]
    assert _refusals(rt)["GXB-WAIT"].context["refusal_reason"] == body["inadmissible_reason"]
    with rt.db.read() as s:
        assert s.scalar(select(Appeal.instance_id).where(Appeal.case_number == "GXB-WAIT")) is None  # nothing started


def _answered(rt, number: str, at: datetime, satisfaction: str) -> None:
    """The customer was told the result at ``at`` (a completed feedback step) and said how satisfied they are."""
    with rt.db.write() as s:
        c = s.scalar(select(Complaint).where(Complaint.number == number))
        s.add(
            HumanTask(
                id=str(uuid.uuid4()),
                instance_id=c.instance_id,
                element_id="feedback",
                name="投诉反馈",
                state="completed",
                created_at=at,
                completed_at=at,
                due_at=at,
            )
        )
        s.execute(update(Complaint).where(Complaint.id == c.id).values(satisfaction=satisfaction))


def test_refused_when_answered_in_time_and_the_customer_accepted(api, rt, deployed):
    number = _complained_first(api, rt)
    _answered(rt, number, datetime(2026, 2, 20, 2, 0, tzinfo=timezone.utc), "satisfied")
    r = api.post("agent", "/appeals", json=_order(case_number="GXB-DONE"))
    assert (r.get_json()["admissible"], r.get_json()["reason_code"]) == (False, "answer_not_rejected")
    assert "GXB-DONE" in _refusals(rt)


def test_admitted_at_once_when_the_customer_rejects_the_answer(api, rt, deployed):
    number = _complained_first(api, rt, at=THREE_HOURS_AGO)
    _answered(rt, number, datetime(2026, 3, 2, 0, 30, tzinfo=timezone.utc), "unsatisfied")
    r = api.post("agent", "/appeals", json=_order(case_number="GXB-REJECTED"))
    assert (r.get_json()["admissible"], r.get_json()["complaint_number"]) == (True, number)


def test_the_time_bars_still_apply_to_a_well_founded_appeal(api, rt, deployed):
    _complained_first(api, rt)
    r = api.post("agent", "/appeals", json=_order(case_number="GXB-OLD", occurred_at="2025-09-20T10:00:00+08:00"))
    assert (r.get_json()["admissible"], r.get_json()["reason_code"]) == (False, "fee_dispute_too_old")
    assert "5 个月" in _refusals(rt)["GXB-OLD"].context["refusal_reason"]
