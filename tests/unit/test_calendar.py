"""Unit tests of the clock, the working-day calendar and the holiday-notice import."""

from datetime import date, datetime, timedelta, timezone

import chinese_calendar
import pytest

from app.domain.calendar import Deadline, DayOverride, WorkingCalendar, provisional_days_off
from app.domain.clock import OPERATOR_ZONE, FixedClock, SystemClock, local_date
from app.domain.holiday_notice import NoticeError, parse_notice, parse_state_council_schedule
from app.domain.statutory_holidays import main_days, notice_problems
from tests.notices import INVENTED_2027, INVENTED_2027_CSV

CAL = WorkingCalendar()


def sh(y, m, d, h=10, mi=0):
    """Return an instant given in the operator's local time."""
    return datetime(y, m, d, h, mi, tzinfo=OPERATOR_ZONE)


NOTICE_2026 = """\
国务院办公厅关于2026年部分节假日安排的通知
经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。
"""


def test_fixed_clock_stands_still_until_moved():
    clock = FixedClock(sh(2026, 12, 30))
    assert clock.now() == datetime(2026, 12, 30, 2, tzinfo=timezone.utc)
    assert clock.advance(timedelta(hours=1)) == clock.now() == sh(2026, 12, 30, 11)
    clock.set(sh(2027, 1, 4))
    assert clock.now().tzinfo is timezone.utc and clock.now() == sh(2027, 1, 4)
    with pytest.raises(ValueError, match="aware"):
        FixedClock(datetime(2026, 1, 1))


def test_system_clock_is_aware_utc():
    assert SystemClock().now().utcoffset() == timedelta(0)


def test_operator_zone_decides_the_day():
    late_friday_utc = datetime(2026, 3, 6, 17, tzinfo=timezone.utc)  # Saturday 01:00 in Shanghai
    assert local_date(late_friday_utc) == date(2026, 3, 7)
    assert not CAL.is_workday(late_friday_utc)
    assert CAL.add_working_days(late_friday_utc, 1).at == sh(2026, 3, 9, 1)


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (sh(2025, 9, 30), 3, sh(2025, 10, 11)),  # make-up Saturday after National Day
        (sh(2026, 2, 13), 3, sh(2026, 2, 25)),  # make-up Saturday, then Spring Festival
        (sh(2026, 3, 6, 16, 30), 1, sh(2026, 3, 9, 16, 30)),  # Friday to Monday over a weekend
        (sh(2026, 3, 7), 1, sh(2026, 3, 9)),  # a Saturday start: the start day never counts
        (sh(2026, 9, 30, 9), 1, sh(2026, 10, 8, 9)),  # National Day 2026
        (sh(2026, 3, 9), 0, sh(2026, 3, 9)),
    ],
)
def test_add_working_days_known_answers(start, n, expected):
    assert CAL.add_working_days(start, n) == Deadline(expected, provisional=False)


def test_spring_festival_and_national_day_2026_with_make_up_days():
    assert not any(CAL.is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert CAL.is_workday(date(2026, 2, 14)) and CAL.is_workday(date(2026, 2, 28))
    assert not any(CAL.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert CAL.is_workday(date(2026, 9, 20)) and CAL.is_workday(date(2026, 10, 10))
    assert not CAL.is_workday(date(2026, 3, 7)) and CAL.is_workday(date(2026, 3, 9))


def test_override_corrects_an_official_year():
    cal = WorkingCalendar({date(2026, 3, 9): DayOverride(date(2026, 3, 9), False, "停工")})
    assert not cal.is_workday(date(2026, 3, 9))
    assert cal.add_working_days(sh(2026, 3, 6), 1) == Deadline(sh(2026, 3, 10))


def test_overrides_that_disagree_are_rejected():
    with pytest.raises(ValueError, match="2027-01-04"):
        WorkingCalendar([DayOverride(date(2027, 1, 4), True), DayOverride(date(2027, 1, 4), False)])


def test_year_without_official_data_is_provisional_never_raises():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))  # the reason this layer exists
    # Dec 31 is day 1; Jan 1 (元旦) and the weekend are off; Jan 4 and 5 are days 2 and 3.
    assert CAL.add_working_days(sh(2026, 12, 30), 3) == Deadline(sh(2027, 1, 5), provisional=True)
    assert CAL.add_working_days(sh(2026, 12, 28), 3) == Deadline(sh(2026, 12, 31), False)


