"""/status for leaders: who has submitted the self-assessment, in real time — a head sees
the unit, the director every unit."""

from __future__ import annotations

from handlers.context import Context, reply
from handlers.events import Reply
from locales import name_sort_key, periods, text_sort_key
from storage.models import AssessmentStatus, Role, SelfAssessment
from storage.people import active_people, units_of
from storage.periods import assessments_of_period
from storage.queries import assessment_period


def show(ctx: Context) -> list[Reply]:
    leader = ctx.person
    if leader.role not in (Role.HEAD, Role.DIRECTOR):
        return [reply(ctx._("/status is for unit heads and the director."))]
    period = assessment_period(ctx.session, leader, ctx.local_now())
    people = active_people(ctx.session, leader.organization_id)
    if leader.role is Role.HEAD:
        people = [p for p in people if p.unit_id == leader.unit_id and p.id != leader.id]
    states = {a.person_id: a for a in assessments_of_period(ctx.session, period.id)}
    named = periods(period.code, ctx.language)
    if leader.role is Role.DIRECTOR:
        units = {u.id: u for u in units_of(ctx.session, leader.organization_id)}
        lines = [ctx._("Self-assessments of {period}, by unit:").format(**named)]
        for unit_id, unit in sorted(units.items(), key=lambda item: text_sort_key(item[1].name)):
            members = [p for p in people if p.unit_id == unit_id]
            done = sum(1 for p in members if _submitted(states.get(p.id)))
            lines.append(
                ctx._("{unit}: {done}/{total} submitted").format(
                    unit=unit.name, done=done, total=len(members)
                )
            )
        return [reply("\n".join(lines))]
    done = [p for p in people if _submitted(states.get(p.id))]
    lines = [
        ctx._("Self-assessments of {period}: {done}/{total} submitted.").format(
            done=len(done), total=len(people), **named
        )
    ]
    for person in sorted(people, key=lambda p: name_sort_key(p.full_name)):
        assessment = states.get(person.id)
        if _submitted(assessment):
            mark = "✅ " + ctx._("submitted {time}").format(
                time=assessment.submitted_at.astimezone(ctx.timezone).strftime("%H:%M %d/%m")
            )
        elif assessment is not None:
            mark = "⏳ " + ctx._("in progress")
        else:
            mark = "❌ " + ctx._("not started")
        lines.append(f"{person.full_name}: {mark}")
    return [reply("\n".join(lines))]


def _submitted(assessment: SelfAssessment | None) -> bool:
    return assessment is not None and assessment.status is AssessmentStatus.SUBMITTED
