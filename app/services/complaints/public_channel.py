"""The customer's own page (the online channel, no sign-in): file a complaint, follow it, answer the survey.

Nothing here trusts the visitor: filing needs a signed arithmetic challenge answered once and within its
minutes, and is limited per address and per phone; following needs either the complaint's own link (signed
with the server's key, sent to the customer by SMS and e-mail) or its number plus a one-time code that is
sent to the complaint's phone and e-mail, works once, within minutes, a few tries per number; every answer
reads alike for a wrong number and a wrong code (a number and a phone's last digits were not enough: a
neighbour knows both); the survey link is signed and works once. The limits are rows of ``public_request``, counted in the database,
so they hold however many hosts serve the page. A follower sees only their own complaint's public facts: its
number, how far it is, the answer once given, dates; never a name, a note, a staff member or another complaint.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select

from ...domain.client_addresses import limit_key
from ...domain.whole_numbers import whole_number
from ...errors import Invalid, NotFound, TooManyRequests
from ...models import Complaint, HumanTask, PublicRequest, SurveyToken
from ..instances.auto_complete import complete_for
from . import evidence
from .register import record_complaint
from ..runtime.flow_config import flow_rules
from ...domain.actors import Actor
from ..instances.store import load_instance
from ..notifications.outbox import enqueue, survey_nonce, track_number, track_token
from ..runtime import Runtime
from ..surveys import progress as progress_surveys
from ...domain.actors import Viewer

CUSTOMER = Actor(None, "customer")
PUBLIC = Viewer(id=None, name="customer", groups=frozenset())  # type: ignore[arg-type]  (no account)
ANSWERS = ("satisfied", "basically_satisfied", "unsatisfied")  # the survey's choices (return-visit-schema.json)
VISIT_STEPS = ("visit_await", "visit_call")  # the return visit's tasks a survey answer completes
RECEIVED = {"receive", "classify", "register"}
REPLIED = {"visit_await", "visit_call", "summarize", "rehandle_review"}


# -- the arithmetic challenge -------------------------------------------------------------------------------------
def _captcha_signer(rt: Runtime) -> URLSafeSerializer:
    return URLSafeSerializer(rt.settings["SECRET_KEY"], salt="complaintflow-captcha")


def new_challenge(rt: Runtime) -> dict[str, str]:
    """A question ("12 + 7 = ?") and its signed token (the answer is inside, signed, with an expiry)."""
    a, b = secrets.randbelow(40) + 10, secrets.randbelow(9) + 1
    expires = rt.clock.now() + timedelta(minutes=flow_rules(rt).captcha_minutes)
    token = _captcha_signer(rt).dumps({"s": a + b, "e": expires.isoformat(), "n": secrets.token_hex(8)})
    return {"question": f"{a} + {b} = ?", "token": token}


def _check_challenge(rt: Runtime, s, token: Any, answer: Any, now: datetime) -> None:
    wrong = Invalid(
        "the check is wrong",
        [
            {
                "field": "captcha_answer",
                "message": "验证答案不正确或已过期，请重新计算 / wrong or expired answer",
                "code": "public.captcha_wrong",
            }
        ],
    )
    try:
        payload = _captcha_signer(rt).loads(str(token or ""))
        expired = datetime.fromisoformat(payload["e"]) < now
        right = int(str(answer).strip()) == int(payload["s"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise wrong from None
    if expired or not right:
        raise wrong
    bucket = f"captcha:{payload['n']}"
    if s.scalar(select(func.count()).select_from(PublicRequest).where(PublicRequest.bucket == bucket)):
        raise wrong  # each challenge works once
    s.add(PublicRequest(bucket=bucket, at=now))


# -- the rate limit, in the database ------------------------------------------------------------------------------
def _limit(s, bucket: str, limit: int, window: timedelta, now: datetime) -> None:
    """Count one request of a bucket; refuse (429) when the window already holds ``limit`` of them."""
    s.execute(delete(PublicRequest).where(PublicRequest.bucket == bucket, PublicRequest.at < now - window))
    count = (
        s.scalar(
            select(func.count())
            .select_from(PublicRequest)
            .where(PublicRequest.bucket == bucket, PublicRequest.at >= now - window)
        )
        or 0
    )
    if count >= limit:
        oldest = s.scalar(
            select(func.min(PublicRequest.at)).where(PublicRequest.bucket == bucket, PublicRequest.at >= now - window)
        )
        wait = int(((oldest or now) + window - now).total_seconds()) + 1
        raise TooManyRequests(
            "too many requests from here; try again later", code="public.too_many", retry_after=max(wait, 1)
        )
    s.add(PublicRequest(bucket=bucket, at=now))


def _limited(rt: Runtime, buckets: list[tuple[str, int, timedelta]]) -> None:
    now = rt.clock.now()
    with rt.db.write() as s:
        for bucket, limit, window in buckets:
            _limit(s, bucket, limit, window, now)


# -- filing ------------------------------------------------------------------------------------------------------------
def file_complaint(
    rt: Runtime, fields: dict[str, Any], address: str, evidence_ids: list[str] | None = None
) -> dict[str, Any]:
    """Check the challenge and the limits, then register an online complaint; return its number.

    ``evidence_ids``: files the customer sent with it (customer_evidence.keep), put on its record."""
    rules = flow_rules(rt)
    errors = []
    phone = str(fields.get("customer_phone") or "").strip()
    for name in ("customer_name", "customer_phone", "matter"):
        if not str(fields.get(name) or "").strip():
            errors.append({"field": name, "message": "必填 / required", "code": "field.required"})
    if errors:
        raise Invalid("the form is incomplete", errors)
    now = rt.clock.now()
    with rt.db.write() as s:  # the challenge and the limits count even when registration then fails
        _check_challenge(rt, s, fields.get("captcha_token"), fields.get("captcha_answer"), now)
        _limit(s, f"file:ip:{limit_key(address)}", rules.file_per_ip_per_hour, timedelta(hours=1), now)
        _limit(s, f"file:phone:{phone}", rules.file_per_phone_per_day, timedelta(days=1), now)
    matter = str(fields.get("matter")).strip()
    for label, key in (("发生地点", "place"), ("诉求", "demand")):
        if str(fields.get(key) or "").strip():
            matter += f"\n{label}：{str(fields[key]).strip()}"
    data = {
        "customer_name": str(fields["customer_name"]).strip(),
        "customer_phone": phone,
        "channel": "online",
        "received_at": now.isoformat(),
        "matter": matter[:2000],
    }
    if str(fields.get("customer_email") or "").strip():
        data["customer_email"] = str(fields["customer_email"]).strip()
    created = record_complaint(rt, PUBLIC, data)
    if evidence_ids:
        with rt.db.write() as s:
            evidence.attach_from_customer(rt, s, list(evidence_ids), created["process_instance_id"], rt.clock.now())
    return {"number": created["number"]}


# -- following ----------------------------------------------------------------------------------------------------------
CODE_MINUTES = 10  # a one-time code is good this long (the message says so)
CODES_PER_NUMBER_PER_HOUR = 3  # messages a number may be sent: nobody floods a customer's phone
TRIES_PER_NUMBER = 5  # wrong codes per number per CODE_MINUTES: a million codes cannot be walked


def _number(value: Any) -> str:
    return str(value or "").strip().upper()[:20]


def _complaint_by_number(rt: Runtime, number: str) -> Complaint | None:
    with rt.db.read() as s:
        return s.scalars(select(Complaint).where(Complaint.number == number)).first()


def _code_bucket(rt: Runtime, number: str, code: str) -> str:
    # only a keyed digest of the code is stored: the table never holds a usable code
    digest = hmac.new(rt.settings["SECRET_KEY"].encode(), f"{number}:{code}".encode(), hashlib.sha256).hexdigest()
    return f"trackcode:{number}:{digest[:40]}"


def send_code(rt: Runtime, number: Any, address: str) -> None:
    """Send a one-time code to the phone and e-mail of the complaint with this number (if there is one).

    The answer is the same whether the number exists or not; the limits count either way."""
    number, rules = _number(number), flow_rules(rt)
    if not number:
        raise Invalid(
            "the complaint number is required",
            [{"field": "number", "message": "必填 / required", "code": "field.required"}],
        )
    now = rt.clock.now()
    with rt.db.write() as s:
        _limit(s, f"track:ip:{limit_key(address)}", rules.track_per_ip_per_10_minutes, timedelta(minutes=10), now)
        _limit(s, f"trackcode:sent:{number}", CODES_PER_NUMBER_PER_HOUR, timedelta(hours=1), now)
        c = s.scalars(select(Complaint).where(Complaint.number == number)).first()
        if c is None:
            return
        code = f"{secrets.randbelow(10**6):06d}"
        s.add(PublicRequest(bucket=_code_bucket(rt, number, code), at=now))
        enqueue(
            s, rt, "track_code", f"trackcode:{number}:{secrets.token_hex(8)}", now, complaint=c, extra={"code": code}
        )


def track_with_code(rt: Runtime, number: Any, code: Any, address: str) -> dict[str, Any]:
    """The public facts of one complaint, for whoever holds the one-time code sent to its customer (used up)."""
    number, rules = _number(number), flow_rules(rt)
    code = str(code or "").strip()
    now = rt.clock.now()
    with rt.db.write() as s:
        _limit(s, f"track:ip:{limit_key(address)}", rules.track_per_ip_per_10_minutes, timedelta(minutes=10), now)
        _limit(s, f"trackcode:try:{number}", TRIES_PER_NUMBER, timedelta(minutes=CODE_MINUTES), now)
        used = s.execute(
            delete(PublicRequest).where(
                PublicRequest.bucket == _code_bucket(rt, number, code),
                PublicRequest.at >= now - timedelta(minutes=CODE_MINUTES),
            )
        )
    c = _complaint_by_number(rt, number) if used.rowcount and code.isdigit() else None
    if c is None:
        raise NotFound("no complaint with this number and code", code="public.track_not_found")
    return _facts(rt, c) | {"link": track_token(rt, c.number)}


def track_by_link(rt: Runtime, token: str, address: str) -> dict[str, Any]:
    """The public facts of the complaint a tracking link names (the link was sent to its customer)."""
    _limited(
        rt, [(f"track:ip:{limit_key(address)}", flow_rules(rt).track_per_ip_per_10_minutes, timedelta(minutes=10))]
    )
    number = track_number(rt, token)
    c = _complaint_by_number(rt, number) if number else None
    if c is None:
        raise NotFound("this link is not valid", code="public.link_invalid")
    return _facts(rt, c) | {"link": token}


def tracking_link_token(rt: Runtime, number: str) -> str:
    """The token of a complaint's own tracking link (the filing page shows it to the customer who filed)."""
    return track_token(rt, number)


