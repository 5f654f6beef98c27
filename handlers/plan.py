"""The monthly plan (kế hoạch công tác tháng): list, add, edit and remove the month's
tasks — title, deadline, and the conversion factor (hệ số quy đổi) when the agency uses
factors — while the plan window is open (until `plan_until` of the calendar, and never
after the self-assessment opens). Ad-hoc tasks are added in the self-assessment.

Each question's buttons act only while it is asked: a button of an older question is
answered "already answered" and the plan shown again."""

from __future__ import annotations

import calendar
from datetime import date

from handlers import menu
from handlers.context import Context, reply, whole_number
from handlers.events import Button, Reply
from locales import format_moment, format_number, periods
from storage.models import Period, PeriodStatus, Task, TaskKind
from storage.queries import current_period, tasks_of

PREFIX = "pl"
MAX_TITLE = 300
MAX_TASKS = 30
WEIGHTS = ("0.5", "1", "1.5", "2", "3")


def start(ctx: Context) -> list[Reply]:
    return [_list(ctx)]


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    period = _period(ctx)
    if parts == ["list"]:
        return [_list(ctx, edit=True)]
    if parts == ["menu"]:
        ctx.go(None)
        return menu.show(ctx)
    closed = _closed(ctx, period)
    if closed is not None:
        ctx.go(None)
        return [closed, _list(ctx)]
    asked = {"due": "due", "w": "weight"}.get(parts[0]) if parts else None
    if asked is not None and (ctx.state.flow != PREFIX or ctx.state.step != asked):
        return [_stale(ctx), _list(ctx)]  # a button of a question no longer asked
    match parts:
        case ["add"]:
            if len(_tasks(ctx, period)) >= MAX_TASKS:
                return [
                    reply(ctx._("A month's plan holds at most {n} tasks.").format(n=MAX_TASKS)),
                    _list(ctx),
                ]
            ctx.go(PREFIX, "title")
            return [_ask_title(ctx)]
        case ["due", "end"]:
            return _set_deadline(ctx, period, _end_of_period(period))
        case ["due", "none"]:
            return _set_deadline(ctx, period, None)
        case ["w", weight] if weight in WEIGHTS:
            return _set_weight(ctx, period, float(weight))
        case ["edit", task_id]:
            task = _own_task(ctx, period, task_id)
            if task is None:
                return [_list(ctx)]
            ctx.go(PREFIX, "field", task=task.id)
            row = [
                Button(ctx._("Title"), f"pl:field:title:{task.id}"),
                Button(ctx._("Deadline"), f"pl:field:due:{task.id}"),
            ]
            if ctx.organization.uses_weights:
                row.append(Button(ctx._("Conversion factor"), f"pl:field:weight:{task.id}"))
            return [
                reply(
                    ctx._("What do you want to change in “{title}”?").format(title=task.title),
                    row,
                    [Button(ctx._("⬅️ Back"), "pl:list")],
                )
            ]
        case ["field", field, task_id] if field in ("title", "due", "weight"):
            task = _own_task(ctx, period, task_id)
            if task is None:
                return [_list(ctx)]
            ctx.go(PREFIX, field, task=task.id)
            if field == "title":
                return [_ask_title(ctx)]
            return [_ask_deadline(ctx, period) if field == "due" else _ask_weight(ctx)]
        case ["del", task_id]:
            task = _own_task(ctx, period, task_id)
            if task is None:
                return [_list(ctx)]
            return [
                reply(
                    ctx._("Remove “{title}” from the plan?").format(title=task.title),
                    [
                        Button(ctx._("🗑 Remove"), f"pl:delok:{task.id}"),
                        Button(ctx._("Keep it"), "pl:list"),
                    ],
                )
            ]
        case ["delok", task_id]:
            task = _own_task(ctx, period, task_id)
            if task is not None:
                ctx.session.delete(task)
                ctx.session.flush()
            ctx.go(None)
            return [_list(ctx, edit=True)]
    return [_list(ctx)]


