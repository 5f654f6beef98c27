"""The calendar of the monthly cycle (cycle/calendar.py).

Expected dates are worked out by hand on a wall calendar, never by calling the code.
Vietnam is UTC+7 all year (no daylight saving): 08:00 local is 01:00 UTC, 09:00 is 02:00,
17:00 is 10:00 and 16:30 is 09:30. The public holidays are those of `holidays` 0.108.
"""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from cycle.calendar import (
    CalendarSettings,
    CycleDates,
    add_working_days,
    cycle_dates,
    is_working_day,
    release_time,
    working_days,
)

DEFAULT = CalendarSettings()
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def names(dates: CycleDates) -> list[str]:
    return [step for step, _ in dates.reminders]


def moments(dates: CycleDates) -> list[datetime]:
    return [moment for _, moment in dates.reminders]


# --- working days -------------------------------------------------------------------


def test_weekends_are_not_working_days():
    # June 2026 has no public holiday: Saturday 6 and Sunday 7 are the first weekend.
    assert is_working_day(date(2026, 6, 5), DEFAULT)  # Friday
    assert not is_working_day(date(2026, 6, 6), DEFAULT)  # Saturday
    assert not is_working_day(date(2026, 6, 7), DEFAULT)  # Sunday
    assert is_working_day(date(2026, 6, 8), DEFAULT)  # Monday
    june = working_days(2026, 6, DEFAULT)
    assert len(june) == 22  # 1-5, 8-12, 15-19, 22-26, 29-30
    assert june[:6] == [date(2026, 6, d) for d in (1, 2, 3, 4, 5, 8)]
    assert june[-1] == date(2026, 6, 30)
    assert all(day.weekday() < 5 for day in june)


def test_adding_working_days_jumps_the_weekend_both_ways():
    friday, monday = date(2026, 6, 5), date(2026, 6, 8)
    assert add_working_days(friday, 1, DEFAULT) == monday
    assert add_working_days(monday, -1, DEFAULT) == friday
    assert add_working_days(friday, 5, DEFAULT) == date(2026, 6, 12)
    assert add_working_days(date(2026, 6, 6), 0, DEFAULT) == date(2026, 6, 6)
    assert add_working_days(date(2026, 6, 6), 1, DEFAULT) == monday  # from a Saturday


def test_reunification_day_labour_day_and_hung_kings_2026_are_holidays():
    assert not is_working_day(date(2026, 4, 30), DEFAULT)  # Thursday, 30/4
    assert not is_working_day(date(2026, 5, 1), DEFAULT)  # Friday, 1/5
    # Giỗ Tổ Hùng Vương (10/3 lunar) is Sunday 26/4/2026: off in lieu on Monday 27/4.
    assert not is_working_day(date(2026, 4, 27), DEFAULT)
    assert is_working_day(date(2026, 4, 28), DEFAULT)
    assert is_working_day(date(2026, 4, 29), DEFAULT)
    assert is_working_day(date(2026, 5, 4), DEFAULT)


def test_tet_2026_is_five_working_days_off():
    # Lunar new year: Tuesday 17/2/2026; off from the eve (Mon 16) to the 4th day (Fri 20).
    for day in range(16, 21):
        assert not is_working_day(date(2026, 2, day), DEFAULT)
    assert is_working_day(date(2026, 2, 13), DEFAULT)
    assert is_working_day(date(2026, 2, 23), DEFAULT)


def test_vietnam_culture_day_24_november_is_a_holiday_from_2026():
    assert not is_working_day(date(2026, 11, 24), DEFAULT)  # Tuesday
    assert is_working_day(date(2025, 11, 24), DEFAULT)  # Monday, before the new holiday


def test_national_day_2026_and_its_make_up_saturday():
    # 2/9/2026 is a Wednesday; 1/9 goes with it, and Monday 31/8 is swapped with
    # Saturday 22/8, worked instead.
    for day in (date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)):
        assert not is_working_day(day, DEFAULT)
    assert is_working_day(date(2026, 8, 22), DEFAULT)  # a Saturday
    assert not is_working_day(date(2026, 8, 29), DEFAULT)  # an ordinary Saturday
    assert is_working_day(date(2026, 9, 3), DEFAULT)
    # 2/9/2027 is a Thursday, with Friday 3/9.
    assert not is_working_day(date(2027, 9, 2), DEFAULT)
    assert not is_working_day(date(2027, 9, 3), DEFAULT)


