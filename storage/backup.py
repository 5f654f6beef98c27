"""Backups of the database and their restore (`python -m bot admin backup|restore`).

SQLite: sqlite3's online backup API, page by page under a read lock, so a backup taken
while the bot writes is consistent; a restore copies the backup's pages into the
configured file the same way. PostgreSQL: `pg_dump -Fc` and `pg_restore --clean
--if-exists` in one transaction (a restore that fails leaves the tables as they were;
for a backup older than the database, the newer migrations are undone first), the
password handed to them in the environment, never on a command line.

A backup carries its Alembic revision; one made by a newer version of the bot (a
revision this code does not know) is refused before anything is overwritten.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import URL, make_url

from locales import N_
from storage.db import APP_NAME, alembic_config, make_engine

BACKUP_FOLDER = "backups"
COPY_PAGES = 4096  # SQLite pages copied between two progress reports (16 MiB of 4 KiB pages)
Progress = Callable[[int, int], None]  # (done, total)
PG_BIN = "/usr/lib/postgresql/*/bin"  # Debian's PostgreSQL, when its tools are not on PATH


class BackupError(Exception):
    """A backup or a restore that cannot be done: an English msgid and its parameters;
    the caller shows it in one line."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds: its database kind and its Alembic revision (None: no
    schema yet), and whether this code knows that revision."""

    path: Path
    backend: str  # "sqlite" or "postgresql"
    revision: str | None
    head: str


def default_folder(url: str) -> Path:
    """Where backups go without --to: beside a SQLite file (the same volume), else in
    the user's data directory."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database).resolve().parent / BACKUP_FOLDER
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / BACKUP_FOLDER


def backup(url: str, path: Path, progress: Progress | None = None) -> int:
    """Write a backup of the database of `url` to `path` (a new file); returns its size
    in bytes. The file appears whole or not at all. `progress(done, total)` follows a
    SQLite copy page by page (pg_dump tells nothing while it runs)."""
    parsed = _supported(url)
    if path.exists():
        raise BackupError(N_("{path} exists already; choose another name."), path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    try:
        if parsed.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_file(parsed, must_exist=True), partial, progress)
        else:
            _run(_tool("pg_dump"), ["-Fc", "--file", str(partial)], parsed)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path.stat().st_size


def inspect(url: str, path: Path) -> BackupInfo:
    """The backup at `path`, checked against the database of `url`: a file of the same
    kind, and of a revision this code knows (BackupError otherwise)."""
    parsed = _supported(url)
    if not path.is_file():
        raise BackupError(N_("There is no backup file {path}."), path=str(path))
    backend = parsed.get_backend_name()
    revision = _sqlite_revision(path) if backend == "sqlite" else _dump_revision(path)
    script = ScriptDirectory.from_config(alembic_config(url))
    head = script.get_current_head() or ""
    if revision is not None:
        try:
            script.get_revision(revision)
        except CommandError:
            raise BackupError(
                N_(
                    "{path} is a backup of a newer version of the bot (database revision "
                    "{revision}; this version knows up to {head}): restore it with that version."
                ),
                path=str(path),
                revision=revision,
                head=head,
            ) from None
    return BackupInfo(path, backend, revision, head)


def restore(url: str, info: BackupInfo, progress: Progress | None = None) -> None:
    """Replace what the database of `url` holds with the backup `info` (from `inspect`);
    `progress` as for `backup`."""
    parsed = _supported(url)
    if info.backend == "sqlite":
        _sqlite_copy(info.path, _sqlite_file(parsed, must_exist=False), progress)
    else:
        _down_to(url, info.revision)
        _run(
            _tool("pg_restore"),
            ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(info.path)],
            parsed,
        )


