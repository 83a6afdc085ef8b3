"""Suggestions at intake: registration answers with them, decisions are recorded, overrides teach the next model;
repeat detection by text; bursts suggest an outage incident; history import is all or nothing."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.models import Complaint, HistoryRecord, TextSuggestion
from app.services.text_intelligence import bursts, model_registry, suggestions

from .flow import complete, ready_task


@pytest.fixture
def trained(rt, deployed):
    """The cold-start model (the seed set in config/, a few hundred texts)."""
    return model_registry.train_version(rt, "test", evaluate=False)


def _register(api, matter: str, phone: str = "13800000001", name: str = "张伟") -> dict:
    r = api.post("agent", "/complaints", json={"customer_name": name, "customer_phone": phone, "channel": "phone",
                                               "matter": matter})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_registration_answers_with_suggestions_and_nothing_is_applied(api, rt, trained):
    created = _register(api, "这个月话费莫名其妙多扣了五十元，我从来没有订过什么会员，要求退费")
    fields = created["suggestions"]["fields"]
    assert created["suggestions"]["model_version"] == trained["version"]
    assert fields["category"]["value"] == "billing" and 0 < fields["category"]["confidence"] <= 1
    assert fields["special_type"]["value"] == "none"
    assert {"severity", "department"} <= set(fields)
    with rt.db.read() as s:
        c = s.get(Complaint, created["id"])
        assert c.category is None and c.department is None  # a suggestion is never applied on its own
        row = s.scalars(select(TextSuggestion).where(TextSuggestion.complaint_id == c.id)).one()
        assert row.suggested["category"]["value"] == "billing" and row.decided == {}
