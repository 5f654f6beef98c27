"""A unit's plan of a month or quarter from a spreadsheet (`python -m bot admin import-plan`):
the tasks a head assigns, one line each.

The file (CSV or .xlsx) has a header naming its columns (English or Vietnamese): id (mã),
task (nhiệm vụ), and optionally product code (mã sản phẩm, a product of the catalogue in
force at the period's start), deadline (thời hạn: 25/01/2027, 25/01 or 2027-01-25, within
the period) and factor (hệ số quy đổi). A task's factor is its product's; else the one
given; else 1. A task named only by its product takes the product's name. A task without
a product, where the organization has a catalogue, is a free task: refused where the
organization allows none.

All or nothing: every line is checked before anything is written, and each problem names
its line and column. The people the file names get exactly its tasks among those the
plan files assigned them: a task of the file is matched to the person's planned task of
the same title (any case), added when new, updated when its deadline, factor or product
differ; the tasks an earlier file assigned them that this one no longer lists are
removed. Tasks the people added themselves stay. The same file again changes nothing.
Only a period whose plan is still open (not yet in self-assessment) takes a plan.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from core.texts import Term
from locales import N_
from storage.audit import audit
from storage.catalogue import MAX_TITLE, items_of, position_key, version_in_force
from storage.models import (
    CatalogueItem,
    Organization,
    Period,
    PeriodStatus,
    Person,
    Task,
    TaskKind,
    Unit,
)
from storage.roster import MAX_PROBLEMS, Problem, RosterError, _aliases, _key
from storage.tables import Line, Table, read_table

MAX_FACTOR = 10.0
PROGRESS_EVERY = 500
_DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")  # a date cell of Excel: "… 00:00:00"

TABLE = Table(
    aliases=_aliases(
        {
            "id": ("id", "mã", "mã số", "mã cán bộ", "code", "person id", "người thực hiện"),
            "full_name": ("full_name", "full name", "name", "họ và tên", "họ tên"),
            "title": ("task", "title", "nhiệm vụ", "tên nhiệm vụ", "nội dung nhiệm vụ"),
            "product": ("product code", "product", "mã sản phẩm", "sản phẩm", "mã sp"),
            "deadline": ("deadline", "due", "thời hạn", "hạn hoàn thành", "thời hạn hoàn thành"),
            "factor": ("factor", "hệ số", "hệ số quy đổi", "conversion factor"),
        }
    ),
    labels={
        "id": Term(N_("id")),
        "full_name": Term(N_("full name")),
        "title": Term(N_("task")),
        "product": Term(N_("product code")),
        "deadline": Term(N_("deadline")),
        "factor": Term(N_("factor")),
    },
    required=("id",),
    one_of=("title", "product"),
    missing=N_(
        "The header (the first line) lacks the columns: {columns}. The columns are id, task "
        "and, optionally, product code, deadline and factor."
    ),
)


@dataclass(frozen=True)
class PlannedTask:
    """A checked line: the task the file assigns to `person`."""

    line: int
    person: Person
    title: str
    deadline: date | None
    factor: float
    item: CatalogueItem | None
    free: bool


@dataclass
class PersonChanges:
    """What the file changes in one person's plan."""

    person: Person
    added: list[PlannedTask] = field(default_factory=list)
    changed: list[tuple[Task, PlannedTask]] = field(default_factory=list)
    removed: list[Task] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


@dataclass
class PlanChanges:
    """What importing a plan file does (or would do), person by person, in file order."""

    period: Period
    rows: int
    people: list[PersonChanges]

    def count(self, what: str) -> int:
        if what == "unchanged":
            return sum(p.unchanged for p in self.people)
        return sum(len(getattr(p, what)) for p in self.people)


def read_plan(path) -> list[Line]:
    return read_table(path, TABLE)


def period_dates(code: str) -> tuple[date, date]:
    """The first and last day of a month "2027-01" or a quarter "2027-Q1"."""
    year, _, part = code.partition("-")
    first_month, last_month = (
        (3 * int(part[1:]) - 2, 3 * int(part[1:])) if part.startswith("Q") else (int(part),) * 2
    )
    last_day = calendar.monthrange(int(year), last_month)[1]
    return date(int(year), first_month, 1), date(int(year), last_month, last_day)


