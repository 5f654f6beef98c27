"""/status for leaders: who has submitted the self-assessment, in real time — a head sees
the unit, the director every unit."""

from __future__ import annotations

from handlers.context import Context, reply
from handlers.events import Reply
from locales import name_sort_key, periods, text_sort_key
from storage.models import AssessmentStatus, Role
from storage.periods import submissions_by_unit, submissions_of_unit
from storage.queries import assessment_period


def show(ctx: Context) -> list[Reply]:
    leader = ctx.person
    if leader.role not in (Role.HEAD, Role.DIRECTOR):
        return [reply(ctx._("/status is for unit heads and the director."))]
    period = assessment_period(ctx.session, leader, ctx.local_now())
    named = periods(period.code, ctx.language)
    if leader.role is Role.DIRECTOR:
        units = submissions_by_unit(ctx.session, leader.organization_id, period.id)
        lines = [ctx._("Self-assessments of {period}, by unit:").format(**named)]
        for name, total, done in sorted(units, key=lambda unit: text_sort_key(unit[0])):
            lines.append(
                ctx._("{unit}: {done}/{total} submitted").format(unit=name, done=done, total=total)
            )
        return [reply("\n".join(lines))]
    people = submissions_of_unit(ctx.session, leader.unit_id, period.id, leader.id)
    done = [p for p in people if p[1] is AssessmentStatus.SUBMITTED]
    lines = [
        ctx._("Self-assessments of {period}: {done}/{total} submitted.").format(
            done=len(done), total=len(people), **named
        )
    ]
    for name, status, submitted_at in sorted(people, key=lambda p: name_sort_key(p[0])):
        if status is AssessmentStatus.SUBMITTED:
            mark = "✅ " + ctx._("submitted {time}").format(
                time=submitted_at.astimezone(ctx.timezone).strftime("%H:%M %d/%m")
            )
        elif status is not None:
            mark = "⏳ " + ctx._("in progress")
        else:
            mark = "❌ " + ctx._("not started")
        lines.append(f"{name}: {mark}")
    return [reply("\n".join(lines))]
