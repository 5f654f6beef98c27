"""The import of period scores a previous agency sent after a transfer
(`python -m bot admin import-scores`): they count in the year's mean (RULES.md rule 8).

The file (CSV or .xlsx) has a header naming its columns (English or Vietnamese): id (mã),
period (kỳ: 2026-03, 03/2026 or 2026-Q1), score (điểm: 0-100, a decimal comma or point),
agency (cơ quan: the previous agency) and, optionally, document (văn bản) and full name
(họ và tên, which must then be the id's person's name).

All or nothing: every line is checked before anything is written; a file with a bad line
changes nothing, and each problem names its line and column. A score already recorded for
the person and period is replaced (audited with the value before); the same value again
changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.texts import Term
from locales import N_
from storage.audit import audit
from storage.models import ExternalScore, Organization, Person
from storage.roster import MAX_PROBLEMS, Problem, RosterError, _aliases
from storage.tables import Line, Table, read_table
from storage.year import record_external

FIRST_YEAR = 2026  # period scores exist from NĐ 335 on (months of 2026)
MAX_TEXT = 200

TABLE = Table(
    aliases=_aliases(
        {
            "id": ("id", "mã", "mã số", "mã cán bộ", "code", "person id"),
            "full_name": ("full_name", "full name", "name", "họ và tên", "họ tên"),
            "period": ("period", "kỳ", "kỳ đánh giá", "tháng", "month", "quarter", "quý"),
            "score": ("score", "điểm", "tổng điểm", "points"),
            "agency": ("agency", "cơ quan", "cơ quan cũ", "đơn vị cũ", "previous agency"),
            "document": ("document", "văn bản", "số văn bản", "công văn"),
        }
    ),
    labels={
        "id": Term(N_("id")),
        "full_name": Term(N_("full name")),
        "period": Term(N_("period")),
        "score": Term(N_("score")),
        "agency": Term(N_("agency")),
        "document": Term(N_("document")),
    },
    required=("id", "period", "score", "agency"),
    missing=N_(
        "The header (the first line) lacks the columns: {columns}. The columns are id, "
        "period, score, agency and, optionally, document and full name."
    ),
)

_MONTH = re.compile(r"(\d{4})-(\d{1,2})|(\d{1,2})/(\d{4})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")


@dataclass(frozen=True)
class Score:
    line: int
    person: Person
    period: str  # "2026-03" or "2026-Q1"
    score: float
    agency: str
    document: str | None
    existing: ExternalScore | None

    @property
    def changes(self) -> bool:
        old = self.existing
        return old is None or (old.score, old.agency, old.document) != (
            self.score,
            self.agency,
            self.document,
        )


def read_scores(path) -> list[Line]:
    return read_table(path, TABLE)


def check_scores(session: Session, organization: Organization, lines: list[Line]) -> list[Score]:
    """Every line checked; raises RosterError with every problem when any is wrong."""
    people = {
        p.code: p
        for p in session.exec(select(Person).where(Person.organization_id == organization.id))
    }
    recorded = {
        (e.person_id, e.period_code): e
        for e in session.exec(
            select(ExternalScore).where(
                col(ExternalScore.person_id).in_([p.id for p in people.values()])
            )
        )
    }
    problems: list[Problem] = []
    checked: list[Score] = []
    seen: dict[tuple[str, str], int] = {}
    for line, values, labels in lines:
        found: list[Problem] = []

        def fail(column: str, message: str, /, **params: Any) -> None:
            found.append(Problem(message, params, line, labels.get(column)))  # noqa: B023

        item = _check(line, values, people, fail)
        if item is not None:
            key = (item.person.code, item.period)
            if key in seen:
                fail(
                    "period",
                    N_("The same person and period are already on line {other}."),
                    other=str(seen[key]),
                )
            else:
                seen[key] = line
                checked.append(replace(item, existing=recorded.get((item.person.id, item.period))))
        problems += found
    if problems:
        raise RosterError(problems[:MAX_PROBLEMS], len(problems))
    return checked


def _check(
    line: int, values: dict[str, str], people: dict[str, Person], fail: Callable[..., None]
) -> Score | None:
    errors = 0

    def problem(column: str, message: str, /, **params: Any) -> None:
        nonlocal errors
        errors += 1
        fail(column, message, **params)

    code = values.get("id", "").strip()
    person = people.get(code)
    if not code:
        problem("id", N_("The id is empty."))
    elif person is None:
        problem("id", N_("No person of the organization has the id “{value}”."), value=code)
    name = values.get("full_name", "").strip()
    if person is not None and name and _norm(name) != _norm(person.full_name):
        problem(
            "full_name",
            N_("“{value}” is not the name of {id} ({name})."),
            value=name,
            id=code,
            name=person.full_name,
        )
    period = _period(values.get("period", ""))
    if period is None:
        problem(
            "period",
            N_(
                "“{value}” is not a period: write a month 2026-03 or 03/2026, or a quarter 2026-Q1."
            ),
            value=values.get("period", ""),
        )
    score = _score(values.get("score", ""))
    if score is None:
        problem(
            "score", N_("“{value}” is not a score from 0 to 100."), value=values.get("score", "")
        )
    agency = " ".join(values.get("agency", "").split())
    if not agency:
        problem("agency", N_("The previous agency is empty."))
    elif len(agency) > MAX_TEXT:
        problem("agency", N_("The agency is longer than {limit} characters."), limit=MAX_TEXT)
    document = " ".join(values.get("document", "").split()) or None
    if document and len(document) > MAX_TEXT:
        problem("document", N_("The document is longer than {limit} characters."), limit=MAX_TEXT)
    if errors:
        return None
    return Score(line, person, period, score, agency, document, None)


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _period(text: str) -> str | None:
    text = text.strip()
    if match := _QUARTER.fullmatch(text):
        year, quarter = int(match[1]), int(match[2])
        return f"{year}-Q{quarter}" if year >= FIRST_YEAR else None
    if match := _MONTH.fullmatch(text):
        year, month = (int(match[1]), int(match[2])) if match[1] else (int(match[4]), int(match[3]))
        return f"{year}-{month:02d}" if year >= FIRST_YEAR and 1 <= month <= 12 else None
    return None


def _score(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def import_scores(
    session: Session,
    checked: list[Score],
    now: datetime,
    source: str,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Record the scores that change something, each audited (the system as the actor,
    `source` — the file and its line — as the reason); how many were recorded. `progress`
    is told (done, total) as the lines go."""
    count = 0
    for done, item in enumerate(checked, 1):
        if progress is not None:
            progress(done, len(checked))
        if not item.changes:
            continue
        before = item.existing.score if item.existing else None
        entry = record_external(
            session, item.person, item.period, item.score, item.agency, item.document, now
        )
        audit(
            session,
            None,
            "external_score",
            entry.id,
            "score",
            before,
            item.score,
            reason=f"{source}:{item.line}",
            at=now,
        )
        count += 1
    return count
