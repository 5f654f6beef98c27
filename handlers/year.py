"""/year: the annual rating in the chat (NĐ 335 Điều 19-20), and the messages the year's
steps send (cycle/year.py).

    the round opens ─▶ each person: the proposed score and level, the reasons
       ├─ ✅ confirm ─▶ confirmed
       └─ 💬 comment ─▶ the comment (typed) ─▶ confirmed with the comment
    the confirmations close ─▶ heads (then the director): /year ─▶ 🗂 review
       ├─ a person ─▶ ✅ agree │ ⬇️ a lower level ─▶ the reason (typed) ─▶ saved, the person told
       └─ ✅ agree with all the rest
    the director's review ends ─▶ the quota (cycle/year.py) ─▶ publication

A head decides for the people the head reviews in a month, until the heads' deadline; the
director for everyone but themselves, until publication (the director's change wins over
the head's; an agreement keeps the head's change). A level is only ever lowered. Every
decision and confirmation is audited (entity `year_rating`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core.model import Level
from core.texts import level_name
from handlers import menu_buttons, notices
from handlers.context import Context, reply, short_label, whole_number
from handlers.events import Button, Reply
from locales import format_moment, format_number, name_sort_key, translations
from storage.models import Person, Role, YearRating, YearRound
from storage.people import active_people
from storage.queries import reviewers_of
from storage.year import CLOSED, OPEN, PUBLISHED, latest_round, rating_of, ratings_of

PREFIX = "yr"
MAX_COMMENT = 1000
LOWER = {"A": ("B", "C", "D"), "B": ("C", "D"), "C": ("D",), "D": ()}


# -- the messages of the year's steps --------------------------------------------------------


def proposal(
    language: str, rating: YearRating, year: int, confirm_by: datetime, timezone: ZoneInfo
) -> Reply:
    """The proposed annual rating, with the buttons to confirm or comment."""
    _ = translations(language).gettext
    lines = [_("Annual quality rating {year}: the proposal").format(year=year)]
    lines += _summary(language, rating)
    lines.append(
        _("Please confirm it, or send your comment, by {time}.").format(
            time=format_moment(confirm_by, timezone, language)
        )
    )
    return Reply("\n".join(lines), _person_buttons(language))


def confirm_reminder(language: str, year: int, confirm_by: datetime, timezone: ZoneInfo) -> Reply:
    _ = translations(language).gettext
    return Reply(
        _(
            "Reminder: you have not yet confirmed your annual quality rating {year}. "
            "Please confirm it or send your comment by {time}."
        ).format(year=year, time=format_moment(confirm_by, timezone, language)),
        _person_buttons(language),
    )


def review_request(language: str, year: int, count: int, by: datetime, timezone: ZoneInfo) -> Reply:
    t = translations(language)
    return Reply(
        t.ngettext(
            "Annual quality rating {year}: {n} person awaits your review, by {time}.",
            "Annual quality rating {year}: {n} people await your review, by {time}.",
            count,
        ).format(year=year, n=count, time=format_moment(by, timezone, language)),
        ((Button(t.gettext("🗂 Review the year"), "yr:rv"),),),
    )


def lowered(language: str, year: int, level: str, reason: str, by: str) -> Reply:
    """To the person whose proposed annual level a reviewer lowered."""
    _ = translations(language).gettext
    return Reply(
        _(
            "Annual quality rating {year}: {reviewer} proposed the level {level}. "
            "Reason: “{reason}”."
        ).format(year=year, reviewer=by, level=level_name(Level(level), language), reason=reason)
    )


def _person_buttons(language: str) -> tuple[tuple[Button, ...], ...]:
    _ = translations(language).gettext
    return ((Button(_("✅ Confirm"), "yr:ok"), Button(_("💬 Comment"), "yr:cm")),)


def _summary(language: str, rating: YearRating, published: bool = False) -> list[str]:
    """The score, the level and the reasons of a rating, in `language`: the proposal (the
    level by the rules, before the quota) until it is `published`."""
    _ = translations(language).gettext
    if rating.computed_level is None:
        lines = [_("Not rated for the year.")]
    else:
        lines = [
            _("Score: {score}/100").format(score=format_number(rating.score, language)),
            _("Level: {level}").format(
                level=level_name(
                    Level(rating.level if published else rating.computed_level), language
                )
            ),
        ]
    reasons = rating.reasons.get(language) or rating.reasons.get("vi") or []
    lines += [f"• {reason['text']}" for reason in reasons]
    return lines


# -- the conversation --------------------------------------------------------------------------


def show(ctx: Context) -> list[Reply]:
    """The person's own annual rating, where it stands; for a reviewer, the review."""
    year_round = latest_round(ctx.session, ctx.person.organization_id)
    rating = year_round and rating_of(ctx.session, year_round.id, ctx.person.id)
    if year_round is None or rating is None:
        return [
            reply(
                ctx._("The annual rating has not opened yet. It opens in early December."),
                *menu_buttons.buttons(ctx),
            )
        ]
    lines = [ctx._("Annual quality rating {year}").format(year=year_round.year)]
    lines += _summary(ctx.language, rating, year_round.status == PUBLISHED)
    rows: list[list[Button]] = []
    if year_round.status == PUBLISHED:
        lines.append(ctx._("The rating is final (published)."))
    elif rating.confirmed_at is not None:
        lines.append(
            ctx._("You confirmed it at {time}.").format(time=_moment(ctx, rating.confirmed_at))
        )
        if rating.comment:
            lines.append(ctx._("Your comment: “{comment}”").format(comment=rating.comment))
    if year_round.status == OPEN and ctx.now <= year_round.confirm_by:
        rows += [list(row) for row in _person_buttons(ctx.language)]
    waiting = len(_to_review(ctx, year_round))
    if waiting:
        rows.append([Button(ctx._("🗂 Review the year ({n})").format(n=waiting), "yr:rv")])
    return [reply("\n".join(lines), *rows, *menu_buttons.buttons(ctx))]


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    action = parts[0] if parts else ""
    year_round = latest_round(ctx.session, ctx.person.organization_id)
    if year_round is None:
        return show(ctx)
    if action == "ok":
        return _confirm(ctx, year_round, None)
    if action == "cm":
        refused = _confirm_refused(ctx, year_round)
        if refused:
            return refused
        ctx.go(PREFIX, "comment")
        return [reply(ctx._("Please type your comment on the proposed annual rating."))]
    if action == "rv":
        return _review_list(ctx, year_round)
    if action == "all":
        return _agree_all(ctx, year_round)
    person_id = whole_number(parts[1] if len(parts) > 1 else None)
    if action in ("p", "ag", "lv") and person_id is not None:
        rating = _to_review(ctx, year_round).get(person_id)
        if rating is None:
            return [
                reply(ctx._("You cannot decide on this person now.")),
                *_review_list(ctx, year_round),
            ]
        if action == "p":
            return _one(ctx, year_round, rating)
        if action == "ag":
            _decide(ctx, year_round, rating, "agree", None, None)
            return [reply(ctx._("Agreed.")), *_review_list(ctx, year_round)]
        level = parts[2] if len(parts) > 2 else ""
        if level not in LOWER[_proposed(rating)]:
            return _one(ctx, year_round, rating)
        ctx.go(PREFIX, "reason", person=person_id, level=level)
        return [
            reply(
                ctx._("Please type the reason for the level {level}.").format(
                    level=level_name(Level(level), ctx.language)
                )
            )
        ]
    return show(ctx)


