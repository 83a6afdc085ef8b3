"""Service errors and HTTP errors as HTML pages (the API keeps its problem+json handlers)."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import ServiceError


def _page(status: int, title_key: str, detail: str = ""):
    return render_template("errors/error.html", status=status, title_key=title_key, detail=detail), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        keys = {
            404: "error.not_found",
            403: "error.forbidden",
            409: "error.conflict",
            422: "error.invalid",
            401: "error.unauthorized",
            503: "error.unavailable",
        }
        # Never confirm that another department's record exists: its detail stays generic.
        return _page(exc.status, keys.get(exc.status, "error.generic"), "" if exc.status == 404 else exc.detail)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _page(400, "error.csrf")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.blueprint == "api":  # the API's own handler answers in JSON
            return exc
        keys = {404: "error.not_found", 403: "error.forbidden", 413: "error.too_large", 405: "error.generic"}
        return _page(exc.code or 500, keys.get(exc.code, "error.generic"))