def test_tet_2027_closes_4_to_10_february():
    # Lunar new year: Saturday 6/2/2027. Off: Thu 4 (29 Tết) to Wed 10 (5th day).
    for day in (4, 5, 8, 9, 10):
        assert not is_working_day(date(2027, 2, day), DEFAULT)
    assert is_working_day(date(2027, 2, 3), DEFAULT)
    assert is_working_day(date(2027, 2, 11), DEFAULT)
    february = working_days(2027, 2, DEFAULT)
    assert february[:5] == [date(2027, 2, d) for d in (1, 2, 3, 11, 12)]
    assert len(february) == 15  # 20 weekdays, 5 of them Tết
    assert add_working_days(date(2027, 2, 3), 1, DEFAULT) == date(2027, 2, 11)


# --- cycle dates --------------------------------------------------------------------


def test_cycle_of_november_2026():
    dates = cycle_dates(2026, 11, DEFAULT)
    # 1/11 is a Sunday: working days 2, 3, 4, 5, 6 -> the plan closes Friday 6/11 17:00.
    assert dates.plan_until == utc(2026, 11, 6, 10)
    # 30/11 is a Monday: the last working day. Minus 2 working days: Thursday 26/11.
    assert dates.opens_at == utc(2026, 11, 26, 1)
    assert dates.deadline == utc(2026, 11, 30, 10)
    # December: Tue 1, Wed 2, Thu 3, Fri 4, Mon 7.
    assert dates.head_review_by == utc(2026, 12, 2, 10)
    assert dates.director_review_by == utc(2026, 12, 4, 10)
    assert dates.publish_at == utc(2026, 12, 7, 2)
    # d-2 is the opening itself: one message, named for the opening.
    assert dates.reminders == (
        ("remind:open", utc(2026, 11, 26, 1)),
        ("remind:d-1", utc(2026, 11, 27, 1)),  # Friday
        ("remind:d-0", utc(2026, 11, 30, 1)),  # Monday, the deadline morning
    )


def test_cycle_of_december_2026_is_reviewed_and_published_in_january_2027():
    dates = cycle_dates(2026, 12, DEFAULT)
    # December: Tue 1, Wed 2, Thu 3, Fri 4, Mon 7.
    assert dates.plan_until == utc(2026, 12, 7, 10)
    # Thursday 31/12 is the last working day; minus 2: Tuesday 29/12.
    assert dates.opens_at == utc(2026, 12, 29, 1)
    assert dates.deadline == utc(2026, 12, 31, 10)
    # January 2027: Fri 1 New Year, weekend 2-3, then Mon 4, Tue 5, Wed 6, Thu 7, Fri 8.
    assert dates.head_review_by == utc(2027, 1, 5, 10)
    assert dates.director_review_by == utc(2027, 1, 7, 10)
    assert dates.publish_at == utc(2027, 1, 8, 2)
    assert dates.reminders == (
        ("remind:open", utc(2026, 12, 29, 1)),
        ("remind:d-1", utc(2026, 12, 30, 1)),
        ("remind:d-0", utc(2026, 12, 31, 1)),
    )


def test_april_2026_closes_before_reunification_day():
    dates = cycle_dates(2026, 4, DEFAULT)
    # Thu 30/4 is a holiday: the deadline is Wednesday 29/4. Two working days earlier,
    # past Tue 28 and the Hùng Kings day off (Mon 27) and the weekend: Friday 24/4.
    assert dates.deadline == utc(2026, 4, 29, 10)
    assert dates.opens_at == utc(2026, 4, 24, 1)
    assert dates.reminders == (
        ("remind:open", utc(2026, 4, 24, 1)),
        ("remind:d-1", utc(2026, 4, 28, 1)),
        ("remind:d-0", utc(2026, 4, 29, 1)),
    )
    # May: Fri 1 off, then Mon 4, Tue 5, Wed 6, Thu 7, Fri 8.
    assert dates.head_review_by == utc(2026, 5, 5, 10)
    assert dates.director_review_by == utc(2026, 5, 7, 10)
    assert dates.publish_at == utc(2026, 5, 8, 2)