def test_provisional_year_keeps_the_fixed_statutory_days_and_their_in_lieu_days():
    days = provisional_days_off(2027)
    assert {
        date(2027, 1, 1),
        date(2027, 5, 1),
        date(2027, 5, 2),
        date(2027, 10, 1),
        date(2027, 10, 2),
        date(2027, 10, 3),
    } <= days.keys()
    # May 1-2 and Oct 2-3 2027 are weekend days: art. 6 gives them back on the next weekdays.
    assert {date(2027, 5, 3), date(2027, 5, 4), date(2027, 10, 4), date(2027, 10, 5)} <= days.keys()
    assert not CAL.is_workday(date(2027, 5, 4)) and CAL.is_workday(date(2027, 5, 6))


def test_provisional_2027_estimates_the_lunar_holidays():
    # Spring Festival 2027: 除夕 Fri 02-05, 正月初一 Sat 02-06; the weekend days come back Tue 9 and Wed 10.
    for day in (
        date(2027, 2, 5),
        date(2027, 2, 8),
        date(2027, 2, 9),
        date(2027, 2, 10),
        date(2027, 4, 5),
        date(2027, 6, 9),
        date(2027, 9, 15),
    ):
        assert not CAL.is_workday(day), day
    assert CAL.is_workday(date(2027, 2, 4)) and CAL.is_workday(date(2027, 2, 11))
    assert provisional_days_off(2027)[date(2027, 2, 8)] == "春节"
    # Without the estimate 02-09 came out, inside the break: false breaches around Spring Festival.
    assert CAL.add_working_days(sh(2027, 2, 4), 3) == Deadline(sh(2027, 2, 15), provisional=True)


# Each statutory holiday's main day, as the official tables of chinese_calendar name it.
OFFICIAL_MAIN_DAYS = {
    2025: {
        "元旦": date(2025, 1, 1),
        "春节": date(2025, 1, 29),
        "清明节": date(2025, 4, 4),
        "劳动节": date(2025, 5, 1),
        "端午节": date(2025, 5, 31),
        "中秋节": date(2025, 10, 6),
        "国庆节": date(2025, 10, 1),
    },
    2026: {
        "元旦": date(2026, 1, 1),
        "春节": date(2026, 2, 17),
        "清明节": date(2026, 4, 5),
        "劳动节": date(2026, 5, 1),
        "端午节": date(2026, 6, 19),
        "中秋节": date(2026, 9, 25),
        "国庆节": date(2026, 10, 1),
    },
}
_OFFICIAL_NAMES = {
    "元旦": "New Year's Day",
    "春节": "Spring Festival",
    "清明节": "Tomb-sweeping Day",
    "劳动节": "Labour Day",
    "端午节": "Dragon Boat Festival",
    "中秋节": "Mid-autumn Festival",
    "国庆节": "National Day",
}


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_estimate_names_every_statutory_main_day_of_the_official_tables(year):
    estimate = provisional_days_off(year)
    for holiday, day in OFFICIAL_MAIN_DAYS[year].items():
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        assert on_holiday and name == _OFFICIAL_NAMES[holiday], (holiday, day, name)  # the official table agrees
        assert estimate.get(day, "").startswith(holiday[:2]), (holiday, day, estimate.get(day))
    assert main_days(year) == OFFICIAL_MAIN_DAYS[year]
    # Every day off of the estimate that falls on a weekday is a day off in the official table.
    assert all(not chinese_calendar.is_workday(d) for d in estimate if d.weekday() < 5 and "补假" not in estimate[d])


def test_provisional_deadline_is_recomputed_once_the_year_is_official():
    start = sh(2027, 2, 4)
    assert CAL.add_working_days(start, 3) == Deadline(sh(2027, 2, 15), provisional=True)
    overrides = parse_state_council_schedule(INVENTED_2027, 2027)
    entered_not_declared = WorkingCalendar(overrides)
    assert entered_not_declared.add_working_days(start, 3).provisional
    official = WorkingCalendar(overrides, official_years=[2027])
    # The notice's break runs to Sat 02-13: Mon 15, Tue 16, Wed 17; the make-up Saturday 02-20 works.
    assert official.add_working_days(start, 3) == Deadline(sh(2027, 2, 17), provisional=False)
    assert official.is_workday(date(2027, 2, 20))


