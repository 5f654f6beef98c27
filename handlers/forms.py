"""/forms (alias /phieu): the official forms as DOCX (issue 11). A person gets their own
Mẫu số 01 of the last published period, and their annual form once the year is
published; a head gets the unit's, the director everyone's, in a ZIP with the summary
tables. Nothing is published yet: a polite answer, no file."""

from __future__ import annotations

from handlers import menu_buttons
from handlers.context import Context, reply
from handlers.events import Document, Reply
from locales import periods
from storage.forms import scope_of
from storage.models import PeriodStatus, Role
from storage.periods import newest_period_in
from storage.year import PUBLISHED, latest_round


def show(ctx: Context) -> list[Reply]:
    person = ctx.person
    session = ctx.session
    period = newest_period_in(session, person.organization_id, PeriodStatus.PUBLISHED)
    year_round = latest_round(session, person.organization_id)
    if year_round is not None and year_round.status != PUBLISHED:
        year_round = None
    if period is None and year_round is None:
        return [
            reply(
                ctx._(
                    "No results have been published yet, so there is no form to print. "
                    "The forms are ready once the results of a period are published."
                ),
                *menu_buttons.buttons(ctx),
            )
        ]
    if person.role in (Role.DIRECTOR, Role.HEAD):
        return _many(ctx, period, year_round)
    from papers import forms  # python-docx only when a form is printed, not at start-up

    scope = scope_of(session, ctx.organization, person_code=person.code)
    files = []
    if period is not None:
        files += forms.period_files(session, scope, period)
    if year_round is not None:
        files += forms.year_files(session, scope, year_round)
    if not files:  # no self-assessment in the period, no rating in the year
        code = period.code if period is not None else str(year_round.year)
        return [
            reply(
                ctx._("There is no form of yours for {period}: no self-assessment of it.").format(
                    **periods(code, ctx.language)
                ),
                *menu_buttons.buttons(ctx),
            )
        ]
    replies = [Reply(ctx._("Your official forms, to print and sign:"))]
    for name, content in files:
        name = name[4:]  # without its place in a ZIP's order ("001-")
        caption = name.removesuffix(".docx")
        replies.append(Reply("", document=Document(name, content, caption=caption)))
    return replies


def _many(ctx: Context, period, year_round) -> list[Reply]:
    """The unit's forms for a head, everyone's for the director: one ZIP."""
    from papers import forms

    session, person = ctx.session, ctx.person
    unit = None if person.role is Role.DIRECTOR else person.unit_id
    scope = scope_of(session, ctx.organization, unit)
    files: list[tuple[str, bytes]] = []
    labels = []
    if period is not None:
        summary, sheets = forms.period_papers(session, scope, period)
        files += [(f"000-tong-hop-{period.code.lower()}.docx", summary), *sheets]
        labels.append(periods(period.code, ctx.language)["period"])
    if year_round is not None:
        summary, sheets = forms.year_papers(session, scope, year_round)
        files.append((f"000-tong-hop-{year_round.year}.docx", summary))
        files += [(f"y{name}", content) for name, content in sheets]
        labels.append(periods(str(year_round.year), ctx.language)["period"])
    count = len(files) - len(labels)
    what = forms.slug(scope.units[unit].name if unit else scope.organization.code)
    name = f"bieu-mau-{what}-{'-'.join(forms.slug(label) for label in labels)}.zip"
    text = ctx.ngettext(
        "{count} form of {periods}, with the summary tables, in one file:",
        "{count} forms of {periods}, with the summary tables, in one file:",
        count,
    ).format(count=count, periods=", ".join(labels))
    return [reply(text), Reply("", document=Document(name, forms.forms_zip(files)))]
