"""Invite codes: how a person's chat account gets linked to their roster entry.

The personnel office issues each person a single-use code of 8 characters from an
alphabet without look-alikes (no 0/O, 1/I/L), valid 14 days by default. Only the code's
SHA-256 is stored; the plain code is shown once, to the admin who issued it. People type
it in any case, with spaces or dashes: `abcd-efgh` is `ABCDEFGH`. A new code replaces a
person's older unused ones.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.models import InviteCode, Person, utcnow

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols: 8 of them give ~8.5e11 codes
CODE_LENGTH = 8
DEFAULT_DAYS = 14


def new_code() -> str:
    """A fresh random code (not yet stored)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """The code as stored: upper case, without spaces or dashes (" abcd-efgh" -> "ABCDEFGH")."""
    return "".join(c for c in text.upper() if not c.isspace() and c not in "-‐‑–—")


def hash_code(code: str) -> str:
    """The SHA-256 (hex) of the normalized code: what the database keeps."""
    return hashlib.sha256(normalize_code(code).encode("ascii", "replace")).hexdigest()


def is_well_formed(code: str) -> bool:
    """Whether the normalized `code` could be a code at all (length and alphabet)."""
    code = normalize_code(code)
    return len(code) == CODE_LENGTH and all(c in ALPHABET for c in code)


def issue(
    session: Session,
    person: Person,
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
) -> tuple[str, datetime]:
    """Issue a code for `person`, valid `days` days: (the plain code, its expiry in UTC).

    The person's older unused codes are deleted, so only the newest one works.
    """
    if days < 1:
        raise ValueError("an invite must be valid at least one day")
    now = now or utcnow()
    session.execute(
        delete(InviteCode).where(
            col(InviteCode.person_id) == person.id, col(InviteCode.used_at).is_(None)
        )
    )
    while True:  # a clash is all but impossible; the hash column is unique anyway
        code = new_code()
        digest = hash_code(code)
        if (
            session.exec(select(InviteCode.id).where(InviteCode.code_hash == digest)).first()
            is None
        ):
            break
    expires_at = now + timedelta(days=days)
    session.add(
        InviteCode(person_id=person.id, code_hash=digest, expires_at=expires_at, created_at=now)
    )
    session.flush()
    return code, expires_at


def check(session: Session, code: str, now: datetime | None = None) -> Person | None:
    """The active person `code` was issued for, if the code is unused and unexpired."""
    found = _valid(session, code, now or utcnow())
    return None if found is None else found[1]


def redeem(session: Session, code: str, now: datetime | None = None) -> Person | None:
    """Like `check`, and marks the code used: it works once.

    The code is marked with a conditional UPDATE, so that two chats sending the same code
    at the same moment (two processes) cannot both have it.
    """
    now = now or utcnow()
    found = _valid(session, code, now)
    if found is None:
        return None
    invite, person = found
    marked = session.execute(
        update(InviteCode)
        .where(col(InviteCode.id) == invite.id, col(InviteCode.used_at).is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:
        return None
    session.refresh(invite)
    return person


def deep_link(bot_username: str, code: str) -> str:
    """The Telegram link that opens the bot and sends `/start CODE`."""
    username = bot_username.strip().removeprefix("@")
    return f"https://t.me/{quote(username)}?start={normalize_code(code)}"


def _valid(session: Session, code: str, now: datetime) -> tuple[InviteCode, Person] | None:
    if not is_well_formed(code):
        return None  # no query for what cannot be a code
    invite = session.exec(select(InviteCode).where(InviteCode.code_hash == hash_code(code))).first()
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        return None
    person = session.get(Person, invite.person_id)
    if person is None or not person.active:
        return None
    return invite, person
