"""The monthly plan (kế hoạch công tác tháng): list, add, edit and remove the month's
tasks — title, deadline, and the conversion factor (hệ số quy đổi) when the agency uses
factors — while the plan window is open (until `plan_until` of the calendar, and never
after the self-assessment opens). Ad-hoc tasks are added in the self-assessment.

Where the organization has a task catalogue (`storage.catalogue`), a new task is found by
words among the products of the person's job position and picked by its button: the
product's name is the task's title and its factor (points ÷ 5) the task's. A task outside
the catalogue (a free task, marked as such in the plan) is possible where the
organization allows free tasks, and refused politely where it does not.

Once the plan is closed, a person can report a planned task, before its deadline, as
beyond their ability ("không đủ khả năng hoàn thành"), with the reason: it stays among
the tasks assigned to them (NĐ 335/2025/NĐ-CP, Điều 18), and their reviewer is told and
may hand it to a colleague of the unit, for whom it is a task taken over, an extra task.

Each question's buttons act only while it is asked: a button of an older question is
answered "already answered" and the plan shown again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from handlers import catalogue_pick, menu, menu_buttons, notices
from handlers.catalogue_pick import (
    Start,
    Where,
    ask_deadline,
    ask_title,
    ask_weight,
    end_of_period,
    start_of_period,
)
from handlers.context import Context, reply, whole_number
from handlers.events import Button, Reply
from locales import format_moment, format_number, periods
from storage.models import (
    AssessmentStatus,
    Period,
    PeriodStatus,
    Person,
    Task,
    TaskKind,
    Unit,
)
from storage.queries import (
    assessment_of,
    colleagues,
    current_period,
    director_of,
    handed_over,
    reviewer_of,
    tasks_of,
)

PREFIX = "pl"
MAX_TASKS = 30
MIN_REASON = 10
MAX_REASON = 1000


def start(ctx: Context) -> list[Reply]:
    return [_list(ctx)]


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    period = _period(ctx)
    if parts == ["list"]:
        return [_list(ctx, edit=True)]
    if parts == ["menu"]:
        ctx.go(None)
        return menu.show(ctx)
    match parts:  # while the period runs, whether or not the plan is open
        case ["imp", task_id]:
            return _ask_report(ctx, period, task_id)
        case ["hand", task_id]:
            return _ask_colleague(ctx, task_id)
        case ["to", task_id, person_id]:
            return _hand_over(ctx, task_id, person_id)
    closed = _closed(ctx, period)
    if closed is not None:
        ctx.go(None)
        return [closed, _list(ctx)]
    asked = (
        {"due": "due", "w": "weight", "pick": "search", "free": "search"}.get(parts[0])
        if parts
        else None
    )
    if asked is not None and (ctx.state.flow != PREFIX or ctx.state.step != asked):
        return [_stale(ctx), _list(ctx)]  # a button of a question no longer asked
    match parts:
        case ["add"]:
            if len(_tasks(ctx, period)) >= MAX_TASKS:
                return [
                    reply(ctx._("A month's plan holds at most {n} tasks.").format(n=MAX_TASKS)),
                    _list(ctx),
                ]
            return _begin_new(ctx, period)
        case ["pick", item_id]:
            return _pick(ctx, period, item_id)
        case ["free"]:
            if not ctx.organization.free_tasks:
                return [catalogue_pick.free_refused(ctx), _ask_search(ctx, period)]
            ctx.go(PREFIX, "title", free=True)
            return [ask_title(ctx, "pl:list")]
        case ["due", "end"]:
            return _set_deadline(ctx, period, end_of_period(period))
        case ["due", "none"]:
            return _set_deadline(ctx, period, None)
        case ["w", weight] if weight in catalogue_pick.WEIGHTS:
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
                return [ask_title(ctx, "pl:list")]
            return [
                ask_deadline(ctx, period, PREFIX) if field == "due" else ask_weight(ctx, PREFIX)
            ]
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
    if ctx.state.step == "imp":
        return _report(ctx, period, text)
    if ctx.state.step == "hand":  # text where a colleague's button was expected
        return [reply(ctx._("Please answer with the buttons below.")), *_ask_colleague(ctx)]
    closed = _closed(ctx, period)
    if closed is not None:
        ctx.go(None)
        return [closed, _list(ctx)]
    step = ctx.state.step
    if step == "search":
        return [catalogue_pick.found(ctx, _where(ctx, period), text)]
    if step == "title":
        task = _editing(ctx, period)
        return catalogue_pick.titled(
            ctx, period, PREFIX, "pl:list", text, None if task is None else _retitle(ctx, task)
        )
    answered = catalogue_pick.typed(
        ctx,
        period,
        PREFIX,
        text,
        lambda day: _set_deadline(ctx, period, day),
        lambda weight: _set_weight(ctx, period, weight),
    )
    if answered is not None:
        return answered
    ctx.go(None)
    return [_list(ctx)]


# -- steps -----------------------------------------------------------------------------------


def _retitle(ctx: Context, task: Task) -> Callable[[str], list[Reply]]:
    """The new title of a task being edited, then the plan."""

    def retitled(text: str) -> list[Reply]:
        task.title = text
        ctx.go(None)
        return [_list(ctx)]

    return retitled


def _set_deadline(ctx: Context, period: Period, day: date | None) -> list[Reply]:
    task = _editing(ctx, period)
    if task is not None:
        task.deadline = day
        ctx.go(None)
        return [_list(ctx)]
    if ctx.recall("title") is None:  # a stale button: nothing being added
        return [_list(ctx)]
    return catalogue_pick.deadline_given(
        ctx, PREFIX, day, lambda weight: _save_new(ctx, period, weight)
    )


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
            catalogue_item_id=ctx.recall("item"),
            free=bool(ctx.recall("free")),
        )
    )
    ctx.session.flush()
    ctx.go(None)
    return [reply(ctx._("Task added.")), _list(ctx)]


# -- a task from the catalogue of the person's job position, or a free one ---------------------


def _where(ctx: Context, period: Period) -> Where:
    """The catalogue of the person's job position in force at the period's start."""
    return Where(ctx.person.job_position, start_of_period(period), PREFIX, "pl:list")


def _begin_new(ctx: Context, period: Period) -> list[Reply]:
    """A new task: searched in the catalogue of the person's job position where it has
    products; else a free task, where the organization allows them (or has no catalogue)."""
    begins = catalogue_pick.start_of(ctx, _where(ctx, period))
    if begins is Start.SEARCH:
        ctx.go(PREFIX, "search")
        return [_ask_search(ctx, period)]
    if begins is Start.REFUSED:
        ctx.go(None)
        return [
            reply(
                ctx._(
                    "{organization} adds tasks only from the catalogue of products, and the "
                    "catalogue has no product of your job position yet. Please ask the office "
                    "to add them, or your head to assign your tasks."
                ).format(organization=ctx.organization.name)
            ),
            _list(ctx),
        ]
    ctx.go(PREFIX, "title", free=begins is Start.FREE)  # free: outside a catalogue that exists
    return [ask_title(ctx, "pl:list")]


def _ask_search(ctx: Context, period: Period) -> Reply:
    return catalogue_pick.ask_search(ctx, _where(ctx, period))


def _pick(ctx: Context, period: Period, item_id: str) -> list[Reply]:
    """A product chosen: its name is the task's title and its factor the task's."""
    where = _where(ctx, period)
    item = catalogue_pick.picked(ctx, where, item_id)
    if item is None:
        return catalogue_pick.not_in_catalogue(ctx, where)
    ctx.go(PREFIX, "due", title=item.title, item=item.id, weight=item.factor)
    return [catalogue_pick.chosen(ctx, item), ask_deadline(ctx, period, PREFIX)]


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
        if task.free:
            line += " " + ctx._("(free task)")
        leader = ctx.session.get(Person, task.assigned_by) if task.assigned_by else None
        if leader is not None:  # assigned in the chat (`/assign`)
            line += " " + ctx._("(assigned by {leader})").format(
                leader=_title_of(ctx, leader, ctx.language)
            )
        line += _due(ctx, task)
        if weights or task.catalogue_item_id is not None:  # a product's factor is shown
            line += " — " + ctx._("factor {weight}").format(
                weight=format_number(task.weight, ctx.language)
            )
        lines.append(line)
        lines += _report_lines(ctx, task)
        if closed is None:
            rows.append(
                [
                    Button(ctx._("✏️ Edit {n}").format(n=number), f"pl:edit:{task.id}"),
                    Button(ctx._("🗑 Remove {n}").format(n=number), f"pl:del:{task.id}"),
                ]
            )
        elif _unreportable(ctx, period, task) is None:
            label = ctx._("⚠️ Report task {n} as beyond my ability").format(n=number)
            rows.append([Button(label, f"pl:imp:{task.id}")])
    taken = [
        t for t in tasks_of(ctx.session, ctx.person.id, period.id) if t.kind is TaskKind.TAKEN_OVER
    ]
    if taken:
        lines.append(ctx._("Taken over from colleagues (extra tasks):"))
        lines += [f"• “{t.title}”" + _due(ctx, t) for t in taken]
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
        if any(_unreportable(ctx, period, t) is None for t in tasks):
            lines.append(
                ctx._(
                    "A task beyond your ability can be reported before its deadline: it "
                    "stays among the tasks assigned to you, and {reviewer} may hand it "
                    "to a colleague."
                ).format(reviewer=_reviewer_title(ctx, ctx.person))
            )
    rows.append([Button(ctx._("⬅️ Menu"), "pl:menu")])
    return reply("\n".join(lines), *rows, edit=edit)


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


# -- a task beyond the person's ability, handed over to a colleague ---------------------------


def _unreportable(ctx: Context, period: Period, task: Task) -> str | None:
    """Why the person cannot report `task` as beyond their ability now; None if they can."""
    if task.reported_at is not None:
        return ctx._("You reported “{title}” as beyond your ability on {date}.").format(
            title=task.title, date=_day(ctx, task.reported_at)
        )
    if _running(ctx, period) is not None:
        return _running(ctx, period)
    found = assessment_of(ctx.session, ctx.person.id, period.id)
    if found is not None and found.status is AssessmentStatus.SUBMITTED:
        return ctx._(
            "Your self-assessment of {period} is submitted: report the task there as not "
            "done, with the reason."
        ).format(**periods(period.code, ctx.language))
    if task.deadline is not None and ctx.local_now().date() > task.deadline:
        return ctx._(
            "The deadline of “{title}” ({date}) has passed: report it in the "
            "self-assessment as not done, with the reason."
        ).format(title=task.title, date=task.deadline.strftime("%d/%m"))
    return None


def _running(ctx: Context, period: Period) -> str | None:
    """Why the period's tasks can no longer be reported or handed over; None while it runs."""
    over = period.status not in (PeriodStatus.PLANNING, PeriodStatus.OPEN) or (
        period.deadline is not None and ctx.now > period.deadline
    )
    if over:
        return ctx._("The self-assessment of {period} is closed.").format(
            **periods(period.code, ctx.language)
        )
    return None


