"""A local fake Telegram Bot API server for the test suite.

The fake listens on ``127.0.0.1`` on a free port and answers the Bot API the way
``api.telegram.org`` does, so a real bot client (aiogram, python-telegram-bot, plain
aiohttp) can be pointed at it::

    server = FakeTelegram()
    await server.start()
    api = TelegramAPIServer.from_base(server.base_url)
    bot = Bot(server.token, session=AiohttpSession(api=api))
    ...
    await server.stop()

or, in a test, through the ``fake_telegram`` fixture (``from tests.fake_telegram import
fake_telegram_fixture`` in the test module, or ``pytest_plugins = ["tests.fake_telegram"]``
in a conftest)::

    async def test_start(fake_telegram):
        fake_telegram.send_text(42, "/start ABC")
        ...  # run the bot's polling loop against fake_telegram.base_url
        call = await fake_telegram.wait_for_call("sendMessage")
        assert "Xin chào" in fake_telegram.last(42)["text"]

Routes: ``GET|POST {base_url}/bot{TOKEN}/{method}`` (method names are case-insensitive,
as on Telegram) and ``GET {base_url}/file/bot{TOKEN}/{file_path}`` for downloads.
Bodies may be ``application/json``, ``application/x-www-form-urlencoded`` or
``multipart/form-data`` (aiogram sends the latter, with nested objects JSON-encoded as
strings and uploads as ``attach://<name>`` parts); query parameters are merged in.

What every call is checked against
-----------------------------------
The machine-readable Bot API description ``tests/data/telegram-bot-api.json``, a copy of
the project's ``shared/telegram/api.json`` (path
overridable with the ``TELEGRAM_API_SPEC`` environment variable or ``spec_path=``).
A call is rejected the way Telegram rejects it:

* wrong or missing token in the path: 401 ``Unauthorized``;
* unknown method: 404 ``Not Found``;
* a required field missing (``chat_id is empty``, ``message text is empty``, ...): 400;
* a field of the wrong type: 400. Scalars: Integer takes ints and decimal strings (form
  posts send strings), Float takes numbers and numeric strings, Boolean takes true/false
  and "true"/"false", String takes strings only. Objects (JSON-decoded first when a
  top-level value is a string) are checked recursively: required fields and field types.
  "Array of X" / "Array of Array of X" are checked element by element; a union ("Integer
  or String", "InlineKeyboardMarkup or ReplyKeyboardMarkup or ...") must match one of its
  members; abstract types (``BotCommandScope``, ``MenuButton``, ``InputMedia``, ...) are
  dispatched on their discriminator (``type`` / ``status`` / ``source``, read from the
  "always ..." / "must be ..." wording of the spec). ``InputFile`` is an uploaded part
  (named like the field, or referenced by an ``attach://name`` value);
* ``text`` of sendMessage / editMessageText empty or whitespace-only (``message text is
  empty``) or longer than 4096 characters (``message is too long``); any ``caption``
  longer than 1024 characters (``message caption is too long``); lengths are Python
  ``len`` of the text *after* HTML / MarkdownV2 markup is parsed;
* markup that Telegram cannot parse with ``parse_mode`` HTML, MarkdownV2 or Markdown
  (``can't parse entities: ...``), and an unsupported ``parse_mode``;
* any ``InlineKeyboardButton.callback_data`` outside 1-64 UTF-8 *bytes*
  (``BUTTON_DATA_INVALID``), and inline buttons without any action field;
* edits of a message the bot never sent to that chat (``message to edit not found``),
  edits that change nothing (``message is not modified: ...``), deletes of unknown
  messages, answers to unknown callback query ids.

Unknown fields are not errors (Telegram ignores them) but are recorded in
``server.unknown_fields`` and on each :class:`Call`.

Behaviour
---------
``getMe`` returns the bot ``@danhgia_test_bot``; ``getUpdates`` long-polls (``offset``
confirms, ``timeout`` is capped at ``server.max_poll_wait`` seconds, ``limit`` honoured);
``sendMessage`` / ``sendDocument`` / ``sendPhoto`` (and other ``send*`` methods that
return a Message) record a message with a per-chat increasing ``message_id``;
``editMessageText`` / ``editMessageCaption`` / ``editMessageReplyMarkup`` change the
record (omitting ``reply_markup`` removes the inline keyboard, as on Telegram);
``deleteMessage`` removes it; ``getFile`` and downloads serve uploaded files. Any other
valid method answers ``True`` when the spec says it returns Boolean, otherwise a minimal
object of its return type (required fields filled with zero values) that bot libraries
can deserialize.

Tests drive the "user" side with :meth:`FakeTelegram.send_text`, :meth:`~FakeTelegram.press`,
:meth:`~FakeTelegram.send_document` and :meth:`~FakeTelegram.replay`, inspect
``calls`` / ``rejected`` / :meth:`~FakeTelegram.sent` / :meth:`~FakeTelegram.last`, wait
with :meth:`~FakeTelegram.wait_for_call` / :meth:`~FakeTelegram.wait_until_idle`, and
inject errors with :meth:`~FakeTelegram.fail_next`, or a seeded random share of a method's
calls with :meth:`~FakeTelegram.fail_randomly` (429, 500, or an answer later than the
client waits: the call is accepted all the same, see ``late``).

Every instance owns its state; the only module-level cache is the parsed (read-only)
spec, keyed by its path.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import itertools
import json
import math
import os
import random
import re
import socket
import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import aiohttp
import pytest_asyncio
from aiohttp import web

if TYPE_CHECKING:
    from aiogram import Bot

__all__ = [
    "BOT_USERNAME",
    "DEFAULT_SPEC_PATH",
    "DEFAULT_TOKEN",
    "ApiSpec",
    "Call",
    "FakeTelegram",
    "Rejection",
    "UploadedFile",
    "fake_telegram_fixture",
    "load_spec",
]

DEFAULT_TOKEN = "123456:TEST-TOKEN"
BOT_USERNAME = "danhgia_test_bot"
SPEC_ENV = "TELEGRAM_API_SPEC"
# A copy of shared/telegram/api.json (Bot API 10.1), so the tests run on any machine.
DEFAULT_SPEC_PATH = Path(__file__).resolve().parent / "data" / "telegram-bot-api.json"

TEXT_MAX = 4096
CAPTION_MAX = 1024
CALLBACK_DATA_MAX_BYTES = 64

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)

# Fields of InlineKeyboardButton of which exactly one must be used.
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
# Types for which Telegram still accepts the plain string of older Bot API versions
# (aiogram sends poll options as strings when given strings).
_LEGACY_STRING_TYPES = frozenset({"InputPollOption"})
_INT_RE = re.compile(r"[+-]?\d+")
_DISCRIMINATOR_RE = re.compile(r"(?:always|must be)\s+[\"“]?([A-Za-z0-9_]+)[\"”]?\s*$")
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")

ChatKey = int | str


# --------------------------------------------------------------------------------------
# The spec


@dataclass(frozen=True)
class SpecField:
    """One field of a method or type: its name, accepted types and whether required."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class SpecType:
    """An object type. Abstract types list ``subtypes``; concrete subtypes of an abstract
    type carry ``discriminator`` = (field, fixed value), e.g. ("type", "chat")."""

    name: str
    fields: Mapping[str, SpecField]
    subtypes: tuple[str, ...] = ()
    discriminator: tuple[str, str] | None = None