def on_text(ctx: Context, text: str) -> list[Reply]:
    period = _period(ctx)
    closed = _closed(ctx, period)
    if closed is not None:
        ctx.go(None)
        return [closed, _list(ctx)]
    step = ctx.state.step
    if step == "title":
        refusal = None
        if len(text) > MAX_TITLE:
            refusal = ctx._(
                "The title is too long (at most {n} characters); please shorten it."
            ).format(n=MAX_TITLE)
        elif not any(c.isalnum() for c in text):
            refusal = ctx._(
                "Please send the title in words (an emoji or a sticker is not a title)."
            )
        if refusal is not None:
            return [reply(refusal), _ask_title(ctx)]
        task = _editing(ctx, period)
        if task is not None:
            task.title = text
            ctx.go(None)
            return [_list(ctx)]
        ctx.remember(title=text)
        ctx.state.step = "due"
        return [_ask_deadline(ctx, period)]
    if step == "due":
        day = _parse_date(text, period)
        if day is None:
            return [
                reply(
                    ctx._(
                        "Please write the deadline as day/month, for example "
                        "25/{month}, or use a button."
                    ).format(month=f"{_end_of_period(period).month:02d}")
                ),
                _ask_deadline(ctx, period),
            ]
        return _set_deadline(ctx, period, day)
    if step == "weight":
        weight = _factor(text)
        if weight is None:
            return [
                reply(
                    ctx._(
                        "The conversion factor is a number greater than 0 and at most 10, "
                        "for example 1 or 1,5."
                    )
                ),
                _ask_weight(ctx),
            ]
        return _set_weight(ctx, period, weight)
    ctx.go(None)
    return [_list(ctx)]


# -- steps -----------------------------------------------------------------------------------


def _set_deadline(ctx: Context, period: Period, day: date | None) -> list[Reply]:
    task = _editing(ctx, period)
    if task is not None:
        task.deadline = day
        ctx.go(None)
        return [_list(ctx)]
    if ctx.recall("title") is None:  # a stale button: nothing being added
        return [_list(ctx)]
    ctx.remember(due=day.isoformat() if day else None)
    if ctx.organization.uses_weights:
        ctx.state.step = "weight"
        return [_ask_weight(ctx)]
    return _save_new(ctx, period, 1.0)


def _set_weight(ctx: Context, period: Period, weight: float) -> list[Reply]:
    task = _editing(ctx, period)
    if task is not None:
        task.weight = weight
        ctx.go(None)
        return [_list(ctx)]
    if ctx.recall("title") is None:
        return [_list(ctx)]
    return _save_new(ctx, period, weight)


def _save_new(ctx: Context, period: Period, weight: float) -> list[Reply]:
    due = ctx.recall("due")
    tasks = _tasks(ctx, period)
    ctx.session.add(
        Task(
            person_id=ctx.person.id,
            period_id=period.id,
            kind=TaskKind.PLANNED,
            title=ctx.recall("title"),
            weight=weight,
            deadline=date.fromisoformat(due) if due else None,
            position=len(tasks) + 1,
        )
    )
    ctx.session.flush()
    ctx.go(None)
    return [reply(ctx._("Task added.")), _list(ctx)]


def _list(ctx: Context, edit: bool = False) -> Reply:
    period = _period(ctx)
    tasks = _tasks(ctx, period)
    lines = [ctx._("Plan of {period}:").format(**periods(period.code, ctx.language))]
    if not tasks:
        lines.append(ctx._("No task yet."))
    closed = _closed(ctx, period)
    weights = ctx.organization.uses_weights
    rows: list[list[Button]] = []
    for number, task in enumerate(tasks, start=1):
        line = f"{number}. {task.title}"
        if task.deadline:
            line += " — " + ctx._("due {date}").format(date=task.deadline.strftime("%d/%m"))
        if weights:
            line += " — " + ctx._("factor {weight}").format(
                weight=format_number(task.weight, ctx.language)
            )
        lines.append(line)
        if closed is None:
            rows.append(
                [
                    Button(ctx._("✏️ Edit {n}").format(n=number), f"pl:edit:{task.id}"),
                    Button(ctx._("🗑 Remove {n}").format(n=number), f"pl:del:{task.id}"),
                ]
            )
    if closed is None:
        rows.append([Button(ctx._("➕ Add a task"), "pl:add")])
        if period.plan_until is not None:
            lines.append(
                ctx._("The plan can be changed until {time}.").format(
                    time=format_moment(period.plan_until, ctx.timezone, ctx.language)
                )
            )
    else:
        lines.append(closed.text)
    rows.append([Button(ctx._("⬅️ Menu"), "pl:menu")])
    return reply("\n".join(lines), *rows, edit=edit)


