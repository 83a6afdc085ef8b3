"""Attacks with a NUL character, which PostgreSQL's text columns refuse: a 4xx, never a 500."""

from __future__ import annotations

import pytest

from tests.integration.web_client import Web


@pytest.mark.also_postgres
def test_a_nul_in_a_form_or_a_json_body_is_refused_not_a_500(app, api, deployed):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    web = Web(app)
    web.get("/customer/file")
    r = web.post(
        "/customer/file",
        {
            "customer_name": "张\x00三",
            "customer_phone": "13800138000",
            "matter": "停电\x00",
            "place": "x",
            "demand": "y",
        },
    )
    assert r.status_code < 500, r.status_code
    r = api.post(
        "agent",
        "/complaints",
        json={
            "customer_name": "张\x00三",
            "customer_phone": "13800138000",
            "matter": "停电\x00了",
            "category": "power_outage",
        },
    )
    assert r.status_code < 500, (r.status_code, r.get_data(as_text=True)[:300])
    r = (
        Web(app)
        .login("agent")
        .post("/complaints/new", {"customer_name": "张\x00三", "customer_phone": "13800138000", "matter": "停电\x00了"})
    )
    assert r.status_code < 500, r.status_code
