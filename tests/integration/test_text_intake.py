"""Suggestions at intake: registration answers with them, decisions are recorded, overrides teach the next model;
repeat detection by text; bursts suggest an outage incident; history import is all or nothing."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import Complaint, HistoryRecord, TextSuggestion
from app.services.text_intelligence import bursts, model_registry, similar, suggestions

from .flow import complete, ready_task


@pytest.fixture
def trained(rt, deployed):
    """The cold-start model (the seed set in config/, a few hundred texts)."""
    return model_registry.train_version(rt, "test", evaluate=False)


def _register(api, matter: str, phone: str = "13800000001", name: str = "张伟") -> dict:
    r = api.post(
        "agent",
        "/complaints",
        json={"customer_name": name, "customer_phone": phone, "channel": "phone", "matter": matter},
    )
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


def _classify(api, iid: int, body: dict, category: str, severity: str = "general", special_type: str = "none"):
    assert (
        complete(api, iid, "receive", "agent", body | {"received_at": "2026-03-02T09:00:00+08:00"}).status_code == 200
    )
    r = complete(
        api, iid, "classify", "agent", {"category": category, "severity": severity, "special_type": special_type}
    )
    assert r.status_code == 200, r.get_json()


def test_an_override_is_recorded_and_changes_the_next_model(api, rt, trained):
    matter = "宽带套餐的月费和营业厅说的不一样，每月多收了二十元"
    body = {"customer_name": "李娜", "customer_phone": "13800000002", "channel": "phone", "matter": matter}
    before = suggestions.suggest(rt, matter)["fields"]["category"]
    chosen = "product" if before["value"] != "product" else "aftersales"
    created = _register(api, matter, phone="13800000002", name="李娜")
    _classify(api, created["process_instance_id"], body, chosen)
    with rt.db.read() as s:
        row = s.scalars(select(TextSuggestion).where(TextSuggestion.complaint_id == created["id"])).one()
        assert row.overridden and row.decided["category"] == chosen  # recorded against what was suggested
        assert row.suggested["category"]["value"] == before["value"]
    model_registry.train_version(rt, "test", evaluate=False)
    after = {
        f["value"]: f["confidence"]
        for f in [suggestions.suggest(rt, matter)["fields"]["category"]]
        + suggestions.suggest(rt, matter)["fields"]["category"]["alternatives"]
    }
    assert after.get(chosen, 0.0) > dict(
        [(before["value"], before["confidence"])] + [(a["value"], a["confidence"]) for a in before["alternatives"]]
    ).get(chosen, 0.0)
    assert suggestions.suggest(rt, matter)["fields"]["category"]["value"] == chosen  # the correction now leads


def test_accepted_suggestions_prefill_the_classify_step_and_are_not_an_override(api, rt, trained):
    from app.services.complaints import register as complaints
    from app.domain.actors import Viewer

    with rt.db.read() as s:
        from app.models import User

        agent = s.scalars(select(User).where(User.username == "agent")).one()
    viewer = Viewer(agent.id, agent.display_name, frozenset({"agent"}))
    matter = "家里宽带从昨晚开始断网，光猫一直闪红灯"
    created = complaints.register_complaint(
        rt,
        viewer,
        {"customer_name": "王强", "customer_phone": "13800000003", "channel": "phone", "matter": matter},
        accepted={"category": "network", "severity": "general", "special_type": "none"},
    )
    iid = created["process_instance_id"]
    assert (
        complete(
            api,
            iid,
            "receive",
            "agent",
            {
                "customer_name": "王强",
                "customer_phone": "13800000003",
                "channel": "phone",
                "matter": matter,
                "received_at": "2026-03-02T09:00:00+08:00",
            },
        ).status_code
        == 200
    )
    task = api.get("agent", f"/tasks/{ready_task(api, iid, 'classify', 'agent')['id']}").get_json()
    assert task["data"]["category"] == "network"  # pre-filled; the agent still submits the step
    with rt.db.read() as s:
        assert s.get(Complaint, created["id"]).category is None
        row = s.scalars(select(TextSuggestion).where(TextSuggestion.complaint_id == created["id"])).one()
        assert row.decided["category"] == "network" and row.overridden is (
            row.suggested["category"]["value"] != "network"
        )


def test_repeat_detection_flags_the_same_customer_with_a_similar_matter_before_any_category(api, rt, trained, clock):
    phone = "13900000009"
    first = _register(api, "这个月话费被多扣了三十元，我没有订过任何增值业务，要求退费", phone=phone)
    assert first["repeat"] is None
    r = api.post("agent", "/text/analyse", json={"text": "上次投诉的多扣费还没退", "phone": phone})
    assert r.status_code == 200, r.get_json()
    repeat = r.get_json()["repeat"]
    assert repeat is not None and repeat["id"] == first["id"]  # flagged with no category chosen anywhere
    other = api.post(
        "agent", "/text/analyse", json={"text": "上次投诉的多扣费还没退", "phone": "13900000010"}
    ).get_json()
    assert other["repeat"] is None  # another customer: not a repeat
    second = _register(api, "我的话费又被多扣了三十元，上次说退到现在也没退", phone=phone)
    assert second["repeat"]["number"] == first["number"]  # the registration answer carries it too


def test_similar_complaints_are_listed_with_customer_and_area(api, rt, trained):
    a = _register(api, "朝阳区望京西园小区宽带从早上开始断网，光猫亮红灯", phone="13700000001", name="赵一")
    _register(api, "我的话费账单有一笔不认识的扣费", phone="13700000002", name="钱二")
    r = api.post("agent", "/text/analyse", json={"text": "望京西园小区宽带断网了，光猫红灯"})
    items = r.get_json()["similar"]
    assert items and items[0]["id"] == a["id"] and items[0]["customer_name"] == "赵**"  # another customer: masked
    assert items[0]["area"] == "望京西园小区" and "****" in items[0]["customer_phone_masked"]


def test_a_large_window_is_indexed_aside_and_registration_does_not_wait_for_it(api, rt, trained, monkeypatch):
    """A centre with hundreds of thousands of recent complaints: the first lookup of a process would take longer
    than gunicorn lets a request run. The index is built in a thread while registrations and the intake panel
    go on, answering no similar complaints and saying so; once built, the similar complaints are there."""
    a = _register(api, "朝阳区望京西园小区宽带从早上开始断网，光猫亮红灯", phone="13700000001", name="赵一")
    vars(rt).pop("_similar_index", None)  # a process that has not looked yet (a restarted worker)
    monkeypatch.setattr(similar, "SYNC_BUILD_LIMIT", 0)  # this window counts as large
    building, release = threading.Event(), threading.Event()
    load_window = similar._load_window

    def slow_load(*args):  # holds the build until the test has seen the requests go on without it
        building.set()
        assert release.wait(30)
        return load_window(*args)

    monkeypatch.setattr(similar, "_load_window", slow_load)
    created = _register(api, "我的话费账单有一笔不认识的扣费", phone="13700000003", name="孙三")
    assert building.wait(10)
    assert created["similar"] == [] and created["similar_pending"] is True
    with rt.db.read() as s:
        assert s.get(Complaint, created["id"]) is not None  # registered at once, not after the index
    r = api.post("agent", "/text/analyse", json={"text": "望京西园小区宽带断网了，光猫红灯"})
    assert r.status_code == 200 and r.get_json()["similar"] == [] and r.get_json()["similar_pending"] is True
    release.set()
    similar._live(rt).warming.join(30)
    found = api.post("agent", "/text/analyse", json={"text": "望京西园小区宽带断网了，光猫红灯"}).get_json()
    assert found["similar_pending"] is False
    assert found["similar"] and found["similar"][0]["id"] == a["id"]


def test_a_burst_from_one_area_suggests_an_incident_confirmed_and_linked_in_one_action(api, rt, trained, clock):
    ids = [
        _register(api, f"天河区珠江新城阳光小区{i}栋宽带断网了，手机也没有信号，已经一个小时", phone=f"1360000{i:04d}")[
            "id"
        ]
        for i in range(5)
    ]
    _register(api, "阳光小区营业厅的工作人员态度很差", phone="13600009999")  # same words of place, another matter
    touched = bursts.detect(rt)
    assert len(touched) == 1
    listed = api.get("supervisor", "/text/bursts").get_json()["items"]
    assert (
        len(listed) == 1
        and listed[0]["area"] == "珠江新城阳光小区"
        and sorted(c["id"] for c in listed[0]["complaints"]) == ids
    )
    assert api.post("agent", f"/text/bursts/{listed[0]['id']}/confirm").status_code == 403
    r = api.post("supervisor", f"/text/bursts/{listed[0]['id']}/confirm")
    assert r.status_code == 201, r.get_json()
    incident = r.get_json()["incident"]
    assert incident["area"] == "珠江新城阳光小区" and sorted(r.get_json()["linked"]) == ids
    detail = api.get("supervisor", f"/outages/{incident['id']}").get_json()
    assert detail["linked_complaints"] == 5  # the existing outage feature now holds them
    assert bursts.detect(rt) == []  # an open incident covers the area: no second suggestion
    assert api.post("supervisor", f"/text/bursts/{listed[0]['id']}/confirm").status_code == 409


CSV_GOOD = "投诉内容,分类,渠道,联系电话,受理时间\n话费多扣了二十元,资费,电话,13800001111,2026-01-05 09:30\n家里没信号,网络故障,网上,,2026-01-06\n营业员态度差,服务态度,营业厅,,\n"
CSV_BAD = "投诉内容,分类,渠道,联系电话,受理时间\n话费多扣了二十元,资费,电话,13800001111,2026-01-05 09:30\n,网络故障,网上,,2026-01-06\n营业员态度差,态度问题,营业厅,12345,昨天\n"


def _upload(api, content: str, name: str = "history.csv", **form):
    return api.post(
        "owner",
        "/text/history-imports",
        data={"file": (io.BytesIO(content.encode("utf-8")), name), **form},
        content_type="multipart/form-data",
    )


def test_a_history_file_with_a_bad_row_is_refused_whole_with_every_bad_row_named(api, rt):
    r = _upload(api, CSV_BAD)
    assert r.status_code == 201, r.get_json()
    report = r.get_json()
    assert report["status"] == "refused" and report["rows_done"] == 0
    named = {(e["row"], e["field"]) for e in report["errors"]}
    assert named == {(3, "text"), (4, "label"), (4, "phone"), (4, "created_at")}
    with rt.db.read() as s:
        assert s.scalars(select(HistoryRecord)).first() is None  # nothing of the file went in


def test_a_good_history_file_is_imported_with_a_label_mapping_and_learnt(api, rt, deployed):
    content = CSV_GOOD.replace("营业员态度差,服务态度", "营业员态度差,窗口服务类")
    assert _upload(api, content).get_json()["status"] == "refused"  # an unknown label needs a mapping
    r = _upload(api, content, label_map="窗口服务类=service")
    report = r.get_json()
    assert report["status"] == "imported" and report["rows_done"] == report["rows_total"] == 3
    with rt.db.read() as s:
        rows = {h.text: h for h in s.scalars(select(HistoryRecord).where(HistoryRecord.import_id == report["id"]))}
    assert rows["营业员态度差"].category == "service" and rows["家里没信号"].category == "network"
    assert (
        rows["话费多扣了二十元"].channel == "phone" and rows["话费多扣了二十元"].occurred_at.hour == 1
    )  # 09:30 China time
    trained = model_registry.train_version(rt, "test", evaluate=False)
    assert trained["sources"]["history"] == 3
    assert api.post("agent", "/text/history-imports", data={}, content_type="multipart/form-data").status_code == 403


def test_the_scheduled_job_trains_the_first_model_then_retrains_only_when_due(db_url, clock, tmp_path):
    from datetime import timedelta

    from tests.conftest import make_app

    from app.services.text_intelligence import jobs

    cfg = tmp_path / "text.toml"
    seed = Path(__file__).resolve().parents[2] / "config" / "text_seed.csv"
    cfg.write_text(f'[model]\nseed_file = "{seed}"\nretrain_hours = 24\nmin_new_decisions = 1\n', encoding="utf-8")
    app = make_app(db_url, clock, tmp_path, TEXT_CONFIG=str(cfg))
    rt = app.extensions["complaintflow"]
    try:
        assert jobs.run(rt)["trained"] == 1  # a fresh installation gets the cold-start model
        assert jobs.run(rt)["trained"] is None  # not due yet
        clock.advance(timedelta(hours=25))
        assert jobs.run(rt)["trained"] is None  # old enough, but nothing new was decided since
        with rt.db.write() as s:
            s.add(
                TextSuggestion(
                    text="话费多扣",
                    suggested={"category": {"value": "billing", "confidence": 0.9}},
                    decided={"category": "billing"},
                    overridden=False,
                    created_at=rt.clock.now(),
                    decided_at=rt.clock.now(),
                )
            )
        assert jobs.run(rt)["trained"] == 2
        assert model_registry.versions(rt)[0]["evaluation"]["macro_f1"] > 0.5  # stored beside it
    finally:
        rt.db.dispose()
