"""The self-assessment (tự đánh giá), one question at a time:

    each general criterion (a score by buttons, up to its maximum in the ruleset)
    → each planned task (exceeded / on time / late → how many delays / not done → explanation)
    → ad-hoc tasks (titles sent one by one, each with its result; where the catalogue
      has products of the person's job position, the title is searched there and a
      product picked, or kept as a free task where the organization allows it)
    → initiatives
    → summary with the score the core computes live
    → the proposed level (a reason is asked when it is above the computed level) → submit.

Every answer is stored at once (a draft), so a restart continues where the person was.
A button answers the question it belongs to: the pressed question is edited into a record
of the answer (its keyboard goes) and the next question follows; a button of an older
question gets "this question was already answered" and the current question again.
Back, skip, and "edit an answer" from the summary; after submitting, edits are possible
until the deadline, only through the summary's "edit", and each is confirmed as an update
of the submitted version. A submission returned for correction is corrected and submitted
again until the heads' review deadline; its reviewer is told. Every change of a score or a
level is audited.

Steps: "c:<criterion>", "t:<task id>", "d:<task id>" (delays), "x:<task id>"
(explanation), "adhoc", "ap" (an ad-hoc task's product, `handlers.catalogue_pick`),
"init", "sum", "prop", "why".
"""

from __future__ import annotations

import re

from core import CoreError
from core.model import Level
from core.ruleset import Ruleset
from core.texts import level_name
from handlers import catalogue_pick, menu_buttons, notices
from handlers.catalogue_pick import Start, Where, start_of_period
from handlers.context import Context, reply, short_label, whole_number
from handlers.events import Button, Reply
from locales import N_, format_moment, format_number, format_percent, periods
from storage.models import (
    AssessmentStatus,
    Initiative,
    Period,
    PeriodStatus,
    Person,
    SelfAssessment,
    Task,
    TaskKind,
    TaskOutcome,
    Unit,
)
from storage.queries import (
    STAGES,
    assessment_of,
    assessment_period,
    begin_assessment,
    classification_request,
    initiatives_of,
    last_submitted,
    outcomes_of,
    review_of,
    reviewer_of,
    ruleset_for,
    tasks_of,
)

PREFIX = "as"
STATUS_CODES = {"e": "exceeded", "o": "on_time", "l": "late", "n": "not_done"}
LEVELS = ("A", "B", "C", "D")
RANK = {"A": 3, "B": 2, "C": 1, "D": 0}
MAX_EXPLANATION = 1000
MIN_EXPLANATION = 10
MAX_ITEMS = 20  # ad-hoc tasks, initiatives
MAX_DELAYS = 20


def start(ctx: Context) -> list[Reply]:
    period, assessment, closed = _opened(ctx)
    if closed is not None:
        ctx.go(None)
        if assessment is None:
            return [reply(closed, *menu_buttons.buttons(ctx))]
        return [reply(closed), _summary(ctx, period, assessment, final=True)]
    step = _first_unanswered(ctx, period, assessment) or "sum"
    if assessment.status is AssessmentStatus.SUBMITTED:
        step = "sum"
    ctx.go(PREFIX, step)
    intro = []
    if step.startswith("c:") and not assessment.general:
        intro.append(
            reply(
                ctx._(
                    "Self-assessment of {period}. The system asks one question at a time; "
                    "each answer is saved at once, and you can go back or edit any answer "
                    "from the summary."
                ).format(**periods(period.code, ctx.language))
            )
        )
    return [*intro, _ask(ctx, period, assessment, step)]


# Buttons that answer a question: the step they answer, from their payload's parts.
_ANSWERS = {
    "c": lambda parts: f"c:{parts[1]}",
    "t": lambda parts: f"t:{parts[1]}",
    "d": lambda parts: f"d:{parts[1]}",
    "p": lambda parts: "prop",
    "skip": lambda parts: parts[1],
    "same": lambda parts: f"c:{parts[1]}",
    "rma": lambda parts: "adhoc",
    "rmi": lambda parts: "init",
    "pick": lambda parts: "ap",
    "free": lambda parts: "ap",
}
_ARITY = {
    "c": 3,
    "t": 3,
    "d": 3,
    "p": 2,
    "skip": 2,
    "rma": 2,
    "rmi": 2,
    "same": 2,
    "pick": 2,
    "free": 1,
}


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    if parts == ["start"]:
        return start(ctx)
    period, assessment, closed = _opened(ctx)
    if closed is not None:
        ctx.go(None)
        return [reply(closed, *menu_buttons.buttons(ctx))]
    return _pressed(ctx, period, assessment, parts)


def _pressed(
    ctx: Context, period: Period, assessment: SelfAssessment, parts: list[str]
) -> list[Reply]:
    """A button of the open self-assessment (or a score typed in its place)."""
    kind = parts[0] if parts else ""
    if kind in _ANSWERS:
        if len(parts) != _ARITY[kind] or not _is_current(ctx, _ANSWERS[kind](parts)):
            return _stale(ctx, period, assessment)
        return _answer(ctx, period, assessment, parts)
    match parts:
        case ["back"] if ctx.state.flow == PREFIX:
            step = _previous(ctx, period, ctx.state.step or "sum")
            ctx.state.step = step
            return [_ask(ctx, period, assessment, step, edit=True)]
        case ["next"]:
            step = _first_unanswered(ctx, period, assessment) or "sum"
            ctx.go(PREFIX, step)
            return [_ask(ctx, period, assessment, step, edit=True)]
        case ["sum"]:
            ctx.go(PREFIX, "sum")
            return [_summary(ctx, period, assessment, edit=True)]
        case ["ac"] if ctx.state.flow == PREFIX and ctx.state.step == "ap":  # no product
            ctx.go(PREFIX, "adhoc", editing=bool(ctx.recall("editing")))
            return [_ask(ctx, period, assessment, "adhoc", edit=True)]
        case ["edit"]:
            ctx.go(PREFIX, "sum")
            return [_edit_menu(ctx, period, assessment)]
        case ["go", *step] if step:
            target = ":".join(step)
            rules = ruleset_for(ctx.organization, period, ctx.person)
            if target not in _sequence(ctx, period, rules) and target != "prop":
                ctx.go(PREFIX, "sum")
                return [_summary(ctx, period, assessment, edit=True)]
            ctx.go(PREFIX, target, editing=True)
            return [_ask(ctx, period, assessment, target, edit=True)]
        case ["submit"]:
            if assessment.status is AssessmentStatus.SUBMITTED:
                return [
                    reply(ctx._("This self-assessment is already submitted.")),
                    _summary(ctx, period, assessment),
                ]
            return _submit(ctx, period, assessment)
    return _stale(ctx, period, assessment)


