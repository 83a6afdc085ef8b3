"""A browser-like test client for the HTML pages: signs in through the form, sends CSRF tokens."""

from __future__ import annotations

import re

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


class Web:
    """Signs in as one demo user at a time and posts forms with the page's CSRF token."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.token = ""

    def get(self, path: str, **kw):
        r = self.client.get(path, **kw)
        m = CSRF.search(r.get_data(as_text=True)) if r.mimetype == "text/html" else None
        if m:
            self.token = m.group(1)
        return r

    def post(self, path: str, data=None, **kw):
        if not self.token:
            self.get("/login")
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        return self.client.post(path, data=data, **kw)

    def login(self, username: str, password: str = "demo1234"):
        self.client = self.app.test_client()  # a fresh cookie jar: one user per client
        self.get("/login")
        r = self.post("/login", {"username": username, "password": password})
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        self.get("/")
        return self

    def text(self, path: str, status: int = 200, **kw) -> str:
        r = self.get(path, **kw)
        assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:2000])
        return r.get_data(as_text=True)
