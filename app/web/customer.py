"""The customer's own page (online channel, no sign-in): file a complaint, follow it, answer the survey.

Every rule that keeps one customer's data from another lives in app/services/complaints/public_channel.py; these views
only render. Errors keep the same shape whatever their cause (a wrong number and a wrong phone read alike).
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ..errors import Invalid, NotFound, TooManyRequests
from ..services.complaints import public_channel
from .access import runtime

bp = Blueprint("customer", __name__, url_prefix="/customer")
FILE_FIELDS = ("customer_name", "customer_phone", "customer_email", "place", "matter", "demand")


def _address() -> str:
    # The peer address; behind a reverse proxy, wrap the app in werkzeug's ProxyFix so it is the client's.
    return request.remote_addr or "unknown"


def _errors(exc: Invalid) -> dict[str, str]:
    return {e.get("field") or "": e.get("message", "") for e in exc.errors}


@bp.get("/")
def home():
    """The entry of the online channel."""
    return render_template("customer/home.html")


@bp.route("/file", methods=["GET", "POST"])
def file():
    """File a complaint: the form, an arithmetic check, a limit per address and phone."""
    rt = runtime()
    values = {k: request.form.get(k, "") for k in FILE_FIELDS} if request.method == "POST" else {}
    errors, status = {}, 200
    if request.method == "POST":
        fields = dict(values, captcha_token=request.form.get("captcha_token"), captcha_answer=request.form.get("captcha_answer"))
        try:
            created = public_channel.file_complaint(rt, fields, _address())
            return render_template("customer/filed.html", number=created["number"]), 201
        except Invalid as exc:
            errors, status = _errors(exc), 422
        except TooManyRequests as exc:
            errors, status = {"": "public.too_many"}, 429
            return render_template("customer/file.html", values=values, errors=errors,
                                   challenge=public_channel.new_challenge(rt)), status, {"Retry-After": str(exc.extra.get("retry_after", 60))}
    return render_template("customer/file.html", values=values, errors=errors, challenge=public_channel.new_challenge(rt)), status


@bp.route("/track", methods=["GET", "POST"])
def track():
    """Follow a complaint by its number and the last four digits of its phone."""
    if request.method == "GET":
        return render_template("customer/track.html", result=None, error=None, number=request.args.get("number", ""))
    number, last4 = request.form.get("number", ""), request.form.get("last4", "")
    try:
        result = public_channel.track(runtime(), number, last4, _address())
    except NotFound:
        return render_template("customer/track.html", result=None, error="public.track_not_found", number=number), 404
    except TooManyRequests as exc:
        return (render_template("customer/track.html", result=None, error="public.too_many", number=number), 429,
                {"Retry-After": str(exc.extra.get("retry_after", 60))})
    return render_template("customer/track.html", result=result, error=None, number=result["number"])


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
    values = {k: request.form.get(k, "") for k in ("satisfaction", "satisfaction_reason", "rating_timeliness",
                                                   "rating_attitude", "rating_result", "rating_process")}
    try:
        done = public_channel.answer_survey(rt, token, values, _address())
    except Invalid as exc:
        return render_template("customer/survey.html", info=info, errors=_errors(exc), values=values), 422
    except NotFound:
        return render_template("customer/survey.html", info=dict(info, state="closed"), errors={}, values=values), 409
    except TooManyRequests:
        return render_template("customer/survey.html", info=info, errors={"": "public.too_many"}, values=values), 429
    return redirect(url_for("customer.thanks", reopened=int(done["reopened"]), number=done["number"]))


@bp.get("/thanks")
def thanks():
    """After the survey."""
    return render_template("customer/thanks.html", reopened=request.args.get("reopened") == "1",
                           number=request.args.get("number", "")[:20])
