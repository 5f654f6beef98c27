"""The self-assessment (tự đánh giá), one question at a time:

  each general criterion (a score by buttons, up to its maximum in the ruleset)
  → each task (exceeded / on time / late → how many delays / not done → explanation)
  → ad-hoc tasks → initiatives → summary with the score the core computes live
  → the proposed level (a reason is asked when it is above the computed level) → submit.

Every answer is stored at once (a draft), so a restart continues where the person was.
Back, skip (ad-hoc tasks and initiatives), edit any answer from the summary, and edit
again after submitting, until the deadline. Every change of a score or level is audited.

Steps: "c:<criterion>", "t:<task id>", "d:<task id>" (delays), "x:<task id>"
(explanation), "adhoc", "init", "sum", "prop", "why".
"""

from __future__ import annotations

from core import CoreError, classify
from core.model import Level
from core.ruleset import Ruleset
from core.texts import level_name
from handlers import menu
from handlers.context import Context, reply, whole_number
from handlers.events import Button, Reply
from locales import format_number
from storage.models import (
    AssessmentStatus,
    Initiative,
    Period,
    PeriodStatus,
    SelfAssessment,
    Task,
    TaskKind,
    TaskOutcome,
)
from storage.queries import (
    assessment_of,
    assessment_period,
    audit,
    core_person,
    initiatives_of,
    outcomes_of,
    ruleset_for,
    tasks_of,
)

PREFIX = "as"
STATUS_CODES = {"e": "exceeded", "o": "on_time", "l": "late", "n": "not_done"}
LEVELS = ("A", "B", "C", "D")
RANK = {"A": 3, "B": 2, "C": 1, "D": 0}
MAX_TITLE = 300
MAX_EXPLANATION = 1000
MIN_EXPLANATION = 10
MAX_ITEMS = 20  # ad-hoc tasks, initiatives


def start(ctx: Context) -> list[Reply]:
    period = _period(ctx)
    closed = _closed_reason(ctx, period)
    assessment = assessment_of(ctx.session, ctx.person.id, period.id, create=closed is None)
    if closed is not None:
        ctx.go(None)
        if assessment is None:
            return [reply(closed, *menu.buttons(ctx))]
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
                    "Self-assessment of month {month}. I will ask one question at a time; "
                    "your answers are saved as you go, and you can go back or edit them from "
                    "the summary."
                ).format(month=_month(period))
            )
        )
    return [*intro, _ask(ctx, period, assessment, step)]


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    if parts == ["start"]:
        return start(ctx)
    period = _period(ctx)
    closed = _closed_reason(ctx, period)
    if closed is not None:
        ctx.go(None)
        return [reply(closed, *menu.buttons(ctx))]
    assessment = assessment_of(ctx.session, ctx.person.id, period.id, create=True)
    rules = ruleset_for(ctx.organization, period)
    if ctx.state.flow != PREFIX:
        ctx.go(PREFIX, "sum")
    match parts:
        case ["c", key, score]:
            criterion = next((c for c in rules.criteria if c.key == key), None)
            value = whole_number(score, int(criterion.max)) if criterion else None
            if value is None:
                return [_ask(ctx, period, assessment, ctx.state.step)]
            _set_score(ctx, assessment, key, value)
            return [_advance(ctx, period, assessment, f"c:{key}")]
        case ["t", task_id, code] if code in STATUS_CODES:
            task = _own_task(ctx, period, task_id)
            if task is None:
                return [_ask(ctx, period, assessment, ctx.state.step)]
            _set_outcome(ctx, assessment, task, STATUS_CODES[code])
            if code == "l":
                ctx.state.step = f"d:{task.id}"
            elif code == "n":
                ctx.state.step = f"x:{task.id}"
            else:
                return [_advance(ctx, period, assessment, f"t:{task.id}")]
            return [_ask(ctx, period, assessment, ctx.state.step)]
        case ["d", task_id, count] if (whole_number(count, 4) or 0) >= 1:
            task = _own_task(ctx, period, task_id)
            if task is None:
                return [_ask(ctx, period, assessment, ctx.state.step)]
            _set_delays(ctx, assessment, task, int(count))
            return [_advance(ctx, period, assessment, f"t:{task.id}")]
        case ["back"]:
            step = _previous(ctx, period, assessment, ctx.state.step or "sum")
            ctx.state.step = step
            return [_ask(ctx, period, assessment, step)]
        case ["skip"] if ctx.state.step in ("adhoc", "init"):
            return [_advance(ctx, period, assessment, ctx.state.step)]
        case ["next"]:
            step = _first_unanswered(ctx, period, assessment) or "sum"
            ctx.go(PREFIX, step)
            return [_ask(ctx, period, assessment, step)]
        case ["sum"]:
            ctx.go(PREFIX, "sum")
            return [_summary(ctx, period, assessment)]
        case ["edit"]:
            return [_edit_menu(ctx, period, assessment)]
        case ["go", *step] if step:
            target = ":".join(step)
            if target not in _sequence(ctx, period, rules) and target not in ("prop",):
                return [_summary(ctx, period, assessment)]
            ctx.go(PREFIX, target, editing=True)
            return [_ask(ctx, period, assessment, target)]
        case ["p", level] if level in LEVELS:
            return _propose(ctx, period, assessment, level)
        case ["rma", task_id]:
            task = _own_task(ctx, period, task_id)
            if task is not None and task.kind is TaskKind.AD_HOC:
                _remove_task(ctx, assessment, task)
            return [_ask(ctx, period, assessment, "adhoc")]
        case ["rmi", initiative_id]:
            number = whole_number(initiative_id)
            initiative = ctx.session.get(Initiative, number) if number is not None else None
            if initiative is not None and initiative.assessment_id == assessment.id:
                ctx.session.delete(initiative)
                ctx.session.flush()
            return [_ask(ctx, period, assessment, "init")]
        case ["submit"]:
            return _submit(ctx, period, assessment)
    return [_ask(ctx, period, assessment, ctx.state.step or "sum")]


