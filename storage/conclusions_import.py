"""The import of discipline decisions and conclusions from CSV or Excel
(`python -m bot admin import-conclusions`).

The file has a header line naming its columns (English or Vietnamese, any case, with or
without diacritics): id (mã), kind (loại), form (hình thức), date (ngày), source (nguồn),
violation (hành vi vi phạm), public duty (trong thi hành công vụ), number (số quyết
định) and note (ghi chú); optionally the full name (họ và tên), which must then be the
name of the id's person. id, date and number are required, and kind or form (a line with
a form and no kind is a discipline decision).

All or nothing, as the roster: every line is checked (against the organization's people
and what is already recorded) before anything is written, and a file with a bad line
records nothing; each problem has its line and column. An entry already recorded (same
person, kind, source and number, same content) is left as it is; one with the same
number and other content is a problem: entries are never overwritten.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from core.texts import Term
from locales import N_
from storage.conclusions import (
    CONCLUSION_KINDS,
    DISCIPLINE,
    EARLIEST,
    FORMS,
    LEADERS_ONLY,
    MAX_NOTE,
    MAX_NUMBER,
    MAX_VIOLATION,
    Entry,
    entries_of_people,
    parse_date,
    record,
    same_content,
    same_key,
)
from storage.models import Conclusion, DisciplineDecision, Organization, Person, Role
from storage.roster import (
    MAX_ID_LENGTH,
    MAX_KEYWORD_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PROBLEMS,
    PROGRESS_EVERY,
    Problem,
    RosterError,
    _aliases,
    _key,
)
from storage.tables import Line, Table, parse_table, read_table

FIELDS = (
    "id",
    "full_name",
    "kind",
    "form",
    "date",
    "source",
    "violation",
    "public_duty",
    "number",
    "note",
)
REQUIRED = ("id", "date", "number")  # and kind or form

MAX_LENGTHS = {
    "id": (MAX_ID_LENGTH, N_("The id is longer than {limit} characters.")),
    "full_name": (MAX_NAME_LENGTH, N_("The full name is longer than {limit} characters.")),
    "kind": (100, N_("The kind is longer than {limit} characters.")),
    "form": (MAX_KEYWORD_LENGTH, N_("The form is longer than {limit} characters.")),
    "date": (MAX_KEYWORD_LENGTH, N_("The date is longer than {limit} characters.")),
    "source": (MAX_KEYWORD_LENGTH, N_("The source is longer than {limit} characters.")),
    "violation": (MAX_VIOLATION, N_("The violation is longer than {limit} characters.")),
    "public_duty": (MAX_KEYWORD_LENGTH, N_("The public duty is longer than {limit} characters.")),
    "number": (MAX_NUMBER, N_("The number is longer than {limit} characters.")),
    "note": (MAX_NOTE, N_("The note is longer than {limit} characters.")),
}

FIELD_LABELS = {
    "id": Term(N_("id")),
    "full_name": Term(N_("full name")),
    "kind": Term(N_("kind")),
    "form": Term(N_("form")),
    "date": Term(N_("date")),
    "source": Term(N_("source")),
    "violation": Term(N_("violation")),
    "public_duty": Term(N_("public duty")),
    "number": Term(N_("number")),
    "note": Term(N_("note")),
}

HEADER_ALIASES = _aliases(
    {
        "id": ("id", "mã", "mã số", "mã cán bộ", "mã nhân viên", "code", "person id"),
        "full_name": ("full_name", "full name", "name", "họ và tên", "họ tên", "tên"),
        "kind": ("kind", "type", "loại", "loại kết luận", "loại văn bản", "nội dung"),
        "form": ("form", "hình thức", "hình thức kỷ luật"),
        "date": (
            "date",
            "ngày",
            "ngày quyết định",
            "ngày kết luận",
            "ngày ban hành",
            "ngày ký",
        ),
        "source": ("source", "nguồn", "cấp kỷ luật", "loại kỷ luật"),
        "violation": ("violation", "hành vi vi phạm", "hành vi", "vi phạm"),
        "public_duty": (
            "public duty",
            "public_duty",
            "trong thi hành công vụ",
            "thi hành công vụ",
            "công vụ",
            "liên quan đến hoạt động công vụ",
            "liên quan đến công vụ",
        ),
        "number": (
            "number",
            "decision number",
            "reference",
            "số",
            "số quyết định",
            "số văn bản",
            "số hiệu",
            "số hiệu văn bản",
            "số kết luận",
            "số, ký hiệu",
        ),
        "note": ("note", "notes", "ghi chú"),
    }
)

KIND_ALIASES = _aliases(
    {
        DISCIPLINE: ("discipline", "kỷ luật", "quyết định kỷ luật"),
        "degeneration": (
            "degeneration",
            "suy thoái",
            "suy thoái tư tưởng chính trị đạo đức lối sống",
            "suy thoái tự diễn biến tự chuyển hóa",
            "tự diễn biến tự chuyển hóa",
        ),
        "party_prohibition": (
            "party_prohibition",
            "party prohibition",
            "vi phạm điều đảng viên không được làm",
            "vi phạm những điều đảng viên không được làm",
            "điều đảng viên không được làm",
        ),
        "example_violation": (
            "example_violation",
            "example violation",
            "nêu gương",
            "vi phạm nêu gương",
            "vi phạm trách nhiệm nêu gương",
        ),
        "unit_corruption": (
            "unit_corruption",
            "unit corruption",
            "tham nhũng",
            "tham nhũng trong đơn vị",
            "tham ô tham nhũng lãng phí",
            "để xảy ra tham ô tham nhũng lãng phí",
            "tham ô tham nhũng lãng phí trong đơn vị",
        ),
    }
)

FORM_ALIASES = _aliases(
    {
        "reprimand": ("reprimand", "khiển trách"),
        "warning": ("warning", "cảnh cáo"),
        "salary_downgrade": ("salary_downgrade", "salary downgrade", "hạ bậc lương"),
        "demotion": ("demotion", "giáng chức"),
        "dismissal_from_post": ("dismissal_from_post", "dismissal from post", "cách chức"),
        "dismissal": ("dismissal", "buộc thôi việc"),
        "expulsion": ("expulsion", "khai trừ", "khai trừ khỏi đảng", "khai trừ ra khỏi đảng"),
    }
)

SOURCE_ALIASES = _aliases(
    {
        "admin": ("admin", "administrative", "hành chính", "kỷ luật hành chính", "chính quyền"),
        "party": ("party", "đảng", "kỷ luật đảng"),
    }
)

YES_NO = _aliases(
    {
        "yes": ("yes", "y", "true", "1", "x", "có", "phải"),
        "no": ("no", "n", "false", "0", "không", "ngoài công vụ"),
    }
)


def _same_name(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split()).casefold()

    return norm(a) == norm(b)


def _one_line(text: str) -> str:
    return " ".join(text.split())


NOT_A_FORM_OF = {
    "admin": N_(
        "“{value}” is not a form of administrative discipline: use reprimand, warning, "
        "salary_downgrade, demotion, dismissal_from_post or dismissal."
    ),
    "party": N_(
        "“{value}” is not a form of Party discipline: use reprimand, warning, "
        "dismissal_from_post or expulsion."
    ),
}


class ConclusionsError(RosterError):
    """The file cannot be imported; nothing of it was (as `RosterError`)."""


@dataclass(frozen=True)
class CheckedLine:
    """A line of the file, checked: the entry to record (not yet in the database), its
    person, and the same entry when it is recorded already."""

    line: int
    entry: Entry
    person: Person
    existing: Entry | None


@dataclass
class ImportSummary:
    rows: int = 0
    recorded: list[tuple[Entry, Person]] = field(default_factory=list)
    unchanged: int = 0


# -- reading and checking ----------------------------------------------------------------


TABLE = Table(
    aliases=HEADER_ALIASES,
    labels=FIELD_LABELS,
    required=REQUIRED,
    one_of=("kind", "form"),
    missing=N_(
        "The header (the first line) lacks the columns: {columns}. The columns "
        "are id, kind, form, date, source, violation, public duty, number, "
        "note and, optionally, full name."
    ),
    error=ConclusionsError,
)


def read_lines(path: str | Path) -> list[Line]:
    """The lines of the file at `path` (CSV or .xlsx): (line, values by field, the header's
    name of each field's column). Raises ConclusionsError when the file cannot be read, or
    its header lacks columns."""
    return read_table(path, TABLE)


def parse_lines(data: bytes, filename: str = "") -> list[Line]:
    """`read_lines` of a file given as bytes."""
    return parse_table(data, filename, TABLE)


def check_lines(
    session: Session,
    organization: Organization,
    lines: Sequence[Line],
    today: date,
) -> list[CheckedLine]:
    """Every line checked against the organization's people and its entries in force;
    raises ConclusionsError with every problem (line and column) when any line is wrong."""
    people = {
        p.code: p
        for p in session.exec(select(Person).where(Person.organization_id == organization.id))
    }
    recorded = {same_key(e): e for e in entries_of_people(session, [p.id for p in people.values()])}
    problems: list[Problem] = []
    checked: list[CheckedLine] = []
    first_line: dict[tuple, int] = {}
    for line, values, labels in lines:
        found: list[Problem] = []

        def problem(column: str, message: str, /, **params: Any) -> None:
            found.append(Problem(message, params, line, labels.get(column)))  # noqa: B023

        entry, person = _check_line(values, people, today, problem)
        if found or entry is None:
            problems.extend(found)
            continue
        key = same_key(entry)
        if key in first_line:
            problem(
                "number",
                N_("The same entry is already on line {other}."),
                other=str(first_line[key]),
            )
            problems.extend(found)
            continue
        first_line[key] = line
        existing = recorded.get(key)
        if existing is not None and not same_content(existing, entry):
            problem(
                "number",
                N_(
                    "“{number}” is already recorded for {name} with other details; an entry is "
                    "never overwritten: the director removes the wrong one (/conclusions), then "
                    "import again."
                ),
                number=entry.number,
                name=person.full_name,
            )
            problems.extend(found)
            continue
        checked.append(CheckedLine(line, entry, person, existing))
    if problems:
        raise ConclusionsError(problems[:MAX_PROBLEMS], len(problems))
    return checked


def _check_line(
    values: dict[str, str],
    people: dict[str, Person],
    today: date,
    problem: Callable[..., None],
) -> tuple[Entry | None, Person | None]:
    """The entry of one line, or None after reporting its problems through `problem`."""
    count = 0

    def fail(column: str, message: str, /, **params: Any) -> None:
        nonlocal count
        count += 1
        problem(column, message, **params)

    too_long = set()
    for name, (limit, message) in MAX_LENGTHS.items():
        if name in values and len(_one_line(values[name])) > limit:
            fail(name, message, limit=limit)
            too_long.add(name)
    value = {name: _one_line(v) for name, v in values.items() if name not in too_long}
    for name in REQUIRED:
        if name in value and not value[name]:
            fail(name, N_("The {field} is missing."), field=FIELD_LABELS[name])

    person = None
    if value.get("id"):
        person = people.get(value["id"])
        if person is None:
            fail(
                "id",
                N_("No person of the organization has the id “{value}”."),
                value=value["id"],
            )
        elif value.get("full_name") and not _same_name(value["full_name"], person.full_name):
            fail(
                "full_name",
                N_("The id “{id}” is {name}, not “{value}”."),
                id=value["id"],
                name=person.full_name,
                value=value["full_name"],
            )

    form = FORM_ALIASES.get(_key(value.get("form", ""))) if value.get("form") else None
    if value.get("form") and form is None:
        fail(
            "form",
            N_(
                "Unknown form “{value}”: use reprimand, warning, salary_downgrade, demotion, "
                "dismissal_from_post, dismissal or expulsion."
            ),
            value=value["form"],
        )
    kind = None
    if value.get("kind"):
        kind = KIND_ALIASES.get(_key(value["kind"]))
        if kind is None:
            fail(
                "kind",
                N_(
                    "Unknown kind “{value}”: use discipline, degeneration, party_prohibition, "
                    "example_violation or unit_corruption."
                ),
                value=value["kind"],
            )
    elif "kind" not in too_long:
        if value.get("form"):
            kind = DISCIPLINE  # a form says it is a discipline decision
        else:
            fail("kind", N_("The {field} is missing."), field=FIELD_LABELS["kind"])

    source = public_duty = None
    if kind == DISCIPLINE:
        if value.get("source"):
            source = SOURCE_ALIASES.get(_key(value["source"]))
            if source is None:
                fail(
                    "source",
                    N_("Unknown source “{value}”: use admin or party."),
                    value=value["source"],
                )
        elif "source" not in too_long:
            source = "party" if form == "expulsion" else "admin"
        if not value.get("form") and "form" not in too_long:
            fail("form", N_("The {field} is missing."), field=FIELD_LABELS["form"])
        if form is not None and source is not None and form not in FORMS[source]:
            fail("form", NOT_A_FORM_OF[source], value=value["form"])
        public_duty = True  # the usual case, and the core's default
        if value.get("public_duty"):
            answer = YES_NO.get(_key(value["public_duty"]))
            if answer is None:
                fail(
                    "public_duty",
                    N_("“{value}” is neither yes nor no: use yes or no."),
                    value=value["public_duty"],
                )
            public_duty = answer == "yes"
    elif kind in CONCLUSION_KINDS:
        if value.get("form"):
            fail(
                "form",
                N_("Only a discipline decision has a form; the kind of this line is “{value}”."),
                value=value["kind"],
            )
        if kind in LEADERS_ONLY and person is not None and person.role is Role.STAFF:
            fail(
                "kind",
                N_("“{value}” applies to leaders only; {name} is not a head, deputy or director."),
                value=value["kind"],
                name=person.full_name,
            )

    dated = None
    if value.get("date"):
        dated = parse_date(value["date"])
        if dated is None:
            fail(
                "date",
                N_("“{value}” is not a date: write it dd/mm/yyyy or YYYY-MM-DD."),
                value=value["date"],
            )
        elif not EARLIEST <= dated <= today:
            fail(
                "date",
                N_("The date {date} is not between {earliest} and today ({today})."),
                date=dated,
                earliest=EARLIEST,
                today=today,
            )
    if count or person is None or kind is None or dated is None:
        return None, None
    note = value.get("note") or None
    if kind == DISCIPLINE:
        entry: Entry = DisciplineDecision(
            person_id=person.id,
            form=form,
            dated=dated,
            source=source,
            violation=value.get("violation") or None,
            public_duty=public_duty,
            number=value["number"],
            note=note,
        )
    else:
        entry = Conclusion(
            person_id=person.id, kind=kind, dated=dated, number=value["number"], note=note
        )
    return entry, person


# -- recording ---------------------------------------------------------------------------


def import_lines(
    session: Session,
    checked: Sequence[CheckedLine],
    now,
    reason: str,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Record the new entries of `checked` (by `check_lines`), each audited as the system
    with `reason` and its line ("import-conclusions file.csv, line 3"). Nothing is
    committed here: the caller's transaction makes the import whole or nothing."""
    summary = ImportSummary(rows=len(checked))
    for done, item in enumerate(checked, 1):
        if item.existing is not None:
            summary.unchanged += 1
        else:
            record(session, item.entry, None, now, reason=f"{reason}, line {item.line}")
            summary.recorded.append((item.entry, item.person))
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(checked)):
            progress(done, len(checked))
    return summary
