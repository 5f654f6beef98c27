"""Reviews (đánh giá của lãnh đạo): the unit head reviews the members of the unit —
deputies first, then staff — and the director reviews the heads (the seeds: the head is
reviewed before the deputies and the staff).

For each submission: agree; change the level (a reason is required); return it for
correction (a comment is required). The reviewer also accepts or not each explanation of
a task not done and each initiative, which the rules need, and the director may mark the
exemplary of the month. Every decision is audited.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from core import classify
from core.model import Level
from core.texts import level_name
from handlers.context import Context, reply, whole_number
from handlers.events import Button, Reply
from locales import format_number
from storage.models import (
    AssessmentStatus,
    Initiative,
    Organization,
    Period,
    PeriodStatus,
    Person,
    Review,
    Role,
    RoleGroup,
    SelfAssessment,
    TaskOutcome,
    Unit,
)
from storage.queries import (
    audit,
    classification_request,
    initiatives_of,
    latest_review,
    outcomes_of,
    tasks_of,
)

PREFIX = "rv"
LEVELS = ("A", "B", "C", "D")
ROLE_ORDER = {Role.HEAD: 0, Role.DEPUTY: 1, Role.STAFF: 2, Role.DIRECTOR: 3}
MIN_REASON = 10
MAX_REASON = 1000


def stage_of(reviewer: Person) -> str | None:
    if reviewer.role is Role.DIRECTOR:
        return "director"
    if reviewer.role is Role.HEAD:
        return "head"
    return None


def reviewees(session: Session, reviewer: Person, period: Period) -> list[SelfAssessment]:
    """The submissions this reviewer decides on, in the order of the seeds."""
    query = (
        select(SelfAssessment, Person)
        .join(Person, col(Person.id) == col(SelfAssessment.person_id))
        .where(
            SelfAssessment.period_id == period.id,
            SelfAssessment.status == AssessmentStatus.SUBMITTED,
            Person.organization_id == reviewer.organization_id,
            Person.id != reviewer.id,
            Person.active,
        )
    )
    if reviewer.role is Role.HEAD:
        query = query.where(
            Person.unit_id == reviewer.unit_id, col(Person.role).in_([Role.DEPUTY, Role.STAFF])
        )
    elif reviewer.role is Role.DIRECTOR:
        query = query.where(col(Person.role).in_([Role.HEAD, Role.DIRECTOR, Role.DEPUTY]))
        query = query.where((Person.role == Role.HEAD) | (Person.unit_id == reviewer.unit_id))
    else:
        return []
    rows = session.exec(query).all()
    rows.sort(key=lambda row: (ROLE_ORDER[row[1].role], row[1].full_name))
    return [assessment for assessment, _ in rows]


def show_next(ctx: Context) -> list[Reply]:
    period = _review_period(ctx)
    stage = stage_of(ctx.person)
    if period is None or stage is None:
        return [reply(ctx._("There is nothing for you to review now."))]
    pending = [
        a
        for a in reviewees(ctx.session, ctx.person, period)
        if latest_review(ctx.session, a, stage) is None
    ]
    overview = [quota_overview(ctx, period)] if stage == "director" else []
    if not pending:
        return [
            *overview,
            reply(
                ctx._("All submissions of month {month} are reviewed. Thank you.").format(
                    month=_month(period)
                )
            ),
        ]
    return [*overview, card(ctx, period, pending[0], stage)]


def quota_overview(ctx: Context, period: Period) -> Reply:
    """For the director: each unit's A by the rules, against the quota, as it stands."""
    organization = ctx.session.get(Organization, ctx.person.organization_id)
    _, request, _, _ = classification_request(ctx.session, organization, period, ctx.now)
    lines = [ctx._("Level A by unit and group, as the reviews stand (before the quota → kept):")]
    units = {
        u.code: u.name
        for u in ctx.session.exec(select(Unit).where(Unit.organization_id == organization.id))
    }
    groups = {
        g.code: g.name
        for g in ctx.session.exec(
            select(RoleGroup).where(RoleGroup.organization_id == organization.id)
        )
    }
    if request["people"]:
        for entry in classify(request, locale=ctx.language)["units"]:
            lines.append(
                ctx._("{unit} — {group}: {proposed} → {kept} (at most {cap})").format(
                    unit=units.get(entry["unit"], entry["unit"]),
                    group=groups.get(entry["group"], entry["group"]),
                    proposed=entry["proposed_a"],
                    kept=entry["counts"]["A"],
                    cap=min(entry["cap"], entry["unit_cap"])
                    if entry["unit_cap"] is not None
                    else entry["cap"],
                )
            )
    else:
        lines.append(ctx._("No submission yet."))
    return reply("\n".join(lines))