def _answer(
    ctx: Context, period: Period, assessment: SelfAssessment, parts: list[str]
) -> list[Reply]:
    """A button that answers the current question."""
    rules = ruleset_for(ctx.organization, period, ctx.person)
    match parts:
        case ["c", key, score]:
            criterion = next((c for c in rules.criteria if c.key == key), None)
            value = score_of(score, criterion, rules) if criterion else None
            if value is None:
                return _stale(ctx, period, assessment)
            _set_score(ctx, assessment, key, value)
            done = ctx._("{criterion}: {score} points").format(
                criterion=_label(ctx, criterion.label), score=format_number(value, ctx.language)
            )
            return _then(ctx, period, assessment, done, f"c:{key}")
        case ["t", task_id, code] if code in STATUS_CODES:
            task = _own_task(ctx, period, task_id)
            if task is None:
                return _stale(ctx, period, assessment)
            _set_outcome(ctx, assessment, task, STATUS_CODES[code])
            done = f"\u201c{task.title}\u201d: {status_name(ctx, STATUS_CODES[code])}"
            if code == "n" and task.report:  # reported early: the reason explains it
                _set_explanation(ctx, assessment, task, task.report)
                note = ctx._(
                    "The reason you reported is its explanation: \u201c{text}\u201d"
                ).format(text=task.report)
                return _then(ctx, period, assessment, done, f"t:{task.id}", note + "\n")
            if code in ("l", "n"):
                step = f"{'d' if code == 'l' else 'x'}:{task.id}"
                ctx.go(PREFIX, step, editing=bool(ctx.recall("editing")))
                return [*_record(ctx, done), _ask(ctx, period, assessment, step)]
            return _then(ctx, period, assessment, done, f"t:{task.id}")
        case ["d", task_id, count]:
            task = _own_task(ctx, period, task_id)
            delays = whole_number(count, 4)
            if task is None or not delays:
                return _stale(ctx, period, assessment)
            _set_delays(ctx, assessment, task, delays)
            return _then(ctx, period, assessment, _delays_text(ctx, task, delays), f"t:{task.id}")
        case ["p", level] if level in LEVELS:
            return _propose(ctx, period, assessment, level)
        case ["pick", item_id]:
            where = _where(ctx, period)
            item = catalogue_pick.picked(ctx, where, item_id)
            if item is None:
                return catalogue_pick.not_in_catalogue(ctx, where)
            return [
                *_record(ctx, catalogue_pick.chosen(ctx, item).text),
                _new_ad_hoc(ctx, period, assessment, item.title, item.factor, item=item.id),
            ]
        case ["free"]:
            if not ctx.organization.free_tasks:
                return [
                    catalogue_pick.free_refused(ctx),
                    catalogue_pick.ask_search(ctx, _where(ctx, period)),
                ]
            title = ctx.recall("title") or ""
            return [
                *_record(ctx, ctx._("“{title}”: a task outside the catalogue").format(title=title)),
                _new_ad_hoc(ctx, period, assessment, title, free=True),
            ]
        case ["same", _]:
            earlier = _earlier_scores(ctx, period, assessment)
            if earlier is None:
                return _stale(ctx, period, assessment)
            code, scores = earlier
            for key, score in scores.items():
                _set_score(ctx, assessment, key, score)
            done = ctx._(
                "General criteria as in {period}; each score is in the summary, to check "
                "before submitting."
            ).format(**periods(code, ctx.language))
            last = f"c:{list(rules.criteria)[-1].key}"
            return _then(ctx, period, assessment, done, last)
        case ["skip", step] if step in ("adhoc", "init"):
            return [
                *_record(ctx, _items_text(ctx, period, assessment, step)),
                _advance(ctx, period, assessment, step),
            ]
        case ["rma", task_id]:
            task = _own_task(ctx, period, task_id)
            if task is not None and task.kind is TaskKind.AD_HOC:
                _remove_task(ctx, assessment, task)
            return [
                _ask(ctx, period, assessment, "adhoc", edit=True, note=_updated(ctx, assessment))
            ]
        case ["rmi", initiative_id]:
            number = whole_number(initiative_id)
            initiative = ctx.session.get(Initiative, number) if number is not None else None
            if initiative is not None and initiative.assessment_id == assessment.id:
                ctx.audit(
                    "initiative",
                    initiative.id,
                    "approved",
                    initiative.approved,
                    None,
                    reason=initiative.title,
                )
                ctx.session.delete(initiative)
                _touch(ctx, assessment)
                ctx.session.flush()
            return [
                _ask(ctx, period, assessment, "init", edit=True, note=_updated(ctx, assessment))
            ]
    return _stale(ctx, period, assessment)


def on_text(ctx: Context, text: str) -> list[Reply]:
    period, assessment, closed = _opened(ctx)
    if closed is not None:
        ctx.go(None)
        return [reply(closed, *menu_buttons.buttons(ctx))]
    step = ctx.state.step or "sum"
    kind, _, arg = step.partition(":")
    if kind == "c" and _SCORE.fullmatch(text.strip()):  # a score typed instead of pressed
        return _pressed(ctx, period, assessment, ["c", arg, text.strip().replace(",", ".")])
    if kind == "d" and (whole_number(text, MAX_DELAYS) or 0) >= 1:
        task = _own_task(ctx, period, arg)
        if task is not None:
            _set_delays(ctx, assessment, task, int(text))
            return _then(ctx, period, assessment, None, f"t:{task.id}")
    if kind == "x":
        return _explain(ctx, period, assessment, arg, text)
    if kind in ("adhoc", "init", "ap"):
        return _add_item(ctx, period, assessment, "adhoc" if kind == "ap" else kind, text)
    if kind == "why":
        if not MIN_EXPLANATION <= len(text) <= MAX_EXPLANATION or not _has_words(text):
            return [
                reply(
                    ctx._("Please give your reason in {low} to {high} characters.").format(
                        low=MIN_EXPLANATION, high=MAX_EXPLANATION
                    )
                ),
                _ask(ctx, period, assessment, "why"),
            ]
        assessment.proposal_reason = text
        _touch(ctx, assessment)
        ctx.go(PREFIX, "sum")
        return [
            reply(ctx._("Your reason is recorded.") + _updated(ctx, assessment, prefix="\n")),
            _summary(ctx, period, assessment),
        ]
    # text where a button was expected
    return [
        reply(ctx._("Please answer with the buttons below.")),
        _ask(ctx, period, assessment, step),
    ]