def test_month_ending_on_a_sunday_closes_on_the_friday():
    assert date(2026, 5, 31).weekday() == 6  # Sunday
    dates = cycle_dates(2026, 5, DEFAULT)
    assert dates.deadline == utc(2026, 5, 29, 10)  # Friday
    assert dates.opens_at == utc(2026, 5, 27, 1)  # Wednesday
    # 1/5 is a holiday: the plan's 5 working days are 4 to 8 May.
    assert dates.plan_until == utc(2026, 5, 8, 10)


def test_august_2026_closes_before_the_national_day_swap():
    dates = cycle_dates(2026, 8, DEFAULT)
    # Monday 31/8 is off (swapped with Saturday 22/8): the deadline is Friday 28/8.
    assert dates.deadline == utc(2026, 8, 28, 10)
    assert dates.opens_at == utc(2026, 8, 26, 1)
    # September: 1 and 2 off, then Thu 3, Fri 4, Mon 7, Tue 8, Wed 9.
    assert dates.head_review_by == utc(2026, 9, 4, 10)
    assert dates.director_review_by == utc(2026, 9, 8, 10)
    assert dates.publish_at == utc(2026, 9, 9, 2)


def test_tet_2027_moves_the_february_plan_and_the_january_reviews():
    february = cycle_dates(2027, 2, DEFAULT)
    # Working days 1, 2, 3, then Tết, then 11, 12: the plan closes Friday 12/2, not 5/2.
    assert february.plan_until == utc(2027, 2, 12, 10)
    # 28/2 is a Sunday: the deadline is Friday 26/2, opening Wednesday 24/2.
    assert february.deadline == utc(2027, 2, 26, 10)
    assert february.opens_at == utc(2027, 2, 24, 1)
    january = cycle_dates(2027, 1, DEFAULT)
    assert january.deadline == utc(2027, 1, 29, 10)  # Friday 29/1, before Tết
    assert january.head_review_by == utc(2027, 2, 2, 10)  # Tuesday, 2nd working day
    assert january.director_review_by == utc(2027, 2, 11, 10)  # Thursday, not 4/2
    assert january.publish_at == utc(2027, 2, 12, 2)  # Friday, not 5/2


def test_tet_2025_at_the_end_of_january_moves_the_deadline_and_the_opening():
    # Tết 2025: off Mon 27 to Fri 31 January (lunar new year: Wednesday 29/1/2025).
    dates = cycle_dates(2025, 1, DEFAULT)
    assert dates.deadline == utc(2025, 1, 24, 10)  # Friday 24/1, not 31/1
    assert dates.opens_at == utc(2025, 1, 22, 1)  # Wednesday 22/1
    assert moments(dates) == [utc(2025, 1, 22, 1), utc(2025, 1, 23, 1), utc(2025, 1, 24, 1)]


# --- the organization's own days off and make-up days ---------------------------------


def test_extra_holiday_moves_the_deadline_earlier():
    settings = CalendarSettings.from_overrides({"extra_holidays": ["2026-11-30"]})
    assert not is_working_day(date(2026, 11, 30), settings)
    dates = cycle_dates(2026, 11, settings)
    assert dates.deadline == utc(2026, 11, 27, 10)  # Friday
    assert dates.opens_at == utc(2026, 11, 25, 1)  # Wednesday
    assert names(dates) == ["remind:open", "remind:d-1", "remind:d-0"]
    assert moments(dates)[1:] == [utc(2026, 11, 26, 1), utc(2026, 11, 27, 1)]


def test_make_up_saturday_becomes_the_deadline():
    settings = CalendarSettings.from_overrides({"extra_working_days": ["2026-05-30"]})
    assert is_working_day(date(2026, 5, 30), settings)
    dates = cycle_dates(2026, 5, settings)
    assert dates.deadline == utc(2026, 5, 30, 10)  # Saturday
    assert dates.opens_at == utc(2026, 5, 28, 1)  # Thursday


def test_make_up_day_wins_over_a_national_holiday():
    settings = CalendarSettings(extra_working_days=frozenset({date(2026, 5, 1)}))
    assert is_working_day(date(2026, 5, 1), settings)
    # 1, 4, 5, 6, 7: the plan closes Thursday 7/5 instead of Friday 8/5.
    assert cycle_dates(2026, 5, settings).plan_until == utc(2026, 5, 7, 10)