def on_text(ctx: Context, text: str) -> list[Reply]:
    period = _period(ctx)
    closed = _closed_reason(ctx, period)
    if closed is not None:
        ctx.go(None)
        return [reply(closed, *menu.buttons(ctx))]
    assessment = assessment_of(ctx.session, ctx.person.id, period.id, create=True)
    step = ctx.state.step or "sum"
    kind, _, arg = step.partition(":")
    if not text:
        return [
            reply(ctx._("Please answer with the buttons below.")),
            _ask(ctx, period, assessment, step),
        ]
    if kind == "c" and whole_number(text) is not None:  # a score typed instead of pressed
        return on_button(ctx, ["c", arg, text])
    if kind == "d" and (whole_number(text, 20) or 0) >= 1:
        task = _own_task(ctx, period, arg)
        if task is not None:
            _set_delays(ctx, assessment, task, int(text))
            return [_advance(ctx, period, assessment, f"t:{task.id}")]
    if kind == "x":
        task = _own_task(ctx, period, arg)
        if task is None:
            return [_ask(ctx, period, assessment, "sum")]
        if not MIN_EXPLANATION <= len(text) <= MAX_EXPLANATION:
            return [
                reply(
                    ctx._(
                        "Please explain in {low} to {high} characters why the task was not done."
                    ).format(low=MIN_EXPLANATION, high=MAX_EXPLANATION)
                )
            ]
        outcome = _outcome(ctx, assessment, task)
        outcome.explanation = text
        outcome.explanation_status = "submitted"
        return [
            reply(ctx._("Your explanation is recorded; your leaders will consider it.")),
            _advance(ctx, period, assessment, f"t:{task.id}"),
        ]
    if kind == "adhoc":
        if len(text) > MAX_TITLE:
            return [
                reply(
                    ctx._(
                        "The title is too long (at most {n} characters); please shorten it."
                    ).format(n=MAX_TITLE)
                )
            ]
        ad_hoc = [
            t for t in tasks_of(ctx.session, ctx.person.id, period.id) if t.kind is TaskKind.AD_HOC
        ]
        if len(ad_hoc) >= MAX_ITEMS:
            return [
                reply(ctx._("At most {n} ad-hoc tasks a month.").format(n=MAX_ITEMS)),
                _ask(ctx, period, assessment, "adhoc"),
            ]
        task = Task(
            person_id=ctx.person.id,
            period_id=period.id,
            kind=TaskKind.AD_HOC,
            title=text,
            position=len(ad_hoc) + 1,
        )
        ctx.session.add(task)
        ctx.session.flush()
        ctx.go(PREFIX, f"t:{task.id}", editing=bool(ctx.recall("editing")))
        return [_ask(ctx, period, assessment, f"t:{task.id}")]
    if kind == "init":
        if len(text) > MAX_TITLE:
            return [
                reply(
                    ctx._(
                        "The title is too long (at most {n} characters); please shorten it."
                    ).format(n=MAX_TITLE)
                )
            ]
        if len(initiatives_of(ctx.session, assessment.id)) >= MAX_ITEMS:
            return [reply(ctx._("At most {n} initiatives a month.").format(n=MAX_ITEMS))]
        ctx.session.add(Initiative(assessment_id=assessment.id, title=text))
        ctx.session.flush()
        return [_ask(ctx, period, assessment, "init")]
    if kind == "why":
        if not MIN_EXPLANATION <= len(text) <= MAX_EXPLANATION:
            return [
                reply(
                    ctx._("Please give your reason in {low} to {high} characters.").format(
                        low=MIN_EXPLANATION, high=MAX_EXPLANATION
                    )
                )
            ]
        assessment.proposal_reason = text
        _touch(ctx, assessment)
        ctx.go(PREFIX, "sum")
        return [reply(ctx._("Your reason is recorded.")), _summary(ctx, period, assessment)]
    # text where a button was expected
    return [
        reply(ctx._("Please answer with the buttons below.")),
        _ask(ctx, period, assessment, step),
    ]


