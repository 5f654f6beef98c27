"""Starting the bot: where the database is by default, and settings that cannot work
(one line in the reader's language, exit code 2, never a traceback)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.__main__ import main
from bot.config import Settings
from storage.db import ROOT, default_path, default_url

# -- the default database ----------------------------------------------------------------


def environment(data_home: Path, **more: str) -> dict[str, str]:
    """The environment of a command without DATABASE_URL, its user data in `data_home`."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEFAULT_LANGUAGE")}
    return env | {"XDG_DATA_HOME": str(data_home), "HOME": str(data_home)} | more


def bot(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(sys.platform != "linux", reason="XDG_DATA_HOME is the Linux convention")
def test_the_default_database_is_in_the_users_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here

    expected = tmp_path / "data-home" / "danhgia" / "danhgia.db"
    assert default_path() == expected
    assert make_url(default_url()).database == str(expected)
    assert Settings().database_url == default_url()
    monkeypatch.setenv("DATABASE_URL", "sqlite:////elsewhere/x.db")  # the variable wins
    assert Settings().database_url == "sqlite:////elsewhere/x.db"


@pytest.mark.skipif(sys.platform != "linux", reason="XDG_DATA_HOME is the Linux convention")
def test_every_command_finds_the_same_database_wherever_it_is_started(tmp_path):
    env = environment(tmp_path / "data-home")
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()

    loaded = bot("admin", "--locale", "en", "demo", cwd=first, env=env)
    listed = bot(
        "admin", "--locale", "en", "people", "--org", "so-noi-vu-demo", cwd=second, env=env
    )
    migrated = subprocess.run(  # `alembic upgrade head`, from the repository's root
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert loaded.returncode == 0, loaded.stderr
    assert listed.returncode == 0, listed.stderr
    assert "Sở Nội vụ tỉnh Hưng Yên (demo)" in listed.stdout
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "data-home" / "danhgia" / "danhgia.db").is_file()
    assert not (first / "data").exists() and not (second / "data").exists()


# -- settings that cannot work -----------------------------------------------------------

BAD_SETTINGS = [
    ({"TZ": "Mars/Olympus"}, "TZ: “Mars/Olympus” không phải là tên múi giờ"),
    ({"TZ": "../../etc/passwd"}, "TZ: “../../etc/passwd” không phải là tên múi giờ"),
    ({"DEFAULT_LANGUAGE": "fr"}, "DEFAULT_LANGUAGE: hệ thống không hỗ trợ ngôn ngữ “fr”"),
    ({"BOT_TOKEN": "secret token"}, "BOT_TOKEN không phải là token của bot Telegram"),
    ({"DATABASE_URL": "nonsense"}, "DATABASE_URL không phải là địa chỉ cơ sở dữ liệu"),
    ({"DATABASE_URL": "postgres://u:secret@h/x"}, "DATABASE_URL: SQLAlchemy không hỗ trợ"),
    ({"DATABASE_URL": "mysql+mysqldb://u:secret@h/x"}, "DATABASE_URL: chưa cài đặt"),
    ({"DATABASE_URL": "sqlite:////proc/x.db"}, "DATABASE_URL: không mở được"),
    ({"DATABASE_URL": "sqlite:////proc/no-such/x.db"}, "DATABASE_URL: không mở được"),
    ({"ZALO_BOT_TOKEN": "secret"}, "ZALO_BOT_TOKEN không phải là mã truy cập (token) của bot Zalo"),
    ({"MESSENGERS": "viber"}, "MESSENGERS: “viber” không phải là ứng dụng nhắn tin"),
    (
        {"MESSENGERS": "aiogram,ptb", "BOT_TOKEN": "123:abc"},
        "MESSENGERS: aiogram và ptb đều phục vụ Telegram",
    ),
    ({"MESSENGERS": "zalo"}, "MESSENGERS có Zalo nhưng chưa đặt ZALO_BOT_TOKEN."),
    ({"WEBHOOK_URL": "http://bot.example.vn"}, "WEBHOOK_URL: “http://bot.example.vn” không phải"),
    ({"WEBHOOK_URL": "https://bot.example.vn"}, "Đã đặt WEBHOOK_URL nhưng chưa đặt WEBHOOK_SECRET"),
    ({"WEBHOOK_SECRET": "secret!"}, "WEBHOOK_SECRET phải gồm 8 đến 256 ký tự"),
    ({"WEBHOOK_LISTEN": "8080"}, "WEBHOOK_LISTEN: “8080” không đúng dạng máy:cổng"),
    ({"WORKERS": "4"}, "WORKERS đang là 4, nhưng khi nhận tin bằng long polling"),
    ({"LOG_FORMAT": "xml"}, "LOG_FORMAT: “xml” không phải là định dạng nhật ký; dùng text"),
]
COMMANDS = [[], ["run"], ["console", "--demo"], ["admin", "people", "--org", "x"]]


@pytest.fixture
def settings_env(tmp_path, monkeypatch):
    """A clean environment in a folder without .env; a good database URL unless a test
    sets another."""
    for name in (
        "TZ",
        "DEFAULT_LANGUAGE",
        "BOT_TOKEN",
        "ZALO_BOT_TOKEN",
        "MESSENGERS",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "WEBHOOK_LISTEN",
        "WORKERS",
        "LOG_FORMAT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ok.db'}")
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "bot")
@pytest.mark.parametrize(("variables", "line"), BAD_SETTINGS, ids=lambda v: str(v))
def test_a_setting_that_cannot_work_is_one_line_in_vietnamese(
    settings_env, capsys, variables, line, command
):
    for name, value in variables.items():
        settings_env.setenv(name, value)

    code = main(command)

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith(line), captured.err
    assert "secret" not in captured.err  # a password in the URL is not shown