# --- reminders ----------------------------------------------------------------------


def test_reminders_fall_on_working_days_at_eight_local():
    # Opening 3 working days before the end, so that d-2 is a reminder of its own.
    settings = CalendarSettings.from_overrides(
        {"opens_working_days_before_end": 3, "reminder_working_days_before": [1, 2]}
    )
    dates = cycle_dates(2026, 4, settings)
    assert dates.reminders == (
        ("remind:open", utc(2026, 4, 23, 1)),  # Thursday
        ("remind:d-2", utc(2026, 4, 24, 1)),  # Friday, before the weekend and 27/4
        ("remind:d-1", utc(2026, 4, 28, 1)),  # Tuesday
        ("remind:d-0", utc(2026, 4, 29, 1)),  # Wednesday, the deadline
    )
    for _, moment in dates.reminders:
        local = moment.astimezone(HCM)
        assert (local.hour, local.minute) == (8, 0)
        assert is_working_day(local.date(), settings)


def test_reminder_before_a_later_opening_is_dropped():
    # The opening at 10:00 on the d-2 day: the 08:00 reminder would precede it.
    settings = CalendarSettings.from_overrides({"opens_time": "10:00"})
    dates = cycle_dates(2026, 11, settings)
    assert dates.opens_at == utc(2026, 11, 26, 3)
    assert names(dates) == ["remind:open", "remind:d-1", "remind:d-0"]


def test_reminders_before_the_opening_are_dropped_and_the_deadline_morning_is_optional():
    settings = CalendarSettings.from_overrides(
        {"reminder_working_days_before": [1, 3, 2], "deadline_morning_reminder": False}
    )
    dates = cycle_dates(2026, 11, settings)
    assert dates.reminders == (
        ("remind:open", utc(2026, 11, 26, 1)),
        ("remind:d-1", utc(2026, 11, 27, 1)),
    )


def test_deadline_morning_reminder_at_or_after_an_early_deadline_is_dropped():
    settings = CalendarSettings.from_overrides({"deadline_time": "07:30"})
    dates = cycle_dates(2026, 11, settings)
    assert dates.deadline == utc(2026, 11, 30, 0, 30)
    assert names(dates) == ["remind:open", "remind:d-1"]
    settings = CalendarSettings.from_overrides({"deadline_time": "08:00"})
    dates = cycle_dates(2026, 11, settings)
    assert dates.deadline == utc(2026, 11, 30, 1)
    assert names(dates) == ["remind:open", "remind:d-1"]


def test_every_month_keeps_the_order_of_the_steps():
    for year in range(2025, 2031):
        for month in range(1, 13):
            dates = cycle_dates(year, month, DEFAULT)
            assert dates.plan_until < dates.opens_at < dates.deadline
            assert dates.deadline < dates.head_review_by <= dates.director_review_by
            assert dates.director_review_by < dates.publish_at
            assert dates.reminders[0] == ("remind:open", dates.opens_at)
            times = moments(dates)
            assert times == sorted(set(times))
            assert all(dates.opens_at <= t < dates.deadline for t in times)
            for moment in [dates.deadline, dates.publish_at, *times]:
                assert is_working_day(moment.astimezone(HCM).date(), DEFAULT)


# --- quiet hours --------------------------------------------------------------------


def test_late_evening_message_waits_until_seven_next_morning():
    # 22:30 on 26/11/2026 local is 15:30 UTC; 07:00 on 27/11 local is 00:00 UTC.
    assert release_time(utc(2026, 11, 26, 15, 30), DEFAULT) == utc(2026, 11, 27, 0)


def test_early_morning_message_waits_until_seven_the_same_morning():
    # 06:00 on 27/11 local is 23:00 UTC on 26/11.
    assert release_time(utc(2026, 11, 26, 23), DEFAULT) == utc(2026, 11, 27, 0)


def test_midday_message_goes_at_once():
    assert release_time(utc(2026, 11, 27, 5), DEFAULT) == utc(2026, 11, 27, 5)