def plan_period(session: Session, organization: Organization, code: str) -> Period:
    """The period `code` of the organization, created at its plan if it does not exist."""
    period = session.exec(
        select(Period).where(Period.organization_id == organization.id, Period.code == code)
    ).first()
    if period is None:
        period = Period(organization_id=organization.id, code=code, status=PeriodStatus.PLANNING)
        session.add(period)
        session.flush()
    return period


def check_plan(
    session: Session,
    organization: Organization,
    period: Period,
    lines: Sequence[Line],
    unit: Unit | None = None,
) -> list[PlannedTask]:
    """Every line checked; raises RosterError with every problem (line and column)."""
    query = select(Person).where(Person.organization_id == organization.id)
    people = {p.code: p for p in session.exec(query)}
    first, last = period_dates(period.code)
    version = version_in_force(session, organization.id, first)
    products: dict[str, list[CatalogueItem]] = {}
    if version is not None:
        for item in items_of(session, version.id):
            products.setdefault(item.code.casefold(), []).append(item)
    problems: list[Problem] = []
    checked: list[PlannedTask] = []
    seen: dict[tuple[str, str], int] = {}
    for line, values, labels in lines:
        found: list[Problem] = []

        def fail(column: str, message: str, /, **params: Any) -> None:
            found.append(Problem(message, params, line, labels.get(column)))  # noqa: B023

        code = values.get("id", "").strip()
        person = people.get(code)
        if not code:
            fail("id", N_("The id is empty."))
        elif person is None or not person.active:
            fail("id", N_("No person of the organization has the id “{value}”."), value=code)
        elif unit is not None and person.unit_id != unit.id:
            fail(
                "id",
                N_("{name} ({id}) is not of {unit}."),
                name=person.full_name,
                id=code,
                unit=unit.name,
            )
        item = None
        product = values.get("product", "").strip()
        if product:
            candidates = products.get(product.casefold(), [])
            own = [
                i
                for i in candidates
                if person is not None
                and position_key(i.job_position) == position_key(person.job_position)
            ]
            item = (own or candidates or [None])[0]
            if item is None:
                fail(
                    "product",
                    N_("The catalogue in force on {date} has no product “{value}”."),
                    date=first.strftime("%d/%m/%Y"),
                    value=product,
                )
            elif not own and person is not None and person.job_position:
                # as in the chat: a person's products are those of their job position
                fail(
                    "product",
                    N_(
                        "“{value}” is a product of {positions}, not of the job position of "
                        "{name} ({position})."
                    ),
                    value=product,
                    positions=", ".join(sorted({i.job_position for i in candidates})),
                    name=person.full_name,
                    position=person.job_position,
                )
                item = None
        title = " ".join(values.get("title", "").split()) or (item.title if item else "")
        if not title:
            fail("title", N_("The task is empty: give a task or a product code."))
        elif len(title) > MAX_TITLE:
            fail("title", N_("The task is longer than {limit} characters."), limit=MAX_TITLE)
        deadline = None
        if values.get("deadline", "").strip():
            deadline = _deadline(values["deadline"], first.year)
            if deadline is None or not first <= deadline <= last:
                fail(
                    "deadline",
                    N_("“{value}” is not a day from {first} to {last}."),
                    value=values["deadline"],
                    first=first.strftime("%d/%m/%Y"),
                    last=last.strftime("%d/%m/%Y"),
                )
        factor = 1.0
        given = values.get("factor", "").strip()
        if given:
            number = _factor(given)
            if number is None:
                fail(
                    "factor",
                    N_("“{value}” is not a factor greater than 0 and at most {limit}."),
                    value=given,
                    limit=int(MAX_FACTOR),
                )
            elif item is not None and abs(number - item.factor) > 1e-9:
                fail(
                    "factor",
                    N_(
                        "The factor {value} differs from the product {code}'s ({factor}, "
                        "its points ÷ 5): leave the factor empty."
                    ),
                    value=given,
                    code=item.code,
                    factor=str(item.factor).replace(".", ","),
                )
            else:
                factor = number
        if item is not None:
            factor = item.factor
        free = item is None and version is not None
        if free and not organization.free_tasks:
            fail(
                "product",
                N_(
                    "The organization allows no task outside the catalogue: give the task's "
                    "product code."
                ),
            )
        if not found and person is not None:
            key = (person.code, _key(title))
            if key in seen:
                fail(
                    "title",
                    N_("The same task of the same person is already on line {other}."),
                    other=str(seen[key]),
                )
            else:
                seen[key] = line
                checked.append(PlannedTask(line, person, title, deadline, factor, item, free))
        problems += found
    if problems:
        raise RosterError(problems[:MAX_PROBLEMS], len(problems))
    return checked