# -- questions -------------------------------------------------------------------------------


def _ask(ctx: Context, period: Period, assessment: SelfAssessment, step: str) -> Reply:
    rules = ruleset_for(ctx.organization, period)
    kind, _, arg = step.partition(":")
    back = Button(ctx._("⬅️ Back"), "as:back")
    summary = Button(ctx._("📋 Summary"), "as:sum")
    if kind == "c":
        criteria = list(rules.criteria)
        index = next((i for i, c in enumerate(criteria) if c.key == arg), None)
        if index is None:
            return _summary(ctx, period, assessment)
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
        scores = [Button(str(s), f"as:c:{arg}:{s}") for s in range(int(criterion.max), -1, -1)]
        rows = [scores[i : i + 4] for i in range(0, len(scores), 4)]
        return reply(text, *rows, [back, summary] if index or ctx.recall("editing") else [])
    if kind == "t":
        task = _own_task(ctx, period, arg)
        if task is None:
            return _summary(ctx, period, assessment)
        tasks = tasks_of(ctx.session, ctx.person.id, period.id)
        number = next(i for i, t in enumerate(tasks, start=1) if t.id == task.id)
        label = ctx._("Ad-hoc task") if task.kind is TaskKind.AD_HOC else ctx._("Task")
        text = ctx._("{label} {n}/{total}: «{title}»").format(
            label=label, n=number, total=len(tasks), title=task.title
        )
        if task.deadline:
            text += " " + ctx._("(due {date})").format(date=task.deadline.strftime("%d/%m"))
        text += "\n" + ctx._("What was the result?")
        outcome = outcomes_of(ctx.session, assessment.id).get(task.id)
        if outcome is not None:
            text += "\n" + ctx._("Current answer: {value}.").format(
                value=_status_name(ctx, outcome.status)
            )
        return reply(
            text,
            [
                Button(ctx._("Exceeded"), f"as:t:{task.id}:e"),
                Button(ctx._("Done on time"), f"as:t:{task.id}:o"),
            ],
            [
                Button(ctx._("Done late"), f"as:t:{task.id}:l"),
                Button(ctx._("Not done"), f"as:t:{task.id}:n"),
            ],
            [back, summary],
        )
    if kind == "d":
        return reply(
            ctx._(
                "How many times was the task late against its deadline? "
                "(each delay lowers its progress points)"
            ),
            [Button(str(n) if n < 4 else "4+", f"as:d:{arg}:{n}") for n in (1, 2, 3, 4)],
            [back],
        )
    if kind == "x":
        task = _own_task(ctx, period, arg)
        title = task.title if task else ""
        return reply(
            ctx._(
                "Please explain why «{title}» was not done (your explanation "
                "report). Your leaders decide whether to accept it; a task not "
                "done without an accepted explanation limits the level to "
                "Completion of duties (C)."
            ).format(title=title),
            [back],
        )
    if kind == "adhoc":
        ad_hoc = [
            t for t in tasks_of(ctx.session, ctx.person.id, period.id) if t.kind is TaskKind.AD_HOC
        ]
        question = ctx._(
            "Were you assigned ad-hoc tasks this month? Send the title of each "
            "one, or press «No more»."
        )
        return _item_list(ctx, question, [(t.id, t.title) for t in ad_hoc], "as:rma", back)
    if kind == "init":
        question = ctx._(
            "Did you make initiatives or proposals this month? Send each one, or "
            "press «No more». Approved ones earn bonus points."
        )
        items = initiatives_of(ctx.session, assessment.id)
        return _item_list(ctx, question, [(i.id, i.title) for i in items], "as:rmi", back)
    if kind == "prop":
        return _ask_proposal(ctx, period, assessment)
    if kind == "why":
        return reply(
            ctx._("Please give the reason for your proposal, for your leaders."),
            [Button(ctx._("Choose again"), "as:go:prop")],
        )
    return _summary(ctx, period, assessment)