def _explain(
    ctx: Context, period: Period, assessment: SelfAssessment, task_id: str, text: str
) -> list[Reply]:
    task = _own_task(ctx, period, task_id)
    if task is None:
        return [_summary(ctx, period, assessment)]
    if not MIN_EXPLANATION <= len(text) <= MAX_EXPLANATION or not _has_words(text):
        return [
            reply(
                ctx._(
                    "Please explain in {low} to {high} characters why the task was not done."
                ).format(low=MIN_EXPLANATION, high=MAX_EXPLANATION)
            ),
            _ask(ctx, period, assessment, f"x:{task.id}"),
        ]
    _set_explanation(ctx, assessment, task, text)
    return _then(
        ctx,
        period,
        assessment,
        None,
        f"t:{task.id}",
        ctx._("Your explanation is recorded; your leaders will consider it."),
    )


def _add_item(
    ctx: Context, period: Period, assessment: SelfAssessment, kind: str, text: str
) -> list[Reply]:
    """A title sent at the ad-hoc tasks or the initiatives: an ad-hoc task then asks its
    result; an initiative is listed."""
    refusal = catalogue_pick.title_refusal(ctx, text)
    if refusal is None and kind == "adhoc" and len(_ad_hoc(ctx, period)) >= MAX_ITEMS:
        refusal = ctx._("At most {n} ad-hoc tasks a month.").format(n=MAX_ITEMS)
    elif (
        refusal is None
        and kind == "init"
        and len(initiatives_of(ctx.session, assessment.id)) >= MAX_ITEMS
    ):
        refusal = ctx._("At most {n} initiatives a month.").format(n=MAX_ITEMS)
    if refusal is not None:
        return [reply(refusal), _ask(ctx, period, assessment, kind)]
    if kind == "init":
        _touch(ctx, assessment)
        ctx.session.add(Initiative(assessment_id=assessment.id, title=text))
        ctx.session.flush()
        return [_ask(ctx, period, assessment, "init", note=_updated(ctx, assessment))]
    begins = catalogue_pick.start_of(ctx, _where(ctx, period))
    if begins is Start.SEARCH:  # the title searched in the catalogue of the job position
        ctx.go(PREFIX, "ap", title=text, editing=bool(ctx.recall("editing")))
        return [catalogue_pick.found(ctx, _where(ctx, period), text)]
    if begins is Start.REFUSED:
        refusal = ctx._(
            "{organization} adds tasks only from the catalogue of products, and the "
            "catalogue has no product of your job position yet. Please ask the office to "
            "add them."
        ).format(organization=ctx.organization.name)
        return [reply(refusal), _ask(ctx, period, assessment, "adhoc")]
    return [_new_ad_hoc(ctx, period, assessment, text, free=begins is Start.FREE)]


def _where(ctx: Context, period: Period) -> Where:
    """The catalogue of the person's job position in force at the period's start."""
    return Where(ctx.person.job_position, start_of_period(period), PREFIX, "as:ac")


def _new_ad_hoc(
    ctx: Context,
    period: Period,
    assessment: SelfAssessment,
    title: str,
    weight: float = 1.0,
    item: int | None = None,
    free: bool = False,
) -> Reply:
    """An ad-hoc task (a product of the catalogue, a free task or, without a catalogue, a
    title), then the question of its result."""
    _touch(ctx, assessment)
    task = Task(
        person_id=ctx.person.id,
        period_id=period.id,
        kind=TaskKind.AD_HOC,
        title=title,
        weight=weight,
        position=len(_ad_hoc(ctx, period)) + 1,
        catalogue_item_id=item,
        free=free,
    )
    ctx.session.add(task)
    ctx.session.flush()
    ctx.go(PREFIX, f"t:{task.id}", editing=bool(ctx.recall("editing")))
    return _ask(ctx, period, assessment, f"t:{task.id}")


# -- questions -------------------------------------------------------------------------------


