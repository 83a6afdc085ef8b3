"""Malformed requests get a 4xx problem+json naming the field, and nothing is stored half-way.

Each case is one that answered 500: request JSON nested 5,000-100,000 deep, a lone surrogate in a
body (SQLite and PostgreSQL), and numbers in query strings that str.isdigit accepts but int or the
database does not ("²", twenty nines, five thousand digits).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from .flow import registration, scenario
from .web_client import Web

PROBLEM = "application/problem+json"


def nested(depth: int) -> bytes:
    return b'{"process_id": "complaint_handling", "data": {"x": ' + b"[" * depth + b"]" * depth + b"}}"


@pytest.mark.parametrize("path", ["/process-instances", "/complaints", "/tasks/nothing/complete"])
@pytest.mark.parametrize("depth", [65, 5_000, 100_000])
def test_request_json_nested_beyond_the_documented_limit_is_refused(api, deployed, path, depth):
    r = api.post("agent", path, data=nested(depth), content_type="application/json")
    assert r.status_code in (400, 404, 422) and r.mimetype == PROBLEM
    if r.status_code == 422:
        assert "nested deeper than 64" in r.get_json()["errors"][0]["message"]


def test_json_nested_within_the_limit_is_read(api, deployed):
    r = api.post("agent", "/process-instances", data=nested(20), content_type="application/json")
    assert r.status_code != 500 and "nested" not in str(r.get_json())


@pytest.mark.parametrize("raw", ['"\\ud800"', '"x\\udfff"', '"\\ud800\\u0041"'])
def test_a_lone_surrogate_in_a_body_is_refused_and_nothing_is_stored(api, deployed, rt, raw):
    from app.models import Complaint

    body = registration(scenario("general_satisfied_first_reply"))
    text = json.dumps(body, ensure_ascii=False).replace('"matter": "', f'"matter": {raw[:-1]}', 1)
    r = api.post("agent", "/complaints", data=text, content_type="application/json")
    assert r.status_code == 422 and r.mimetype == PROBLEM
    assert "surrogate" in r.get_json()["errors"][0]["message"]
    with rt.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Complaint)) == 0
    good = api.post("agent", "/complaints", json=body)
    assert good.status_code == 201, good.get_json()


def test_a_paired_surrogate_escape_is_an_ordinary_character(api, deployed):
    body = registration(scenario("general_satisfied_first_reply"))
    text = json.dumps(body, ensure_ascii=False).replace('"matter": "', '"matter": "\\ud83d\\ude00', 1)
    r = api.post("agent", "/complaints", data=text, content_type="application/json")
    assert r.status_code == 201, r.get_json()


BAD_NUMBERS = ["²", "99999999999999999999999", "9" * 5000, "-1", "1e3", "٣"]


@pytest.mark.parametrize("value", BAD_NUMBERS)
@pytest.mark.parametrize(
    "path",
    [
        "/tasks?offset={}",
        "/tasks?limit={}",
        "/tasks?assignee={}",
        "/complaints?offset={}",
        "/process-instances?assignee={}",
        "/process-instances?limit={}",
        "/incidents?offset={}",
        "/process-models/complaint_handling/diff?from={}&to=1",
    ],
)
def test_numbers_in_query_strings_are_validated(api, deployed, path, value):
    user = "owner" if "process-models" in path else "manager" if "process-instances" in path else "supervisor"
    r = api.get(user, path.format(value))
    assert r.status_code != 500
    if r.status_code >= 400:
        assert r.mimetype == PROBLEM and r.status_code in (400, 404, 422)
    if r.status_code == 422:
        field = path.split("?")[1].split("=")[0] if "{}" in path.split("?")[1].split("&")[0] else "from"
        assert any(e["field"] == field for e in r.get_json()["errors"])


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_pages_ignore_numbers_they_cannot_use(app, deployed, value):
    web = Web(app)
    web.login("manager")
    assert web.get(f"/complaints?offset={value}").status_code == 200
    web.login("owner")
    assert web.get(f"/models/complaint_handling?version={value}").status_code == 200
    assert web.get(f"/models/complaint_handling?from={value}&to=1").status_code == 200


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_the_calendar_page_ignores_a_year_it_cannot_use(app, deployed, value):
    web = Web(app)
    web.login("owner")
    assert web.get(f"/calendar?year={value}").status_code in (200, 403)


def test_a_transfer_to_a_user_written_in_strange_digits_is_a_clear_refusal(api, deployed):
    from .flow import registration, scenario

    created = api.post("agent", "/complaints", json=registration(scenario("general_satisfied_first_reply")))
    assert created.status_code == 201, created.get_json()
    tasks = api.get("agent", "/tasks").get_json()["items"]
    assert tasks
    for value in ("²", "9" * 30):
        r = api.post("agent", f"/tasks/{tasks[0]['id']}/transfer", json={"to_user": value, "reason": "x"})
        assert r.status_code in (400, 403, 404, 409, 422) and r.mimetype == PROBLEM