def _ask_report(ctx: Context, period: Period, task_id: str) -> list[Reply]:
    task = _own_task(ctx, period, task_id)
    if task is None or task.kind is not TaskKind.PLANNED:
        return [_list(ctx)]
    refusal = _unreportable(ctx, period, task)
    if refusal is not None:
        return [reply(refusal), _list(ctx)]
    ctx.go(PREFIX, "imp", task=task.id)
    return [
        reply(
            ctx._(
                "Report “{title}” as beyond your ability to complete? It stays among "
                "the tasks assigned to you this period (Decree 335/2025/ND-CP, Article 18); "
                "{reviewer} is told and may hand it to a colleague.\nSend the reason:"
            ).format(title=task.title, reviewer=_reviewer_title(ctx, ctx.person)),
            [Button(ctx._("Cancel"), "pl:list")],
        )
    ]


def _report(ctx: Context, period: Period, text: str) -> list[Reply]:
    """The reason, sent at the report question: the report is recorded and the reviewer told."""
    task = _editing(ctx, period)
    if task is None or task.kind is not TaskKind.PLANNED:
        ctx.go(None)
        return [_list(ctx)]
    refusal = _unreportable(ctx, period, task)
    if refusal is not None:
        ctx.go(None)
        return [reply(refusal), _list(ctx)]
    if not MIN_REASON <= len(text) <= MAX_REASON or not any(c.isalpha() for c in text):
        return [
            reply(
                ctx._("Please give your reason in {low} to {high} characters.").format(
                    low=MIN_REASON, high=MAX_REASON
                )
            ),
            *_ask_report(ctx, period, str(task.id)),
        ]
    ctx.audit("task", task.id, "report", None, text, decision=True)
    task.reported_at, task.report = ctx.now, text
    ctx.session.flush()
    reviewer = reviewer_of(ctx.session, ctx.person)
    if reviewer is not None:
        notices.deliver(
            ctx.session,
            reviewer.id,
            f"reported:{task.id}",
            notices.task_reported(
                reviewer.language, period.code, ctx.person.full_name, task.title, text, task.id
            ),
            ctx.now,
        )
    ctx.go(None)
    done = ctx._(
        "Recorded: “{title}” is reported as beyond your ability, and {reviewer} is "
        "told. It stays among your assigned tasks; in the self-assessment, answer it as not "
        "done, and your reason is its explanation."
    ).format(title=task.title, reviewer=_reviewer_title(ctx, ctx.person))
    return [reply(done), _list(ctx)]


