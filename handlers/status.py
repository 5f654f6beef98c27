"""/status for leaders: who has submitted the self-assessment, in real time — a head sees
the unit, the director every unit."""

from __future__ import annotations

from sqlmodel import select

from handlers.context import Context, reply
from handlers.events import Reply
from locales import name_sort_key, periods, text_sort_key
from storage.models import AssessmentStatus, Person, Role, SelfAssessment, Unit
from storage.queries import assessment_period


def show(ctx: Context) -> list[Reply]:
    leader = ctx.person
    if leader.role not in (Role.HEAD, Role.DIRECTOR):
        return [reply(ctx._("/status is for unit heads and the director."))]
    period = assessment_period(ctx.session, leader, ctx.local_now())
    people = ctx.session.exec(
        select(Person).where(Person.organization_id == leader.organization_id, Person.active)
    ).all()
    if leader.role is Role.HEAD:
        people = [p for p in people if p.unit_id == leader.unit_id and p.id != leader.id]
    states = {
        a.person_id: a
        for a in ctx.session.exec(
            select(SelfAssessment).where(SelfAssessment.period_id == period.id)
        )
    }
    named = periods(period.code, ctx.language)
    if leader.role is Role.DIRECTOR:
        units = {
            u.id: u
            for u in ctx.session.exec(
                select(Unit).where(Unit.organization_id == leader.organization_id)
            )
        }
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