def on_text(ctx: Context, text: str) -> list[Reply]:
    year_round = latest_round(ctx.session, ctx.person.organization_id)
    step = ctx.state.step
    if year_round is None or not text:
        return show(ctx)
    if len(text) > MAX_COMMENT:
        return [
            reply(
                ctx._("Please keep it under {n} characters.").format(n=MAX_COMMENT),
            )
        ]
    if step == "comment":
        ctx.go(None)
        return _confirm(ctx, year_round, text)
    if step == "reason":
        person_id, level = ctx.recall("person"), ctx.recall("level")
        ctx.go(None)
        rating = _to_review(ctx, year_round).get(person_id)
        if rating is None or level not in LOWER[_proposed(rating)]:
            return [
                reply(ctx._("You cannot decide on this person now.")),
                *_review_list(ctx, year_round),
            ]
        _decide(ctx, year_round, rating, "change", level, text)
        return [
            reply(
                ctx._("Saved: the level {level}. The person has been told.").format(
                    level=level_name(Level(level), ctx.language)
                )
            ),
            *_review_list(ctx, year_round),
        ]
    return show(ctx)


# -- the person's confirmation ---------------------------------------------------------------


def _confirm_refused(ctx: Context, year_round: YearRound) -> list[Reply]:
    rating = rating_of(ctx.session, year_round.id, ctx.person.id)
    if rating is None:
        return show(ctx)
    if year_round.status != OPEN or ctx.now > year_round.confirm_by:
        return [
            reply(
                ctx._(
                    "The confirmations of the annual rating closed at {time}; your "
                    "reviewers now decide. Please speak to your unit head."
                ).format(time=_moment(ctx, year_round.confirm_by)),
                *menu_buttons.buttons(ctx),
            )
        ]
    return []


