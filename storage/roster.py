"""The roster (danh sách cán bộ): people imported into an organization from CSV or Excel.

The file has a header line naming its columns (English or Vietnamese, any case, with or
without diacritics): id (mã), full name (họ và tên), unit (đơn vị), group (nhóm), role
(chức vụ), category (loại) and, optionally, language (ngôn ngữ) and job position (vị trí
việc làm). Units and groups are created from their names; people are matched by id within
the organization: the new are created, the known updated, and those missing from the file
left as they are.

All or nothing: every row is checked before anything is written, and a file with a bad
row imports nothing. Problems are returned as data (an English msgid, its parameters,
the line and the column), and the caller renders them in the reader's language.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from core.texts import Term
from locales import N_
from storage.models import Category, Organization, Person, Role, RoleGroup, Unit

MAX_PROBLEMS = 20  # more would drown the first ones; the rest are only counted
MAX_ID_LENGTH = 32
MAX_NAME_LENGTH = 100  # the longest Vietnamese names have some 40 characters
MAX_UNIT_NAME_LENGTH = 150  # "Trung tâm ... thuộc Sở ... tỉnh ..." fits
MAX_JOB_POSITION_LENGTH = 150  # a person's, and a catalogue product's (storage.catalogue)
MAX_KEYWORD_LENGTH = 50  # role, category, language: the longest known word has 20
MAX_CODE_LENGTH = 64  # of a unit or group code derived from its name
PROGRESS_EVERY = 200  # rows between two progress reports while writing
HEADER_SEARCH = 10  # lines in which to look for the header, below a title
HEADER_MIN_KNOWN = 3  # column names that make a line the header

FIELDS = ("id", "full_name", "unit", "group", "role", "category", "language", "job_position")
REQUIRED = ("id", "full_name", "unit", "group", "role", "category")

# The longest value of each column, and the refusal of a longer one. A longer value is
# not shown back: it may be a whole file pasted into one cell.
MAX_LENGTHS = {
    "id": (MAX_ID_LENGTH, N_("The id is longer than {limit} characters.")),
    "full_name": (MAX_NAME_LENGTH, N_("The full name is longer than {limit} characters.")),
    "unit": (MAX_UNIT_NAME_LENGTH, N_("The name is longer than {limit} characters.")),
    "group": (MAX_UNIT_NAME_LENGTH, N_("The name is longer than {limit} characters.")),
    "role": (MAX_KEYWORD_LENGTH, N_("The role is longer than {limit} characters.")),
    "category": (MAX_KEYWORD_LENGTH, N_("The category is longer than {limit} characters.")),
    "language": (MAX_KEYWORD_LENGTH, N_("The language is longer than {limit} characters.")),
    "job_position": (
        MAX_JOB_POSITION_LENGTH,
        N_("The job position is longer than {limit} characters."),
    ),
}

# What each column is called in messages (translated with the message).
FIELD_LABELS = {
    "id": Term(N_("id")),
    "full_name": Term(N_("full name")),
    "unit": Term(N_("unit")),
    "group": Term(N_("group")),
    "role": Term(N_("role")),
    "category": Term(N_("category")),
    "language": Term(N_("language")),
    "job_position": Term(N_("job position")),
}


def _key(text: str) -> str:
    """`text` lower-cased without diacritics, words separated by one space:
    "Họ và TÊN" -> "ho va ten", "full_name" -> "full name", "Đơn vị" -> "don vi"."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def slugify(name: str) -> str:
    """A code for a unit or group from its Vietnamese name, without diacritics:
    "Phòng Tổ chức cán bộ" -> "phong-to-chuc-can-bo"."""
    return _key(name).replace(" ", "-")[:MAX_CODE_LENGTH].strip("-")


def _aliases(table: dict[str, Iterable[str]]) -> dict[str, str]:
    return {_key(alias): value for value, aliases in table.items() for alias in aliases}


