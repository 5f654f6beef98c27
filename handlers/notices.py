"""The messages sent to a person on the product's own initiative — by the monthly cycle
(reminders, lists, results) or because of somebody else's decision (a submission returned
for correction) — built in the recipient's language. They go through the outbox
(`deliver`), so that none is lost; buttons lead into the conversations.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from core.model import Level
from core.texts import level_name
from handlers.events import Button, Reply, replies_to_payload
from locales import format_number, translations
from storage.outbox import enqueue
from storage.queries import identities_of


def deliver(
    session: Session,
    person_id: int,
    key: str,
    replies: Reply | Sequence[Reply],
    not_before: datetime,
) -> None:
    """Write the message(s) to the outbox for each chat of the person, once per `key`
    (``"kind:..."``: a step that runs twice writes nothing twice), in the caller's
    transaction: the message goes if and only if the decision behind it is committed."""
    payload = replies_to_payload(replies)
    for identity in identities_of(session, person_id):
        enqueue(
            session,
            key=f"{key}:{identity.platform}",
            kind=key.split(":", 1)[0],
            platform=identity.platform,
            chat_id=identity.chat_id,
            payload=payload,
            person_id=person_id,
            not_before=not_before,
        )


def _month(code: str) -> str:
    return f"{code[5:]}/{code[:4]}"


def _time(moment: datetime, timezone: ZoneInfo) -> str:
    return moment.astimezone(timezone).strftime("%H:%M %d/%m/%Y")


def opened(language: str, period_code: str, deadline: datetime, timezone: ZoneInfo) -> Reply:
    _ = translations(language).gettext
    return Reply(
        _(
            "The self-assessment of month {month} is open until {time}. It takes a "
            "few minutes: one question at a time."
        ).format(month=_month(period_code), time=_time(deadline, timezone)),
        ((Button(_("📝 Start the self-assessment"), "as:start"),),),
    )


def reminder(
    language: str, period_code: str, deadline: datetime, timezone: ZoneInfo, last_day: bool
) -> Reply:
    _ = translations(language).gettext
    if last_day:
        text = _(
            "Today is the deadline of the self-assessment of month {month} ({time}). "
            "You have not submitted it yet."
        )
    else:
        text = _(
            "Reminder: the self-assessment of month {month} is due {time}; you have not "
            "submitted it yet."
        )
    return Reply(
        text.format(month=_month(period_code), time=_time(deadline, timezone)),
        ((Button(_("📝 Self-assessment"), "as:start"),),),
    )


def late_list(language: str, period_code: str, unit_name: str, names: list[str]) -> Reply:
    _ = translations(language).gettext
    lines = [
        _("Month {month}, {unit}: the deadline has passed; not submitted ({n}):").format(
            month=_month(period_code), unit=unit_name, n=len(names)
        )
    ]
    lines += [f"• {name}" for name in names]
    return Reply("\n".join(lines))


def review_reminder(
    language: str, period_code: str, pending: int, deadline: datetime, timezone: ZoneInfo
) -> Reply:
    _ = translations(language).gettext
    return Reply(
        _("Month {month}: {n} self-assessments await your review, due {time}.").format(
            month=_month(period_code), n=pending, time=_time(deadline, timezone)
        ),
        ((Button(_("🗂 Review"), "rv:next"),),),
    )


def result(
    language: str,
    period_code: str,
    level: str | None,
    score: float | None,
    reasons: list[dict],
    reward_vnd: int,
) -> Reply:
    _ = translations(language).gettext
    if level is None:
        return Reply(
            _(
                "Month {month}: you were not rated (no self-assessment was submitted). "
                "Please contact your unit head."
            ).format(month=_month(period_code))
        )
    lines = [
        _("Result of month {month}: {level}").format(
            month=_month(period_code), level=level_name(Level(level), language)
        )
    ]
    if score is not None:
        lines.append(_("Score: {score}/100").format(score=format_number(score, language)))
    lines += [f"• {reason['text']}" for reason in reasons]
    if reward_vnd:
        lines.append(_("Reward: {amount} VND").format(amount=format_number(reward_vnd, language)))
    return Reply("\n".join(lines))


def warning(language: str, detail: str) -> Reply:
    _ = translations(language).gettext
    return Reply("⚠️ " + _("Warning: {detail}").format(detail=detail))
