"""A new task found in the task catalogue, or a free one: the search by words among the
products of a job position, the pick by a product's button, and the questions of a task
being added (its title, deadline and factor). One place for the three conversations that
add a task: the person's plan (`handlers.plan`), the leader's assignment
(`handlers.assign`) and the ad-hoc tasks of the self-assessment (`handlers.assessment`).

A `Where` says whose job position is searched, in the catalogue in force on which day,
and the payloads of the buttons (each conversation keeps its own prefix). A product
picked is the task's title and its factor (points ÷ 5); a task outside the catalogue (a
free task) is possible where the organization allows free tasks, and refused politely
where it does not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from handlers.context import Context, reply, whole_number
from handlers.events import Button, Reply
from locales import format_number
from storage.catalogue import MAX_TITLE, items_of, position_key, search, version_in_force
from storage.models import CatalogueItem, Period
from storage.plan_import import period_dates

MAX_SEARCH = 100  # characters of a search
WEIGHTS = ("0.5", "1", "1.5", "2", "3")


class Start(StrEnum):
    """How a new task begins for a job position."""

    SEARCH = "search"  # the catalogue has products of the position: search them
    FREE = "free"  # a free task: outside a catalogue that exists
    TITLE = "title"  # no catalogue: a title, as before the catalogue
    REFUSED = "refused"  # a catalogue without the position's products, no free tasks


@dataclass(frozen=True)
class Where:
    """The catalogue a task is searched in: the products of `position` in force on `day`;
    `prefix`: the conversation's, for the buttons ("pl:pick:<id>", "pl:free");
    `cancel`: the payload of Cancel; `name`: whose position, where it is not the reader's."""

    position: str | None
    day: date
    prefix: str
    cancel: str
    name: str | None = None


def start_of(ctx: Context, where: Where) -> Start:
    """How a task of `where`'s job position begins (`Start`)."""
    version = version_in_force(ctx.session, ctx.organization.id, where.day)
    if version is None:
        return Start.TITLE
    if where.position and items_of(ctx.session, version.id, where.position):
        return Start.SEARCH
    return Start.FREE if ctx.organization.free_tasks else Start.REFUSED


def ask_search(ctx: Context, where: Where, text: str | None = None) -> Reply:
    """The question: a few words of the product (under `text`, a note, if any)."""
    if where.name is None:
        question = ctx._(
            "Send a few words of the product to find it in the catalogue of your job "
            "position ({position}), for example “báo cáo”."
        ).format(position=where.position)
    else:
        question = ctx._(
            "Send a few words of the product to find it in the catalogue of the job "
            "position of {name} ({position}), for example “báo cáo”."
        ).format(name=where.name, position=where.position)
    return reply(f"{text}\n{question}" if text else question, *_other_rows(ctx, where))


def found(ctx: Context, where: Where, text: str) -> Reply:
    """The products matching the words `text`, each with its button; else the question
    again, saying that none matches."""
    words = " ".join(text.split())[:MAX_SEARCH]
    items = search(ctx.session, ctx.organization.id, where.position, words, where.day)
    if not items:
        return ask_search(
            ctx, where, ctx._("No product of the catalogue matches “{words}”.").format(words=words)
        )
    lines = [ctx._("Products matching “{words}”:").format(words=words)]
    buttons = []
    for number, item in enumerate(items, start=1):
        lines.append(
            f"{number}. {item.title} ({item.code}) — "
            + ctx._("{points} points, factor {factor}").format(
                points=format_number(item.points, ctx.language),
                factor=format_number(item.factor, ctx.language),
            )
        )
        buttons.append(Button(str(number), f"{where.prefix}:pick:{item.id}"))
    lines.append(ctx._("Choose the product by its number, or send other words."))
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    return reply("\n".join(lines), *rows, *_other_rows(ctx, where))


def _other_rows(ctx: Context, where: Where) -> list[list[Button]]:
    rows = []
    if ctx.organization.free_tasks:
        rows.append([Button(ctx._("✍️ A task outside the catalogue"), f"{where.prefix}:free")])
    rows.append([Button(ctx._("Cancel"), where.cancel)])
    return rows


def picked(ctx: Context, where: Where, item_id: str) -> CatalogueItem | None:
    """The product of a pressed button, if it is one of `where`'s catalogue in force."""
    number = whole_number(item_id)
    item = ctx.session.get(CatalogueItem, number) if number is not None else None
    version = version_in_force(ctx.session, ctx.organization.id, where.day)
    if (
        item is None
        or version is None
        or item.version_id != version.id
        or position_key(item.job_position) != position_key(where.position)
    ):
        return None
    return item


def not_in_catalogue(ctx: Context, where: Where) -> list[Reply]:
    """A product's button that is not (or no longer) one of `where`'s catalogue in force:
    nothing chosen; the search again."""
    return [
        reply(ctx._("This product is not in the catalogue in force; nothing was chosen.")),
        ask_search(ctx, where),
    ]


def chosen(ctx: Context, item: CatalogueItem) -> Reply:
    return reply(
        ctx._("Product: {title} ({code}), factor {factor}.").format(
            title=item.title, code=item.code, factor=format_number(item.factor, ctx.language)
        )
    )


def free_refused(ctx: Context) -> Reply:
    return reply(
        ctx._(
            "{organization} adds tasks only from the catalogue of products: please choose "
            "the product of your task."
        ).format(organization=ctx.organization.name)
    )


