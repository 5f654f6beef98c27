"""Reviews (đánh giá của lãnh đạo): the unit head reviews the deputies and staff of the
unit, the director the heads (and the director's own unit, and units without a head).

    /review ─▶ [director: each unit's A against the quota]
            ─▶ card of the next submission awaiting a decision
                 ├─ ✅ agree
                 ├─ ⬇️ lower the level ─▶ a level below the rules' ─▶ the reason (text)
                 ├─ ✏️ re-score a general criterion ─▶ criterion ─▶ score ─▶ [lower: comment]
                 ├─ ↩️ return for correction ─▶ what to correct (text) ─▶ the person is told
                 ├─ accept an explanation / an initiative (toggles)
                 └─ ⭐ exemplary of the month (director)
            ─▶ after the last card: people tied for the last A place, to rank
            ─▶ all reviewed

A card's buttons act only on the card open in the chat (the conversation state): a
button of an older card is answered "already dealt with" and the open card is shown.
A leader may lower the level the rules give, never raise it: to raise, re-score a
criterion. Deadlines: a head decides until the heads' review deadline; the director until
publication (a decision after the classification run makes the run again before
publication); tied people may be ranked until publication. Every decision, the exemplary
mark included, goes to the audit log.
"""

from __future__ import annotations

from datetime import datetime

from core import CoreError
from core.model import Level
from core.texts import level_name
from handlers import notices
from handlers.assessment import score_choices, score_of, status_name, task_origin
from handlers.context import Context, reply, short_label, whole_number
from handlers.events import Button, Reply
from locales import N_, format_moment, format_number, format_percent, periods
from storage.models import (
    AssessmentStatus,
    Initiative,
    Period,
    PeriodStatus,
    Person,
    Review,
    Role,
    SelfAssessment,
    TaskOutcome,
    Unit,
)
from storage.periods import assessments_of_period, newest_period_in
from storage.queries import (
    STAGES,
    awaits_decision,
    classification_request,
    handed_over,
    initiatives_of,
    outcomes_of,
    review_of,
    reviewees,
    reviewer_of,
    ruleset_for,
    tasks_of,
)

PREFIX = "rv"
LEVELS = ("A", "B", "C", "D")
RANK = {"A": 3, "B": 2, "C": 1, "D": 0}
MIN_REASON = 10
MAX_REASON = 1000


# -- screens ---------------------------------------------------------------------------------


def show_next(ctx: Context) -> list[Reply]:
    """The next card awaiting a decision; then the ties to rank; then "all reviewed"."""
    period, stage = _review_period(ctx), STAGES.get(ctx.person.role)
    if period is None or stage is None:
        ctx.go(None)
        return [reply(ctx._("There is nothing for you to review now."))]
    overview = [quota_overview(ctx, period)] if stage == "director" else []
    rows = reviewees(ctx.session, ctx.person, period)
    if _closed_for(ctx, period, stage) is None:
        for assessment, person in rows:
            if awaits_decision(assessment, review_of(ctx.session, assessment.id, stage)):
                return [*overview, card(ctx, period, assessment, person, stage)]
    tie = _next_tie(ctx, period, {a.id for a, _ in rows})
    if tie is not None:
        return [*overview, _ask_rank(ctx, period, tie, [])]
    ctx.go(None)
    lines = [
        ctx._("All submissions of {period} are reviewed. Thank you.").format(
            **periods(period.code, ctx.language)
        )
    ]
    waiting = [p.full_name for a, p in rows if a.status is AssessmentStatus.RETURNED]
    if waiting:
        lines.append(
            ctx._("Returned for correction, not submitted again yet: {names}.").format(
                names=", ".join(waiting)
            )
        )
    closed = _closed_for(ctx, period, stage)
    if closed is not None:
        lines.append(closed)
    return [*overview, reply("\n".join(lines))]


def quota_overview(ctx: Context, period: Period) -> Reply:
    """For the director: each unit's A by the rules, against the quota, as it stands."""
    found = classification_request(ctx.session, ctx.organization, period)
    request = found.request
    lines = [ctx._("Level A by unit and group, as the reviews stand (before the quota → kept):")]
    if request["people"]:
        for entry in found.classify(ctx.language)["units"]:
            cap = (
                entry["cap"] if entry["unit_cap"] is None else min(entry["cap"], entry["unit_cap"])
            )
            lines.append(
                ctx._("{unit} — {group}: {proposed} → {kept} (at most {cap})").format(
                    unit=request["unit_names"].get(entry["unit"], found.organization.name),
                    group=request["group_names"][entry["group"]],
                    proposed=entry["proposed_a"],
                    kept=entry["counts"]["A"],
                    cap=cap,
                )
            )
    else:
        lines.append(ctx._("No submission yet."))
    return reply("\n".join(lines))


