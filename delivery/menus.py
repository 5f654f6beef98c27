"""The command menus of a messenger that has them (Telegram): everyone's in each language,
then each leader's own chat."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import Engine
from sqlmodel import Session

from delivery.messenger import Messenger, Out, Undeliverable
from handlers import menu
from locales import DEFAULT_LOCALE, SUPPORTED_LOCALES
from storage.models import Role
from storage.queries import leader_chats

log = logging.getLogger(__name__)


async def set_command_menus(
    messenger: Messenger,
    engine: Engine,
    set_everyones: Callable[[tuple[tuple[str, str], ...], str | None], Awaitable[object]],
) -> None:
    """Everyone's menu in each language (`set_everyones(commands, language)`, None for the
    default language), then each leader's chat (with /review and /status; the director's
    with /conclusions too) in the leader's language. A leader's chat that refuses (the
    bot was blocked) is logged and skipped."""
    for locale in SUPPORTED_LOCALES:
        await set_everyones(
            menu.commands(locale, False), None if locale == DEFAULT_LOCALE else locale
        )
    with Session(engine) as session:
        leaders = leader_chats(session, messenger.platform)
    for chat_id, language, role in leaders:
        commands = menu.commands(language, True, director=role is Role.DIRECTOR)
        try:
            await messenger.send(chat_id, Out(commands=commands), None)
        except Undeliverable as error:
            log.info("the command menu of chat %s was refused: %s", chat_id, error)