def _reported_task(ctx: Context, task_id: str | int | None) -> tuple[Task, Person] | None:
    """A reported task the person in the chat may hand over (as the owner's reviewer or
    the director), with its owner."""
    number = whole_number(str(task_id)) if task_id is not None else None
    task = ctx.session.get(Task, number) if number is not None else None
    owner = ctx.session.get(Person, task.person_id) if task is not None else None
    if task is None or owner is None or task.reported_at is None:
        return None
    if owner.organization_id != ctx.person.organization_id:
        return None
    leaders = (reviewer_of(ctx.session, owner), director_of(ctx.session, owner.organization_id))
    if ctx.person.id not in {p.id for p in leaders if p is not None}:
        return None
    return task, owner


def _cannot_hand(ctx: Context, task: Task) -> str | None:
    period = ctx.session.get(Period, task.period_id)
    taken = handed_over(ctx.session, task.id)
    if taken is not None:
        return ctx._("“{title}” is already handed over to {name}.").format(
            title=task.title, name=ctx.session.get(Person, taken.person_id).full_name
        )
    return _running(ctx, period)


def _ask_colleague(ctx: Context, task_id: str | None = None) -> list[Reply]:
    """The reviewer chooses who takes the reported task over."""
    found = _reported_task(ctx, task_id if task_id is not None else ctx.recall("task"))
    if found is None:
        ctx.go(None)
        return [reply(ctx._("This task cannot be handed over."), *menu_buttons.buttons(ctx))]
    task, owner = found
    refusal = _cannot_hand(ctx, task)
    people = colleagues(ctx.session, owner)
    if refusal is None and not people:
        refusal = ctx._("{name} has no colleague in the unit to hand the task to.").format(
            name=owner.full_name
        )
    if refusal is not None:
        ctx.go(None)
        return [reply(refusal, *menu_buttons.buttons(ctx))]
    ctx.go(PREFIX, "hand", task=task.id)
    text = ctx._(
        "{name} reported “{title}” as beyond their ability: “{reason}”.\n"
        "It stays among {name}'s assigned tasks. Who takes it over? For them it is an "
        "extra task, counted outside the tasks assigned to them."
    ).format(name=owner.full_name, title=task.title, reason=task.report)
    buttons = [Button(p.full_name, f"pl:to:{task.id}:{p.id}") for p in people]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return [reply(text, *rows, [Button(ctx._("Cancel"), "pl:menu")])]