def card(
    ctx: Context,
    period: Period,
    assessment: SelfAssessment,
    person: Person,
    stage: str,
    edit: bool = False,
    note: str | None = None,
) -> Reply:
    """A submission with what the reviewer may decide; opens it in this chat."""
    ctx.go(PREFIX, "card", assessment=assessment.id)
    review = review_of(ctx.session, assessment.id, stage)
    verdict = _verdict(ctx, period, person)
    lang = ctx.language
    rules = ruleset_for(ctx.organization, period, person)
    lines = [note] if note else []
    lines.append(
        ctx._("Review: {name} — self-assessment of {period}").format(
            name=person.full_name, **periods(period.code, ctx.language)
        )
    )
    if assessment.submitted_at is not None:
        lines.append(
            ctx._("Submitted at {time}.").format(time=_moment(ctx, assessment.submitted_at))
        )
    own = sum(assessment.general.values())
    scored = {**assessment.general, **(review.general if review else {})}
    lines.append(
        ctx._("General criteria: {score}/{max}").format(
            score=format_number(sum(scored.values()), lang),
            max=format_number(rules.general_max, lang),
        )
        + (
            " " + ctx._("(self-assessed: {score})").format(score=format_number(own, lang))
            if review and review.general
            else ""
        )
    )
    labels = {c.key: _label(ctx, c.label) for c in rules.criteria}
    for key, value in (review.general if review else {}).items():
        line = "   " + ctx._("{criterion}: {before} → {after}").format(
            criterion=labels.get(key, key),
            before=format_number(assessment.general.get(key, 0), lang),
            after=format_number(value, lang),
        )
        if review.notes.get(key):
            line += f" (\u201c{review.notes[key]}\u201d)"
        lines.append(line)
    rows: list[list[Button]] = []
    outcomes = outcomes_of(ctx.session, assessment.id)
    for number, task in enumerate(tasks_of(ctx.session, person.id, period.id), start=1):
        outcome = outcomes.get(task.id)
        status = status_name(ctx, outcome.status) if outcome else "—"
        lines.append(f"{number}. \u201c{task.title}\u201d{task_origin(ctx, task)}: {status}")
        if task.reported_at is not None:
            lines.append(
                "   ⚠️ "
                + ctx._("Reported as beyond their ability on {date}").format(
                    date=task.reported_at.astimezone(ctx.timezone).strftime("%d/%m/%Y")
                )
            )
            taken = handed_over(ctx.session, task.id)
            if taken is not None:
                name = ctx.session.get(Person, taken.person_id).full_name
                lines.append("   ↪ " + ctx._("Handed over to {name}").format(name=name))
        if outcome is not None and outcome.status == "not_done":
            accepted = outcome.explanation_status == "approved"
            lines.append(
                "   "
                + ctx._("Explanation: {text}").format(text=outcome.explanation or "—")
                + (" ☑️" if accepted else "")
            )
            label = (
                ctx._("Withdraw acceptance of explanation {n}")
                if accepted
                else ctx._("Accept explanation {n}")
            )
            rows.append([Button(label.format(n=number), f"rv:x:{outcome.id}")])
    for number, item in enumerate(initiatives_of(ctx.session, assessment.id), start=1):
        lines.append(f"💡 {number}. {item.title}" + (" ☑️" if item.approved else ""))
        label = (
            ctx._("Withdraw acceptance of initiative {n}")
            if item.approved
            else ctx._("Accept initiative {n}")
        )
        rows.append([Button(label.format(n=number), f"rv:i:{item.id}")])
    if verdict is not None:
        level = level_name(Level(verdict["rules_level"]), lang)
        lines.append(
            ctx._("By the rules: {level}").format(level=level)
            if verdict["score"] is None  # a ruleset without points (nd90)
            else ctx._("By the rules: {score} points — {level}").format(
                score=format_number(verdict["score"], lang), level=level
            )
        )
    if assessment.proposed_level:
        lines.append(
            ctx._("Proposed level: {level}").format(
                level=level_name(Level(assessment.proposed_level), lang)
            )
        )
    if assessment.proposal_reason:
        lines.append(
            ctx._("Reason given: {text}").format(text=f"\u201c{assessment.proposal_reason}\u201d")
        )
    if review is not None and review.decision is not None:
        lines.append(_decision_text(ctx, review))
    if person.role in LEADERS:
        lines += _leader_lines(ctx, review, verdict)
        for part in ("dd", "e"):
            rows.append(
                [
                    Button(
                        f"{LEADER_PARTS[part][0]} {share}", f"rv:lead:{assessment.id}:{part}:{v}"
                    )
                    for share, v in (("100%", "1"), ("50%", "0.5"))
                ]
            )
    exemplary = bool(review and review.exemplary)
    if stage == "director":
        rows.append(
            [
                Button(
                    ctx._("⭐ Exemplary of the month") + (" ✔" if exemplary else ""),
                    f"rv:star:{assessment.id}",
                )
            ]
        )
    rows.append([Button(ctx._("✏️ Re-score a general criterion"), f"rv:g:{assessment.id}")])
    decide = [Button(ctx._("✅ Agree"), f"rv:ok:{assessment.id}")]
    if verdict is not None and verdict["rules_level"] != "D":
        decide.append(Button(ctx._("⬇️ Lower the level"), f"rv:lv:{assessment.id}"))
    rows.append(decide)
    if period.head_review_by is None or ctx.now < period.head_review_by:
        rows.append([Button(ctx._("↩️ Return for correction"), f"rv:ret:{assessment.id}")])
    return reply("\n".join(lines), *rows, edit=edit)