def card(
    ctx: Context, period: Period, assessment: SelfAssessment, stage: str, edit: bool = False
) -> Reply:
    person = ctx.session.get(Person, assessment.person_id)
    lang = ctx.language
    outcomes = outcomes_of(ctx.session, assessment.id)
    tasks = tasks_of(ctx.session, person.id, period.id)
    lines = [
        ctx._("Review: {name} — self-assessment of month {month}").format(
            name=person.full_name, month=_month(period)
        )
    ]
    lines.append(
        ctx._("General criteria: {score}").format(
            score=format_number(sum(assessment.general.values()), lang)
        )
    )
    rows: list[list[Button]] = []
    for number, task in enumerate(tasks, start=1):
        outcome = outcomes.get(task.id)
        status = outcome.status if outcome else "—"
        lines.append(f"{number}. {task.title}: {_status(ctx, status)}")
        if outcome is not None and outcome.status == "not_done":
            lines.append(
                "   " + ctx._("Explanation: {text}").format(text=outcome.explanation or "—")
            )
            accepted = outcome.explanation_status == "approved"
            rows.append(
                [
                    Button(
                        (
                            ctx._("☑️ Explanation {n} accepted")
                            if accepted
                            else ctx._("Accept explanation {n}")
                        ).format(n=number),
                        f"rv:x:{outcome.id}",
                    )
                ]
            )
    for item in initiatives_of(ctx.session, assessment.id):
        lines.append("💡 " + item.title)
        rows.append(
            [
                Button(
                    (
                        ctx._("☑️ Initiative accepted")
                        if item.approved
                        else ctx._("Accept the initiative")
                    )
                    + f": {item.title[:20]}",
                    f"rv:i:{item.id}",
                )
            ]
        )
    if assessment.proposed_level:
        lines.append(
            ctx._("Proposed level: {level}").format(
                level=level_name(Level(assessment.proposed_level), lang)
            )
        )
    if assessment.proposal_reason:
        lines.append(ctx._("Reason given: {text}").format(text=assessment.proposal_reason))
    if stage == "director":
        marked = latest_review(ctx.session, assessment, "director")
        exemplary = bool(marked and marked.exemplary)
        rows.append(
            [
                Button(
                    ctx._("⭐ Exemplary of the month") + (" ✔" if exemplary else ""),
                    f"rv:star:{assessment.id}",
                )
            ]
        )
    rows.append(
        [
            Button(ctx._("✅ Agree"), f"rv:ok:{assessment.id}"),
            Button(ctx._("✏️ Change the level"), f"rv:lv:{assessment.id}"),
            Button(ctx._("↩️ Return"), f"rv:ret:{assessment.id}"),
        ]
    )
    return reply("\n".join(lines), *rows, edit=edit)


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    period = _review_period(ctx)
    stage = stage_of(ctx.person)
    if period is None or stage is None:
        return [reply(ctx._("There is nothing for you to review now."))]
    match parts:
        case ["next"]:
            return show_next(ctx)
        case ["x", outcome_id]:
            outcome = _own(ctx, period, stage, TaskOutcome, outcome_id)
            if outcome is not None:
                new = "submitted" if outcome.explanation_status == "approved" else "approved"
                audit(
                    ctx.session,
                    ctx.person.id,
                    "task_outcome",
                    outcome.id,
                    "explanation_status",
                    outcome.explanation_status,
                    new,
                    at=ctx.now,
                )
                outcome.explanation_status = new
                return [
                    card(
                        ctx,
                        period,
                        ctx.session.get(SelfAssessment, outcome.assessment_id),
                        stage,
                        True,
                    )
                ]
        case ["i", initiative_id]:
            item = _own(ctx, period, stage, Initiative, initiative_id)
            if item is not None:
                audit(
                    ctx.session,
                    ctx.person.id,
                    "initiative",
                    item.id,
                    "approved",
                    item.approved,
                    not item.approved,
                    at=ctx.now,
                )
                item.approved = not item.approved
                return [
                    card(
                        ctx,
                        period,
                        ctx.session.get(SelfAssessment, item.assessment_id),
                        stage,
                        True,
                    )
                ]
        case ["star", assessment_id] if stage == "director":
            assessment = _own(ctx, period, stage, SelfAssessment, assessment_id)
            if assessment is not None:
                last = latest_review(ctx.session, assessment, "director")
                _decide(
                    ctx,
                    assessment,
                    stage,
                    last.decision if last else "agree",
                    level=last.level if last else None,
                    comment=last.comment if last else None,
                    exemplary=not (last and last.exemplary),
                )
                return [card(ctx, period, assessment, stage, True)]
        case ["ok", assessment_id]:
            assessment = _own(ctx, period, stage, SelfAssessment, assessment_id)
            if assessment is not None:
                _decide(ctx, assessment, stage, "agree")
                return [reply(ctx._("Agreed."), edit=True), *show_next(ctx)]
        case ["lv", assessment_id]:
            assessment = _own(ctx, period, stage, SelfAssessment, assessment_id)
            if assessment is not None:
                return [
                    reply(
                        ctx._("Which level do you give?"),
                        [
                            Button(
                                level_name(Level(lv), ctx.language), f"rv:set:{assessment.id}:{lv}"
                            )
                            for lv in LEVELS[:2]
                        ],
                        [
                            Button(
                                level_name(Level(lv), ctx.language), f"rv:set:{assessment.id}:{lv}"
                            )
                            for lv in LEVELS[2:]
                        ],
                    )
                ]
        case ["set", assessment_id, level] if level in LEVELS:
            assessment = _own(ctx, period, stage, SelfAssessment, assessment_id)
            if assessment is not None:
                ctx.go(PREFIX, "why", assessment=assessment.id, level=level)
                return [reply(ctx._("Please give the reason for the level you set (required)."))]
        case ["ret", assessment_id]:
            assessment = _own(ctx, period, stage, SelfAssessment, assessment_id)
            if assessment is not None:
                ctx.go(PREFIX, "comment", assessment=assessment.id)
                return [
                    reply(
                        ctx._(
                            "What should be corrected? Your comment goes to the person (required)."
                        )
                    )
                ]
    return show_next(ctx)