def _ask(
    ctx: Context,
    period: Period,
    assessment: SelfAssessment,
    step: str,
    edit: bool = False,
    note: str = "",
) -> Reply:
    """The question of `step` (with `note` above it); `edit`: in place of the pressed message."""
    rules = ruleset_for(ctx.organization, period, ctx.person)
    kind, _, arg = step.partition(":")
    back = Button(ctx._("⬅️ Back"), "as:back")
    summary = Button(ctx._("📋 Summary"), "as:sum")
    head = note.strip() + "\n" if note.strip() else ""
    if kind == "c":
        criteria = list(rules.criteria)
        index = next((i for i, c in enumerate(criteria) if c.key == arg), None)
        if index is None:
            return _summary(ctx, period, assessment, edit=edit)
        criterion = criteria[index]
        current = assessment.general.get(arg)
        text = ctx._(
            "General criterion {n}/{total}: {label} (at most {max} points).\n"
            "How many points do you give yourself?"
        ).format(
            n=index + 1,
            total=len(criteria),
            label=_label(ctx, criterion.label),
            max=format_number(criterion.max, ctx.language),
        )
        if current is not None:
            text += "\n" + ctx._("Current answer: {value}.").format(
                value=format_number(current, ctx.language)
            )
        scores = [
            Button(format_number(s, ctx.language), f"as:c:{arg}:{s:g}")
            for s in score_choices(criterion, rules)
        ]
        rows = [scores[i : i + 4] for i in range(0, len(scores), 4)]
        nav = [back, summary] if index or ctx.recall("editing") else []
        earlier = _earlier_scores(ctx, period, assessment) if index == 0 else None
        if earlier is not None:
            nav.append(Button(ctx._("📄 As last period"), f"as:same:{arg}"))
        return reply(head + text, *rows, nav, edit=edit)
    if kind == "t":
        task = _own_task(ctx, period, arg)
        if task is None:
            return _summary(ctx, period, assessment, edit=edit)
        if task.kind is TaskKind.AD_HOC:
            number = next(i for i, t in enumerate(_ad_hoc(ctx, period), start=1) if t.id == task.id)
            text = ctx._("Ad-hoc task {n}: \u201c{title}\u201d").format(n=number, title=task.title)
        elif task.kind is TaskKind.TAKEN_OVER:
            text = ctx._("Task taken over from {name}: \u201c{title}\u201d").format(
                name=_source_owner(ctx, task), title=task.title
            )
        else:
            planned = _planned(ctx, period)
            number = next(i for i, t in enumerate(planned, start=1) if t.id == task.id)
            text = ctx._("Task {n}/{total}: \u201c{title}\u201d").format(
                n=number, total=len(planned), title=task.title
            )
        if task.deadline:
            text += " " + ctx._("(due {date})").format(date=task.deadline.strftime("%d/%m"))
        if task.reported_at is not None:
            text += "\n" + ctx._(
                "You reported it as beyond your ability on {date}; if you answer “Not done”, "
                "that reason is its explanation."
            ).format(date=_local(ctx, task.reported_at))
        text += "\n" + ctx._("What was the result?")
        outcome = outcomes_of(ctx.session, assessment.id).get(task.id)
        if outcome is not None:
            text += "\n" + ctx._("Current answer: {value}.").format(
                value=status_name(ctx, outcome.status)
            )
        return reply(
            head + text,
            [
                Button(ctx._("Exceeded"), f"as:t:{task.id}:e"),
                Button(ctx._("Done on time"), f"as:t:{task.id}:o"),
            ],
            [
                Button(ctx._("Done behind schedule"), f"as:t:{task.id}:l"),
                Button(ctx._("Not done"), f"as:t:{task.id}:n"),
            ],
            [back, summary],
            edit=edit,
        )
    if kind == "d":
        return reply(
            head
            + ctx._(
                "How many times was the task behind schedule against its deadline? Choose, "
                "or write a number up to {n} (each delay lowers its progress points)."
            ).format(n=MAX_DELAYS),
            [Button(str(n) if n < 4 else "4+", f"as:d:{arg}:{n}") for n in (1, 2, 3, 4)],
            [back],
            edit=edit,
        )
    if kind == "x":
        task = _own_task(ctx, period, arg)
        return reply(
            head
            + ctx._(
                "Please explain why \u201c{title}\u201d was not done (your explanation "
                "report). Your leaders decide whether to accept it; a task not done without "
                "an accepted explanation limits the level to {level}."
            ).format(
                title=task.title if task else "",
                level=level_name(Level.COMPLETED, ctx.language),
            ),
            [back],
            edit=edit,
        )
    if kind == "adhoc":
        question = ctx._(
            "Were you assigned ad-hoc tasks this month? Send the title of each one, or "
            "press the button below."
        )
        items = [(t.id, t.title) for t in _ad_hoc(ctx, period)]
        return _item_list(ctx, head + question, items, "adhoc", back, edit)
    if kind == "init":
        question = ctx._(
            "Did you make initiatives or proposals this month? Send each one, or press the "
            "button below. Approved ones earn bonus points."
        )
        items = [(i.id, i.title) for i in initiatives_of(ctx.session, assessment.id)]
        return _item_list(ctx, head + question, items, "init", back, edit)
    if kind == "ap":
        return catalogue_pick.ask_search(ctx, _where(ctx, period))
    if kind == "prop":
        return _ask_proposal(ctx, period, assessment, edit)
    if kind == "why":
        return reply(
            head + ctx._("Please give the reason for your proposal, for your leaders."),
            [Button(ctx._("Choose again"), "as:go:prop")],
            edit=edit,
        )
    return _summary(ctx, period, assessment, edit=edit, note=note)


def _item_list(
    ctx: Context,
    question: str,
    items: list[tuple[int, str]],
    step: str,
    back: Button,
    edit: bool,
) -> Reply:
    """A question answered by sending items one by one: the items so far, each with a
    button to remove it, and "None" (nothing added yet) or "No more"."""
    lines = [question] + [f"{n}. {title}" for n, (_, title) in enumerate(items, start=1)]
    remove = "as:rma" if step == "adhoc" else "as:rmi"
    rows = [
        [Button(ctx._("🗑 Remove {n}").format(n=n), f"{remove}:{item_id}")]
        for n, (item_id, _) in enumerate(items, start=1)
    ]
    done = ctx._("No more ➡️") if items else ctx._("None ➡️")
    return reply("\n".join(lines), *rows, [back, Button(done, f"as:skip:{step}")], edit=edit)


def _ask_proposal(
    ctx: Context, period: Period, assessment: SelfAssessment, edit: bool = False
) -> Reply:
    live = _live(ctx, period, assessment)
    text = ctx._("Which level do you propose for yourself?")
    if live is not None:
        level = level_name_text(ctx, live["computed_level"])
        by_answers = (
            ctx._("By your answers: {level}.").format(level=level)
            if live["score"] is None  # a ruleset without points (nd90)
            else ctx._("By your answers the score is {score}: {level}.").format(
                score=format_number(live["score"], ctx.language), level=level
            )
        )
        text = by_answers + "\n" + text
    rows = [[Button(level_name_text(ctx, level), f"as:p:{level}")] for level in LEVELS]
    return reply(text, *rows, [Button(ctx._("⬅️ Back"), "as:sum")], edit=edit)