# -- buttons and texts -----------------------------------------------------------------------


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    period, stage = _review_period(ctx), STAGES.get(ctx.person.role)
    if period is None or stage is None:
        ctx.go(None)
        return [reply(ctx._("There is nothing for you to review now."))]
    match parts:
        case ["next"]:
            return show_next(ctx)
        case ["open", assessment_id]:
            found = _reviewee(ctx, period, assessment_id)
            if found is None:
                return show_next(ctx)
            return [card(ctx, period, *found, stage)]
        case ["rk", assessment_id]:
            return _rank(ctx, period, assessment_id)
    target = _target(ctx, parts)
    found = _reviewee(ctx, period, target) if target is not None else None
    if found is None:
        return [reply(ctx._("This button is not valid any more.")), *show_next(ctx)]
    assessment, person = found
    if not (ctx.state.flow == PREFIX and ctx.recall("assessment") == assessment.id):
        return [
            reply(
                ctx._("This card was already dealt with; here is where you are now."),
                edit=True,
            ),
            *_current(ctx, period, stage),
        ]
    closed = _closed_for(ctx, period, stage)
    if closed is not None:
        ctx.go(None)
        return [reply(closed), *show_next(ctx)]
    return _act(ctx, period, stage, assessment, person, parts)


def on_text(ctx: Context, text: str) -> list[Reply]:
    period, stage = _review_period(ctx), STAGES.get(ctx.person.role)
    step = ctx.state.step
    if period is None or stage is None or step not in ("why", "comment", "note", "leadnote"):
        return [reply(ctx._("Please use the buttons of the card.")), *_current(ctx, period, stage)]
    found = _reviewee(ctx, period, str(ctx.recall("assessment")))
    if found is None:
        ctx.go(None)
        return show_next(ctx)
    assessment, person = found
    closed = _closed_for(ctx, period, stage)
    if closed is not None:
        ctx.go(None)
        return [reply(closed), *show_next(ctx)]
    if not MIN_REASON <= len(text) <= MAX_REASON or not any(c.isalnum() for c in text):
        return [
            reply(
                ctx._("Please write {low} to {high} characters.").format(
                    low=MIN_REASON, high=MAX_REASON
                )
            ),
            _ask_text(ctx, step, person),
        ]
    if step == "why":
        level = ctx.recall("level")
        verdict = _verdict(ctx, period, person)
        if verdict is None or RANK[level] >= RANK[verdict["rules_level"]]:
            return [_refuse_raise(ctx, verdict), card(ctx, period, assessment, person, stage)]
        _decide(
            ctx, assessment, _review(ctx, assessment, stage), "change", level=level, comment=text
        )
        done = ctx._("{name}: the level {level} is recorded with your reason.").format(
            name=person.full_name, level=level_name(Level(level), ctx.language)
        )
        return [reply(_after_run(ctx, period, done)), *show_next(ctx)]
    if step == "note":
        key, score = ctx.recall("key"), ctx.recall("score")
        _rescore(ctx, assessment, _review(ctx, assessment, stage), key, score, text)
        return _saved(ctx, period, assessment, person, stage)
    if step == "leadnote":
        part = ctx.recall("part")
        _set_part(ctx, _review(ctx, assessment, stage), part, 0.5, text)
        return _saved(ctx, period, assessment, person, stage)
    if period.head_review_by is not None and ctx.now >= period.head_review_by:
        ctx.go(None)
        return [reply(_too_late_to_return(ctx)), *show_next(ctx)]
    review = _review(ctx, assessment, stage)
    _decide(ctx, assessment, review, "return", comment=text)
    unit = ctx.session.get(Unit, ctx.person.unit_id)
    notices.deliver(
        ctx.session,
        person.id,
        f"returned:{assessment.id}:{review.id}:{ctx.now.isoformat()}",
        notices.returned(
            person.language,
            period.code,
            notices.leader_title(
                ctx.person.role, unit.name, ctx.organization.name, person.language
            ),
            text,
            period.head_review_by,
            ctx.timezone,
        ),
        ctx.now,
    )
    done = ctx._("Returned to {name} for correction; {name} is told now.").format(
        name=person.full_name
    )
    return [reply(done), *show_next(ctx)]