def test_quiet_hours_bounds():
    assert release_time(utc(2026, 11, 26, 14), DEFAULT) == utc(2026, 11, 27, 0)  # 21:00
    assert release_time(utc(2026, 11, 26, 13, 59), DEFAULT) == utc(2026, 11, 26, 13, 59)
    assert release_time(utc(2026, 11, 27, 0), DEFAULT) == utc(2026, 11, 27, 0)  # 07:00
    assert release_time(utc(2026, 11, 26, 16, 59), DEFAULT) == utc(2026, 11, 27, 0)  # 23:59
    assert release_time(utc(2026, 11, 26, 17), DEFAULT) == utc(2026, 11, 27, 0)  # 00:00


def test_release_time_answers_in_utc_whatever_the_zone_given():
    moment = datetime(2026, 11, 26, 22, 30, tzinfo=HCM)
    released = release_time(moment, DEFAULT)
    assert released == utc(2026, 11, 27, 0)
    assert released.utcoffset() == timedelta(0)
    noon = datetime(2026, 11, 27, 12, tzinfo=timezone(timedelta(hours=7)))
    assert release_time(noon, DEFAULT).tzinfo is UTC


def test_quiet_hours_within_a_day_and_none():
    lunch = CalendarSettings.from_overrides({"quiet_start": "12:00", "quiet_end": "13:30"})
    assert release_time(utc(2026, 11, 27, 5, 10), lunch) == utc(2026, 11, 27, 6, 30)
    assert release_time(utc(2026, 11, 27, 15, 30), lunch) == utc(2026, 11, 27, 15, 30)
    never = CalendarSettings.from_overrides({"quiet_start": "21:00", "quiet_end": "21:00"})
    assert release_time(utc(2026, 11, 26, 15, 30), never) == utc(2026, 11, 26, 15, 30)


def test_naive_moment_is_refused():
    with pytest.raises(ValueError, match="aware"):
        release_time(datetime(2026, 11, 26, 22, 30), DEFAULT)


# --- overrides ----------------------------------------------------------------------


def test_no_overrides_gives_the_defaults():
    assert CalendarSettings.from_overrides({}) == DEFAULT
    assert CalendarSettings.from_overrides(None) == DEFAULT
    assert DEFAULT.timezone == HCM
    assert DEFAULT.reminder_working_days_before == (2, 1)


def test_overrides_from_the_organization_column():
    settings = CalendarSettings.from_overrides(
        {
            "deadline_time": "16:30",
            "opens_working_days_before_end": 2,
            "extra_holidays": ["2026-11-30", "2026-11-27"],
            "timezone": "Asia/Ho_Chi_Minh",
        }
    )
    assert settings.extra_holidays == frozenset({date(2026, 11, 30), date(2026, 11, 27)})
    assert settings.timezone == HCM
    # Fri 27 and Mon 30 off: the last working day is Thursday 26/11, closing at 16:30.
    # Two working days earlier: Wed 25, then (Tue 24 is Vietnam Culture Day) Mon 23.
    dates = cycle_dates(2026, 11, settings)
    assert dates.deadline == utc(2026, 11, 26, 9, 30)
    assert dates.opens_at == utc(2026, 11, 23, 1)
    assert dates.reminders == (
        ("remind:open", utc(2026, 11, 23, 1)),
        ("remind:d-1", utc(2026, 11, 25, 1)),
        ("remind:d-0", utc(2026, 11, 26, 1)),
    )


def test_overrides_apply_on_top_of_a_base():
    base = CalendarSettings(deadline_time=DEFAULT.review_time, publish_working_day=6)
    settings = CalendarSettings.from_overrides({"plan_working_days": 3}, base=base)
    assert settings.plan_working_days == 3
    assert settings.publish_working_day == 6


def test_unknown_key_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^deadine_time: unknown"):
        CalendarSettings.from_overrides({"deadine_time": "17:00"})


