"""The task catalogue (the Ministry of Home Affairs' Sổ tay): the products of each job
position (vị trí việc làm) with their points. A standard product is worth 5 points, and
a product's conversion factor (hệ số quy đổi) is its points ÷ 5.

The office imports it from CSV or Excel (`python -m bot admin import-catalogue`): a header
naming the columns job position (vị trí việc làm), product code (mã sản phẩm), product
(tên sản phẩm) and points (điểm). All or nothing: every line is checked before anything
is written, and each problem names its line and column.

A catalogue is versioned by its effective date: the version in force on a day is the
latest whose date is on or before it. Importing a file again for the same date updates
that version in place (products matched by job position and code; a task keeps its
title and factor when its product is removed), and the same file again changes nothing.

Search (`search`) is by words, without regard to case or diacritics ("bao cao" finds
"Báo cáo"), within a job position.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.texts import Term
from locales import N_
from storage.models import CatalogueItem, CatalogueVersion, Organization, Person, Task
from storage.roster import (
    MAX_JOB_POSITION_LENGTH,
    MAX_PROBLEMS,
    Problem,
    RosterError,
    _aliases,
    _key,
)
from storage.tables import Line, Table, read_table

STANDARD_POINTS = 5.0  # a standard product (Sổ tay): the factor is points ÷ 5
MAX_POINTS = 50.0  # a factor of 10, the most a task's factor may be (handlers/plan.py)
MAX_CODE = 32
MAX_TITLE = 300  # a task's title (a product's name is one): the chat's, a plan file's
SEARCH_LIMIT = 8  # products shown for one search (buttons)
PROGRESS_EVERY = 500

TABLE = Table(
    aliases=_aliases(
        {
            "job_position": ("job position", "job_position", "vị trí việc làm", "vị trí", "vtvl"),
            "code": ("product code", "code", "mã sản phẩm", "mã", "mã sp"),
            "title": ("product", "title", "tên sản phẩm", "sản phẩm", "tên"),
            "points": ("points", "điểm", "số điểm", "điểm sản phẩm"),
        }
    ),
    labels={
        "job_position": Term(N_("job position")),
        "code": Term(N_("product code")),
        "title": Term(N_("product")),
        "points": Term(N_("points")),
    },
    required=("job_position", "code", "title", "points"),
    missing=N_(
        "The header (the first line) lacks the columns: {columns}. The columns are job "
        "position, product code, product and points."
    ),
)


@dataclass(frozen=True)
class Product:
    """A checked line of a catalogue file."""

    line: int
    job_position: str
    code: str
    title: str
    points: float

    @property
    def factor(self) -> float:
        return factor_of(self.points)


@dataclass
class CatalogueChanges:
    """What importing a file for a date does (or did): the version (None on a dry run of
    a new date), whether it is new, and the products new, changed, removed, unchanged."""

    effective: date
    version: CatalogueVersion | None = None
    new_version: bool = False
    added: list[Product] = field(default_factory=list)
    changed: list[Product] = field(default_factory=list)
    removed: list[CatalogueItem] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


def factor_of(points: float) -> float:
    """The conversion factor of a product worth `points` (a standard product: 5 → 1)."""
    return round(points / STANDARD_POINTS, 4)


def position_key(text: str | None) -> str:
    """A job position as compared: any case, with or without diacritics."""
    return _key(text or "")


# -- reading and checking ------------------------------------------------------------


def read_catalogue(path: str | Path) -> list[Product]:
    """The checked products of the file at `path` (CSV or .xlsx); raises RosterError with
    every problem (line and column) when the file or a line is wrong."""
    return check_catalogue(read_table(path, TABLE))


def check_catalogue(lines: Sequence[Line]) -> list[Product]:
    problems: list[Problem] = []
    products: list[Product] = []
    seen: dict[tuple[str, str], int] = {}
    for line, values, labels in lines:
        found: list[Problem] = []

        def fail(column: str, message: str, /, **params: Any) -> None:
            found.append(Problem(message, params, line, labels.get(column)))  # noqa: B023

        position = " ".join(values.get("job_position", "").split())
        code = values.get("code", "").strip()
        title = " ".join(values.get("title", "").split())
        if not position:
            fail("job_position", N_("The job position is missing."))
        elif len(position) > MAX_JOB_POSITION_LENGTH:
            fail(
                "job_position",
                N_("The job position is longer than {limit} characters."),
                limit=MAX_JOB_POSITION_LENGTH,
            )
        if not code:
            fail("code", N_("The product code is missing."))
        elif len(code) > MAX_CODE or any(c.isspace() for c in code):
            fail(
                "code",
                N_("The product code “{value}” has a space or is longer than {limit} characters."),
                value=code[:MAX_CODE],
                limit=MAX_CODE,
            )
        if not title:
            fail("title", N_("The product's name is missing."))
        elif len(title) > MAX_TITLE:
            fail(
                "title",
                N_("The product's name is longer than {limit} characters."),
                limit=MAX_TITLE,
            )
        points = _points(values.get("points", ""))
        if points is None:
            fail(
                "points",
                N_("“{value}” is not a number of points greater than 0 and at most {limit}."),
                value=values.get("points", ""),
                limit=int(MAX_POINTS),
            )
        if not found:
            key = (position_key(position), code.casefold())
            if key in seen:
                fail(
                    "code",
                    N_("The product {code} of this job position is already on line {other}."),
                    code=code,
                    other=str(seen[key]),
                )
            else:
                seen[key] = line
                products.append(Product(line, position, code, title, points))
        problems += found
    if problems:
        raise RosterError(problems[:MAX_PROBLEMS], len(problems))
    return products


def _points(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if 0 < value <= MAX_POINTS else None


# -- versions ------------------------------------------------------------------------


def version_in_force(session: Session, organization_id: int, day: date) -> CatalogueVersion | None:
    """The catalogue in force on `day`: the latest version effective on or before it."""
    return session.exec(
        select(CatalogueVersion)
        .where(
            CatalogueVersion.organization_id == organization_id,
            CatalogueVersion.effective <= day,
        )
        .order_by(col(CatalogueVersion.effective).desc())
        .limit(1)
    ).first()


def versions(session: Session, organization_id: int) -> list[CatalogueVersion]:
    return list(
        session.exec(
            select(CatalogueVersion)
            .where(CatalogueVersion.organization_id == organization_id)
            .order_by(col(CatalogueVersion.effective))
        )
    )


def items_of(session: Session, version_id: int, position: str | None = None) -> list[CatalogueItem]:
    """The products of a version (of one job position, any case or diacritics), by
    position then code."""
    query = select(CatalogueItem).where(CatalogueItem.version_id == version_id)
    if position is not None:
        wanted = position_key(position)
        names = session.exec(
            select(CatalogueItem.job_position)
            .where(CatalogueItem.version_id == version_id)
            .distinct()
        ).all()
        query = query.where(
            col(CatalogueItem.job_position).in_([n for n in names if position_key(n) == wanted])
        )
    return list(
        session.exec(query.order_by(col(CatalogueItem.job_position), col(CatalogueItem.id)))
    )


def compare(
    session: Session, organization: Organization, products: Sequence[Product], effective: date
) -> CatalogueChanges:
    """What importing `products` as the version of `effective` would change."""
    version = session.exec(
        select(CatalogueVersion).where(
            CatalogueVersion.organization_id == organization.id,
            CatalogueVersion.effective == effective,
        )
    ).first()
    changes = CatalogueChanges(effective, version, new_version=version is None)
    existing = {}
    if version is not None:
        existing = {
            (position_key(i.job_position), i.code.casefold()): i
            for i in items_of(session, version.id)
        }
    for product in products:
        item = existing.pop((position_key(product.job_position), product.code.casefold()), None)
        if item is None:
            changes.added.append(product)
        elif (item.job_position, item.code, item.title, item.points) != (
            product.job_position,
            product.code,
            product.title,
            product.points,
        ):
            changes.changed.append(product)
        else:
            changes.unchanged += 1
    changes.removed = list(existing.values())
    return changes


def import_catalogue(
    session: Session,
    organization: Organization,
    products: Sequence[Product],
    effective: date,
    source: str,
    now: datetime,
    imported_by: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CatalogueChanges:
    """Record `products` as the catalogue version of `effective` (created, or updated in
    place); nothing is committed here. Returns what changed."""
    changes = compare(session, organization, products, effective)
    if changes.version is None:
        changes.version = CatalogueVersion(
            organization_id=organization.id,
            effective=effective,
            source=source,
            imported_at=now,
            imported_by=imported_by,
        )
        session.add(changes.version)
        session.flush()
    elif changes.changes:
        changes.version.source, changes.version.imported_at = source, now
        changes.version.imported_by = imported_by
    version_id = changes.version.id
    items = {}
    if changes.changed:
        items = {
            (position_key(i.job_position), i.code.casefold()): i
            for i in items_of(session, version_id)
        }
    total = len(changes.added) + len(changes.changed)
    done = 0
    new = []
    for product in changes.added:
        new.append(
            {
                "version_id": version_id,
                "job_position": product.job_position,
                "code": product.code,
                "title": product.title,
                "points": product.points,
                "factor": product.factor,
            }
        )
    for start in range(0, len(new), PROGRESS_EVERY):
        chunk = new[start : start + PROGRESS_EVERY]
        session.bulk_insert_mappings(CatalogueItem, chunk)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    for product in changes.changed:
        item = items[(position_key(product.job_position), product.code.casefold())]
        item.job_position, item.code, item.title = product.job_position, product.code, product.title
        item.points, item.factor = product.points, product.factor
        session.add(item)
        done += 1
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    if changes.removed:
        gone = [i.id for i in changes.removed]
        # the tasks of a removed product keep their title and factor, no longer its product
        session.execute(
            update(Task).where(col(Task.catalogue_item_id).in_(gone)).values(catalogue_item_id=None)
        )
        for item in changes.removed:
            session.delete(item)
    session.flush()
    return changes


# -- search ----------------------------------------------------------------------------


def search(
    session: Session,
    organization_id: int,
    position: str | None,
    words: str,
    day: date,
    limit: int = SEARCH_LIMIT,
) -> list[CatalogueItem]:
    """The products of `position` in the catalogue in force on `day` that match `words`
    (any case, with or without diacritics; in the name or the code): those with every
    word, each a word of theirs or the start of one, in the catalogue's order; at most
    `limit`."""
    version = version_in_force(session, organization_id, day)
    if version is None:
        return []
    return match(items_of(session, version.id, position), words, limit)


def match(
    items: Sequence[CatalogueItem], words: str, limit: int = SEARCH_LIMIT
) -> list[CatalogueItem]:
    """`search` among `items`."""
    wanted = _key(words).split()
    if not wanted:
        return list(items[:limit])
    found = []
    for item in items:
        text = f" {_key(item.title)} {_key(item.code)} "
        if all(f" {w}" in text for w in wanted):  # each a word, or the start of one
            found.append(item)
            if len(found) == limit:
                break
    return found


def people_without_products(
    session: Session, organization_id: int, products: Sequence[Product]
) -> list[str]:
    """The ids of the organization's active people who have a job position that none of
    `products` is of (people without a job position are not counted)."""
    covered = {position_key(p.job_position) for p in products}
    people = session.exec(
        select(Person.code, Person.job_position).where(
            Person.organization_id == organization_id,
            Person.active == True,  # noqa: E712 - SQL, not Python
            col(Person.job_position).is_not(None),
        )
    ).all()
    return sorted(code for code, position in people if position_key(position) not in covered)