def _act(
    ctx: Context,
    period: Period,
    stage: str,
    assessment: SelfAssessment,
    person: Person,
    parts: list[str],
) -> list[Reply]:
    """A button of the open card."""
    existing = review_of(ctx.session, assessment.id, stage)  # begun only by a change
    match parts:
        case ["ok", _]:
            _decide(ctx, assessment, _review(ctx, assessment, stage), "agree")
            done = ctx._("{name}: agreed.").format(name=person.full_name)
            return [reply(_after_run(ctx, period, done), edit=True), *show_next(ctx)]
        case ["lv", _]:
            verdict = _verdict(ctx, period, person)
            lower = [lv for lv in LEVELS if verdict and RANK[lv] < RANK[verdict["rules_level"]]]
            if not lower:
                return [_refuse_raise(ctx, verdict), card(ctx, period, assessment, person, stage)]
            ctx.go(PREFIX, "level", assessment=assessment.id)
            return [
                reply(
                    _rules_level_text(ctx, verdict) + "\n" + ctx._("Which level do you set?"),
                    *[
                        [
                            Button(
                                level_name(Level(lv), ctx.language), f"rv:set:{assessment.id}:{lv}"
                            )
                        ]
                        for lv in lower
                    ],
                    [Button(ctx._("⬅️ Back to the card"), f"rv:back:{assessment.id}")],
                    edit=True,
                )
            ]
        case ["set", _, level] if level in LEVELS:
            verdict = _verdict(ctx, period, person)
            if verdict is None or RANK[level] >= RANK[verdict["rules_level"]]:
                return [_refuse_raise(ctx, verdict), card(ctx, period, assessment, person, stage)]
            ctx.go(PREFIX, "why", assessment=assessment.id, level=level)
            return [_ask_text(ctx, "why", person)]
        case ["ret", _]:
            if period.head_review_by is not None and ctx.now >= period.head_review_by:
                return [
                    reply(_too_late_to_return(ctx)),
                    card(ctx, period, assessment, person, stage),
                ]
            ctx.go(PREFIX, "comment", assessment=assessment.id)
            return [_ask_text(ctx, "comment", person)]
        case ["g", _]:
            rules = ruleset_for(ctx.organization, period, person)
            ctx.go(PREFIX, "criteria", assessment=assessment.id)
            rows = [
                [Button(short_label(_label(ctx, c.label)), f"rv:gk:{assessment.id}:{c.key}")]
                for c in rules.criteria
            ]
            rows.append([Button(ctx._("⬅️ Back to the card"), f"rv:back:{assessment.id}")])
            return [reply(ctx._("Which general criterion do you score again?"), *rows, edit=True)]
        case ["gk", _, key]:
            criterion = _criterion(ctx, period, person, key)
            if criterion is None:
                return [card(ctx, period, assessment, person, stage)]
            ctx.go(PREFIX, "score", assessment=assessment.id, key=key)
            theirs = existing.general if existing else {}
            current = {**assessment.general, **theirs}.get(key)
            text = ctx._(
                "{criterion} (at most {max} points): self-assessed {own}; your score?"
            ).format(
                criterion=_label(ctx, criterion.label),
                max=format_number(criterion.max, ctx.language),
                own=format_number(assessment.general.get(key, 0), ctx.language),
            )
            if current is not None and key in theirs:
                text += "\n" + ctx._("Your score now: {value}.").format(
                    value=format_number(current, ctx.language)
                )
            scores = [
                Button(format_number(s, ctx.language), f"rv:gs:{assessment.id}:{key}:{s:g}")
                for s in score_choices(criterion, ruleset_for(ctx.organization, period, person))
            ]
            rows = [scores[i : i + 4] for i in range(0, len(scores), 4)]
            return [
                reply(
                    text,
                    *rows,
                    [Button(ctx._("⬅️ Back to the card"), f"rv:back:{assessment.id}")],
                    edit=True,
                )
            ]
        case ["gs", _, key, score]:
            criterion = _criterion(ctx, period, person, key)
            rules = ruleset_for(ctx.organization, period, person)
            value = score_of(score, criterion, rules) if criterion else None
            if value is None or ctx.recall("key") != key:
                return [card(ctx, period, assessment, person, stage)]
            if value < assessment.general.get(key, 0):
                ctx.go(PREFIX, "note", assessment=assessment.id, key=key, score=value)
                return [_ask_text(ctx, "note", person)]
            _rescore(ctx, assessment, _review(ctx, assessment, stage), key, value, None)
            return _saved(ctx, period, assessment, person, stage)
        case ["x", outcome_id]:
            outcome = ctx.session.get(TaskOutcome, int(outcome_id))
            accepted = outcome.explanation_status == "approved"
            new = "submitted" if accepted else "approved"
            _change(ctx, outcome, "task_outcome", outcome.id, "explanation_status", new)
            return _saved(ctx, period, assessment, person, stage)
        case ["i", initiative_id]:
            item = ctx.session.get(Initiative, int(initiative_id))
            _change(ctx, item, "initiative", item.id, "approved", not item.approved)
            return _saved(ctx, period, assessment, person, stage)
        case ["lead", _, part, share] if person.role in LEADERS and part in LEADER_PARTS:
            if share == "1":
                _set_part(ctx, _review(ctx, assessment, stage), part, 1.0, None)
                return _saved(ctx, period, assessment, person, stage)
            if share == "0.5":
                ctx.go(PREFIX, "leadnote", assessment=assessment.id, part=part)
                return [_ask_text(ctx, "leadnote", person)]
            return [card(ctx, period, assessment, person, stage)]
        case ["star", _] if stage == "director":
            review = _review(ctx, assessment, stage)
            _change(ctx, review, "review", assessment.id, "exemplary", not review.exemplary)
            return _saved(ctx, period, assessment, person, stage)
        case ["back", _]:
            return [card(ctx, period, assessment, person, stage, edit=True)]
    return [card(ctx, period, assessment, person, stage)]


