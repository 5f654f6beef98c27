"""A leader assigns a task to a person they lead (`/assign`, or the menu's button): while
the plan of the period is open, the leader chooses the person (the people whose
self-assessments the leader reviews, by name as Vietnamese lists sort them), then the
product of the catalogue of THAT person's job position, found by words (its title and
factor filled in), or a free task where the organization allows it, then the deadline.
The task goes into the person's plan as assigned by the leader (`Task.assigned_by`); the
person is told through the outbox, and the leader gets a confirmation.

The search, the pick and the questions of the task are `handlers.catalogue_pick`'s, as
in the person's own plan. Each question's buttons act only while it is asked."""

from __future__ import annotations

from datetime import date

from handlers import catalogue_pick, menu_buttons, notices
from handlers.catalogue_pick import (
    Start,
    Where,
    ask_deadline,
    ask_search,
    ask_title,
    end_of_period,
    start_of_period,
)
from handlers.context import Context, reply, whole_number
from handlers.events import Button, Reply
from locales import format_moment, periods
from storage.models import Period, PeriodStatus, Person, Task, TaskKind, Unit
from storage.queries import STAGES, assignees, current_period, tasks_of

PREFIX = "ag"
MAX_TASKS = 30  # as a person's own plan (handlers.plan)
CANCEL = "ag:cancel"
# The buttons that answer a question, and the step at which it is asked.
_ASKED = {"to": "who", "pick": "search", "free": "search", "due": "due", "w": "weight"}


def start(ctx: Context) -> list[Reply]:
    """The people the leader may assign a task to, as buttons."""
    period = _period(ctx)
    refusal = _refusal(ctx, period)
    people = assignees(ctx.session, ctx.person) if refusal is None else []
    if refusal is None and not people:
        refusal = ctx._("There is nobody whose self-assessment you review, to assign a task to.")
    if refusal is not None:
        ctx.go(None)
        return [reply(refusal, *menu_buttons.buttons(ctx))]
    ctx.go(PREFIX, "who")
    buttons = [Button(p.full_name, f"ag:to:{p.id}") for p in people]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    text = ctx._("Assign a task in the plan of {period}: to whom?").format(
        **periods(period.code, ctx.language)
    )
    return [reply(text, *rows, [Button(ctx._("Cancel"), CANCEL)])]


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    if parts in (["start"], []):
        return start(ctx)
    if parts == ["cancel"]:
        ctx.go(None)
        return [reply(ctx._("Nothing was assigned."), *menu_buttons.buttons(ctx), edit=True)]
    period = _period(ctx)
    refusal = _refusal(ctx, period)
    if refusal is not None:
        ctx.go(None)
        return [reply(refusal, *menu_buttons.buttons(ctx))]
    asked = _ASKED.get(parts[0])
    if asked is not None and (ctx.state.flow != PREFIX or ctx.state.step != asked):
        return [
            reply(ctx._("This question was already answered; nothing was changed."), edit=True),
            *start(ctx),
        ]
    if len(parts) == 2 and parts[0] == "to":
        return _chosen(ctx, period, parts[1])
    member = _member(ctx, ctx.recall("member"))
    if member is None:
        return start(ctx)
    match parts:
        case ["pick", item_id]:
            where = _where(ctx, period, member)
            item = catalogue_pick.picked(ctx, where, item_id)
            if item is None:
                return catalogue_pick.not_in_catalogue(ctx, where)
            ctx.go(
                PREFIX, "due", member=member.id, title=item.title, item=item.id, weight=item.factor
            )
            return [catalogue_pick.chosen(ctx, item), ask_deadline(ctx, period, PREFIX)]
        case ["free"]:
            if not ctx.organization.free_tasks:
                return [
                    catalogue_pick.free_refused(ctx),
                    ask_search(ctx, _where(ctx, period, member)),
                ]
            ctx.go(PREFIX, "title", member=member.id, free=True)
            return [ask_title(ctx, CANCEL)]
        case ["due", "end"]:
            return _deadline(ctx, period, member, end_of_period(period))
        case ["due", "none"]:
            return _deadline(ctx, period, member, None)
        case ["w", weight] if weight in catalogue_pick.WEIGHTS:
            return _save(ctx, period, member, float(weight))
    return start(ctx)


def on_text(ctx: Context, text: str) -> list[Reply]:
    period = _period(ctx)
    refusal = _refusal(ctx, period)
    member = _member(ctx, ctx.recall("member"))
    if refusal is not None or member is None:
        ctx.go(None)
        return [reply(refusal, *menu_buttons.buttons(ctx))] if refusal else start(ctx)
    step = ctx.state.step
    if step == "search":
        return [catalogue_pick.found(ctx, _where(ctx, period, member), text)]
    if step == "title":
        return catalogue_pick.titled(ctx, period, PREFIX, CANCEL, text)
    answered = catalogue_pick.typed(
        ctx,
        period,
        PREFIX,
        text,
        lambda day: _deadline(ctx, period, member, day),
        lambda weight: _save(ctx, period, member, weight),
    )
    if answered is not None:
        return answered
    return [reply(ctx._("Please answer with the buttons below.")), *start(ctx)]


