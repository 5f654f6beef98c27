"""Deployment: the container files and the systemd units say what README.md promises,
`admin health` answers for the health checks, a backup restores what it held (SQLite,
and PostgreSQL with TEST_POSTGRESQL), and LOG_FORMAT=json writes one JSON object a line."""

from __future__ import annotations

import configparser
import io
import json
import logging
import os
import shlex
import socket
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlmodel import Session, func, select

from bot.admin import main
from bot.config import Settings
from bot.logs import formatter
from storage.db import ROOT, alembic_config, transaction
from storage.demo import load_demo
from storage.models import Organization, Person, Task
from tests.chat import POSTGRESQL, database

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)

# -- compose.yaml, the Dockerfile, the systemd units -------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_the_bot_on_a_healthy_postgresql_with_volumes(compose):
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    volumes = compose["volumes"]

    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.split(":")[0] in volumes and v.endswith("/var/lib/postgresql/data")
               for v in db["volumes"])  # fmt: skip
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["env_file"] == ".env"
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@db:5432/" in bot["environment"]["DATABASE_URL"]
    assert "8080" in bot["expose"] and any(p.endswith(":8080") for p in bot["ports"])
    assert any(v.split(":")[0] in volumes and v.split(":")[1] == "/data" for v in bot["volumes"])
    for service in (db, bot):
        assert {"interval", "timeout", "retries"} <= service["healthcheck"].keys()
    listen = bot["environment"]["WEBHOOK_LISTEN"]  # a value the bot accepts
    assert Settings(WEBHOOK_LISTEN=listen).webhook_listen == listen
    assert listen.endswith(":8080")


def test_the_bots_health_check_is_a_command_that_answers(compose, tmp_path, monkeypatch, capsys):
    test = compose["services"]["bot"]["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1:5] == ["python", "-m", "bot", "admin"]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'health.db'}")

    assert main(test[5:]) == 0
    assert capsys.readouterr().out.count("\n") == 1


def test_the_image_runs_as_its_own_user_the_pinned_project():
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines[0] == "FROM python:3.11-slim"
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert any(line.startswith("RUN pip install") and " ." in line for line in lines)
    assert "EXPOSE 8080" in lines
    assert lines[-2:] == ['ENTRYPOINT ["python", "-m", "bot"]', 'CMD ["run"]']
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "*" in ignored and "!.env" not in ignored  # the secrets stay out of the image


@pytest.mark.parametrize("name", ["danhgia.service", "danhgia@.service"])
def test_the_systemd_units_run_the_bot_as_a_dedicated_user_and_restart_it(name):
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # systemd's keys are case-sensitive
    unit.read(ROOT / "deploy" / name, encoding="utf-8")
    service = unit["Service"]

    assert service["User"] == "danhgia" and service["Group"] == "danhgia"
    assert service["EnvironmentFile"].startswith(("/etc/danhgia/", "-/etc/danhgia/"))
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # a setting that cannot work
    assert shlex.split(service["ExecStart"])[1:] == ["-m", "bot"]
    assert unit["Install"]["WantedBy"] == "multi-user.target"


# -- admin health --------------------------------------------------------------------------