def _deadline(text: str, year: int) -> date | None:
    text = text.strip()
    try:
        if match := _ISO.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DAY.fullmatch(text):
            given = int(match[3]) if match[3] else year
            return date(given + 2000 if given < 100 else given, int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


def _factor(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if 0 < value <= MAX_FACTOR else None


def compare_plan(session: Session, period: Period, checked: Sequence[PlannedTask]) -> PlanChanges:
    """What the checked tasks change in the plans of the people they name."""
    by_person: dict[int, PersonChanges] = {}
    for task in checked:
        by_person.setdefault(task.person.id, PersonChanges(task.person))
    existing: dict[int, list[Task]] = {}
    if by_person:
        for task in session.exec(
            select(Task).where(
                Task.period_id == period.id,
                Task.kind == TaskKind.PLANNED,
                col(Task.person_id).in_(list(by_person)),
            )
        ):
            existing.setdefault(task.person_id, []).append(task)
    titles = {person_id: {_key(t.title): t for t in tasks} for person_id, tasks in existing.items()}
    kept: set[int] = set()
    for planned in checked:
        changes = by_person[planned.person.id]
        task = titles.get(planned.person.id, {}).get(_key(planned.title))
        if task is None:
            changes.added.append(planned)
            continue
        kept.add(task.id)
        item_id = planned.item.id if planned.item else None
        if (
            task.title,
            task.deadline,
            task.weight,
            task.catalogue_item_id,
            task.free,
            task.imported_from is not None,
        ) != (planned.title, planned.deadline, planned.factor, item_id, planned.free, True):
            changes.changed.append((task, planned))
        else:
            changes.unchanged += 1
    for person_id, tasks in existing.items():
        by_person[person_id].removed = [
            t for t in tasks if t.imported_from is not None and t.id not in kept
        ]
    return PlanChanges(period, len(checked), list(by_person.values()))


def import_plan(
    session: Session,
    changes: PlanChanges,
    source: str,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write `changes` (`compare_plan`): nothing is committed here. Each task assigned or
    taken away, and each factor changed, is audited with the file and its line as the
    reason (as a head's /assign is)."""
    total = sum(p.changes for p in changes.people)
    done = 0
    positions = dict(
        session.exec(
            select(Task.person_id, func.max(Task.position))
            .where(Task.period_id == changes.period.id)
            .group_by(col(Task.person_id))
        ).all()
    )
    added: list[tuple[Task, PlannedTask]] = []
    for person in changes.people:
        position = positions.get(person.person.id, 0)
        for task in person.removed:
            audit(
                session,
                None,
                "task",
                task.id,
                "assigned",
                task.person_id,
                None,
                reason=source,
                at=now,
                decision=True,
            )
            session.delete(task)
        for task, planned in person.changed:
            audit(
                session,
                None,
                "task",
                task.id,
                "weight",
                task.weight,
                planned.factor,
                reason=f"{source}:{planned.line}",
                at=now,
            )
            task.title, task.deadline, task.weight = planned.title, planned.deadline, planned.factor
            task.catalogue_item_id = planned.item.id if planned.item else None
            task.free, task.imported_from = planned.free, source
            session.add(task)
        for planned in person.added:
            position += 1
            task = Task(
                person_id=person.person.id,
                period_id=changes.period.id,
                kind=TaskKind.PLANNED,
                title=planned.title,
                deadline=planned.deadline,
                weight=planned.factor,
                position=position,
                catalogue_item_id=planned.item.id if planned.item else None,
                free=planned.free,
                imported_from=source,
                created_at=now,
            )
            session.add(task)
            added.append((task, planned))
        before, done = done, done + person.changes
        if progress is not None and (done // PROGRESS_EVERY > before // PROGRESS_EVERY):
            progress(done, total)
    session.flush()  # the new tasks' ids, for their audit
    for task, planned in added:
        audit(
            session,
            None,
            "task",
            task.id,
            "assigned",
            None,
            task.person_id,
            reason=f"{source}:{planned.line}",
            at=now,
            decision=True,
        )
    if progress is not None and total:
        progress(total, total)
