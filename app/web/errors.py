"""Service errors and HTTP errors as HTML pages (the API keeps its problem+json handlers)."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import ServiceError
from .i18n import N_
from .refusals import error_text


def _page(status: int, title_key: str, detail: str = ""):
    return render_template("errors/error.html", status=status, title_key=title_key, detail=detail), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        keys = {
            404: N_("error.not_found"),
            403: N_("error.forbidden"),
            409: N_("error.conflict"),
            422: N_("error.invalid"),
            401: N_("error.unauthorized"),
            503: N_("error.unavailable"),
        }
        # Never confirm that another department's record exists: its detail stays generic.
        return _page(
            exc.status, keys.get(exc.status, N_("error.generic")), "" if exc.status == 404 else error_text(exc)
        )

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _page(400, N_("error.csrf"))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.blueprint == "api":  # the API's own handler answers in JSON
            return exc
        keys = {
            404: N_("error.not_found"),
            403: N_("error.forbidden"),
            413: N_("error.too_large"),
            405: N_("error.generic"),
        }
        return _page(exc.code or 500, keys.get(exc.code, N_("error.generic")))
