"""The warnings of RULES.md, pushed to the person, the head and the director."""

from __future__ import annotations

from core.model import Alert, HistoryEntry, Level, Period, Person
from core.ruleset import Ruleset
from core.texts import Percent, quoted
from locales import N_


def unexplained_months(
    person: Person,
    period: Period,
    undone: tuple[str, ...],
    history: dict[Period, HistoryEntry],
    ruleset: Ruleset,
) -> Alert | None:
    """UNEXPLAINED_2_MONTHS: assigned tasks not done without an approved explanation in 2+
    periods of a year (raised in a period that is one of them, so each adds its own)."""
    if not undone:
        return None
    months = sorted(
        p
        for p, h in history.items()
        if h.unexplained_undone and p.year == period.year and not p.is_year and p != period
    )
    months.append(period)
    if len(months) < ruleset.unexplained_periods:
        return None
    return Alert(
        "UNEXPLAINED_2_MONTHS",
        "warning.unexplained",
        person.id,
        person.unit,
        person.group,
        N_(
            "{person} has assigned tasks not done without an approved explanation in "
            "{count} periods of {year} ({months}); this period: {tasks}. An "
            "accountability review is required."
        ),
        {
            "person": person.name,
            "count": len(months),
            "year": str(period.year),
            "months": tuple(months),
            "tasks": quoted(undone),
        },
    )


def head_accountable(
    unit: str, unit_name: str, members: list[tuple[Person, tuple[str, ...]]]
) -> Alert:
    """HEAD_ACCOUNTABLE: a member left a task undone without an approved explanation."""
    shown = []
    for person, tasks in members:
        titles = ", ".join(f"\u201c{title}\u201d" for title in tasks)
        shown.append(f"{person.name} ({titles})")
    return Alert(
        "HEAD_ACCOUNTABLE",
        "warning.head_accountable",
        None,
        unit,
        None,
        N_(
            "{unit}: {people} left assigned tasks undone without an approved explanation; "
            "the head of the unit and the leader in charge must explain."
        ),
        {"unit": unit_name, "people": tuple(shown)},
        tuple(person.id for person, _ in members),
    )


def self_overrated(person: Person, computed: Level) -> Alert | None:
    """SELF_OVERRATED: the self-proposed level is above the computed one."""
    if person.self_level is None or person.self_level.rank <= computed.rank:
        return None
    return Alert(
        "SELF_OVERRATED",
        "warning.self_overrated",
        person.id,
        person.unit,
        person.group,
        N_(
            "{person} proposed {proposed} but the rules give {computed}: the "
            "self-assessment does not reflect the results."
        ),
        {"person": person.name, "proposed": person.self_level, "computed": computed},
    )


def level_d(
    person: Person, period: Period, history: dict[Period, HistoryEntry], ruleset: Ruleset
) -> Alert:
    """LEVEL_D: a period at D; N periods running propose an accountability review."""
    running = 1
    previous = period.previous()
    while previous in history and history[previous].level is Level.NOT_COMPLETED:
        running += 1
        previous = previous.previous()
    if running >= ruleset.level_d_periods:
        return Alert(
            "LEVEL_D",
            "warning.level_d",
            person.id,
            person.unit,
            person.group,
            N_(
                "{person} is at {level} for {count} periods running: an accountability review "
                "is proposed."
            ),
            {"person": person.name, "level": Level.NOT_COMPLETED, "count": running},
        )
    return Alert(
        "LEVEL_D",
        "warning.level_d",
        person.id,
        person.unit,
        person.group,
        N_("{person} is at {level} in this period."),
        {"person": person.name, "level": Level.NOT_COMPLETED},
    )


def no_tasks(person: Person) -> Alert:
    return Alert(
        "NO_TASKS",
        "warning.no_tasks",
        person.id,
        person.unit,
        person.group,
        N_(
            "{person} has no task in this period and is not rated; every civil servant must be "
            "assigned tasks: the head of the unit should assign them."
        ),
        {"person": person.name},
    )


def grey_zone(person: Person, below: float) -> Alert:
    return Alert(
        "GREY_ZONE",
        "nd90.grey_zone",
        person.id,
        person.unit,
        person.group,
        N_(
            "{person}: {below} of the tasks below standard, where the decree is silent; rated "
            "{level} for a leader to confirm."
        ),
        {"person": person.name, "below": Percent(below), "level": Level.COMPLETED},
    )


def two_years_d(
    person: Person, period: Period, history: dict[Period, HistoryEntry]
) -> Alert | None:
    """KHT_2_YEARS: a second consecutive year at D starts the dismissal procedure."""
    last = history.get(period.previous())
    if last is None or last.level is not Level.NOT_COMPLETED:
        return None
    return Alert(
        "KHT_2_YEARS",
        "warning.two_years_d",
        person.id,
        person.unit,
        person.group,
        N_(
            "{person} is at {level} for a second consecutive year ({last} and "
            "{year}): the dismissal procedure must be considered."
        ),
        {
            "person": person.name,
            "level": Level.NOT_COMPLETED,
            "last": period.previous(),
            "year": period,
        },
    )


def kht_year(person: Person, period: Period) -> Alert:
    """KHT_YEAR: a year at D (NĐ 335 Điều 23 khoản 3 điểm đ)."""
    return Alert(
        "KHT_YEAR",
        "warning.kht_year",
        person.id,
        person.unit,
        person.group,
        N_(
            "{person} is at {level} for the year {year}: the person may be moved to a lower "
            "job position or dismissed."
        ),
        {"person": person.name, "level": Level.NOT_COMPLETED, "year": period},
    )
