"""The bot's one settings object: environment variables or a `.env` file.

The token is a SecretStr: it never appears in logs or in `repr(settings)`. A setting that
cannot work is one line for the person who set it (`load_settings`, `ConfigError`).
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
}
TOKEN = re.compile(r"\d+:\S+")  # what aiogram accepts: the bot's id, a colon, a secret


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
    database_url: str = Field(default_factory=default_url, alias="DATABASE_URL")
    tz: str = Field(default="Asia/Ho_Chi_Minh", alias="TZ")
    default_language: str = Field(default="vi", alias="DEFAULT_LANGUAGE")

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

    @field_validator("bot_token")
    @classmethod
    def _blank_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        token = value.get_secret_value().strip() if value is not None else ""
        if not token:
            return None
        if not TOKEN.fullmatch(token):  # the message never shows the token
            raise ValueError("not a Telegram bot token")
        return SecretStr(token)

    @property
    def chat(self) -> ChatSettings:
        return ChatSettings(timezone=ZoneInfo(self.tz), default_language=self.default_language)


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
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        variable = str(first["loc"][0]) if first["loc"] else "?"
        value = first.get("input")
        if variable in PROBLEMS and isinstance(value, str):
            raise ConfigError(PROBLEMS[variable], variable=variable, value=value) from None
        problem = first["msg"].removeprefix("Value error, ")
        raise ConfigError(N_("{variable}: {problem}"), variable=variable, problem=problem) from None