LEADERS = (Role.HEAD, Role.DEPUTY, Role.DIRECTOR)
# A leader's parts the reviewer rates at 100% or 50% (NĐ 335 Điều 15): the review's field
# and label; d, the results of the field led, the core computes from the people led.
LEADER_PARTS = {
    "dd": ("đ", N_("đ) ability to organise and carry out the tasks")),
    "e": ("e", N_("e) ability to gather and unite the staff led")),
}
_PART_FIELDS = {"dd": "organising", "e": "cohesion"}


def _leader_lines(ctx: Context, review: Review | None, verdict: dict | None) -> list[str]:
    """d as the core computes it, with why; đ and e as rated (or not yet)."""
    lines = [
        "   " + reason["text"]
        for reason in (verdict or {}).get("reasons", [])
        if reason["rule"] == "score.leader"
    ]
    for part, (_letter, label) in LEADER_PARTS.items():
        value = getattr(review, _PART_FIELDS[part]) if review else None
        if value is None:
            shown = ctx._("not rated yet (counted 100%)")
        else:
            shown = format_percent(value, ctx.language)
            note = review.notes.get(_PART_FIELDS[part])
            if note:
                shown += f" (\u201c{note}\u201d)"
        lines.append(f"   {ctx._(label)}: {shown}")
    return lines


