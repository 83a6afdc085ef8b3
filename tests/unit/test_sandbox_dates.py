"""Date and duration arithmetic in the sandbox: datetime, date, timedelta, ISO 8601 text, print, a lone _."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest

from app.engine import clock
from app.engine.sandbox import SandboxViolation, SandboxedEnvironment, check_expression

MONDAY_MORNING = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


def run(script: str, **data) -> dict:
    with clock.using(lambda: MONDAY_MORNING):
        SandboxedEnvironment().execute(script, data)
    return data


def test_the_computed_timer_pattern_of_spiff_diagrams_runs_on_the_engine_clock():
    data = run("timer_value = (datetime.now() + timedelta(seconds=30)).isoformat()")
    assert data["timer_value"] == "2026-03-02T01:00:30+00:00"


def test_iso_text_parses_into_dates_and_durations_that_add_up():
    data = run(
        'due = (datetime.fromisoformat(opened) + parse_iso("P1DT2H")).isoformat()\n'
        'day = (date.fromisoformat("2026-02-27") + timedelta(days=3)).isoformat()\n'
        'hours = parse_duration("PT90M").total_seconds() / 3600\n'
        'left = (datetime.fromisoformat("2026-03-10T01:00:00Z") - datetime.now()).days\n'
        "weekday = datetime.fromisoformat(opened).weekday()\n"
        "year = date.today().year",
        opened="2026-03-02T09:00:00+08:00",
    )
    assert (data["due"], data["day"], data["hours"], data["left"], data["weekday"], data["year"]) == (
        "2026-03-03T11:00:00+08:00",
        "2026-03-02",
        1.5,
        8,
        0,
        2026,
    )


def test_a_date_left_in_task_data_is_refused_with_what_to_do():
    with pytest.raises(SandboxViolation, match="not JSON"):
        run("opened = datetime.now()")


@pytest.mark.parametrize(
    "source",
    [
        "datetime.now().__class__",
        "datetime.now().tzinfo",
        "date.today().astimezone()",
        "timedelta.max",
        "datetime(2026, 1, 1, tzinfo=x)",
        "datetime.now().replace(year=1)",
        "import datetime",
    ],
)
def test_dates_open_no_way_out(source):
    with pytest.raises(SandboxViolation):
        with clock.using(lambda: MONDAY_MORNING):
            SandboxedEnvironment().execute(f"y = {source}" if "import" not in source else source, {"x": 1})


def test_years_and_months_have_no_fixed_length():
    with pytest.raises(ValueError, match="use days"):
        run('d = parse_duration("P1M")')


def test_print_writes_to_the_log_and_a_lone_underscore_is_a_loop_variable(caplog):
    with caplog.at_level(logging.INFO, logger="complaintflow.diagram.print"):
        data = run('n = 0\nfor _ in range(3):\n    n += 1\nprint("counted", n)')
    assert data["n"] == 3 and "counted 3" in caplog.text
    assert check_expression("for _ in items:\n    pass", "exec", {"items"}) == []
    assert check_expression("_x = 1", "exec") != []  # other private names stay refused