# -- steps -----------------------------------------------------------------------------------


def _chosen(ctx: Context, period: Period, person_id: str) -> list[Reply]:
    """The person chosen: their catalogue's search, or a free task's title."""
    number = whole_number(person_id)
    member = _member(ctx, number)
    if member is None:
        person = ctx.session.get(Person, number) if number is not None else None
        known = person is not None and person.organization_id == ctx.person.organization_id
        refusal = (
            ctx._(
                "{name} is not among the people you lead: their tasks are assigned by their "
                "own leader."
            ).format(name=person.full_name)
            if known
            else ctx._("This person is not among the people you lead.")
        )
        return [reply(refusal), *start(ctx)]
    if len(_planned(ctx, member, period)) >= MAX_TASKS:
        return [
            reply(
                ctx._("The plan of {name} already holds {n} tasks, the most a plan holds.").format(
                    name=member.full_name, n=MAX_TASKS
                )
            ),
            *start(ctx),
        ]
    where = _where(ctx, period, member)
    begins = catalogue_pick.start_of(ctx, where)
    if begins is Start.SEARCH:
        ctx.go(PREFIX, "search", member=member.id)
        return [ask_search(ctx, where)]
    if begins is Start.REFUSED:
        ctx.go(None)
        text = ctx._(
            "{organization} adds tasks only from the catalogue of products, and the catalogue "
            "has no product of the job position of {name} yet. Please ask the office to add them."
        ).format(organization=ctx.organization.name, name=member.full_name)
        return [reply(text, *menu_buttons.buttons(ctx))]
    ctx.go(PREFIX, "title", member=member.id, free=begins is Start.FREE)
    return [ask_title(ctx, CANCEL)]


def _deadline(ctx: Context, period: Period, member: Person, day: date | None) -> list[Reply]:
    if ctx.recall("title") is None:  # a stale button: nothing being assigned
        return start(ctx)
    return catalogue_pick.deadline_given(
        ctx, PREFIX, day, lambda weight: _save(ctx, period, member, weight)
    )


def _save(ctx: Context, period: Period, member: Person, weight: float) -> list[Reply]:
    """The task into the person's plan, assigned by the leader; the person is told."""
    title = ctx.recall("title")
    if title is None:
        return start(ctx)
    due = ctx.recall("due")
    deadline = date.fromisoformat(due) if due else None
    task = Task(
        person_id=member.id,
        period_id=period.id,
        kind=TaskKind.PLANNED,
        title=title,
        weight=weight,
        deadline=deadline,
        position=len(_planned(ctx, member, period)) + 1,
        catalogue_item_id=ctx.recall("item"),
        free=bool(ctx.recall("free")),
        assigned_by=ctx.person.id,
    )
    ctx.session.add(task)
    ctx.session.flush()
    ctx.audit("task", task.id, "assigned", None, member.id, reason=title, decision=True)
    unit = ctx.session.get(Unit, ctx.person.unit_id)
    leader = notices.leader_title(
        ctx.person.role, unit.name if unit else "", ctx.organization.name, member.language
    )
    notices.deliver(
        ctx.session,
        member.id,
        f"assigned:{task.id}",
        notices.task_assigned(member.language, period.code, title, leader, deadline, weight),
        ctx.now,
    )
    ctx.go(None)
    done = ctx._("“{title}” is added to {name}'s plan of {period}; {name} is told.").format(
        title=title, name=member.full_name, **periods(period.code, ctx.language)
    )
    return [
        reply(
            done,
            [Button(ctx._("➕ Assign another task"), "ag:start")],
            *menu_buttons.buttons(ctx),
        )
    ]


# -- helpers ---------------------------------------------------------------------------------


def _period(ctx: Context) -> Period:
    return current_period(ctx.session, ctx.person.organization_id, ctx.local_now())


def _refusal(ctx: Context, period: Period) -> str | None:
    """Why the person in the chat cannot assign tasks in the period now; None if they can."""
    if ctx.person.role not in STAGES:
        return ctx._("Tasks are assigned by the leaders who review the people's assessments.")
    if period.status is not PeriodStatus.PLANNING:
        return ctx._(
            "The self-assessment of {period} has opened, so the plan can no longer be "
            "changed: no task can be assigned in it."
        ).format(**periods(period.code, ctx.language))
    if period.plan_until is not None and ctx.now > period.plan_until:
        return ctx._(
            "The plan of {period} was closed at {time}: no task can be assigned in it."
        ).format(
            **periods(period.code, ctx.language),
            time=format_moment(period.plan_until, ctx.timezone, ctx.language),
        )
    return None


def _member(ctx: Context, person_id: int | None) -> Person | None:
    """One of the people the leader assigns tasks to, by id."""
    if person_id is None:
        return None
    return next((p for p in assignees(ctx.session, ctx.person) if p.id == person_id), None)


def _where(ctx: Context, period: Period, member: Person) -> Where:
    return Where(
        member.job_position, start_of_period(period), PREFIX, CANCEL, name=member.full_name
    )


def _planned(ctx: Context, member: Person, period: Period) -> list[Task]:
    return [t for t in tasks_of(ctx.session, member.id, period.id) if t.kind is TaskKind.PLANNED]
