"""The database: one engine per URL, one session factory, migrations on start.

Any SQLAlchemy URL (DATABASE_URL), such as PostgreSQL; by default a SQLite file in the
user's data directory, the same wherever a command is started from (`default_path`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Engine, Table, and_, event, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, SQLAlchemyError
from sqlmodel import Session, create_engine

from locales import N_

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
APP_NAME = "danhgia"
DATABASE_FILE = "danhgia.db"
VARIABLE = "DATABASE_URL"
IN_BATCH = 10_000
"""The most values bound in one IN list: a query about a province's people goes in a few
statements (psycopg binds at most 65,535 parameters in one, SQLite 32,766 by default)."""


class DatabaseUrlError(Exception):
    """The database of DATABASE_URL cannot be used at all: an English msgid and its
    parameters (one of them names the variable); the caller shows it in one line."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params


def default_path() -> Path:
    """The default SQLite file, in the user's data directory: on Linux
    ~/.local/share/danhgia/danhgia.db ($XDG_DATA_HOME/danhgia/danhgia.db when that is
    set), on macOS ~/Library/Application Support/danhgia/danhgia.db, on Windows
    %LOCALAPPDATA%\\danhgia\\danhgia.db. Absolute: the bot, the admin command line, the
    console and alembic find the same database wherever they are started from."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / DATABASE_FILE


def default_url() -> str:
    """The URL of `default_path`, the database when DATABASE_URL is not set."""
    return URL.create("sqlite", database=str(default_path())).render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets its folder created, foreign keys and WAL."""
    parsed = make_url(url)
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database not in (None, "", ":memory:")
        and not parsed.query.get("uri")  # a "file:" URI is the driver's business
    ):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine


def open_database(url: str) -> Engine:
    """The engine of `url` (`connect`), its schema brought to the newest migration. A
    failure of the migrations themselves is raised as it is."""
    engine = connect(url)
    try:
        migrate(url)
    except BaseException:
        engine.dispose()
        raise
    return engine


def connect(url: str) -> Engine:
    """The engine of `url`, once the database has answered a trivial query.

    Raises DatabaseUrlError when `url` cannot be a database: not a URL, a database
    SQLAlchemy does not know, a driver that is not installed, or a database that cannot
    be opened (a folder that cannot be made, a file that cannot be created, a server that
    refuses).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:  # the value is not shown: it may hold a password
        raise DatabaseUrlError(
            N_(
                "{variable} is not a database URL; write it as sqlite:////full/path/danhgia.db "
                "or postgresql+psycopg://user:password@host/database."
            ),
            variable=VARIABLE,
        ) from None
    shown = parsed.render_as_string(hide_password=True)
    try:
        engine = make_engine(url)
    except NoSuchModuleError:
        raise DatabaseUrlError(
            N_(
                "{variable}: SQLAlchemy knows no database “{name}”; use sqlite, or "
                "postgresql+psycopg for PostgreSQL."
            ),
            variable=VARIABLE,
            name=parsed.drivername,
        ) from None
    except ImportError as error:
        module = error.name or str(error)
        raise DatabaseUrlError(
            N_(
                "{variable}: the database driver “{module}” is not installed; install it "
                "beside the bot (pip install {module})."
            ),
            variable=VARIABLE,
            module=module,
        ) from None
    except (OSError, SQLAlchemyError) as error:
        raise _cannot_open(shown, error) from None
    try:
        ping(engine)
    except (OSError, SQLAlchemyError) as error:
        engine.dispose()
        raise _cannot_open(shown, error) from None
    return engine


def _cannot_open(shown: str, error: BaseException) -> DatabaseUrlError:
    detail = getattr(error, "strerror", None) or str(getattr(error, "orig", None) or error)
    return DatabaseUrlError(
        N_("{variable}: the database {url} cannot be opened: {error}"),
        variable=VARIABLE,
        url=shown,
        error=detail.strip().splitlines()[0] if detail.strip() else type(error).__name__,
    )


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url  # wins over DATABASE_URL in env.py
    return config


def migrate(url: str) -> None:
    """Bring the schema to the newest migration (what `alembic upgrade head` does)."""
    make_engine(url).dispose()  # creates the SQLite folder
    command.upgrade(alembic_config(url), "head")


def ping(engine: Engine) -> None:
    """Raise if the database does not answer a trivial query."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed at the end, or rolled back on an error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def insert_once(session: Session, table: Table, values: dict[str, Any], key: Sequence[str]) -> bool:
    """Insert one row of `table` unless a row with the same values of the unique `key`
    columns is there; whether it was inserted. One statement in the caller's transaction:
    ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (rowcount is not reliable on every
    driver). Concurrent writers of the same key never fail: on PostgreSQL the second
    waits for the first to commit, and then inserts nothing."""
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        statement = (
            insert(table)
            .values(**values)
            .on_conflict_do_nothing(index_elements=list(key))
            .returning(*table.primary_key.columns)
        )
        return session.exec(statement).first() is not None
    # other databases: a savepoint, and the unique index decides
    same = and_(*(table.c[column] == values[column] for column in key))
    if session.exec(select(*table.primary_key.columns).where(same)).first() is not None:
        return False
    try:
        with session.begin_nested():
            session.exec(table.insert().values(**values))
    except IntegrityError:
        return False
    return True


def in_batches(values: Iterable[int]) -> Iterator[list[int]]:
    """`values`, sorted without repeats, in lists of at most IN_BATCH (for IN lists)."""
    ordered = sorted(set(values))
    for start in range(0, len(ordered), IN_BATCH):
        yield ordered[start : start + IN_BATCH]