def _facts(rt: Runtime, c: Complaint) -> dict[str, Any]:
    """Only the public facts: number, stage, dates, the answer once given; never a name or a note."""
    with rt.db.read() as s:
        ready = set(
            s.scalars(
                select(HumanTask.element_id).where(HumanTask.instance_id == c.instance_id, HumanTask.state == "ready")
            )
        )
        replied_at = s.scalar(
            select(func.min(HumanTask.completed_at)).where(
                HumanTask.instance_id == c.instance_id,
                HumanTask.state == "completed",
                HumanTask.element_id.in_(("feedback", "outage_wait")),
            )
        )
        survey_open = bool(
            s.scalar(
                select(func.count())
                .select_from(SurveyToken)
                .where(
                    SurveyToken.complaint_id == c.id,
                    SurveyToken.used_at.is_(None),
                    SurveyToken.expires_at > rt.clock.now(),
                )
            )
        )
    stage = _stage(c, ready, replied_at)
    answer = None
    if stage in ("replied", "closed") and c.instance_id is not None:
        data = load_instance(rt, c.instance_id).inst.data
        answer = data.get("solution")  # the result we tell the customer; never the handling notes
    return {
        "number": c.number,
        "stage": stage,
        "created_at": c.created_at.isoformat(),
        "replied_at": replied_at.isoformat() if replied_at else None,
        "closed_at": c.closed_at.isoformat() if c.closed_at else None,
        "answer": answer,
        "reopened": bool(c.reopen_count),
        "survey_pending": survey_open and stage == "replied",
    }