def _confirm(ctx: Context, year_round: YearRound, comment: str | None) -> list[Reply]:
    refused = _confirm_refused(ctx, year_round)
    if refused:
        return refused
    rating = rating_of(ctx.session, year_round.id, ctx.person.id)
    before = (rating.self_level, rating.comment)
    rating.self_level = rating.computed_level
    rating.comment = comment
    rating.confirmed_at = ctx.now
    ctx.session.add(rating)
    ctx.session.flush()
    ctx.audit("year_rating", rating.id, "self_level", before[0], rating.self_level, comment)
    if comment:
        text = ctx._("Thank you: your comment has been recorded for your reviewers.")
    else:
        text = ctx._("Thank you: you confirmed your proposed annual rating.")
    return [reply(text, *menu_buttons.buttons(ctx))]


# -- the reviewers -----------------------------------------------------------------------------


def _stage(ctx: Context, year_round: YearRound) -> str | None:
    """The stage the person reviews at now: a head until the heads' deadline, the director
    until publication; None: nothing to review now."""
    if year_round.status != CLOSED:
        return None
    if ctx.person.role is Role.DIRECTOR:
        return "director"
    if ctx.person.role is Role.HEAD and ctx.now <= year_round.head_review_by:
        return "head"
    return None


def _to_review(ctx: Context, year_round: YearRound) -> dict[int, YearRating]:
    """The ratings the person may decide on now, by person id."""
    stage = _stage(ctx, year_round)
    if stage is None:
        return {}
    people = active_people(ctx.session, ctx.person.organization_id)
    if stage == "head":
        reviewers = reviewers_of(people)
        ids = {p.id for p in people if getattr(reviewers.get(p.id), "id", None) == ctx.person.id}
    else:
        ids = {p.id for p in people if p.id != ctx.person.id}
    ratings = ratings_of(ctx.session, year_round.id)
    return {pid: r for pid, r in ratings.items() if pid in ids and r.computed_level is not None}


def _proposed(rating: YearRating) -> str:
    """The level by the rules (the quota comes after the reviews)."""
    return rating.computed_level or "D"


def _decision(rating: YearRating, stage: str) -> str | None:
    return getattr(rating, f"{stage}_decision")


