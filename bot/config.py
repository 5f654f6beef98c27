"""The bot's one settings object: environment variables or a `.env` file.

The token is a SecretStr: it never appears in logs or in `repr(settings)`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.dispatcher import ChatSettings
from locales import SUPPORTED_LOCALES
from storage.db import DEFAULT_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, alias="BOT_TOKEN")
    telegram_api_url: str = Field(default="https://api.telegram.org", alias="TELEGRAM_API_URL")
    database_url: str = Field(default=DEFAULT_URL, alias="DATABASE_URL")
    tz: str = Field(default="Asia/Ho_Chi_Minh", alias="TZ")
    default_language: str = Field(default="vi", alias="DEFAULT_LANGUAGE")

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value.startswith(":"):  # the C library's form (":/etc/localtime"): not ours
            return "Asia/Ho_Chi_Minh"
        ZoneInfo(value)  # raises for an unknown zone
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
        return value if value is not None and value.get_secret_value().strip() else None

    @property
    def chat(self) -> ChatSettings:
        return ChatSettings(timezone=ZoneInfo(self.tz), default_language=self.default_language)