BAD_OVERRIDES = [
    pytest.param({"deadline_time": "25:00"}, "deadline_time", id="hour-25"),
    pytest.param({"opens_time": "8h"}, "opens_time", id="time-not-hh-mm"),
    pytest.param({"quiet_end": "07:60"}, "quiet_end", id="minute-60"),
    pytest.param({"review_time": 17}, "review_time", id="time-as-number"),
    pytest.param({"plan_working_days": "5"}, "plan_working_days", id="count-as-text"),
    pytest.param({"plan_working_days": True}, "plan_working_days", id="count-as-bool"),
    pytest.param({"plan_working_days": 0}, "plan_working_days", id="zeroth-working-day"),
    pytest.param({"publish_working_day": 24}, "publish_working_day", id="24th-working-day"),
    pytest.param(
        {"opens_working_days_before_end": -1}, "opens_working_days_before_end", id="negative"
    ),
    pytest.param(
        {"reminder_working_days_before": 2}, "reminder_working_days_before", id="not-a-list"
    ),
    pytest.param(
        {"reminder_working_days_before": [2, 2]}, "reminder_working_days_before", id="repeated"
    ),
    pytest.param(
        {"reminder_working_days_before": [0]}, "reminder_working_days_before", id="d-0-in-list"
    ),
    pytest.param({"deadline_morning_reminder": "yes"}, "deadline_morning_reminder", id="bool"),
    pytest.param({"extra_holidays": "2026-05-01"}, "extra_holidays", id="date-not-in-list"),
    pytest.param({"extra_holidays": ["2026-13-01"]}, "extra_holidays", id="month-13"),
    pytest.param({"extra_working_days": ["30/5/2026"]}, "extra_working_days", id="dd-mm-yyyy"),
    pytest.param({"timezone": "Asia/Hanoi"}, "timezone", id="unknown-zone"),
    pytest.param({"timezone": "Asia"}, "timezone", id="zone-folder"),
    pytest.param(
        {"extra_holidays": ["2026-05-04"], "extra_working_days": ["2026-05-04"]},
        "extra_working_days",
        id="day-off-and-working",
    ),
    pytest.param(
        {"head_review_working_days": 5}, "director_review_working_days", id="head-after-director"
    ),
    pytest.param({"publish_working_day": 4}, "publish_working_day", id="publish-before-review"),
    pytest.param(
        {"opens_working_days_before_end": 0, "opens_time": "17:00"},
        "opens_time",
        id="opening-at-deadline",
    ),
]


@pytest.mark.parametrize(("overrides", "key"), BAD_OVERRIDES)
def test_bad_override_is_refused_naming_its_key(overrides, key):
    with pytest.raises(ValueError, match=f"^{key}:"):
        CalendarSettings.from_overrides(overrides)


def test_month_too_short_for_the_settings_is_refused():
    every_day = frozenset(date(2026, 12, d) for d in range(1, 32))
    with pytest.raises(ValueError, match="no working day"):
        cycle_dates(2026, 12, CalendarSettings(extra_holidays=every_day))
    settings = CalendarSettings(plan_working_days=22, extra_holidays=frozenset({date(2026, 6, 1)}))
    with pytest.raises(ValueError, match=r"^plan_working_days: 2026-06 has only 21 "):
        cycle_dates(2026, 6, settings)


def test_make_up_saturday_across_new_year():
    # Friday 2/1/2015 was off in exchange for Saturday 27/12/2014, worked.
    assert is_working_day(date(2014, 12, 27), DEFAULT)
    assert not is_working_day(date(2015, 1, 2), DEFAULT)


# -- quarterly tracking ------------------------------------------------------------------


def test_a_quarter_is_tracked_as_its_last_month_with_the_plan_window_in_its_first():
    from cycle.calendar import period_dates

    quarterly = CalendarSettings.from_overrides({"tracking": "quarter"})
    q4 = period_dates("2026-Q4", quarterly)
    december = cycle_dates(2026, 12, quarterly)
    assert (q4.opens_at, q4.deadline, q4.publish_at) == (
        december.opens_at,
        december.deadline,
        december.publish_at,
    )
    # the 5th working day of October 2026 (Thu 1, Fri 2, Mon 5, Tue 6, Wed 7), 17:00
    assert q4.plan_until == datetime(2026, 10, 7, 10, 0, tzinfo=UTC)
    assert period_dates("2026-11", quarterly) == cycle_dates(2026, 11, quarterly)


def test_an_unknown_tracking_is_refused_with_its_key():
    with pytest.raises(ValueError, match=r"^tracking"):
        CalendarSettings.from_overrides({"tracking": "week"})
