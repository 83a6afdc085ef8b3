"""The API fuzzed from its own OpenAPI document (schemathesis): no 500, no answer outside the document.

Every operation gets FUZZ_EXAMPLES valid requests (positive) and as many invalid ones (negative),
derandomized so CI is repeatable, as a user in every group (so most calls get past the role
checks and reach the services) against a database with a complaint in it. The checks: no server
error; every status, content type, header and body is one the document describes.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import make_app

from .flow import registration, scenario

EXAMPLES = int(os.environ.get("COMPLAINTFLOW_FUZZ_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
GROUPS = ["agent", "dispatcher", "handler_network", "supervisor", "director", "process_owner", "manager"]


@pytest.fixture
def fuzzed_app(sqlite_url, clock, tmp_path, deployed):
    from app.services.accounts.users import create_user, issue_token, viewer_by_id

    app = make_app(sqlite_url, clock, tmp_path)
    rt = app.extensions["complaintflow"]
    uid = create_user(rt, "fuzzer", "fuzzer-password", "Fuzzer", GROUPS)
    token = issue_token(rt, viewer_by_id(rt, uid))["token"]
    client = app.test_client()
    created = client.post(
        "/api/v1/complaints",
        json=registration(scenario("general_satisfied_first_reply")),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.get_json()
    # DELETE /auth/token revokes the token it is sent with: it gets a fresh one per case, so the
    # operations fuzzed after it still get past authentication.
    yield app, token, lambda: issue_token(rt, viewer_by_id(rt, uid))["token"]
    rt.db.dispose()


def test_the_api_answers_only_what_its_document_describes(fuzzed_app):
    app, token, fresh_token = fuzzed_app
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        # Schemathesis' WSGI transport ignores a path's own servers (/healthz, /readyz, /metrics are at /).
        root = operation.definition.raw.get("servers") or schema.raw_schema["paths"][operation.path].get("servers")
        base_url = "http://localhost" if root else None
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case):
                # fuzz() runs at once, inside this iteration: base_url is this iteration's (B023 below).
                bearer = fresh_token() if (case.method.upper(), case.path) == ("DELETE", "/auth/token") else token
                case.call_and_validate(base_url=base_url, headers={"Authorization": f"Bearer {bearer}"}, checks=CHECKS)  # noqa: B023

            try:
                fuzz()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing to get wrong (no parameters, no body)
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them all
                failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:1500]}")
    assert operations >= 30
    assert not failures, f"{len(failures)} failing:\n\n" + "\n\n".join(failures)
