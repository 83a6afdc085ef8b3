"""POST /auth/token: exchange a username and password for a bearer token."""
from __future__ import annotations

from flask import jsonify

from ..errors import Invalid
from ..services.accounts import users as accounts
from . import bp, json_body, runtime


@bp.post("/auth/token")
def issue_token():
    """Issue a bearer token."""
    body = json_body()
    username, password = body.get("username"), body.get("password")
    errors = [{"field": f, "message": "required"} for f, v in (("username", username), ("password", password))
              if not isinstance(v, str) or not v]
    if errors:
        raise Invalid("username and password are required", errors)
    viewer = accounts.authenticate(runtime(), username, password)
    return jsonify(accounts.issue_token(runtime(), viewer) | {"username": viewer.name, "groups": sorted(viewer.groups)})