def _hand_over(ctx: Context, task_id: str, person_id: str) -> list[Reply]:
    if (
        ctx.state.flow != PREFIX
        or ctx.state.step != "hand"
        or ctx.recall("task") != whole_number(task_id)
    ):
        return [_stale(ctx), *menu.show(ctx)]
    found = _reported_task(ctx, task_id)
    if found is None:
        return _ask_colleague(ctx, task_id)
    task, owner = found
    number = whole_number(person_id)
    colleague = next((p for p in colleagues(ctx.session, owner) if p.id == number), None)
    refusal = _cannot_hand(ctx, task)
    if refusal is not None or colleague is None:
        return _ask_colleague(ctx, task_id)
    taken = Task(
        person_id=colleague.id,
        period_id=task.period_id,
        kind=TaskKind.TAKEN_OVER,
        title=task.title,
        deadline=task.deadline,
        weight=task.weight,
        position=len(tasks_of(ctx.session, colleague.id, task.period_id)) + 1,
        source_task_id=task.id,
    )
    ctx.session.add(taken)
    ctx.session.flush()
    ctx.audit("task", taken.id, "person", owner.id, colleague.id, reason=task.title, decision=True)
    code = ctx.session.get(Period, task.period_id).code
    notices.deliver(
        ctx.session,
        colleague.id,
        f"handed:{taken.id}",
        notices.task_handed(colleague.language, code, task.title, owner.full_name, task.deadline),
        ctx.now,
    )
    notices.deliver(
        ctx.session,
        owner.id,
        f"handed-from:{task.id}",
        notices.task_handed_from(
            owner.language,
            task.title,
            colleague.full_name,
            _title_of(ctx, ctx.person, owner.language),
        ),
        ctx.now,
    )
    ctx.go(None)
    done = ctx._("“{title}” is handed over to {name}; {name} and {owner} are told.").format(
        title=task.title, name=colleague.full_name, owner=owner.full_name
    )
    return [reply(done, edit=True), *menu.show(ctx)]