def on_text(ctx: Context, text: str) -> list[Reply]:
    period = _review_period(ctx)
    stage = stage_of(ctx.person)
    step = ctx.state.step
    if period is None or stage is None or step not in ("why", "comment"):
        ctx.go(None)
        return show_next(ctx)
    assessment = _own(ctx, period, stage, SelfAssessment, str(ctx.recall("assessment")))
    if assessment is None:
        ctx.go(None)
        return show_next(ctx)
    if not MIN_REASON <= len(text) <= MAX_REASON:
        return [
            reply(
                ctx._("Please write {low} to {high} characters.").format(
                    low=MIN_REASON, high=MAX_REASON
                )
            )
        ]
    if step == "why":
        _decide(ctx, assessment, stage, "change", level=ctx.recall("level"), comment=text)
        ctx.go(None)
        return [reply(ctx._("The level is recorded with your reason.")), *show_next(ctx)]
    _decide(ctx, assessment, stage, "return", comment=text)
    assessment.status = AssessmentStatus.RETURNED
    ctx.session.add(assessment)
    ctx.go(None)
    return [reply(ctx._("Returned for correction; the person is told.")), *show_next(ctx)]


def _decide(
    ctx: Context,
    assessment: SelfAssessment,
    stage: str,
    decision: str,
    *,
    level: str | None = None,
    comment: str | None = None,
    exemplary: bool | None = None,
) -> None:
    """Record a decision; the exemplary mark is kept unless `exemplary` changes it."""
    before = latest_review(ctx.session, assessment, stage)
    if exemplary is None:
        exemplary = bool(before and before.exemplary)
    ctx.session.add(
        Review(
            assessment_id=assessment.id,
            reviewer_id=ctx.person.id,
            stage=stage,
            decision=decision,
            level=level,
            comment=comment,
            exemplary=exemplary,
            created_at=ctx.now,
        )
    )
    audit(
        ctx.session,
        ctx.person.id,
        "review",
        assessment.id,
        f"{stage}.decision",
        before.decision if before else None,
        decision,
        reason=comment,
        at=ctx.now,
    )
    if level is not None:
        audit(
            ctx.session,
            ctx.person.id,
            "review",
            assessment.id,
            f"{stage}.level",
            before.level if before else None,
            level,
            reason=comment,
            at=ctx.now,
        )
    ctx.session.flush()


def _own(ctx: Context, period: Period, stage: str, model, item_id: str):
    """The row, if it belongs to a submission this reviewer decides on."""
    number = whole_number(item_id)
    if number is None:
        return None
    item = ctx.session.get(model, number)
    if item is None:
        return None
    assessment_id = item.id if model is SelfAssessment else item.assessment_id
    allowed = {a.id for a in reviewees(ctx.session, ctx.person, period)}
    return item if assessment_id in allowed else None


def _review_period(ctx: Context) -> Period | None:
    """The newest period being reviewed: closed, not yet published."""
    return ctx.session.exec(
        select(Period)
        .where(
            Period.organization_id == ctx.person.organization_id,
            Period.status == PeriodStatus.CLOSED,
        )
        .order_by(col(Period.code).desc())
    ).first()


def _status(ctx: Context, status: str) -> str:
    return {
        "exceeded": ctx._("Exceeded"),
        "on_time": ctx._("Done on time"),
        "late": ctx._("Done late"),
        "not_done": ctx._("Not done"),
    }.get(status, status)


def _month(period: Period) -> str:
    return f"{period.code[5:]}/{period.code[:4]}"
