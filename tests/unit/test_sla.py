"""Unit tests of the SLA policy: the shipped files, deadlines, warnings, states and validation."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.domain.calendar import Deadline, WorkingCalendar
from app.domain.clock import OPERATOR_ZONE, FixedClock
from app.domain.holiday_notice import parse_state_council_schedule
from app.domain.sla import SEVERITIES, STEPS, SlaConfigError, SlaPolicy

CONFIG = Path(__file__).resolve().parents[2] / "config"
CAL = WorkingCalendar()


def sh(y, m, d, h=10, mi=0, s=0):
    """Return an instant given in the operator's local time."""
    return datetime(y, m, d, h, mi, s, tzinfo=OPERATOR_ZONE)


@pytest.fixture(scope="module")
def policy():
    return SlaPolicy.load(CONFIG / "sla.toml")


@pytest.fixture(scope="module")
def fast():
    return SlaPolicy.load(CONFIG / "sla-seconds.toml")


def test_every_step_has_a_limit_for_every_severity(policy, fast):
    for p in (policy, fast):
        for step in STEPS:
            for severity in SEVERITIES:
                assert p.deadline(step, severity, sh(2026, 3, 9), CAL).at > sh(2026, 3, 9)


def test_handle_is_three_working_days_and_one_when_major(policy):
    assert policy.deadline("handle", "general", sh(2026, 2, 13), CAL) == Deadline(sh(2026, 2, 25))
    assert policy.deadline("handle", "major", sh(2026, 2, 13), CAL) == Deadline(sh(2026, 2, 14))
    assert policy.limit("handle", "major").escalate_to == "supervisor"  # inherited


def test_hour_limits_are_wall_clock_even_on_a_holiday(policy):
    assert policy.deadline("classify", "general", sh(2026, 10, 1, 23, 30), CAL).at == sh(2026, 10, 2, 0, 30)
    assert policy.deadline("dispatch", "general", sh(2026, 10, 3), CAL).at == sh(2026, 10, 3, 12)
    assert policy.deadline("classify", "major", sh(2026, 10, 3), CAL).at == sh(2026, 10, 3, 10, 30)


def test_working_hours_limit_skips_the_holiday(policy):
    # track for a major complaint: 12 h of working time; Oct 1-7 count nothing.
    assert policy.deadline("track", "major", sh(2026, 9, 30, 18), CAL).at == sh(2026, 10, 8, 6)


def test_warnings_at_fractions_of_the_budget(policy):
    start = sh(2026, 3, 9)
    assert policy.warning_at("classify", "general", start, CAL).at == sh(2026, 3, 9, 10, 30)
    assert policy.warning_at("classify", "general", start, CAL, 0.8).at == sh(2026, 3, 9, 10, 48)
    # handle from Fri Feb 13 10:00 has 72 h of working time; half of it ends on the make-up
    # Saturday at 22:00, and 80% lands after Spring Festival.
    warnings = policy.warnings("handle", "general", sh(2026, 2, 13), CAL)
    assert [w.at for w in warnings] == [sh(2026, 2, 14, 22), sh(2026, 2, 24, 19, 36)]


def test_state(policy):
    start = sh(2026, 3, 9)
    due = policy.deadline("classify", "general", start, CAL)
    warn = policy.warning_at("classify", "general", start, CAL)
    assert SlaPolicy.state(due, sh(2026, 3, 9, 10, 10), warn) == "on_time"
    assert policy.state(due, sh(2026, 3, 9, 10, 30), warn) == "warning"
    assert policy.state(due, sh(2026, 3, 9, 11), warn) == "breached"
    assert policy.state(due, sh(2026, 3, 9, 12), warn, paused=True) == "paused"
    assert policy.state(due, sh(2026, 3, 9, 10, 50)) == "on_time"


def test_escalation_targets(policy):
    assert policy.escalate_to("handle") == "supervisor"
    assert policy.escalate_to("supervise") == "director"
    assert policy.escalate_to("supervisor_review", "general") == "supervisor"
    assert policy.escalate_to("supervisor_review", "major") == "director"


def test_complaint_wide_clocks(policy):
    assert policy.first_reply_deadline(sh(2026, 9, 30), CAL) == Deadline(sh(2026, 10, 2))
    assert policy.final_reply_deadline(sh(2026, 9, 16), CAL) == Deadline(sh(2026, 10, 9, 0))
    assert policy.final_reply_deadline(sh(2026, 12, 20), CAL) == Deadline(
        sh(2027, 1, 5, 0), provisional=True
    )  # last day Jan 4, 2027: no data yet


def test_provisional_step_deadline_recomputed_with_the_official_year(policy):
    start = sh(2027, 2, 4)
    # The estimate keeps Spring Festival (02-05 to 02-10) off: Thu 11, Fri 12, Mon 15.
    assert policy.deadline("handle", "general", start, CAL) == Deadline(sh(2027, 2, 15), True)
    assert policy.warning_at("handle", "general", start, CAL).provisional
    invented = "2027-01-01 holiday 元旦\n2027-02-06..2027-02-14 holiday 春节\n2027-02-20 workday 春节"
    official = WorkingCalendar(parse_state_council_schedule(invented, 2027), official_years=[2027])
    assert policy.deadline("handle", "general", start, official) == Deadline(sh(2027, 2, 16))