def _report_lines(ctx: Context, task: Task) -> list[str]:
    """Under a reported task: when, why, and to whom it was handed over."""
    if task.reported_at is None:
        return []
    lines = [
        "   ⚠️ "
        + ctx._("Reported as beyond your ability on {date}: “{reason}”").format(
            date=_day(ctx, task.reported_at), reason=task.report
        )
    ]
    taken = handed_over(ctx.session, task.id)
    if taken is not None:
        lines.append(
            "   ↪ "
            + ctx._("Handed over to {name}").format(
                name=ctx.session.get(Person, taken.person_id).full_name
            )
        )
    return lines


def _reviewer_title(ctx: Context, person: Person) -> str:
    """The person's reviewer by office ("Trưởng phòng Tổ chức"), in the chat's language."""
    reviewer = reviewer_of(ctx.session, person)
    if reviewer is None:
        return ctx._("Head of the organization")
    return _title_of(ctx, reviewer, ctx.language)


def _title_of(ctx: Context, leader: Person, language: str) -> str:
    unit = ctx.session.get(Unit, leader.unit_id)
    return notices.leader_title(
        leader.role, unit.name if unit else "", ctx.organization.name, language
    )


def _due(ctx: Context, task: Task) -> str:
    if task.deadline is None:
        return ""
    return " — " + ctx._("due {date}").format(date=task.deadline.strftime("%d/%m"))


def _day(ctx: Context, moment) -> str:
    return moment.astimezone(ctx.timezone).strftime("%d/%m/%Y")


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