def test_health_says_the_database_answers(tmp_path, monkeypatch, capsys):
    engine = database(tmp_path)
    monkeypatch.setenv("DATABASE_URL", _url(engine))

    assert main(["--locale", "en", "health"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The database answers: ") and out.count("\n") == 1


def test_health_of_a_database_that_does_not_answer_is_one_line_and_exit_1(
    tmp_path, monkeypatch, capsys
):
    with socket.socket() as probe:  # a port of 127.0.0.1 on which nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://u:secret@127.0.0.1:{port}/x")

    assert main(["health"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "secret" not in captured.err
    assert captured.err.startswith("DATABASE_URL: không mở được cơ sở dữ liệu")


# -- admin backup and restore ------------------------------------------------------------


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _people(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        return {p.code: p.full_name for p in session.exec(select(Person))}


def _count(engine: Engine, table) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


@pytest.fixture
def demo(tmp_path, monkeypatch) -> Engine:
    """The demo organization in the test's database (SQLite, or PostgreSQL with
    TEST_POSTGRESQL), which DATABASE_URL names."""
    engine = database(tmp_path)
    load_demo(engine, date(2026, 11, 20))
    monkeypatch.setenv("DATABASE_URL", _url(engine))
    return engine


def test_a_backup_restores_what_the_database_held(demo, tmp_path, capsys):
    before, tasks = _people(demo), _count(demo, Task)
    backup = tmp_path / "backups" / "before.bak"

    assert main(["--locale", "en", "backup", "--to", str(backup)], clock=lambda: NOW) == 0
    out = capsys.readouterr().out
    assert out.startswith("Backup of ") and f"written: {backup} (" in out and " kB)." in out
    assert backup.is_file() and backup.stat().st_size > 0
    with transaction(demo) as session:  # afterwards: a name changed, a task gone, an org
        person = session.exec(select(Person).where(Person.code == "vp-03")).one()
        person.full_name = "Changed"
        session.delete(session.exec(select(Task)).first())
        session.add(Organization(code="so-khac", name="Sở Khác"))
    assert _people(demo) != before and _count(demo, Task) == tasks - 1

    assert main(["--locale", "en", "restore", str(backup), "--yes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Restored {backup} into ") and "(database revision " in out
    demo.dispose()  # PostgreSQL's pooled connections saw the dropped tables
    assert _people(demo) == before
    assert _count(demo, Task) == tasks and _count(demo, Organization) == 1


def test_a_backup_of_an_older_version_is_restored_and_brought_up_to_date(
    tmp_path, monkeypatch, capsys
):
    engine = database(tmp_path)
    url = _url(engine)
    monkeypatch.setenv("DATABASE_URL", url)
    config = alembic_config(url)
    head = ScriptDirectory.from_config(config).get_current_head()
    older = ScriptDirectory.from_config(config).get_revision(head).down_revision
    engine.dispose()
    command.downgrade(config, older)  # as the version before the newest left it
    backup = tmp_path / "older.bak"
    assert main(["backup", "--to", str(backup)]) == 0
    command.upgrade(config, "head")
    capsys.readouterr()

    assert main(["--locale", "en", "restore", str(backup), "--yes"]) == 0
    assert f"(database revision {older}, now {head})" in capsys.readouterr().out
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head


def test_a_restore_without_yes_says_what_it_would_overwrite_and_changes_nothing(
    demo, tmp_path, capsys
):
    backup = tmp_path / "demo.bak"
    assert main(["backup", "--to", str(backup)]) == 0
    with transaction(demo) as session:
        session.add(Organization(code="so-khac", name="Sở Khác"))
    capsys.readouterr()

    assert main(["--locale", "en", "restore", str(backup)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("This would replace everything in the database ")
    assert str(backup) in err and "--yes" in err and err.count("\n") == 1
    assert _count(demo, Organization) == 2


def test_a_backup_of_a_newer_version_is_refused_before_anything_is_overwritten(
    demo, tmp_path, capsys
):
    backup = tmp_path / "newer.bak"
    with transaction(demo) as session:  # as a version that knows a 9999th migration
        head = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    assert main(["backup", "--to", str(backup)]) == 0
    with transaction(demo) as session:
        session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        session.add(Organization(code="so-khac", name="Sở Khác"))
    capsys.readouterr()

    assert main(["--locale", "en", "restore", str(backup), "--yes"]) == 1
    err = capsys.readouterr().err
    assert "newer version of the bot (database revision 9999" in err and err.count("\n") == 1
    assert _count(demo, Organization) == 2


def test_the_default_backup_file_is_named_by_the_time_and_never_overwritten(
    demo, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))  # PostgreSQL's backups
    assert main(["--locale", "en", "backup"], clock=lambda: NOW) == 0
    out = capsys.readouterr().out
    written = Path(out.split("written: ", 1)[1].rsplit(" (", 1)[0])
    assert written.name.startswith("danhgia-20261120-100000.")  # 10:00 in Hà Nội
    assert written.parent.name == "backups" and written.is_file()

    assert main(["--locale", "en", "backup"], clock=lambda: NOW) == 1
    assert capsys.readouterr().err == f"{written} exists already; choose another name.\n"


def test_a_file_that_is_no_backup_is_one_line(demo, tmp_path, capsys):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database\n" * 100, encoding="utf-8")

    assert main(["--locale", "en", "restore", str(bogus), "--yes"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    if POSTGRESQL:
        assert err.startswith("pg_restore failed: ") and "valid archive" in err
    else:
        assert err == f"{bogus} cannot be read as a SQLite database: file is not a database\n"


def test_without_pg_dump_the_backup_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # neither on PATH nor where Debian puts it
    monkeypatch.setattr("storage.backup.PG_BIN", str(tmp_path / "none"))
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:secret@127.0.0.1:9/x")

    assert main(["--locale", "en", "backup", "--to", str(tmp_path / "x.dump")]) == 1
    assert capsys.readouterr().err == (
        "pg_dump was not found: install PostgreSQL's client tools (Debian, Ubuntu: apt-get "
        "install postgresql-client) or put pg_dump on PATH.\n"
    )


@pytest.mark.skipif(POSTGRESQL is not None, reason="pg_dump tells nothing while it runs")
def test_a_sqlite_backup_and_restore_show_their_progress_then_their_summary(demo, tmp_path, capsys):
    for month in (8, 9, 10):  # three more months of tasks: over a hundred pages
        load_demo(demo, date(2026, month, 3))
    with demo.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
    assert pages >= 100
    backup = tmp_path / "progress.bak"

    assert main(["--locale", "en", "backup", "--to", str(backup)], clock=lambda: NOW) == 0
    captured = capsys.readouterr()
    progress = captured.err.splitlines()
    assert progress[-1] == f"Copying the database (pages): {pages}/{pages} (100%)", progress
    assert captured.out.startswith("Backup of ")

    assert main(["restore", str(backup), "--yes"]) == 0  # Vietnamese, the default
    captured = capsys.readouterr()
    assert captured.err.splitlines()[-1].endswith(f": {pages}/{pages} (100%)")
    assert captured.err.splitlines()[-1].startswith("Sao chép cơ sở dữ liệu")
    assert captured.out.startswith("Đã khôi phục")


@pytest.mark.skipif(POSTGRESQL is not None, reason="a SQLite file's own consistency")
def test_a_sqlite_backup_taken_while_a_transaction_writes_holds_what_was_committed(demo, tmp_path):
    backup = tmp_path / "during.bak"
    before = _people(demo)
    with sqlite3.connect(demo.url.database) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE person SET full_name = 'Uncommitted'")
        assert main(["backup", "--to", str(backup)]) == 0
        writer.rollback()
    with sqlite3.connect(backup) as copy:
        names = dict(copy.execute("SELECT code, full_name FROM person"))
    assert names == before


# -- LOG_FORMAT=json -----------------------------------------------------------------------


def test_json_logs_are_one_object_a_line_with_time_level_logger_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "MESSENGERS")}
    env |= {
        "LOG_FORMAT": "json",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",  # migrated: alembic logs
        "XDG_DATA_HOME": str(tmp_path / "data-home"),
        "ZALO_BOT_TOKEN": "",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines
    for line in lines:
        entry = json.loads(line)
        assert {"time", "level", "logger", "message"} <= entry.keys()
        assert datetime.fromisoformat(entry["time"]).utcoffset() is not None
    assert any(json.loads(line)["logger"].startswith("alembic") for line in lines)


def test_a_json_log_line_carries_the_exception_in_one_line():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter("json"))
    logger = logging.getLogger("tests.deploy.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError("broken “điều”")
        except ValueError:
            logger.exception("the send failed for chat %s", 9001)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True

    [line] = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "tests.deploy.json"
    assert entry["message"] == "the send failed for chat 9001"
    assert entry["exception"].startswith("Traceback") and "broken “điều”" in entry["exception"]
