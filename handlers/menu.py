"""The main menu, help, the language, and the polite answers to what is not understood."""

from __future__ import annotations

from handlers.context import Context, reply
from handlers.events import Button, Reply
from handlers.menu_buttons import buttons
from locales import SUPPORTED_LOCALES, format_moment, periods, translations
from storage.models import AssessmentStatus, PeriodStatus, Role
from storage.queries import STAGES, assessment_of, assessment_period, tasks_of

PREFIX = "mn"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}  # each in its own language


def show(ctx: Context) -> list[Reply]:
    person = ctx.person
    period = assessment_period(ctx.session, person, ctx.local_now())
    named = periods(period.code, ctx.language)
    assessment = assessment_of(ctx.session, person.id, period.id)
    if period.status is PeriodStatus.PLANNING:
        tasks = len(tasks_of(ctx.session, person.id, period.id))
        status = (
            ctx._("{Period}: no task in your plan yet.").format(**named)
            if not tasks
            else ctx.ngettext(
                "{Period}: {n} task in your plan.",
                "{Period}: {n} tasks in your plan.",
                tasks,
            ).format(n=tasks, **named)
        )
        if period.opens_at is not None:
            status += " " + ctx._("The self-assessment opens at {time}.").format(
                time=_moment(ctx, period.opens_at)
            )
        else:
            status += " " + ctx._("The self-assessment is not open yet.")
    elif assessment is not None and assessment.status is AssessmentStatus.RETURNED:
        status = ctx._("{Period}: your self-assessment was returned for correction.").format(
            **named
        )
        if period.head_review_by is not None:
            status += " " + ctx._("Please correct it and submit it again by {time}.").format(
                time=_moment(ctx, period.head_review_by)
            )
    elif assessment is not None and assessment.status is AssessmentStatus.SUBMITTED:
        status = ctx._("{Period}: your self-assessment has been submitted.").format(**named)
    elif period.status is PeriodStatus.OPEN and (
        period.deadline is None or ctx.now <= period.deadline
    ):
        status = ctx._("{Period}: the self-assessment is open.").format(**named)
        if period.deadline is not None:
            status += " " + ctx._("Please complete it by {time}.").format(
                time=_moment(ctx, period.deadline)
            )
    else:
        status = ctx._("{Period}: the self-assessment is closed.").format(**named)
    text = ctx._("Hello, {name}.").format(name=person.full_name) + "\n" + status
    return [reply(text, *buttons(ctx))]


def help(ctx: Context) -> list[Reply]:
    text = ctx._(
        "What this bot does for you each month:\n"
        "/plan – register the month's tasks (before the self-assessment opens)\n"
        "/assess – assess yourself: general criteria, each task, ad-hoc tasks, "
        "initiatives, then propose your level\n"
        "/result – your level, score and the reasons, once published\n"
        "/year – the annual rating: the proposed score and level of the year, to confirm "
        "or comment (in December); for leaders, its review\n"
        "/forms – your official forms as DOCX, to print and sign: Form 01 of the last "
        "published period, and the annual form; for leaders, those of the people they lead\n"
        "/lang – Vietnamese or English\n"
        "/link – your messengers (Telegram, Zalo): where notices go, and a code to link "
        "another\n"
        "/menu – the main menu\n"
        "Your answers are saved as you go: you can stop and continue later."
    )
    if ctx.person is not None and ctx.person.role in STAGES:
        text += "\n" + ctx._(
            "For leaders:\n"
            "/review – review the self-assessments of the people you lead: agree, lower "
            "the level with a reason, re-score a criterion, return for correction\n"
            "/status – who has submitted, in real time\n"
            "/assign – add a task to the plan of a person you lead while the plan is open, "
            "from the catalogue of their job position"
        )
    if ctx.person is not None and ctx.person.role is Role.DIRECTOR:
        text += "\n" + ctx._(
            "/conclusions – discipline decisions and conclusions of the competent authority "
            "that make a level D: the year's list, record one, remove one recorded by mistake"
        )
    return [reply(text, *buttons(ctx))]


def command_list(ctx: Context) -> Reply:
    """The instruction to show this person's commands in the messenger's menu."""
    role = ctx.person.role
    return Reply(
        "", commands=commands(ctx.language, role in STAGES, director=role is Role.DIRECTOR)
    )


def commands(language: str, leader: bool, director: bool = False) -> tuple[tuple[str, str], ...]:
    """The messenger's command list for a person (leaders have /review and /status, the
    director /conclusions too)."""
    _ = translations(language).gettext
    items = [
        ("menu", _("Main menu")),
        ("plan", _("Work plan")),
        ("assess", _("Self-assessment")),
        ("result", _("Result")),
        ("year", _("Annual rating")),
        ("forms", _("Official forms")),
    ]
    if leader:
        items += [
            ("review", _("Review")),
            ("status", _("Who has submitted")),
            ("assign", _("Assign a task")),
        ]
    if director:
        items.append(("conclusions", _("Discipline and conclusions")))
    items += [("help", _("Help")), ("lang", _("Language")), ("link", _("Messengers"))]
    return tuple(items)


def language(ctx: Context) -> list[Reply]:
    row = [Button(LANGUAGE_NAMES[code], f"mn:lang:{code}") for code in SUPPORTED_LOCALES]
    return [reply(ctx._("Choose your language:"), row)]


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    from handlers import forms, result, status, year  # the menu leads everywhere: not at the top

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
                command_list(ctx),
            ]
        case ["result"]:
            return result.show(ctx)
        case ["status"]:
            return status.show(ctx)
        case ["year"]:
            return year.show(ctx)
        case ["forms"]:
            return forms.show(ctx)
        case ["show"]:
            return show(ctx)
    return [not_understood(ctx)]


def on_text(ctx: Context, text: str) -> list[Reply]:
    return show(ctx)


def not_understood(ctx: Context) -> Reply:
    return (
        reply(
            ctx._(
                "Sorry, the system did not understand that. Please use the buttons or the "
                "menu below."
            ),
            *buttons(ctx),
        )
        if ctx.person
        else reply(ctx._("Sorry, the system did not understand that."))
    )


def unknown_command(ctx: Context) -> Reply:
    return reply(
        ctx._(
            "The system does not know this command. Here is the menu; /help lists what it can do."
        ),
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


def _moment(ctx: Context, moment) -> str:
    return format_moment(moment, ctx.timezone, ctx.language)
