"""The customer's own page (online channel, no sign-in): file a complaint, follow it, answer the survey.

Every rule that keeps one customer's data from another lives in app/services/complaints/public_channel.py; these views
only render. Errors keep the same shape whatever their cause (a wrong number and a wrong phone read alike).
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ..errors import Invalid, NotFound, TooManyRequests
from ..services.complaints import customer_evidence, public_channel
from .access import runtime
from .evidence import refusal_text
from .i18n import N_
from .refusals import field_errors

bp = Blueprint("customer", __name__, url_prefix="/customer")
FILE_FIELDS = ("customer_name", "customer_phone", "customer_email", "place", "matter", "demand")


def _address() -> str:
    # The peer address; behind a reverse proxy, wrap the app in werkzeug's ProxyFix so it is the client's.
    return request.remote_addr or "unknown"


def _errors(exc: Invalid) -> dict[str, str]:
    return field_errors(exc)


@bp.get("/")
def home():
    """The entry of the online channel."""
    return render_template("customer/home.html")


def _uploads() -> list:
    return [(u.filename, u.stream) for u in request.files.getlist("evidence__upload") if u and u.filename]


def _file_form(values, errors, status, *, kept=(), challenge=None, headers=None):
    rt = runtime()
    return (
        render_template(
            "customer/file.html",
            values=values,
            errors=errors,
            challenge=challenge or public_channel.new_challenge(rt),
            kept=list(kept),
            held=customer_evidence.hold(rt, [k["id"] for k in kept]),
        ),
        status,
        headers or {},
    )


@bp.route("/file", methods=["GET", "POST"])
def file():
    """File a complaint: the form, evidence files, an arithmetic check, a limit per address and phone."""
    rt = runtime()
    if request.method == "GET":
        return _file_form({}, {}, 200)
    values = {k: request.form.get(k, "") for k in FILE_FIELDS}
    kept = customer_evidence.held(rt, request.form.get("evidence_held"))
    try:
        new, refused = customer_evidence.keep(rt, _uploads(), _address(), already=len(kept))
    except TooManyRequests as exc:
        return _file_form(values, {"": N_("public.too_many")}, 429, kept=kept, headers=_retry(exc))
    kept += new
    if refused:
        # the challenge was not used: the same question and answer go back, so nothing typed is lost
        same = {"question": request.form.get("captcha_question", ""), "token": request.form.get("captcha_token", "")}
        values["captcha_answer"] = request.form.get("captcha_answer", "")
        errors = {"evidence": "; ".join(refusal_text(r) for r in refused)}
        return _file_form(values, errors, 422, kept=kept, challenge=same)
    fields = dict(
        values, captcha_token=request.form.get("captcha_token"), captcha_answer=request.form.get("captcha_answer")
    )
    try:
        created = public_channel.file_complaint(rt, fields, _address(), [k["id"] for k in kept])
    except Invalid as exc:
        return _file_form(values, _errors(exc), 422, kept=kept)
    except TooManyRequests as exc:
        return _file_form(values, {"": N_("public.too_many")}, 429, kept=kept, headers=_retry(exc))
    link = url_for("customer.track_link", token=public_channel.tracking_link_token(rt, created["number"]))
    return render_template("customer/filed.html", number=created["number"], link=link, files=len(kept)), 201


def _retry(exc: TooManyRequests) -> dict[str, str]:
    return {"Retry-After": str(exc.extra.get("retry_after", 60))}


def _track_page(number: str = "", *, result=None, error=None, sent=False, status=200, headers=None, **more):
    return (
        render_template("customer/track.html", result=result, error=error, number=number, sent=sent, **more),
        status,
        headers or {},
    )


def _too_many(number: str, exc: TooManyRequests):
    return _track_page(
        number, error=N_("public.too_many"), status=429, headers={"Retry-After": str(exc.extra.get("retry_after", 60))}
    )


@bp.route("/track", methods=["GET", "POST"])
def track():
    """Follow a complaint by its number and the one-time code sent to the customer's phone and e-mail."""
    if request.method == "GET":
        return _track_page(request.args.get("number", "")[:20])
    number, code = request.form.get("number", "")[:20], request.form.get("code", "")
    try:
        result = public_channel.track_with_code(runtime(), number, code, _address())
    except NotFound:
        return _track_page(number, error=N_("public.track_not_found"), sent=True, status=404)
    except TooManyRequests as exc:
        return _too_many(number, exc)
    return _track_page(result["number"], result=result)


@bp.post("/track/code")
def send_code():
    """Send a one-time code to the phone and e-mail of the complaint (the page reads alike for any number)."""
    number = request.form.get("number", "")[:20]
    try:
        public_channel.send_code(runtime(), number, _address())
    except Invalid:
        return _track_page(number, error=N_("public.track_number_required"), status=422)
    except TooManyRequests as exc:
        return _too_many(number, exc)
    return _track_page(number, sent=True)


@bp.get("/track/<token>")
def track_link(token: str):
    """Follow a complaint by the link sent to its customer (signed: it cannot be guessed from the number)."""
    try:
        result = public_channel.track_by_link(runtime(), token[:200], _address())
    except NotFound:
        return _track_page(error=N_("public.track_link_invalid"), status=404)
    except TooManyRequests as exc:
        return _too_many("", exc)
    return _track_page(result["number"], result=result)


@bp.post("/track/<token>/evidence")
def add_evidence(token: str):
    """Send more evidence to the complaint its link names; the page then shows the complaint again."""
    rt, token = runtime(), token[:200]
    uploads = _uploads()
    kept, refused, error = [], [], None
    try:
        if uploads:
            kept, refused = customer_evidence.add_by_link(rt, token, uploads, _address())
        else:
            error = N_("public.evidence_none")
        result = public_channel.track_by_link(rt, token, _address())
    except NotFound:
        return _track_page(error=N_("public.track_link_invalid"), status=404)
    except TooManyRequests as exc:
        return _too_many("", exc)
    except Invalid:
        result, error = public_channel.track_by_link(rt, token, _address()), N_("public.evidence_closed")
    return _track_page(
        result["number"],
        result=result,
        error=error,
        added=len(kept),
        evidence_errors=[refusal_text(r) for r in refused],
        status=422 if refused or error else 200,
    )


@bp.route("/survey/<token>", methods=["GET", "POST"])
def survey(token: str):
    """The satisfaction survey the reply's link opens (it works once)."""
    rt = runtime()
    try:
        info = public_channel.open_survey(rt, token)
    except NotFound:
        return render_template("customer/survey.html", info=None, errors={}, values={}), 404
    if request.method == "GET" or info["state"] != "open":
        return render_template("customer/survey.html", info=info, errors={}, values={})
    values = {
        k: request.form.get(k, "")
        for k in (
            "satisfaction",
            "satisfaction_reason",
            "rating_timeliness",
            "rating_attitude",
            "rating_result",
            "rating_process",
        )
    }
    try:
        done = public_channel.answer_survey(rt, token, values, _address())
    except Invalid as exc:
        return render_template("customer/survey.html", info=info, errors=_errors(exc), values=values), 422
    except NotFound:
        return render_template("customer/survey.html", info=dict(info, state="closed"), errors={}, values=values), 409
    except TooManyRequests:
        return render_template(
            "customer/survey.html", info=info, errors={"": N_("public.too_many")}, values=values
        ), 429
    return redirect(url_for("customer.thanks", reopened=int(done["reopened"]), number=done["number"]))


@bp.get("/thanks")
def thanks():
    """After the survey."""
    return render_template(
        "customer/thanks.html", reopened=request.args.get("reopened") == "1", number=request.args.get("number", "")[:20]
    )
