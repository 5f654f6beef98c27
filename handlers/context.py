"""The context of one incoming event: who, where in the conversation, in which language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.events import Button, Incoming, Reply
from locales import SUPPORTED_LOCALES, translations
from storage.audit import audit
from storage.conversations import conversation_state
from storage.models import ConversationState, Organization, Person
from storage.queries import person_of


@dataclass
class Context:
    session: Session
    incoming: Incoming
    now: datetime  # aware, UTC
    timezone: ZoneInfo
    default_language: str = "vi"
    person: Person | None = None
    state: ConversationState = field(default=None)  # type: ignore[assignment]

    @classmethod
    def load(
        cls,
        session: Session,
        incoming: Incoming,
        now: datetime,
        timezone: ZoneInfo,
        default_language: str,
    ) -> Context:
        ctx = cls(session, incoming, now, timezone, default_language)
        ctx.person = person_of(session, incoming.platform, incoming.user_id)
        state = conversation_state(session, incoming.platform, incoming.chat_id)
        if state is None:
            state = ConversationState(platform=incoming.platform, chat_id=incoming.chat_id)
            if ctx.person is not None:  # a stranger writes nothing (registration adds it)
                session.add(state)
        ctx.state = state
        return ctx

    # -- language ------------------------------------------------------------------------

    @property
    def language(self) -> str:
        if self.person is not None:
            return self.person.language
        hint = (self.incoming.language or "")[:2]
        return hint if hint in SUPPORTED_LOCALES else self.default_language

    def _(self, message: str) -> str:
        return translations(self.language).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return translations(self.language).ngettext(singular, plural, n)

    # -- where the chat is -----------------------------------------------------------------

    @property
    def organization(self) -> Organization:
        assert self.person is not None
        return self.session.get(Organization, self.person.organization_id)

    def local_now(self) -> datetime:
        return self.now.astimezone(self.timezone)

    def go(self, flow: str | None, step: str | None = None, **data: Any) -> None:
        """Move the conversation to `flow`/`step`, keeping only `data` as its memory."""
        self.state.flow = flow
        self.state.step = step
        self.state.data = dict(data)
        self.state.updated_at = self.now

    def audit(
        self,
        entity: str,
        entity_id: int,
        field: str,
        before: Any,
        after: Any,
        reason: str | None = None,
        decision: bool = False,
    ) -> None:
        """Record, as this person now, a change of a score, a level or a decision."""
        audit(
            self.session,
            self.person.id,
            entity,
            entity_id,
            field,
            before,
            after,
            reason=reason,
            at=self.now,
            decision=decision,
        )

    def remember(self, **data: Any) -> None:
        self.state.data = {**(self.state.data or {}), **data}  # a new dict: JSON is rebound

    def recall(self, key: str, default: Any = None) -> Any:
        return (self.state.data or {}).get(key, default)


def reply(text: str, *rows: list[Button] | tuple[Button, ...], edit: bool = False) -> Reply:
    return Reply(text, tuple(tuple(row) for row in rows if row), edit=edit)


_ASCII_NUMBER = re.compile(r"[0-9]{1,18}")
MAX_ID = 2**63 - 1  # the largest key a database integer holds


def whole_number(text: str | None, maximum: int = MAX_ID) -> int | None:
    """`text` as a whole number from 0 to `maximum`, or None: ASCII digits only, since
    str.isdigit() also accepts "²" and "①", which int() then refuses."""
    if text is None or not _ASCII_NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None


def short_label(text: str, limit: int = 40) -> str:
    """A text short enough for a button, cut between words (never inside one), with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:-–") + "…"