HEADER_ALIASES = _aliases(
    {
        "id": ("id", "mã", "mã số", "mã cán bộ", "mã nhân viên", "code"),
        "full_name": ("full_name", "full name", "name", "họ và tên", "họ tên", "tên"),
        "unit": ("unit", "đơn vị", "phòng", "phòng ban", "đơn vị công tác"),
        "group": ("group", "nhóm", "nhóm chức danh", "role group"),
        "role": ("role", "chức vụ", "vai trò", "chức danh"),
        "category": ("category", "loại", "đối tượng", "loại cán bộ"),
        "language": ("language", "ngôn ngữ", "lang"),
        "job_position": ("job_position", "job position", "vị trí việc làm", "vị trí"),
    }
)

ROLE_ALIASES = _aliases(
    {
        Role.STAFF: (
            "staff",
            "chuyên viên",
            "chuyên viên chính",
            "chuyên viên cao cấp",
            "thanh tra viên",
            "thanh tra viên chính",
            "cán sự",
            "nhân viên",
        ),
        Role.DEPUTY: (
            "deputy",
            "phó phòng",
            "phó trưởng phòng",
            "phó chánh văn phòng",
            "phó chánh thanh tra",
            "phó trưởng ban",
            "phó giám đốc",
            "phó giám đốc sở",
        ),
        Role.HEAD: (
            "head",
            "trưởng phòng",
            "chánh văn phòng",
            "chánh thanh tra",
            "trưởng ban",
        ),
        Role.DIRECTOR: ("director", "giám đốc", "giám đốc sở"),
    }
)

CATEGORY_ALIASES = _aliases(
    {
        Category.CIVIL_SERVANT: ("civil_servant", "civil servant", "công chức"),
        Category.PUBLIC_EMPLOYEE: ("public_employee", "public employee", "viên chức"),
        Category.CONTRACT_WORKER: (
            "contract_worker",
            "contract worker",
            "người lao động",
            "lao động hợp đồng",
            "hợp đồng lao động",
        ),
    }
)

LANGUAGE_ALIASES = _aliases(
    {
        "vi": ("vi", "vie", "tiếng việt", "vietnamese"),
        "en": ("en", "eng", "tiếng anh", "english"),
    }
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a roster: an English msgid and its parameters, and where.

    `line` is the line of the file (the header is line 1) or the row of the sheet;
    `column` the column's header as the file writes it. Both are None for the file as a
    whole.
    """

    message: str
    params: dict[str, Any] = field(default_factory=dict)
    line: int | None = None
    column: str | None = None


class RosterError(Exception):
    """The roster cannot be imported; nothing of it was. `problems` holds the first
    MAX_PROBLEMS problems, `total` counts them all."""

    def __init__(self, problems: Sequence[Problem], total: int | None = None) -> None:
        super().__init__("; ".join(p.message.format(**p.params) for p in problems[:3]))
        self.problems = tuple(problems)
        self.total = len(problems) if total is None else total


@dataclass(frozen=True)
class RosterRow:
    """A checked row. `language` is None when the file does not give one."""

    line: int
    code: str
    full_name: str
    unit: str
    group: str
    role: Role
    category: Category
    language: str | None
    job_position: str | None = None  # None: the file has no such column or cell


@dataclass
class ImportSummary:
    """What an import did. `not_in_file` lists the organization's people the file does
    not name: they were left unchanged (neither removed nor deactivated)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    units_created: list[str] = field(default_factory=list)
    groups_created: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)


# -- reading -------------------------------------------------------------------------