def _stage(c: Complaint, ready: set[str], replied_at) -> str:
    """received (being registered), handling, replied (answered; the return visit or summary is left), closed."""
    if c.status == "closed":
        return "closed"
    if ready & REPLIED or (replied_at and not ready):
        return "replied"
    if ready and ready <= RECEIVED:
        return "received"
    return "handling"


# -- the survey ------------------------------------------------------------------------------------------------------------
def _survey(rt: Runtime, token: str) -> tuple[SurveyToken, Complaint]:
    nonce = survey_nonce(rt, token)
    if nonce is None:
        raise NotFound("this survey link is not valid", code="survey.link_invalid")
    with rt.db.read() as s:
        got = s.execute(
            select(SurveyToken, Complaint)
            .join(Complaint, Complaint.id == SurveyToken.complaint_id)
            .where(SurveyToken.nonce == nonce)
        ).first()
    if got is None:
        raise NotFound("this survey link is not valid", code="survey.link_invalid")
    return got


def open_survey(rt: Runtime, token: str) -> dict[str, Any]:
    """What the survey page shows: the complaint's number and whether the link can still be used."""
    t, c = _survey(rt, token)
    state = "used" if t.used_at else "expired" if t.expires_at <= rt.clock.now() else "open"
    return {"number": c.number, "state": state, "kind": t.kind}


