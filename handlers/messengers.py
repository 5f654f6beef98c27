"""One person, several messengers: `/link` shows the messengers linked to the person,
which one receives the cycle's notices (the one they chose, or the one they wrote from
last), and gives a one-time code to link another messenger (`/start CODE` there)."""

from __future__ import annotations

from handlers.context import Context, reply
from handlers.events import Button, Reply
from locales import format_moment
from storage.invites import issue
from storage.queries import chat_for_notices, identities_of

PREFIX = "ms"
LINK_DAYS = 1  # a link code is for the person themselves: one day is enough
NAMES = {"telegram": "Telegram", "zalo": "Zalo"}


def show(ctx: Context, note: str = "", edit: bool = False) -> list[Reply]:
    person = ctx.person
    linked = [i.platform for i in identities_of(ctx.session, person.id)]
    current = chat_for_notices(ctx.session, person)
    lines = [note] if note else []
    lines.append(
        ctx._("Messengers linked to you: {names}.").format(
            names=", ".join(_name(ctx, p) for p in linked)
        )
    )
    if current is not None:
        line = (
            ctx._("Notices go to {name}, as you chose.")
            if person.messenger == current.platform
            else ctx._("Notices go to {name}, the messenger you wrote from last.")
        )
        lines.append(line.format(name=_name(ctx, current.platform)))
    rows = [
        [Button(ctx._("🔔 Notices on {name}").format(name=_name(ctx, p)), f"ms:use:{p}")]
        for p in linked
        if len(linked) > 1 and p != person.messenger
    ]
    if person.messenger is not None:
        rows.append([Button(ctx._("🔁 Notices where I wrote last"), "ms:use:last")])
    rows.append([Button(ctx._("🔑 Link another messenger"), "ms:code")])
    rows.append([Button(ctx._("⬅️ Menu"), "mn:show")])
    return [reply("\n".join(lines), *rows, edit=edit)]


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    person = ctx.person
    match parts:
        case ["show"]:
            return show(ctx)
        case ["code"]:
            code, expires = issue(ctx.session, person, days=LINK_DAYS, now=ctx.now)
            text = ctx._(
                "Your link code: {code} (it works once, until {time}). In the other "
                "messenger (Telegram or Zalo), find the bot and send it:\n/start {code}"
            ).format(code=code, time=format_moment(expires, ctx.timezone, ctx.language))
            return [reply(text, [Button(ctx._("⬅️ Menu"), "mn:show")], edit=True)]
        case ["use", choice]:
            linked = {i.platform for i in identities_of(ctx.session, person.id)}
            wanted = None if choice == "last" else choice
            if wanted is not None and wanted not in linked:
                return show(ctx, ctx._("That messenger is not linked to you: nothing changed."))
            before = person.messenger
            person.messenger = wanted
            ctx.session.add(person)
            ctx.audit("person", person.id, "messenger", before, wanted)
            note = (
                ctx._("Done: notices now go to the messenger you write from last.")
                if wanted is None
                else ctx._("Done: notices now go to {name}.").format(name=_name(ctx, wanted))
            )
            return show(ctx, note, edit=True)
    return show(ctx)


def on_text(ctx: Context, text: str) -> list[Reply]:
    return show(ctx)


def _name(ctx: Context, platform: str) -> str:
    return NAMES.get(platform) or (
        ctx._("the terminal") if platform == "console" else platform.capitalize()
    )
