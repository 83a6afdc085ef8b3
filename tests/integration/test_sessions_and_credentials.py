"""Sessions and credentials under attack: replayed cookies, kept tokens, guessed passwords, missing keys.

Each test replays an attack that worked before these defences and asserts the refusal a user or an
operator would see: a redirect to sign-in, a 401, a 429 with Retry-After, a start-up that stops.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from tests.conftest import make_app
from tests.integration.web_client import Web

STRANGER = {"REMOTE_ADDR": "203.0.113.66"}
DESK = {"REMOTE_ADDR": "10.1.2.3"}


def token_for(client, user="agent", env=None):
    r = client.post("/api/v1/auth/token", json={"username": user, "password": "demo1234"}, environ_base=env or {})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_a_session_cookie_replayed_after_sign_out_is_refused(app, demo_users):
    web = Web(app).login("agent")
    stolen = web.client.get_cookie("session").value
    assert web.client.get("/").status_code == 200
    web.post("/logout")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    r = replay.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_an_api_token_stops_working_when_its_user_signs_out_of_the_pages(app, client, demo_users):
    token = token_for(client)
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200
    web = Web(app).login("agent")
    web.post("/logout")
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 401


def test_delete_auth_token_revokes_the_token_sent_or_all_of_the_users(client, demo_users):
    first, second, third = token_for(client), token_for(client), token_for(client)
    assert client.delete("/api/v1/auth/token", headers=bearer(first)).status_code == 204
    assert client.get("/api/v1/tasks", headers=bearer(first)).status_code == 401
    assert client.get("/api/v1/tasks", headers=bearer(second)).status_code == 200
    r = client.delete("/api/v1/auth/token?all=maybe", headers=bearer(second))
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "all"
    assert client.delete("/api/v1/auth/token?all=true", headers=bearer(second)).status_code == 204
    assert client.get("/api/v1/tasks", headers=bearer(third)).status_code == 401
    assert client.delete("/api/v1/auth/token").status_code == 401


def test_the_openapi_document_lists_token_revocation(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post", "delete"} <= set(paths["/auth/token"])
    assert "204" in paths["/auth/token"]["delete"]["responses"]


def test_an_api_token_expires(app, client, clock, demo_users):
    token = token_for(client)
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200
    clock.advance(timedelta(hours=app.config["TOKEN_TTL_HOURS"]))
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 401


def test_a_token_already_used_sees_its_user_deactivated_or_regrouped_by_another_process_at_once(
    app, client, rt, demo_users
):
    # An operator's SQL or another worker or host changes the tables; this worker verified the
    # tokens a moment ago (and keeps what it made of their rows): the next call must see the change.
    from sqlalchemy import text

    manager, agent = token_for(client, "manager"), token_for(client)
    assert client.get("/api/v1/reports/dashboard", headers=bearer(manager)).status_code == 200
    assert client.get("/api/v1/tasks", headers=bearer(agent)).status_code == 200
    with rt.db.write() as s:
        s.execute(text("DELETE FROM user_group WHERE user_id = (SELECT id FROM app_user WHERE username = 'manager')"))
        s.execute(text("UPDATE app_user SET active = FALSE WHERE username = 'agent'"))
    assert client.get("/api/v1/reports/dashboard", headers=bearer(manager)).status_code == 403
    assert client.get("/api/v1/tasks", headers=bearer(agent)).status_code == 401
    with rt.db.write() as s:
        s.execute(text("DELETE FROM api_token"))
    assert client.get("/api/v1/tasks", headers=bearer(manager)).status_code == 401


def test_a_session_ends_after_idle_time_and_after_its_absolute_limit(app, clock, demo_users):
    idle, hours = app.config["SESSION_IDLE_MINUTES"], app.config["SESSION_HOURS"]
    web = Web(app).login("agent")
    clock.advance(timedelta(minutes=idle - 1))
    assert web.client.get("/").status_code == 200  # in use: the idle clock starts again
    clock.advance(timedelta(minutes=idle - 1))
    assert web.client.get("/").status_code == 200
    clock.advance(timedelta(minutes=idle + 1))
    assert web.client.get("/").status_code == 302  # left alone too long

    web = Web(app).login("agent")
    for _ in range(hours * 60 // (idle - 1) + 1):
        clock.advance(timedelta(minutes=idle - 1))
        r = web.client.get("/")
        if r.status_code == 302:
            break
    assert r.status_code == 302, "a session kept busy still ends SESSION_HOURS after sign-in"


def test_the_session_cookie_is_lax_httponly_and_secure_only_under_tls(app, db_url, clock, tmp_path, demo_users):
    web = Web(app)
    web.get("/login")
    r = web.post("/login", {"username": "agent", "password": "demo1234"})
    cookie = r.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" not in cookie
    tls = make_app(db_url, clock, tmp_path, HTTPS=True)
    try:
        web = Web(tls)
        r = web.get("/login")
        assert "Secure" in r.headers["Set-Cookie"] and "SameSite=Lax" in r.headers["Set-Cookie"]
        assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        tls.extensions["complaintflow"].db.dispose()


def test_a_stranger_guessing_cannot_lock_a_user_out_of_their_own_desk(client, clock, demo_users):
    token_for(client, env=DESK)  # the agent signed in from their desk before
    refused = 0
    for _ in range(50):
        r = client.post("/api/v1/auth/token", json={"username": "agent", "password": "guess"}, environ_base=STRANGER)
        refused += r.status_code == 429
        clock.advance(timedelta(milliseconds=500))
    assert refused > 30  # the stranger is slowed down...
    token_for(client, env=DESK)  # ...and the agent at the desk is not


def _try(client, user, env, password="guess"):
    return client.post("/api/v1/auth/token", json={"username": user, "password": password}, environ_base=env)


def test_guessing_one_account_from_many_addresses_meets_growing_delays(app, client, clock, demo_users):
    free = app.config["SIGN_IN_MAX_FAILURES"]
    for i in range(free):
        assert _try(client, "agent", {"REMOTE_ADDR": f"198.51.100.{i}"}).status_code == 401
    waits = []
    for i in range(4):
        r = _try(client, "agent", {"REMOTE_ADDR": f"198.51.100.{100 + i}"}, password="demo1234")
        assert r.status_code == 429 and r.mimetype == "application/problem+json"  # not even the right password
        waits.append(int(r.headers["Retry-After"]))
        clock.advance(timedelta(seconds=waits[-1]))
        assert _try(client, "agent", {"REMOTE_ADDR": f"198.51.100.{200 + i}"}).status_code == 401
    assert waits == [1, 2, 4, 8]


def test_trying_many_usernames_from_one_address_meets_growing_delays(app, client, clock, demo_users):
    free = app.config["SIGN_IN_ADDRESS_FAILURES"]
    statuses = [_try(client, f"user{i}", STRANGER).status_code for i in range(free)]
    assert statuses == [401] * free
    r = _try(client, "user-next", STRANGER)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) == 1
    clock.advance(timedelta(seconds=1))
    assert _try(client, "user-next", STRANGER).status_code == 401
    assert int(_try(client, "user-after", STRANGER).headers["Retry-After"]) == 2
    assert _try(client, "agent", DESK, password="demo1234").status_code == 200  # elsewhere nobody waits


def test_the_sign_in_page_says_how_long_to_wait(app, clock, demo_users):
    web = Web(app)
    web.get("/login")
    for _ in range(app.config["SIGN_IN_MAX_FAILURES"]):
        assert web.post("/login", {"username": "agent", "password": "guess"}).status_code == 401
    r = web.post("/login", {"username": "agent", "password": "demo1234"})
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert "请 1 秒后再试" in r.get_data(as_text=True)


def test_start_up_stops_without_a_secret_key_and_names_the_setting(sqlite_url, monkeypatch):
    from app import create_app

    monkeypatch.delenv("COMPLAINTFLOW_SECRET_KEY", raising=False)
    monkeypatch.delenv("COMPLAINTFLOW_SECRET_KEY_FILE", raising=False)
    with pytest.raises(SystemExit, match="COMPLAINTFLOW_SECRET_KEY"):
        create_app({"DATABASE_URL": sqlite_url})


def test_a_secret_key_file_is_made_once_private_and_kept(sqlite_url, tmp_path, monkeypatch):
    from app import create_app

    monkeypatch.delenv("COMPLAINTFLOW_SECRET_KEY", raising=False)
    path = tmp_path / "keys" / "secret_key"
    first = create_app({"DATABASE_URL": sqlite_url, "SECRET_KEY_FILE": str(path)})
    second = create_app({"DATABASE_URL": sqlite_url, "SECRET_KEY_FILE": str(path)})
    try:
        assert first.secret_key == second.secret_key == path.read_text().strip() and len(first.secret_key) == 64
        assert os.stat(path).st_mode & 0o777 == 0o600
    finally:
        for a in (first, second):
            a.extensions["complaintflow"].db.dispose()