def answer_survey(rt: Runtime, token: str, answers: dict[str, Any], address: str) -> dict[str, Any]:
    """Record the customer's satisfaction: it completes the return visit (unsatisfied reopens the complaint)."""
    _limited(
        rt, [(f"survey:ip:{limit_key(address)}", flow_rules(rt).track_per_ip_per_10_minutes, timedelta(minutes=10))]
    )
    t, c = _survey(rt, token)
    now = rt.clock.now()
    if t.used_at is not None or t.expires_at <= now:
        raise NotFound("this survey link was used already or has expired", code="survey.used")
    data = {"contact_result": "reached", "visit_channel": "survey"}
    for key in (
        "satisfaction",
        "satisfaction_reason",
        "rating_timeliness",
        "rating_attitude",
        "rating_result",
        "rating_process",
    ):
        value = answers.get(key)
        if value not in (None, ""):
            number = whole_number(str(value)) if key.startswith("rating_") else None
            data[key] = number if number is not None else value
    if "satisfaction" not in data:
        raise Invalid(
            "choose how satisfied you are",
            [{"field": "satisfaction", "message": "必选 / required", "code": "field.choose"}],
        )
    if t.kind == "in_progress":  # the open complaints' sample: kept apart, the complaint's flow goes on untouched
        wrong = (
            [{"field": "satisfaction", "message": "必选 / required", "code": "field.choose"}]
            if data["satisfaction"] not in ANSWERS
            else []
        )
        wrong += [
            {"field": k, "message": "1-5", "code": "survey.rating_range"}
            for k in ("rating_timeliness", "rating_attitude", "rating_result", "rating_process")
            if k in data and data[k] not in (1, 2, 3, 4, 5)
        ]
        if wrong:
            raise Invalid("the answer is not one the survey offers", wrong)
        recorded = progress_surveys.record_answer(rt, t, data)
        if not recorded["recorded"]:
            raise NotFound("this survey link was used already or has expired", code="survey.used")
        return {"number": c.number, "satisfaction": data["satisfaction"], "recorded": True, "reopened": False}
    done = (
        complete_for(
            rt, CUSTOMER, c.instance_id, VISIT_STEPS, data, wake=("visit_wait",), reason="客户通过评价链接作答"
        )
        if c.instance_id
        else None
    )
    with rt.db.write() as s:
        used = s.execute(
            SurveyToken.__table__.update()
            .where(SurveyToken.id == t.id, SurveyToken.used_at.is_(None))
            .values(used_at=now)
        )
    if done is None:
        raise NotFound("this survey is closed: the complaint has moved on", code="survey.closed")
    return {
        "number": c.number,
        "satisfaction": data["satisfaction"],
        "recorded": used.rowcount == 1,
        "reopened": data["satisfaction"] == "unsatisfied",
    }