def _item_list(
    ctx: Context, question: str, items: list[tuple[int, str]], remove: str, back: Button
) -> Reply:
    """A question answered by sending items one by one: the items so far, each with a
    button to remove it, and «No more»."""
    lines = [question] + [f"• {title}" for _, title in items]
    rows = [
        [Button(ctx._("🗑 {title}").format(title=_short(title)), f"{remove}:{item_id}")]
        for item_id, title in items
    ]
    return reply("\n".join(lines), *rows, [back, Button(ctx._("No more ➡️"), "as:skip")])


def _ask_proposal(ctx: Context, period: Period, assessment: SelfAssessment) -> Reply:
    live = _live(ctx, period, assessment)
    text = ctx._("Which level do you propose for yourself?")
    if live is not None:
        text = (
            ctx._("By your answers the score is {score}: {level}.").format(
                score=format_number(live["score"], ctx.language),
                level=level_name_text(ctx, live["computed_level"]),
            )
            + "\n"
            + text
        )
    rows = [[Button(level_name_text(ctx, level), f"as:p:{level}")] for level in LEVELS]
    return reply(text, *rows, [Button(ctx._("⬅️ Back"), "as:sum")])


def _summary(
    ctx: Context, period: Period, assessment: SelfAssessment, final: bool = False
) -> Reply:
    rules = ruleset_for(ctx.organization, period)
    tasks = tasks_of(ctx.session, ctx.person.id, period.id)
    outcomes = outcomes_of(ctx.session, assessment.id)
    initiatives = initiatives_of(ctx.session, assessment.id)
    lang = ctx.language
    lines = [ctx._("Self-assessment of month {month}").format(month=_month(period))]
    if assessment.status is AssessmentStatus.SUBMITTED:
        lines[0] += " — " + ctx._("submitted {time}").format(
            time=_local(ctx, assessment.submitted_at)
        )
    else:
        lines[0] += " — " + ctx._("draft")
    general = sum(assessment.general.values())
    lines.append(
        ctx._("General criteria: {score}/{max}").format(
            score=format_number(general, lang), max=format_number(rules.general_max, lang)
        )
    )
    counts = {status: 0 for status in STATUS_CODES.values()}
    for outcome in outcomes.values():
        counts[outcome.status] += 1
    lines.append(
        ctx._("Tasks: {total} — exceeded {e}, on time {o}, late {l}, not done {n}").format(
            total=len(tasks),
            e=counts["exceeded"],
            o=counts["on_time"],
            l=counts["late"],
            n=counts["not_done"],
        )
    )
    if initiatives:
        lines.append(
            ctx._("Initiatives and proposals: {n} (awaiting approval)").format(n=len(initiatives))
        )
    missing = _missing(ctx, period, assessment, rules)
    live = _live(ctx, period, assessment) if not missing else None
    if live is not None:
        lines.append(
            ctx._("Estimated score: {score}/100 — {level}").format(
                score=format_number(live["score"], lang),
                level=level_name_text(ctx, live["computed_level"]),
            )
        )
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
    if period.deadline is not None:
        lines.append(ctx._("Deadline: {time}").format(time=_local(ctx, period.deadline)))
    if assessment.status is AssessmentStatus.SUBMITTED and not final:
        lines.append(ctx._("Changes you make now are saved at once, until the deadline."))
    if final:
        return reply("\n".join(lines))
    rows = []
    if missing:
        rows.append([Button(ctx._("➡️ Continue"), "as:next")])
    else:
        rows.append([Button(ctx._("🎯 Propose my level"), "as:go:prop")])
    rows.append([Button(ctx._("✏️ Edit an answer"), "as:edit")])
    if assessment.status is not AssessmentStatus.SUBMITTED:
        rows.append([Button(ctx._("✅ Submit"), "as:submit")])
    rows.append([Button(ctx._("⬅️ Menu"), "mn:show")])
    return reply("\n".join(lines), *rows)


