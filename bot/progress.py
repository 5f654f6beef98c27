"""Progress of the admin commands' long work (issue 11): counts as they go, on stderr, so
that stdout keeps only the command's result (a table, a CSV, a path).

On a terminal the line is redrawn in place ("Xuất Excel: 120/2000 (6%)"); elsewhere (a log,
CI) a line is written at every tenth of the work, so a log stays short; work of fewer than
SHOWN_FROM items shows no progress, only its summary. `done` ends with the summary line.
A storage function that reports `progress(done, total)` is given `Progress(...).update`.

    progress = Progress(_("Exporting"), len(people))
    for person in people:
        ...
        progress.advance()
    progress.done(_("{count} people exported to {path}").format(...))
"""

from __future__ import annotations

import sys
from typing import TextIO

SHOWN_FROM = 100  # items from which the progress is shown


class Progress:
    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 0)
        self.count = 0
        self.stream = stream if stream is not None else sys.stderr
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._shown = -1  # the last tenth written (not a terminal)

    def advance(self, step: int = 1) -> None:
        """`step` more items done."""
        self.update(self.count + step)

    def update(self, done: int, total: int | None = None) -> None:
        """`done` items done (of `total`, when the work learns it as it goes)."""
        if total is not None:
            self.total = total
        self.count = min(done, self.total) if self.total else done
        if self.total < SHOWN_FROM:
            return
        if self._tty:  # redrawn in place; the last one stays, with its line's end
            end = "\n" if self.total and self.count >= self.total else ""
            self.stream.write(f"\r{self._line()}{end}")
            self.stream.flush()
            return
        tenth = self.count * 10 // self.total if self.total else 0
        if tenth > self._shown:
            self._shown = tenth
            self.stream.write(self._line() + "\n")

    def done(self, summary: str) -> None:
        """End the progress with the summary line."""
        self.stream.write(summary + "\n")
        self.stream.flush()

    def _line(self) -> str:
        if not self.total:
            return f"{self.label}: {self.count}"
        return f"{self.label}: {self.count}/{self.total} ({self.count * 100 // self.total}%)"