def _ask_title(ctx: Context) -> Reply:
    return reply(
        ctx._("Send the task's title, for example: “Draft the 2027 recruitment plan”."),
        [Button(ctx._("Cancel"), "pl:list")],
    )


def _ask_deadline(ctx: Context, period: Period) -> Reply:
    end = _end_of_period(period)
    return reply(
        ctx._("When is it due? Write day/month (for example 25/{month}) or choose:").format(
            month=f"{_end_of_period(period).month:02d}"
        ),
        [
            Button(ctx._("End of month ({date})").format(date=end.strftime("%d/%m")), "pl:due:end"),
            Button(ctx._("No deadline"), "pl:due:none"),
        ],
    )


def _ask_weight(ctx: Context) -> Reply:
    return reply(
        ctx._("What is the task's conversion factor? Choose or write a number:"),
        [Button(w.replace(".", ","), f"pl:w:{w}") for w in WEIGHTS],
    )


def _closed(ctx: Context, period: Period) -> Reply | None:
    """Why the plan can no longer be changed, or None while its window is open."""
    if period.status is not PeriodStatus.PLANNING:
        return reply(
            ctx._(
                "The self-assessment has opened, so the plan can no longer be "
                "changed. Ad-hoc tasks are added in the self-assessment."
            )
        )
    if period.plan_until is not None and ctx.now > period.plan_until:
        return reply(
            ctx._(
                "The plan of {period} was closed at {time}; ad-hoc tasks are added "
                "in the self-assessment."
            ).format(
                **periods(period.code, ctx.language),
                time=format_moment(period.plan_until, ctx.timezone, ctx.language),
            )
        )
    return None


def _stale(ctx: Context) -> Reply:
    return reply(ctx._("This question was already answered; nothing was changed."), edit=True)


def _factor(text: str) -> float | None:
    """A conversion factor typed as 1, 1,5 or 1.5: greater than 0, at most 10."""
    whole, _, decimals = text.strip().replace(",", ".").partition(".")
    number = whole_number(whole, 10)
    fraction = whole_number(decimals, 10**6) if decimals else 0
    if number is None or fraction is None:
        return None
    value = float(f"{number}.{decimals or 0}")
    return value if 0 < value <= 10 else None


# -- helpers ---------------------------------------------------------------------------------


def _period(ctx: Context) -> Period:
    return current_period(ctx.session, ctx.person.organization_id, ctx.local_now())


def _tasks(ctx: Context, period: Period) -> list[Task]:
    return [
        t for t in tasks_of(ctx.session, ctx.person.id, period.id) if t.kind is TaskKind.PLANNED
    ]


def _own_task(ctx: Context, period: Period, task_id: str) -> Task | None:
    number = whole_number(task_id)
    task = ctx.session.get(Task, number) if number is not None else None
    if task is None or task.person_id != ctx.person.id or task.period_id != period.id:
        return None
    return task


def _editing(ctx: Context, period: Period) -> Task | None:
    task_id = ctx.recall("task")
    return _own_task(ctx, period, str(task_id)) if task_id is not None else None


def _end_of_period(period: Period) -> date:
    """The last day of the month, or of the quarter's last month ("2026-Q4": 31/12)."""
    year, _, part = period.code.partition("-")
    month = 3 * int(part[1:]) if part.startswith("Q") else int(part)
    return date(int(year), month, calendar.monthrange(int(year), month)[1])


def _parse_date(text: str, period: Period) -> date | None:
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