# -- the questions of a task being added ----------------------------------------------------


def title_refusal(ctx: Context, text: str) -> str | None:
    """Why `text` is not a task's title; None if it is one."""
    if len(text) > MAX_TITLE:
        return ctx._("The title is too long (at most {n} characters); please shorten it.").format(
            n=MAX_TITLE
        )
    if not any(c.isalnum() for c in text):
        return ctx._("Please send the title in words (an emoji or a sticker is not a title).")
    return None


def titled(
    ctx: Context,
    period: Period,
    prefix: str,
    cancel: str,
    text: str,
    retitle: Callable[[str], list[Reply]] | None = None,
) -> list[Reply]:
    """A title typed at its question: refused with the question again; else a task being
    edited is retitled (`retitle`), or the new task's title kept and its deadline asked."""
    refused = title_refusal(ctx, text)
    if refused is not None:
        return [reply(refused), ask_title(ctx, cancel)]
    if retitle is not None:
        return retitle(text)
    ctx.remember(title=text)
    ctx.state.step = "due"
    return [ask_deadline(ctx, period, prefix)]


def ask_title(ctx: Context, cancel: str) -> Reply:
    return reply(
        ctx._("Send the task's title, for example: “Draft the 2027 recruitment plan”."),
        [Button(ctx._("Cancel"), cancel)],
    )


def ask_deadline(ctx: Context, period: Period, prefix: str) -> Reply:
    end = end_of_period(period)
    return reply(
        ctx._("When is it due? Write day/month (for example 25/{month}) or choose:").format(
            month=f"{end.month:02d}"
        ),
        [
            Button(
                (
                    ctx._("End of quarter ({date})")
                    if "Q" in period.code
                    else ctx._("End of month ({date})")
                ).format(date=end.strftime("%d/%m")),
                f"{prefix}:due:end",
            ),
            Button(ctx._("No deadline"), f"{prefix}:due:none"),
        ],
    )


def deadline_refused(ctx: Context, period: Period, prefix: str) -> list[Reply]:
    return [
        reply(
            ctx._(
                "Please write the deadline as day/month, for example 25/{month}, or use a button."
            ).format(month=f"{end_of_period(period).month:02d}")
        ),
        ask_deadline(ctx, period, prefix),
    ]


def ask_weight(ctx: Context, prefix: str) -> Reply:
    return reply(
        ctx._("What is the task's conversion factor? Choose or write a number:"),
        [Button(w.replace(".", ","), f"{prefix}:w:{w}") for w in WEIGHTS],
    )


def weight_refused(ctx: Context, prefix: str) -> list[Reply]:
    return [
        reply(
            ctx._(
                "The conversion factor is a number greater than 0 and at most 10, "
                "for example 1 or 1,5."
            )
        ),
        ask_weight(ctx, prefix),
    ]


def typed(
    ctx: Context,
    period: Period,
    prefix: str,
    text: str,
    deadline: Callable[[date | None], list[Reply]],
    weight: Callable[[float], list[Reply]],
) -> list[Reply] | None:
    """A deadline or a factor typed at its question (the conversation's step "due" or
    "weight"): handed to `deadline` or `weight`, or refused with the question again;
    None at another step."""
    if ctx.state.step == "due":
        day = parse_date(text, period)
        return deadline(day) if day is not None else deadline_refused(ctx, period, prefix)
    if ctx.state.step == "weight":
        value = factor(text)
        return weight(value) if value is not None else weight_refused(ctx, prefix)
    return None


def deadline_given(
    ctx: Context, prefix: str, day: date | None, save: Callable[[float], list[Reply]]
) -> list[Reply]:
    """The new task's deadline: a product's task is saved with the product's factor; a
    free one asks its factor where the organization uses factors, else is saved with 1."""
    ctx.remember(due=day.isoformat() if day else None)
    if ctx.recall("item") is not None:  # a product's factor: its points ÷ 5
        return save(ctx.recall("weight", 1.0))
    if ctx.organization.uses_weights:
        ctx.state.step = "weight"
        return [ask_weight(ctx, prefix)]
    return save(1.0)


def factor(text: str) -> float | None:
    """A conversion factor typed as 1, 1,5 or 1.5: greater than 0, at most 10."""
    whole, _, decimals = text.strip().replace(",", ".").partition(".")
    number = whole_number(whole, 10)
    fraction = whole_number(decimals, 10**6) if decimals else 0
    if number is None or fraction is None:
        return None
    value = float(f"{number}.{decimals or 0}")
    return value if 0 < value <= 10 else None


def start_of_period(period: Period) -> date:
    """The first day of the month, or of the quarter's first month."""
    return period_dates(period.code)[0]


def end_of_period(period: Period) -> date:
    """The last day of the month, or of the quarter's last month ("2026-Q4": 31/12)."""
    return period_dates(period.code)[1]


def parse_date(text: str, period: Period) -> date | None:
    parts = text.replace("-", "/").replace(".", "/").split("/")
    numbers = [whole_number(p.strip(), 9999) for p in parts]
    if None in numbers:
        return None
    year = int(period.code[:4])
    if len(numbers) == 2:
        numbers.append(year)
    if len(numbers) != 3:
        return None
    day, month, year = numbers
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None
