"""Sign in and out, CSRF on every form, sessions that expire, the vendored libraries."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.web_client import Web


def test_pages_need_a_signed_in_user(app, demo_users):
    client = app.test_client()
    r = client.get("/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/")


def test_sign_in_shows_the_inbox_and_sign_out_ends_the_session(app, demo_users):
    web = Web(app).login("agent")
    page = web.text("/")
    assert "王芳" in page and "待办" in page and "登记投诉" in page
    r = web.post("/logout")
    assert r.status_code == 302
    assert web.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(app, demo_users):
    web = Web(app)
    web.get("/login")
    r = web.post("/login", {"username": "agent", "password": "wrong-password"})
    assert r.status_code == 401 and "用户名或密码错误" in r.get_data(as_text=True)


def test_forms_without_a_csrf_token_are_refused_but_the_api_is_exempt(app, demo_users):
    client = app.test_client()
    r = client.post("/login", data={"username": "agent", "password": "demo1234"})
    assert r.status_code == 400
    r = client.post("/api/v1/auth/token", json={"username": "agent", "password": "demo1234"})
    assert r.status_code == 200


def test_the_next_parameter_never_leaves_the_site(app, demo_users):
    web = Web(app)
    web.get("/login")
    r = web.post("/login", {"username": "agent", "password": "demo1234", "next": "//evil.example/x"})
    assert r.headers["Location"] == "/"


def test_the_session_expires_after_session_hours(app, demo_users, clock):
    web = Web(app).login("agent")
    clock.advance(timedelta(hours=app.config["SESSION_HOURS"], minutes=1))
    r = web.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_the_language_switches_to_english_and_back(app, demo_users):
    web = Web(app).login("agent")
    web.post("/locale", {"locale": "en", "next": "/"})
    assert "Inbox" in web.text("/")
    web.post("/locale", {"locale": "zh-CN", "next": "/"})
    assert "待办" in web.text("/")


def test_navigation_follows_roles(app, demo_users):
    assert "登记投诉" not in Web(app).login("network").text("/")
    assert Web(app).login("network").get("/complaints/new").status_code == 403


def test_vendor_serves_only_whitelisted_package_folders(app):
    client = app.test_client()
    with client.get("/vendor/bpmn-js/dist/bpmn-viewer.production.min.js") as r:
        assert r.status_code == 200 and b"BpmnJS" in r.data
    assert client.get("/vendor/bpmn-js/package.json").status_code == 404
    assert client.get("/vendor/left-pad/index.js").status_code == 404
    assert client.get("/vendor/echarts/dist/../package.json").status_code == 404