def _summary(
    ctx: Context,
    period: Period,
    assessment: SelfAssessment,
    final: bool = False,
    edit: bool = False,
    note: str = "",
) -> Reply:
    rules = ruleset_for(ctx.organization, period, ctx.person)
    tasks = tasks_of(ctx.session, ctx.person.id, period.id)
    outcomes = outcomes_of(ctx.session, assessment.id)
    initiatives = initiatives_of(ctx.session, assessment.id)
    lang = ctx.language
    lines = [note.strip()] if note.strip() else []
    title = ctx._("Self-assessment of {period}").format(**periods(period.code, ctx.language))
    if assessment.status is AssessmentStatus.SUBMITTED:
        title += " — " + ctx._("submitted {time}").format(time=_local(ctx, assessment.submitted_at))
    elif assessment.status is AssessmentStatus.RETURNED:
        title += " — " + ctx._("returned for correction")
    else:
        title += " — " + ctx._("draft")
    lines.append(title)
    if assessment.status is AssessmentStatus.RETURNED:
        lines.append(_returned_line(ctx, period, assessment))
    general = sum(assessment.general.values())
    lines.append(
        ctx._("General criteria: {score}/{max}").format(
            score=format_number(general, lang), max=format_number(rules.general_max, lang)
        )
    )
    for criterion in rules.criteria:  # each item, as the form shows it
        if criterion.key in assessment.general:
            lines.append(
                f"   • {_label(ctx, criterion.label)}: "
                f"{format_number(assessment.general[criterion.key], lang)}/"
                f"{format_number(criterion.max, lang)}"
            )
    counts = {status: 0 for status in STATUS_CODES.values()}
    for outcome in outcomes.values():
        counts[outcome.status] += 1
    if tasks:
        lines.append(
            ctx._(
                "Tasks: {total} — exceeded {e}, on time {o}, behind schedule {l}, not done {n}"
            ).format(
                total=len(tasks),
                e=counts["exceeded"],
                o=counts["on_time"],
                l=counts["late"],
                n=counts["not_done"],
            )
        )
    else:
        lines.append(ctx._("No task yet."))
    if initiatives:
        lines.append(
            ctx._("Initiatives and proposals: {n} (awaiting approval)").format(n=len(initiatives))
        )
    missing = _missing(ctx, period, assessment, rules)
    live = _live(ctx, period, assessment) if not missing else None
    if not missing and live is None:
        lines.append(
            ctx._(
                "Not rated this period: there is no task to assess. Every civil servant is "
                "given tasks; your head is told."
            )
        )
    if live is not None:
        level = level_name_text(ctx, live["computed_level"])
        lines.append(
            ctx._("Provisional level: {level}").format(level=level)
            if live["score"] is None  # a ruleset without points (nd90)
            else ctx._("Provisional score: {score}/100 — {level}").format(
                score=format_number(live["score"], lang), level=level
            )
        )
        lines += _components(ctx, live["breakdown"], rules.task_points)
        for reason in live["reasons"]:
            if reason["rule"].startswith("cap."):
                lines.append("⚠️ " + reason["text"])
    if assessment.proposed_level:
        lines.append(
            ctx._("Proposed level: {level}").format(
                level=level_name_text(ctx, assessment.proposed_level)
            )
        )
    if missing:
        lines.append(ctx._("Still to answer: {items}").format(items=", ".join(missing)))
    if period.deadline is not None and assessment.status is not AssessmentStatus.RETURNED:
        lines.append(ctx._("Deadline: {time}").format(time=_local(ctx, period.deadline)))
    if assessment.status is AssessmentStatus.SUBMITTED and not final:
        lines.append(
            ctx._(
                "To change an answer, press “Edit an answer”: the submitted version is "
                "updated at once, until the deadline."
            )
        )
    if final:
        return reply("\n".join(lines), edit=edit)
    rows = []
    if missing:
        rows.append([Button(ctx._("➡️ Continue"), "as:next")])
    else:
        rows.append([Button(ctx._("🎯 Propose my level"), "as:go:prop")])
    rows.append([Button(ctx._("✏️ Edit an answer"), "as:edit")])
    if assessment.status is AssessmentStatus.DRAFT:
        rows.append([Button(ctx._("✅ Submit"), "as:submit")])
    elif assessment.status is AssessmentStatus.RETURNED:
        rows.append([Button(ctx._("✅ Submit again"), "as:submit")])
    rows.append([Button(ctx._("⬅️ Menu"), "mn:show")])
    return reply("\n".join(lines), *rows, edit=edit)


def _edit_menu(ctx: Context, period: Period, assessment: SelfAssessment) -> Reply:
    rules = ruleset_for(ctx.organization, period, ctx.person)
    rows = [[Button(short_label(_label(ctx, c.label)), f"as:go:c:{c.key}")] for c in rules.criteria]
    for number, task in enumerate(_planned(ctx, period), start=1):
        rows.append([Button(short_label(f"{number}. {task.title}"), f"as:go:t:{task.id}")])
    for task in tasks_of(ctx.session, ctx.person.id, period.id):
        if task.kind is TaskKind.TAKEN_OVER:
            rows.append([Button(short_label(f"↪ {task.title}"), f"as:go:t:{task.id}")])
    rows.append(
        [Button(ctx._("Ad-hoc tasks"), "as:go:adhoc"), Button(ctx._("Initiatives"), "as:go:init")]
    )
    rows.append([Button(ctx._("⬅️ Summary"), "as:sum")])
    return reply(ctx._("Which answer do you want to change?"), *rows, edit=True)


# -- moving through the steps ----------------------------------------------------------------


def _sequence(ctx: Context, period: Period, rules: Ruleset) -> list[str]:
    steps = [f"c:{c.key}" for c in rules.criteria]
    steps += [f"t:{t.id}" for t in tasks_of(ctx.session, ctx.person.id, period.id)]
    return [*steps, "adhoc", "init", "sum"]


def _is_current(ctx: Context, step: str) -> bool:
    """Whether a button answering `step` answers the question the chat is at."""
    return ctx.state.flow == PREFIX and ctx.state.step == step


def _stale(ctx: Context, period: Period, assessment: SelfAssessment) -> list[Reply]:
    """A button of an older question: it changes nothing; the current question again."""
    in_flow = ctx.state.flow == PREFIX and ctx.state.step
    step = ctx.state.step if in_flow else "sum"
    if not in_flow:
        ctx.go(PREFIX, "sum")
    return [
        reply(ctx._("This question was already answered; nothing was changed."), edit=True),
        _ask(ctx, period, assessment, step),
    ]


