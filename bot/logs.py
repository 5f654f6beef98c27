"""The bot's log lines on standard error: text for a person at a terminal (the default),
or with LOG_FORMAT=json one JSON object a line for a log collector (journald, Docker's
json-file or Loki): time (ISO 8601, UTC), level, logger, message, and exception when
there is a traceback.

The filters that keep the messengers' tokens out (`bot.telegram_ptb.hide_token`) act on
the loggers, before any formatter: a JSON line hides them as a text line does.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

FORMATS = ("text", "json")
TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object a line, without the newlines a traceback would add."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def formatter(log_format: str) -> logging.Formatter:
    """The formatter of LOG_FORMAT ("text" or "json")."""
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT)


def configure(log_format: str, level: int) -> None:
    """The root logger writes to standard error at `level`, in `log_format`."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format))
    logging.basicConfig(level=level, handlers=[handler])
