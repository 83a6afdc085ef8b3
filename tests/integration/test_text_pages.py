"""The text pages: the owner's import with progress and report, burst suggestions for supervisors, topics, access."""

from __future__ import annotations

import io

from app.services.text_intelligence import bursts, history_import

from .web_client import Web


def _inline(monkeypatch):
    # The page starts the import in a thread; run it in the request instead, so the test waits for nothing.
    monkeypatch.setattr(
        history_import,
        "run_in_background",
        lambda rt, import_id, name, content: history_import.run(rt, import_id, name, content),
    )


def test_the_owner_imports_history_on_the_page_and_sees_its_report(app, deployed, monkeypatch):
    _inline(monkeypatch)
    owner = Web(app).login("owner")
    bad = "投诉内容,分类\n话费多扣,资费\n,网络\n"
    r = owner.post(
        "/text/imports",
        {"file": (io.BytesIO(bad.encode()), "bad.csv"), "taxonomy": "ours"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    import_id = int(r.headers["Location"].split("import=")[1])
    status = owner.get(f"/text/imports/{import_id}").get_json()
    assert status["status"] == "refused" and status["errors"][0]["row"] == 3 and status["rows_done"] == 0
    page = owner.text(f"/text/classifier?import={import_id}")
    assert "已拒绝" in page and "bad.csv" in page and 'data-testid="ti-import-errors"' in page
    good = "投诉内容,分类\n话费多扣,资费类\n家里没信号,网络\n"
    r = owner.post(
        "/text/imports",
        {"file": (io.BytesIO(good.encode()), "good.csv"), "label_map": "资费类=billing"},
        content_type="multipart/form-data",
    )
    status = owner.get(f"/text/imports/{int(r.headers['Location'].split('import=')[1])}").get_json()
    assert status["status"] == "imported" and status["rows_done"] == status["rows_total"] == 2


def test_only_owners_import_and_train_and_agents_do_not_see_the_classifier_page(app, deployed):
    agent = Web(app).login("agent")
    assert agent.get("/text/classifier").status_code == 403
    assert agent.post("/text/classifier/train").status_code == 403
    manager = Web(app).login("manager")
    assert manager.get("/text/classifier").status_code == 200  # reads the figures
    assert manager.post("/text/classifier/train").status_code == 403


def test_a_supervisor_confirms_a_burst_on_the_page_and_lands_on_the_new_incident(app, rt, deployed, api):
    from app.services.text_intelligence import model_registry

    model_registry.train_version(rt, "test", evaluate=False)
    for i in range(5):
        r = api.post(
            "agent",
            "/complaints",
            json={
                "customer_name": f"客户{i}",
                "customer_phone": f"1350000{i:04d}",
                "channel": "phone",
                "matter": f"南山区科技园{i}号楼手机没有信号，打不了电话",
            },
        )
        assert r.status_code == 201
    assert len(bursts.detect(rt)) == 1
    supervisor = Web(app).login("supervisor")
    page = supervisor.text("/text/bursts")
    assert "科技园" in page and "确认并建故障单" in page
    burst_id = bursts.list_suggestions(rt, supervisor_viewer(rt))[0]["id"]
    r = supervisor.post(f"/text/bursts/{burst_id}/confirm")
    assert r.status_code == 302 and "/outages/" in r.headers["Location"]
    assert "5" in supervisor.text(r.headers["Location"])


def supervisor_viewer(rt):
    from sqlalchemy import select

    from app.models import User
    from app.services.accounts.users import viewer_of

    with rt.db.read() as s:
        return viewer_of(s.scalars(select(User).where(User.username == "supervisor")).one())


def test_topics_answer_for_managers_only(app, rt, deployed, api, clock):
    for i in range(24):
        matter = ("宽带晚上经常断网，网速很慢" if i % 2 else "话费被多扣了二十元，要求退费") + f"，第{i}次"
        assert (
            api.post(
                "agent",
                "/complaints",
                json={
                    "customer_name": "客户",
                    "customer_phone": f"1330000{i:04d}",
                    "channel": "phone",
                    "matter": matter,
                },
            ).status_code
            == 201
        )
    answer = api.get("manager", "/text/topics").get_json()
    assert answer["complaints"] == 24 and answer["topics"]
    assert sum(t["size"] for t in answer["topics"]) == 24 and all(t["terms"] for t in answer["topics"])
    assert api.get("agent", "/text/topics").status_code == 403
    assert api.get("manager", "/text/topics?from=2026-13-01").status_code == 422
    assert 'data-testid="ti-topics"' in Web(app).login("manager").text("/reports")


def test_classifier_evaluate_prints_folds_figures_per_class_and_the_confusion_matrix(app, tmp_path):
    runner = app.test_cli_runner()
    corpus = tmp_path / "corpus.csv"
    assert runner.invoke(args=["classifier", "synth-corpus", str(corpus), "--per-label", "20"]).exit_code == 0
    result = runner.invoke(args=["classifier", "evaluate", str(corpus)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "stratified 5-fold" in out and "macro-F1" in out and "confusion (rows: true" in out
    assert all(label in out for label in ("network", "billing", "special_needs"))
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\n,billing\n", encoding="utf-8")
    refused = runner.invoke(args=["classifier", "evaluate", str(bad)])
    assert refused.exit_code != 0 and "row 2, text" in refused.output


def test_import_history_command_refuses_a_file_with_a_bad_row_and_imports_a_good_one(app, rt, deployed, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_text("投诉内容,分类\n话费多扣,资费\n没信号,不知道\n", encoding="utf-8")
    result = runner.invoke(args=["import-history", str(bad)])
    assert result.exit_code != 0 and "row 3, label" in result.output and "nothing imported" in result.output
    good = tmp_path / "good.csv"
    good.write_text("投诉内容,分类\n话费多扣,资费类\n没信号,网络\n", encoding="utf-8")
    result = runner.invoke(args=["import-history", str(good), "--map", "资费类=billing"])
    assert result.exit_code == 0 and "imported 2 rows" in result.output, result.output