def test_a_complete_notice_has_no_problems_in_any_form():
    for text in (INVENTED_2027, INVENTED_2027_CSV):
        assert notice_problems(parse_notice(text, 2027), 2027) == []
    assert parse_notice(INVENTED_2027_CSV, 2027) == parse_notice(INVENTED_2027, 2027)
    as_json = (
        '{"year": 2027, "days": ['
        + ",".join(
            f'{{"date": "{d}", "kind": "{k}", "name": "{n}"}}'
            for d, k, n in (line.split(",") for line in INVENTED_2027_CSV.splitlines()[1:])
        )
        + "]}"
    )
    assert parse_notice(as_json, 2027) == parse_notice(INVENTED_2027, 2027)
    assert notice_problems(parse_state_council_schedule(NOTICE_2026, 2026), 2026) == []


def test_an_incomplete_notice_names_what_is_missing():
    two_lines = "2027-01-01..2027-01-03 holiday 元旦\n2027-02-05..2027-02-13 holiday 春节\n"
    problems = notice_problems(parse_notice(two_lines, 2027), 2027)
    assert [p.holiday for p in problems if "is missing" in p.message] == [
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
    ]
    assert any("no make-up working day" in p.message for p in problems)
    wrong_day = INVENTED_2027.replace("6月9日（周三）", "6月10日（周四）").replace(
        "2月20日（周六）上班", "2月17日（周三）上班"
    )
    messages = [p.message for p in notice_problems(parse_notice(wrong_day, 2027), 2027)]
    assert "端午节's days off do not include its main day 2027-06-09 (周三)" in messages
    assert any(m.startswith("2027-02-17 is a 周三: a make-up working day") for m in messages)
    assert any(
        "named '植树节'" in m
        for m in notice_problems(parse_notice(INVENTED_2027_CSV + "2027-03-12,holiday,植树节\n", 2027), 2027)
        for m in [m.message]
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("date,kind,name\n2027-01-01,holiday,元旦,extra", "row 2: expected date,kind,name"),
        ("date,kind,name\nJan 1,holiday,元旦", "row 2: expected 'YYYY-MM-DD"),
        ('{"year": 2026, "days": []}', "the JSON is for 2026"),
        ('[{"date": "2027-01-01"}]', "entry 1: expected"),
        ('{"days": [{"date": "2028-01-01", "kind": "holiday", "name": "元旦"}]}', "entry 1: 2028-01-01 is outside"),
    ],
)
def test_csv_and_json_errors_name_the_row_or_entry(text, message):
    with pytest.raises(NoticeError, match=message):
        parse_notice(text, 2027)


def test_years_needing_schedule():
    assert CAL.years_needing_schedule(date(2026, 12, 20)) == [2027]
    assert CAL.years_needing_schedule(date(2025, 6, 1)) == []
    assert CAL.years_needing_schedule(date(2027, 1, 4)) == [2027, 2028]
    assert WorkingCalendar(official_years=[2027]).years_needing_schedule(date(2026, 12, 20)) == []
    # An instant counts on its Shanghai date: 2026-12-31 16:30 UTC is already 2027 there.
    assert CAL.years_needing_schedule(datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc)) == [2027, 2028]


def test_working_time_round_trip_across_national_day():
    a, b = sh(2026, 9, 30), sh(2026, 10, 9, 15)
    between = CAL.working_time_between(a, b)
    assert between == timedelta(hours=14 + 24 + 15)  # rest of Sep 30, Oct 8, Oct 9 to 15:00
    assert CAL.add_working_time(a, between) == Deadline(b)
    assert CAL.working_time_between(b, a) == timedelta(0)


def test_suspend_and_resume_adds_back_the_remaining_working_time():
    deadline = CAL.add_working_days(sh(2026, 9, 28), 3)
    assert deadline.at == sh(2026, 10, 8)
    remaining = CAL.working_time_between(sh(2026, 9, 29), deadline.at)  # paused Sep 29 10:00
    assert remaining == timedelta(hours=48)
    # Resumed Oct 9 10:00: Oct 9 gives 14 h, the make-up Saturday Oct 10 24 h, Monday Oct 12 10 h.
    assert CAL.add_working_time(sh(2026, 10, 9), remaining) == Deadline(sh(2026, 10, 12))


