"""/result: the person's level, score breakdown and reasons, once published."""

from __future__ import annotations

from sqlmodel import col, select

from core.model import Level
from core.texts import level_name
from handlers import menu
from handlers.context import Context, reply
from handlers.events import Reply
from locales import format_number, periods
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
    lines = [
        ctx._("Result of {period}: {level}").format(
            **periods(period.code, lang),
            level=level_name(Level(result.level), lang) if result.level else "—",
        )
    ]
    if result.score is not None:
        lines.append(ctx._("Score: {score}/100").format(score=format_number(result.score, lang)))
    reasons = result.reasons.get(lang) or result.reasons.get("vi") or []
    lines += [f"• {reason['text']}" for reason in reasons]
    if result.reward_vnd:
        lines.append(
            ctx._("Reward: {amount} VND").format(amount=format_number(result.reward_vnd, lang))
        )
    return [reply("\n".join(lines), *menu.buttons(ctx))]


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    return show(ctx)


def on_text(ctx: Context, text: str) -> list[Reply]:
    return show(ctx)
