"""Twenty complaints with known outcomes, made through the API as the demo users on a moved clock, and every
figure of the dashboard (JSON and page), the search export (CSV) and the regulator's view against a count by hand.

Every step is completed 20 minutes after it became ready (one dispatch 3 hours), so every duration is known.
"Now" at the end is Monday 2026-03-02 09:00 Shanghai; the period is 2026-02-23 .. 03-01 (local days).
Live = registered, classified and read back on the one intake screen (phone, hall), so it starts at dispatch.

| #  | registered (local) | phone | channel | category   | dept. (last)  | what happens                                  | outcome                  |
| 1  | 02-23 Mon 10:00    | P1    | phone   | network    | network       | one round                                     | closed, satisfied, FCR   |
| 2  | 02-23 11:00        | P2    | phone   | billing    | billing       | one round                                     | closed, basically, FCR   |
| 3  | 02-23 14:00        | P3    | hall    | service    | hall          | unsatisfied, reopened, handled again          | closed, satisfied; repeat (reopened) |
| 4  | 02-24 Tue 09:00    | 陈静  | social  | aftersales | aftersales    | 3 rounds unsatisfied, supervisor's closure    | closed, unsatisfied; repeat (reopened) |
| 5  | 02-24 10:00        | 孙浩  | phone   | service    | antifraud     | fraud: police report, no handling task        | closed, satisfied, not FCR |
| 6  | 02-24 14:00        | P6    | phone   | network    | billing       | handle transferred (转派) to billing           | closed, satisfied, not FCR |
| 7  | 02-25 Wed 09:00    | P7    | phone   | billing    | billing       | sent to network, returned (退单), re-sent      | closed, satisfied, not FCR; repeat of 20 |
| 8  | 02-25 10:00        | P8    | phone   | network    | network       | handle promises 2026-02-27 (承诺时限), kept    | closed, satisfied, FCR   |
| 9  | 02-25 14:00        | P9    | phone   | network    | network       | dispatch after 3 h (limit 2 h): late step     | closed, satisfied, FCR   |
| 10 | 02-26 Thu 09:00    | P10   | online  | product    | -             | waits at dispatch (due 11:40)                 | open, breached at dispatch |
| 11 | 02-27 Fri 09:00    | P11   | phone   | network    | network       | waits at handle (due 03-04); no reply in 48 h | open, breached on the complaint-wide clock |
| 12 | 02-26 10:00        | P12   | phone   | billing    | billing       | suspended (挂起) at handle                    | open, paused             |
| 13 | 02-26 15:00        | P1    | phone   | network    | network       | one round; P1's network complaint 3 days ago  | closed, satisfied, FCR; repeat of 1 |
| 14 | 02-28 Sat 15:00    | P2    | phone   | product    | product       | waits at handle; P2's earlier was billing     | open, not a repeat       |
| 15 | 02-28 10:00        | P15   | letter  | -          | -             | received, waits at classify (due 11:00)       | open, breached at classify |
| 16 | 02-27 14:00        | 李娜  | online  | billing    | billing       | major: supervisor review, compensation approved | closed, basically, FCR |
| 17 | 03-01 Sun 10:00    | P17   | hall    | service    | hall          | one round                                     | closed, satisfied, FCR   |
| 18 | 03-01 11:00        | P18   | phone   | aftersales | aftersales    | waits at handle                               | open                     |
| 19 | 02-26 11:00        | 王强  | letter  | product    | product       | not solved at tracking, handled twice         | closed, satisfied, not FCR, not a repeat |
| 20 | 02-16 Mon 10:00    | P7    | phone   | billing    | billing       | one round (before the period)                 | closed, satisfied        |

The period holds #1-#19. Expected figures (each derived in the comment beside it):
- registered 19; by day 3,3,3,4,2,2,2; closed 13 (#1-9, 13, 16, 17, 19), of them 12 confirmed solved and 1 (#4)
  closed with a stated reason; FCR 7 of 13 (#1, 2, 8, 9, 13, 16, 17); repeats 4 of 19 (#3, 4, 7, 13);
  satisfaction 12 of 13 answered; open 6 (#10, 11, 12, 14, 15, 18), breached 3 (#10 dispatch, #15 classify,
  #11 the 48-hour clock), paused 1 (#12); the promise 1 kept.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta
from html import unescape

import pytest

from app.domain.clock import OPERATOR_ZONE
from app.domain.duration_bands import band_of, upper_seconds
from tests.conftest import MONDAY_MORNING

from .flow import USER_FOR_GROUP, ready_task, scenario
from .web_client import Web

pytestmark = [pytest.mark.also_postgres, pytest.mark.slow]

PERIOD = "from=2026-02-23&to=2026-03-01"
STEP = timedelta(minutes=20)
GENERAL = {st["task"]: st["data"] for st in scenario("general_satisfied_first_reply")["steps"]}
UNSATISFIED = next(
    st["data"] for st in scenario("unsatisfied_once_then_satisfied")["steps"] if st["task"] == "feedback"
)
LIVE = scenario("phone_live_intake_one_form")["start_data"]


def _fraud() -> dict:
    from tests.conftest import ROOT

    doc = json.loads((ROOT / "processes" / "special_fraud.scenarios.json").read_text(encoding="utf-8"))
    return next(sc for sc in doc["scenarios"] if sc["name"] == "fraud_reported_to_police_blocked")


class Desk:
    """The demo users at work on a moved clock: each step completed STEP after it became ready."""

    def __init__(self, api, clock):
        self.api, self.clock = api, clock

    def at(self, local: str) -> None:
        self.clock.set(datetime.fromisoformat(local).replace(tzinfo=OPERATOR_ZONE))
        self.api._tokens.clear()  # tokens are dated by the clock

    def register(self, body: dict) -> dict:
        r = self.api.post("agent", "/complaints", json=body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def live(self, phone: str, channel: str, category: str) -> dict:
        return self.register(dict(LIVE, customer_phone=phone, account=phone, channel=channel, category=category))

    def do(self, c: dict, task: str, group: str, data: dict, after: timedelta = STEP, user: str | None = None):
        self.clock.advance(after)
        t = ready_task(self.api, c["process_instance_id"], task, group)
        r = self.api.post(user or USER_FOR_GROUP[group], f"/tasks/{t['id']}/complete", json={"data": data})
        assert r.status_code == 200, (task, r.get_json())

    def walk(self, c: dict, steps: list[dict]) -> None:
        for st in steps:
            self.do(c, st["task"], st["group"], st["data"])

    def one_round(self, c: dict, department: str, satisfaction: str = "satisfied", handle: dict | None = None):
        self.do(c, "dispatch", "dispatcher", {"department": department})
        self.rest(c, f"handler_{department}", satisfaction, handle)

    def rest(self, c: dict, handler: str, satisfaction: str = "satisfied", handle: dict | None = None, user=None):
        self.do(c, "handle", handler, handle or GENERAL["handle"], user=user)
        self.do(c, "track", "agent", GENERAL["track"])
        self.do(c, "feedback", "agent", dict(GENERAL["feedback"], satisfaction=satisfaction))
        self.do(c, "summarize", "agent", GENERAL["summarize"])

    def action(self, user: str, c: dict, task: str, group: str, verb: str, body: dict) -> None:
        t = ready_task(self.api, c["process_instance_id"], task, group)
        r = self.api.post(user, f"/tasks/{t['id']}/{verb}", json=body)
        assert r.status_code == 200, r.get_json()


def unattended(phone: str, channel: str) -> dict:
    return dict(GENERAL["receive"], customer_phone=phone, channel=channel)


@pytest.fixture
def twenty(api, clock, deployed) -> dict[int, dict]:
    d, c = Desk(api, clock), {}
    d.at("2026-02-16 10:00")
    c[20] = d.live("13800000007", "phone", "billing")
    d.one_round(c[20], "billing")

    d.at("2026-02-23 10:00")
    c[1] = d.live("13800000001", "phone", "network")
    d.one_round(c[1], "network")
    d.at("2026-02-23 11:00")
    c[2] = d.live("13800000002", "phone", "billing")
    d.one_round(c[2], "billing", "basically_satisfied")
    d.at("2026-02-23 14:00")
    c[3] = d.live("13800000003", "hall", "service")
    d.do(c[3], "dispatch", "dispatcher", {"department": "hall"})
    d.do(c[3], "handle", "handler_hall", GENERAL["handle"])
    d.do(c[3], "track", "agent", GENERAL["track"])
    d.do(c[3], "feedback", "agent", UNSATISFIED)  # reopened: handled again
    d.rest(c[3], "handler_hall")

    d.at("2026-02-24 09:00")
    sc = scenario("unsatisfied_after_two_rehandlings_supervisor_decides")
    c[4] = d.register(sc["steps"][0]["data"])
    d.walk(c[4], sc["steps"])
    d.at("2026-02-24 10:00")
    sc = _fraud()
    c[5] = d.register(sc["steps"][0]["data"])
    d.walk(c[5], sc["steps"])
    d.at("2026-02-24 14:00")
    c[6] = d.live("13800000006", "phone", "network")
    d.do(c[6], "dispatch", "dispatcher", {"department": "network"})
    d.action(
        "network", c[6], "handle", "handler_network", "transfer", {"reason": "计费争议", "to_group": "handler_billing"}
    )
    d.rest(c[6], "handler_billing")

    d.at("2026-02-25 09:00")
    c[7] = d.live("13800000007", "phone", "billing")
    d.do(c[7], "dispatch", "dispatcher", {"department": "network"})  # the wrong department
    d.action("network", c[7], "handle", "handler_network", "return", {"reason": "非网络问题"})
    d.action("dispatcher", c[7], "handle", "dispatcher", "transfer", {"reason": "改派", "to_group": "handler_billing"})
    d.rest(c[7], "handler_billing")
    d.at("2026-02-25 10:00")
    c[8] = d.live("13800000008", "phone", "network")
    d.one_round(c[8], "network", handle=dict(GENERAL["handle"], promised_date="2026-02-27"))
    d.at("2026-02-25 14:00")
    c[9] = d.live("13800000009", "phone", "network")
    d.do(c[9], "dispatch", "dispatcher", {"department": "network"}, after=timedelta(hours=3))  # 1 h late
    d.rest(c[9], "handler_network")

    d.at("2026-02-26 09:00")
    c[10] = d.register(unattended("13800000010", "online"))
    d.do(c[10], "receive", "agent", unattended("13800000010", "online"))
    d.do(c[10], "classify", "agent", {"category": "product", "severity": "general", "special_type": "none"})
    d.do(c[10], "register", "agent", dict(GENERAL["register"], customer_phone="13800000010", channel="online"))
    d.at("2026-02-26 10:00")
    c[12] = d.live("13800000012", "phone", "billing")
    d.do(c[12], "dispatch", "dispatcher", {"department": "billing"})
    r = d.api.post("supervisor", f"/complaints/{c[12]['id']}/suspend", json={"reason": "等待客户提供账单"})
    assert r.status_code == 200, r.get_json()
    d.at("2026-02-26 11:00")
    sc = scenario("not_solved_at_track_rehandled")
    c[19] = d.register(sc["steps"][0]["data"])
    # its second round promises a date in the scenario's own year, long past here: no promise in this count
    d.walk(c[19], [dict(st, data={k: v for k, v in st["data"].items() if k != "promised_date"}) for st in sc["steps"]])
    d.at("2026-02-26 15:00")
    c[13] = d.live("13800000001", "phone", "network")
    d.one_round(c[13], "network")

    d.at("2026-02-27 09:00")
    c[11] = d.live("13800000011", "phone", "network")
    d.do(c[11], "dispatch", "dispatcher", {"department": "network"})
    d.at("2026-02-27 14:00")
    sc = scenario("major_complaint_supervisor_review")
    c[16] = d.register(sc["steps"][0]["data"])
    d.walk(c[16], sc["steps"])

    d.at("2026-02-28 10:00")
    c[15] = d.register(unattended("13800000015", "letter"))
    d.do(c[15], "receive", "agent", unattended("13800000015", "letter"))
    d.at("2026-02-28 15:00")
    c[14] = d.live("13800000002", "phone", "product")
    d.do(c[14], "dispatch", "dispatcher", {"department": "product"})

    d.at("2026-03-01 10:00")
    c[17] = d.live("13800000017", "hall", "service")
    d.one_round(c[17], "hall")
    d.at("2026-03-01 11:00")
    c[18] = d.live("13800000018", "phone", "aftersales")
    d.do(c[18], "dispatch", "dispatcher", {"department": "aftersales"})

    clock.set(MONDAY_MORNING)
    api._tokens.clear()
    return c


def _step(name: str, completed: int, on_time: int | None = None, seconds: float = 1200.0, p90: float = 1217.7):
    """A step row: `completed` tasks, all with a time limit (register has none), all 20 minutes unless said."""
    with_deadline = 0 if on_time is None else completed
    on = on_time or 0
    return {
        "name": name,
        "completed": completed,
        "with_deadline": with_deadline,
        "on_time": on,
        "on_time_rate": round(on / with_deadline, 4) if with_deadline else None,
        "avg_seconds": seconds,
        "p90_seconds": p90,
    }


# 20 minutes = 1200 s lies in duration band ceil(8 log2 1200) = 82, shown as its upper edge 2^(82/8) = 1217.7 s.
TWENTY_MINUTES_P90 = 1217.7
EXPECTED_STEPS = {
    # receive: #4, 5, 10, 15, 16, 19
    "receive": _step("投诉接收", 6, 6),
    # classify and register: #4, 5, 10, 16, 19 (register has no time limit: "—")
    "classify": _step("投诉分类", 5, 5),
    "register": _step("投诉登记", 5),
    # dispatch: #1-4, 6-14 but 10, 16-19 but 17's ... : 1,2,3,4,6,7,8,9,11,12,13,14,16,17,18,19 = 16; #9 took 3 h
    # (late): mean (15 x 1200 + 10800) / 16 = 1800 s; p90 rank ceil(0.9 x 16) = 15: still 1200 s
    "dispatch": _step("投诉分发", 16, 15, seconds=1800.0),
    # handle: one each for #1, 2, 6, 7, 8, 9, 13, 16, 17; two for #3 and #19; three for #4 = 16
    "handle": _step("投诉处理", 16, 16),
    # track: as handle, and the fraud case's = 17
    "track": _step("投诉跟踪", 17, 17),
    # feedback: one per round ending in a survey: 9 single rounds above but #19 (one survey after two rounds)
    # = #1,2,5,6,7,8,9,13,16,17,19 (11) + #3 twice + #4 three times = 16
    "feedback": _step("投诉反馈", 16, 16),
    "summarize": _step("投诉总结", 13, 13),  # the 13 closed
    "fraud_handle": _step("反诈处置", 1, 1),
    "supervisor_review": _step("重大投诉审核", 1, 1),
    "approve_compensation": _step("赔偿审批", 1, 1),
    "rehandle_review": _step("客户仍不满意定案", 1, 1),
}


def expected_dashboard() -> dict:
    return {
        "filters": {"from": "2026-02-23", "to": "2026-03-01"},
        "by_category": [
            {"value": "network", "count": 6},  # 1, 6, 8, 9, 11, 13
            {"value": "billing", "count": 4},  # 2, 7, 12, 16
            {"value": "product", "count": 3},  # 10, 14, 19
            {"value": "service", "count": 3},  # 3, 5, 17
            {"value": "aftersales", "count": 2},  # 4, 18
            {"value": None, "count": 1},  # 15, not classified
        ],
        "by_channel": [
            {"value": "phone", "count": 12},  # 1, 2, 5, 6, 7, 8, 9, 11, 12, 13, 14, 18
            {"value": "hall", "count": 2},  # 3, 17
            {"value": "letter", "count": 2},  # 15, 19
            {"value": "online", "count": 2},  # 10, 16
            {"value": "social", "count": 1},  # 4
        ],
        "by_severity": [{"value": "general", "count": 18}, {"value": "major", "count": 1}],  # 16 is major
        "by_department": [
            {"value": "billing", "count": 5},  # 2, 6 (transferred), 7 (re-sent), 12, 16
            {"value": "network", "count": 5},  # 1, 8, 9, 11, 13
            {"value": None, "count": 2},  # 10, 15: not dispatched
            {"value": "aftersales", "count": 2},  # 4, 18
            {"value": "hall", "count": 2},  # 3, 17
            {"value": "product", "count": 2},  # 14, 19
            {"value": "antifraud", "count": 1},  # 5
        ],
        "volume": {
            "total": 19,
            "by_day": [
                {"day": "2026-02-23", "count": 3, "trend": 3.0},  # 3/1
                {"day": "2026-02-24", "count": 3, "trend": 3.0},  # 6/2
                {"day": "2026-02-25", "count": 3, "trend": 3.0},  # 9/3
                {"day": "2026-02-26", "count": 4, "trend": 3.25},  # 13/4
                {"day": "2026-02-27", "count": 2, "trend": 3.0},  # 15/5
                {"day": "2026-02-28", "count": 2, "trend": 2.83},  # 17/6
                {"day": "2026-03-01", "count": 2, "trend": 2.71},  # 19/7
            ],
            "by_week": [{"week_start": "2026-02-23", "count": 19}],
            # sum((x - 3) y) = -9 - 6 - 3 + 0 + 2 + 4 + 6 = -6 over sum((x - 3)^2) = 28
            "slope_per_day": -0.2143,
        },
        "resolution": {
            "registered": 19,
            "closed": 13,
            "rate": 0.6842,  # 13/19
            "solved_confirmed": 12,
            "closed_with_reason": 1,  # 4: the supervisor closed it, the customer still unsatisfied
        },
        # 1, 2, 8, 9, 13, 16, 17; not 3, 4, 19 (rounds), 5 (no handling), 6 (transfer), 7 (return)
        "first_contact_resolution": {"closed": 13, "resolved_first_time": 7, "rate": 0.5385},
        "satisfaction": {
            "answered": 13,
            "satisfied": 10,  # 1, 3, 5, 6, 7, 8, 9, 13, 17, 19
            "basically_satisfied": 2,  # 2, 16
            "unsatisfied": 1,  # 4
            "rate": 0.9231,  # 12/13
        },
        "repeat": {"window_days": 30, "total": 19, "repeats": 4, "rate": 0.2105},  # 3, 4 reopened; 7, 13 by gap
        "steps": EXPECTED_STEPS,
        "now": {
            "open": 6,
            "breached": 3,
            "paused": 1,
            "breached_by_step": [
                {"element_id": "classify", "name": "投诉分类", "count": 1},  # 15
                {"element_id": "complaint_clock", "name": "全程答复时限", "count": 1},  # 11: no reply in 48 h
                {"element_id": "dispatch", "name": "投诉分发", "count": 1},  # 10
            ],
        },
        # ages at 03-02 09:00: 18 0.9 d; 14 1.75 d, 15 1.96 d; 11 3 d, 12 3.96 d, 10 4 d
        "backlog_by_age": [
            {"bucket": "lt1d", "min_days": 0, "max_days": 1, "count": 1},
            {"bucket": "1to3d", "min_days": 1, "max_days": 3, "count": 2},
            {"bucket": "3to7d", "min_days": 3, "max_days": 7, "count": 3},
            {"bucket": "7to15d", "min_days": 7, "max_days": 15, "count": 0},
            {"bucket": "ge15d", "min_days": 15, "max_days": None, "count": 0},
        ],
        # 8 promised 02-27 (due 02-28 00:00, in the period) and answered on 02-25
        "promises": {"promised": 1, "kept": 1, "missed": 0, "running": 0, "kept_rate": 1.0},
        "owners": [{"owner": "王芳", "open": 6}],  # the agent registered every one of them
    }


def _by_element(d: dict) -> dict:
    return d | {"steps": {s.pop("element_id"): s for s in [dict(s) for s in d["steps"]]}}


def test_every_figure_matches_the_hand_count(api, twenty, app):
    """The twenty are built once (a few seconds of API calls); then each view is checked against the count."""
    dashboard_matches(api, app)
    export_matches(api, twenty)
    regulator_matches(api, app)


def dashboard_matches(api, app):
    d = api.get("manager", f"/reports/dashboard?{PERIOD}").get_json()
    assert upper_seconds(band_of(timedelta(minutes=20))) == pytest.approx(TWENTY_MINUTES_P90, abs=0.05)
    got, want = _by_element(d), expected_dashboard()
    assert set(got) - {"generated_at"} == set(want)
    for key, figures in want.items():  # one figure set at a time: a failure names it
        assert got[key] == figures, key

    page = Web(app).login("manager").text(f"/reports?{PERIOD}")
    shown = json.loads(
        unescape(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S).group(1))
    )["data"]
    assert _by_element(shown) | {"generated_at": None} == expected_dashboard() | {"generated_at": None}
    kpis = re.findall(r'<div class="kpi[^"]*"[^>]*>(?:<a [^>]*>)?<b[^>]*>([^<]*)</b>', page)
    # registered, resolution, FCR, repeat, satisfaction, open, breached, paused, promises kept / missed
    assert kpis == ["19", "68.4%", "53.8%", "21.1%", "92.3%", "6", "3", "1", "1 / 0"]
    assert re.search(r'data-testid="resolved-apart">[^<]*12[^<]*1[^<]*<', page)
    on_time = dict(re.findall(r'<tr data-step="(\w+)"><td>[^<]*</td><td class="num">([^<]*)</td>', page))
    assert on_time == {
        k: ("—" if k == "register" else "93.8%" if k == "dispatch" else "100.0%") for k in EXPECTED_STEPS
    }


# The export: one row per complaint registered in the period, newest first; by complaint:
# (status, SLA state, satisfaction, category, department, promise)
EXPECTED_ROWS = {
    1: ("已办结", "按时答复", "满意", "网络质量", "网络部", ""),
    2: ("已办结", "按时答复", "基本满意", "资费计费", "计费部", ""),
    3: ("已办结", "按时答复", "满意", "营业厅服务", "营业厅", ""),
    4: ("已办结", "按时答复", "不满意", "售后服务", "售后服务部", ""),
    5: ("已办结", "按时答复", "满意", "营业厅服务", "antifraud", ""),
    6: ("已办结", "按时答复", "满意", "网络质量", "计费部", ""),
    7: ("已办结", "按时答复", "满意", "资费计费", "计费部", ""),
    8: ("已办结", "按时答复", "满意", "网络质量", "网络部", "已兑现"),
    9: ("已办结", "按时答复", "满意", "网络质量", "网络部", ""),
    10: ("处理中", "超时", "", "产品业务", "", ""),  # dispatch overdue
    11: ("处理中", "超时", "", "网络质量", "网络部", ""),  # the 48-hour reply clock
    12: ("处理中", "挂起", "", "资费计费", "计费部", ""),
    13: ("已办结", "按时答复", "满意", "网络质量", "网络部", ""),
    14: ("处理中", "预警", "", "产品业务", "产品部", ""),  # 42 h of 48: past the warning at half
    15: ("处理中", "超时", "", "", "", ""),  # classify overdue
    16: ("已办结", "按时答复", "基本满意", "资费计费", "计费部", ""),
    17: ("已办结", "按时答复", "满意", "营业厅服务", "营业厅", ""),
    18: ("处理中", "正常", "", "售后服务", "售后服务部", ""),  # 22 h of 48
    19: ("已办结", "按时答复", "满意", "产品业务", "产品部", ""),
}


def export_matches(api, twenty):
    r = api.get("manager", "/process-instances/export?format=csv&created_from=2026-02-23&created_to=2026-03-01")
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    numbers = {c["number"]: k for k, c in twenty.items()}
    got = {
        numbers[row["投诉编号"]]: (
            row["状态"],
            row["时限状态"],
            row["满意度"],
            row["投诉分类"],
            row["处理部门"],
            row["承诺兑现"],
        )
        for row in rows
    }
    assert len(rows) == 19 and got == EXPECTED_ROWS


def regulator_matches(api, app):
    view = api.get("manager", "/reports/regulator?from=2026-Q1&to=2026-Q1").get_json()
    (q1,) = view["quarters"]
    assert (q1["quarter"], q1["subscribers"], q1["total"]) == ("2026-Q1", 12_600_000, 20)  # #20 too
    assert q1["per_million"] == 1.59  # 20 / 12.6
    # service = ours service + aftersales (3, 5, 17; 4, 18); tariff = billing (2, 7, 12, 16, 20); network (1, 6, 8,
    # 9, 11, 13); marketing = product (10, 14, 19); other: 15, not classified
    assert {c["code"]: c["count"] for c in q1["by_category"]} == {
        "service": 5,
        "tariff": 5,
        "network": 6,
        "marketing": 3,
        "other": 1,
    }
    # answered within 15 日: the 14 closed (each replied within days); none past its deadline unanswered
    assert (q1["in_time"], q1["late"], q1["reply_share"]) == (14, 0, 1.0)
    page = Web(app).login("manager").text("/reports/regulator?from=2026-Q1&to=2026-Q1")
    header = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>.*?</t[dh]>", body, re.S)]
    assert len(re.findall(r"<th", header)) == len(cells)
    assert cells[0] == "2026-Q1" and "20" in cells and "1.59" in cells and "100.0% (14/14)" in cells
