"""The bot's one settings object: environment variables or a `.env` file.

The token is a SecretStr: it never appears in logs or in `repr(settings)`. A setting that
cannot work is one line for the person who set it (`load_settings`, `ConfigError`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.logs import FORMATS
from core.texts import render
from handlers.dispatcher import ChatSettings
from locales import N_, SUPPORTED_LOCALES
from storage.db import default_url

SOURCES = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

# The refusal of a wrong value of each setting: an English msgid with {variable}, {value}.
PROBLEMS = {
    "TZ": N_("{variable}: “{value}” is not a time zone; use a name such as Asia/Ho_Chi_Minh."),
    "DEFAULT_LANGUAGE": N_("{variable}: “{value}” is not a language of the bot; use vi or en."),
    "BOT_TOKEN": N_(
        "{variable} is not a Telegram bot token, which looks like 123456789:AAE… as @BotFather "
        "gives it."
    ),
    "WEBHOOK_URL": N_(
        "{variable}: “{value}” is not an https:// address; give the public address that "
        "reaches this server, such as https://danhgia.snv.gov.vn/bot."
    ),
    "WEBHOOK_SECRET": N_("{variable} must be 8 to 256 letters, digits, _ or -."),
    "WEBHOOK_LISTEN": N_(
        "{variable}: “{value}” is not host:port; use 127.0.0.1:8080 behind a reverse proxy, "
        "or 0.0.0.0:8080 in a container."
    ),
    "LOG_FORMAT": N_("{variable}: “{value}” is not a log format; use text or json."),
    "ZALO_BOT_TOKEN": N_(
        "{variable} is not a Zalo bot token, which looks like 1234567890:AbCd… as Zalo Bot "
        "Creator gives it."
    ),
}
SECRET = re.compile(r"[A-Za-z0-9_-]{8,256}")  # what both Telegram and Zalo accept
TOKEN = re.compile(r"\d+:\S+")  # what aiogram accepts: the bot's id, a colon, a secret
ZALO_TOKEN = re.compile(r"\S+:\S+")  # Zalo's: the bot's id, a colon, a secret

# The messenger adapters `MESSENGERS` may name: "module:class" (see bot/app.py). aiogram
# and python-telegram-bot (ptb) are two ways to serve Telegram, one at a time per token.
ADAPTERS = {
    "aiogram": "bot.telegram_aiogram:AiogramTelegram",
    "ptb": "bot.telegram_ptb:PtbTelegram",
    "zalo": "bot.zalo:ZaloBot",
}
TELEGRAM_ADAPTERS = ("aiogram", "ptb")


class ConfigError(Exception):
    """A setting that cannot work: an English msgid and its parameters, which name the
    variable; `text(locale)` is the one line shown."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params

    def text(self, locale: str) -> str:
        return render(self.message, self.params, locale)