def _set_part(ctx: Context, review: Review, part: str, value: float, why: str | None) -> None:
    """đ or e of a leader, audited; the reason of a 50% kept in the notes."""
    name = _PART_FIELDS[part]
    ctx.audit(
        "review",
        review.assessment_id,
        f"{review.stage}.{name}",
        getattr(review, name),
        value,
        reason=why,
        decision=True,
    )
    setattr(review, name, value)
    notes = dict(review.notes)
    if why:
        notes[name] = why
    else:
        notes.pop(name, None)
    review.notes = notes
    ctx.session.add(review)
    ctx.session.flush()
    ctx.go(PREFIX, "card", assessment=review.assessment_id)


def _saved(
    ctx: Context, period: Period, assessment: SelfAssessment, person: Person, stage: str
) -> list[Reply]:
    """The card again, in place, saying the change is saved."""
    note = _after_run(ctx, period, ctx._("Saved."))
    return [card(ctx, period, assessment, person, stage, edit=True, note=note)]


# -- decisions -------------------------------------------------------------------------------


def _change(ctx: Context, row, entity: str, entity_id: int, name: str, value) -> None:
    """Set a field a reviewer decides (an acceptance, the exemplary mark), audited; a
    review's field is audited under its stage ("director.exemplary")."""
    field = f"{row.stage}.{name}" if isinstance(row, Review) else name
    ctx.audit(entity, entity_id, field, getattr(row, name), value, decision=isinstance(row, Review))
    setattr(row, name, value)
    ctx.session.add(row)


def _review(ctx: Context, assessment: SelfAssessment, stage: str) -> Review:
    """The review of the submission at this stage, begun now if it was not."""
    review = review_of(ctx.session, assessment.id, stage)
    if review is None:
        review = Review(
            assessment_id=assessment.id, reviewer_id=ctx.person.id, stage=stage, created_at=ctx.now
        )
        ctx.session.add(review)
        ctx.session.flush()
    review.reviewer_id = ctx.person.id
    return review


def _decide(
    ctx: Context,
    assessment: SelfAssessment,
    review: Review,
    decision: str,
    *,
    level: str | None = None,
    comment: str | None = None,
) -> None:
    """Record a decision (agree, change, return) and audit it, even when it repeats."""
    stage = review.stage
    ctx.audit(
        "review",
        assessment.id,
        f"{stage}.decision",
        review.decision,
        decision,
        reason=comment,
        decision=True,
    )
    ctx.audit("review", assessment.id, f"{stage}.level", review.level, level, reason=comment)
    review.decision, review.level, review.comment = decision, level, comment
    review.decided_at = ctx.now
    ctx.session.add(review)
    status = AssessmentStatus.RETURNED if decision == "return" else AssessmentStatus.SUBMITTED
    if assessment.status is not status:  # returned; or a returned one taken as it stands
        ctx.audit(
            "self_assessment",
            assessment.id,
            "status",
            assessment.status.value,
            status.value,
            reason=comment,
        )
        assessment.status = status
        ctx.session.add(assessment)
    ctx.session.flush()


def _rescore(
    ctx: Context,
    assessment: SelfAssessment,
    review: Review,
    key: str,
    score: float,
    comment: str | None,
) -> None:
    """The reviewer's score of a criterion; the self-score again clears it."""
    before = {**assessment.general, **review.general}.get(key)
    general = dict(review.general)
    notes = dict(review.notes)
    if score == assessment.general.get(key):
        general.pop(key, None)
        notes.pop(key, None)
    else:
        general[key] = score
        if comment:
            notes[key] = comment
        else:
            notes.pop(key, None)
    ctx.audit(
        "review", assessment.id, f"{review.stage}.general.{key}", before, score, reason=comment
    )
    review.general, review.notes = general, notes
    ctx.session.add(review)
    ctx.session.flush()
    ctx.go(PREFIX, "card", assessment=assessment.id)


# -- ties ------------------------------------------------------------------------------------