def read_roster(path: str | Path) -> list[RosterRow]:
    """The checked rows of the roster file at `path` (CSV or .xlsx).

    Raises RosterError with every problem found (line numbers included) if the file
    cannot be read or any row is wrong.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RosterError([Problem(N_("File not found: {path}"), {"path": str(path)})]) from None
    except OSError as exc:
        raise RosterError(
            [
                Problem(
                    N_("Cannot read the file {path}: {error}"),
                    {"path": str(path), "error": exc.strerror or str(exc)},
                )
            ]
        ) from None
    return parse_roster(data, path.name)


def parse_roster(data: bytes, filename: str = "") -> list[RosterRow]:
    """The checked rows of a roster given as bytes (an upload, say); `filename` only
    helps to tell an Excel file that is broken. See `read_roster`."""
    return _check(_records(data, filename))


def _records(
    data: bytes, filename: str, known: Callable[[list[str]], int] | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every record of the file, blank ones included. `known` counts the
    cells of a line that name a column (the roster's by default), to find a CSV's separator;
    the import of conclusions reads its files with its own."""
    name = filename.lower()
    if data.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        return _xlsx_records(data)
    if data.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise RosterError(
            [Problem(N_("This is an old Excel .xls file: save it as .xlsx or as CSV UTF-8."))]
        )
    return _csv_records(data, known or _known_columns)


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # only Excel imports pay for it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        book.close()
    except Exception:  # openpyxl raises anything from zipfile, XML or KeyError
        raise RosterError(
            [Problem(N_("The file is not a valid Excel (.xlsx) workbook."))]
        ) from None
    # empty rows come too (as empty tuples), so the numbers are the sheet's row numbers
    return iter([(number, [_cell_text(v) for v in row]) for number, row in enumerate(rows, 1)])


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an id typed as a number: 12, not 12.0
    return _clean(str(value))


def _clean(text: str) -> str:
    # NFC: names typed on a Mac arrive decomposed and would not match the same name
    return unicodedata.normalize("NFC", text).strip().strip("\u200b\ufeff").strip()


def _csv_records(data: bytes, known: Callable[[list[str]], int]) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(
            [Problem(N_("The file is not UTF-8 text: in Excel, save it as CSV UTF-8 or as .xlsx."))]
        ) from None
    if "\x00" in text:
        raise RosterError([Problem(N_("The file is neither a CSV file nor an Excel workbook."))])
    records = []
    previous = 0
    # the csv module refuses a cell over 128 KB ("field larger than field limit"); no cell
    # can be longer than the file, and `_check` refuses every value too long for its column
    with _csv_field_limit(len(text) + 1):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text, known))
        try:
            for cells in reader:
                # a quoted value may span lines: a record starts after the previous one ends
                records.append((previous + 1, [_clean(c) for c in cells]))
                previous = reader.line_num
        except csv.Error as exc:
            raise RosterError(
                [
                    Problem(
                        N_("The CSV file cannot be read: {error}"),
                        {"error": str(exc)},
                        reader.line_num,
                    )
                ]
            ) from None
    return iter(records)


_FIELD_LIMIT_LOCK = threading.Lock()


@contextmanager
def _csv_field_limit(size: int) -> Iterator[None]:
    """The csv module's field size limit raised to at least `size` for the duration.

    The limit is global to the process: it is set back afterwards, and a lock keeps two
    imports from restoring each other's limit too early.
    """
    with _FIELD_LIMIT_LOCK:
        previous = csv.field_size_limit()
        csv.field_size_limit(max(previous, size))
        try:
            yield
        finally:
            csv.field_size_limit(previous)


def _delimiter(text: str, known: Callable[[list[str]], int]) -> str:
    """Comma, semicolon (Excel in Vietnamese saves with ';') or tab: the one that splits
    the header into the most known column names."""
    lines = [line for line in text.splitlines()[: HEADER_SEARCH * 2] if line.strip()]

    def splits(delimiter: str) -> int:
        return max(
            (known(cells) for cells in csv.reader(lines, delimiter=delimiter)),
            default=0,
        )

    return max((",", ";", "\t"), key=splits)  # max keeps the first of equals: ','


def _known_columns(cells: list[str]) -> int:
    return sum(_key(c) in HEADER_ALIASES for c in cells)


# -- checking ------------------------------------------------------------------------