@dataclass(frozen=True)
class SpecMethod:
    name: str
    fields: Mapping[str, SpecField]
    returns: tuple[str, ...]


@dataclass(frozen=True)
class ApiSpec:
    """The parsed api.json: read-only once loaded."""

    version: str
    methods: Mapping[str, SpecMethod]
    types: Mapping[str, SpecType]
    _by_lower: Mapping[str, str]

    def method(self, name: str) -> SpecMethod | None:
        """The method called ``name`` (case-insensitive, as on Telegram), or None."""
        canonical = self._by_lower.get(name.lower())
        return None if canonical is None else self.methods[canonical]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ApiSpec:
        def fields_of(raw: Mapping[str, Any]) -> dict[str, SpecField]:
            return {
                f["name"]: SpecField(f["name"], tuple(f["types"]), bool(f.get("required")))
                for f in raw.get("fields", ())
            }

        types: dict[str, SpecType] = {}
        for name, raw in data.get("types", {}).items():
            fields = fields_of(raw)
            discriminator = None
            if raw.get("subtype_of") and fields:
                first = next(iter(fields.values()))
                desc = next(
                    (f.get("description", "") for f in raw["fields"] if f["name"] == first.name),
                    "",
                )
                match = _DISCRIMINATOR_RE.search(desc)
                if first.types == ("String",) and first.required and match:
                    discriminator = (first.name, match.group(1))
            types[name] = SpecType(name, fields, tuple(raw.get("subtypes", ())), discriminator)
        methods = {
            name: SpecMethod(name, fields_of(raw), tuple(raw.get("returns", ())))
            for name, raw in data.get("methods", {}).items()
        }
        return cls(
            version=str(data.get("version", "")),
            methods=methods,
            types=types,
            _by_lower={name.lower(): name for name in methods},
        )


def spec_path_from_env() -> Path:
    """``$TELEGRAM_API_SPEC`` if set, else the copy in tests/data."""
    override = os.environ.get(SPEC_ENV)
    return Path(override) if override else DEFAULT_SPEC_PATH


def load_spec(path: str | Path | None = None) -> ApiSpec:
    """Load (once per path) the Bot API description."""
    resolved = Path(path) if path is not None else spec_path_from_env()
    return _load_spec_cached(str(resolved.resolve()))


@functools.lru_cache(maxsize=8)
def _load_spec_cached(path: str) -> ApiSpec:
    with open(path, encoding="utf-8") as fh:
        return ApiSpec.from_json(json.load(fh))


# --------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class UploadedFile:
    """A multipart part that carried a file."""

    name: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Call:
    """An accepted call: params are parsed (JSON strings decoded, ints/bools converted)."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()
    result: Any = None


class Rejection(NamedTuple):
    """A call answered with an error (params as received, before conversion)."""

    method: str
    params: dict[str, Any]
    status: int
    description: str


class _Reject(Exception):
    """Abort the request with a Telegram error answer."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


class _Invalid(Exception):
    """A value does not match a type.

    ``close``: the value had the right shape (for union error reporting);
    ``hard``: a Telegram-specific error that ends the check at once (e.g. BUTTON_DATA_INVALID).
    """

    def __init__(self, description: str, *, close: bool = False, hard: bool = False) -> None:
        super().__init__(description)
        self.description = description
        self.close = close or hard
        self.hard = hard


@dataclass
class _Queued:
    update: dict[str, Any]
    replay: bool = False
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return self.update["update_id"]


def _chat_of(update: dict[str, Any]) -> Any:
    message = update.get("message") or (update.get("callback_query") or {}).get("message") or {}
    return (message.get("chat") or {}).get("id", update["update_id"])


@dataclass
class _Failure:
    method: str
    status: int
    description: str
    parameters: dict[str, Any] | None
    remaining: int
    chat_id: ChatKey | None


def _failure(
    method: str,
    status: int,
    retry_after: int = 1,
    description: str | None = None,
    times: int = 1,
    chat_id: ChatKey | None = None,
) -> _Failure:
    """An error answer: 429 gives "Too Many Requests: retry after N" with
    ``parameters.retry_after``; other statuses a Telegram-like description."""
    if status == 429:
        text = description or f"Too Many Requests: retry after {retry_after}"
        return _Failure(method, status, text, {"retry_after": retry_after}, times, chat_id)
    text = description or _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
    return _Failure(method, status, text, None, times, chat_id)


@dataclass
class _RandomFaults:
    method: str
    share: float
    rng: random.Random
    faults: tuple[str, ...]
    retry_after: int
    delay: float


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes


# --------------------------------------------------------------------------------------
# Formatted text (parse_mode)