def _review_list(ctx: Context, year_round: YearRound) -> list[Reply]:
    stage = _stage(ctx, year_round)
    ratings = _to_review(ctx, year_round)
    if stage is None or not ratings:
        return [
            reply(ctx._("No annual rating awaits your review now."), *menu_buttons.buttons(ctx))
        ]
    names = {
        p.id: p.full_name
        for p in active_people(ctx.session, ctx.person.organization_id)
        if p.id in ratings
    }
    order = sorted(ratings, key=lambda pid: name_sort_key(names[pid]))
    rows = []
    for pid in order:
        rating = ratings[pid]
        mark = "✅" if _decision(rating, stage) else "⏳"
        label = f"{mark} {short_label(names[pid], 28)} — {_proposed(rating)}"
        rows.append([Button(label, f"yr:p:{pid}")])
    undecided = sum(1 for r in ratings.values() if not _decision(r, stage))
    by = year_round.head_review_by if stage == "head" else year_round.publish_at
    text = ctx._(
        "Annual quality rating {year}: {undecided} of {total} not yet decided. "
        "Please decide by {time}."
    ).format(year=year_round.year, undecided=undecided, total=len(ratings), time=_moment(ctx, by))
    if undecided:
        rows.append([Button(ctx._("✅ Agree with all the rest"), "yr:all")])
    return [reply(text, *rows)]


def _one(ctx: Context, year_round: YearRound, rating: YearRating) -> list[Reply]:
    person = ctx.session.get(Person, rating.person_id)
    lines = [f"{person.full_name}"]
    lines += _summary(ctx.language, rating)
    if rating.confirmed_at is None:
        lines.append(ctx._("Not confirmed by the person."))
    elif rating.comment:
        lines.append(ctx._("The person's comment: “{comment}”").format(comment=rating.comment))
    if rating.head_decision and ctx.person.role is Role.DIRECTOR:
        if rating.head_decision == "change":
            lines.append(
                ctx._("The head proposed {level}: “{reason}”").format(
                    level=level_name(Level(rating.head_level), ctx.language),
                    reason=rating.head_comment,
                )
            )
        else:
            lines.append(ctx._("The head agreed."))
    pid = rating.person_id
    lower = [
        Button(f"⬇️ {level_name(Level(level), ctx.language)}", f"yr:lv:{pid}:{level}")
        for level in LOWER[_proposed(rating)]
    ]
    return [
        reply(
            "\n".join(lines),
            [Button(ctx._("✅ Agree"), f"yr:ag:{pid}")],
            *[[button] for button in lower],
            [Button(ctx._("↩️ Back to the list"), "yr:rv")],
        )
    ]


def _decide(
    ctx: Context,
    year_round: YearRound,
    rating: YearRating,
    decision: str,
    level: str | None,
    comment: str | None,
) -> None:
    """A reviewer's decision at the stage, audited; the person is told of a lower level."""
    stage = _stage(ctx, year_round)
    before = getattr(rating, f"{stage}_level")
    setattr(rating, f"{stage}_id", ctx.person.id)
    setattr(rating, f"{stage}_decision", decision)
    setattr(rating, f"{stage}_level", level)
    setattr(rating, f"{stage}_comment", comment)
    setattr(rating, f"{stage}_decided_at", ctx.now)
    ctx.session.add(rating)
    ctx.session.flush()
    ctx.audit(
        "year_rating",
        rating.id,
        f"{stage}_level",
        before,
        level or rating.computed_level,
        comment,
        decision=True,
    )
    if level is not None:
        person = ctx.session.get(Person, rating.person_id)
        notices.deliver(
            ctx.session,
            person.id,
            f"year_lowered:{year_round.year}:{person.code}:{stage}:{ctx.now:%Y%m%d%H%M%S}",
            lowered(person.language, year_round.year, level, comment or "", ctx.person.full_name),
            ctx.now,
        )


def _agree_all(ctx: Context, year_round: YearRound) -> list[Reply]:
    stage = _stage(ctx, year_round)
    ratings = [r for r in _to_review(ctx, year_round).values() if not _decision(r, stage)]
    for rating in ratings:
        _decide(ctx, year_round, rating, "agree", None, None)
    return [
        reply(
            ctx.ngettext("Agreed for {n} person.", "Agreed for {n} people.", len(ratings)).format(
                n=len(ratings)
            ),
            *menu_buttons.buttons(ctx),
        )
    ]


def _moment(ctx: Context, moment: datetime) -> str:
    return format_moment(moment, ctx.timezone, ctx.language)