def _then(
    ctx: Context,
    period: Period,
    assessment: SelfAssessment,
    done: str | None,
    step: str,
    note: str = "",
) -> list[Reply]:
    """After an answer: its record in place of the question, then the next question."""
    updated = _updated(ctx, assessment)
    return [*_record(ctx, done), _advance(ctx, period, assessment, step, note + updated)]


def _record(ctx: Context, done: str | None) -> list[Reply]:
    """The pressed question, edited into the record of its answer (its keyboard goes)."""
    if done is None or ctx.incoming.payload is None:
        return []
    return [reply("✔ " + done, edit=True)]


def _updated(ctx: Context, assessment: SelfAssessment, prefix: str = "") -> str:
    """The confirmation that a change reached the submitted version."""
    if assessment.status is not AssessmentStatus.SUBMITTED:
        return ""
    return prefix + ctx._("The submitted self-assessment is updated.")


def _advance(
    ctx: Context, period: Period, assessment: SelfAssessment, done: str, note: str = ""
) -> Reply:
    """The question after the answered step `done`.

    An ad-hoc task leads back to the list of ad-hoc tasks; an answer edited from the
    summary leads back to the summary; otherwise the next question in order.
    """
    editing = bool(ctx.recall("editing"))
    task = _own_task(ctx, period, done[2:]) if done.startswith("t:") else None
    if task is not None and task.kind is TaskKind.AD_HOC:
        step = "adhoc"
    elif editing:
        step = "sum"
    else:
        steps = _sequence(ctx, period, ruleset_for(ctx.organization, period, ctx.person))
        step = steps[steps.index(done) + 1] if done in steps else "sum"
        if step == "sum":
            step = _first_unanswered(ctx, period, assessment) or "sum"
    ctx.go(PREFIX, step, editing=editing and step != "sum")
    return _ask(ctx, period, assessment, step, note=note)


def _previous(ctx: Context, period: Period, step: str) -> str:
    steps = _sequence(ctx, period, ruleset_for(ctx.organization, period, ctx.person))
    kind, _, arg = step.partition(":")
    if kind in ("d", "x"):
        return f"t:{arg}"
    if kind == "ap":
        return "adhoc"
    if step in ("prop", "why"):
        return "sum"
    index = steps.index(step) if step in steps else len(steps) - 1
    return steps[max(index - 1, 0)]


def _first_unanswered(ctx: Context, period: Period, assessment: SelfAssessment) -> str | None:
    """The first criterion or task still without an answer (or explanation), if any."""
    rules = ruleset_for(ctx.organization, period, ctx.person)
    for criterion in rules.criteria:
        if criterion.key not in assessment.general:
            return f"c:{criterion.key}"
    outcomes = outcomes_of(ctx.session, assessment.id)
    for task in tasks_of(ctx.session, ctx.person.id, period.id):
        outcome = outcomes.get(task.id)
        if outcome is None:
            return f"t:{task.id}"
        if outcome.status == "not_done" and not outcome.explanation:
            return f"x:{task.id}"
    return None


def _missing(ctx: Context, period: Period, assessment: SelfAssessment, rules: Ruleset) -> list[str]:
    missing = [
        short_label(_label(ctx, c.label)) for c in rules.criteria if c.key not in assessment.general
    ]
    outcomes = outcomes_of(ctx.session, assessment.id)
    for task in tasks_of(ctx.session, ctx.person.id, period.id):
        outcome = outcomes.get(task.id)
        if outcome is None or (outcome.status == "not_done" and not outcome.explanation):
            missing.append("\u201c" + short_label(task.title) + "\u201d")
    return missing


# -- answers ---------------------------------------------------------------------------------


def _set_score(ctx: Context, assessment: SelfAssessment, key: str, score: float) -> None:
    before = assessment.general.get(key)
    assessment.general = {**assessment.general, key: score}
    ctx.audit("self_assessment", assessment.id, f"general.{key}", before, score)
    _touch(ctx, assessment)


def _outcome(ctx: Context, assessment: SelfAssessment, task: Task) -> TaskOutcome:
    outcome = outcomes_of(ctx.session, assessment.id).get(task.id)
    if outcome is None:
        outcome = TaskOutcome(assessment_id=assessment.id, task_id=task.id, status="on_time")
        ctx.session.add(outcome)
        ctx.session.flush()
    return outcome


def _set_outcome(ctx: Context, assessment: SelfAssessment, task: Task, status: str) -> None:
    existing = outcomes_of(ctx.session, assessment.id).get(task.id)
    before = existing.status if existing else None
    outcome = _outcome(ctx, assessment, task)
    outcome.status = status
    if status != "late":
        ctx.audit("task_outcome", outcome.id, "delays", outcome.delays, 0)
        outcome.delays = 0
    if status != "not_done":
        outcome.explanation = None
        ctx.audit(
            "task_outcome", outcome.id, "explanation_status", outcome.explanation_status, "none"
        )
        outcome.explanation_status = "none"
    ctx.audit("task_outcome", outcome.id, "status", before, status)
    _touch(ctx, assessment)


def _set_explanation(ctx: Context, assessment: SelfAssessment, task: Task, text: str) -> None:
    outcome = _outcome(ctx, assessment, task)
    outcome.explanation = text
    ctx.audit(
        "task_outcome", outcome.id, "explanation_status", outcome.explanation_status, "submitted"
    )
    outcome.explanation_status = "submitted"
    _touch(ctx, assessment)


def _source_owner(ctx: Context, task: Task) -> str:
    """Whom a taken-over task was handed over from."""
    source = ctx.session.get(Task, task.source_task_id) if task.source_task_id else None
    owner = ctx.session.get(Person, source.person_id) if source is not None else None
    return owner.full_name if owner is not None else "—"


def task_origin(ctx: Context, task: Task) -> str:
    """How a task stands on the form beside the planned ones: " (ad hoc)", " (taken over
    from …)", or nothing for a planned task."""
    if task.kind is TaskKind.AD_HOC:
        return " (" + ctx._("ad hoc") + ")"
    if task.kind is TaskKind.TAKEN_OVER:
        return " (" + ctx._("taken over from {name}").format(name=_source_owner(ctx, task)) + ")"
    return ""