def _check(records: Iterator[tuple[int, list[str]]]) -> list[RosterRow]:
    records = iter([(line, cells) for line, cells in records if any(cells)])  # no blank lines
    # the header is the first line naming columns; a title above it ("DANH SÁCH ...") is skipped
    heading: list[tuple[int, list[str]]] = []
    for line, cells in records:
        heading.append((line, cells))
        if _known_columns(cells) >= HEADER_MIN_KNOWN or len(heading) == HEADER_SEARCH:
            break
    if not heading:
        raise RosterError([Problem(N_("The file is empty."))])
    line, cells = next(
        ((n, c) for n, c in heading if _known_columns(c) >= HEADER_MIN_KNOWN), heading[0]
    )
    columns, labels = _header(line, cells)

    problems: list[Problem] = []
    rows: list[RosterRow] = []
    first_line: dict[str, int] = {}
    for line, cells in records:
        row_problems: list[Problem] = []
        if len(cells) > len(labels) and any(cells[len(labels) :]):
            row_problems.append(
                Problem(
                    N_(
                        "The line has {count} cells but the header has {expected}: a value may "
                        "contain the separator."
                    ),
                    {"count": len(cells), "expected": len(labels)},
                    line,
                )
            )
        values = {name: (cells[i] if i < len(cells) else "") for name, i in columns.items()}

        def problem(name: str, message: str, **params: Any) -> None:
            row_problems.append(Problem(message, params, line, labels[columns[name]]))  # noqa: B023

        too_long = set()  # measured as stored: runs of white space count as one space
        for name, (limit, message) in MAX_LENGTHS.items():
            if name in values and len(" ".join(values[name].split())) > limit:
                problem(name, message, limit=limit)
                too_long.add(name)
        for name in REQUIRED:
            if not values[name]:
                problem(name, N_("The {field} is missing."), field=FIELD_LABELS[name])
        code = values["id"]
        if code and "id" not in too_long:
            if re.search(r"\s", code):
                problem("id", N_("The id “{value}” contains a space."), value=code)
            elif code in first_line:
                problem(
                    "id",
                    N_("The id “{value}” is already on line {other}."),
                    value=code,
                    other=str(first_line[code]),
                )
            else:
                first_line[code] = line
        full_name = " ".join(values["full_name"].split())
        for name in ("unit", "group"):
            if values[name] and name not in too_long and not slugify(values[name]):
                problem(name, N_("The name “{value}” has no letter or digit."), value=values[name])
        role = ROLE_ALIASES.get(_key(values["role"]))
        if values["role"] and role is None and "role" not in too_long:
            problem(
                "role",
                N_("Unknown role “{value}”: use staff, deputy, head or director."),
                value=values["role"],
            )
        category = CATEGORY_ALIASES.get(_key(values["category"]))
        if values["category"] and category is None and "category" not in too_long:
            problem(
                "category",
                N_(
                    "Unknown category “{value}”: use civil_servant, public_employee or "
                    "contract_worker."
                ),
                value=values["category"],
            )
        language = None
        if values.get("language") and "language" not in too_long:
            language = LANGUAGE_ALIASES.get(_key(values["language"]))
            if language is None:
                problem(
                    "language",
                    N_("Unknown language “{value}”: use vi or en."),
                    value=values["language"],
                )

        if row_problems:
            problems.extend(row_problems)
            continue
        rows.append(
            RosterRow(
                line=line,
                code=code,
                full_name=full_name,
                unit=" ".join(values["unit"].split()),
                group=" ".join(values["group"].split()),
                role=Role(role),
                category=Category(category),
                language=language,
                job_position=" ".join(values.get("job_position", "").split()) or None,
            )
        )
    if problems:
        raise RosterError(problems[:MAX_PROBLEMS], len(problems))
    if not rows:
        raise RosterError([Problem(N_("The file has a header but no people."))])
    return rows


