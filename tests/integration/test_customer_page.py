"""The customer's own page: file with a one-time arithmetic check and limits counted in the database, follow
by the complaint's own signed link or its number plus a one-time code sent to the customer (never the phone's
last four digits), answer the single-use survey; nothing of another customer shows."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.models import User, Complaint, Notification, PublicRequest
from app.services.notifications.outbox import render, send_due

from .flow import complete, ready_task
from .web_client import Web

QUESTION = re.compile(r'data-testid="captcha-question">(\d+) \+ (\d+) = \?<')
TOKEN = re.compile(r'name="captcha_token" value="([^"]+)"')
NUMBER = re.compile(r'data-testid="complaint-number">(TS\d{14})<')


def _file(web: Web, **over) -> tuple[int, str]:
    page = web.text("/customer/file")
    a, b = map(int, QUESTION.search(page).groups())
    form = {
        "customer_name": "刘芳",
        "customer_phone": "13912345678",
        "matter": "上月被多扣 30 元流量费。",
        "demand": "退还。",
        "captcha_token": TOKEN.search(page).group(1),
        "captcha_answer": str(a + b),
    } | over
    r = web.post("/customer/file", form)
    return r.status_code, r.get_data(as_text=True)


def _sent_code(rt, number: str) -> str | None:
    """The one-time code the outbox holds for this complaint's customer (what their phone receives)."""
    with rt.db.read() as s:
        row = s.scalars(
            select(Notification)
            .join(Complaint, Complaint.id == Notification.complaint_id)
            .where(Complaint.number == number, Notification.template == "track_code", Notification.channel == "sms")
            .order_by(Notification.id.desc())
        ).first()
    return None if row is None else render(rt, row)[1].split("验证码为 ", 1)[1][:6]


def _track(web: Web, rt, number: str, code: str | None = None):
    """Ask for a code, then follow with it (or with the code given)."""
    web.get("/customer/track")
    assert web.post("/customer/track/code", {"number": number}).status_code == 200
    return web.post("/customer/track", {"number": number, "code": code or _sent_code(rt, number) or "000000"})


def test_a_customer_files_online_and_gets_the_number(app, rt, deployed):
    web = Web(app)
    status, page = _file(web, customer_email="liu@example.cn")
    assert status == 201, page[:1500]
    number = NUMBER.search(page).group(1)
    with rt.db.read() as s:
        c = s.scalars(select(Complaint).where(Complaint.number == number)).one()
        assert (c.channel, c.customer_email, c.created_by_id) == ("online", "liu@example.cn", None)
        assert "诉求：退还。" in c.matter
        assert {n.template for n in s.scalars(select(Notification).where(Notification.complaint_id == c.id))} == {
            "received"
        }
    assert send_due(rt) == 2


def test_the_check_is_needed_once_and_filing_is_limited_per_address(app, rt, deployed):
    web = Web(app)
    page = web.text("/customer/file")
    token = TOKEN.search(page).group(1)
    a, b = map(int, QUESTION.search(page).groups())
    form = {"customer_name": "刘芳", "customer_phone": "13912340000", "matter": "断网。", "captcha_token": token}
    r = web.post("/customer/file", form | {"captcha_answer": str(a + b + 1)})
    assert r.status_code == 422 and "验证答案不正确" in r.get_data(as_text=True)
    assert web.post("/customer/file", form | {"captcha_answer": str(a + b)}).status_code == 201
    assert web.post("/customer/file", form | {"captcha_answer": str(a + b)}).status_code == 422  # used once
    assert (
        web.post("/customer/file", form | {"captcha_token": token + "x", "captcha_answer": str(a + b)}).status_code
        == 422
    )
    for i in range(4):  # five per address per hour (config/flow.toml)
        assert _file(web, customer_phone=f"1381111000{i}")[0] == 201
    status, page = _file(web, customer_phone="13811119999")
    assert status == 429 and "操作过于频繁" in page
    with rt.db.read() as s:
        assert len(s.scalars(select(Complaint)).all()) == 5