def _next_tie(ctx: Context, period: Period, mine: set[int]) -> list[int] | None:
    """The first group of people tied for the last A place that this reviewer ranks: the
    reviewer of them all, or the director when their reviewers differ (submission ids)."""
    if period.status is not PeriodStatus.CLOSED:
        return None
    found = classification_request(ctx.session, ctx.organization, period)
    if not found.request["people"]:
        return None
    ids = {a.person_id: a.id for a in assessments_of_period(ctx.session, period.id)}
    for warning in found.classify(ctx.language)["warnings"]:
        if warning["code"] != "QUOTA_TIE":
            continue
        people = [found.people[code] for code in warning["people"]]
        reviewers = {getattr(reviewer_of(ctx.session, p), "id", None) for p in people}
        if reviewers == {ctx.person.id} or (
            len(reviewers) > 1 and ctx.person.role is Role.DIRECTOR
        ):
            return [ids[p.id] for p in people]
    return None


def _ask_rank(ctx: Context, period: Period, tie: list[int], ranked: list[int]) -> Reply:
    ctx.go(PREFIX, "rank", tie=tie, ranked=ranked)
    names = {
        a: ctx.session.get(Person, ctx.session.get(SelfAssessment, a).person_id).full_name
        for a in tie
    }
    lines = [
        ctx._(
            "These people are tied for the last place at {level}; the rules cannot "
            "separate them, so you rank them: {names}."
        ).format(
            level=level_name(Level.EXCELLENT, ctx.language), names=", ".join(names[a] for a in tie)
        )
    ]
    if ranked:
        lines.append(
            ctx._("Ranked so far: {names}.").format(
                names=", ".join(f"{i}. {names[a]}" for i, a in enumerate(ranked, 1))
            )
        )
    lines.append(ctx._("Who comes first?") if not ranked else ctx._("Who comes next?"))
    rows = [[Button(names[a], f"rv:rk:{a}")] for a in tie if a not in ranked]
    return reply("\n".join(lines), *rows)


def _rank(ctx: Context, period: Period, assessment_id: str) -> list[Reply]:
    tie, ranked = ctx.recall("tie"), ctx.recall("ranked") or []
    chosen = whole_number(assessment_id)
    if ctx.state.step != "rank" or not tie or chosen not in tie or chosen in ranked:
        return [reply(ctx._("This button is not valid any more.")), *show_next(ctx)]
    ranked = [*ranked, chosen]
    if len(ranked) < len(tie) - 1:
        return [_ask_rank(ctx, period, tie, ranked)]
    ranked += [a for a in tie if a not in ranked]
    people = classification_request(ctx.session, ctx.organization, period).people
    by_id = {p.id: p for p in people.values()}
    names = []
    for rank, submission in enumerate(ranked, start=1):
        assessment = ctx.session.get(SelfAssessment, submission)
        person = by_id[assessment.person_id]
        reviewer = reviewer_of(ctx.session, person)
        stage = STAGES.get(reviewer.role, "director") if reviewer else "director"
        review = _review(ctx, assessment, stage)
        ctx.audit("review", assessment.id, f"{stage}.rank", review.rank, rank, decision=True)
        review.rank = rank
        ctx.session.add(review)
        names.append(f"{rank}. {person.full_name}")
    ctx.session.flush()
    done = ctx._("The order is recorded: {names}.").format(names=", ".join(names))
    return [reply(_after_run(ctx, period, done)), *show_next(ctx)]


# -- helpers ---------------------------------------------------------------------------------


def _review_period(ctx: Context) -> Period | None:
    """The newest period being reviewed: closed, not yet published."""
    return newest_period_in(ctx.session, ctx.person.organization_id, PeriodStatus.CLOSED)


def _closed_for(ctx: Context, period: Period, stage: str) -> str | None:
    """Why this reviewer may no longer decide, or None: the heads decide until their
    deadline, the director until publication."""
    if stage == "head" and period.head_review_by is not None and ctx.now > period.head_review_by:
        return ctx._(
            "The heads' review of {period} closed at {time}; the director now reviews. "
            "Your decisions made before then stand."
        ).format(**periods(period.code, ctx.language), time=_moment(ctx, period.head_review_by))
    return None


def _after_run(ctx: Context, period: Period, text: str) -> str:
    """After the classification run, a decision makes it run again before publication."""
    if period.run.get("at") and period.publish_at is not None:
        return (
            text
            + "\n"
            + ctx._(
                "The results are computed again with it before they are published at {time}."
            ).format(time=_moment(ctx, period.publish_at))
        )
    return text