def test_add_working_time_edges():
    assert CAL.add_working_time(sh(2026, 10, 3), timedelta(hours=1)).at == sh(2026, 10, 8, 1)
    assert CAL.add_working_time(sh(2026, 9, 30, 0), timedelta(days=1)).at == sh(2026, 10, 1, 0)
    assert CAL.add_working_time(sh(2026, 10, 3), timedelta(0)).at == sh(2026, 10, 3)
    assert CAL.add_working_time(sh(2026, 12, 31, 20), timedelta(hours=8)).provisional
    with pytest.raises(ValueError):
        CAL.add_working_time(sh(2026, 10, 3), timedelta(hours=-1))


@pytest.mark.parametrize(
    "start, days, ends",
    [
        (sh(2026, 3, 2, 23, 59), 15, sh(2026, 3, 18, 0)),  # start day not counted; ends 24:00 Mar 17
        (sh(2026, 9, 16), 15, sh(2026, 10, 9, 0)),  # last day Oct 1 (国庆) moves to Oct 8
        (sh(2026, 3, 6), 15, sh(2026, 3, 24, 0)),  # last day a Saturday moves to Monday
        (sh(2026, 2, 13), 15, sh(2026, 3, 1, 0)),  # last day a make-up Saturday: a workday
    ],
)
def test_civil_code_period_end(start, days, ends):
    assert CAL.civil_code_period_end(start, days) == Deadline(ends, provisional=False)


def test_civil_code_period_into_a_provisional_year():
    end = CAL.civil_code_period_end(sh(2026, 12, 17), 15)  # last day 2027-01-01, 元旦
    assert end == Deadline(sh(2027, 1, 5, 0), provisional=True)


def test_naive_instants_are_rejected():
    with pytest.raises(ValueError, match="aware"):
        CAL.add_working_days(datetime(2026, 3, 6, 10), 1)


def test_notice_2026_reproduces_the_official_table():
    overrides = parse_state_council_schedule(NOTICE_2026, 2026)
    assert all(chinese_calendar.is_workday(o.day) == o.is_workday for o in overrides)
    packaged = {d for d in chinese_calendar.constants.holidays if d.year == 2026} | {
        d for d in chinese_calendar.constants.workdays if d.year == 2026
    }
    assert {o.day for o in overrides} == packaged
    assert DayOverride(date(2026, 2, 28), True, "春节") in overrides


def test_notice_simple_form_and_previous_december():
    text = "# 2019\n2018-12-29 workday 元旦调休\n2018-12-30..2019-01-01 holiday 元旦\n\n"
    parsed = parse_state_council_schedule(text, 2019)
    assert [(o.day.isoformat(), o.is_workday) for o in parsed] == [
        ("2018-12-29", True),
        ("2018-12-30", False),
        ("2018-12-31", False),
        ("2019-01-01", False),
    ]
    chinese = "一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。"
    assert parse_state_council_schedule(chinese, 2019) == parse_state_council_schedule(
        text.replace("元旦调休", "元旦"), 2019
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("三、清明节：4月4日（周五）至6日（周一）放假，共3天。", "line 1: 2026-04-04 is a Saturday"),
        ("\n2026-01-01 holidy 元旦", "line 2: unknown kind 'holidy'"),
        ("2026-01-01", "line 1: expected"),
        ("2026-02-30 holiday", "line 1"),
        ("2025-05-01 holiday 劳动节", "line 1: 2025-05-01 is outside the 2026 schedule"),
        ("2026-01-04 workday\n2026-01-04 holiday", "line 2: 2026-01-04 contradicts line 1"),
        ("一、元旦：1月1日（周四）至3日（周六），共3天。", "line 1: cannot tell"),
        ("2026-02-20..2026-02-10 holiday", "line 1: range"),
    ],
)
def test_notice_errors_name_the_line(text, message):
    with pytest.raises(NoticeError, match=message):
        parse_state_council_schedule(text, 2026)
