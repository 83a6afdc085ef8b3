"""Every role × every resource and action, through the real API and pages, generated from one table.

Each row names a request and who may make it. Rows that follow a capability take their users from
app/domain/policy.py (and the test checks the policy still says what the row expects); rows that follow the
need-to-know rules (who may open a complaint, read a task) list their users explicitly. Everyone else must be
refused with 403, or 404 where even the existence of the thing is not theirs to know. A request that is
allowed may still fail on its (deliberately empty) input: anything but 401/403/404 and 5xx counts as let in.

The fixture is one major billing complaint at the billing department's handling step: receive, classify and
register by the agent, the supervisor's review, the dispatcher's dispatch are done.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.domain import policy
from app.demo.users import DEMO_USERS

from .flow import ready_task, registration, scenario
from .test_instance_audit import walk
from .web_client import Web

GROUPS_OF = {username: frozenset(groups) for username, _, groups in DEMO_USERS}
USERS = tuple(GROUPS_OF)


def holders(capability: str) -> frozenset[str]:
    return frozenset(u for u, groups in GROUPS_OF.items() if policy.allows(groups, capability))


AGENTS = frozenset({"agent", "agent2"})
# Who may open the complaint: those who follow every complaint, and the groups that worked it.
OPENERS = holders("complaint.follow_any") | {"dispatcher", "billing"}
# Who may read the billing department's task: its group and the overseers.
TASK_READERS = frozenset({"billing"}) | holders("task.oversee")


@dataclass(frozen=True)
class Row:
    name: str
    via: str  # api | web
    method: str
    path: str  # {cid}, {iid}, {tid} are filled from the fixture
    allowed: frozenset[str]
    capability: str | None = None  # the row follows this capability: allowed must equal its holders
    body: dict | None = None
    probe_only: bool = False  # a state-changing action: only the refusals are checked here

    def __str__(self) -> str:
        return f"{self.via} {self.method} {self.path} ({self.name})"


def cap(name: str, via: str, method: str, path: str, capability: str, body: dict | None = None) -> Row:
    return Row(name, via, method, path, holders(capability), capability, body)


TABLE = (
    # complaints and their customers
    Row("open a complaint", "api", "GET", "/complaints/{cid}", OPENERS),
    Row("reveal a customer's data", "api", "POST", "/complaints/{cid}/reveal", OPENERS, body={"reason": "回访核实"}),
    cap("register a complaint", "api", "POST", "/complaints", "complaint.register", body="registration"),
    Row("open the instance", "api", "GET", "/process-instances/{iid}", OPENERS),
    Row("read the instance's trail", "api", "GET", "/process-instances/{iid}/events", OPENERS),
    Row("read the instance's audit view", "api", "GET", "/process-instances/{iid}/audit", OPENERS),
    Row("check the instance's chain", "api", "GET", "/process-instances/{iid}/chain", OPENERS),
    # the billing department's task
    Row("read the task", "api", "GET", "/tasks/{tid}", TASK_READERS),
    Row("add a note", "api", "POST", "/tasks/{tid}/notes", TASK_READERS, body={"text": "矩阵测试备注"}),
    Row(
        "record a contact attempt",
        "api",
        "POST",
        "/tasks/{tid}/contact-attempts",
        frozenset({"billing"}) | holders("task.contact_any"),
        body={"method": "phone", "result": "no_answer"},
    ),
    cap("urge the task", "api", "POST", "/tasks/{tid}/urge", "task.urge", body={"reason": "客户催促"}),
    Row("claim the task", "api", "POST", "/tasks/{tid}/claim", frozenset({"billing"}), probe_only=True),
    Row(
        "complete the task",
        "api",
        "POST",
        "/tasks/{tid}/complete",
        frozenset({"billing"}),
        body={"data": {}},
        probe_only=True,
    ),
    Row(
        "transfer the task",
        "api",
        "POST",
        "/tasks/{tid}/transfer",
        frozenset({"billing"}) | holders("task.supervise"),
        body={"reason": "转派", "to_group": "handler_network"},
        probe_only=True,
    ),
    cap("suspend the complaint", "api", "POST", "/complaints/{cid}/suspend", "task.supervise", body={}),
    # managers' views
    cap("search every instance", "api", "GET", "/process-instances?status=open", "report.read"),
    cap("export a search", "api", "GET", "/process-instances/export?format=csv", "report.read"),
    cap("read the dashboard", "api", "GET", "/reports/dashboard", "report.read"),
    cap("read per-agent figures", "api", "GET", "/reports/people", "report.people"),
    cap("read the four ratings by agent", "api", "GET", "/reports/satisfaction", "report.people"),
    cap("read satisfaction against its factors", "api", "GET", "/reports/satisfaction/factors", "report.people"),
    cap("read the in-progress surveys", "api", "GET", "/reports/satisfaction/in-progress", "report.people"),
    cap("read volume periodicity", "api", "GET", "/reports/periodicity", "report.read"),
    cap("read the access log", "api", "GET", "/access-log", "access_log.read"),
    cap("record an improvement action", "api", "POST", "/improvement-actions", "improvement.manage", body={}),
    Row(
        "list improvement actions (one's own, or all for readers)",
        "api",
        "GET",
        "/improvement-actions",
        frozenset(USERS),
    ),
    cap("list notifications", "api", "GET", "/notifications", "notification.read"),
    cap("list timer incidents", "api", "GET", "/incidents", "timer_incident.manage"),
    cap("list service incidents", "api", "GET", "/service-incidents", "service_incident.manage"),
    cap("read the instance's script output", "api", "GET", "/process-instances/{iid}/log", "instance.print_log.read"),
    cap("list appeals", "api", "GET", "/appeals", "appeal.read"),
    cap("register an appeal", "api", "POST", "/appeals", "appeal.register", body={}),
    cap("open an outage incident", "api", "POST", "/outages", "outage.manage", body={}),
    # complaint text in bulk
    cap("analyse a text at intake", "api", "POST", "/text/analyse", "text.intake", body={"text": "宽带断网"}),
    cap("list similar-complaint bursts", "api", "GET", "/text/bursts", "text.bursts.read"),
    cap("read the topics", "api", "GET", "/text/topics", "text.topics.read"),
    cap("list classifier versions", "api", "GET", "/text/models", "text.classifier.read"),
    Row(
        "train the classifier",
        "api",
        "POST",
        "/text/models",
        holders("text.classifier.manage"),
        "text.classifier.manage",
        probe_only=True,
    ),
    # process models and the calendar
    # which processes are deployed (names and versions, no diagram, no customer): what an API client starts
    Row("list deployed processes", "api", "GET", "/process-models", frozenset(USERS)),
    cap(
        "download a diagram",
        "api",
        "GET",
        "/process-models/complaint_handling/versions/1/files/complaint_handling.bpmn",
        "model.read",
    ),
    cap("check a diagram", "api", "POST", "/process-models/check", "model.edit"),
    cap("migrate an instance", "api", "POST", "/process-instances/{iid}/migrate", "instance.migrate", body={}),
    cap("enter a calendar override", "api", "POST", "/calendar/overrides", "calendar.edit", body={}),
    # the pages
    Row("the complaint page", "web", "GET", "/complaints/{cid}", OPENERS),
    Row("the task page", "web", "GET", "/tasks/{tid}", TASK_READERS),
    Row("a note from the task page", "web", "POST", "/tasks/{tid}/notes", TASK_READERS, body={"text": "页面备注"}),
    Row(
        "reveal on the complaint page", "web", "POST", "/complaints/{cid}/reveal", OPENERS, body={"reason": "回访核实"}
    ),
    cap("the registration page", "web", "GET", "/complaints/new", "complaint.register"),
    cap("the instance search page", "web", "GET", "/reports/instances", "report.read"),
    cap("the dashboard page", "web", "GET", "/reports", "report.read"),
    cap("the satisfaction analysis page", "web", "GET", "/reports/satisfaction", "report.people"),
    cap("the satisfaction ratings CSV", "web", "GET", "/reports/satisfaction/export.csv", "report.people"),
    cap("the access-log page", "web", "GET", "/reports/access-log", "access_log.read"),
    cap("the periodicity page", "web", "GET", "/reports/periodicity", "report.read"),
    cap("the new improvement action page", "web", "GET", "/reports/improvement-actions/new", "improvement.manage"),
    Row("the improvement actions page", "web", "GET", "/reports/improvement-actions", frozenset(USERS)),
    cap("the appeals page", "web", "GET", "/appeals", "appeal.read"),
    cap("the process models page", "web", "GET", "/models", "model.read"),
    cap("the calendar page", "web", "GET", "/calendar", "calendar.read"),
    cap("an override from the calendar page", "web", "POST", "/calendar/overrides", "calendar.edit", body={}),
)


def test_the_table_covers_every_role_and_the_policy_agrees():
    assert {g for groups in GROUPS_OF.values() for g in groups} >= {
        "agent",
        "dispatcher",
        "supervisor",
        "director",
        "process_owner",
        "manager",
        "handler_billing",
    }
    for row in TABLE:
        assert row.allowed <= set(USERS), row
        if row.capability is not None:
            assert row.allowed == holders(row.capability), row
    assert holders("personal_data.reveal") <= OPENERS  # whoever may reveal may open what they reveal
    assert not OPENERS & {"owner", "network"}  # process owners and other departments never see this customer


@pytest.fixture
def world(app, api, deployed):
    created = walk(api, "major_complaint_supervisor_review", steps=5)
    task = ready_task(api, created["process_instance_id"], "handle", "handler_billing")
    return {"cid": created["id"], "iid": created["process_instance_id"], "tid": task["id"]}


def _send(app, api, webs: dict, user: str, row: Row, world: dict):
    path = row.path.format(**world)
    body = registration(scenario("general_satisfied_first_reply")) if row.body == "registration" else row.body
    if row.via == "api":
        call = api.get if row.method == "GET" else api.post
        return call(user, path, json=body) if row.method == "POST" else call(user, path)
    if user not in webs:
        webs[user] = Web(app).login(user)
    web = webs[user]
    return web.get(path) if row.method == "GET" else web.post(path, body or {})


@pytest.mark.slow  # about 600 requests
def test_every_role_may_do_exactly_what_the_table_says(app, api, world):
    webs: dict[str, Web] = {}
    wrong = []
    for row in TABLE:
        denied = [u for u in USERS if u not in row.allowed]
        allowed = [] if row.probe_only else [u for u in USERS if u in row.allowed]
        for user in denied + allowed:  # refusals first: an allowed state change comes after them
            status = _send(app, api, webs, user, row, world).status_code
            ok = status in (403, 404) if user in denied else status not in (401, 403, 404) and status < 500
            if not ok:
                wrong.append(
                    f"{row}: {user} got {status}, {'should be refused' if user in denied else 'should be let in'}"
                )
    assert not wrong, "\n".join(wrong)
