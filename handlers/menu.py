"""The main menu, help, the language, and the polite answers to what is not understood."""

from __future__ import annotations

from handlers.context import Context, reply
from handlers.events import Button, Reply
from locales import SUPPORTED_LOCALES, translations
from storage.models import AssessmentStatus, PeriodStatus
from storage.queries import assessment_of, current_period, tasks_of

PREFIX = "mn"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}  # each in its own language


def buttons(ctx: Context) -> list[list[Button]]:
    return [
        [
            Button(ctx._("📋 Monthly plan"), "pl:list"),
            Button(ctx._("📝 Self-assessment"), "as:start"),
        ],
        [Button(ctx._("📊 Result"), "mn:result"), Button(ctx._("❓ Help"), "mn:help")],
        [Button(ctx._("🌐 Language"), "mn:lang")],
    ]


def show(ctx: Context) -> list[Reply]:
    person = ctx.person
    period = current_period(ctx.session, person.organization_id, ctx.local_now())
    month = _month(period.code)
    tasks = len(tasks_of(ctx.session, person.id, period.id))
    assessment = assessment_of(ctx.session, person.id, period.id)
    if period.status is PeriodStatus.PLANNING:
        status = ctx.ngettext(
            "Month {month}: {n} task in your plan. The self-assessment is not open yet.",
            "Month {month}: {n} tasks in your plan. The self-assessment is not open yet.",
            tasks,
        ).format(month=month, n=tasks)
    elif assessment is not None and assessment.status is AssessmentStatus.SUBMITTED:
        status = ctx._("Month {month}: your self-assessment has been submitted.").format(
            month=month
        )
    elif period.status is PeriodStatus.OPEN:
        status = ctx._(
            "Month {month}: the self-assessment is open. Please complete it before the deadline."
        ).format(month=month)
    else:
        status = ctx._("Month {month}: the self-assessment is closed.").format(month=month)
    text = ctx._("Hello, {name}.").format(name=person.full_name) + "\n" + status
    return [reply(text, *buttons(ctx))]


def help(ctx: Context) -> list[Reply]:
    return [
        reply(
            ctx._(
                "What this bot does for you each month:\n"
                "/plan – register the month's tasks (before the self-assessment opens)\n"
                "/assess – assess yourself: general criteria, each task, ad-hoc tasks, "
                "initiatives, then propose your level\n"
                "/result – your level, score and the reasons, once published\n"
                "/lang – Vietnamese or English\n"
                "/menu – the main menu\n"
                "Your answers are saved as you go: you can stop and continue later."
            ),
            *buttons(ctx),
        )
    ]


def language(ctx: Context) -> list[Reply]:
    row = [Button(LANGUAGE_NAMES[code], f"mn:lang:{code}") for code in SUPPORTED_LOCALES]
    return [reply(ctx._("Choose your language:"), row)]


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    from handlers import result  # the menu leads everywhere; imported here, not in a cycle

    match parts:
        case ["help"]:
            return help(ctx)
        case ["lang"]:
            return language(ctx)
        case ["lang", code] if code in SUPPORTED_LOCALES:
            ctx.person.language = code
            ctx.session.add(ctx.person)
            return [
                reply(
                    ctx._("Language set to {language}.").format(language=LANGUAGE_NAMES[code]),
                    edit=True,
                ),
                *show(ctx),
            ]
        case ["result"]:
            return result.show(ctx)
        case ["show"]:
            return show(ctx)
    return [not_understood(ctx)]


def on_text(ctx: Context, text: str) -> list[Reply]:
    return show(ctx)


def not_understood(ctx: Context) -> Reply:
    return (
        reply(
            ctx._("Sorry, I did not understand that. Please use the buttons or the menu below."),
            *buttons(ctx),
        )
        if ctx.person
        else reply(ctx._("Sorry, I did not understand that."))
    )


def unknown_command(ctx: Context) -> Reply:
    return reply(
        ctx._("I do not know this command. Here is the menu; /help lists what I can do."),
        *buttons(ctx),
    )


def failed(language: str) -> Reply:
    """After an unexpected failure: nothing was saved, please try again."""
    _ = translations(language).gettext
    return Reply(
        _(
            "Sorry, the system could not complete this action, so nothing of it was saved. "
            "Please try again in a moment; if it happens again, tell the personnel office."
        )
    )


def too_long(ctx: Context, limit: int) -> Reply:
    return reply(
        ctx._(
            "This message is too long (at most {limit} characters). Nothing "
            "was saved; please send a shorter text."
        ).format(limit=limit)
    )


def _month(code: str) -> str:
    year, month = code.split("-")
    return f"{month}/{year}"
