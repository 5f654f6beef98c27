"""The cells of every spreadsheet the product writes (Excel .xlsx and CSV): a text that
people typed (a name, a unit, a task title, a comment, a reason) is written as a text and
is never read as a formula.

Excel and LibreOffice take a cell that begins with ``=``, ``+``, ``-`` or ``@`` for a
formula, and skip a leading tab or carriage return before looking: a name such as
``=HYPERLINK("http://x","Bấm vào đây")`` would become a link, and worse formulas can run
commands (OWASP, "CSV Injection"). So, after removing the control characters:

- in an .xlsx, every text is a string cell (``data_type = "s"``); one that looks like a
  formula also gets Excel's quote prefix (the hidden apostrophe), so that it stays a text
  when someone edits the cell. Nothing visible is added.
- a CSV file has no cell types: a text that looks like a formula gets an apostrophe in
  front, as OWASP advises; the spreadsheet shows it, and no formula runs.

Numbers (int, float) stay numbers in both. The control characters removed are those an
.xlsx cannot hold (openpyxl's ``ILLEGAL_CHARACTERS_RE``: U+0000-U+001F except tab, line
feed and carriage return); CSV loses the same ones, so that both files hold the same
texts. Tab, line feed and carriage return stay in both: a reason of several lines is
text, the csv module quotes a cell holding a line break, and a leading one is made
harmless like ``=``.

Every writer goes through `xlsx_cell` / `xlsx_row` or `write_csv` / `csv_value`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = frozenset("=+-@")
"""First characters that make Excel or LibreOffice read a cell as a formula."""
SKIPPED_BEFORE_FORMULA = frozenset("\t\r")
"""Characters a spreadsheet may skip before the formula's first character (OWASP)."""


def clean(text: str) -> str:
    """`text` without the control characters that an .xlsx cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read `text` (already cleaned) as a formula: it begins
    with = + - @, a tab or a carriage return, or with = + - @ after some white space."""
    return bool(text) and (
        text[0] in FORMULA_START
        or text[0] in SKIPPED_BEFORE_FORMULA
        or text.lstrip()[:1] in FORMULA_START
    )


def csv_value(value: Any) -> Any:
    """A value for `csv.writer`: numbers as they are, None as an empty cell, any other
    value as a cleaned text, with an apostrophe in front if it looks like a formula."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    text = clean(str(value))
    return "'" + text if looks_like_formula(text) else text


def write_csv(file: IO[str], rows: Iterable[Iterable[Any]]) -> None:
    """`rows` (the header first) as CSV to `file` (opened with newline=""), every text
    made safe by `csv_value`."""
    writer = csv.writer(file)
    for row in rows:
        writer.writerow([csv_value(value) for value in row])


def xlsx_cell(cell: Any, value: Any) -> Any:
    """Put `value` in the openpyxl `cell` and return the cell: a text (str) as a cleaned
    string cell, quote-prefixed if it looks like a formula; anything else (numbers,
    dates, None) as openpyxl writes it."""
    if not isinstance(value, str):
        cell.value = value
        return cell
    text = clean(value)
    cell.value = text  # openpyxl would make a formula of a text beginning with "="
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


def xlsx_row(sheet: Any, row: int, values: Iterable[Any]) -> list[Any]:
    """Write `values` in `row` of the openpyxl `sheet`, from column A; returns the cells."""
    return [
        xlsx_cell(sheet.cell(row, column), value) for column, value in enumerate(values, start=1)
    ]
