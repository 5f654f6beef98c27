"""Tables read from CSV or Excel with a header line that names their columns: the imports
of the office (discipline and conclusions, period scores from a previous agency, the task
catalogue, the plans). The reading itself (encodings, separators, Excel) is the roster's
(`storage.roster._records`); here, finding the header among the first lines, mapping its
cells to fields by their aliases (any case, with or without diacritics), and the problems
of a header or a line, each with its line and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from locales import N_
from storage.roster import (
    HEADER_MIN_KNOWN,
    HEADER_SEARCH,
    MAX_PROBLEMS,
    Problem,
    RosterError,
    _key,
    _records,
)

# A line of the file: its number, its values by field, and the header's name of each
# field's column (for the problems).
Line = tuple[int, dict[str, str], dict[str, str]]


@dataclass(frozen=True)
class Table:
    """What a kind of file holds: `aliases` maps a header cell (`_key`) to a field,
    `labels` names each field in problems, `required` fields must have a column, and one at
    least of `one_of` (when given); `missing` is the msgid that lists the missing columns
    ({columns}); `error` the RosterError subclass raised."""

    aliases: dict[str, str]
    labels: dict[str, Any]
    required: tuple[str, ...]
    missing: str
    error: type[RosterError] = RosterError
    one_of: tuple[str, ...] = ()

    def known_columns(self, cells: list[str]) -> int:
        return sum(_key(c) in self.aliases for c in cells)


def read_table(path: str | Path, table: Table) -> list[Line]:
    """The lines of the file at `path` (CSV or .xlsx). Raises `table.error` when the file
    cannot be read, its header lacks columns, or it has no line."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise table.error([Problem(N_("File not found: {path}"), {"path": str(path)})]) from None
    except OSError as exc:
        raise table.error(
            [
                Problem(
                    N_("Cannot read the file {path}: {error}"),
                    {"path": str(path), "error": exc.strerror or str(exc)},
                )
            ]
        ) from None
    return parse_table(data, path.name, table)


def parse_table(data: bytes, filename: str, table: Table) -> list[Line]:
    """`read_table` of a file given as bytes."""
    try:
        records = _records(data, filename, table.known_columns)
    except RosterError as error:  # the reading is the roster's: the same words
        raise table.error(error.problems, error.total) from None
    return _lines(records, table)


def _lines(records: Iterator[tuple[int, list[str]]], table: Table) -> list[Line]:
    records = iter([(line, cells) for line, cells in records if any(cells)])
    heading: list[tuple[int, list[str]]] = []
    for line, cells in records:
        heading.append((line, cells))
        if table.known_columns(cells) >= HEADER_MIN_KNOWN or len(heading) == HEADER_SEARCH:
            break
    if not heading:
        raise table.error([Problem(N_("The file is empty."))])
    line, cells = next(
        ((n, c) for n, c in heading if table.known_columns(c) >= HEADER_MIN_KNOWN), heading[0]
    )
    columns = _header(line, cells, table)
    labels = {name: cells[index] for name, index in columns.items()}
    lines = []
    extra = []
    for line, row in records:
        if len(row) > len(cells) and any(row[len(cells) :]):
            extra.append(
                Problem(
                    N_(
                        "The line has {count} cells but the header has {expected}: a value may "
                        "contain the separator."
                    ),
                    {"count": len(row), "expected": len(cells)},
                    line,
                )
            )
        values = {name: (row[i] if i < len(row) else "") for name, i in columns.items()}
        lines.append((line, values, labels))
    if extra:
        raise table.error(extra[:MAX_PROBLEMS], len(extra))
    if not lines:
        raise table.error([Problem(N_("The file has a header but no entries."))])
    return lines


def _header(line: int, cells: list[str], table: Table) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = table.aliases.get(_key(cell))
        if name is None:
            continue  # other columns are ignored
        if name in columns:
            raise table.error(
                [
                    Problem(
                        N_("Two columns give the {field}: “{first}” and “{second}”."),
                        {
                            "field": table.labels[name],
                            "first": cells[columns[name]],
                            "second": cell,
                        },
                        line,
                    )
                ]
            )
        columns[name] = index
    missing = [table.labels[name] for name in table.required if name not in columns]
    if table.one_of and not any(name in columns for name in table.one_of):
        missing.append(table.labels[table.one_of[0]])
    if missing:
        raise table.error([Problem(table.missing, {"columns": missing}, line)])
    return columns
