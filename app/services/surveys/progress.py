"""The in-progress survey: a configured sample of complaints still open gets the customer survey, once.

``sample_open_complaints`` (the scheduler's daily ``survey-job``) finds the open complaints at least
``min_age_days`` old that were never sampled, keeps those whose number the deterministic rule puts in the
sample (domain/survey_rules.in_sample: the same complaints whenever and wherever it runs), and for each
writes the ``progress_survey`` row (unique per complaint: never surveyed twice) and enqueues the
``progress_survey`` message (config/notifications.toml), whose link is an in-progress survey token, in one
transaction. ``record_answer`` keeps the answer on that row, apart from the closing survey on the complaint
row (which the return visit records), and routes it to the owning agent and the supervisors.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...domain.survey_rules import RATING_KEYS, in_sample, is_low
from ...models import Complaint, ProgressSurvey, SurveyToken
from ..notifications.outbox import enqueue
from ..runtime import Runtime
from ..runtime.survey_config import survey_rules
from ..steps.survey_routing import route_answer

log = logging.getLogger(__name__)
TEMPLATE = "progress_survey"


def sample_open_complaints(rt: Runtime) -> dict[str, int]:
    """Survey the sample of open complaints not surveyed yet; return how many were looked at and sent."""
    rules = survey_rules(rt)
    if not rules.enabled:
        return {"candidates": 0, "sent": 0}
    now = rt.clock.now()
    surveyed = select(ProgressSurvey.complaint_id)
    try:
        with rt.db.write() as s:
            candidates = s.execute(
                select(Complaint.id, Complaint.number, Complaint.channel)
                .where(
                    Complaint.status != "closed",
                    Complaint.instance_id.is_not(None),
                    Complaint.created_at <= now - timedelta(days=rules.min_age_days),
                    Complaint.id.not_in(surveyed),
                )
                .order_by(Complaint.created_at, Complaint.id)
            ).all()
            chosen = [r.id for r in candidates if in_sample(rules, r.number, r.channel)][: rules.per_run]
            for complaint in s.scalars(select(Complaint).where(Complaint.id.in_(chosen))).all() if chosen else []:
                s.add(ProgressSurvey(complaint_id=complaint.id, sampled_at=now))
                enqueue(s, rt, TEMPLATE, f"progress_survey:{complaint.id}", now, complaint=complaint)
    except IntegrityError:  # another host sampled the same complaints first: theirs stand, nothing twice
        log.info("in-progress survey: another process sampled first")
        return {"candidates": len(candidates), "sent": 0}
    return {"candidates": len(candidates), "sent": len(chosen)}


def record_answer(rt: Runtime, token: SurveyToken, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Keep an in-progress answer on its sample row, use up the link, tell the people concerned."""
    now = rt.clock.now()
    ratings = {k: answers[k] for k in RATING_KEYS if isinstance(answers.get(k), int)}
    with rt.db.write() as s:
        row = s.scalars(select(ProgressSurvey).where(ProgressSurvey.complaint_id == token.complaint_id)).first()
        complaint = s.get(Complaint, token.complaint_id)
        used = s.execute(
            SurveyToken.__table__.update()
            .where(SurveyToken.id == token.id, SurveyToken.used_at.is_(None))
            .values(used_at=now)
        )
        if row is None or complaint is None or used.rowcount != 1 or row.answered_at is not None:
            return {"number": complaint.number if complaint else "", "recorded": False}
        row.answered_at = now
        row.satisfaction = str(answers["satisfaction"])
        row.satisfaction_reason = str(answers.get("satisfaction_reason") or "")[:1000] or None
        for key, value in ratings.items():
            setattr(row, key, value)
        row.low = is_low(survey_rules(rt), row.satisfaction, ratings)
        route_answer(s, rt, complaint, "in_progress", answers, now)
        return {"number": complaint.number, "recorded": True}
