"""A complaint the customer filed, worked by the staff up to the reply whose SMS links to the survey: the
customer's pages of every stage (following, the survey) for the tests that read them."""

from __future__ import annotations

import re

from sqlalchemy import select


# What the staff type on the way, shown to the customer as typed (the cause, the solution, the reply).
STAFF_TYPED = (
    "恢复网速。",
    "小区光分纤箱端口老化。",
    "更换端口，网速恢复到 300M。",
    "已测速正常。",
    "已短信告知处理结果。",
)


def handle_until_the_reply(app, number: str) -> int:
    """The staff's part, through the API: receive ... reply by SMS with the survey link; the instance's id."""
    from tests.conftest import Api
    from tests.integration.flow import complete

    api = Api(app.test_client())
    c = api.get("agent", f"/complaints?q={number}").get_json()["items"][0]
    iid = c["process_instance_id"]
    who = {
        "customer_name": c["customer_name"],
        "customer_phone": c["customer_phone"],
        "channel": "online",
        "matter": c["matter"],
    }
    for element, group, data in [
        ("receive", "agent", who),
        ("classify", "agent", {"category": "network", "severity": "general", "special_type": "none"}),
        ("register", "agent", who | {"demand": STAFF_TYPED[0], "tried_self": False, "read_back_confirmed": True}),
        ("dispatch", "dispatcher", {"department": "network"}),
        (
            "handle",
            "handler_network",
            {
                "cause": STAFF_TYPED[1],
                "responsibility": "ours",
                "solution": STAFF_TYPED[2],
                "compensation_type": "credit",
                "compensation_amount": 20,
            },
        ),
        ("track", "agent", {"progress": STAFF_TYPED[3], "solved": True}),
        (
            "feedback",
            "agent",
            {"reply": STAFF_TYPED[4], "contact_method": "sms", "contact_result": "awaiting_survey"},
        ),
    ]:
        r = complete(api, iid, element, group, data)
        assert r.status_code == 200, (element, r.get_json())
    return iid


def survey_path(app, iid: int) -> str:
    """The address of the survey the reply's SMS links to."""
    from app.models import Notification
    from app.services.notifications.outbox import render

    rt = app.extensions["complaintflow"]
    with rt.db.read() as s:
        row = s.scalars(
            select(Notification).where(Notification.instance_id == iid, Notification.template == "reply_survey")
        ).first()
        body = render(rt, row)[1]
    return "/customer/survey/" + re.search(r"/customer/survey/(\S+)", body).group(1)
