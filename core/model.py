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


class Category(StrEnum):
    """Công chức (NĐ 335), viên chức, người lao động: the organization picks the ruleset."""

    CONG_CHUC = "cong_chuc"
    VIEN_CHUC = "vien_chuc"
    LAO_DONG = "lao_dong"


class DisciplineForm(StrEnum):
    """Forms of discipline, all of them reprimand (khiển trách) or heavier."""

    REPRIMAND = "reprimand"  # khiển trách
    WARNING = "warning"  # cảnh cáo
    SALARY_DOWNGRADE = "salary_downgrade"  # hạ bậc lương
    DEMOTION = "demotion"  # giáng chức
    DISMISSAL_FROM_POST = "dismissal_from_post"  # cách chức
    DISMISSAL = "dismissal"  # buộc thôi việc; Party: khai trừ (expulsion)


class DisciplineSource(StrEnum):
    ADMIN = "admin"
    PARTY = "party"


class PeriodStatus(StrEnum):
    WORKED = "worked"
    MATERNITY = "maternity"  # nghỉ chế độ thai sản
    AWAY = "away"  # other leave that keeps one from work (ốm đau, không lương, ...)


class Period(NamedTuple):
    """A month (`2026-10`), a quarter (`2026-Q4`) or a year (`2026`).

    A tuple, so that hashing is cheap; `Period(2026, 10)` is a month as in version 1.
    """

    year: int
    month: int | None = None
    quarter: int | None = None

    @property
    def is_year(self) -> bool:
        return self.month is None and self.quarter is None

    @property
    def is_quarter(self) -> bool:
        return self.quarter is not None

    @property
    def first_month(self) -> int:
        if self.month is not None:
            return self.month
        return 3 * self.quarter - 2 if self.quarter is not None else 1

    @property
    def last_month(self) -> int:
        if self.month is not None:
            return self.month
        return 3 * self.quarter if self.quarter is not None else 12

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        month = self.last_month
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def contains(self, day: date) -> bool:
        return day.year == self.year and self.first_month <= day.month <= self.last_month

    def previous(self) -> Period:
        if self.month is not None:
            if self.month == 1:
                return Period(self.year - 1, 12)
            return Period(self.year, self.month - 1)
        if self.quarter is not None:
            if self.quarter == 1:
                return Period(self.year - 1, None, 4)
            return Period(self.year, None, self.quarter - 1)
        return Period(self.year - 1)

    def __str__(self) -> str:
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        if self.quarter is not None:
            return f"{self.year:04d}-Q{self.quarter}"
        return f"{self.year:04d}"


class Task(NamedTuple):
    id: str
    weight: float  # hệ số quy đổi
    status: TaskStatus
    quality_failures: int
    delays: int
    explanation: Explanation
    explanation_late: bool  # the explanation was approved only after the task's deadline
    objective_reason: bool  # failures and delays have a confirmed objective reason
    title: str  # how texts name the task (its id when no title is given)
    extra: bool  # taken over, ad hoc, "phát sinh": outside the base W


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
    party_form: bool  # given as "expulsion" (khai trừ), the Party's heaviest form


class Flags(NamedTuple):
    degeneration: bool = False
    party_prohibition: bool = False
    example_violation: bool = False
    unit_corruption: bool = False


class Leader(NamedTuple):
    """A leader's d, đ and e as the rater gave them (1 or 0.5; None: not given)."""

    organising: float | None = None
    cohesion: float | None = None
    unit_result: float | None = None


class PeriodTasks(NamedTuple):
    """The weights of a period's counted tasks (for the gates of QĐ 366 on a year)."""

    total: float
    done: float
    on_time: float
    exceeded: float


class PeriodScore(NamedTuple):
    """One period of a year roll-up: a month or a quarter."""

    period: Period
    status: PeriodStatus
    score: float | None
    tasks: PeriodTasks | None


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
    category: Category
    general: dict[str, float]
    general_review: dict[str, float]
    tasks: tuple[Task, ...]
    leader: Leader | None
    initiatives_approved: int
    deductions: tuple[Deduction, ...]
    discipline: tuple[DisciplineDecision, ...]
    flags: Flags
    self_level: Level | None
    head_rank: int | None
    exemplary: bool
    periods: tuple[PeriodScore, ...] | None  # a year: its periods
    leadership: Leadership | None  # nd90 leaders
    name: str  # how texts name the person (the id when no name is given)
    review_level: Level | None  # the level a reviewer set (it may only lower)
    review_reason: str | None  # the reviewer's reason, required with review_level


class HistoryEntry(NamedTuple):
    id: str
    period: Period
    level: Level | None
    score: float | None
    unexplained_undone: int


class QuotaException(NamedTuple):
    """Rule 10 điểm b: an outstanding unit's higher share, with the decision."""

    unit: str | None  # None: the whole organization
    group: str | None  # None: every group
    share: Any  # Fraction
    decision: str


@dataclass(frozen=True, slots=True)
class Request:
    period: Period
    people: tuple[Person, ...]
    history: dict[str, dict[Period, HistoryEntry]]
    quota_exceptions: tuple[QuotaException, ...]
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