def test_following_shows_only_this_complaints_public_facts(app, api, rt, deployed):
    web = Web(app)
    mine = NUMBER.search(_file(web)[1]).group(1)
    other = NUMBER.search(
        _file(
            Web(app), customer_name="王强", customer_phone="13700007777", matter="营业厅王某态度恶劣，泄露了我的住址。"
        )[1]
    ).group(1)
    r = _track(web, rt, mine)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and mine in page and "已受理" in page
    for secret in ("刘芳", "13912345678", "上月被多扣", other, "王强", "13700007777", "态度恶劣"):
        assert secret not in page
    wrong_code, wrong_number = _track(web, rt, mine, "777777"), _track(web, rt, other[:-1] + "0", "777777")
    assert wrong_code.status_code == wrong_number.status_code == 404
    strip = lambda r: re.sub(r'value="[^"]*"|content="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(wrong_code) == strip(wrong_number)  # a wrong code reads exactly like an unknown number
    assert other not in wrong_code.get_data(as_text=True)


def test_the_number_and_the_phones_last_digits_no_longer_open_a_complaint(app, rt, deployed):
    web = Web(app)
    number = NUMBER.search(_file(web)[1]).group(1)
    web.get("/customer/track")
    r = web.post("/customer/track", {"number": number, "last4": "5678"})  # what a neighbour knows
    assert r.status_code == 404 and 'data-testid="track-result"' not in r.get_data(as_text=True)


def test_a_one_time_code_goes_to_the_customer_works_once_and_expires(app, rt, clock, deployed):
    web = Web(app)
    number = NUMBER.search(_file(web, customer_email="liu@example.cn")[1]).group(1)
    web.get("/customer/track")
    sent = web.post("/customer/track/code", {"number": number}).get_data(as_text=True)
    unknown = web.post("/customer/track/code", {"number": "TS20990101000001"}).get_data(as_text=True)
    strip = lambda page: re.sub(r'value="[^"]*"|content="[^"]*"', "", page)  # noqa: E731
    assert 'data-testid="code-sent"' in sent and strip(sent) == strip(unknown)  # alike for any number
    with rt.db.read() as s:
        sent_to = {
            (n.channel, n.recipient)
            for n in s.scalars(select(Notification).where(Notification.template == "track_code"))
        }
        stored = [r.bucket for r in s.scalars(select(PublicRequest).where(PublicRequest.bucket.like("trackcode:TS%")))]
    assert sent_to == {("sms", "13912345678"), ("email", "liu@example.cn")}
    code = _sent_code(rt, number)
    assert len(code) == 6 and code.isdigit() and not [b for b in stored if code in b]  # only a keyed digest is kept
    r = web.post("/customer/track", {"number": number, "code": code})
    assert r.status_code == 200 and 'data-testid="track-result"' in r.get_data(as_text=True)
    assert web.post("/customer/track", {"number": number, "code": code}).status_code == 404  # used up
    web.post("/customer/track/code", {"number": number})
    clock.advance(timedelta(minutes=11))
    assert web.post("/customer/track", {"number": number, "code": _sent_code(rt, number)}).status_code == 404  # expired
    web.post("/customer/track/code", {"number": number})  # three messages per number per hour
    assert web.post("/customer/track/code", {"number": number}).status_code == 429


def test_wrong_codes_are_limited_per_number(app, rt, deployed):
    web = Web(app)
    number = NUMBER.search(_file(web)[1]).group(1)
    web.get("/customer/track")
    web.post("/customer/track/code", {"number": number})
    for guess in range(5):
        assert web.post("/customer/track", {"number": number, "code": f"{guess:06d}"}).status_code == 404
    r = web.post("/customer/track", {"number": number, "code": _sent_code(rt, number)})
    assert r.status_code == 429  # even the right code waits: a million codes cannot be walked


def test_the_link_sent_to_the_customer_opens_their_complaint_and_cannot_be_forged(app, rt, deployed):
    from app.services.notifications.outbox import track_token

    web = Web(app)
    status, page = _file(web)
    number = NUMBER.search(page).group(1)
    link = re.search(r'data-testid="track-link" href="(/customer/track/[^"]+)"', page).group(1)
    with rt.db.read() as s:
        received = s.scalars(
            select(Notification).where(Notification.template == "received", Notification.channel == "sms")
        ).one()
    assert link in render(rt, received)[1] and "后四位" not in render(rt, received)[1]
    r = Web(app).get(link)
    assert r.status_code == 200 and number in r.get_data(as_text=True) and "刘芳" not in r.get_data(as_text=True)
    other = number[:-1] + ("2" if number[-1] != "2" else "3")
    assert Web(app).get(f"/customer/track/{other}").status_code == 404  # a number is not a link
    forged = track_token(rt, number).rsplit(".", 1)[0] + "." + "A" * 27
    assert Web(app).get(f"/customer/track/{forged}").status_code == 404


def _to_reply(api, number: str, **feedback) -> int:
    """Staff handle the complaint up to the reply; returns its instance id."""
    iid = api.get("agent", f"/complaints?q={number}").get_json()["items"][0]["process_instance_id"]
    c = api.get("agent", f"/complaints?q={number}").get_json()["items"][0]
    steps = [
        (
            "receive",
            "agent",
            {
                "customer_name": c["customer_name"],
                "customer_phone": c["customer_phone"],
                "channel": "online",
                "matter": c["matter"],
            },
        ),
        ("classify", "agent", {"category": "billing", "severity": "general", "special_type": "none"}),
        (
            "register",
            "agent",
            {
                "customer_name": c["customer_name"],
                "customer_phone": c["customer_phone"],
                "channel": "online",
                "matter": c["matter"],
                "demand": "退还。",
                "tried_self": False,
                "read_back_confirmed": True,
            },
        ),
        ("dispatch", "dispatcher", {"department": "billing"}),
        (
            "handle",
            "handler_billing",
            {
                "cause": "流量包未生效。",
                "responsibility": "ours",
                "solution": "退还 30 元并补订流量包。",
                "compensation_type": "refund",
                "compensation_amount": 30,
            },
        ),
        ("track", "agent", {"progress": "已退费。", "solved": True}),
        (
            "feedback",
            "agent",
            {"reply": "已短信答复。", "contact_method": "sms", "contact_result": "awaiting_survey"} | feedback,
        ),
    ]
    for element, group, data in steps:
        r = complete(api, iid, element, group, data)
        assert r.status_code == 200, (element, r.get_json())
    return iid


def _survey_link(rt, iid: int) -> str:
    with rt.db.read() as s:
        row = s.scalars(
            select(Notification)
            .where(Notification.instance_id == iid, Notification.template.in_(("reply_survey", "visit_unreachable")))
            .order_by(Notification.id.desc())
        ).first()
        return render(rt, row)[1].split("https://", 1)[-1].split("/customer/survey/", 1)[1].split()[0]


def test_an_unsatisfied_answer_reopens_and_the_link_works_once(app, api, rt, deployed):
    web = Web(app)
    number = NUMBER.search(_file(web)[1]).group(1)
    iid = _to_reply(api, number)
    ready_task(api, iid, "visit_await", "agent")
    page = _track(web, rt, number).get_data(as_text=True)
    assert "已答复" in page and "退还 30 元并补订流量包" in page and "已短信答复" not in page
    token = _survey_link(rt, iid)
    page = web.text(f"/customer/survey/{token}")
    assert number in page
    r = web.post(f"/customer/survey/{token}", {"satisfaction": "unsatisfied"})
    assert r.status_code == 422  # the reason is required when unsatisfied
    r = web.post(
        f"/customer/survey/{token}",
        {"satisfaction": "unsatisfied", "satisfaction_reason": "流量包晚了半个月才生效。", "rating_result": "2"},
    )
    assert r.status_code == 302 and "reopened=1" in r.headers["Location"]
    ready_task(api, iid, "handle", "handler_billing")  # reopened: handled again
    events = api.get("manager", f"/process-instances/{iid}/events").get_json()["items"]
    answered = [e for e in events if e["type"] == "task.completed" and e["element_id"] == "visit_await"]
    assert answered[0]["actor"] == "customer" and answered[0]["data_after"]["visit_channel"] == "survey"
    assert any(e["type"] == "complaint.reopened" for e in events)
    # the answer reaches the owner and the supervisors, flagged low (不满意, the result rated 2)
    routed = [e for e in events if e["type"] == "survey.answered"]
    assert [(e["actor"], e["data_after"]["kind"], e["data_after"]["low"]) for e in routed] == [
        ("customer", "closing", True)
    ]
    with rt.db.read() as s:
        c = s.scalars(select(Complaint).where(Complaint.number == number)).one()
        assert (c.reopen_count, c.is_repeat, c.satisfaction) == (1, True, "unsatisfied")
        supervisor = s.scalar(select(User.id).where(User.username == "supervisor"))
    assert supervisor in routed[0]["data_after"]["notified"]
    assert c.owner_id is None or c.owner_id in routed[0]["data_after"]["notified"]
    assert "已使用过" in web.text(f"/customer/survey/{token}")
    again = web.post(f"/customer/survey/{token}", {"satisfaction": "satisfied"})
    assert again.status_code == 200 and "已使用过" in again.get_data(as_text=True)
    assert web.get(f"/customer/survey/{token[:-2]}xx").status_code == 404
    assert "重新处理" in _track(web, rt, number).get_data(as_text=True)


def test_an_answer_during_the_two_hours_between_calls_is_taken_at_once(app, api, rt, clock, deployed):
    web = Web(app)
    number = NUMBER.search(_file(web)[1]).group(1)
    iid = _to_reply(api, number, contact_method="phone", contact_result="unreachable")
    tasks = api.get("agent", f"/tasks?process_instance_id={iid}").get_json()["items"]
    assert [t["element_id"] for t in tasks] == []  # waiting two hours before the next call
    clock.advance(timedelta(minutes=30))
    token = _survey_link(rt, iid)  # the reply's SMS carried the link
    r = web.post(f"/customer/survey/{token}", {"satisfaction": "satisfied", "rating_timeliness": "5"})
    assert r.status_code == 302 and "reopened=0" in r.headers["Location"]
    ready_task(api, iid, "summarize", "agent")
    events = api.get("manager", f"/process-instances/{iid}/events").get_json()["items"]
    assert [e["element_id"] for e in events if e["type"] == "task.completed"][-1] == "visit_call"


def test_the_same_customer_on_the_same_matter_within_the_window_is_a_repeat(app, api, rt, deployed, clock):
    first = api.post(
        "agent",
        "/complaints",
        json={"customer_name": "周一", "customer_phone": "13600001111", "channel": "phone", "matter": "账单多扣费。"},
    ).get_json()
    clock.advance(timedelta(hours=1))  # a repeat comes after the earlier complaint
    second = api.post(
        "agent",
        "/complaints",
        json={"customer_name": "周一", "customer_phone": "13600001111", "channel": "phone", "matter": "又多扣费了。"},
    ).get_json()
    for created, category in ((first, "billing"), (second, "billing")):
        iid = created["process_instance_id"]
        complete(
            api,
            iid,
            "receive",
            "agent",
            {"customer_name": "周一", "customer_phone": "13600001111", "channel": "phone", "matter": "账单多扣费。"},
        )
        complete(api, iid, "classify", "agent", {"category": category, "severity": "general", "special_type": "none"})
    with rt.db.read() as s:
        rows = {c.id: (c.is_repeat, c.repeat_of_id) for c in s.scalars(select(Complaint))}
    assert rows == {first["id"]: (False, None), second["id"]: (True, first["id"])}
    shown = api.get("agent", f"/complaints/{second['id']}").get_json()
    assert (shown["is_repeat"], shown["repeat_of_id"], shown["reopen_count"]) == (True, first["id"], 0)
