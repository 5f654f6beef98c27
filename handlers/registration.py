"""Registration: `/start CODE` (or the deep link t.me/<bot>?start=CODE) binds the chat
to the person the code was issued for. Strangers get a polite word and nothing else;
wrong codes are limited per chat (5 tries, then 15 minutes' wait)."""

from __future__ import annotations

from datetime import timedelta

from handlers import menu
from handlers.context import Context, reply
from handlers.events import Reply
from storage.conversations import locked_code_attempts
from storage.invites import redeem
from storage.models import CodeAttempts, Identity
from storage.people import identities_replaced

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


def start(ctx: Context, code: str) -> list[Reply]:
    if ctx.person is not None:
        if code:
            return [
                reply(
                    ctx._("This chat is already registered to {name}.").format(
                        name=ctx.person.full_name
                    )
                ),
                *menu.show(ctx),
            ]
        return menu.show(ctx)
    if not code:
        return stranger(ctx)
    attempts = locked_code_attempts(ctx.session, ctx.incoming.platform, ctx.incoming.chat_id)
    if attempts.locked_until is not None and ctx.now < attempts.locked_until:
        return [_locked(ctx, attempts)]
    person = redeem(ctx.session, code, ctx.now)
    if person is None:
        return [_wrong_code(ctx, attempts)]
    _bind(ctx, person.id)
    attempts.failures = 0
    attempts.first_failure_at = attempts.locked_until = None
    ctx.person = person
    ctx.go(None)
    welcome = reply(
        ctx._(
            "Welcome, {name}! This chat is now registered. Here you will plan your month's "
            "tasks, assess yourself at the end of the month and receive your results."
        ).format(name=person.full_name)
    )
    return [welcome, *menu.show(ctx), menu.command_list(ctx)]


def stranger(ctx: Context) -> list[Reply]:
    return [
        reply(
            ctx._(
                "Hello! This chat is not registered yet. Please send /start followed by the invite "
                "code you received from your organization's personnel office, for example: "
                "/start K7M3P9QX."
            )
        )
    ]


def _wrong_code(ctx: Context, attempts: CodeAttempts) -> Reply:
    if attempts.first_failure_at is None or ctx.now - attempts.first_failure_at > LOCKOUT:
        attempts.failures = 0
        attempts.first_failure_at = ctx.now
    attempts.failures += 1
    if attempts.failures >= MAX_FAILURES:
        attempts.locked_until = ctx.now + LOCKOUT
        attempts.failures = 0
        attempts.first_failure_at = None
        return _locked(ctx, attempts)
    left = MAX_FAILURES - attempts.failures
    return reply(
        ctx.ngettext(
            "This code is not valid or has expired. Please check it; {n} try left.",
            "This code is not valid or has expired. Please check it; {n} tries left.",
            left,
        ).format(n=left)
    )


def _locked(ctx: Context, attempts: CodeAttempts) -> Reply:
    until = attempts.locked_until.astimezone(ctx.timezone)
    return reply(
        ctx._("Too many wrong codes. For your security, please try again after {time}.").format(
            time=until.strftime("%H:%M")
        )
    )


def _bind(ctx: Context, person_id: int) -> None:
    """Link this chat account to the person; their older account here is replaced."""
    incoming = ctx.incoming
    for old in identities_replaced(ctx.session, incoming.platform, person_id, incoming.user_id):
        ctx.session.delete(old)
    ctx.session.flush()
    ctx.session.add(
        Identity(
            person_id=person_id,
            platform=incoming.platform,
            user_id=incoming.user_id,
            chat_id=incoming.chat_id,
        )
    )
