"""Whether the regulator's appeal centre may hand us an appeal (《电信用户申诉处理办法》), and why not.

The centre takes an appeal only when the same customer complained to the operator first about the same
matter, and the operator either did not answer within the reply limit (15 日, counted under the Civil Code:
the caller passes each complaint's period end) or the customer rejects the answer. The time bars of
flow_rules.admissible (a fee dispute at most 5 months old, any other matter 2 years) still apply.

Pure: the caller reads the customer's earlier complaints and passes a text-similarity function.

>>> c = EarlierComplaint(1, "TS1", "billing", "多扣 300 元", created_at=_T, reply_due=_T, replied_at=None, rejected=False)
>>> decide([], category="billing", matter="多扣 300 元", received=_T, same_text=lambda a, b: 1.0, min_score=0.45).code
'no_prior_complaint'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Sequence

_T = datetime(2026, 3, 2, tzinfo=timezone.utc)

# Why the prior-complaint rule refuses an appeal; the time bars' reasons stay in flow_rules.REASONS.
REASONS = {
    "no_prior_complaint": "客户未先向本公司投诉，按规定申诉受理中心不予受理",
    "different_matter": "客户此前的投诉与本次申诉不是同一事项，请客户先就该事项向本公司投诉",
    "reply_limit_not_reached": "客户就该事项的投诉仍在 {reply_days} 日答复时限内（至 {due} 24 时止），本公司正在处理",
    "answer_not_rejected": "本公司已在时限内答复客户就该事项的投诉，客户未表示不满意",
}


@dataclass(frozen=True)
class EarlierComplaint:
    """One complaint the customer made to us before the appeal, as the rule needs it."""

    id: int
    number: str
    category: str | None
    matter: str
    created_at: datetime
    reply_due: datetime  # end of the Civil Code reply period (24:00 local of its last day)
    replied_at: datetime | None  # when the customer was first told the result
    rejected: bool  # the customer said they are not satisfied with the answer


@dataclass(frozen=True)
class PriorComplaintDecision:
    code: str | None  # None: the prior-complaint rule is met
    complaint: EarlierComplaint | None  # the complaint the appeal rests on (or the nearest one that failed)
    score: float = 0.0  # its text similarity to the appeal's matter


def _same_matter(
    c: EarlierComplaint, category: str, matter: str, same_text: Callable[[str, str], float], min_score: float
) -> float | None:
    # An earlier complaint not yet classified is judged on its text alone: its category is unknown, not different.
    if c.category and c.category != category:
        return None
    score = same_text(matter, c.matter or "")
    return score if score >= min_score else None


def _grounds(c: EarlierComplaint, received: datetime) -> bool:
    """The customer may appeal on this complaint: the answer is rejected, or none came within the limit."""
    if c.rejected:
        return True
    late_or_none = c.replied_at is None or c.replied_at > c.reply_due
    return late_or_none and c.reply_due <= received


def decide(
    earlier: Sequence[EarlierComplaint],
    *,
    category: str,
    matter: str,
    received: datetime,
    same_text: Callable[[str, str], float],
    min_score: float,
) -> PriorComplaintDecision:
    """Apply the prior-complaint rule to the customer's complaints made before the appeal was received."""
    before = [c for c in earlier if c.created_at <= received]
    if not before:
        return PriorComplaintDecision("no_prior_complaint", None)
    matching = [
        (score, c) for c in before if (score := _same_matter(c, category, matter, same_text, min_score)) is not None
    ]
    if not matching:
        return PriorComplaintDecision("different_matter", None)
    matching.sort(key=lambda p: (-p[0], -p[1].created_at.timestamp()))
    for score, c in matching:
        if _grounds(c, received):
            return PriorComplaintDecision(None, c, score)
    score, c = matching[0]
    answered_in_time = c.replied_at is not None and c.replied_at <= c.reply_due
    return PriorComplaintDecision("answer_not_rejected" if answered_in_time else "reply_limit_not_reached", c, score)


def reason_text(decision: PriorComplaintDecision, reply_days: int, local_day: Callable[[datetime], str]) -> str:
    """The Chinese reason the appeal centre is told; ``local_day`` names an instant's local calendar day."""
    # the period ends at 24:00 of its last day, which is the first instant of the next: name the last day
    due = local_day(decision.complaint.reply_due - timedelta(seconds=1)) if decision.complaint else ""
    if decision.code is None:
        raise ValueError("an admissible appeal has no reason to give")
    return REASONS[decision.code].format(reply_days=reply_days, due=due)