def _set_delays(ctx: Context, assessment: SelfAssessment, task: Task, delays: int) -> None:
    outcome = _outcome(ctx, assessment, task)
    ctx.audit("task_outcome", outcome.id, "delays", outcome.delays, delays)
    outcome.delays = delays
    _touch(ctx, assessment)


def _remove_task(ctx: Context, assessment: SelfAssessment, task: Task) -> None:
    outcome = outcomes_of(ctx.session, assessment.id).get(task.id)
    if outcome is not None:
        ctx.audit("task_outcome", outcome.id, "status", outcome.status, None, reason=task.title)
        ctx.session.delete(outcome)
    ctx.session.flush()
    ctx.session.delete(task)
    _touch(ctx, assessment)
    ctx.session.flush()


def _propose(ctx: Context, period: Period, assessment: SelfAssessment, level: str) -> list[Reply]:
    ctx.audit("self_assessment", assessment.id, "proposed_level", assessment.proposed_level, level)
    assessment.proposed_level = level
    assessment.proposal_reason = None
    _touch(ctx, assessment)
    done = ctx._("Proposed level: {level}").format(level=level_name_text(ctx, level))
    live = _live(ctx, period, assessment)
    if live is not None and RANK[level] > RANK[live["computed_level"]]:
        ctx.go(PREFIX, "why")
        return [
            *_record(ctx, done),
            reply(
                ctx._(
                    "You propose {proposed}, above the level your results give: {computed}. "
                    "The rules ask that a self-assessment reflect the results; if you keep this "
                    "proposal, please give your reason so that your leaders can consider it."
                ).format(
                    proposed=level_name_text(ctx, level),
                    computed=level_name_text(ctx, live["computed_level"]),
                ),
                [Button(ctx._("Choose again"), "as:go:prop")],
            ),
        ]
    ctx.go(PREFIX, "sum")
    return [*_record(ctx, done), _summary(ctx, period, assessment, note=_updated(ctx, assessment))]


def _submit(ctx: Context, period: Period, assessment: SelfAssessment) -> list[Reply]:
    rules = ruleset_for(ctx.organization, period, ctx.person)
    missing = _missing(ctx, period, assessment, rules)
    if missing:
        ctx.go(PREFIX, "sum")
        return [
            reply(
                ctx._("Before submitting, please answer: {items}").format(items=", ".join(missing))
            ),
            _summary(ctx, period, assessment),
        ]
    if not assessment.proposed_level:
        ctx.go(PREFIX, "prop")
        return [
            reply(ctx._("Please propose your level first.")),
            _ask_proposal(ctx, period, assessment),
        ]
    live = _live(ctx, period, assessment)
    if (
        live is not None
        and RANK[assessment.proposed_level] > RANK[live["computed_level"]]
        and not assessment.proposal_reason
    ):
        ctx.go(PREFIX, "why")
        return [_ask(ctx, period, assessment, "why")]
    again = assessment.status is AssessmentStatus.RETURNED
    ctx.audit("self_assessment", assessment.id, "status", assessment.status.value, "submitted")
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = ctx.now
    _touch(ctx, assessment)
    ctx.go(None)
    reviewer = reviewer_of(ctx.session, ctx.person)
    if again:
        text = ctx._(
            "✅ Your corrected self-assessment of {period} is submitted again; {reviewer} is told."
        )
        if reviewer is not None:
            notices.deliver(
                ctx.session,
                reviewer.id,
                f"resubmitted:{assessment.id}:{ctx.now.isoformat()}",
                notices.resubmitted(
                    reviewer.language, period.code, ctx.person.full_name, assessment.id
                ),
                ctx.now,
            )
    else:
        text = ctx._("✅ Your self-assessment of {period} is submitted. {reviewer} will review it.")
    text = text.format(**periods(period.code, ctx.language), reviewer=_reviewer_name(ctx, reviewer))
    if period.deadline is not None and not again:
        text += "\n" + ctx._("You can still change it until {time}, from the summary.").format(
            time=_local(ctx, period.deadline)
        )
    record = (
        [_summary(ctx, period, assessment, final=True, edit=True)] if ctx.incoming.payload else []
    )
    return [*record, reply(text, *menu_buttons.buttons(ctx))]


def _touch(ctx: Context, assessment: SelfAssessment) -> None:
    assessment.updated_at = ctx.now
    ctx.session.add(assessment)


# -- helpers ---------------------------------------------------------------------------------


_SCORE = re.compile(r"[0-9]{1,3}([.,][0-9]{1,2})?")


def score_choices(criterion, rules: Ruleset) -> list[float]:
    """The scores a criterion may get, highest first: in the ruleset's steps (half points
    in NĐ 335), whole points where it sets none."""
    per_point = rules.steps_per_point or 1
    return [n / per_point for n in range(round(criterion.max * per_point), -1, -1)]


def score_of(text: str, criterion, rules: Ruleset) -> float | None:
    """A score of a button or typed ("4.5", "4,5"), if it is one the criterion may get."""
    if not _SCORE.fullmatch(text):
        return None
    value = float(text.replace(",", "."))
    return value if value in score_choices(criterion, rules) else None


# The parts of the task results as Mẫu 01 lists them (NĐ 335 Điều 15-16): a, b, c for
# everyone, d, đ, e for leaders; the breakdown's keys and their names.
_COMPONENTS = (
    ("a", N_("a) quantity")),
    ("b", N_("b) quality")),
    ("c", N_("c) progress")),
    ("d", N_("d) results of the field led")),
    ("dd", N_("đ) organising the work")),
    ("e", N_("e) gathering and uniting staff")),
)


def _components(ctx: Context, breakdown: dict, task_points: float) -> list[str]:
    """The task results' points and their parts, as the form shows them."""
    if "a" not in breakdown:
        return []
    parts = [
        f"{ctx._(name)} {format_percent(breakdown[key], ctx.language)}"
        for key, name in _COMPONENTS
        if key in breakdown
    ]
    return [
        ctx._("Task results: {points}/{max} — {parts}").format(
            points=format_number(breakdown["tasks"], ctx.language),
            max=format_number(task_points, ctx.language),
            parts="; ".join(parts),
        )
    ]


