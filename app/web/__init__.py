"""The browser front end: server-rendered HTML blueprints, one per feature, sharing one layout.

``init_app`` wires sessions, CSRF (every form; the JSON API is exempt, it uses bearer tokens),
the message catalogue, navigation and the feature blueprints. Later features (process models,
reports) add a blueprint here and a navigation item in ``nav.py``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader

from .sessions import CookieSessions

csrf = CSRFProtect()
HERE = Path(__file__).parent


def init_app(app: Flask) -> None:
    """Register the web layer on an app made by create_app."""
    # Assigned, not setdefault: Flask defines every SESSION_COOKIE_* key already (SameSite None,
    # Secure off, a 31-day lifetime), so a setdefault here would never take effect.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_HOURS"])
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config.get("HTTPS"))
    # The token lives as long as the session (which expires after SESSION_HOURS) instead of 1 h,
    # so a form left open over lunch still submits.
    app.config["WTF_CSRF_TIME_LIMIT"] = None
    # The web layer owns the app's templates and static files (the app package has none of its own).
    app.static_folder = str(HERE / "static")
    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(HERE / "templates")), app.jinja_loader])
    app.session_interface = CookieSessions()
    hooks_before = list(app.before_request_funcs.get(None, ()))
    csrf.init_app(app)
    from ..api import bp as api_bp

    csrf.exempt(api_bp)
    csrf_hooks = [f for f in app.before_request_funcs.get(None, ()) if f not in hooks_before]

    from . import access, calendar, errors, i18n, labels, nav, rich_text, security_headers, vendor
    from . import auth, complaints, evidence, favicon, inbox, notices, process_models, settings, tasks

    security_headers.init_app(app)
    rich_text.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    nav.init_app(app)
    access.init_app(app)
    _pages_only(app, [*csrf_hooks, access.load_viewer])
    errors.init_app(app)
    calendar.init_app(app)
    for module in (vendor, favicon, auth, inbox, notices, settings, tasks, complaints, evidence, process_models):
        app.register_blueprint(module.bp)
    from . import reports  # managers' pages: instance search and page, dashboard, regulator

    reports.init_app(app)
    from . import satisfaction  # 满意度分析: the ratings, the correlation, the in-progress surveys

    satisfaction.init_app(app)
    from . import branches  # the flow's branches: outages, appeals, the customer's own page

    branches.init_app(app)
    from . import extensions  # 延期 requests on the task page, decisions on /extensions

    extensions.init_app(app)
    from . import text_intelligence  # suggestions at intake, the classifier page, bursts, topics

    text_intelligence.init_app(app)
    from . import improvement  # improvement actions (整改) and the periodicity page

    improvement.init_app(app)


def _pages_only(app: Flask, hooks: list) -> None:
    """Run the pages' before-request hooks (CSRF, the session's viewer) behind one check for the API.

    Both let API calls through anyway (its blueprint is CSRF-exempt; the viewer of an API call is its
    bearer token's, app/api), but each asked Flask for a call and the request for its blueprint on
    every API call. They stay in their place and order among the app's hooks; nothing else moves.
    """
    funcs = app.before_request_funcs[None]
    at = [funcs.index(f) for f in hooks]
    if at != list(range(at[0], at[0] + len(hooks))):
        raise RuntimeError("the pages' before-request hooks are no longer registered one after another")

    def page_hooks():
        if request.blueprint == "api":
            return None
        for hook in hooks:
            rv = hook()
            if rv is not None:
                return rv
        return None

    funcs[at[0] : at[0] + len(hooks)] = [page_hooks]
