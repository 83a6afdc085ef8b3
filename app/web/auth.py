"""Sign in, sign out and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from ..errors import TooManyRequests, Unauthorized
from ..services.accounts import users as accounts, people
from .access import runtime, sign_in, sign_out
from .i18n import LOCALES, t

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let a phishing link bounce through us."""
    if not target:
        return url_for("inbox.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("inbox.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign in with a username and password."""
    error, status, headers = None, 200, {}
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        try:
            v = accounts.authenticate(
                runtime(), username, request.form.get("password", ""), address=request.remote_addr
            )
        except Unauthorized:
            error, status = t("auth.wrong_password"), 401
        except TooManyRequests as exc:
            wait = exc.extra.get("retry_after", 60)
            error, status, headers = t("auth.slowed", seconds=wait), 429, {"Retry-After": str(wait)}
        else:
            p = people.profile(runtime(), v.id)
            sign_in(v, p["display_name"], p["locale"], p["time_zone"])
            return redirect(_safe_next(request.form.get("next")))
    elif g.get("viewer") is not None:
        return redirect(_safe_next(request.args.get("next")))
    return (
        render_template("auth/login.html", error=error, username=username, next=request.values.get("next", "")),
        status,
        headers,
    )


@bp.post("/logout")
def logout():
    """Sign out."""
    sign_out()
    return redirect(url_for("auth.login"))


@bp.post("/locale")
def set_locale():
    """Switch the language (kept in the session, and for the user's next sign-in)."""
    locale = request.form.get("locale", "")
    if locale in LOCALES:
        session["locale"] = g.locale = locale
        if g.get("viewer") is not None:
            people.set_locale(runtime(), g.viewer.id, locale)
    return redirect(_safe_next(request.form.get("next") or request.referrer and urlsplit(request.referrer).path))