def _earlier_scores(
    ctx: Context, period: Period, assessment: SelfAssessment
) -> tuple[str, dict[str, float]] | None:
    """The general scores of the person's last submitted period, to copy at once — when
    nothing is scored yet and they cover the criteria of this period's ruleset."""
    if assessment.general:
        return None
    found = last_submitted(ctx.session, ctx.person.id, period)
    keys = {c.key for c in ruleset_for(ctx.organization, period, ctx.person).criteria}
    if found is None or set(found[1].general) != keys:
        return None
    return found[0].code, dict(found[1].general)


def _live(ctx: Context, period: Period, assessment: SelfAssessment) -> dict | None:
    """The core's verdict on the person's own answers so far (before any review); None
    while answers are missing, or when the period is not rated (no task at all)."""
    found = classification_request(
        ctx.session, ctx.organization, period, only=[ctx.person], with_reviews=False
    )
    try:
        verdict = found.classify(ctx.language)["people"][0]
    except (CoreError, IndexError):
        return None  # incomplete answers: no estimate yet
    return verdict if verdict["rated"] else None


def _opened(ctx: Context) -> tuple[Period, SelfAssessment | None, str | None]:
    """The period of the self-assessment, the person's self-assessment of it (begun now
    if the period is open for it) and, if it is closed, why."""
    period = assessment_period(ctx.session, ctx.person, ctx.local_now())
    assessment = assessment_of(ctx.session, ctx.person.id, period.id)
    closed = _closed_reason(ctx, period, assessment)
    if assessment is None and closed is None:
        assessment = begin_assessment(ctx.session, ctx.person.id, period.id)
    return period, assessment, closed


def _closed_reason(ctx: Context, period: Period, found: SelfAssessment | None) -> str | None:
    """Why the person cannot assess themselves for `period` (`found`: their
    self-assessment of it), or None."""
    if period.status is PeriodStatus.PLANNING:
        if period.opens_at is not None:
            return ctx._(
                "The self-assessment of {period} opens at {time}. Meanwhile you can "
                "register your tasks with /plan."
            ).format(**periods(period.code, ctx.language), time=_local(ctx, period.opens_at))
        return ctx._(
            "The self-assessment of {period} is not open yet. Meanwhile you "
            "can register your tasks with /plan."
        ).format(**periods(period.code, ctx.language))
    if (
        found is not None
        and found.status is AssessmentStatus.RETURNED
        and (period.head_review_by is None or ctx.now <= period.head_review_by)
    ):
        return None  # returned for correction: open again until the head's review deadline
    if period.status is not PeriodStatus.OPEN or (
        period.deadline is not None and ctx.now > period.deadline
    ):
        if period.deadline is not None:
            return ctx._("The self-assessment of {period} closed at {time}.").format(
                **periods(period.code, ctx.language), time=_local(ctx, period.deadline)
            )
        return ctx._("The self-assessment of {period} is closed.").format(
            **periods(period.code, ctx.language)
        )
    return None


def _returned_line(ctx: Context, period: Period, assessment: SelfAssessment) -> str:
    """Who returned it, what to correct, by when."""
    reviewer = reviewer_of(ctx.session, ctx.person)
    review = None
    for stage in STAGES.values():
        found = review_of(ctx.session, assessment.id, stage)
        if found is not None and found.decision == "return":
            review = found
    line = ctx._("{reviewer} asks you to correct: \u201c{comment}\u201d").format(
        reviewer=_reviewer_name(ctx, reviewer), comment=review.comment if review else "—"
    )
    if period.head_review_by is not None:
        line += "\n" + ctx._("Correct it and submit it again before {time}.").format(
            time=_local(ctx, period.head_review_by)
        )
    return line


def _reviewer_name(ctx: Context, reviewer) -> str:
    if reviewer is None:
        return ctx._("Your leader")
    unit = ctx.session.get(Unit, reviewer.unit_id)
    return notices.leader_title(reviewer.role, unit.name, ctx.organization.name, ctx.language)


def _own_task(ctx: Context, period: Period, task_id: str) -> Task | None:
    number = whole_number(task_id)
    task = ctx.session.get(Task, number) if number is not None else None
    if task is None or task.person_id != ctx.person.id or task.period_id != period.id:
        return None
    return task


def _planned(ctx: Context, period: Period) -> list[Task]:
    return [
        t for t in tasks_of(ctx.session, ctx.person.id, period.id) if t.kind is TaskKind.PLANNED
    ]


def _ad_hoc(ctx: Context, period: Period) -> list[Task]:
    return [t for t in tasks_of(ctx.session, ctx.person.id, period.id) if t.kind is TaskKind.AD_HOC]


def _items_text(ctx: Context, period: Period, assessment: SelfAssessment, step: str) -> str:
    if step == "adhoc":
        count = len(_ad_hoc(ctx, period))
        return ctx.ngettext("Ad-hoc tasks: {n}", "Ad-hoc tasks: {n}", count).format(n=count)
    count = len(initiatives_of(ctx.session, assessment.id))
    return ctx.ngettext("Initiatives: {n}", "Initiatives: {n}", count).format(n=count)


def _delays_text(ctx: Context, task: Task, delays: int) -> str:
    return ctx.ngettext(
        "\u201c{title}\u201d: behind schedule {n} time",
        "\u201c{title}\u201d: behind schedule {n} times",
        delays,
    ).format(title=task.title, n=delays)


def _has_words(text: str) -> bool:
    """A title or a reason has letters or digits (not only emoji or punctuation)."""
    return any(c.isalnum() for c in text)


def _label(ctx: Context, labels: dict[str, str]) -> str:
    return labels.get(ctx.language) or labels["vi"]


def status_name(ctx: Context, status: str) -> str:
    """A task's result as the person chose it (the buttons' words)."""
    return {
        "exceeded": ctx._("Exceeded"),
        "on_time": ctx._("Done on time"),
        "late": ctx._("Done behind schedule"),
        "not_done": ctx._("Not done"),
    }[status]


def level_name_text(ctx: Context, level: str) -> str:
    return level_name(Level(level), ctx.language)


def _local(ctx: Context, moment) -> str:
    return format_moment(moment, ctx.timezone, ctx.language)