def _header(line: int, cells: list[str]) -> tuple[dict[str, int], list[str]]:
    """The position of each known column, and the header's cells as written."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = HEADER_ALIASES.get(_key(cell))
        if name is None:
            continue  # other columns (notes, phone numbers) are ignored
        if name in columns:
            raise RosterError(
                [
                    Problem(
                        N_("Two columns give the {field}: “{first}” and “{second}”."),
                        {
                            "field": FIELD_LABELS[name],
                            "first": cells[columns[name]],
                            "second": cell,
                        },
                        line,
                    )
                ]
            )
        columns[name] = index
    missing = [FIELD_LABELS[name] for name in REQUIRED if name not in columns]
    if missing:
        raise RosterError(
            [
                Problem(
                    N_(
                        "The header (the first line) lacks the columns: {columns}. The columns are "
                        "id, full name, unit, group, role, category and, optionally, language."
                    ),
                    {"columns": missing},
                    line,
                )
            ]
        )
    return columns, cells


# -- importing -----------------------------------------------------------------------


def import_roster(
    session: Session,
    organization: Organization,
    rows: Sequence[RosterRow],
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Create or update the people of `rows` (checked by `read_roster`) in `organization`,
    with their units and groups. Nothing is committed here: the caller's transaction
    makes the import whole or nothing. `progress(done, total)` is called now and then.
    """
    org_id = organization.id
    units = {u.code: u for u in session.exec(select(Unit).where(Unit.organization_id == org_id))}
    groups = {
        g.code: g
        for g in session.exec(select(RoleGroup).where(RoleGroup.organization_id == org_id))
    }
    people = {
        p.code: p for p in session.exec(select(Person).where(Person.organization_id == org_id))
    }
    summary = ImportSummary(rows=len(rows))

    def unit_of(name: str) -> Unit:
        code = slugify(name)
        if code not in units:
            units[code] = Unit(organization_id=org_id, code=code, name=name)
            session.add(units[code])
            session.flush()  # its id, for the people
            summary.units_created.append(name)
        return units[code]

    def group_of(name: str) -> RoleGroup:
        code = slugify(name)
        if code not in groups:
            groups[code] = RoleGroup(organization_id=org_id, code=code, name=name)
            session.add(groups[code])
            session.flush()
            summary.groups_created.append(name)
        return groups[code]

    for done, row in enumerate(rows, 1):
        values = {
            "full_name": row.full_name,
            "unit_id": unit_of(row.unit).id,
            "group_id": group_of(row.group).id,
            "role": row.role,
            "category": row.category,
        }
        person = people.get(row.code)
        if person is None:
            person = Person(
                organization_id=org_id,
                code=row.code,
                language=row.language or "vi",
                job_position=row.job_position,
                **values,
            )
            session.add(person)
            people[row.code] = person
            summary.created += 1
        else:
            if row.language is not None:  # a file without languages keeps the people's
                values["language"] = row.language
            if row.job_position is not None:  # and so without job positions
                values["job_position"] = row.job_position
            changed = {k: v for k, v in values.items() if getattr(person, k) != v}
            for key, value in changed.items():
                setattr(person, key, value)
            if changed:
                summary.updated += 1
            else:
                summary.unchanged += 1
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(rows)):
            progress(done, len(rows))
    session.flush()
    named = {row.code for row in rows}
    summary.not_in_file = sorted(code for code in people if code not in named)
    return summary


def import_roster_file(
    session: Session,
    organization: Organization,
    path: str | Path,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """`read_roster` then `import_roster`: raises RosterError before writing anything."""
    return import_roster(session, organization, read_roster(path), progress)


def find_organization(session: Session, code: str) -> Organization | None:
    return session.exec(select(Organization).where(Organization.code == code)).first()


def ensure_organization(
    session: Session, code: str, name: str | None = None, uses_weights: bool | None = None
) -> tuple[Organization, bool]:
    """The organization `code`, created if missing (named `name`, else its code):
    (organization, created). A given `name` or `uses_weights` updates an existing one."""
    organization = find_organization(session, code)
    created = organization is None
    if organization is None:
        organization = Organization(code=code, name=name or code)
        session.add(organization)
    elif name:
        organization.name = name
    if uses_weights is not None:
        organization.uses_weights = uses_weights
    session.flush()
    return organization, created