def test_resume_adds_back_the_remaining_budget(policy):
    due = policy.deadline("handle", "general", sh(2026, 9, 28), CAL)
    resumed = policy.resumed_deadline("handle", "general", due, sh(2026, 9, 29), sh(2026, 10, 9), CAL)
    assert resumed == Deadline(sh(2026, 10, 12))
    due = policy.deadline("dispatch", "general", sh(2026, 3, 9), CAL)  # wall clock: 12:00
    assert policy.resumed_deadline("dispatch", "general", due, sh(2026, 3, 9, 11), sh(2026, 3, 9, 15), CAL).at == sh(
        2026, 3, 9, 16
    )
    legal = policy.complaint_limit("final_reply")
    due = policy.final_reply_deadline(sh(2026, 3, 9), CAL)
    assert legal.resumed(due, sh(2026, 3, 10), sh(2026, 3, 20), CAL) == due


def test_seconds_policy_with_a_fixed_clock(fast):
    clock = FixedClock(sh(2026, 10, 1, 9))  # a holiday: seconds are wall-clock
    due = fast.deadline("handle", "general", clock.now(), CAL)
    warn = fast.warning_at("handle", "general", clock.now(), CAL)
    assert due.at - clock.now() == timedelta(seconds=30)
    seen = []
    for _ in range(4):
        seen.append(fast.state(due, clock.now(), warn))
        clock.advance(timedelta(seconds=10))
    assert seen == ["on_time", "on_time", "warning", "breached"]
    assert fast.deadline("handle", "major", clock.now(), CAL).at - clock.now() == timedelta(seconds=10)


def test_changing_a_limit_needs_no_code_change(tmp_path):
    text = (CONFIG / "sla.toml").read_text(encoding="utf-8")
    edited = text.replace(
        '[steps.handle]              # 投诉处理: within 3 working days of dispatch\nafter = "dispatch"\nlimit = 3',
        '[steps.handle]\nafter = "dispatch"\nlimit = 5',
    )
    assert edited != text
    (tmp_path / "sla.toml").write_text(edited, encoding="utf-8")
    policy = SlaPolicy.load(tmp_path / "sla.toml")
    assert policy.deadline("handle", "general", sh(2026, 3, 9), CAL).at == sh(2026, 3, 16)


def test_unknown_severity_or_step_at_call_time(policy):
    with pytest.raises(KeyError, match="critical"):
        policy.deadline("handle", "critical", sh(2026, 3, 9), CAL)
    with pytest.raises(KeyError, match="handel"):
        policy.deadline("handel", "general", sh(2026, 3, 9), CAL)


BROKEN = [
    ('[steps.handel]\nlimit = 3\nunit = "working_days"\n', r"steps\.handel: unknown step"),
    ('[steps.handle]\nlimit = 3\nunit = "weeks"\n', r"steps\.handle\.unit: unknown value 'weeks'"),
    ('[steps.handle]\nlimit = -3\nunit = "working_days"\n', r"steps\.handle\.limit: must be"),
    ('[steps.handle]\nlimit = 1.5\nunit = "working_days"\n', r"steps\.handle\.limit: must be"),
    ("[steps.handle]\nlimit = 3\n", r"steps\.handle: needs both"),
    (
        '[steps.handle]\nlimit = 3\nunit = "working_days"\ncalendar = "working"\n',
        r"steps\.handle\.calendar: applies to",
    ),
    (
        '[steps.handle]\nlimit = 3\nunit = "working_days"\nwarn_at = [0.8, 0.5]\n',
        r"steps\.handle\.warn_at: must be increasing",
    ),
    (
        '[steps.handle]\nlimit = 3\nunit = "working_days"\n[steps.handle.critical]\nlimit = 1\n',
        r"steps\.handle\.critical: unknown key",
    ),
    (
        '[steps.handle]\nlimit = 3\nunit = "working_days"\n[steps.handle.major]\nafter = "x"\n',
        r"steps\.handle\.major\.after: unknown key",
    ),
    (
        '[steps.handle]\nlimit = 3\nunit = "working_days"\nescalate_to = "Boss!"\n',
        r"steps\.handle\.escalate_to: must be a code",
    ),
    ("[sla]\n", r": sla: unknown key"),
    ("[steps.handle\n", r"sla\.toml: "),
]


@pytest.mark.parametrize("change, message", BROKEN)
def test_policy_errors_name_the_file_and_key(tmp_path, change, message):
    text = (CONFIG / "sla.toml").read_text(encoding="utf-8")
    if change.startswith("[steps.handle]\n") or change.startswith("[steps.handle\n"):
        # Replace the shipped handle tables with the broken one.
        start = text.index("[steps.handle]")
        text = text[:start] + text[text.index("[steps.track]") :]
    path = tmp_path / "sla.toml"
    path.write_text(text + "\n" + change, encoding="utf-8")
    with pytest.raises(SlaConfigError, match=message) as caught:
        SlaPolicy.load(path)
    assert str(path) in str(caught.value)


def test_bad_defaults_are_named(tmp_path):
    text = (CONFIG / "sla.toml").read_text(encoding="utf-8")
    path = tmp_path / "sla.toml"
    path.write_text(text.replace("warn_at = [0.5, 0.8]", "warn_at = [1.5]", 1), encoding="utf-8")
    with pytest.raises(SlaConfigError, match=r"sla\.toml: defaults\.warn_at: must be increasing"):
        SlaPolicy.load(path)


def test_missing_step_and_missing_file(tmp_path):
    text = (CONFIG / "sla-seconds.toml").read_text(encoding="utf-8")
    start = text.index("[steps.track]")
    path = tmp_path / "p.toml"
    path.write_text(text[:start] + text[text.index("[steps.feedback]") :], encoding="utf-8")
    with pytest.raises(SlaConfigError, match=r"p\.toml: steps\.track: missing"):
        SlaPolicy.load(path)
    with pytest.raises(SlaConfigError, match="nope.toml"):
        SlaPolicy.load(tmp_path / "nope.toml")
