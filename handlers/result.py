"""/result: the person's level, score breakdown and reasons, once published."""

from __future__ import annotations

from handlers import menu_buttons, notices
from handlers.context import Context, reply
from handlers.events import Reply
from storage.periods import latest_published_result

PREFIX = "rs"


def show(ctx: Context) -> list[Reply]:
    found = latest_published_result(ctx.session, ctx.person.id)
    if found is None:
        return [
            reply(
                ctx._(
                    "No result has been published for you yet. Results are sent "
                    "after the reviews of the month."
                ),
                *menu_buttons.buttons(ctx),
            )
        ]
    result, period = found
    lang = ctx.language
    return [
        notices.result(
            lang,
            period.code,
            result.level,
            result.score,
            result.reasons.get(lang) or result.reasons.get("vi") or [],
            result.reward_vnd,
            basis=result.ruleset,
            buttons=tuple(tuple(row) for row in menu_buttons.buttons(ctx)),
        )
    ]


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    return show(ctx)


def on_text(ctx: Context, text: str) -> list[Reply]:
    return show(ctx)
