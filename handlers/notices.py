"""The messages sent to a person on the product's own initiative — by the monthly cycle
(reminders, lists, results) or because of somebody else's decision (a submission returned
for correction) — built in the recipient's language. They go through the outbox
(`deliver`), so that none is lost; buttons lead into the conversations.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from core import CoreError, load
from core.model import Level
from core.texts import level_name
from handlers.events import Button, Reply, replies_to_payload
from locales import N_, format_moment, format_number, periods, translations
from storage.models import Person, Role
from storage.outbox import enqueue
from storage.queries import chats_for_notices


def deliver(
    session: Session,
    person_id: int,
    key: str,
    replies: Reply | Sequence[Reply],
    not_before: datetime,
) -> None:
    """Write the message(s) to the outbox for the person's chat (`chat_for_notices`: the
    messenger they chose, or the one they wrote from last), once per `key` (``"kind:..."``:
    a step that runs twice writes nothing twice), in the caller's transaction: the message
    goes if and only if the decision behind it is committed."""
    person = session.get(Person, person_id)
    if person is not None:
        deliver_all(session, [(person, key, replies)], not_before)


def deliver_all(
    session: Session,
    notices: Sequence[tuple[Person, str, Reply | Sequence[Reply]]],
    not_before: datetime,
) -> set[int]:
    """`deliver` (person, key, message(s)) of each of `notices`, the chats of all the
    recipients read at once (`chats_for_notices`): a step of the month writes thousands.
    Returns the ids of the people reached (those with a chat)."""
    chats = chats_for_notices(session, [person for person, _, _ in notices])
    for person, key, replies in notices:
        identity = chats.get(person.id)
        if identity is None:
            continue  # not registered in any chat: /status and the digests show who
        enqueue(
            session,
            key=f"{key}:{identity.platform}",
            kind=key.split(":", 1)[0],
            platform=identity.platform,
            chat_id=identity.chat_id,
            payload=replies_to_payload(replies, person.language),
            person_id=person.id,
            not_before=not_before,
        )
    return set(chats)


def _time(moment: datetime, timezone: ZoneInfo) -> str:
    return moment.astimezone(timezone).strftime("%H:%M %d/%m/%Y")


def opened(language: str, period_code: str, deadline: datetime, timezone: ZoneInfo) -> Reply:
    _ = translations(language).gettext
    return Reply(
        _(
            "The self-assessment of {period} is open until {time}. It takes a "
            "few minutes: one question at a time."
        ).format(**periods(period_code, language), time=_time(deadline, timezone)),
        ((Button(_("📝 Start the self-assessment"), "as:start"),),),
    )


def reminder(
    language: str, period_code: str, deadline: datetime, timezone: ZoneInfo, last_day: bool
) -> Reply:
    _ = translations(language).gettext
    if last_day:
        text = _(
            "Today is the deadline of the self-assessment of {period} ({time}). "
            "You have not submitted it yet."
        )
    else:
        text = _(
            "Reminder: the self-assessment of {period} is due {time}; you have not "
            "submitted it yet."
        )
    return Reply(
        text.format(**periods(period_code, language), time=_time(deadline, timezone)),
        ((Button(_("📝 Self-assessment"), "as:start"),),),
    )


def late_list(language: str, period_code: str, unit_name: str, names: list[str]) -> Reply:
    _ = translations(language).gettext
    lines = [
        _("{Period}, {unit}: the deadline has passed; not submitted ({n}):").format(
            **periods(period_code, language), unit=unit_name, n=len(names)
        )
    ]
    lines += [f"• {name}" for name in names]
    return Reply("\n".join(lines))


def review_reminder(
    language: str, period_code: str, pending: int, deadline: datetime, timezone: ZoneInfo
) -> Reply:
    _ = translations(language).gettext
    return Reply(
        _("{Period}: {n} self-assessments await your review, due {time}.").format(
            **periods(period_code, language), n=pending, time=_time(deadline, timezone)
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
    warnings: Sequence[str] = (),
    basis: str | None = None,
    buttons: tuple = (),
) -> Reply:
    """The published result: the level, the score, the reasons, the reward, the warnings
    about the person, and the basis (the ruleset it was computed on)."""
    _ = translations(language).gettext
    if level is None:
        return Reply(
            _(
                "{Period}: you were not rated (no self-assessment was submitted). "
                "Please contact your unit head."
            ).format(**periods(period_code, language)),
            buttons,
        )
    named = level_name(Level(level), language)
    if len(period_code) == 4:  # the year ("2026"): its quality rating (NĐ 335 Điều 19)
        title = _("Annual quality rating {year}").format(year=period_code) + f": {named}"
    else:
        title = _("Result of {period}: {level}").format(
            **periods(period_code, language), level=named
        )
    lines = [title]
    if score is not None:
        lines.append(_("Score: {score}/100").format(score=format_number(score, language)))
    lines += [f"• {reason['text']}" for reason in reasons]
    if reward_vnd:
        lines.append(_("Reward: {amount} VND").format(amount=format_number(reward_vnd, language)))
    lines += ["⚠️ " + detail for detail in warnings]
    rules = basis_title(basis, language) if basis else None
    if rules:
        lines.append(_("Basis: {rules}").format(rules=rules))
    return Reply("\n".join(lines), buttons)


def basis_title(name: str, language: str) -> str | None:
    """A ruleset by its title ("Nghị định 335/2025/NĐ-CP ..."); None for a name the core
    no longer knows (results computed before rules version 2 are stored as "default (v1)")."""
    try:
        title = load(name).title
    except CoreError:
        return None
    return title.get(language) or title.get("vi")


# -- the review loop -------------------------------------------------------------------------


# How a unit's head is called depends on the kind of unit, which its name tells (the
# names are Vietnamese data: "Phòng Tổ chức", "Văn phòng Sở", "Thanh tra Sở"). Each title
# is a message, translated like any other; the first prefix that matches decides.
_HEAD_TITLES = (
    ("Phòng ", N_("Head of Division {rest}")),  # Trưởng phòng Tổ chức
    ("Ban ", N_("Head of Board {rest}")),  # Trưởng ban Quản lý
    ("Chi cục ", N_("Head of Sub-department {rest}")),  # Chi cục trưởng Chi cục ...
    ("Văn phòng", N_("Chief of {unit}")),  # Chánh Văn phòng Sở
    ("Thanh tra", N_("Chief of {unit}")),  # Chánh Thanh tra Sở
    ("Trung tâm", N_("Director of {unit}")),  # Giám đốc Trung tâm ...
)
_DIRECTOR_TITLES = (("Sở ", N_("Director of the Department")),)  # Giám đốc Sở


def leader_title(role: Role, unit_name: str, organization_name: str, language: str) -> str:
    """How a reviewer is named by office (VIETNAMESE.md: name the actual reviewer):
    "Trưởng phòng Tổ chức", "Chánh Văn phòng Sở", "Giám đốc Sở"."""
    _ = translations(language).gettext
    if role is Role.DIRECTOR:
        for prefix, title in _DIRECTOR_TITLES:
            if organization_name.startswith(prefix):
                return _(title)
        return _("Head of the organization")
    for prefix, title in _HEAD_TITLES:
        if unit_name.startswith(prefix):
            return _(title).format(rest=unit_name.removeprefix(prefix), unit=unit_name)
    return _("Head of {unit}").format(unit=unit_name)


def returned(
    language: str,
    period_code: str,
    reviewer: str,
    comment: str,
    correct_by: datetime | None,
    timezone: ZoneInfo,
) -> Reply:
    """To the person: the reviewer sent the self-assessment back, what to correct, by when."""
    _ = translations(language).gettext
    text = _(
        "{reviewer} returned your self-assessment of {period} for correction: \u201c{comment}\u201d"
    ).format(reviewer=_capitalized(reviewer), **periods(period_code, language), comment=comment)
    if correct_by is not None:
        text += "\n" + _(
            "Please correct it and submit it again before {time}; after that, the version "
            "you submitted is rated as it stands."
        ).format(time=format_moment(correct_by, timezone, language))
    return Reply(text, ((Button(_("📝 Correct the self-assessment"), "as:start"),),))


def resubmitted(language: str, period_code: str, name: str, assessment_id: int) -> Reply:
    """To the reviewer: the person corrected the returned self-assessment."""
    _ = translations(language).gettext
    return Reply(
        _(
            "{name} corrected the self-assessment of {period} you returned and submitted it again."
        ).format(name=name, **periods(period_code, language)),
        ((Button(_("🗂 Review it"), f"rv:open:{assessment_id}"),),),
    )


def task_reported(
    language: str, period_code: str, name: str, title: str, reason: str, task_id: int
) -> Reply:
    """To the reviewer: a person reported a planned task as beyond their ability."""
    _ = translations(language).gettext
    return Reply(
        _(
            "{name} reported the task “{title}” of {period} as beyond their ability "
            "to complete: “{reason}”. It stays among {name}'s assigned tasks; you may "
            "hand it over to a colleague of the unit."
        ).format(name=name, title=title, **periods(period_code, language), reason=reason),
        ((Button(_("👥 Hand it over to a colleague"), f"pl:hand:{task_id}"),),),
    )


def task_handed(
    language: str, period_code: str, title: str, from_name: str, deadline: date | None
) -> Reply:
    """To the colleague: a task taken over, an extra task (NĐ 335 Điều 18)."""
    _ = translations(language).gettext
    text = _(
        "You are given the task “{title}”, taken over from {name}. It is an extra "
        "task of {period}: counted outside the tasks assigned to you, it adds points when "
        "done. Report its result in the self-assessment."
    ).format(title=title, name=from_name, **periods(period_code, language))
    if deadline is not None:
        text += "\n" + _("Deadline: {date}.").format(date=deadline.strftime("%d/%m/%Y"))
    return Reply(text, ((Button(_("📋 Work plan"), "pl:list"),),))


def task_handed_from(language: str, title: str, to_name: str, leader: str) -> Reply:
    """To the person who reported the task: who takes it over, by whose decision."""
    _ = translations(language).gettext
    return Reply(
        _(
            "{leader} handed “{title}” over to {name}. It stays among the tasks "
            "assigned to you, as not done, with the reason you reported."
        ).format(leader=_capitalized(leader), title=title, name=to_name)
    )


def task_assigned(
    language: str,
    period_code: str,
    title: str,
    leader: str,
    deadline: date | None,
    factor: float,
) -> Reply:
    """To a person: their leader added a task to their plan in the chat (`/assign`)."""
    _ = translations(language).gettext
    text = _("{leader} assigned you the task “{title}” in your plan of {period}.").format(
        leader=_capitalized(leader), title=title, **periods(period_code, language)
    )
    if deadline is not None:
        text += "\n" + _("Deadline: {date}.").format(date=deadline.strftime("%d/%m/%Y"))
    if factor != 1:
        text += "\n" + _("Conversion factor: {factor}.").format(
            factor=format_number(factor, language)
        )
    return Reply(text, ((Button(_("📋 Work plan"), "pl:list"),),))


def plan_changed(
    language: str,
    period_code: str,
    added: Sequence[str],
    changed: Sequence[str],
    removed: Sequence[str],
) -> Reply:
    """To a person whose plan a plan file changed (`admin import-plan`): what changed."""
    _ = translations(language).gettext
    lines = [
        _("Your plan of {period} was updated with the tasks assigned to you:").format(
            **periods(period_code, language)
        )
    ]
    for label, titles in (
        (_("New tasks:"), added),
        (_("Changed tasks:"), changed),
        (_("Removed tasks:"), removed),
    ):
        if titles:
            lines.append(label)
            lines += [f"• {title}" for title in titles[:MAX_TITLES_SHOWN]]
            if len(titles) > MAX_TITLES_SHOWN:
                lines.append(_("… and {count} more.").format(count=len(titles) - MAX_TITLES_SHOWN))
    return Reply("\n".join(lines), ((Button(_("📋 Work plan"), "pl:list"),),))


MAX_TITLES_SHOWN = 10


def not_corrected(language: str, period_code: str, names: list[str]) -> Reply:
    """To the reviewer at the heads' deadline: returned, not corrected, rated as it stood."""
    _ = translations(language).gettext
    lines = [
        _(
            "{Period}: these self-assessments you returned were not corrected by the "
            "deadline; they are rated as they were submitted:"
        ).format(**periods(period_code, language))
    ]
    lines += [f"• {name}" for name in names]
    return Reply("\n".join(lines))


def not_corrected_to_person(language: str, period_code: str) -> Reply:
    _ = translations(language).gettext
    return Reply(
        _(
            "{Period}: the time to correct your returned self-assessment has passed; "
            "the version you submitted is rated as it stands."
        ).format(**periods(period_code, language))
    )


def ties(
    language: str, period_code: str, count: int, publish_at: datetime, timezone: ZoneInfo
) -> Reply:
    """To the reviewer after the classification run: people tied for the last A place."""
    _ = translations(language).gettext
    return Reply(
        _(
            "{Period}: people you reviewed are tied for the last place at {level} "
            "({n} group(s)). Please rank them before the results are published at {time}."
        ).format(
            **periods(period_code, language),
            level=level_name(Level.EXCELLENT, language),
            n=count,
            time=format_moment(publish_at, timezone, language),
        ),
        ((Button(_("🗂 Rank them"), "rv:next"),),),
    )


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
