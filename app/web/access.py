"""Who is signed in: the session's user as a Viewer on ``g``, and the guards views wear.

The signed cookie holds a random session id, the display name and the locale; the session itself
lives in the database (services/accounts/web_sessions.py), which ends it at sign-out, after
SESSION_IDLE_MINUTES without a request and SESSION_HOURS after sign-in (read on the app clock).
The user is re-read on each request so that a deactivated account loses access at once.
"""

from __future__ import annotations

import functools
from typing import Callable

from flask import Flask, current_app, flash, g, redirect, request, session, url_for

from ..domain import policy
from ..errors import Forbidden
from ..services.accounts import users as accounts, web_sessions
from ..services.runtime import Runtime
from ..domain.actors import Viewer
from .i18n import N_

# Requests that never need the user (static files, the vendored libraries, the sign-in page).
_ANONYMOUS_PREFIXES = ("/static/", "/vendor/")


def runtime() -> Runtime:
    return current_app.extensions["complaintflow"]


def viewer() -> Viewer:
    return g.viewer


def sign_in(v: Viewer, display_name: str, locale: str, time_zone: str | None = None) -> None:
    """Start a fresh session for a user (a new session id: no fixation), in their language and time zone."""
    keep_locale = session.get("locale")
    web_sessions.end(runtime(), session.get("sid"))
    session.clear()
    session.permanent = True
    session["sid"] = web_sessions.start(runtime(), v.id)
    session["name"] = display_name
    session["locale"] = keep_locale or locale
    if time_zone:
        session["tz"] = time_zone


def sign_out() -> None:
    """End the session on the server and the user's API tokens: a copy of either is refused from now on."""
    web_sessions.end(runtime(), session.get("sid"))
    if g.get("viewer") is not None:
        accounts.revoke_tokens(runtime(), g.viewer.id)
    _forget()


def _forget() -> None:
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def load_viewer() -> None:
    """Before each page's request: the session's user as g.viewer, or None (API calls never come here)."""
    g.viewer = None
    if request.path.startswith(_ANONYMOUS_PREFIXES):
        return
    sid = session.get("sid")
    if sid is None:
        if "uid" in session:  # a cookie from before sessions were kept on the server
            _forget()
        return
    user_id, why = web_sessions.resolve(runtime(), sid)
    if user_id is None:
        _forget()
        if why in ("idle", "expired"):
            flash(N_("auth.session_expired"), "info")
        return
    g.viewer = accounts.viewer_by_id(runtime(), user_id)
    if g.viewer is None:
        web_sessions.end(runtime(), sid)
        _forget()


def login_required(view: Callable) -> Callable:
    """Send anonymous users to the sign-in page, then back here."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("viewer") is None:
            target = request.full_path.rstrip("?") if request.method == "GET" else request.referrer
            return redirect(url_for("auth.login", next=target or None))
        return view(*args, **kwargs)

    return wrapped


def capability_required(capability: str) -> Callable[[Callable], Callable]:
    """Signed in and holding the capability of domain.policy, else 403."""
    policy.holders(capability)  # an unknown name fails at import, not at the first request

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.get("viewer") is None:
                return login_required(view)(*args, **kwargs)
            if not g.viewer.can(capability):
                raise Forbidden(
                    "this page is for: " + ", ".join(sorted(policy.holders(capability))), code="page.not_allowed"
                )
            return view(*args, **kwargs)

        return wrapped

    return decorate


def init_app(app: Flask) -> None:
    app.before_request(load_viewer)
    app.jinja_env.globals["current_viewer"] = lambda: g.get("viewer")
    app.jinja_env.globals["server_now"] = lambda: runtime().clock.now().isoformat()