def _edit_menu(ctx: Context, period: Period, assessment: SelfAssessment) -> Reply:
    rules = ruleset_for(ctx.organization, period)
    rows = [[Button(_short(_label(ctx, c.label)), f"as:go:c:{c.key}")] for c in rules.criteria]
    for number, task in enumerate(tasks_of(ctx.session, ctx.person.id, period.id), start=1):
        rows.append([Button(f"{number}. {_short(task.title)}", f"as:go:t:{task.id}")])
    rows.append(
        [Button(ctx._("Ad-hoc tasks"), "as:go:adhoc"), Button(ctx._("Initiatives"), "as:go:init")]
    )
    rows.append([Button(ctx._("⬅️ Summary"), "as:sum")])
    return reply(ctx._("Which answer do you want to change?"), *rows)


# -- moving through the steps ----------------------------------------------------------------


def _sequence(ctx: Context, period: Period, rules: Ruleset) -> list[str]:
    steps = [f"c:{c.key}" for c in rules.criteria]
    steps += [f"t:{t.id}" for t in tasks_of(ctx.session, ctx.person.id, period.id)]
    return [*steps, "adhoc", "init", "sum"]


def _advance(ctx: Context, period: Period, assessment: SelfAssessment, done: str) -> Reply:
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
        steps = _sequence(ctx, period, ruleset_for(ctx.organization, period))
        step = steps[steps.index(done) + 1] if done in steps else "sum"
        if step == "sum":
            step = _first_unanswered(ctx, period, assessment) or "sum"
    ctx.go(PREFIX, step, editing=editing and step != "sum")
    return _ask(ctx, period, assessment, step)


def _previous(ctx: Context, period: Period, assessment: SelfAssessment, step: str) -> str:
    steps = _sequence(ctx, period, ruleset_for(ctx.organization, period))
    kind, _, arg = step.partition(":")
    if kind in ("d", "x"):
        return f"t:{arg}"
    if step in ("prop", "why"):
        return "sum"
    index = steps.index(step) if step in steps else len(steps) - 1
    return steps[max(index - 1, 0)]


def _first_unanswered(ctx: Context, period: Period, assessment: SelfAssessment) -> str | None:
    """The first criterion or task still without an answer (or explanation), if any."""
    rules = ruleset_for(ctx.organization, period)
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
        _short(_label(ctx, c.label)) for c in rules.criteria if c.key not in assessment.general
    ]
    outcomes = outcomes_of(ctx.session, assessment.id)
    for task in tasks_of(ctx.session, ctx.person.id, period.id):
        outcome = outcomes.get(task.id)
        if outcome is None or (outcome.status == "not_done" and not outcome.explanation):
            missing.append("«" + _short(task.title) + "»")
    return missing


# -- answers ---------------------------------------------------------------------------------


def _set_score(ctx: Context, assessment: SelfAssessment, key: str, score: int) -> None:
    before = assessment.general.get(key)
    assessment.general = {**assessment.general, key: score}
    audit(
        ctx.session,
        ctx.person.id,
        "self_assessment",
        assessment.id,
        f"general.{key}",
        before,
        score,
        at=ctx.now,
    )
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
        outcome.delays = 0
    if status != "not_done":
        outcome.explanation = None
        outcome.explanation_status = "none"
    audit(
        ctx.session, ctx.person.id, "task_outcome", outcome.id, "status", before, status, at=ctx.now
    )
    _touch(ctx, assessment)


def _set_delays(ctx: Context, assessment: SelfAssessment, task: Task, delays: int) -> None:
    outcome = _outcome(ctx, assessment, task)
    audit(
        ctx.session,
        ctx.person.id,
        "task_outcome",
        outcome.id,
        "delays",
        outcome.delays,
        delays,
        at=ctx.now,
    )
    outcome.delays = delays
    _touch(ctx, assessment)


