"""/result: the person's level, score breakdown and reasons, once published."""

from __future__ import annotations

from sqlmodel import col, select

from handlers import menu, notices
from handlers.context import Context, reply
from handlers.events import Reply
from storage.models import Period, Result

PREFIX = "rs"


def show(ctx: Context) -> list[Reply]:
    found = ctx.session.exec(
        select(Result, Period)
        .join(Period, col(Result.period_id) == col(Period.id))
        .where(Result.person_id == ctx.person.id, col(Result.published_at).is_not(None))
        .order_by(col(Period.code).desc())
    ).first()
    if found is None:
        return [
            reply(
                ctx._(
                    "No result has been published for you yet. Results are sent "
                    "after the reviews of the month."
                ),
                *menu.buttons(ctx),
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
            buttons=tuple(tuple(row) for row in menu.buttons(ctx)),
        )
    ]


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    return show(ctx)


def on_text(ctx: Context, text: str) -> list[Reply]:
    return show(ctx)