class Settings(BaseSettings):
    model_config = SOURCES

    bot_token: SecretStr | None = Field(default=None, alias="BOT_TOKEN")
    telegram_api_url: str = Field(default="https://api.telegram.org", alias="TELEGRAM_API_URL")
    zalo_bot_token: SecretStr | None = Field(default=None, alias="ZALO_BOT_TOKEN")
    zalo_api_url: str = Field(default="https://bot-api.zaloplatforms.com", alias="ZALO_API_URL")
    # Zalo publishes no rate limits: conservative defaults, to be raised when known
    zalo_rate: float = Field(default=10.0, gt=0, alias="ZALO_RATE")
    zalo_per_chat_interval: float = Field(default=1.0, ge=0, alias="ZALO_PER_CHAT_INTERVAL")
    # "aiogram", "ptb", "zalo", comma-separated; empty: aiogram with BOT_TOKEN, zalo with
    # ZALO_BOT_TOKEN
    messengers_setting: str = Field(default="", alias="MESSENGERS")
    database_url: str = Field(default_factory=default_url, alias="DATABASE_URL")
    tz: str = Field(default="Asia/Ho_Chi_Minh", alias="TZ")
    default_language: str = Field(default="vi", alias="DEFAULT_LANGUAGE")
    # Webhook mode (empty: long polling): the public HTTPS address that reaches this
    # server, each messenger at <WEBHOOK_URL>/<telegram|zalo>; the secret the messengers
    # send back in a header; where the server listens (behind a reverse proxy).
    webhook_url: str = Field(default="", alias="WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(default=None, alias="WEBHOOK_SECRET")
    webhook_listen: str = Field(default="127.0.0.1:8080", alias="WEBHOOK_LISTEN")
    workers: int = Field(default=1, ge=1, le=64, alias="WORKERS")  # processes (webhook)
    concurrent_updates: int = Field(default=8, ge=1, le=256, alias="CONCURRENT_UPDATES")
    # seconds before another process takes over the scheduler or a sender of one that died
    lease_seconds: float = Field(default=30.0, ge=1, le=3600, alias="LEASE_SECONDS")
    # "text" for a terminal, "json" (one object a line) for a log collector: bot/logs.py
    log_format: str = Field(default="text", alias="LOG_FORMAT")

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value.startswith(":"):  # the C library's form (":/etc/localtime"): not ours
            return "Asia/Ho_Chi_Minh"
        try:
            ZoneInfo(value)
        except Exception as error:  # ZoneInfoNotFoundError is a KeyError, not a ValueError
            raise ValueError(f"not a time zone: {value}") from error
        return value

    @field_validator("default_language")
    @classmethod
    def _supported(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value.strip().lower() not in FORMATS:
            raise ValueError(f"must be one of {', '.join(FORMATS)}")
        return value.strip().lower()

    @field_validator("bot_token")
    @classmethod
    def _blank_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        return _secret(value, TOKEN, "not a Telegram bot token")

    @field_validator("zalo_bot_token")
    @classmethod
    def _zalo_token(cls, value: SecretStr | None) -> SecretStr | None:
        return _secret(value, ZALO_TOKEN, "not a Zalo bot token")

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, value: str) -> str:
        url = urlsplit(value.strip())
        if not value.strip():
            return ""
        local = url.hostname in ("127.0.0.1", "localhost", "::1")
        if url.scheme != "https" and not (url.scheme == "http" and local):
            raise ValueError("must be an https:// address that reaches this server")
        if not url.hostname:
            raise ValueError("must be an https:// address that reaches this server")
        return value.strip().rstrip("/")

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        return _secret(value, SECRET, "must be 8 to 256 letters, digits, _ or -")

    @field_validator("webhook_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, _, port = value.strip().rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be host:port, such as 127.0.0.1:8080 or 0.0.0.0:8080")
        return value.strip()

    def webhook(self, platform: str) -> tuple[str, str] | None:
        """The webhook (url, secret) a messenger is given; None: it is polled."""
        if not self.webhook_url or self.webhook_secret is None:
            return None
        return f"{self.webhook_url}/{platform}", self.webhook_secret.get_secret_value()

    @property
    def listen(self) -> tuple[str, int]:
        host, _, port = self.webhook_listen.rpartition(":")
        return host.strip("[]"), int(port)

    @property
    def messengers(self) -> list[str]:
        """The adapters to run, in order (checked by `load_settings`)."""
        names = [n.strip().lower() for n in self.messengers_setting.split(",") if n.strip()]
        if names:
            return list(dict.fromkeys(names))
        return (["aiogram"] if self.bot_token else []) + (["zalo"] if self.zalo_bot_token else [])

    def pace(self, platform: str) -> dict[str, float]:
        """The outbox sender's pace for a messenger (`OutboxSender` options)."""
        if platform == "zalo":
            return {"rate": self.zalo_rate, "per_chat_interval": self.zalo_per_chat_interval}
        return {"rate": 30.0, "per_chat_interval": 1.0}  # Telegram's documented limits

    @property
    def chat(self) -> ChatSettings:
        return ChatSettings(timezone=ZoneInfo(self.tz), default_language=self.default_language)


def _secret(value: SecretStr | None, form: re.Pattern[str], problem: str) -> SecretStr | None:
    """A token or a secret: None when blank, else it must have `form` (the `problem`
    never shows it)."""
    secret = value.get_secret_value().strip() if value is not None else ""
    if not secret:
        return None
    if not form.fullmatch(secret):
        raise ValueError(problem)
    return SecretStr(secret)


class _Language(BaseSettings):
    """DEFAULT_LANGUAGE alone, read from the same places as Settings: the language in
    which to say that the other settings are wrong."""

    model_config = SOURCES

    default_language: str = Field(default="vi", alias="DEFAULT_LANGUAGE")


def language_hint() -> str:
    """DEFAULT_LANGUAGE when it is a language of the bot, else Vietnamese; never fails."""
    try:
        language = _Language().default_language
    except Exception:  # an unreadable .env: Settings() will say so
        return "vi"
    return language if language in SUPPORTED_LOCALES else "vi"


def load_settings() -> Settings:
    """The settings, or ConfigError naming the first variable that is wrong."""
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        variable = str(first["loc"][0]) if first["loc"] else "?"
        value = first.get("input")
        if variable in PROBLEMS and isinstance(value, str):
            raise ConfigError(PROBLEMS[variable], variable=variable, value=value) from None
        problem = first["msg"].removeprefix("Value error, ")
        raise ConfigError(N_("{variable}: {problem}"), variable=variable, problem=problem) from None
    check_messengers(settings)
    return settings


def check_messengers(settings: Settings) -> None:
    """ConfigError when `MESSENGERS` names an unknown adapter, both ways of serving
    Telegram, or a messenger whose token is not set."""
    names = settings.messengers
    unknown = [n for n in names if n not in ADAPTERS]
    if unknown:
        raise ConfigError(
            N_("MESSENGERS: “{value}” is not a messenger of the bot; use {choices}."),
            value=unknown[0],
            choices=", ".join(ADAPTERS),
        )
    if len([n for n in names if n in TELEGRAM_ADAPTERS]) > 1:
        raise ConfigError(
            N_(
                "MESSENGERS: aiogram and ptb both serve Telegram with the one BOT_TOKEN; "
                "choose one of them."
            )
        )
    if any(n in TELEGRAM_ADAPTERS for n in names) and settings.bot_token is None:
        raise ConfigError(N_("MESSENGERS names Telegram, but BOT_TOKEN is not set."))
    if "zalo" in names and settings.zalo_bot_token is None:
        raise ConfigError(N_("MESSENGERS names Zalo, but ZALO_BOT_TOKEN is not set."))
    if settings.webhook_url and settings.webhook_secret is None:
        raise ConfigError(
            N_(
                "WEBHOOK_URL is set, but WEBHOOK_SECRET is not: without it anyone could "
                "post updates to the bot. Set WEBHOOK_SECRET to 8 to 256 letters, digits, _ "
                "or -."
            )
        )
    if settings.workers > 1 and not settings.webhook_url:
        raise ConfigError(
            N_(
                "WORKERS is {value}, but the messengers give updates by long polling to one "
                "process only: set WEBHOOK_URL (and WEBHOOK_SECRET) to serve with several "
                "workers."
            ),
            value=settings.workers,
        )
