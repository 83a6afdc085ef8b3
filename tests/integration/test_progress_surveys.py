"""Surveys of complaints still in progress, and every answer routed to the people it concerns.

Now is Monday 2026-03-02 09:00 Shanghai. The open complaints below were registered N days before, all owned
by the agent 王芳; the sample is configured at rate 1 (every eligible one), social media 0, minimum age 3 days:

| # | channel | dept    | days | status | sampled?                    |
| P1 | phone  | network | 10   | open   | yes                         |
| P2 | online | billing | 5    | open   | yes                         |
| P3 | hall   | network | 3    | open   | yes (exactly the minimum)   |
| P4 | phone  | network | 2    | open   | no: too young               |
| P5 | social | network | 10   | open   | no: social media's rate is 0 |
| P6 | phone  | billing | 10   | closed | no: closed                  |

Routing: a second supervisor 网络班长 is in the supervisor group and the network department's; so a network
complaint's answer goes to the owner and 网络班长 only, a billing one's (no supervisor of its own) to the owner
and every supervisor (周敏 and 网络班长).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.domain.actors import Viewer
from app.errors import NotFound
from app.models import (
    AuditEvent,
    Complaint,
    Group,
    Notification,
    ProcessInstance,
    ProcessVersion,
    ProgressSurvey,
    SurveyToken,
    User,
)
from app.services.complaints import public_channel
from app.services.notifications.outbox import survey_token
from app.services.reporting.dashboard import ReportFilter
from app.services.reporting.satisfaction import progress_figures
from app.services.surveys.progress import sample_open_complaints
from app.services.tasks.notices import list_notices

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
OPEN = {
    "P1": ("phone", "network", 10, "open"),
    "P2": ("online", "billing", 5, "open"),
    "P3": ("hall", "network", 3, "open"),
    "P4": ("phone", "network", 2, "open"),
    "P5": ("social", "network", 10, "open"),
    "P6": ("phone", "billing", 10, "closed"),
}
ADDRESS = "203.0.113.9"


def configure(rt, tmp_path, text: str) -> None:
    path = tmp_path / "surveys.toml"
    path.write_text(text, encoding="utf-8")
    rt.settings["SURVEYS_CONFIG"] = str(path)
    vars(rt).pop("_survey_rules", None)


EVERYONE = """
[in_progress]
rate = 1.0
min_age_days = 3
[in_progress.rate_by_channel]
social = 0.0
[routing]
low_rating = 2
"""


@pytest.fixture
def people(rt, demo_users):
    with rt.db.write() as s:
        groups = {g.code: g for g in s.scalars(select(Group)).all()}
        s.add(
            User(
                username="netsup",
                display_name="网络班长",
                password_hash="x",
                created_at=NOW,
                groups=[groups["supervisor"], groups["handler_network"]],
            )
        )
    with rt.db.read() as s:
        return dict(s.execute(select(User.username, User.id)).all())


@pytest.fixture
def complaints(rt, people):
    ids = {}
    with rt.db.write() as s:
        version = s.scalars(select(ProcessVersion)).first()
        if version is None:
            version = ProcessVersion(
                process_id="complaint_handling",
                version=1,
                name="投诉处理",
                bpmn_file="x.bpmn",
                files={},
                hash="0" * 64,
                note="",
                deployed_at=NOW - timedelta(days=90),
            )
            s.add(version)
            s.flush()
        for n, (key, (channel, dept, days, status)) in enumerate(OPEN.items(), 1):
            created = NOW - timedelta(days=days)
            inst = ProcessInstance(
                process_version_id=version.id,
                process_id="complaint_handling",
                status="running",
                state=b"",
                version=1,
                created_at=created,
                updated_at=created,
            )
            s.add(inst)
            s.flush()
            row = Complaint(
                number=f"TS2026020{n}{uuid.uuid4().int % 10**6:06d}",
                instance_id=inst.id,
                customer_name=f"客户{key}",
                customer_phone=f"1390000{n:04d}",
                channel=channel,
                category=dept,
                severity="general",
                department=dept,
                matter="…",
                status=status,
                owner_id=people["agent"],
                created_at=created,
                updated_at=created,
            )
            s.add(row)
            s.flush()
            ids[key] = row.id
    return ids


def sampled(rt) -> dict[int, int]:
    with rt.db.read() as s:
        return dict(s.execute(select(ProgressSurvey.complaint_id, ProgressSurvey.id)).all())


@pytest.mark.also_postgres
def test_the_job_surveys_the_eligible_sample_once_each(rt, complaints, tmp_path):
    configure(rt, tmp_path, EVERYONE)
    assert sample_open_complaints(rt)["sent"] == 3
    assert set(sampled(rt)) == {complaints["P1"], complaints["P2"], complaints["P3"]}
    with rt.db.read() as s:
        sms = s.execute(
            select(Notification.complaint_id, Notification.channel).where(Notification.template == "progress_survey")
        ).all()
        kinds = s.execute(select(SurveyToken.complaint_id, SurveyToken.kind)).all()
    assert sorted(sms) == sorted((complaints[k], "sms") for k in ("P1", "P2", "P3"))
    assert sorted(kinds) == sorted((complaints[k], "in_progress") for k in ("P1", "P2", "P3"))
    # again, later, with P4 now old enough: only P4 is new; nobody is asked twice
    rt.clock.advance(timedelta(days=1))
    assert sample_open_complaints(rt)["sent"] == 1
    assert set(sampled(rt)) == {complaints[k] for k in ("P1", "P2", "P3", "P4")}
    with rt.db.read() as s:
        assert s.scalar(select(Notification.id).where(Notification.complaint_id == complaints["P1"]).offset(1)) is None


def test_the_job_follows_its_settings(rt, complaints, tmp_path):
    configure(rt, tmp_path, "[in_progress]\nenabled = false\nrate = 1.0\n")
    assert sample_open_complaints(rt)["sent"] == 0 and not sampled(rt)
    configure(rt, tmp_path, "[in_progress]\nrate = 0.0\n")
    assert sample_open_complaints(rt)["sent"] == 0
    configure(rt, tmp_path, "[in_progress]\nrate = 1.0\nmin_age_days = 6\nper_run = 1\n")
    assert sample_open_complaints(rt)["sent"] == 1  # P1 and P5 are old enough: P1 first (same age, lower id)
    assert set(sampled(rt)) == {complaints["P1"]}
    assert sample_open_complaints(rt)["sent"] == 1  # the next run takes the rest: P5 (social at the file's 1.0)
    assert set(sampled(rt)) == {complaints["P1"], complaints["P5"]}


def _token(rt, complaint_id: int) -> str:
    with rt.db.read() as s:
        nonce = s.scalar(select(SurveyToken.nonce).where(SurveyToken.complaint_id == complaint_id))
    return survey_token(rt, nonce)


@pytest.mark.also_postgres
def test_an_answer_is_kept_apart_and_reaches_the_owner_and_the_supervisors(rt, complaints, people, tmp_path):
    configure(rt, tmp_path, EVERYONE)
    sample_open_complaints(rt)
    assert public_channel.open_survey(rt, _token(rt, complaints["P1"]))["kind"] == "in_progress"
    answers = {"satisfaction": "basically_satisfied", "rating_timeliness": "4", "rating_attitude": "5"}
    done = public_channel.answer_survey(rt, _token(rt, complaints["P1"]), answers, ADDRESS)
    assert done["recorded"] and not done["reopened"]
    low = {"satisfaction": "satisfied", "rating_result": "2", "satisfaction_reason": "还没修好"}
    public_channel.answer_survey(rt, _token(rt, complaints["P2"]), low, ADDRESS)
    with pytest.raises(NotFound):  # the link works once
        public_channel.answer_survey(rt, _token(rt, complaints["P1"]), answers, ADDRESS)
    with rt.db.read() as s:
        rows = {r.complaint_id: r for r in s.scalars(select(ProgressSurvey)).all()}
        c1 = s.get(Complaint, complaints["P1"])
        events = {
            e.instance_id: e.data_after
            for e in s.scalars(select(AuditEvent).where(AuditEvent.type == "survey.answered"))
        }
        inst = dict(s.execute(select(Complaint.id, Complaint.instance_id)).all())
    p1 = rows[complaints["P1"]]
    assert (p1.satisfaction, p1.rating_timeliness, p1.rating_attitude, p1.rating_result, p1.low) == (
        "basically_satisfied",
        4,
        5,
        None,
        False,
    )
    assert rows[complaints["P2"]].low is True and rows[complaints["P3"]].answered_at is None
    # the closing survey's place on the complaint stays empty: the complaint goes on being handled
    assert (c1.satisfaction, c1.rating_timeliness, c1.status) == (None, None, "open")
    # network (P1): the owner and the network supervisor; billing (P2): the owner and every supervisor
    assert events[inst[complaints["P1"]]]["notified"] == sorted([people["agent"], people["netsup"]])
    assert events[inst[complaints["P2"]]]["notified"] == sorted(
        [people["agent"], people["netsup"], people["supervisor"]]
    )
    assert events[inst[complaints["P2"]]]["kind"] == "in_progress" and events[inst[complaints["P2"]]]["low"] is True

    def notices(user, groups):
        return [
            (n["data"]["number"], n["kind"], n["data"]["kind"])
            for n in list_notices(rt, Viewer(people[user], user, frozenset(groups)))["items"]
            if n.get("url_kind") == "complaint"
        ]

    numbers = {k: c for k, c in zip(("P1", "P2"), _numbers(rt, complaints))}
    ok, low = (numbers["P1"], "survey.answered", "in_progress"), (numbers["P2"], "survey.low", "in_progress")
    assert sorted(notices("agent", {"agent"})) == sorted([ok, low])
    assert sorted(notices("netsup", {"supervisor", "handler_network"})) == sorted([ok, low])
    assert notices("supervisor", {"supervisor"}) == [low]
    assert notices("dispatcher", {"dispatcher"}) == []

    figures = progress_figures(
        rt, Viewer(people["manager"], "manager", frozenset({"manager"})), ReportFilter(NOW.date(), NOW.date())
    )
    # sent 3 (P1, P2, P3), answered 2, good 2 (basically satisfied and satisfied), low 1 (P2's result rated 2)
    total = figures["total"]
    assert (total["asked"], total["answered"], total["satisfied"], total["low"], total["rating_result"]) == (
        3,
        2,
        2,
        1,
        2.0,
    )
    assert {d["value"]: (d["asked"], d["answered"]) for d in figures["department"]} == {
        "network": (2, 1),
        "billing": (1, 1),
    }


def _numbers(rt, complaints):
    with rt.db.read() as s:
        return [s.get(Complaint, complaints[k]).number for k in ("P1", "P2")]


def test_a_wrong_answer_is_refused(rt, complaints, tmp_path):
    from app.errors import Invalid

    configure(rt, tmp_path, EVERYONE)
    sample_open_complaints(rt)
    with pytest.raises(Invalid):
        public_channel.answer_survey(rt, _token(rt, complaints["P1"]), {"satisfaction": "thrilled"}, ADDRESS)
    with pytest.raises(Invalid):
        public_channel.answer_survey(
            rt, _token(rt, complaints["P1"]), {"satisfaction": "satisfied", "rating_result": "9"}, ADDRESS
        )


def test_the_notice_page_flags_a_low_answer_and_the_api_reports_apart(app, rt, complaints, tmp_path, api):
    from .web_client import Web

    configure(rt, tmp_path, EVERYONE)
    sample_open_complaints(rt)
    public_channel.answer_survey(rt, _token(rt, complaints["P2"]), {"satisfaction": "unsatisfied"}, ADDRESS)
    page = Web(app).login("agent").text("/notices")
    assert "客户评价偏低，请关注" in page and "处理中评价" in page and 'data-testid="notice-low"' in page
    r = api.get("manager", "/reports/satisfaction/in-progress?from=2026-03-02&to=2026-03-02")
    assert r.status_code == 200 and r.get_json()["total"]["asked"] == 3 and r.get_json()["total"]["low"] == 1
    assert api.get("agent", "/reports/satisfaction/in-progress").status_code == 403
    assert api.get("manager", "/reports/satisfaction/in-progress?channel=pigeon").status_code == 422
    sat = Web(app).login("supervisor").text("/reports/satisfaction?from=2026-03-02&to=2026-03-02")
    assert 'data-testid="progress-department"' in sat and "计费部" in sat


def test_a_closing_answer_taken_on_the_phone_reaches_the_supervisors(api, rt, deployed):
    """The feedback step's satisfaction (the agent reached the customer) is routed too; the agent who took it,
    also the owner, is not told of their own call."""
    from .test_instance_audit import walk

    done = walk(api, "general_satisfied_first_reply")
    with rt.db.read() as s:
        events = s.scalars(
            select(AuditEvent).where(
                AuditEvent.instance_id == done["process_instance_id"], AuditEvent.type == "survey.answered"
            )
        ).all()
        users = dict(s.execute(select(User.username, User.id)).all())
    assert len(events) == 1
    after = events[0].data_after
    assert (after["kind"], after["satisfaction"], after["low"]) == ("closing", "satisfied", False)
    assert after["notified"] == [users["supervisor"]] and events[0].actor == "agent"
    supervisor = list_notices(rt, Viewer(users["supervisor"], "supervisor", frozenset({"supervisor"})))["items"]
    assert [(n["kind"], n["data"]["kind"]) for n in supervisor if n.get("url_kind") == "complaint"] == [
        ("survey.answered", "closing")
    ]


@pytest.mark.also_postgres
def test_survey_notices_of_the_first_table_become_staff_notices(rt, complaints, people, tmp_path):
    """Migration 0020: a person told of an answer through 0018's survey_notice keeps the notice as a staff one."""
    from alembic import command
    from sqlalchemy import text

    from app.migrate import alembic_config, upgrade
    from app.models import StaffNotice

    configure(rt, tmp_path, EVERYONE)
    sample_open_complaints(rt)
    public_channel.answer_survey(rt, _token(rt, complaints["P2"]), {"satisfaction": "unsatisfied"}, ADDRESS)
    cfg = alembic_config(rt.db.url)
    with rt.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.stamp(cfg, "head", purge=True)
        command.downgrade(cfg, "0019_repeats")  # survey_notice back, the staff notices of answers gone
    with rt.db.write() as s:
        assert s.scalar(select(StaffNotice.id).where(StaffNotice.url_kind == "complaint")) is None
        event = s.scalar(select(AuditEvent.id).where(AuditEvent.type == "survey.answered"))
        s.execute(
            text("INSERT INTO survey_notice (user_id, event_id) VALUES (:u, :e)"), {"u": people["agent"], "e": event}
        )
    upgrade(rt.db)
    with rt.db.read() as s:
        moved = s.scalars(select(StaffNotice).where(StaffNotice.url_kind == "complaint")).all()
        number = s.get(Complaint, complaints["P2"]).number
    assert [(n.user_id, n.kind, n.ref, n.key, n.data) for n in moved] == [
        (
            people["agent"],
            "survey.low",
            str(complaints["P2"]),
            f"survey:{event}:{people['agent']}",
            {"number": number, "kind": "in_progress", "satisfaction": "unsatisfied", "low": True},
        )
    ]