def _u16(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _cant_parse(message: str) -> _Invalid:
    return _Invalid(f"can't parse entities: {message}", hard=True)


_HTML_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def _html_unescape(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        if m.group(1):
            return _HTML_NAMED[m.group(1)]
        code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
        return chr(code) if 0 < code <= 0x10FFFF else m.group(0)

    return _HTML_ENTITY_RE.sub(repl, text)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: the plain text and its entities (UTF-16 offsets).

    Modelled on TDLib: only the documented tags (plus any ``tg-*``), every tag closed in
    order, a bare ``<`` is an error; only &lt; &gt; &amp; &quot; and numeric entities
    are decoded, other ``&`` are kept as they are.
    """
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, dict[str, str], int]] = []  # tag, attributes, start offset
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "&":
            m = _HTML_ENTITY_RE.match(text, i)
            if m:
                out.append(_html_unescape(m.group(0)))
                i = m.end()
            else:
                out.append("&")
                i += 1
            continue
        if c != "<":
            out.append(c)
            i += 1
            continue
        at = _byte_offset(text, i)
        if text.startswith("</", i):
            end = text.find(">", i)
            if end < 0:
                raise _cant_parse(f"Unclosed end tag at byte offset {at}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise _cant_parse(f"Unexpected end tag at byte offset {at}")
            if name != stack[-1][0]:
                raise _cant_parse(
                    f'Unmatched end tag at byte offset {at}, expected "</{stack[-1][0]}>", '
                    f'found "</{name}>"'
                )
            tag, attrs, start = stack.pop()
            _html_entity(entities, tag, attrs, start, _u16("".join(out)), stack)
            i = end + 1
            continue
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS and not name.startswith("tg-"):
            raise _cant_parse(f'Unsupported start tag "{name}" at byte offset {at}')
        attrs: dict[str, str] = {}
        while True:
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise _cant_parse(f"Unclosed start tag at byte offset {at}")
            if text[j] == ">":
                break
            k = j
            while k < n and not text[k].isspace() and text[k] not in "=>":
                k += 1
            attr = text[j:k].lower()
            value = ""
            if k < n and text[k] == "=":
                k += 1
                if k < n and text[k] in "\"'":
                    close = text.find(text[k], k + 1)
                    if close < 0:
                        raise _cant_parse(f"Unclosed start tag at byte offset {at}")
                    value, k = text[k + 1 : close], close + 1
                else:
                    v = k
                    while k < n and not text[k].isspace() and text[k] != ">":
                        k += 1
                    value = text[v:k]
            if not attr:
                raise _cant_parse(f"Empty attribute name in the tag at byte offset {at}")
            attrs[attr] = _html_unescape(value)
            j = k
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _cant_parse('Tag "span" must have class "tg-spoiler"')
        stack.append((name, attrs, _u16("".join(out))))
        i = j + 1
    if stack:
        raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _html_entity(
    entities: list[dict[str, Any]],
    tag: str,
    attrs: Mapping[str, str],
    start: int,
    end: int,
    stack: list[tuple[str, dict[str, str], int]],
) -> None:
    kind = _HTML_TAGS.get(tag)
    if kind is None or end <= start:
        return
    entity: dict[str, Any] = {"type": kind, "offset": start, "length": end - start}
    if tag == "a":
        if not attrs.get("href"):
            return
        entity["url"] = attrs["href"]
    elif tag == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            # <pre><code class="language-x"> is one pre entity with a language.
            stack[-1][1]["_language"] = language.removeprefix("language-")
        return
    elif tag == "pre" and attrs.get("_language"):
        entity["language"] = attrs["_language"]
    elif tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    entities.append(entity)


_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's MarkdownV2 parse mode (a port of TDLib's parser, blockquotes simplified).

    Every reserved character ``_*[]()~`>#+-=|{}.!`` outside markup must be escaped with
    ``\\``; inside code and pre only ``\\`` and ````` need escaping.
    """
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []  # open entities: type, start, byte, argument
    expandable = False
    i, n = 0, len(text)

    def here() -> int:
        return _u16("".join(out))

    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "\\" and nxt and 0 < ord(nxt) <= 126:
            out.append(nxt)
            i += 2
            continue
        top = stack[-1]["type"] if stack else None
        in_code = top in ("code", "pre")
        line_start = i == 0 or text[i - 1] == "\n"
        if not in_code and line_start and not stack:
            if text.startswith("**>", i):
                expandable, i = True, i + 3
                continue
            if c == ">":
                i += 1
                continue
        if (
            expandable
            and top != "spoiler"
            and text.startswith("||", i)
            and (i + 2 == n or text[i + 2] == "\n")
        ):
            expandable, i = False, i + 2
            continue
        reserved = "`" if in_code else _MDV2_RESERVED
        if c not in reserved:
            out.append(c)
            i += 1
            continue
        is_end = {
            "bold": c == "*",
            "italic": c == "_" and nxt != "_",
            "underline": c == "_" and nxt == "_",
            "strikethrough": c == "~",
            "spoiler": c == "|" and nxt == "|",
            "code": c == "`",
            "pre": text.startswith("```", i),
            "text_link": c == "]",
            "custom_emoji": c == "]",
        }.get(top or "", False)
        at = _byte_offset(text, i)
        if not is_end:
            argument = ""
            if c == "_" and nxt == "_":
                kind, i = "underline", i + 2
            elif c == "_":
                kind, i = "italic", i + 1
            elif c == "*":
                kind, i = "bold", i + 1
            elif c == "~":
                kind, i = "strikethrough", i + 1
            elif c == "|" and nxt == "|":
                kind, i = "spoiler", i + 2
            elif c == "[":
                kind, i = "text_link", i + 1
            elif c == "!" and nxt == "[":
                kind, i = "custom_emoji", i + 2
            elif c == "`" and text.startswith("```", i):
                kind, i = "pre", i + 3
                end = i
                while end < n and not text[end].isspace() and text[end] != "`":
                    end += 1
                if end != i and end < n and text[end] != "`":
                    argument, i = text[i:end], end
                if i < n and text[i] in "\r\n":
                    i += 1
            elif c == "`":
                kind, i = "code", i + 1
            else:
                raise _cant_parse(
                    f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
                )
            stack.append(
                {
                    "type": kind,
                    "start": here(),
                    "chars": sum(map(len, out)),
                    "byte": at,
                    "argument": argument,
                }
            )
            continue
        opened = stack.pop()
        kind = opened["type"]
        entity: dict[str, Any] = {"type": kind, "offset": opened["start"]}
        if kind in ("underline", "spoiler"):
            i += 2
        elif kind == "pre":
            i += 3
            if opened["argument"]:
                entity["language"] = opened["argument"]
        elif kind in ("text_link", "custom_emoji"):
            i += 1
            if i < n and text[i] == "(":
                url_start, i = i + 1, i + 1
                url: list[str] = []
                while i < n and text[i] != ")":
                    if text[i] == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
                        url.append(text[i + 1])
                        i += 2
                        continue
                    url.append(text[i])
                    i += 1
                if i >= n:
                    offset = _byte_offset(text, url_start)
                    raise _cant_parse(f"Can't find end of a URL at byte offset {offset}")
                i += 1
                target = "".join(url)
            elif kind == "custom_emoji":
                raise _cant_parse("Custom emoji entity must contain a tg://emoji URL")
            else:
                target = "".join(out)[opened["chars"] :]
            if kind == "text_link":
                entity["url"] = target
            else:
                entity["custom_emoji_id"] = target.rpartition("id=")[2]
        else:
            i += 1
        entity["length"] = here() - opened["start"]
        if entity["length"] > 0:
            entities.append(entity)
    if stack:
        raise _cant_parse(
            f"Can't find end of {stack[-1]['type']} entity at byte offset {stack[-1]['byte']}"
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url);
    entities do not nest and an unclosed one is an error."""
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            i += 1
            continue
        at = _byte_offset(text, i)
        start = _u16("".join(out))
        error = _cant_parse(f"Can't find end of the entity starting at byte offset {at}")
        entity: dict[str, Any]
        if c == "[":
            close = text.find("]", i + 1)
            if close < 0 or not text.startswith("(", close + 1):
                raise error
            url_end = text.find(")", close + 2)
            if url_end < 0:
                raise error
            body = text[i + 1 : close]
            entity = {"type": "text_link", "url": text[close + 2 : url_end]}
            i = url_end + 1
        elif text.startswith("```", i):
            close = text.find("```", i + 3)
            if close < 0:
                raise error
            body = text[i + 3 : close]
            entity = {"type": "pre"}
            first, newline, rest = body.partition("\n")
            if newline and first and not first.isspace() and " " not in first:
                entity["language"], body = first, rest
            i = close + 3
        else:
            close = text.find(c, i + 1)
            if close < 0:
                raise error
            body = text[i + 1 : close]
            entity = {"type": {"*": "bold", "_": "italic", "`": "code"}[c]}
            i = close + 1
        out.append(body)
        entity.update(offset=start, length=_u16(body))
        if entity["length"]:
            entities.append(entity)
    return "".join(out), entities


def parse_formatted(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of ``text`` sent with ``parse_mode``; _Invalid if unparsable."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    if mode:
        raise _Invalid("unsupported parse_mode", hard=True)
    return text, []


# --------------------------------------------------------------------------------------
# Validation against the spec


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class _Validator:
    """Checks one call's values against the spec, converting them as it goes."""

    def __init__(self, spec: ApiSpec, files: Mapping[str, UploadedFile]) -> None:
        self.spec = spec
        self.files = files
        self.unknown: list[str] = []

    def check(self, value: Any, types: tuple[str, ...], path: str, *, top: bool = False) -> Any:
        if len(types) == 1:
            return self.check_one(value, types[0], path, top=top)
        errors: list[_Invalid] = []
        for t in types:
            try:
                return self.check_one(value, t, path, top=top)
            except _Invalid as e:
                if e.hard:
                    raise
                errors.append(e)
        close = [e for e in errors if e.close]
        if close:
            raise close[0]
        raise _Invalid(f'field "{path}" must be of type {" or ".join(types)}')

    def _decode(self, value: Any, path: str) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise _Invalid(f"can't parse {path} JSON object", hard=True) from None

    def check_one(self, value: Any, t: str, path: str, *, top: bool = False) -> Any:
        wrong = _Invalid(f'field "{path}" must be of type {t}')
        if t.startswith("Array of "):
            if top:
                value = self._decode(value, path)
            if not isinstance(value, list):
                raise wrong
            inner = (t.removeprefix("Array of "),)
            return [self.check(v, inner, f"{path}[{k}]") for k, v in enumerate(value)]
        if t == "Integer":
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
                return int(value)
            raise wrong
        if t == "Float":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
            if isinstance(value, str):
                try:
                    number = float(value)
                except ValueError:
                    raise wrong from None
                if math.isfinite(number):
                    return number
            raise wrong
        if t == "Boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise wrong
        if t == "String":
            if isinstance(value, str):
                return value
            raise wrong
        if t == "InputFile":
            if isinstance(value, UploadedFile):
                return value
            if isinstance(value, str) and value.startswith("attach://"):
                name = value.removeprefix("attach://")
                if name in self.files:
                    return value
                raise _Invalid(
                    f'field "{path}" refers to "{value}" but no such file part was sent',
                    hard=True,
                )
            raise wrong
        if t in _LEGACY_STRING_TYPES and isinstance(value, str):
            return value
        obj = self.spec.types.get(t)
        if obj is None:  # a name the spec does not define: nothing to check against
            return value
        # RichText lists "String" and "Array of RichText" among its subtypes.
        non_objects = tuple(s for s in obj.subtypes if s not in self.spec.types)
        if top and "String" not in non_objects:
            value = self._decode(value, path)
        if not isinstance(value, dict):
            if non_objects:
                return self.check(value, non_objects, path)
            raise wrong
        return self.check_object(value, obj, path)

    def check_object(self, value: dict[str, Any], obj: SpecType, path: str) -> dict[str, Any]:
        if obj.subtypes:
            return self._check_abstract(value, obj, path)
        if obj.discriminator:
            key, expected = obj.discriminator
            if value.get(key) != expected:
                raise _Invalid(f'field "{_join(path, key)}" must be "{expected}"')
        for f in obj.fields.values():
            if f.required and value.get(f.name) is None:
                raise _Invalid(f'field "{_join(path, f.name)}" is required')
        out: dict[str, Any] = {}
        for key, item in value.items():
            f = obj.fields.get(key)
            if f is None:
                self.unknown.append(_join(path, key))
                out[key] = item
            elif item is None:
                out[key] = None
            else:
                try:
                    out[key] = self.check(item, f.types, _join(path, key))
                except _Invalid as e:
                    raise _Invalid(e.description, close=True, hard=e.hard) from None
        self._extra_checks(obj.name, out, path)
        return out

    def _check_abstract(self, value: dict[str, Any], obj: SpecType, path: str) -> dict[str, Any]:
        subs = [self.spec.types[s] for s in obj.subtypes if s in self.spec.types]
        keys = {s.discriminator[0] for s in subs if s.discriminator}
        if subs and len(keys) == 1 and all(s.discriminator for s in subs):
            (key,) = keys
            got = value.get(key)
            if got is None:
                raise _Invalid(f'field "{_join(path, key)}" is required')
            matching = tuple(s.name for s in subs if s.discriminator and s.discriminator[1] == got)
            if not matching:
                allowed = ", ".join(s.discriminator[1] for s in subs if s.discriminator)
                raise _Invalid(f'field "{_join(path, key)}" must be one of: {allowed}')
            try:
                return self.check(value, matching, path)
            except _Invalid as e:
                raise _Invalid(e.description, close=True, hard=e.hard) from None
        return self.check(value, tuple(s.name for s in subs), path)

    def _extra_checks(self, type_name: str, obj: dict[str, Any], path: str) -> None:
        """Limits written in the descriptions rather than in the types."""
        if type_name == "InlineKeyboardButton":
            data = obj.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES:
                raise _Invalid("BUTTON_DATA_INVALID", hard=True)
            if not any(obj.get(a) is not None for a in _BUTTON_ACTIONS):
                raise _Invalid(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard",
                    hard=True,
                )
        elif type_name == "InputTextMessageContent":
            check_text(obj["message_text"], obj.get("parse_mode"))
        if isinstance(obj.get("caption"), str):
            check_caption(obj["caption"], obj.get("parse_mode"))


def check_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Message text rules: 1-4096 characters after parsing, not only whitespace."""
    plain, entities = parse_formatted(text, parse_mode)
    if not plain.strip():
        raise _Invalid("message text is empty", hard=True)
    if len(plain) > TEXT_MAX:
        raise _Invalid("message is too long", hard=True)
    return plain, entities


def check_caption(caption: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Caption rules: 0-1024 characters after parsing."""
    plain, entities = parse_formatted(caption, parse_mode)
    if len(plain) > CAPTION_MAX:
        raise _Invalid("message caption is too long", hard=True)
    return plain, entities


def _missing(method: str, name: str) -> str:
    if name in ("text", "message_text"):
        return "Bad Request: message text is empty"
    if name == "chat_id":
        return "Bad Request: chat_id is empty"
    return f'Bad Request: parameter "{name}" is required'


def validate_call(
    spec: ApiSpec, method: SpecMethod, params: Mapping[str, Any], files: Mapping[str, UploadedFile]
) -> tuple[dict[str, Any], list[str]]:
    """Check a call of ``method``; the converted params and the unknown field paths.

    Raises _Reject (400) with Telegram's description when the call is invalid.
    """
    v = _Validator(spec, files)
    for f in method.fields.values():
        if f.required and params.get(f.name) in (None, "") and f.name not in files:
            raise _Reject(400, _missing(method.name, f.name))
    out: dict[str, Any] = {}
    try:
        for key, value in params.items():
            f = method.fields.get(key)
            if f is None:
                v.unknown.append(key)
                out[key] = value
            elif value is not None:
                out[key] = v.check(value, f.types, key, top=True)
        for key, upload in files.items():
            f = method.fields.get(key)
            if f is not None and key not in params:
                v.check(upload, f.types, key)
        parse_mode = out.get("parse_mode")
        if parse_mode is not None:
            parse_formatted("", parse_mode)
        if method.name in ("sendMessage", "editMessageText"):
            if "text" in out:
                check_text(out["text"], parse_mode)
            elif "rich_message" not in out:
                raise _Invalid("message text is empty")
        if isinstance(out.get("caption"), str):
            check_caption(out["caption"], parse_mode)
    except _Invalid as e:
        raise _Reject(400, f"Bad Request: {e.description}") from None
    return out, v.unknown


# --------------------------------------------------------------------------------------
# The server


def _chat_key(chat_id: Any) -> ChatKey:
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id).strip()
    return int(text) if _INT_RE.fullmatch(text) else text


def _json_response(status: int, body: Mapping[str, Any]) -> web.Response:
    return web.json_response(
        body, status=status, dumps=functools.partial(json.dumps, ensure_ascii=False)
    )


def _error_body(status: int, description: str, parameters: dict | None = None) -> dict:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

Handler = Callable[[dict[str, Any], dict[str, UploadedFile]], Any]


class FakeTelegram:
    """A fake Bot API server on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        spec_path: str | Path | None = None,
        bot_username: str = BOT_USERNAME,
        max_poll_wait: float = 1.0,
        first_update_id: int = 1,
    ) -> None:
        self.token = token
        self.spec = load_spec(spec_path)
        #: Longest time (seconds) a getUpdates call waits, whatever its ``timeout``.
        self.max_poll_wait = max_poll_wait
        #: Every accepted call, in the order they were answered.
        self.calls: list[Call] = []
        #: Every call answered with an error (including injected failures).
        self.rejected: list[Rejection] = []
        #: (method, dotted path) of every field the spec does not know.
        self.unknown_fields: list[tuple[str, str]] = []
        prefix = token.partition(":")[0]
        self.bot_user: dict[str, Any] = {
            "id": int(prefix) if prefix.isdigit() else 123456,
            "is_bot": True,
            "first_name": "Đánh giá (test)",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread_id: int | None = None
        self._closing = False
        #: setWebhook's url and secret_token; None: updates wait for getUpdates.
        self.webhook: dict[str, Any] | None = None
        #: Every webhook POST: (update_id, HTTP status, or 0 when the connection failed).
        self.webhook_posts: list[tuple[int, int]] = []
        self._pusher: asyncio.Task[None] | None = None
        self._posting: set[asyncio.Future[None]] = set()
        self._queue: list[_Queued] = []
        self._history: dict[int, dict[str, Any]] = {}
        self._update_ids = itertools.count(first_update_id)
        self._messages: dict[ChatKey, list[dict[str, Any]]] = {}
        self._user_message_ids: dict[ChatKey, set[int]] = {}
        self._message_ids: dict[ChatKey, itertools.count[int]] = {}
        self._chats: dict[ChatKey, dict[str, Any]] = {}
        self._callback_ids = itertools.count(4_000_000_000_001)
        self._open_callbacks: set[str] = set()
        self._failures: list[_Failure] = []
        self._random: _RandomFaults | None = None
        #: Accepted calls answered ``delay`` seconds late by `fail_randomly` ("timeout").
        self.late: list[Call] = []
        self._injected: set[int] = set()  # ids of Rejection records from fail_next
        self._files: dict[str, _StoredFile] = {}
        self._file_paths: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._new_update = asyncio.Event()
        self._new_call = asyncio.Event()
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "getWebhookInfo": self._get_webhook_info,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "getFile": self._get_file,
        }

    # ---- lifecycle

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 on `port`, by default a free one."""
        if self._runner is not None:
            raise RuntimeError("FakeTelegram is already started")
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", port))
            site = web.SockSite(runner, sock)
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._port = sock.getsockname()[1]
        self._runner = runner
        self._loop = asyncio.get_running_loop()
        self._thread_id = threading.get_ident()
        self._closing = False

    async def stop(self) -> None:
        """Wake pending long polls and stop listening (safe to call twice)."""
        self._closing = True
        if self._pusher is not None:
            self._pusher.cancel()
        self._new_update.set()
        runner, self._runner = self._runner, None
        self._port = None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; the API is at ``{base_url}/bot{token}/{method}``."""
        return f"http://127.0.0.1:{self.port}"

    def aiogram_bot(self, **kwargs: Any) -> Bot:
        """An aiogram Bot talking to this server (close it with ``await bot.session.close()``)."""
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        api = TelegramAPIServer.from_base(self.base_url)
        return Bot(self.token, session=AiohttpSession(api=api), **kwargs)

    # ---- the "user" side

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        language_code: str | None = "vi",
        *,
        username: str | None = None,
    ) -> dict[str, Any]:
        """A Telegram User object for a human user."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def send_text(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        *,
        first_name: str = "Test",
        language_code: str | None = "vi",
    ) -> int:
        """Enqueue a user's text message (with a bot_command entity for "/cmd ...");
        returns its update_id."""
        message = self._user_message(chat_id, user_id, first_name, language_code)
        message["text"] = text
        command = _COMMAND_RE.match(text)
        if command:
            length = _u16(command.group(0))
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._enqueue({"message": message})

    def send_document(
        self,
        chat_id: int,
        data: bytes,
        file_name: str,
        user_id: int | None = None,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        first_name: str = "Test",
        language_code: str | None = "vi",
    ) -> int:
        """Enqueue a user's document upload (downloadable with getFile); returns update_id."""
        stored = self._store_file(data, file_name)
        message = self._user_message(chat_id, user_id, first_name, language_code)
        message["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        if caption is not None:
            message["caption"] = caption
        return self._enqueue({"message": message})

    def press(
        self,
        chat_id: int,
        data: str,
        message_id: int,
        user_id: int | None = None,
        *,
        strict: bool = True,
        first_name: str = "Test",
        language_code: str | None = "vi",
    ) -> int:
        """Enqueue a callback_query: the user pressed the button with ``data`` under the
        bot's message ``message_id`` (as it is now, edits applied); returns update_id.

        With ``strict`` (default) the message must exist and carry a button with that
        callback_data, else LookupError; ``strict=False`` allows forged data and sends an
        InaccessibleMessage for a message the server does not know.
        """
        key = _chat_key(chat_id)
        record = self._find(key, message_id)
        if record is None:
            if strict:
                known = [m["message_id"] for m in self._messages.get(key, [])]
                raise LookupError(
                    f"the bot has no message {message_id} in chat {chat_id} (it has {known})"
                )
            message: dict[str, Any] = {
                "chat": self._chat(key),
                "message_id": message_id,
                "date": 0,
            }
        else:
            buttons = [b.get("callback_data") for b in _iter_buttons(record.get("reply_markup"))]
            if strict and data not in buttons:
                raise LookupError(
                    f"message {message_id} in chat {chat_id} has no button with "
                    f"callback_data {data!r} (it has {buttons})"
                )
            message = copy.deepcopy(record)
        query_id = str(next(self._callback_ids))
        self._open_callbacks.add(query_id)
        uid = chat_id if user_id is None else user_id
        query = {
            "id": query_id,
            "from": self.user(uid, first_name, language_code),
            "message": message,
            "chat_instance": str(zlib.crc32(f"{self.token}/{key}".encode()) + 10**12),
            "data": data,
        }
        return self._enqueue({"callback_query": query})

    def replay(self, update_id: int) -> int:
        """Enqueue the very same update again (Telegram redelivering it); returns its id.

        A replayed update is delivered even if an earlier offset already confirmed it.
        """
        try:
            update = self._history[update_id]
        except KeyError:
            raise KeyError(f"no update {update_id} was ever enqueued") from None
        self._queue.append(_Queued(copy.deepcopy(update), replay=True))
        self._notify(self._new_update)
        return update_id

    @property
    def pending_updates(self) -> int:
        """Updates enqueued but not yet handed out by getUpdates."""
        return sum(not q.delivered for q in self._queue)

    # ---- recording

    def sent(self, chat_id: int | str) -> list[dict[str, Any]]:
        """The bot's messages in that chat, in order, as they are now (edits applied,
        deleted ones left out). Each is a Telegram Message dict (message_id, text or
        caption, entities, reply_markup for inline keyboards, edit_date, ...)."""
        return copy.deepcopy(self._messages.get(_chat_key(chat_id), []))

    def last(self, chat_id: int | str) -> dict[str, Any]:
        """The bot's last (not deleted) message in that chat; LookupError if none."""
        messages = self._messages.get(_chat_key(chat_id))
        if not messages:
            raise LookupError(f"the bot has sent no message to chat {chat_id}")
        return copy.deepcopy(messages[-1])

    def calls_to(self, method: str) -> list[Call]:
        """The accepted calls of one method (case-insensitive)."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def assert_no_rejections(self) -> None:
        """AssertionError listing the calls Telegram would have refused (injected
        failures from fail_next do not count)."""
        real = [r for r in self.rejected if id(r) not in self._injected]
        if real:
            lines = "\n".join(f"  {r.method} -> {r.status} {r.description}" for r in real)
            raise AssertionError(f"{len(real)} call(s) rejected:\n{lines}")

    async def wait_for_call(
        self,
        predicate: str | Callable[[Call], bool],
        timeout: float = 5.0,
        *,
        since: int = 0,
    ) -> Call:
        """The first accepted call from ``calls[since:]`` matching ``predicate`` (a method
        name or a function of a Call), waiting up to ``timeout`` seconds for it;
        TimeoutError otherwise. Pass ``since=len(server.calls)`` to wait for a new one."""
        if isinstance(predicate, str):
            name = predicate.lower()

            def matches(c: Call) -> bool:
                return c.method.lower() == name
        else:
            matches = predicate
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        index = since
        while True:
            for call in self.calls[index:]:
                if matches(call):
                    return call
            index = max(index, len(self.calls))
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ", ".join(c.method for c in self.calls[-10:])
                refused = "; ".join(f"{r.method}: {r.description}" for r in self.rejected[-5:])
                raise TimeoutError(
                    f"no matching call within {timeout}s (recent calls: {recent or 'none'}; "
                    f"rejected: {refused or 'none'})"
                )
            self._new_call.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_call.wait(), remaining)

    async def wait_until_idle(self, timeout: float = 5.0, quiet: float = 0.2) -> None:
        """Wait until every enqueued update was handed out by getUpdates, no request is
        being answered (long polls aside) and none arrived for ``quiet`` seconds;
        TimeoutError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            if (
                self.pending_updates == 0
                and self._in_flight == 0
                and now - self._last_activity >= quiet
            ):
                return
            if now >= deadline:
                raise TimeoutError(
                    f"not idle after {timeout}s: {self.pending_updates} update(s) not fetched, "
                    f"{self._in_flight} request(s) in flight"
                )
            await asyncio.sleep(min(0.02, max(deadline - now, 0.001)))

    # ---- failure injection

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        *,
        description: str | None = None,
        chat_id: int | str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (optionally only those to
        ``chat_id``) with an error. 429 gives "Too Many Requests: retry after N" with
        ``parameters.retry_after``; other statuses a Telegram-like description."""
        spec_method = self.spec.method(method)
        if spec_method is None:
            raise ValueError(f"{method!r} is not a Bot API method")
        key = None if chat_id is None else _chat_key(chat_id)
        self._failures.append(
            _failure(spec_method.name, status, retry_after, description, times, key)
        )

    def fail_randomly(
        self,
        method: str,
        share: float,
        *,
        seed: int,
        faults: tuple[str, ...] = ("429", "500", "timeout"),
        retry_after: int = 1,
        delay: float = 1.0,
    ) -> None:
        """From now on, answer a `share` of the calls of ``method`` (drawn by a random
        generator seeded with `seed`) with one of `faults`, in equal parts: "429" (retry
        after `retry_after` seconds), "500", or "timeout": the call is accepted (its message
        is recorded) and answered `delay` seconds late, so that a client waiting less does
        not know it went through (those calls are listed in ``late``). ``share=0`` stops."""
        spec_method = self.spec.method(method)
        if spec_method is None:
            raise ValueError(f"{method!r} is not a Bot API method")
        self._random = _RandomFaults(
            spec_method.name, share, random.Random(seed), faults, retry_after, delay
        )

    def _random_fault(self, method: str) -> str | None:
        faults = self._random
        if faults is None or faults.method != method or faults.rng.random() >= faults.share:
            return None
        return faults.rng.choice(faults.faults)

    # ---- HTTP

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._download(path.removeprefix("/file/bot"))
        if not path.startswith("/bot"):
            return _json_response(404, _error_body(404, "Not Found"))
        token, slash, name = path.removeprefix("/bot").partition("/")
        if not slash or not name or "/" in name:
            return _json_response(404, _error_body(404, "Not Found"))
        if token != self.token:
            self.rejected.append(Rejection(name, {}, 401, "Unauthorized"))
            return _json_response(401, _error_body(401, "Unauthorized"))
        method = self.spec.method(name)
        polling = method is not None and method.name == "getUpdates"
        if not polling:
            self._in_flight += 1
            self._last_activity = time.monotonic()
        try:
            return await self._answer(request, name, method)
        finally:
            if not polling:
                self._in_flight -= 1
                self._last_activity = time.monotonic()

    async def _answer(
        self, request: web.Request, name: str, method: SpecMethod | None
    ) -> web.Response:
        raw: dict[str, Any] = {}
        fault: str | None = None
        try:
            raw, files = await self._read_params(request)
            if method is None:
                raise _Reject(404, "Not Found")
            failure = self._take_failure(method.name, raw)
            fault = self._random_fault(method.name) if failure is None else None
            if fault in ("429", "500") and self._random is not None:
                failure = _failure(method.name, int(fault), self._random.retry_after)
            if failure is not None:
                rejection = Rejection(method.name, raw, failure.status, failure.description)
                self.rejected.append(rejection)
                self._injected.add(id(rejection))
                body = _error_body(failure.status, failure.description, failure.parameters)
                return _json_response(failure.status, body)
            params, unknown = validate_call(self.spec, method, raw, files)
            handler = self._handlers.get(method.name)
            if handler is None:
                result = self._default_result(method, params)
            else:
                result = handler(params, files)
                if asyncio.iscoroutine(result):
                    result = await result
        except _Reject as e:
            self.rejected.append(
                Rejection(method.name if method else name, raw, e.status, e.description)
            )
            return _json_response(e.status, _error_body(e.status, e.description, e.parameters))
        self.unknown_fields.extend((method.name, path) for path in unknown)
        call = Call(method.name, params, files, tuple(unknown), copy.deepcopy(result))
        self.calls.append(call)
        self._notify(self._new_call)
        if fault == "timeout" and self._random is not None:
            self.late.append(call)
            await asyncio.sleep(self._random.delay)
        return _json_response(200, {"ok": True, "result": result})

    async def _read_params(
        self, request: web.Request
    ) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if not request.body_exists:
            return params, files
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _Reject(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise _Reject(400, "Bad Request: the JSON request body must be an object")
            params.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(
                        key, value.filename, value.content_type, value.file.read()
                    )
                elif isinstance(value, (bytes, bytearray)):
                    params[key] = bytes(value).decode("utf-8", errors="replace")
                else:
                    params[key] = value
        return params, files

    def _take_failure(self, method: str, params: Mapping[str, Any]) -> _Failure | None:
        for failure in self._failures:
            if failure.method != method:
                continue
            if failure.chat_id is not None and (
                params.get("chat_id") is None or _chat_key(params["chat_id"]) != failure.chat_id
            ):
                continue
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failures.remove(failure)
            return failure
        return None

    def _download(self, rest: str) -> web.Response:
        token, _, file_path = rest.partition("/")
        if token != self.token:
            return _json_response(401, _error_body(401, "Unauthorized"))
        stored = self._file_paths.get(file_path)
        if stored is None:
            return _json_response(404, _error_body(404, "Not Found"))
        return web.Response(body=stored.data, content_type="application/octet-stream")

    # ---- state helpers

    def _notify(self, event: asyncio.Event) -> None:
        if self._loop is not None and threading.get_ident() != self._thread_id:
            self._loop.call_soon_threadsafe(event.set)
        else:
            event.set()

    def _enqueue(self, body: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **body}
        self._history[update_id] = copy.deepcopy(update)
        self._queue.append(_Queued(update))
        self._notify(self._new_update)
        return update_id

    def _chat(self, key: ChatKey) -> dict[str, Any]:
        known = self._chats.get(key)
        if known is not None:
            return dict(known)
        if isinstance(key, str):
            fake_id = -1_000_000_000_000 - zlib.crc32(key.encode())
            return {"id": fake_id, "type": "channel", "title": key, "username": key.lstrip("@")}
        if key > 0:
            return {"id": key, "type": "private", "first_name": "Test"}
        kind = "supergroup" if str(key).startswith("-100") else "group"
        return {"id": key, "type": kind, "title": "Test group"}

    def _user_message(
        self,
        chat_id: int,
        user_id: int | None,
        first_name: str,
        language_code: str | None,
    ) -> dict[str, Any]:
        key = _chat_key(chat_id)
        user = self.user(chat_id if user_id is None else user_id, first_name, language_code)
        if key == user["id"]:
            self._chats[key] = {"id": key, "type": "private", "first_name": first_name}
        message_id = self._next_message_id(key)
        self._user_message_ids.setdefault(key, set()).add(message_id)
        return {
            "message_id": message_id,
            "from": user,
            "chat": self._chat(key),
            "date": int(time.time()),
        }

    def _next_message_id(self, key: ChatKey) -> int:
        return next(self._message_ids.setdefault(key, itertools.count(1)))

    def _find(self, key: ChatKey, message_id: Any) -> dict[str, Any] | None:
        for message in self._messages.get(key, []):
            if message["message_id"] == message_id:
                return message
        return None

    def _store_file(self, data: bytes, file_name: str) -> _StoredFile:
        n = next(self._file_counter)
        suffix = Path(file_name).suffix
        stored = _StoredFile(
            file_id=f"FILE{n:06d}-{zlib.crc32(data):08x}",
            file_unique_id=f"U{n:06d}",
            file_path=f"documents/file_{n}{suffix}",
            data=data,
        )
        self._files[stored.file_id] = stored
        self._file_paths[stored.file_path] = stored
        return stored

    def _file_object(self, value: Any, files: Mapping[str, UploadedFile], name: str) -> dict:
        """Document-like metadata for an uploaded part, a known file_id or a URL."""
        upload = files.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        if upload is not None:
            stored = self._store_file(upload.data, upload.filename)
            return {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": upload.filename,
                "mime_type": upload.content_type,
                "file_size": len(upload.data),
            }
        known = self._files.get(str(value))
        if known is not None:
            return {
                "file_id": known.file_id,
                "file_unique_id": known.file_unique_id,
                "file_size": len(known.data),
            }
        return {"file_id": str(value), "file_unique_id": f"U{zlib.crc32(str(value).encode())}"}

    def _new_message(self, params: Mapping[str, Any], content: dict[str, Any]) -> dict:
        key = _chat_key(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": self._next_message_id(key),
            "from": dict(self.bot_user),
            "chat": self._chat(key),
            "date": int(time.time()),
            **content,
        }
        markup = _inline_markup(params)
        if markup is not None:
            message["reply_markup"] = markup
        self._messages.setdefault(key, []).append(message)
        return copy.deepcopy(message)

    def _editable(self, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """The record an edit targets; None for inline messages."""
        if params.get("inline_message_id"):
            return None
        if params.get("chat_id") is None or params.get("message_id") is None:
            raise _Reject(400, "Bad Request: message identifier is not specified")
        key = _chat_key(params["chat_id"])
        record = self._find(key, params["message_id"])
        if record is None:
            if params["message_id"] in self._user_message_ids.get(key, ()):
                raise _Reject(400, "Bad Request: message can't be edited")
            raise _Reject(400, "Bad Request: message to edit not found")
        return record

    def _apply_edit(
        self, record: dict[str, Any], changes: Mapping[str, Any], replaced: Iterable[str]
    ) -> dict:
        """Replace the ``replaced`` keys of a message by ``changes`` (None/absent: removed)."""
        replaced = set(replaced)
        updated = {k: v for k, v in record.items() if k not in replaced}
        updated.update({k: v for k, v in changes.items() if v is not None})
        same = all(
            record.get(k) == updated.get(k)
            for k in ("text", "entities", "caption", "caption_entities", "reply_markup")
        )
        if same:
            raise _Reject(400, NOT_MODIFIED)
        updated["edit_date"] = int(time.time())
        record.clear()
        record.update(updated)
        return copy.deepcopy(record)

    # ---- method handlers

    def _get_me(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict:
        return dict(self.bot_user)

    def _set_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> bool:
        """Updates are POSTed to ``url`` from now on, with ``secret_token`` in the
        X-Telegram-Bot-Api-Secret-Token header; each until it is answered 2xx (retried
        after 0.2 s otherwise); a chat's one after the other, chats concurrently."""
        self.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
        if self._pusher is None or self._pusher.done():
            self._pusher = asyncio.ensure_future(self._push())
        self._notify(self._new_update)
        return True

    def _delete_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> bool:
        self.webhook = None
        if self._pusher is not None:
            self._pusher.cancel()
        for queued in self._queue:
            queued.delivered = False  # for getUpdates now
        return True

    async def _push(self) -> None:
        async with aiohttp.ClientSession() as session:
            while self.webhook is not None and not self._closing:
                waiting = [q for q in self._queue if not q.delivered]
                if not waiting:
                    self._new_update.clear()
                    await self._new_update.wait()
                    continue
                chats: dict[Any, list[_Queued]] = {}
                for queued in waiting:
                    queued.delivered = True
                    chats.setdefault(_chat_of(queued.update), []).append(queued)
                for lane in chats.values():
                    post = asyncio.ensure_future(self._post_in_order(session, lane))
                    self._posting.add(post)
                    post.add_done_callback(self._posting.discard)

    async def _post_in_order(self, session: aiohttp.ClientSession, lane: list[_Queued]) -> None:
        for queued in lane:
            while self.webhook is not None and not self._closing:
                headers = {}
                if self.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
                try:
                    async with session.post(
                        self.webhook["url"], json=queued.update, headers=headers
                    ) as response:
                        status = response.status
                except (aiohttp.ClientError, OSError):
                    status = 0
                self.webhook_posts.append((queued.update_id, status))
                self._last_activity = time.monotonic()
                if 200 <= status < 300:
                    self._queue = [q for q in self._queue if q is not queued]
                    break
                await asyncio.sleep(0.2)

    def _get_webhook_info(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }

    async def _get_updates(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> list:
        if self.webhook is not None:
            raise _Reject(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = params.get("offset")
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        wait = min(max(float(params.get("timeout") or 0), 0.0), self.max_poll_wait)
        self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while not self._queue and not self._closing:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except TimeoutError:
                break
            self._confirm(offset)
        batch = self._queue[:limit]
        for queued in batch:
            queued.delivered = True
        if batch:
            self._last_activity = time.monotonic()
        return [copy.deepcopy(q.update) for q in batch]

    def _confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset < 0:
            self._queue = self._queue[offset:]
            return
        self._queue = [
            q for q in self._queue if q.update_id >= offset or (q.replay and not q.delivered)
        ]

    def _send_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict:
        content: dict[str, Any] = {}
        _set_text(content, "text", "entities", params.get("text", ""), params)
        return self._new_message(params, content)

    def _send_document(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict:
        content = {"document": self._file_object(params.get("document"), files, "document")}
        _set_caption(content, params)
        return self._new_message(params, content)

    def _send_photo(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict:
        meta = self._file_object(params.get("photo"), files, "photo")
        size = {k: meta[k] for k in ("file_id", "file_unique_id", "file_size") if k in meta}
        content = {"photo": [{**size, "width": 90, "height": 90}]}
        _set_caption(content, params)
        return self._new_message(params, content)

    def _edit_message_text(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        record = self._editable(params)
        if record is None:
            return True
        if "text" not in record:
            raise _Reject(400, "Bad Request: there is no text in the message to edit")
        changes: dict[str, Any] = {}
        _set_text(changes, "text", "entities", params.get("text", ""), params)
        changes["reply_markup"] = _inline_markup(params)
        return self._apply_edit(record, changes, ("text", "entities", "reply_markup"))

    def _edit_message_caption(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        record = self._editable(params)
        if record is None:
            return True
        if "text" in record:
            raise _Reject(400, "Bad Request: there is no caption in the message to edit")
        changes: dict[str, Any] = {}
        _set_caption(changes, params)
        changes["reply_markup"] = _inline_markup(params)
        return self._apply_edit(record, changes, ("caption", "caption_entities", "reply_markup"))

    def _edit_message_reply_markup(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        record = self._editable(params)
        if record is None:
            return True
        changes = {"reply_markup": _inline_markup(params)}
        return self._apply_edit(record, changes, ("reply_markup",))

    def _delete_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> bool:
        key = _chat_key(params["chat_id"])
        message_id = params["message_id"]
        record = self._find(key, message_id)
        if record is not None:
            self._messages[key].remove(record)
            return True
        user_ids = self._user_message_ids.get(key, set())
        if message_id in user_ids:
            user_ids.discard(message_id)
            return True
        raise _Reject(400, "Bad Request: message to delete not found")

    def _answer_callback_query(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> bool:
        if params["callback_query_id"] not in self._open_callbacks:
            raise _Reject(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        return True

    def _get_file(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict:
        stored = self._files.get(params["file_id"])
        if stored is None:
            raise _Reject(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def _default_result(self, method: SpecMethod, params: dict[str, Any]) -> Any:
        returns = method.returns
        if returns == ("Boolean",) or ("Boolean" in returns and params.get("inline_message_id")):
            return True
        if not returns:
            return True
        sends = method.name.startswith(("send", "forward"))
        if sends and returns[0] == "Message" and params.get("chat_id") is not None:
            content: dict[str, Any] = {}
            if isinstance(params.get("text"), str):
                _set_text(content, "text", "entities", params["text"], params)
            _set_caption(content, params)
            return self._new_message(params, content)
        result = _minimal(self.spec, returns[0])
        chat_id = params.get("chat_id")
        if isinstance(result, dict) and returns[0] == "ChatFullInfo" and chat_id is not None:
            result.update(self._chat(_chat_key(chat_id)))
        return result


def _inline_markup(params: Mapping[str, Any]) -> dict[str, Any] | None:
    """The reply_markup a Message shows: only inline keyboards are echoed by Telegram."""
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


def _set_text(
    content: dict[str, Any], key: str, entities_key: str, text: str, params: Mapping[str, Any]
) -> None:
    if params.get(entities_key):
        plain, entities = text, params[entities_key]
    else:
        plain, entities = parse_formatted(text, params.get("parse_mode"))
    content[key] = plain
    if entities:
        content[entities_key] = entities


def _set_caption(content: dict[str, Any], params: Mapping[str, Any]) -> None:
    if isinstance(params.get("caption"), str) and params["caption"]:
        _set_text(content, "caption", "caption_entities", params["caption"], params)


def _minimal(spec: ApiSpec, type_name: str, depth: int = 0) -> Any:
    """The smallest value of a spec type: required fields only, zero values."""
    if type_name.startswith("Array of "):
        return []
    zeros: dict[str, Any] = {"Integer": 0, "Float": 0.0, "Boolean": False, "String": ""}
    if type_name in zeros or type_name == "InputFile":
        return zeros.get(type_name, "")
    obj = spec.types.get(type_name)
    if obj is None or depth > 8:
        return {}
    if obj.subtypes:
        return _minimal(spec, obj.subtypes[0], depth + 1)
    out: dict[str, Any] = {}
    if obj.discriminator:
        out[obj.discriminator[0]] = obj.discriminator[1]
    for f in obj.fields.values():
        if f.required and f.name not in out:
            out[f.name] = _minimal(spec, f.types[0], depth + 1)
    return out


def _iter_buttons(markup: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
    for row in (markup or {}).get("inline_keyboard", []):
        yield from row


# --------------------------------------------------------------------------------------
# pytest fixture


@pytest_asyncio.fixture(name="fake_telegram")
async def fake_telegram_fixture() -> AsyncIterator[FakeTelegram]:
    """A started FakeTelegram (default token), stopped after the test."""
    server = FakeTelegram()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
