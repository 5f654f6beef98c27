"""The core's data: plain, immutable records with no behaviour beyond small helpers.

Records are NamedTuples: immutable, typed, and cheap to build. A large run builds
500,000 tasks and 50,000 people, and a frozen dataclass costs five times as much to
construct (its __init__ goes through object.__setattr__ field by field).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple


class Level(StrEnum):
    """The four levels of Nghị định 335/2025 and 90/2020."""

    EXCELLENT = "A"  # Hoàn thành xuất sắc nhiệm vụ
    GOOD = "B"  # Hoàn thành tốt nhiệm vụ
    COMPLETED = "C"  # Hoàn thành nhiệm vụ
    NOT_COMPLETED = "D"  # Không hoàn thành nhiệm vụ

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {Level.NOT_COMPLETED: 0, Level.COMPLETED: 1, Level.GOOD: 2, Level.EXCELLENT: 3}


def lowest(a: Level, b: Level) -> Level:
    return a if a.rank <= b.rank else b


class TaskStatus(StrEnum):
    EXCEEDED = "exceeded"
    ON_TIME = "on_time"
    LATE = "late"
    NOT_DONE = "not_done"


class Explanation(StrEnum):
    NONE = "none"
    SUBMITTED = "submitted"
    APPROVED = "approved"


class Role(StrEnum):
    STAFF = "staff"
    DEPUTY = "deputy"
    HEAD = "head"
    DIRECTOR = "director"

    @property
    def is_leader(self) -> bool:
        return self is not Role.STAFF


class DisciplineForm(StrEnum):
    """Forms of discipline, all of them reprimand (khiển trách) or heavier."""

    REPRIMAND = "reprimand"  # khiển trách
    WARNING = "warning"  # cảnh cáo
    DEMOTION = "demotion"  # hạ bậc lương / giáng chức
    DISMISSAL_FROM_POST = "dismissal_from_post"  # cách chức
    DISMISSAL = "dismissal"  # buộc thôi việc; Party: khai trừ (expulsion)


class DisciplineSource(StrEnum):
    ADMIN = "admin"
    PARTY = "party"


class MonthStatus(StrEnum):
    WORKED = "worked"
    MATERNITY = "maternity"  # nghỉ chế độ thai sản
    AWAY = "away"  # other leave that keeps one from work (ốm đau, không lương, ...)


class Period(NamedTuple):
    """A month (`2026-10`) or a year (`2026`). A tuple, so that hashing is cheap."""

    year: int
    month: int | None = None

    @property
    def is_year(self) -> bool:
        return self.month is None

    @property
    def start(self) -> date:
        return date(self.year, self.month or 1, 1)

    @property
    def end(self) -> date:
        month = self.month or 12
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def previous(self) -> Period:
        if self.month is None:
            return Period(self.year - 1)
        if self.month == 1:
            return Period(self.year - 1, 12)
        return Period(self.year, self.month - 1)

    def __str__(self) -> str:
        return f"{self.year:04d}" if self.month is None else f"{self.year:04d}-{self.month:02d}"


class Task(NamedTuple):
    id: str
    weight: float
    status: TaskStatus
    quality_failures: int
    delays: int
    explanation: Explanation
    explanation_late: bool  # the explanation came after the task's deadline
    objective_reason: bool  # failures and delays have a confirmed objective reason
    title: str  # how texts name the task (its id when no title is given)


class Deduction(NamedTuple):
    code: str | None
    reason: str
    points: float


class DisciplineDecision(NamedTuple):
    """A discipline decision (quyết định kỷ luật)."""

    form: DisciplineForm
    date: date
    source: DisciplineSource
    violation: str
    counted_in: Period | None  # the earlier period this violation already made D
    public_duty: bool


class Flags(NamedTuple):
    degeneration: bool = False
    example_violation: bool = False
    unit_corruption: bool = False


class Month(NamedTuple):
    """One month of a year roll-up."""

    period: Period
    status: MonthStatus
    score: float | None


class Leadership(NamedTuple):
    """What a leader's unit achieved (nd90 leader conditions)."""

    units: int
    units_completed: int
    units_good: int
    targets: int
    targets_exceeded: int
    targets_on_time: int
    targets_done: int


class Person(NamedTuple):
    id: str
    unit: str
    group: str
    role: Role
    general: dict[str, float]
    general_review: dict[str, float]
    tasks: tuple[Task, ...]
    initiatives_approved: int
    deductions: tuple[Deduction, ...]
    discipline: tuple[DisciplineDecision, ...]
    flags: Flags
    self_level: Level | None
    head_rank: int | None
    exemplary: bool
    months: tuple[Month, ...] | None
    leadership: Leadership | None
    name: str  # how texts name the person (the id when no name is given)
    review_level: Level | None  # the level a reviewer set (it may only lower)
    review_reason: str | None  # the reviewer's reason, required with review_level


class HistoryEntry(NamedTuple):
    id: str
    period: Period
    level: Level | None
    score: float | None
    unexplained_undone: int


class QuotaOverride(NamedTuple):
    unit: str
    group: str | None
    cap: int


@dataclass(frozen=True, slots=True)
class Request:
    period: Period
    people: tuple[Person, ...]
    history: dict[str, dict[Period, HistoryEntry]]
    quota_overrides: tuple[QuotaOverride, ...]
    unit_names: dict[str, str]  # unit code: how texts name it (the code when missing)
    group_names: dict[str, str]

    def unit_name(self, code: str) -> str:
        return self.unit_names.get(code, code)

    def group_name(self, code: str) -> str:
        return self.group_names.get(code, code)


class Reason(NamedTuple):
    """Why a decision was taken: the rule, and a message translated at output time.

    `message` is an English msgid marked with N_; `params` fill its {placeholders}.
    """

    rule: str
    message: str
    params: dict[str, Any]


class Alert(NamedTuple):
    """A warning for leaders (output key `warnings`); `code` is one of RULES.md."""

    code: str
    rule: str
    person: str | None
    unit: str
    group: str | None
    message: str
    params: dict[str, Any]
    people: tuple[str, ...] = ()  # the ids of everyone the warning is about
