"""The fake Telegram Bot API server, exercised over real HTTP and through a real aiogram Bot."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from tests.fake_telegram import (
    BOT_USERNAME,
    FakeTelegram,
    fake_telegram_fixture,  # noqa: F401  (registers the fake_telegram fixture)
    load_spec,
    parse_html,
)

# "đánh giá" letters with diacritics take 2-3 bytes each in UTF-8.
VIETNAMESE_65_BYTES = "đ" * 32 + "a"  # 33 characters, 65 bytes
VIETNAMESE_64_BYTES = "ệ" * 21 + "a"  # 22 characters, 64 bytes


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    api = TelegramAPIServer.from_base(fake_telegram.base_url)
    bot = Bot(fake_telegram.token, session=AiohttpSession(api=api))
    yield bot
    await bot.session.close()


async def api(
    http: aiohttp.ClientSession,
    server: FakeTelegram,
    method: str,
    params: dict[str, Any] | None = None,
    *,
    encoding: str = "json",
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """Call the fake over HTTP: encoding "json", "form" (urlencoded) or "multipart"."""
    url = f"{server.base_url}/bot{server.token if token is None else token}/{method}"
    params = params or {}
    if encoding == "json":
        kwargs: dict[str, Any] = {"json": params}
    else:
        flat = {
            k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            for k, v in params.items()
        }
        if encoding == "form":
            kwargs = {"data": flat}
        else:
            form = aiohttp.FormData()
            for k, v in flat.items():
                form.add_field(k, v)
            kwargs = {"data": form()}
    async with http.post(url, **kwargs) as resp:
        return resp.status, await resp.json()


def keyboard(*data: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": d[:10] or "?", "callback_data": d} for d in data]]}


def aiogram_keyboard(*data: str) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text=d[:10] or "?", callback_data=d) for d in data]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


# ---- basics


async def test_listens_on_loopback_free_port(fake_telegram: FakeTelegram) -> None:
    assert fake_telegram.base_url == f"http://127.0.0.1:{fake_telegram.port}"
    assert fake_telegram.port > 0
    assert fake_telegram.token == "123456:TEST-TOKEN"


async def test_get_me_over_http(fake_telegram: FakeTelegram, http: aiohttp.ClientSession) -> None:
    status, body = await api(http, fake_telegram, "getMe")
    assert status == 200
    assert body["ok"] is True
    assert body["result"]["id"] == 123456
    assert body["result"]["is_bot"] is True
    assert body["result"]["username"] == "danhgia_test_bot" == BOT_USERNAME
    assert [c.method for c in fake_telegram.calls] == ["getMe"]


async def test_get_me_through_aiogram(fake_telegram: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "danhgia_test_bot")


async def test_get_request_and_case_insensitive_method(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    url = f"{fake_telegram.base_url}/bot{fake_telegram.token}/GETME"
    async with http.get(url) as resp:
        assert resp.status == 200
        assert (await resp.json())["result"]["username"] == "danhgia_test_bot"
    assert fake_telegram.calls[-1].method == "getMe"


# ---- sending and recording


async def test_send_message_with_inline_keyboard_through_aiogram(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    first = await bot.send_message(42, "Chọn mức:", reply_markup=aiogram_keyboard("lv:1", "lv:2"))
    second = await bot.send_message(42, "Tiếp")
    other = await bot.send_message(7, "Chat khác")

    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.chat.id == 42 and first.chat.type == "private"
    assert first.from_user is not None and first.from_user.username == "danhgia_test_bot"
    assert first.text == "Chọn mức:"
    assert first.reply_markup is not None
    assert [b.callback_data for b in first.reply_markup.inline_keyboard[0]] == ["lv:1", "lv:2"]
    assert second.reply_markup is None

    call = fake_telegram.calls_to("sendMessage")[0]
    assert call.params["chat_id"] == 42  # multipart string "42" converted to the Integer
    assert call.params["reply_markup"] == {
        "inline_keyboard": [
            [
                {"text": "lv:1", "callback_data": "lv:1"},
                {"text": "lv:2", "callback_data": "lv:2"},
            ]
        ]
    }
    assert [m["text"] for m in fake_telegram.sent(42)] == ["Chọn mức:", "Tiếp"]
    assert fake_telegram.sent(42)[0]["reply_markup"] == call.params["reply_markup"]
    assert fake_telegram.last(7)["text"] == "Chat khác"
    assert fake_telegram.rejected == []


@pytest.mark.parametrize("encoding", ["json", "form", "multipart"])
async def test_every_encoding_is_parsed_the_same(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession, encoding: str
) -> None:
    params = {
        "chat_id": 42,
        "text": "Xin chào",
        "disable_notification": True,
        "reply_markup": keyboard("ok"),
    }
    status, body = await api(http, fake_telegram, "sendMessage", params, encoding=encoding)
    assert status == 200, body
    assert body["result"]["reply_markup"] == keyboard("ok")
    call = fake_telegram.calls[-1]
    assert call.params == params  # 42 and True whether they came as JSON or as strings


async def test_reply_keyboard_is_not_echoed_in_the_message(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    markup = {"keyboard": [[{"text": "Gửi"}]], "resize_keyboard": True}
    status, body = await api(
        http, fake_telegram, "sendMessage", {"chat_id": 5, "text": "x", "reply_markup": markup}
    )
    assert status == 200
    assert "reply_markup" not in body["result"]
    assert fake_telegram.calls[-1].params["reply_markup"] == markup


async def test_last_without_messages_raises(fake_telegram: FakeTelegram) -> None:
    assert fake_telegram.sent(42) == []
    with pytest.raises(LookupError, match="chat 42"):
        fake_telegram.last(42)


# ---- rejections


async def test_unknown_method_is_404(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    status, body = await api(http, fake_telegram, "sendMesage", {"chat_id": 1, "text": "x"})
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert fake_telegram.rejected[-1].method == "sendMesage"
    assert fake_telegram.rejected[-1].status == 404
    assert fake_telegram.calls == []


async def test_missing_chat_id_is_400(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    status, body = await api(http, fake_telegram, "sendMessage", {"text": "Xin chào"})
    assert status == 400
    assert body == {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"}
    method, params, rstatus, description = fake_telegram.rejected[-1]
    assert (method, params, rstatus) == ("sendMessage", {"text": "Xin chào"}, 400)
    assert description == "Bad Request: chat_id is empty"
    assert fake_telegram.calls == []


async def test_missing_required_field_of_other_method(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    status, body = await api(http, fake_telegram, "setMyCommands", {"language_code": "vi"})
    assert status == 400
    assert body["description"] == 'Bad Request: parameter "commands" is required'


async def test_text_over_4096_characters_is_400(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession, bot: Bot
) -> None:
    ok, _ = await api(http, fake_telegram, "sendMessage", {"chat_id": 1, "text": "ệ" * 4096})
    assert ok == 200
    status, body = await api(http, fake_telegram, "sendMessage", {"chat_id": 1, "text": "ệ" * 4097})
    assert status == 400
    assert body["description"] == "Bad Request: message is too long"
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1, "a" * 4097)
    assert [r.status for r in fake_telegram.rejected] == [400, 400]
    assert len(fake_telegram.sent(1)) == 1


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
async def test_empty_text_is_400(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession, text: str
) -> None:
    status, body = await api(http, fake_telegram, "sendMessage", {"chat_id": 1, "text": text})
    assert status == 400
    assert body["description"] == "Bad Request: message text is empty"


async def test_caption_over_1024_characters_is_400(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    params = {"chat_id": 1, "document": "FILEID", "caption": "c" * 1025}
    status, body = await api(http, fake_telegram, "sendDocument", params)
    assert status == 400
    assert body["description"] == "Bad Request: message caption is too long"
    params["caption"] = "c" * 1024
    status, body = await api(http, fake_telegram, "sendDocument", params)
    assert status == 200
    assert body["result"]["caption"] == "c" * 1024


async def test_callback_data_over_64_bytes_is_button_data_invalid(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession, bot: Bot
) -> None:
    assert len(VIETNAMESE_65_BYTES) <= 64 < len(VIETNAMESE_65_BYTES.encode())
    params = {"chat_id": 1, "text": "x", "reply_markup": keyboard("ok", VIETNAMESE_65_BYTES)}
    status, body = await api(http, fake_telegram, "sendMessage", params)
    assert status == 400
    assert body["description"] == "Bad Request: BUTTON_DATA_INVALID"
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1, "x", reply_markup=aiogram_keyboard(VIETNAMESE_65_BYTES))

    assert len(VIETNAMESE_64_BYTES.encode()) == 64
    sent = await bot.send_message(1, "x", reply_markup=aiogram_keyboard(VIETNAMESE_64_BYTES))
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == VIETNAMESE_64_BYTES


async def test_empty_callback_data_and_text_only_button_are_refused(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    params = {"chat_id": 1, "text": "x", "reply_markup": keyboard("")}
    status, body = await api(http, fake_telegram, "sendMessage", params)
    assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")
    params["reply_markup"] = {"inline_keyboard": [[{"text": "Không làm gì"}]]}
    status, body = await api(http, fake_telegram, "sendMessage", params)
    assert status == 400
    assert "Text buttons are unallowed" in body["description"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("chat_id", [42], 'field "chat_id" must be of type Integer or String'),
        ("message_thread_id", "abc", 'field "message_thread_id" must be of type Integer'),
        ("disable_notification", "yes", 'field "disable_notification" must be of type Boolean'),
        (
            "reply_markup",
            {"buttons": [["a"]]},
            'field "reply_markup" must be of type InlineKeyboardMarkup or ReplyKeyboardMarkup '
            "or ReplyKeyboardRemove or ForceReply",
        ),
        (
            "reply_markup",
            {"inline_keyboard": [{"text": "a", "callback_data": "a"}]},
            'field "reply_markup.inline_keyboard[0]" must be of type Array of InlineKeyboardButton',
        ),
        (
            "reply_markup",
            {"inline_keyboard": [[{"text": 5, "callback_data": "a"}]]},
            'field "reply_markup.inline_keyboard[0][0].text" must be of type String',
        ),
        ("reply_markup", "{not json", "can't parse reply_markup JSON object"),
        ("entities", [{"type": "bold", "offset": 0}], 'field "entities[0].length" is required'),
    ],
)
async def test_wrong_types_are_400(
    fake_telegram: FakeTelegram,
    http: aiohttp.ClientSession,
    field: str,
    value: Any,
    expected: str,
) -> None:
    params = {"chat_id": 1, "text": "x", field: value}
    status, body = await api(http, fake_telegram, "sendMessage", params)
    assert status == 400
    assert body["description"] == f"Bad Request: {expected}"
    assert fake_telegram.calls == []


async def test_abstract_types_dispatch_on_their_discriminator(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    commands = [{"command": "start", "description": "Bắt đầu"}]
    good = {"commands": commands, "scope": {"type": "chat", "chat_id": 42}}
    assert (await api(http, fake_telegram, "setMyCommands", good))[0] == 200
    bad_type = {"commands": commands, "scope": {"type": "everyone"}}
    status, body = await api(http, fake_telegram, "setMyCommands", bad_type)
    assert status == 400
    assert body["description"].startswith('Bad Request: field "scope.type" must be one of:')
    no_chat = {"commands": commands, "scope": {"type": "chat"}}
    status, body = await api(http, fake_telegram, "setMyCommands", no_chat)
    assert (status, body["description"]) == (400, 'Bad Request: field "scope.chat_id" is required')


async def test_unknown_fields_are_accepted_and_recorded(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "a", "colour": "red"}]]}
    params = {"chat_id": 1, "text": "x", "disable_web_preview": True, "reply_markup": markup}
    status, _ = await api(http, fake_telegram, "sendMessage", params)
    assert status == 200
    assert fake_telegram.unknown_fields == [
        ("sendMessage", "disable_web_preview"),
        ("sendMessage", "reply_markup.inline_keyboard[0][0].colour"),
    ]
    assert fake_telegram.calls[-1].unknown == (
        "disable_web_preview",
        "reply_markup.inline_keyboard[0][0].colour",
    )


async def test_wrong_or_missing_token_is_401(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    expected = {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert await api(http, fake_telegram, "getMe", token="123456:WRONG") == (401, expected)
    assert await api(http, fake_telegram, "getMe", token="") == (401, expected)
    wrong = Bot(
        "654321:OTHER",
        session=AiohttpSession(api=TelegramAPIServer.from_base(fake_telegram.base_url)),
    )
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await wrong.get_me()
    finally:
        await wrong.session.close()
    assert fake_telegram.calls == []


async def test_html_markup_is_parsed_or_refused(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    params = {"chat_id": 1, "text": "<b>Điểm</b> 90 &amp; 😀<i>tốt</i>", "parse_mode": "HTML"}
    status, body = await api(http, fake_telegram, "sendMessage", params)
    assert status == 200
    assert body["result"]["text"] == "Điểm 90 & 😀tốt"
    # Offsets count UTF-16 units: the emoji takes two.
    assert body["result"]["entities"] == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 12, "length": 3},
    ]
    for text, error in [
        ("a <br> b", 'Unsupported start tag "br" at byte offset 2'),
        ("Phòng A<B", "Unclosed start tag at byte offset 8"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>đậm", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", "Unmatched end tag at byte offset 7"),
    ]:
        params["text"] = text
        status, body = await api(http, fake_telegram, "sendMessage", params)
        assert status == 400
        assert body["description"].startswith(f"Bad Request: can't parse entities: {error}")
    params.update(text="<b>   </b>")
    status, body = await api(http, fake_telegram, "sendMessage", params)
    assert body["description"] == "Bad Request: message text is empty"
    params.update(text="x", parse_mode="BBCode")
    status, body = await api(http, fake_telegram, "sendMessage", params)
    assert body["description"] == "Bad Request: unsupported parse_mode"


async def test_html_length_counts_visible_text(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    text = "<b>" + "a" * 4096 + "</b>"
    params = {"chat_id": 1, "text": text, "parse_mode": "HTML"}
    assert (await api(http, fake_telegram, "sendMessage", params))[0] == 200
    params["text"] = text + "!"
    assert (await api(http, fake_telegram, "sendMessage", params))[0] == 400


async def test_markdown_v2_reserved_characters_must_be_escaped(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    params = {
        "chat_id": 1,
        "text": "Điểm: *90*\\. Xếp loại: [A](https://x.vn/a_b)",
        "parse_mode": "MarkdownV2",
    }
    status, body = await api(http, fake_telegram, "sendMessage", params)
    assert status == 200, body
    assert body["result"]["text"] == "Điểm: 90. Xếp loại: A"
    assert body["result"]["entities"] == [
        {"type": "bold", "offset": 6, "length": 2},
        {"type": "text_link", "offset": 20, "length": 1, "url": "https://x.vn/a_b"},
    ]
    params["text"] = "Xin chào."
    status, body = await api(http, fake_telegram, "sendMessage", params)
    assert status == 400
    assert body["description"] == (
        "Bad Request: can't parse entities: Character '.' is reserved and must be escaped "
        "with the preceding '\\'"
    )


def test_parse_html_handles_pre_with_language() -> None:
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert text == "x = 1"
    assert entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]


# ---- updates


async def test_get_updates_returns_injected_text_and_callback(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    _, sent = await api(
        http,
        fake_telegram,
        "sendMessage",
        {"chat_id": 42, "text": "Chọn", "reply_markup": keyboard("lv:1")},
    )
    message_id = sent["result"]["message_id"]
    first = fake_telegram.send_text(42, "/start ABC123")
    second = fake_telegram.press(42, "lv:1", message_id)
    assert second == first + 1

    status, body = await api(http, fake_telegram, "getUpdates", {"timeout": 0})
    assert status == 200
    updates = body["result"]
    assert [u["update_id"] for u in updates] == [first, second]
    message = updates[0]["message"]
    assert message["text"] == "/start ABC123"
    assert message["chat"] == {"id": 42, "type": "private", "first_name": "Test"}
    assert message["from"]["id"] == 42 and message["from"]["language_code"] == "vi"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    query = updates[1]["callback_query"]
    assert query["data"] == "lv:1"
    assert query["from"]["id"] == 42
    assert query["message"]["message_id"] == message_id
    assert query["message"]["reply_markup"] == keyboard("lv:1")
    assert query["chat_instance"]

    status, body = await api(
        http, fake_telegram, "answerCallbackQuery", {"callback_query_id": query["id"]}
    )
    assert (status, body["result"]) == (200, True)
    status, body = await api(http, fake_telegram, "answerCallbackQuery", {"callback_query_id": "1"})
    assert status == 400 and "query ID is invalid" in body["description"]


async def test_get_updates_through_aiogram(fake_telegram: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(42, "Chọn", reply_markup=aiogram_keyboard("lv:2"))
    fake_telegram.send_text(42, "xin chào", user_id=99, language_code="en")
    fake_telegram.press(42, "lv:2", sent.message_id)
    updates = await bot.get_updates(timeout=0)
    assert updates[0].message is not None
    assert updates[0].message.text == "xin chào"
    assert updates[0].message.from_user is not None
    assert updates[0].message.from_user.language_code == "en"
    assert updates[0].message.from_user.id == 99
    assert updates[1].callback_query is not None
    assert updates[1].callback_query.data == "lv:2"
    assert isinstance(updates[1].callback_query.message, Message)
    assert updates[1].callback_query.message.message_id == sent.message_id


async def test_offset_confirms_updates(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    ids = [fake_telegram.send_text(1, f"m{i}") for i in range(3)]
    _, body = await api(http, fake_telegram, "getUpdates", {"limit": 2})
    assert [u["update_id"] for u in body["result"]] == ids[:2]
    # Not confirmed yet: the same updates come again.
    _, body = await api(http, fake_telegram, "getUpdates")
    assert [u["update_id"] for u in body["result"]] == ids
    _, body = await api(http, fake_telegram, "getUpdates", {"offset": ids[1] + 1})
    assert [u["message"]["text"] for u in body["result"]] == ["m2"]
    _, body = await api(http, fake_telegram, "getUpdates", {"offset": 0})
    assert [u["update_id"] for u in body["result"]] == [ids[2]]  # 0 and 1 stay confirmed


async def test_long_poll_returns_empty_after_the_wait(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.max_poll_wait = 0.3
    started = time.monotonic()
    status, body = await api(http, fake_telegram, "getUpdates", {"timeout": 30})
    elapsed = time.monotonic() - started
    assert (status, body["result"]) == (200, [])
    assert 0.25 <= elapsed < 2


async def test_long_poll_wakes_up_for_a_new_update(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.max_poll_wait = 2
    poll = asyncio.create_task(api(http, fake_telegram, "getUpdates", {"timeout": 30}))
    await asyncio.sleep(0.1)
    assert not poll.done()
    started = time.monotonic()
    update_id = fake_telegram.send_text(5, "đây rồi")
    status, body = await poll
    assert status == 200
    assert time.monotonic() - started < 1
    assert [u["update_id"] for u in body["result"]] == [update_id]


async def test_update_from_another_thread_wakes_the_poll(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.max_poll_wait = 2
    poll = asyncio.create_task(api(http, fake_telegram, "getUpdates", {"timeout": 30}))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    update_id = await asyncio.to_thread(fake_telegram.send_text, 6, "từ luồng khác")
    _, body = await poll
    assert time.monotonic() - started < 1
    assert [u["message"]["text"] for u in body["result"]] == ["từ luồng khác"]
    assert body["result"][0]["update_id"] == update_id


async def test_stop_ends_a_pending_long_poll(http: aiohttp.ClientSession) -> None:
    server = FakeTelegram(max_poll_wait=10)
    await server.start()
    poll = asyncio.create_task(api(http, server, "getUpdates", {"timeout": 30}))
    await asyncio.sleep(0.5)  # the poll is waiting at the server (a busy machine is slow)
    started = time.monotonic()
    await server.stop()
    assert await poll == (200, {"ok": True, "result": []})
    assert time.monotonic() - started < 2


async def test_replayed_update_keeps_its_update_id(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    first = fake_telegram.send_text(3, "/start")
    _, body = await api(http, fake_telegram, "getUpdates")
    original = body["result"]
    _, body = await api(http, fake_telegram, "getUpdates", {"offset": first + 1})
    assert body["result"] == []
    assert fake_telegram.replay(first) == first
    _, body = await api(http, fake_telegram, "getUpdates", {"offset": first + 1})
    assert body["result"] == original
    assert body["result"][0]["update_id"] == first
    later = fake_telegram.send_text(3, "tiếp")
    assert later == first + 1  # replay does not use up an id
    _, body = await api(http, fake_telegram, "getUpdates", {"offset": first + 1})
    assert [u["update_id"] for u in body["result"]] == [later]


async def test_press_checks_the_message_and_button(fake_telegram: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(42, "x", reply_markup=aiogram_keyboard("a"))
    with pytest.raises(LookupError, match="no button"):
        fake_telegram.press(42, "b", sent.message_id)
    with pytest.raises(LookupError, match="no message 99"):
        fake_telegram.press(42, "a", 99)
    fake_telegram.press(42, "forged", 99, strict=False)
    (update,) = await bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.data == "forged"
    assert isinstance(update.callback_query.message, InaccessibleMessage)
    assert update.callback_query.message.message_id == 99


# ---- edits and deletes


async def test_edit_message_text(fake_telegram: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(42, "Câu 1", reply_markup=aiogram_keyboard("a", "b"))
    edited = await bot.edit_message_text(
        "Câu 2", chat_id=42, message_id=sent.message_id, reply_markup=aiogram_keyboard("c")
    )
    assert isinstance(edited, Message)
    assert edited.text == "Câu 2" and edited.edit_date is not None
    assert fake_telegram.last(42)["text"] == "Câu 2"
    assert fake_telegram.last(42)["reply_markup"] == keyboard("c")
    # Without reply_markup the inline keyboard goes away, as on Telegram.
    await bot.edit_message_text("Câu 3", chat_id=42, message_id=sent.message_id)
    assert "reply_markup" not in fake_telegram.last(42)
    assert len(fake_telegram.sent(42)) == 1
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Câu 3", chat_id=42, message_id=sent.message_id)
    await bot.edit_message_reply_markup(
        chat_id=42, message_id=sent.message_id, reply_markup=aiogram_keyboard("d")
    )
    assert fake_telegram.last(42)["text"] == "Câu 3"
    assert fake_telegram.last(42)["reply_markup"] == keyboard("d")


async def test_edit_unknown_message_is_400(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession, bot: Bot
) -> None:
    await bot.send_message(42, "x")
    params = {"chat_id": 42, "message_id": 77, "text": "y"}
    status, body = await api(http, fake_telegram, "editMessageText", params)
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    # Message 1 exists in chat 42, not in chat 43.
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_reply_markup(chat_id=43, message_id=1)
    status, body = await api(
        http, fake_telegram, "editMessageText", {"inline_message_id": "abc", "text": "y"}
    )
    assert (status, body["result"]) == (200, True)


async def test_delete_message(fake_telegram: FakeTelegram, bot: Bot) -> None:
    first = await bot.send_message(42, "một")
    await bot.send_message(42, "hai")
    assert await bot.delete_message(42, first.message_id) is True
    assert [m["text"] for m in fake_telegram.sent(42)] == ["hai"]
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(42, first.message_id)


# ---- files


async def test_upload_and_download_documents(fake_telegram: FakeTelegram, bot: Bot) -> None:
    data = b"PK\x03\x04 fake xlsx"
    sent = await bot.send_document(
        42, BufferedInputFile(data, filename="bao-cao.xlsx"), caption="Báo cáo tháng 10"
    )
    assert sent.document is not None and sent.document.file_name == "bao-cao.xlsx"
    assert sent.caption == "Báo cáo tháng 10"
    call = fake_telegram.calls_to("sendDocument")[0]
    assert call.params["document"].startswith("attach://")
    (upload,) = call.files.values()
    assert (upload.filename, upload.data) == ("bao-cao.xlsx", data)

    file = await bot.get_file(sent.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == data

    fake_telegram.send_document(42, b"user upload", "danh-sach.xlsx")
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.document is not None
    stream = io.BytesIO()
    await bot.download(update.message.document, destination=stream)
    assert stream.getvalue() == b"user upload"


async def test_missing_file_part_and_unknown_download(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    params = {"chat_id": 1, "document": "attach://nothing"}
    status, body = await api(http, fake_telegram, "sendDocument", params, encoding="multipart")
    assert status == 400
    assert "attach://nothing" in body["description"]
    url = f"{fake_telegram.base_url}/file/bot{fake_telegram.token}/documents/none.xlsx"
    async with http.get(url) as resp:
        assert resp.status == 404


# ---- other methods


async def test_housekeeping_methods(fake_telegram: FakeTelegram, bot: Bot) -> None:
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert await bot.set_my_commands([BotCommand(command="start", description="Bắt đầu")])
    assert await bot.delete_my_commands() is True
    assert await bot.send_chat_action(42, "typing") is True
    info = await bot.get_webhook_info()
    assert info.url == "" and info.has_custom_certificate is False
    chat = await bot.get_chat(42)  # a minimal ChatFullInfo that aiogram accepts
    assert (chat.id, chat.type) == (42, "private")
    assert [c.method for c in fake_telegram.calls] == [
        "deleteWebhook",
        "setMyCommands",
        "deleteMyCommands",
        "sendChatAction",
        "getWebhookInfo",
        "getChat",
    ]


# ---- failure injection


async def test_fail_next_gives_429_with_retry_after(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession, bot: Bot
) -> None:
    fake_telegram.fail_next("sendMessage", retry_after=3, times=2)
    status, body = await api(http, fake_telegram, "sendMessage", {"chat_id": 1, "text": "x"})
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(1, "x")
    assert caught.value.retry_after == 3
    assert (await bot.send_message(1, "x")).message_id == 1  # the third call goes through
    assert [r.status for r in fake_telegram.rejected] == [429, 429]
    fake_telegram.assert_no_rejections()  # injected failures are not the bot's fault


async def test_fail_next_for_one_chat_and_other_status(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    fake_telegram.fail_next("sendMessage", status=403, chat_id=7)
    assert (await bot.send_message(8, "x")).chat.id == 8
    with pytest.raises(Exception, match="bot was blocked by the user"):
        await bot.send_message(7, "x")
    with pytest.raises(ValueError, match="not a Bot API method"):
        fake_telegram.fail_next("sendMesage")


# ---- end to end with an aiogram dispatcher


async def test_end_to_end_polling(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.max_poll_wait = 0.2
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Xin chào!", reply_markup=aiogram_keyboard("go"))

    @dp.callback_query(F.data == "go")
    async def go(query: CallbackQuery) -> None:
        await query.answer()
        assert isinstance(query.message, Message)
        await query.message.edit_text("Bắt đầu đánh giá")

    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    try:
        fake_telegram.send_text(42, "/start")
        reply = await fake_telegram.wait_for_call("sendMessage")
        assert reply.params["text"] == "Xin chào!"
        fake_telegram.press(42, "go", fake_telegram.last(42)["message_id"])
        edit = await fake_telegram.wait_for_call(
            lambda c: c.method == "editMessageText", since=len(fake_telegram.calls)
        )
        assert edit.params["message_id"] == reply.result["message_id"]
        await fake_telegram.wait_until_idle()
        assert fake_telegram.pending_updates == 0
        assert [m["text"] for m in fake_telegram.sent(42)] == ["Bắt đầu đánh giá"]
        assert len(fake_telegram.calls_to("answerCallbackQuery")) == 1
        fake_telegram.assert_no_rejections()
    finally:
        await dp.stop_polling()
        await polling


async def test_wait_for_call_times_out_with_a_useful_message(fake_telegram: FakeTelegram) -> None:
    with pytest.raises(TimeoutError, match="no matching call"):
        await fake_telegram.wait_for_call("sendMessage", timeout=0.1)
    fake_telegram.send_text(1, "nobody polls")
    with pytest.raises(TimeoutError, match="1 update"):
        await fake_telegram.wait_until_idle(timeout=0.3)


# ---- instances and the spec


async def test_instances_share_no_state(http: aiohttp.ClientSession) -> None:
    async with FakeTelegram() as one, FakeTelegram(token="999:OTHER") as two:
        assert one.port != two.port
        one.send_text(1, "a")
        one.send_text(1, "b")
        assert two.send_text(1, "c") == 1
        await api(http, one, "sendMessage", {"chat_id": 1, "text": "x"})
        assert two.calls == [] and two.sent(1) == []
        _, body = await api(http, two, "getMe")
        assert body["result"]["id"] == 999
    with pytest.raises(RuntimeError):
        one.base_url  # noqa: B018


async def test_spec_path_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, http: aiohttp.ClientSession
) -> None:
    spec = {
        "version": "tiny",
        "methods": {
            "getMe": {"returns": ["User"], "fields": []},
            "ping": {
                "returns": ["Boolean"],
                "fields": [{"name": "n", "types": ["Integer"], "required": True}],
            },
        },
        "types": {
            "User": {
                "fields": [
                    {"name": "id", "types": ["Integer"], "required": True},
                    {"name": "is_bot", "types": ["Boolean"], "required": True},
                    {"name": "first_name", "types": ["String"], "required": True},
                ]
            }
        },
    }
    path = tmp_path / "api.json"
    path.write_text(json.dumps(spec))
    monkeypatch.setenv("TELEGRAM_API_SPEC", str(path))
    assert load_spec().version == "tiny"
    async with FakeTelegram() as server:
        assert await api(http, server, "ping", {"n": "5"}) == (200, {"ok": True, "result": True})
        assert (await api(http, server, "ping", {"n": "x"}))[0] == 400
        assert (await api(http, server, "sendMessage", {"chat_id": 1, "text": "x"}))[0] == 404


def test_the_spec_copy_is_the_projects_spec():
    """tests/data holds a copy of shared/telegram/api.json, so that the tests run on any
    machine; when the project's spec changes, refresh the copy."""
    shared = Path(__file__).resolve().parents[2] / "shared" / "telegram" / "api.json"
    if not shared.exists():
        pytest.skip("the project's shared/ folder is not beside this checkout")
    copy = Path(__file__).resolve().parent / "data" / "telegram-bot-api.json"
    assert copy.read_bytes() == shared.read_bytes(), "cp ../shared/telegram/api.json " + str(copy)
