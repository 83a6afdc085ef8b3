"""/auth/token: exchange a username and password for a bearer token, and revoke it."""

from __future__ import annotations

from flask import jsonify, request

from ..errors import Invalid
from ..services.accounts import users as accounts
from . import bp, json_body, runtime, viewer


def _address() -> str | None:
    return request.remote_addr


@bp.post("/auth/token")
def issue_token():
    """Issue a bearer token."""
    body = json_body()
    username, password = body.get("username"), body.get("password")
    errors = [
        {"field": f, "message": "required"}
        for f, v in (("username", username), ("password", password))
        if not isinstance(v, str) or not v
    ]
    if errors:
        raise Invalid("username and password are required", errors)
    viewer = accounts.authenticate(runtime(), username, password, address=_address())
    return jsonify(accounts.issue_token(runtime(), viewer) | {"username": viewer.name, "groups": sorted(viewer.groups)})


@bp.delete("/auth/token")
def revoke_token():
    """Revoke the bearer token this request carries (every token of the user with ?all=true)."""
    every = request.args.get("all", "false")
    if every not in ("true", "false"):
        raise Invalid("all must be true or false", [{"field": "all", "message": "expected true or false"}])
    if every == "true":
        accounts.revoke_tokens(runtime(), viewer().id)
    else:  # authenticate() let only a valid bearer token through to here
        accounts.revoke_token(runtime(), request.headers["Authorization"][7:].strip())
    return "", 204
