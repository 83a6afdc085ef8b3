"""Attacks on where the pages send a browser next: the sign-in and language forms' ``next``."""

from __future__ import annotations

import pytest

from tests.integration.web_client import Web

# Browsers read a backslash as a slash and drop tabs and line breaks inside a URL, so each of
# these leaves the site although it starts with a single "/".
OFF_SITE = [
    "/\\evil.example/x",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "\\\\evil.example",
    " //evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_sends_the_browser_off_the_site(app, demo_users, target):
    web = Web(app)
    web.get("/login")
    r = web.post("/login", {"username": "agent", "password": "demo1234", "next": target})
    assert r.status_code == 302
    location = r.headers["Location"]
    assert location == "/" or location.startswith("/") and not _leaves(location), location


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_never_sends_the_browser_off_the_site(app, demo_users, target):
    web = Web(app).login("agent")
    r = web.post("/locale", {"locale": "en", "next": target})
    assert r.status_code == 302 and not _leaves(r.headers["Location"]), r.headers["Location"]


def test_a_path_on_the_site_is_still_followed(app, demo_users):
    web = Web(app)
    web.get("/login")
    r = web.post("/login", {"username": "agent", "password": "demo1234", "next": "/reports/instances?q=a%2Fb"})
    assert r.headers["Location"] == "/reports/instances?q=a%2Fb"


def _leaves(location: str) -> bool:
    """What a browser does with the Location: strip tabs/newlines, read backslashes as slashes."""
    cleaned = location.strip().replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    return not cleaned.startswith("/") or cleaned.startswith("//")
