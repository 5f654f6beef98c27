"""The calendar of an organization's monthly cycle: working days and the dates of each step.

DESIGN.md ("The monthly cycle") gives the shape: the month's plan at its start, the
self-assessment opening on the last working days of the month with reminders to those who
have not submitted, the deadline, the head's and the director's reviews, then publication.
The exact days and hours below are our defaults, not a regulation; each organization may
override any of them (`Organization.calendar`, a JSON object read by
`CalendarSettings.from_overrides`).

Working days are Monday to Friday, minus the Vietnamese public holidays known to the
`holidays` package (Labour Code 2019, art. 112: New Year, Tết, Hùng Kings, 30/4, 1/5, 2/9
and, from 2026, 24/11; with the days off in lieu and the government's swaps for the public
sector that the package records, including Saturdays worked in exchange). A province or a
late government decision is configured with `extra_holidays` and `extra_working_days`.

Pure functions, no database. Days are counted in the organization's time zone; every
moment returned is an aware datetime in UTC, as the database stores it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

# A month has at most 23 weekdays: no position in a month can be larger.
MAX_WORKING_DAYS = 23


@dataclass(frozen=True)
class CalendarSettings:
    """When each step of the month falls, for one organization.

    Every field is one key of the overrides (`from_overrides`), under the same name.
    The defaults are ours (DESIGN.md fixes only the order of the steps):

    - plan window (kế hoạch công tác tháng): until the 5th working day of the month, 17:00
      (`plan_working_days`, `plan_until_time`);
    - self-assessment opening: 08:00 on the last working day minus 2 working days, i.e. the
      3rd-last working day (`opens_working_days_before_end`, `opens_time`);
    - deadline: the last working day of the month, 17:00 (`deadline_time`);
    - head review: by the 2nd working day of the next month, director review: by the 4th,
      both at 17:00 (`head_review_working_days`, `director_review_working_days`,
      `review_time`);
    - publication: the 5th working day of the next month, 09:00 (`publish_working_day`,
      `publish_time`);
    - reminders to those who have not submitted: at the opening, 2 and 1 working days
      before the deadline and on the deadline morning, at 08:00
      (`reminder_working_days_before`, `reminder_time`, `deadline_morning_reminder`);
    - quiet hours: 21:00-07:00, messages due then are held until 07:00 (`quiet_start`,
      `quiet_end`; equal values mean no quiet hours);
    - `extra_holidays`, `extra_working_days`: days off and make-up working days on top of
      the national calendar (a make-up working day wins over a national holiday);
    - `timezone`: Asia/Ho_Chi_Minh;
    - `tracking`: "month" (the default) or "quarter": a quarter is tracked as one period,
      its plan window at the start of its first month, its self-assessment, reviews and
      publication as those of its last month.
    """

    plan_working_days: int = 5
    plan_until_time: time = time(17, 0)
    opens_working_days_before_end: int = 2
    opens_time: time = time(8, 0)
    deadline_time: time = time(17, 0)
    head_review_working_days: int = 2
    director_review_working_days: int = 4
    review_time: time = time(17, 0)
    publish_working_day: int = 5
    publish_time: time = time(9, 0)
    reminder_working_days_before: tuple[int, ...] = (2, 1)
    reminder_time: time = time(8, 0)
    deadline_morning_reminder: bool = True
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)
    extra_holidays: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    tracking: str = "month"  # "month" or "quarter" (NĐ 335: monthly or quarterly tracking)
    # The annual rating (`year_dates`): done by 15/12, or by 15/01 of the next year for an
    # organization marked special (`year_special`); its steps counted back from that day
    # in working days: opening, the people's confirmations, the heads', the director's
    # review (then the quota), publication.
    year_special: bool = False
    year_working_days: tuple[int, ...] = (10, 6, 4, 2, 1)

    def __post_init__(self) -> None:
        for name in _POSITIONS:
            _check_int(name, getattr(self, name), 1, MAX_WORKING_DAYS)
        _check_int(
            "opens_working_days_before_end",
            self.opens_working_days_before_end,
            0,
            MAX_WORKING_DAYS - 1,
        )
        for name in _TIMES:
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ValueError(f"{name}: expected a local time of day, got {value!r}")
        days = self.reminder_working_days_before
        if not isinstance(days, tuple):
            raise ValueError(f"reminder_working_days_before: expected a tuple, got {days!r}")
        for n in days:
            _check_int("reminder_working_days_before", n, 1, MAX_WORKING_DAYS - 1)
        if len(set(days)) != len(days):
            raise ValueError(f"reminder_working_days_before: repeated day in {list(days)}")
        if not isinstance(self.deadline_morning_reminder, bool):
            raise ValueError("deadline_morning_reminder: expected true or false")
        for name in ("extra_holidays", "extra_working_days"):
            value = getattr(self, name)
            # type(), not isinstance(): a datetime is a date too, and would never match
            if not isinstance(value, frozenset) or any(type(d) is not date for d in value):
                raise ValueError(f"{name}: expected a frozenset of dates, got {value!r}")
        if both := self.extra_holidays & self.extra_working_days:
            listed = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"extra_working_days: also in extra_holidays: {listed}")
        if not isinstance(self.timezone, ZoneInfo):
            raise ValueError(f"timezone: expected a ZoneInfo, got {self.timezone!r}")
        days = self.year_working_days
        if (
            not isinstance(days, tuple)
            or len(days) != 5
            or any(type(n) is not int or not 1 <= n <= 30 for n in days)
            or list(days) != sorted(days, reverse=True)
            or len(set(days)) != 5
        ):
            raise ValueError(
                "year_working_days: expected 5 different whole numbers from 30 down to 1 "
                f"(opening, confirmations, heads, director, publication), got {days!r}"
            )
        if not isinstance(self.year_special, bool):
            raise ValueError("year_special: expected true or false")
        if self.tracking not in TRACKINGS:
            raise ValueError(
                f"tracking: expected one of {', '.join(TRACKINGS)}, got {self.tracking!r}"
            )
        # The steps must keep their order in every month. Positions of working days
        # keep the order of their numbers, so comparing (number, time) is enough.
        if self.opens_working_days_before_end == 0 and self.opens_time >= self.deadline_time:
            raise ValueError("opens_time: the opening must come before the deadline_time")
        if self.head_review_working_days > self.director_review_working_days:
            raise ValueError(
                "director_review_working_days: the director's deadline cannot come "
                "before the heads' (head_review_working_days)"
            )
        if (self.publish_working_day, self.publish_time) <= (
            self.director_review_working_days,
            self.review_time,
        ):
            raise ValueError(
                "publish_working_day: publication must come after the director review "
                "(director_review_working_days, review_time)"
            )

    @classmethod
    def from_overrides(
        cls, overrides: Mapping[str, Any] | None, base: CalendarSettings | None = None
    ) -> CalendarSettings:
        """The settings of an organization from its JSON overrides (`Organization.calendar`).

        Values are JSON values: times as "HH:MM", days as "YYYY-MM-DD" in lists, counts as
        integers, the time zone as an IANA name. Keys not given keep the value of `base`
        (the defaults when None). An unknown key or a bad value raises ValueError whose
        message starts with the key.
        """
        settings = base if base is not None else cls()
        if not overrides:
            return settings
        if not isinstance(overrides, Mapping):
            raise ValueError(f"calendar: expected an object of overrides, got {overrides!r}")
        changes = {}
        for key, value in overrides.items():
            parse = _PARSERS.get(key)
            if parse is None:
                known = ", ".join(sorted(_PARSERS))
                raise ValueError(f"{key}: unknown calendar setting (known: {known})")
            changes[key] = parse(key, value)
        return replace(settings, **changes)


_POSITIONS = (
    "plan_working_days",
    "head_review_working_days",
    "director_review_working_days",
    "publish_working_day",
)
_TIMES = (
    "plan_until_time",
    "opens_time",
    "deadline_time",
    "review_time",
    "publish_time",
    "reminder_time",
    "quiet_start",
    "quiet_end",
)


def _check_int(key: str, value: object, low: int, high: int) -> None:
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{key}: expected a whole number from {low} to {high}, got {value!r}")


_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_int(key: str, value: Any) -> int:
    _check_int(key, value, 0, MAX_WORKING_DAYS)  # the exact range is checked by the class
    return value


def _parse_time(key: str, value: Any) -> time:
    if isinstance(value, str) and (match := _TIME.fullmatch(value)):
        hour, minute = int(match[1]), int(match[2])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValueError(f"{key}: expected a time HH:MM from 00:00 to 23:59, got {value!r}")


def _parse_bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{key}: expected true or false, got {value!r}")
    return value


def _parse_int_list(key: str, value: Any) -> tuple[int, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{key}: expected a list of whole numbers, got {value!r}")
    for n in value:
        _check_int(key, n, 1, MAX_WORKING_DAYS - 1)
    return tuple(value)


def _parse_dates(key: str, value: Any) -> frozenset[date]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{key}: expected a list of dates YYYY-MM-DD, got {value!r}")
    days = set()
    for item in value:
        try:
            if not isinstance(item, str) or not _DATE.fullmatch(item):
                raise ValueError
            days.add(date.fromisoformat(item))
        except ValueError:
            raise ValueError(f"{key}: expected a date YYYY-MM-DD, got {item!r}") from None
    return frozenset(days)


def _parse_zone(key: str, value: Any) -> ZoneInfo:
    try:
        if not isinstance(value, str) or not value:
            raise ValueError
        return ZoneInfo(value)
    except (ValueError, OSError, ZoneInfoNotFoundError):  # OSError: "Asia", a folder
        raise ValueError(
            f"{key}: expected a time zone such as Asia/Ho_Chi_Minh, got {value!r}"
        ) from None


_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "plan_working_days": _parse_int,
    "plan_until_time": _parse_time,
    "opens_working_days_before_end": _parse_int,
    "opens_time": _parse_time,
    "deadline_time": _parse_time,
    "head_review_working_days": _parse_int,
    "director_review_working_days": _parse_int,
    "review_time": _parse_time,
    "publish_working_day": _parse_int,
    "publish_time": _parse_time,
    "reminder_working_days_before": _parse_int_list,
    "reminder_time": _parse_time,
    "deadline_morning_reminder": _parse_bool,
    "quiet_start": _parse_time,
    "quiet_end": _parse_time,
    "extra_holidays": _parse_dates,
    "extra_working_days": _parse_dates,
    "timezone": _parse_zone,
    "tracking": lambda key, value: value,  # checked with the other fields
    "year_special": _parse_bool,
    "year_working_days": lambda key, value: tuple(value) if isinstance(value, list) else value,
}
TRACKINGS = ("month", "quarter")


@lru_cache(maxsize=32)
def _national_calendar(year: int) -> holidays.HolidayBase:
    # The neighbouring years too: a swap may move a working day across New Year
    # (Saturday 27/12/2014 was worked for Friday 2/1/2015).
    return holidays.country_holidays("VN", years=range(year - 1, year + 2))


def is_working_day(day: date, settings: CalendarSettings) -> bool:
    """Whether `day` is a working day of the organization.

    Monday to Friday except the national public holidays (with their days off in lieu and
    the government's swaps, Saturdays worked in exchange included, as the `holidays`
    package records them), then the organization's `extra_holidays` and
    `extra_working_days` (a make-up working day may fall on a national holiday).
    """
    if isinstance(day, datetime):
        raise TypeError("is_working_day takes a date, not a datetime")
    if day in settings.extra_working_days:
        return True
    if day in settings.extra_holidays:
        return False
    return _national_calendar(day.year).is_working_day(day)


def working_days(year: int, month: int, settings: CalendarSettings) -> list[date]:
    """The working days of a month, in order."""
    last = calendar.monthrange(year, month)[1]
    days = (date(year, month, d) for d in range(1, last + 1))
    return [day for day in days if is_working_day(day, settings)]


def add_working_days(day: date, n: int, settings: CalendarSettings) -> date:
    """The `n`-th working day after `day` (before it when `n` is negative).

    `day` itself need not be a working day; with `n == 0` it is returned unchanged.
    """
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day, settings):
            remaining -= 1
    return day


@dataclass(frozen=True)
class CycleDates:
    """The moments of one month's cycle, aware datetimes in UTC.

    `reminders` are (step, moment) pairs in chronological order, the step one of
    "remind:open", "remind:d-<n>" (n working days before the deadline), "remind:d-0"
    (the deadline morning). The fields mirror `storage.models.Period`.
    """

    plan_until: datetime
    opens_at: datetime
    deadline: datetime
    head_review_by: datetime
    director_review_by: datetime
    publish_at: datetime
    reminders: tuple[tuple[str, datetime], ...]


def _at(day: date, at: time, settings: CalendarSettings) -> datetime:
    """`day` at the local time `at`, in UTC."""
    return datetime.combine(day, at, tzinfo=settings.timezone).astimezone(UTC)


def _nth(days: list[date], n: int, key: str, year: int, month: int) -> date:
    if n > len(days):
        raise ValueError(f"{key}: {year}-{month:02d} has only {len(days)} working days")
    return days[n - 1]


def cycle_dates(year: int, month: int, settings: CalendarSettings) -> CycleDates:
    """The dates of the cycle of the month `year`-`month` (see `CalendarSettings`).

    The reviews and the publication fall in the next month. A reminder that would fall
    at or before the opening (with the defaults "d-2" is the opening itself) or at or after
    the deadline is left out: the opening message already reminds.
    Raises ValueError when a month has too few working days for the settings.
    """
    days = working_days(year, month, settings)
    if not days:
        raise ValueError(f"calendar: {year}-{month:02d} has no working day")
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    next_days = working_days(next_year, next_month, settings)
    last = days[-1]

    def nth_next(n: int, key: str) -> date:
        return _nth(next_days, n, key, next_year, next_month)

    plan_day = _nth(days, settings.plan_working_days, "plan_working_days", year, month)
    open_day = add_working_days(last, -settings.opens_working_days_before_end, settings)
    opens_at = _at(open_day, settings.opens_time, settings)
    deadline = _at(last, settings.deadline_time, settings)

    candidates = [
        (f"remind:d-{n}", add_working_days(last, -n, settings))
        for n in settings.reminder_working_days_before
    ]
    if settings.deadline_morning_reminder:
        candidates.append(("remind:d-0", last))
    later = []
    for step, day in candidates:
        moment = _at(day, settings.reminder_time, settings)
        if opens_at < moment < deadline:
            later.append((step, moment))
    later.sort(key=lambda reminder: reminder[1])

    head_day = nth_next(settings.head_review_working_days, "head_review_working_days")
    director_day = nth_next(settings.director_review_working_days, "director_review_working_days")
    publish_day = nth_next(settings.publish_working_day, "publish_working_day")
    return CycleDates(
        plan_until=_at(plan_day, settings.plan_until_time, settings),
        opens_at=opens_at,
        deadline=deadline,
        head_review_by=_at(head_day, settings.review_time, settings),
        director_review_by=_at(director_day, settings.review_time, settings),
        publish_at=_at(publish_day, settings.publish_time, settings),
        reminders=(("remind:open", opens_at), *later),
    )


def period_dates(code: str, settings: CalendarSettings) -> CycleDates:
    """The dates of the period `code`: a month ("2026-11", `cycle_dates`) or a quarter
    ("2026-Q4": the plan window in its first month, everything else as its last month)."""
    year, _, part = code.partition("-")
    if not part.startswith("Q"):
        return cycle_dates(int(year), int(part), settings)
    last_month = 3 * int(part[1:])
    dates = cycle_dates(int(year), last_month, settings)
    first = working_days(int(year), last_month - 2, settings)
    plan_day = _nth(
        first, settings.plan_working_days, "plan_working_days", int(year), last_month - 2
    )
    return replace(dates, plan_until=_at(plan_day, settings.plan_until_time, settings))


@dataclass(frozen=True)
class YearDates:
    """The moments of an annual round, aware datetimes in UTC (`storage.models.YearRound`).
    `due` is the legal day it must be done by (NĐ 335 Điều 19: 15 December; 15 January of
    the next year for an organization marked special)."""

    due: date
    opens_at: datetime
    confirm_by: datetime
    head_review_by: datetime
    director_review_by: datetime
    publish_at: datetime


def year_dates(year: int, settings: CalendarSettings) -> YearDates:
    """The dates of the annual round of `year`, counted back from its legal day in working
    days (`year_working_days`): the opening at `opens_time`, the confirmations and the
    reviews at `review_time`, publication at `publish_time` on the working day before."""
    due = date(year + 1, 1, 15) if settings.year_special else date(year, 12, 15)
    opens, confirm, head, director, publish = (
        add_working_days(due, -n, settings) for n in settings.year_working_days
    )
    return YearDates(
        due=due,
        opens_at=_at(opens, settings.opens_time, settings),
        confirm_by=_at(confirm, settings.review_time, settings),
        head_review_by=_at(head, settings.review_time, settings),
        director_review_by=_at(director, settings.review_time, settings),
        publish_at=_at(publish, settings.publish_time, settings),
    )


def release_time(moment_utc: datetime, settings: CalendarSettings) -> datetime:
    """When a message due at `moment_utc` may go out, in UTC.

    During the quiet hours (local time, `quiet_start` included, `quiet_end` excluded;
    they may cross midnight) the message is held until `quiet_end`; otherwise it goes
    at `moment_utc`. Equal `quiet_start` and `quiet_end` mean no quiet hours.
    """
    if moment_utc.tzinfo is None or moment_utc.utcoffset() is None:
        raise ValueError("release_time takes an aware datetime")
    start, end = settings.quiet_start, settings.quiet_end
    local = moment_utc.astimezone(settings.timezone)
    now, today = local.time(), local.date()
    release_day: date | None = None
    if start < end:  # within a day, e.g. 12:00-13:30
        if start <= now < end:
            release_day = today
    elif start > end:  # across midnight, e.g. 21:00-07:00
        if now >= start:
            release_day = today + timedelta(days=1)
        elif now < end:
            release_day = today
    if release_day is None:
        return moment_utc.astimezone(UTC)
    return _at(release_day, end, settings)