def _remove_task(ctx: Context, assessment: SelfAssessment, task: Task) -> None:
    outcome = outcomes_of(ctx.session, assessment.id).get(task.id)
    if outcome is not None:
        ctx.session.delete(outcome)
    ctx.session.flush()
    ctx.session.delete(task)
    ctx.session.flush()


def _propose(ctx: Context, period: Period, assessment: SelfAssessment, level: str) -> list[Reply]:
    audit(
        ctx.session,
        ctx.person.id,
        "self_assessment",
        assessment.id,
        "proposed_level",
        assessment.proposed_level,
        level,
        at=ctx.now,
    )
    assessment.proposed_level = level
    assessment.proposal_reason = None
    _touch(ctx, assessment)
    live = _live(ctx, period, assessment)
    if live is not None and RANK[level] > RANK[live["computed_level"]]:
        ctx.go(PREFIX, "why")
        return [
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
            )
        ]
    ctx.go(PREFIX, "sum")
    return [_summary(ctx, period, assessment)]


def _submit(ctx: Context, period: Period, assessment: SelfAssessment) -> list[Reply]:
    rules = ruleset_for(ctx.organization, period)
    missing = _missing(ctx, period, assessment, rules)
    if missing:
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
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = ctx.now
    _touch(ctx, assessment)
    ctx.go(None)
    text = ctx._(
        "✅ Your self-assessment of month {month} is submitted. Your unit head will review it."
    ).format(month=_month(period))
    if period.deadline is not None:
        text += "\n" + ctx._("You can still edit it until {time}.").format(
            time=_local(ctx, period.deadline)
        )
    return [reply(text, *menu.buttons(ctx))]


def _touch(ctx: Context, assessment: SelfAssessment) -> None:
    assessment.updated_at = ctx.now
    ctx.session.add(assessment)


# -- helpers ---------------------------------------------------------------------------------


def _live(ctx: Context, period: Period, assessment: SelfAssessment) -> dict | None:
    """The core's verdict on the answers so far (before the unit's quota)."""
    data = {
        "period": period.code,
        "people": [core_person(ctx.session, ctx.person, period, assessment, ctx.now)],
    }
    if ctx.organization.ruleset:
        data["ruleset"] = ctx.organization.ruleset
    try:
        return classify(data, locale=ctx.language)["people"][0]
    except CoreError:
        return None  # incomplete answers: no estimate yet


def _period(ctx: Context) -> Period:
    return assessment_period(ctx.session, ctx.person, ctx.local_now())


def _closed_reason(ctx: Context, period: Period) -> str | None:
    if period.status is PeriodStatus.PLANNING:
        return ctx._(
            "The self-assessment of month {month} is not open yet. Meanwhile you "
            "can register your tasks with /plan."
        ).format(month=_month(period))
    found = assessment_of(ctx.session, ctx.person.id, period.id)
    if (
        found is not None
        and found.status is AssessmentStatus.RETURNED
        and (period.head_review_by is None or ctx.now <= period.head_review_by)
    ):
        return None  # returned for correction: open again until the head's review deadline
    if period.status is not PeriodStatus.OPEN or (
        period.deadline is not None and ctx.now > period.deadline
    ):
        return ctx._("The self-assessment of month {month} is closed.").format(month=_month(period))
    return None


def _own_task(ctx: Context, period: Period, task_id: str) -> Task | None:
    number = whole_number(task_id)
    task = ctx.session.get(Task, number) if number is not None else None
    if task is None or task.person_id != ctx.person.id or task.period_id != period.id:
        return None
    return task


def _label(ctx: Context, labels: dict[str, str]) -> str:
    return labels.get(ctx.language) or labels["vi"]


def _status_name(ctx: Context, status: str) -> str:
    return {
        "exceeded": ctx._("Exceeded"),
        "on_time": ctx._("Done on time"),
        "late": ctx._("Done late"),
        "not_done": ctx._("Not done"),
    }[status]


def level_name_text(ctx: Context, level: str) -> str:
    return level_name(Level(level), ctx.language)


def _month(period: Period) -> str:
    return f"{period.code[5:]}/{period.code[:4]}"


def _local(ctx: Context, moment) -> str:
    return moment.astimezone(ctx.timezone).strftime("%H:%M %d/%m/%Y")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
