"""Times on the pages are in the user's own time zone: Beijing time unless they chose another."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from tests.integration.test_model_pages import post_json
from tests.integration.test_web_flow import happy_path, register
from tests.integration.web_client import Web


def _registered_at(web: Web) -> tuple[str, str]:
    """(the complaint page's registration time, the task page's timeline time of its first event)."""
    complaint_id = re.search(r'href="/complaints/(\d+)"', web.text("/complaints")).group(1)
    page = web.text(f"/complaints/{complaint_id}")
    registered = re.search(r"<dt>登记时间</dt><dd>([^<]+)</dd>|<dt>Registered</dt><dd>([^<]+)</dd>", page)
    timeline = re.search(r'<div class="when">([^<]+)</div>', page)
    return (registered.group(1) or registered.group(2)), timeline.group(1)


def test_a_complaint_registered_at_23_20_utc_shows_07_20_next_day_in_beijing_and_23_20_in_utc(app, deployed, clock):
    clock.set(datetime(2026, 12, 6, 23, 20, tzinfo=timezone.utc))
    agent = Web(app).login("agent")
    start = happy_path()["start_data"]
    register(agent, start)

    registered, first_event = _registered_at(agent)
    assert registered == "2026-12-07 07:20" and first_event.startswith("2026-12-07 07:20")
    lookup = agent.get(f"/complaints/lookup?phone={start['customer_phone']}").get_json()["items"]
    assert [i["created_on"] for i in lookup] == ["2026-12-07"]
    # the intake panel's earlier complaint (the same customer, the same matter): its day in Beijing too
    repeat = post_json(agent, "/text/analyse", {"text": start["matter"], "phone": start["customer_phone"]})
    assert repeat.get_json()["repeat"]["created_on"] == "2026-12-07"

    assert 'value="Asia/Shanghai" selected' in agent.text("/settings")
    r = agent.post("/settings", {"time_zone": "UTC"})
    assert r.status_code == 302
    registered, first_event = _registered_at(agent)
    assert registered == "2026-12-06 23:20" and first_event.startswith("2026-12-06 23:20")
    lookup = agent.get(f"/complaints/lookup?phone={start['customer_phone']}").get_json()["items"]
    assert [i["created_on"] for i in lookup] == ["2026-12-06"]

    # The choice is the user's: it comes back at the next sign-in, and another user still sees Beijing time.
    assert _registered_at(Web(app).login("agent"))[0] == "2026-12-06 23:20"
    assert _registered_at(Web(app).login("supervisor"))[0] == "2026-12-07 07:20"


def test_an_unknown_zone_is_refused_and_the_setting_kept(app, demo_users):
    agent = Web(app).login("agent")
    agent.text("/settings")
    agent.post("/settings", {"time_zone": "Mars/Olympus"})
    page = agent.text("/settings")
    assert 'value="Asia/Shanghai" selected' in page and "未知的时区" in page


def test_times_written_without_babel_read_as_babel_writes_them_in_every_zone_and_locale(app):
    """The digit-only patterns skip Babel's formatter (pages show hundreds): the text must stay Babel's own."""
    import flask_babel
    from flask import session

    from app.web.i18n import _DIGITS_ONLY, local_time

    instants = [
        datetime(2026, 12, 6, 23, 20, 5, tzinfo=timezone.utc),
        datetime(2026, 3, 8, 6, 59, 59, tzinfo=timezone.utc),  # New York's clocks go forward that night
        datetime(2026, 1, 1, 0, 0),  # naive: read as UTC, as Babel reads it
    ]
    for zone in ("Asia/Shanghai", "UTC", "America/New_York", "Europe/Berlin"):
        for locale in ("zh-CN", "en"):
            with app.test_request_context():
                session["tz"], session["locale"] = zone, locale
                for pattern in _DIGITS_ONLY:
                    for at in instants:
                        assert local_time(at, pattern) == flask_babel.format_datetime(at, pattern), (zone, pattern)
                        assert local_time(at.isoformat(), pattern) == flask_babel.format_datetime(
                            datetime.fromisoformat(at.isoformat()), pattern
                        )
