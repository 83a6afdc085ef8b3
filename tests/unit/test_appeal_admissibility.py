"""The regulator's prior-complaint rule for appeals, with Civil Code reply periods from the working calendar."""

from __future__ import annotations

from datetime import datetime, timezone

from app.domain.appeal_admissibility import EarlierComplaint, decide, reason_text
from app.domain.calendar import WorkingCalendar
from app.domain.clock import local_date
from app.domain.text_intelligence.similarity import similarity

CAL = WorkingCalendar()
FEE = "1 月份被扣 300 元增值业务费。"
APPEAL = "不认可对 1 月份 300 元增值业务费的处理结果。"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def complaint(created: str, *, category="billing", matter=FEE, replied=None, rejected=False, n=1) -> EarlierComplaint:
    at = utc(created)
    return EarlierComplaint(
        n,
        f"TS{n}",
        category,
        matter,
        at,
        CAL.civil_code_period_end(at, 15).at,
        utc(replied) if replied else None,
        rejected,
    )


def rule(earlier, received: str, category="billing", matter=APPEAL):
    return decide(
        earlier, category=category, matter=matter, received=utc(received), same_text=similarity, min_score=0.45
    )


def test_no_complaint_before_the_appeal():
    assert rule([], "2026-03-02 01:00").code == "no_prior_complaint"
    assert rule([complaint("2026-03-03 01:00")], "2026-03-02 01:00").code == "no_prior_complaint"  # filed after


def test_a_complaint_about_another_matter_does_not_count():
    broadband = complaint("2026-03-01 22:00", category="network", matter="家里宽带每天晚上断网，修了三次没修好。")
    assert rule([broadband], "2026-03-02 01:00").code == "different_matter"
    other_category = complaint("2026-01-01 02:00", category="network")  # the same words under another category
    assert rule([other_category], "2026-03-02 01:00").code == "different_matter"


def test_the_fifteen_days_count_as_the_civil_code_says():
    # registered 2026-09-20 (local): day 1 is 09-21, day 15 is 10-05, a National Day holiday; the last day moves
    # to the first working day after the holiday, 10-08, and the period ends at its 24:00 (10-08 16:00 UTC)
    c = complaint("2026-09-20 02:00")
    assert c.reply_due == utc("2026-10-08 16:00")
    waiting = rule([c], "2026-10-08 15:59")
    assert waiting.code == "reply_limit_not_reached"
    assert "15 日答复时限内（至 2026-10-08 24 时止）" in reason_text(waiting, 15, local_date)
    assert rule([c], "2026-10-08 16:00").code is None  # unanswered past the limit: admitted


def test_an_answer_in_time_bars_the_appeal_unless_the_customer_rejects_it():
    answered = complaint("2026-02-10 02:00", replied="2026-02-20 02:00")
    assert rule([answered], "2026-03-02 01:00").code == "answer_not_rejected"
    rejected = complaint("2026-02-28 02:00", replied="2026-03-01 02:00", rejected=True)
    decision = rule([rejected], "2026-03-02 01:00")
    assert (decision.code, decision.complaint.number) == (None, "TS1")  # rejected the day after: no need to wait


def test_an_answer_after_the_limit_does_not_bar_the_appeal():
    late = complaint("2026-02-10 02:00", replied="2026-03-01 02:00")
    assert rule([late], "2026-03-02 01:00").code is None


def test_an_unclassified_complaint_is_judged_by_its_text_and_the_grounded_one_is_chosen():
    fresh = complaint("2026-03-01 22:00", n=2)  # the same matter, still within its limit
    old = complaint("2026-02-10 02:00", category=None, n=1)  # never classified, never answered
    decision = rule([fresh, old], "2026-03-02 01:00")
    assert (decision.code, decision.complaint.number) == (None, "TS1")