def _down_to(url: str, revision: str | None) -> None:
    """PostgreSQL: `pg_restore --clean` drops only what the dump holds, so the tables and
    types of migrations newer than an older backup's are taken down first (the upgrade
    after the restore would find them in its way)."""
    config = alembic_config(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    if current is None or current == revision:
        return
    below = {
        r.revision for r in ScriptDirectory.from_config(config).walk_revisions("base", current)
    }
    if revision is None or revision in below:
        command.downgrade(config, revision or "base")


# -- SQLite ------------------------------------------------------------------------------


def _sqlite_file(parsed: URL, must_exist: bool) -> Path:
    if parsed.database in (None, "", ":memory:") or parsed.query.get("uri"):
        raise BackupError(N_("Only a database in a file can be backed up or restored."))
    path = Path(parsed.database)
    if must_exist and not path.is_file():
        raise BackupError(N_("There is no database file {path}."), path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _sqlite_copy(source: Path, target: Path, progress: Progress | None = None) -> None:
    """Copy a SQLite database into another with the online backup API, COPY_PAGES pages
    at a time; the copy keeps no journal beside it (a backup is one file) unless the
    target had one."""
    new = not target.exists()
    try:
        with (
            closing(sqlite3.connect(_read_only(source), uri=True)) as reader,
            closing(sqlite3.connect(target)) as writer,
        ):
            writer.execute("PRAGMA busy_timeout=5000")
            if progress is None:
                reader.backup(writer)
            else:
                reader.backup(
                    writer,
                    pages=COPY_PAGES,
                    progress=lambda _, remaining, total: progress(total - remaining, total),
                )
            if new:
                writer.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(
            N_("{path} cannot be read as a SQLite database: {error}"),
            path=str(source),
            error=str(error),
        ) from None


def _read_only(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


def _sqlite_revision(path: Path) -> str | None:
    try:
        with closing(sqlite3.connect(_read_only(path), uri=True)) as connection:
            tables = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
            ).fetchone()[0]
            if not tables:
                return None
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as error:
        raise BackupError(
            N_("{path} cannot be read as a SQLite database: {error}"),
            path=str(path),
            error=str(error),
        ) from None
    return row[0] if row else None


# -- PostgreSQL --------------------------------------------------------------------------

COPY_REVISION = re.compile(r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n(\S+)\n", re.M)


def _dump_revision(path: Path) -> str | None:
    """The revision in a `pg_dump -Fc` archive: its alembic_version rows, as pg_restore
    writes them out as SQL."""
    listing = _run_tool(
        _tool("pg_restore"),
        ["--data-only", "--table=alembic_version", "--file=-", str(path)],
        None,
    )
    match = COPY_REVISION.search(listing)
    return match.group(1) if match else None


def _tool(name: str) -> str:
    """pg_dump or pg_restore: on PATH, else the newest of Debian's PostgreSQL versions."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"{PG_BIN}/{name}"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p)],
    )
    if not candidates:
        raise BackupError(
            N_(
                "{tool} was not found: install PostgreSQL's client tools (Debian, Ubuntu: "
                "apt-get install postgresql-client) or put {tool} on PATH."
            ),
            tool=name,
        )
    return candidates[-1]


def _run(tool: str, args: list[str], parsed: URL) -> None:
    """`tool args` on the database of `parsed`: its address as a libpq URL without the
    password, which goes in PGPASSWORD (a command line is visible to every user)."""
    address = parsed.set(drivername="postgresql", password=None)
    environment = {**os.environ}
    if parsed.password is not None:
        environment["PGPASSWORD"] = str(parsed.password)
    dbname = address.render_as_string(hide_password=False)
    _run_tool(tool, [*args, f"--dbname={dbname}"], environment)


def _run_tool(tool: str, args: list[str], environment: dict[str, str] | None) -> str:
    try:
        done = subprocess.run(
            [tool, *args], capture_output=True, text=True, env=environment, check=False
        )
    except OSError as error:
        raise BackupError(
            N_("{tool} failed: {error}"), tool=Path(tool).name, error=error.strerror or str(error)
        ) from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(
            N_("{tool} failed: {error}"),
            tool=Path(tool).name,
            error=lines[0] if lines else f"exit {done.returncode}",
        )
    return done.stdout


def _supported(url: str) -> URL:
    parsed = make_url(url)
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise BackupError(
            N_("Backups are made of SQLite and PostgreSQL databases, not of {name}."),
            name=parsed.get_backend_name(),
        )
    return parsed