def _verdict(ctx: Context, period: Period, person: Person) -> dict | None:
    """The core's verdict on the person as the reviews stand (`rules_level`: before any
    reviewer's level), or None when the submission is incomplete."""
    found = classification_request(ctx.session, ctx.organization, period, only=[person])
    if not found.request["people"]:
        return None
    try:
        verdict = found.classify(ctx.language)["people"][0]
    except CoreError:  # an incomplete submission has no verdict
        return None
    return verdict if verdict["rated"] else None


def _too_late_to_return(ctx: Context) -> str:
    return ctx._(
        "The time to correct a returned self-assessment has passed; it can no longer be returned."
    )


def _refuse_raise(ctx: Context, verdict: dict | None) -> Reply:
    return reply(
        (_rules_level_text(ctx, verdict) + "\n" if verdict else "")
        + ctx._(
            "A leader may lower the level the rules give, not raise it; to raise it, change "
            "a criterion score instead."
        )
    )


def _rules_level_text(ctx: Context, verdict: dict) -> str:
    return ctx._("The score gives {level}.").format(
        level=level_name(Level(verdict["rules_level"]), ctx.language)
    )


def _ask_text(ctx: Context, step: str, person: Person) -> Reply:
    assessment_id = ctx.recall("assessment")
    back = [Button(ctx._("⬅️ Back to the card"), f"rv:back:{assessment_id}")]
    if step == "why":
        return reply(ctx._("Please give the reason for the level you set (required)."), back)
    if step == "note":
        return reply(
            ctx._("You score it below the self-assessment: please give the reason (required)."),
            back,
        )
    if step == "leadnote":
        return reply(
            ctx._("Why only half for “{part}”? Please give the reason (required).").format(
                part=ctx._(LEADER_PARTS[ctx.recall("part")][1])
            ),
            back,
        )
    return reply(
        ctx._("What should {name} correct? Your comment goes to {name} (required).").format(
            name=person.full_name
        ),
        back,
    )


def _current(ctx: Context, period: Period | None, stage: str | None) -> list[Reply]:
    """What the chat is at in the review: the open card, or the next one."""
    if period is not None and stage is not None and ctx.state.flow == PREFIX:
        found = _reviewee(ctx, period, str(ctx.recall("assessment")))
        if found is not None and ctx.state.step in ("card", "level", "criteria", "score"):
            return [card(ctx, period, *found, stage)]
        if found is not None and ctx.state.step in ("why", "comment", "note", "leadnote"):
            return [_ask_text(ctx, ctx.state.step, found[1])]
    return show_next(ctx)


def _target(ctx: Context, parts: list[str]) -> str | None:
    """The submission a card's button is about."""
    if len(parts) < 2:
        return None
    kind, key = parts[0], whole_number(parts[1])
    if key is None:
        return None
    if kind == "x":
        outcome = ctx.session.get(TaskOutcome, key)
        return str(outcome.assessment_id) if outcome else None
    if kind == "i":
        item = ctx.session.get(Initiative, key)
        return str(item.assessment_id) if item else None
    return str(key)


def _reviewee(
    ctx: Context, period: Period, assessment_id: str
) -> tuple[SelfAssessment, Person] | None:
    """The submission, if this reviewer decides on it."""
    wanted = whole_number(assessment_id)
    for assessment, person in reviewees(ctx.session, ctx.person, period):
        if assessment.id == wanted:
            return assessment, person
    return None


def _decision_text(ctx: Context, review: Review) -> str:
    when = _moment(ctx, review.decided_at) if review.decided_at else ""
    if review.decision == "agree":
        return ctx._("Your decision ({time}): agreed.").format(time=when)
    if review.decision == "change":
        return ctx._("Your decision ({time}): level {level}, because “{reason}”.").format(
            time=when, level=level_name(Level(review.level), ctx.language), reason=review.comment
        )
    return ctx._("Your decision ({time}): returned for correction, “{comment}”.").format(
        time=when, comment=review.comment
    )


def _criterion(ctx: Context, period: Period, person: Person, key: str):
    return next(
        (c for c in ruleset_for(ctx.organization, period, person).criteria if c.key == key), None
    )


def _label(ctx: Context, labels: dict[str, str]) -> str:
    return labels.get(ctx.language) or labels["vi"]


def _moment(ctx: Context, moment: datetime) -> str:
    return format_moment(moment, ctx.timezone, ctx.language)
