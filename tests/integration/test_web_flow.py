"""The eight steps worked by hand through the pages, each by its role; validation shown beside fields."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from tests.integration.web_client import Web

ROOT_SCENARIOS = "processes/complaint_handling.scenarios.json"
USER_FOR_GROUP = {
    "agent": "agent",
    "dispatcher": "dispatcher",
    "handler_network": "network",
    "supervisor": "supervisor",
}


def happy_path() -> dict:
    with open(ROOT_SCENARIOS, encoding="utf-8") as fh:
        return next(s for s in json.load(fh)["scenarios"] if s["name"] == "general_satisfied_first_reply")


def as_form(data: dict) -> dict:
    """Task data as a browser posts it: every value a string, lists repeated, booleans true/false."""
    out: dict = {}
    for key, value in data.items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, list):
            out[key] = [str(v) for v in value]
        else:
            out[key] = str(value)
    return out


def task_ids(html: str) -> list[str]:
    return re.findall(r'data-task-id="([^"]+)"', html)


def open_task_of(web: Web, number: str) -> str:
    """The id of the inbox row for a complaint number (searching the inbox by number)."""
    html = web.text(f"/?q={number}")
    ids = task_ids(html)
    assert ids, f"{number} not in the inbox of this user"
    return ids[0]


def register(web: Web, start: dict) -> tuple[str, str]:
    page = web.text("/complaints/new")
    assert "登记投诉" in page and 'name="customer_phone"' in page
    r = web.post("/complaints/new", as_form(start))
    assert r.status_code == 302, r.get_data(as_text=True)[:1500]
    location = r.headers["Location"]
    assert location.startswith("/tasks/")
    html = web.text(location)
    number = re.search(r'data-testid="complaint-number">(TS\d{14})<', html).group(1)
    return number, location.rsplit("/", 1)[1]


def test_the_eight_steps_by_hand(app, deployed):
    sc = happy_path()
    agent = Web(app).login("agent")
    number, task_id = register(agent, sc["start_data"])
    for step in sc["steps"]:
        user = USER_FOR_GROUP[step["group"]]
        web = agent if user == "agent" else Web(app).login(user)
        task_id = open_task_of(web, number)
        page = web.text(f"/tasks/{task_id}")
        assert "data-main-form" in page, (step["task"], page[:3000])
        r = web.post(f"/tasks/{task_id}", as_form(step["data"]))
        assert r.status_code == 302, (step["task"], r.get_data(as_text=True)[:3000])
    page = agent.text(f"/complaints?q={number}")
    assert "已办结" in page
    assert agent.get(f"/?q={number}").get_data(as_text=True).count("data-task-id") == 0


def test_validation_errors_show_beside_their_fields_and_keep_what_was_typed(app, deployed):
    sc = happy_path()
    agent = Web(app).login("agent")
    number, task_id = register(agent, sc["start_data"])
    agent.post(f"/tasks/{task_id}", as_form(sc["steps"][0]["data"]))
    classify = open_task_of(agent, number)
    agent.post(f"/tasks/{classify}", as_form(sc["steps"][1]["data"]))
    register_task = open_task_of(agent, number)
    bad = dict(sc["steps"][2]["data"], customer_phone="12345", amount="12.345", read_back_confirmed=False)
    bad.pop("demand")
    r = agent.post(f"/tasks/{register_task}", as_form(bad))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert re.search(r'data-field="customer_phone">.*?格式不正确', html, re.S)
    assert re.search(r'data-field="demand">.*?必填', html, re.S)
    assert re.search(r'data-field="amount">.*?金额最多两位小数', html, re.S)
    assert re.search(r'data-field="read_back_confirmed">.*?请勾选确认', html, re.S)
    assert 'value="12345"' in html and "北京市朝阳区望京西园三区" in html  # what was typed stays
    good = dict(sc["steps"][2]["data"], amount="19.99")
    r = agent.post(f"/tasks/{register_task}", as_form(good))
    assert r.status_code == 302


def test_registration_shows_errors_and_the_customers_earlier_complaints(app, deployed, clock):
    sc = happy_path()
    agent = Web(app).login("agent")
    r = agent.post("/complaints/new", {"customer_name": "", "customer_phone": "138", "channel": "phone", "matter": "x"})
    assert r.status_code == 422 and "必填" in r.get_data(as_text=True)
    first, _ = register(agent, sc["start_data"])
    assert agent.get("/complaints/lookup?phone=1381234").get_json()["items"] == []  # never by prefix
    found = agent.get("/complaints/lookup?phone=13812345678").get_json()
    assert [i["customer_name"] for i in found["items"]] == ["张伟"]
    assert found["repeat"] is False  # one complaint, not classified: no category to repeat
    for step in sc["steps"][:2]:  # receive, classify (network)
        assert agent.post(f"/tasks/{open_task_of(agent, first)}", as_form(step["data"])).status_code == 302
    clock.advance(timedelta(hours=2))  # a repeat comes after: the same instant is not "before"
    second, task_id = register(agent, sc["start_data"])
    assert 'data-testid="repeat-flag"' not in agent.text(f"/tasks/{task_id}")  # its category is not known yet
    for step in sc["steps"][:2]:
        assert agent.post(f"/tasks/{open_task_of(agent, second)}", as_form(step["data"])).status_code == 302
    page = agent.text(f"/tasks/{open_task_of(agent, second)}")
    assert 'data-testid="repeat-flag"' in page  # the same phone and category within the window
    lookup = "/complaints/lookup?phone=13812345678&category="
    assert agent.get(lookup + "network").get_json()["repeat"] is True
    assert agent.get(lookup + "billing").get_json()["repeat"] is False


def test_inbox_tabs_search_and_masked_phones(app, deployed):
    sc = happy_path()
    agent = Web(app).login("agent")
    number, _ = register(agent, sc["start_data"])
    html = agent.text("/")
    assert "138****5678" in html and "13812345678" not in html
    # 首问负责制: the registering agent owns the complaint, so its steps are in their own tab
    assert number in agent.text("/?tab=mine") and number not in agent.text("/?tab=group")
    assert number not in Web(app).login("agent2").text("/?tab=group")
    assert number in agent.text("/?q=1381234") and number not in agent.text("/?q=1390000")
    assert number not in agent.text("/?category=billing")
    assert agent.get("/?tab=nonsense").status_code == 200


def test_inbox_pages_by_keyset(app, deployed):
    sc = happy_path()
    agent = Web(app).login("agent")
    numbers = [register(agent, dict(sc["start_data"], customer_phone=f"1390000000{i}"))[0] for i in range(5)]
    from app.services.tasks import inbox

    seen, cursor = [], None
    rt = app.extensions["complaintflow"]
    from app.services.accounts.users import authenticate

    viewer = authenticate(rt, "agent", "demo1234")
    while True:
        page = inbox.list_inbox(rt, viewer, inbox.InboxQuery(tab="all", cursor=cursor, limit=2))
        seen += [i["number"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(numbers) and len(seen) == len(set(seen))


def test_every_page_reads_in_english_without_raw_message_keys(app, deployed):
    sc = happy_path()
    agent = Web(app).login("agent")
    number, task_id = register(agent, sc["start_data"])
    agent.post("/locale", {"locale": "en", "next": "/"})
    complaint_id = re.search(r'href="/complaints/(\d+)"', agent.text(f"/tasks/{task_id}")).group(1)
    pages = ["/", "/?tab=overdue", f"/tasks/{task_id}", "/complaints/new", "/complaints", f"/complaints/{complaint_id}"]
    raw_key = re.compile(
        r">\s*(?:nav|task|inbox|complaint|complaints|form|register|sla|event|contact|field|common|auth|error|keys)\.[a-z_.]+\s*<"
    )
    for path in pages:
        html = agent.text(path)
        assert not raw_key.search(html), (path, raw_key.search(html).group(0))
    assert "Receive" in agent.text(f"/tasks/{task_id}") and "Inbox" in agent.text("/")


def test_a_live_intake_page_posts_once_and_the_dispatcher_sees_the_customers_earlier_complaint(app, deployed):
    sc = happy_path()
    agent = Web(app).login("agent")
    earlier, _ = register(agent, sc["start_data"])  # still waiting in receive: never reached the dispatcher
    intake = sc["steps"][0]["data"] | sc["steps"][1]["data"] | sc["steps"][2]["data"]
    page = agent.text("/complaints/new")
    assert 'data-testid="readback"' in page and 'data-testid="ti-panel"' in page and "js/intake.js" in page
    r = agent.post("/complaints/new", as_form(intake) | {"read_back_confirmed__present": "1"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/complaints/"), r.get_data(as_text=True)[:1500]
    number = re.search(r'data-testid="complaint-number">(TS\d{14})<', agent.text(r.headers["Location"])).group(1)
    dispatcher = Web(app).login("dispatcher")
    page = dispatcher.text(f"/tasks/{open_task_of(dispatcher, number)}")
    assert "投诉分发" in page
    history = page.split('data-testid="earlier-complaints"', 1)[1].split("</section>", 1)[0]
    assert earlier in history and "无历史投诉" not in history
    assert f">{earlier}</a>" not in history  # listed, but not a link the dispatcher could not open
