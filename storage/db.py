"""The database: one engine per URL, one session factory, migrations on start.

SQLite (a file under `data/` by default) or any SQLAlchemy URL, such as PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "sqlite:///data/danhgia.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str = DEFAULT_URL) -> Engine:
    """An engine for `url`; SQLite gets its folder created, foreign keys and WAL."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
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


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url  # wins over DATABASE_URL in env.py
    return config


def migrate(url: str = DEFAULT_URL) -> None:
    """Bring the schema to the newest migration (what `alembic upgrade head` does)."""
    make_engine(url).dispose()  # creates the SQLite folder
    command.upgrade(alembic_config(url), "head")


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