def test_the_line_is_in_english_when_the_bot_speaks_english(settings_env, capsys):
    settings_env.setenv("DEFAULT_LANGUAGE", "en")
    settings_env.setenv("TZ", "Mars/Olympus")
    assert main([]) == 2
    assert capsys.readouterr().err == (
        "TZ: “Mars/Olympus” is not a time zone; use a name such as Asia/Ho_Chi_Minh.\n"
    )
    settings_env.setenv("DEFAULT_LANGUAGE", "vi")
    assert main(["admin", "--locale", "en", "init-db"]) == 2  # the admin's --locale wins
    assert capsys.readouterr().err.startswith("TZ: “Mars/Olympus” is not a time zone")


def test_a_missing_driver_is_named(settings_env, capsys):
    settings_env.setenv("DATABASE_URL", "postgresql+psycopg://u:secret@localhost:9/x")
    assert main(["admin", "--locale", "en", "init-db"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "secret" not in err
    try:
        import psycopg  # noqa: F401
    except ImportError:
        assert err == (
            "DATABASE_URL: the database driver “psycopg” is not installed; install it beside "
            "the bot (pip install psycopg).\n"
        )
    else:  # nothing listens on port 9
        assert err.startswith("DATABASE_URL: the database postgresql+psycopg://u:***@")


@pytest.mark.parametrize(
    "args", [[], ["console", "--demo"], ["admin", "init-db"]], ids=lambda a: " ".join(a) or "bot"
)
@pytest.mark.parametrize(
    "variables",
    [
        {"TZ": "Mars/Olympus"},
        {"DATABASE_URL": "nonsense"},
        {"DATABASE_URL": "sqlite:////proc/x.db"},
    ],
    ids=lambda v: str(v),
)
def test_python_m_bot_prints_no_traceback(tmp_path, args, variables):
    env = environment(tmp_path / "data-home", DATABASE_URL=f"sqlite:///{tmp_path / 'ok.db'}")
    env.pop("BOT_TOKEN", None)
    done = bot(*args, cwd=tmp_path, env=env | variables)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith(next(iter(variables)))


def test_a_database_of_a_newer_version_is_one_line_not_a_traceback(settings_env, tmp_path, capsys):
    path = tmp_path / "newer.db"
    with sqlite3.connect(path) as db:  # migrated by a version that knows a 9999th migration
        db.execute("create table alembic_version (version_num varchar(32) primary key)")
        db.execute("insert into alembic_version values ('9999')")
    settings_env.setenv("DATABASE_URL", f"sqlite:///{path}")
    settings_env.setenv("DEFAULT_LANGUAGE", "en")
    for command in ([], ["admin", "init-db"]):
        assert main(command) == 1
        assert capsys.readouterr().err == (
            "The database failed: Can't locate revision identified by '9999'\n"
        )
