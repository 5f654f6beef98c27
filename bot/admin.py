"""The administrator's command line: `python -m bot admin COMMAND ...`.

    init-db                          create or upgrade the database (DATABASE_URL)
    import-roster FILE --org CODE    import people from CSV or .xlsx, all or nothing
    import-conclusions FILE --org CODE [--dry-run]
                                     record discipline decisions and conclusions from
                                     CSV or .xlsx, all or nothing; the people are told
    import-scores FILE --org CODE [--dry-run]
                                     record period scores sent by a previous agency after
                                     a transfer (they count in the year's mean)
    import-catalogue FILE --org CODE --effective YYYY-MM-DD [--dry-run]
                                     the task catalogue (products per job position with
                                     points), versioned by its effective date
    catalogue --org CODE [--position P] [--search WORDS] [--date YYYY-MM-DD]
                                     the catalogue in force, searched by words
    import-plan FILE --org CODE --period CODE [--unit CODE] [--dry-run]
                                     a unit's assigned tasks of a period; the people told
    invite --org CODE [ID ...|--all] issue single-use invite codes, table and CSV
    people --org CODE                list the people and the chats they registered
    demo                             load the demo organization and its month
    cycle STEP --org CODE [--period] run a step of the month now: open, remind, close,
                                     close-returns, classify, publish
    year STEP --org CODE [--year YYYY]
                                     run a step of the annual rating now: open, remind,
                                     close, classify, publish
    form --org CODE (--period P|--year YYYY) [--unit CODE] [--person ID] [--out PATH]
                                     the official forms (DOCX): one person's, else a ZIP
    summary --org CODE (--period P|--year YYYY) [--unit CODE] [--out PATH]
                                     the summary table of the levels (DOCX)
    export --org CODE (--period CODE|--year YYYY) [--unit CODE] [--format xlsx|csv] [--out]
                                     the ratings of a period or a year as Excel or CSV
    audit --org CODE (--period CODE|--year YYYY) [--format xlsx|csv] [--out PATH]
                                     the audit trail of a period or a year (who changed
                                     which score or level, when, why)
    outbox [--org CODE]              the messages to send: counts, and the failed ones
    settings --org CODE [--ruleset NAME] [--category-ruleset CATEGORY=NAME ...]
             [--tracking month|quarter] [--free-tasks on|off]
                                     show or change the rules and the tracking period
    health                           the database answers a trivial query (for health
                                     checks: exit 0, or 1 with the reason in one line)
    backup [--to PATH]               a backup of the database: SQLite's online backup,
                                     or pg_dump -Fc for PostgreSQL
    restore PATH [--yes]             replace the database with a backup (refused without
                                     --yes, and for a backup of a newer version)

Texts are English msgids shown in Vietnamese by default (`--locale en` for English).
Exit codes: 0 done, 2 bad input or a setting that cannot work (nothing changed), 1 the
database, a backup or a restore failed.
The only secrets ever printed are the invite codes the administrator asks for.
"""

from __future__ import annotations

import argparse
import getpass
import math
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from alembic.util.exc import CommandError
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

import storage.outbox
from bot.config import ConfigError, Settings, language_hint, load_settings
from bot.progress import Progress
from core import CoreError, load
from core.texts import render
from cycle.calendar import TRACKINGS, CalendarSettings, release_time
from cycle.steps import MANUAL_STEPS, run_step
from cycle.year import FIRST_YEAR, run_year_step
from cycle.year import MANUAL_STEPS as YEAR_STEPS
from handlers.conclusions import announce, describe
from handlers.notices import deliver_all, plan_changed
from locales import N_, SUPPORTED_LOCALES, format_number, period_label, periods, translations
from papers import forms
from storage import invites
from storage.audit import audit
from storage.backup import BackupError, backup, default_folder, inspect, restore
from storage.catalogue import (
    compare,
    import_catalogue,
    items_of,
    match,
    people_without_products,
    position_key,
    read_catalogue,
    version_in_force,
)
from storage.conclusions_import import check_lines, import_lines, read_lines
from storage.db import DatabaseUrlError, connect, open_database, transaction
from storage.demo import demo_data, load_demo
from storage.forms import scope_of
from storage.ledger import StepRefused
from storage.models import (
    Category,
    Organization,
    PeriodStatus,
    Person,
    Role,
    RoleGroup,
    Unit,
    utcnow,
)
from storage.people import (
    count_people,
    count_units,
    identities_of_people,
    names_by_id,
    people_of,
    registered_person_ids,
    unit_by_code,
)
from storage.periods import count_tasks, newest_period, period_by_code, period_codes_of_year
from storage.plan_import import check_plan, compare_plan, import_plan, plan_period, read_plan
from storage.queries import CATEGORIES, period_code, tracking_of
from storage.roster import (
    Problem,
    RosterError,
    ensure_organization,
    find_organization,
    import_roster,
    read_roster,
)
from storage.scores_import import check_scores, import_scores, read_scores
from storage.year import PUBLISHED, round_of

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
MAX_LISTED_IDS = 10
MAX_LISTED_ROWS = 200  # rows of a change table beyond which only the counts are shown
ORG_CODE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])")
BOT_USERNAME = re.compile(r"@?[A-Za-z][A-Za-z0-9_]{3,31}")

ROLE_NAMES = {
    Role.STAFF: N_("Staff"),
    Role.DEPUTY: N_("Deputy"),
    Role.HEAD: N_("Head"),
    Role.DIRECTOR: N_("Director"),
}
ROLE_ORDER = {Role.DIRECTOR: 0, Role.HEAD: 1, Role.DEPUTY: 2, Role.STAFF: 3}


class AdminError(Exception):
    """A refusal shown to the administrator: an English msgid and its parameters."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class Output:
    """One run of a command: prints texts in the chosen locale; knows the database and
    the time zone of the settings."""

    def __init__(
        self, locale: str, settings: Settings, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.locale = locale
        self.database_url = settings.database_url
        self.timezone = ZoneInfo(settings.tz)
        self.clock = clock  # the time of the commands that act "now" (tests set it)
        self._engine: Engine | None = None

    def text(self, message: str, **params: Any) -> str:
        return render(message, params, self.locale)

    def say(self, message: str, indent: int = 0, **params: Any) -> None:
        print(" " * indent + self.text(message, **params))

    def warn(self, message: str, indent: int = 0, **params: Any) -> None:
        print(" " * indent + self.text(message, **params), file=sys.stderr)

    def local(self, moment: datetime) -> str:
        """A moment as the office's clock shows it: 30/11/2026 17:00."""
        return moment.astimezone(self.timezone).strftime("%d/%m/%Y %H:%M")

    def engine(self) -> Engine:
        if self._engine is None:
            # Upgrading first costs a look at the version table and spares "no such table".
            self._engine = open_database(self.database_url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def main(argv: Sequence[str] | None = None, clock: Callable[[], datetime] = utcnow) -> int:
    """Run one admin command; returns the exit code. `clock`: the time (tests set it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings()  # DATABASE_URL, TZ, DEFAULT_LANGUAGE, as the bot reads them
    except ConfigError as error:
        print(error.text(_locale_hint(argv, language_hint())), file=sys.stderr)
        return EXIT_INVALID
    locale = _locale_hint(argv, settings.default_language)
    parser = _parser(translations(locale).gettext, settings.default_language)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:  # usage errors and --help: a code, not an exception
        return exit.code if isinstance(exit.code, int) else EXIT_INVALID
    out = Output(locale, settings, clock)  # argparse lets a subcommand's default hide --locale
    try:
        return COMMANDS[args.command](args, out)
    except (AdminError, DatabaseUrlError) as error:
        out.warn(error.message, **error.params)
        return EXIT_INVALID
    except (SQLAlchemyError, CommandError) as error:  # CommandError: a migration unknown here
        detail = str(getattr(error, "orig", None) or error).splitlines()[0]
        out.warn(N_("The database failed: {error}"), error=detail)
        return EXIT_FAILED
    except BackupError as error:
        out.warn(error.message, **error.params)
        return EXIT_FAILED
    except BrokenPipeError:  # `... | head` stopped reading: not a failure of the command
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return EXIT_OK
    finally:
        out.close()


def _locale_hint(argv: list[str], default: str) -> str:
    """The --locale of the command line, read before the parser exists: the help is in it."""
    for index, arg in enumerate(argv):
        value = None
        if arg == "--locale" and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith("--locale="):
            value = arg.split("=", 1)[1]
        if value in SUPPORTED_LOCALES:
            return value
    return default


def _parser(_: Callable[[str], str], default_locale: str) -> argparse.ArgumentParser:
    # --locale is accepted before or after the command; SUPPRESS keeps a command's absent
    # option from overwriting the one given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--locale",
        choices=SUPPORTED_LOCALES,
        default=argparse.SUPPRESS,
        help=_("language of the texts (default: DEFAULT_LANGUAGE, else vi)"),
    )
    parser = argparse.ArgumentParser(
        prog="python -m bot admin",
        description=_("Administration of the self-assessment bot. The database is DATABASE_URL."),
        parents=[common],
    )
    parser.set_defaults(locale=default_locale)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser(
        "init-db", parents=[common], help=_("create or upgrade the database tables")
    )

    roster = commands.add_parser(
        "import-roster", parents=[common], help=_("import people from a CSV or Excel (.xlsx) file")
    )
    roster.add_argument("file", metavar="FILE", help=_("the roster: CSV (UTF-8) or .xlsx"))
    roster.add_argument("--org", required=True, metavar="CODE", help=_("the organization's code"))
    roster.add_argument(
        "--org-name", metavar="NAME", help=_("the organization's name, to create or rename it")
    )
    roster.add_argument(
        "--weights",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=_("whether the organization weighs tasks"),
    )

    conclusions = commands.add_parser(
        "import-conclusions",
        parents=[common],
        help=_("record discipline decisions and conclusions from a CSV or Excel (.xlsx) file"),
    )
    conclusions.add_argument(
        "file", metavar="FILE", help=_("the decisions and conclusions: CSV (UTF-8) or .xlsx")
    )
    conclusions.add_argument(
        "--org", required=True, metavar="CODE", help=_("the organization's code")
    )
    conclusions.add_argument(
        "--dry-run",
        action="store_true",
        help=_("check the file and show what would be recorded, recording nothing"),
    )

    scores = commands.add_parser(
        "import-scores",
        parents=[common],
        help=_("record period scores sent by a previous agency from a CSV or Excel file"),
    )
    scores.add_argument(
        "file", metavar="FILE", help=_("id, period, score, agency, document: CSV or .xlsx")
    )
    scores.add_argument("--org", required=True, metavar="CODE", help=_("the organization's code"))
    scores.add_argument(
        "--dry-run",
        action="store_true",
        help=_("check the file and show what would be recorded, recording nothing"),
    )

    invite = commands.add_parser(
        "invite", parents=[common], help=_("issue single-use invite codes")
    )
    invite.add_argument("--org", required=True, metavar="CODE", help=_("the organization's code"))
    invite.add_argument("people", nargs="*", metavar="PERSON_ID", help=_("the people to invite"))
    invite.add_argument("--all", action="store_true", help=_("invite every active person"))
    invite.add_argument(
        "--unregistered", action="store_true", help=_("only people with no registered chat yet")
    )
    invite.add_argument(
        "--days",
        type=int,
        default=invites.DEFAULT_DAYS,
        help=_("days the codes stay valid (default: 14)"),
    )
    invite.add_argument(
        "--out",
        default="invites.csv",
        metavar="FILE",
        help=_("the file of the codes: .csv (default: invites.csv) or .xlsx"),
    )
    invite.add_argument(
        "--bot-username", metavar="NAME", help=_("the bot's Telegram username, for the links")
    )

    people = commands.add_parser(
        "people", parents=[common], help=_("list the people of an organization")
    )
    people.add_argument("--org", required=True, metavar="CODE", help=_("the organization's code"))

    commands.add_parser(
        "demo", parents=[common], help=_("load the demo organization to try the bot")
    )

    cycle = commands.add_parser(
        "cycle",
        parents=[common],
        help=_("run a step of the month now, without waiting for the calendar"),
    )
    cycle.add_argument("step", choices=sorted(MANUAL_STEPS), help=_("the step"))
    cycle.add_argument("--org", required=True, metavar="CODE", help=_("the organization's code"))
    cycle.add_argument(
        "--period",
        metavar="PERIOD",
        help=_("the month YYYY-MM or the quarter YYYY-Qn (default: the current one)"),
    )

    year = commands.add_parser(
        "year",
        parents=[common],
        help=_("run a step of the annual rating now, without waiting for the calendar"),
    )
    year.add_argument("step", choices=sorted(YEAR_STEPS), help=_("the step"))
    year.add_argument("--org", required=True, metavar="CODE", help=_("the organization's code"))
    year.add_argument(
        "--year", type=int, metavar="YYYY", help=_("the year (default: the current one)")
    )

    for name, help_ in (  # the papers (papers/): official forms and exports
        ("form", _("the official forms as DOCX: Form 01 of a period, or the annual form")),
        ("summary", _("the summary table of the levels, as DOCX")),
        ("export", _("the ratings of a period or a year as Excel (.xlsx) or CSV")),
        ("audit", _("the audit trail of a period or a year as Excel (.xlsx) or CSV")),
    ):
        paper = commands.add_parser(name, parents=[common], help=help_)
        paper.add_argument(
            "--org", required=True, metavar="CODE", help=_("the organization's code")
        )
        when = paper.add_mutually_exclusive_group(required=True)
        when.add_argument(
            "--period", metavar="PERIOD", help=_("the month YYYY-MM or the quarter YYYY-Qn")
        )
        when.add_argument("--year", type=int, metavar="YYYY", help=_("the year"))
        if name != "audit":
            paper.add_argument("--unit", metavar="CODE", help=_("one unit (default: all)"))
        if name == "form":
            paper.add_argument(
                "--person", metavar="ID", help=_("one person: a .docx (.pdf with LibreOffice)")
            )
        if name in ("export", "audit"):
            paper.add_argument(
                "--format",
                choices=("xlsx", "csv"),
                help=_("xlsx or csv (default: from --out, else xlsx)"),
            )
        paper.add_argument(
            "--out", metavar="PATH", help=_("the file (default: in the current folder)")
        )

    outbox = commands.add_parser(
        "outbox", parents=[common], help=_("the messages to send: counts and failures")
    )
    outbox.add_argument("--org", metavar="CODE", help=_("one organization (default: all)"))

    settings = commands.add_parser(
        "settings",
        parents=[common],
        help=_("show or change the organization's rules and tracking period"),
    )
    settings.add_argument("--org", required=True, metavar="CODE", help=_("the organization's code"))
    settings.add_argument(
        "--ruleset",
        metavar="NAME",
        help=_("the ruleset: nd335, agency-monthly, nd90, or a TOML file; “law”: by period"),
    )
    settings.add_argument(
        "--category-ruleset",
        action="append",
        default=[],
        metavar="CATEGORY=NAME",
        help=_(
            "the ruleset of a person category (public_employee, contract_worker, "
            "civil_servant); CATEGORY= alone: as the organization"
        ),
    )
    settings.add_argument(
        "--tracking",
        choices=TRACKINGS,
        help=_("the tracking period: month or quarter (the calendar follows it)"),
    )
    settings.add_argument(
        "--free-tasks",
        choices=("on", "off"),
        help=_("whether tasks outside the catalogue (free tasks) may be added"),
    )

    # the task catalogue and the plans from spreadsheets
    catalogue_import = commands.add_parser(
        "import-catalogue",
        parents=[common],
        help=_("import the task catalogue (products per job position) from CSV or Excel"),
    )
    catalogue_import.add_argument(
        "file", metavar="FILE", help=_("job position, product code, product, points: CSV or .xlsx")
    )
    catalogue_import.add_argument(
        "--org", required=True, metavar="CODE", help=_("the organization's code")
    )
    catalogue_import.add_argument(
        "--effective",
        required=True,
        type=_date_argument,
        metavar="YYYY-MM-DD",
        help=_("the day the catalogue comes into force"),
    )
    catalogue_import.add_argument(
        "--dry-run",
        action="store_true",
        help=_("check the file and show what would change, changing nothing"),
    )
    catalogue = commands.add_parser(
        "catalogue", parents=[common], help=_("show or search the task catalogue in force")
    )
    catalogue.add_argument(
        "--org", required=True, metavar="CODE", help=_("the organization's code")
    )
    catalogue.add_argument("--position", metavar="P", help=_("one job position"))
    catalogue.add_argument("--search", metavar="WORDS", help=_("words of the product's name"))
    catalogue.add_argument(
        "--date", type=_date_argument, metavar="YYYY-MM-DD", help=_("in force on (default: today)")
    )
    plan_import = commands.add_parser(
        "import-plan",
        parents=[common],
        help=_("import a unit's assigned tasks of a period from CSV or Excel"),
    )
    plan_import.add_argument(
        "file", metavar="FILE", help=_("id, task, product code, deadline, factor: CSV or .xlsx")
    )
    plan_import.add_argument(
        "--org", required=True, metavar="CODE", help=_("the organization's code")
    )
    plan_import.add_argument(
        "--period",
        required=True,
        metavar="CODE",
        help=_("the month YYYY-MM or the quarter YYYY-Qn"),
    )
    plan_import.add_argument(
        "--unit", metavar="CODE", help=_("only people of this unit (its code) may be named")
    )
    plan_import.add_argument(
        "--dry-run",
        action="store_true",
        help=_("check the file and show what would change, changing nothing"),
    )

    commands.add_parser(
        "health", parents=[common], help=_("check that the database answers (health checks)")
    )

    backup = commands.add_parser(
        "backup", parents=[common], help=_("write a backup of the database to a file")
    )
    backup.add_argument(
        "--to",
        metavar="PATH",
        help=_("the backup file (default: a new file in the backups folder)"),
    )

    restore = commands.add_parser(
        "restore", parents=[common], help=_("replace what the database holds with a backup")
    )
    restore.add_argument("file", metavar="PATH", help=_("the backup file"))
    restore.add_argument(
        "--yes", action="store_true", help=_("do it: everything in the database is replaced")
    )
    return parser


# -- the commands --------------------------------------------------------------------


def cmd_init_db(args: argparse.Namespace, out: Output) -> int:
    out.engine()  # created or upgraded
    out.say(N_("The database is ready: {url}"), url=_shown(out.database_url))
    return EXIT_OK


def cmd_import_roster(args: argparse.Namespace, out: Output) -> int:
    try:
        rows = read_roster(args.file)  # the whole file is checked before the database is touched
    except RosterError as error:
        _print_problems(out, args.file, error)
        return EXIT_INVALID
    engine = out.engine()
    with transaction(engine) as session:
        if find_organization(session, args.org) is None and not ORG_CODE.fullmatch(args.org):
            raise AdminError(
                N_(
                    "The organization code “{code}” is not valid: use lower-case letters, digits "
                    "and dashes, for example so-noi-vu."
                ),
                code=args.org,
            )
        name = " ".join(args.org_name.split()) if args.org_name else None
        organization, created = ensure_organization(session, args.org, name, args.weights)
        progress = Progress(out.text(N_("Importing the people")), len(rows))
        summary = import_roster(session, organization, rows, progress.update)
    if created:
        out.say(
            N_("Organization created: {name} ({code})."),
            name=organization.name,
            code=organization.code,
        )
    out.say(
        N_(
            "{file}: {rows} people read; {created} created, {updated} updated, "
            "{unchanged} unchanged."
        ),
        file=str(args.file),
        rows=summary.rows,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
    )
    if summary.units_created:
        out.say(N_("Units created: {names}."), names=tuple(summary.units_created))
    if summary.groups_created:
        out.say(N_("Groups created: {names}."), names=tuple(summary.groups_created))
    if summary.not_in_file:
        out.say(
            N_(
                "{count} people of the organization are not in the file and were left "
                "unchanged: {ids}."
            ),
            count=len(summary.not_in_file),
            ids=_some(summary.not_in_file),
        )
    return EXIT_OK


def cmd_import_conclusions(args: argparse.Namespace, out: Output) -> int:
    """Discipline decisions and conclusions, all or nothing; each entry recorded is audited
    with the system as its actor (no person: the command line has no identity) and the
    file's name and line as the reason, and its person and their head are told."""
    try:
        lines = read_lines(args.file)  # the file itself, before the database is touched
    except RosterError as error:
        _print_problems(out, args.file, error)
        return EXIT_INVALID
    now = out.clock()
    engine = out.engine()
    with transaction(engine) as session:
        organization = _organization(session, args.org)
        try:
            checked = check_lines(session, organization, lines, now.astimezone(out.timezone).date())
        except RosterError as error:
            _print_problems(out, args.file, error)
            return EXIT_INVALID
        new = [item for item in checked if item.existing is None]
        if args.dry_run:
            headers = [out.text(h) for h in (N_("Line"), N_("ID"), N_("Full name"), N_("Entry"))]
            rows = [
                [str(i.line), i.person.code, i.person.full_name, describe(i.entry, out.locale)]
                for i in new
            ]
            if rows:
                print(_table(headers, rows))
            out.say(
                N_(
                    "{file}: {rows} entries read; {recorded} would be recorded, {unchanged} are "
                    "recorded already. Nothing was recorded (--dry-run)."
                ),
                file=str(args.file),
                rows=len(checked),
                recorded=len(new),
                unchanged=len(checked) - len(new),
            )
            return EXIT_OK
        progress = Progress(out.text(N_("Recording the entries")), len(checked))
        summary = import_lines(
            session, checked, now, f"import-conclusions {Path(args.file).name}", progress.update
        )
        not_before = _not_before(organization, now)
        told, unreachable = 0, set()
        for entry, _person in summary.recorded:
            reached, missed = announce(session, entry, None, not_before)
            told += len(reached)
            unreachable |= {p.code for p in missed}
    out.say(
        N_(
            "{file}: {rows} entries read; {recorded} recorded, {unchanged} were recorded "
            "already; {told} messages to the people concerned and their heads."
        ),
        file=str(args.file),
        rows=summary.rows,
        recorded=len(summary.recorded),
        unchanged=summary.unchanged,
        told=told,
    )
    if unreachable:
        out.say(
            N_("{count} of them have no chat registered with the bot and were not told: {ids}."),
            count=len(unreachable),
            ids=_some(sorted(unreachable)),
        )
    return EXIT_OK


def cmd_invite(args: argparse.Namespace, out: Output) -> int:
    if not args.people and not args.all:
        raise AdminError(N_("Name the people to invite by their ids, or use --all."))
    if args.people and args.all:
        raise AdminError(N_("Give either person ids or --all, not both."))
    if not 1 <= args.days <= 365:
        raise AdminError(N_("--days must be between 1 and 365."))
    if args.bot_username and not BOT_USERNAME.fullmatch(args.bot_username):
        raise AdminError(N_("“{name}” is not a Telegram bot username."), name=args.bot_username)
    out_path = Path(args.out)
    engine = out.engine()
    issued: list[tuple[Person, str, str, datetime]] = []  # person, unit name, code, expiry
    with transaction(engine) as session:
        organization = _organization(session, args.org)
        people = _people_to_invite(session, organization.id, args)
        if not people:
            out.say(N_("Nobody to invite."))
            return EXIT_OK
        units = names_by_id(session, Unit, organization.id)
        now = out.clock()
        progress = Progress(out.text(N_("Issuing the codes")), len(people))
        for person in people:
            code, expires_at = invites.issue(session, person, args.days, now)
            issued.append((person, units[person.unit_id], code, expires_at))
            progress.advance()
        headers, rows = _invite_rows(out, issued, args.bot_username)
        try:  # within the transaction: no file, no codes
            _write_table(out_path, headers, rows)
        except OSError as error:
            raise AdminError(
                N_("Cannot write {path}: {error}. No code was issued."),
                path=str(out_path),
                error=error.strerror or str(error),
            ) from None
    print(_table(headers, rows))
    out.say(
        N_(
            "{count} codes issued, valid until {date} ({days} days); each works once and "
            "replaces the person's older code."
        ),
        count=len(issued),
        date=out.local(issued[0][3]),
        days=args.days,
    )
    out.say(N_("Written to {path}."), path=str(out_path))
    return EXIT_OK


def cmd_people(args: argparse.Namespace, out: Output) -> int:
    engine = out.engine()
    with Session(engine) as session:
        organization = _organization(session, args.org)
        people = people_of(session, organization.id)
        units = names_by_id(session, Unit, organization.id)
        groups = names_by_id(session, RoleGroup, organization.id)
        platforms: dict[int, set[str]] = {}
        identities = identities_of_people(session, [p.id for p in people])
        for identity in identities:
            platforms.setdefault(identity.person_id, set()).add(identity.platform)
    people.sort(key=lambda p: (units[p.unit_id], ROLE_ORDER[p.role], p.code))
    headers = [
        out.text(h)
        for h in (
            N_("ID"),
            N_("Full name"),
            N_("Unit"),
            N_("Group"),
            N_("Role"),
            N_("Registered on"),
        )
    ]
    rows = [
        [
            p.code,
            p.full_name if p.active else out.text(N_("{name} (inactive)"), name=p.full_name),
            units[p.unit_id],
            groups[p.group_id],
            out.text(ROLE_NAMES[p.role]),
            ", ".join(sorted(platforms.get(p.id, ()))) or "—",
        ]
        for p in people
    ]
    print(_table(headers, rows))
    out.say(
        N_("{name}: {count} people, {registered} registered."),
        name=organization.name,
        count=len(people),
        registered=sum(1 for p in people if p.id in platforms),
    )
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, out: Output) -> int:
    engine = out.engine()
    organization = load_demo(engine, out.clock().astimezone(out.timezone).date())
    with Session(engine) as session:
        org_id = organization.id
        people = count_people(session, org_id)
        units = count_units(session, org_id)
        period = newest_period(session, org_id)
        tasks = count_tasks(session, period.id)
    out.say(
        N_(
            "Demo loaded: {name} ({code}), {people} people in {units} units; {period} "
            "open until {deadline}, with {tasks} planned tasks."
        ),
        name=organization.name,
        code=organization.code,
        people=people,
        units=units,
        period=period_label(period.code, out.locale),
        deadline=out.local(period.deadline),
        tasks=tasks,
    )
    code = organization.code
    out.say(N_("To try it:"))
    out.say(
        N_("the people: {command}"), indent=2, command=f"python -m bot admin people --org {code}"
    )
    out.say(
        N_("invite codes and links: {command}"),
        indent=2,
        command=f"python -m bot admin invite --org {code} --all --bot-username <BOT_USERNAME>",
    )
    out.say(N_("then open a link in Telegram, or send /start CODE to the bot;"), indent=2)
    out.say(
        N_("or chat in the terminal, without Telegram: {command}"),
        indent=2,
        command=f"python -m bot console --as {next(iter(demo_data()['tasks']))}",
    )
    return EXIT_OK


def cmd_cycle(args: argparse.Namespace, out: Output) -> int:
    now = out.clock()
    engine = out.engine()
    with Session(engine) as session:
        organization = _organization(session, args.org)
    code = args.period or period_code(
        now.astimezone(out.timezone).date(), tracking_of(organization)
    )
    if not PERIOD.fullmatch(code):
        raise AdminError(
            N_("“{value}” is not a period: write a month YYYY-MM or a quarter YYYY-Qn."), value=code
        )
    try:
        count = run_step(engine, organization.id, code, args.step, now)
    except StepRefused as refused:
        params = {
            key: out.local(value) if isinstance(value, datetime) else value
            for key, value in refused.params.items()
        }
        raise AdminError(refused.message, **params) from None
    out.say(
        N_("Step “{step}” done for {name}, {period}: {count} messages queued to send."),
        step=args.step,
        name=organization.name,
        **periods(code, out.locale),
        count=count,
    )
    return EXIT_OK


def cmd_year(args: argparse.Namespace, out: Output) -> int:
    now = out.clock()
    engine = out.engine()
    with Session(engine) as session:
        organization = _organization(session, args.org)
    year = args.year or now.astimezone(out.timezone).year
    if not FIRST_YEAR <= year <= now.astimezone(out.timezone).year:
        raise AdminError(
            N_("The annual rating covers the years from {first} to this one, not {year}."),
            first=str(FIRST_YEAR),
            year=str(year),
        )
    try:
        count = run_year_step(engine, organization.id, year, args.step, now)
    except StepRefused as refused:
        raise AdminError(refused.message, **refused.params) from None
    out.say(
        N_("Step “{step}” of the annual rating done for {name}, {year}: {count} messages queued."),
        step=args.step,
        name=organization.name,
        year=str(year),
        count=count,
    )
    return EXIT_OK


def cmd_import_scores(args: argparse.Namespace, out: Output) -> int:
    """Period scores from a previous agency, all or nothing; each recorded is audited with
    the file's name and line as the reason."""
    try:
        lines = read_scores(args.file)
    except RosterError as error:
        _print_problems(out, args.file, error)
        return EXIT_INVALID
    now = out.clock()
    engine = out.engine()
    with transaction(engine) as session:
        organization = _organization(session, args.org)
        try:
            checked = check_scores(session, organization, lines)
        except RosterError as error:
            _print_problems(out, args.file, error)
            return EXIT_INVALID
        new = [item for item in checked if item.changes]
        if args.dry_run:
            headers = [
                out.text(h)
                for h in (N_("Line"), N_("ID"), N_("Full name"), N_("Period"), N_("Score"))
            ]
            rows = [
                [
                    str(i.line),
                    i.person.code,
                    i.person.full_name,
                    i.period,
                    format_number(i.score, out.locale),
                ]
                for i in new
            ]
            if rows:
                print(_table(headers, rows))
            out.say(
                N_(
                    "{file}: {rows} scores read; {recorded} would be recorded, {unchanged} are "
                    "recorded already. Nothing was recorded (--dry-run)."
                ),
                file=str(args.file),
                rows=len(checked),
                recorded=len(new),
                unchanged=len(checked) - len(new),
            )
            return EXIT_OK
        progress = Progress(out.text(N_("Recording the scores")), len(checked))
        recorded = import_scores(
            session, checked, now, f"import-scores {Path(args.file).name}", progress.update
        )
    out.say(
        N_("{file}: {rows} scores read; {recorded} recorded, {unchanged} were recorded already."),
        file=str(args.file),
        rows=len(checked),
        recorded=recorded,
        unchanged=len(checked) - recorded,
    )
    return EXIT_OK


def cmd_form(args: argparse.Namespace, out: Output) -> int:
    """The official forms of a period or a year, published: one person's DOCX, or a ZIP
    of everyone's (of a unit, or of the organization) with the summary table."""
    if args.person is None and args.out and Path(args.out).suffix.lower() == ".pdf":
        raise AdminError(N_("A PDF is written for one person (--person); many forms go in a .zip."))
    with Session(out.engine()) as session:
        organization, unit, period, year_round, label = _paper_subject(session, args, out, True)
        scope = scope_of(session, organization, unit.id if unit else None, args.person)
        if args.person is not None and (
            not scope.people or (unit is not None and scope.people[0].unit_id != unit.id)
        ):
            raise AdminError(N_("Unknown person ids: {ids}."), ids=args.person)
        one = args.person is not None
        progress = Progress(out.text(N_("Filling in the forms")), len(scope.people))
        if period is not None:  # the summary and the forms from one read of the sheets
            summary, files = forms.period_papers(session, scope, period, progress.update)
        else:
            summary, files = forms.year_papers(session, scope, year_round, progress.update)
    if not files:
        raise AdminError(N_("Nobody has a form for {period}: nothing was written."), period=label)
    if one:
        content, default = files[0][1], files[0][0][4:]
        if args.out and Path(args.out).suffix.lower() == ".pdf":  # LibreOffice, if installed
            content = forms.to_pdf(content)
            if content is None:
                raise AdminError(N_("A PDF needs LibreOffice (soffice): write a .docx instead."))
    else:
        content = forms.forms_zip([("000-tong-hop.docx", summary), *files])
        default = f"{forms.slug(args.org)}-{forms.slug(label)}.zip"
    path = Path(args.out or default)
    _write_paper(path, content)
    progress.done(
        out.text(
            N_("{count} forms of {period} written to {path} ({size} kB)."),
            count=len(files),
            period=label,
            path=str(path),
            size=len(content) // 1024,
        )
    )
    return EXIT_OK


def cmd_summary(args: argparse.Namespace, out: Output) -> int:
    """The summary table of a published period or year, of a unit or the organization."""
    with Session(out.engine()) as session:
        organization, unit, period, year_round, label = _paper_subject(session, args, out, True)
        scope = scope_of(session, organization, unit.id if unit else None, None)
        if period is not None:
            content = forms.period_summary(session, scope, period)
        else:
            content = forms.year_summary(session, scope, year_round)
    path = Path(args.out or f"{forms.slug(args.org)}-{forms.slug(label)}-tong-hop.docx")
    _write_paper(path, content)
    out.say(
        N_("The summary table of {period} ({count} people) written to {path}."),
        period=label,
        count=len(scope.people),
        path=str(path),
    )
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: Output) -> int:
    """The ratings of a period or a year, one unit or the whole organization, as Excel (a
    summary sheet and a sheet per unit) or CSV; nothing is written on a refusal."""
    from papers.exports import ratings_csv, ratings_workbook  # openpyxl only when exporting
    from storage.exports import period_ratings, year_ratings

    with Session(out.engine()) as session:
        organization, unit, period, year_round, _ = _paper_subject(session, args, out, False)
        if period is not None:
            data = period_ratings(session, organization, period, unit, out.locale)
        else:
            data = year_ratings(session, organization, year_round, unit, out.locale)
    fmt, path = _paper_path(args, f"{organization.code}-{data.period_code}", unit)
    progress = Progress(out.text(N_("Exporting the ratings")), len(data.rows))
    write = ratings_csv if fmt == "csv" else ratings_workbook
    _write_paper(path, write(data, out.locale, progress.update))
    progress.done(
        out.text(
            N_("Exported, {label}: {count} people; units: {units}; written to {path}."),
            count=len(data.rows),
            units=len(data.units),
            label=period_label(data.period_code, out.locale),
            path=str(path),
        )
    )
    return EXIT_OK


def cmd_audit(args: argparse.Namespace, out: Output) -> int:
    """The audit trail of a period or a year's annual rating, as Excel or CSV."""
    from papers.exports import audit_csv, audit_workbook
    from storage.exports import period_audit, year_audit

    with Session(out.engine()) as session:
        organization, _, period, year_round, _ = _paper_subject(session, args, out, False)
        if period is not None:
            rows, code = period_audit(session, organization, period), period.code
        else:
            rows, code = year_audit(session, organization, year_round), str(year_round.year)
        name = organization.name
    fmt, path = _paper_path(args, f"{organization.code}-{code}-audit", None)
    progress = Progress(out.text(N_("Exporting the audit trail")), len(rows))
    if fmt == "csv":
        content = audit_csv(rows, out.timezone, out.locale, progress.update)
    else:
        content = audit_workbook(rows, name, code, out.timezone, out.locale, progress.update)
    _write_paper(path, content)
    progress.done(
        out.text(
            N_("Audit trail of {label} exported: {count} changes; written to {path}."),
            count=len(rows),
            label=period_label(code, out.locale),
            path=str(path),
        )
    )
    return EXIT_OK


def _paper_subject(session: Session, args: argparse.Namespace, out: Output, published: bool):
    """The organization, the unit (None: all), the period or the year's round, and its
    label, that a paper names; refused when one is unknown or, for the forms (`published`),
    when its results are not published."""
    organization = _organization(session, args.org)
    unit = _unit(session, organization, getattr(args, "unit", None))
    if args.period is not None:
        if not PERIOD.fullmatch(args.period):
            raise AdminError(
                N_("“{value}” is not a period: write a month YYYY-MM or a quarter YYYY-Qn."),
                value=args.period,
            )
        label = period_label(args.period, out.locale)
        period = period_by_code(session, organization.id, args.period)
        if period is None:
            raise AdminError(
                N_("{name} has no period {period}. Nothing was written."),
                name=organization.name,
                period=label,
            )
        if published and period.status is not PeriodStatus.PUBLISHED:
            raise AdminError(N_("The results of {period} are not published."), period=label)
        return organization, unit, period, None, label
    label = period_label(str(args.year), out.locale)
    year_round = round_of(session, organization.id, args.year)
    if year_round is None:
        raise AdminError(
            N_("{name} has no annual rating of {year}. Nothing was written."),
            name=organization.name,
            year=str(args.year),
        )
    if published and year_round.status != PUBLISHED:
        raise AdminError(N_("The results of {period} are not published."), period=label)
    return organization, unit, None, year_round, label


def _unit(session: Session, organization: Organization, code: str | None) -> Unit | None:
    """The unit a command names with --unit (None: all of them); refused when unknown."""
    if code is None:
        return None
    unit = unit_by_code(session, organization.id, code)
    if unit is None:
        raise AdminError(
            N_("{name} has no unit with the code “{code}”. Nothing was changed."),
            name=organization.name,
            code=code,
        )
    return unit


def _paper_path(args: argparse.Namespace, stem: str, unit: Unit | None) -> tuple[str, Path]:
    """The format (--format, else the suffix of --out, else xlsx) and the file to write."""
    suffix = Path(args.out).suffix.lower().lstrip(".") if args.out else ""
    if args.format and suffix in ("xlsx", "csv") and suffix != args.format:
        raise AdminError(
            N_("--format {format} does not match the file {path}."),
            format=args.format,
            path=args.out,
        )
    fmt = args.format or (suffix if suffix in ("xlsx", "csv") else "xlsx")
    if args.out:
        return fmt, Path(args.out)
    return fmt, Path(f"{stem}{'-' + unit.code if unit else ''}.{fmt}")


def _write_paper(path: Path, content: bytes) -> None:
    try:
        path.write_bytes(content)
    except OSError as error:
        raise AdminError(
            N_("Cannot write {path}: {error}."), path=str(path), error=error.strerror or str(error)
        ) from None


def cmd_outbox(args: argparse.Namespace, out: Output) -> int:
    engine = out.engine()
    with Session(engine) as session:
        organization = _organization(session, args.org) if args.org else None
        counts = storage.outbox.summary(session, organization.id if organization else None)
        failed = storage.outbox.failures(
            session, organization.id if organization else None, MAX_LISTED_IDS
        )
    if not counts:
        out.say(N_("The outbox is empty."))
        return EXIT_OK
    statuses = ("pending", "sent", "failed")
    headers = [out.text(N_("Kind")), *(out.text(STATUS_NAMES[s]) for s in statuses)]
    kinds = sorted({kind for kind, _ in counts})
    rows = [[kind, *(str(counts.get((kind, s), 0)) for s in statuses)] for kind in kinds]
    print(_table(headers, rows))
    for row in failed:
        out.say(
            N_("failed: {kind} to {name} ({platform}), {attempts} tries: {error}"),
            indent=2,
            kind=row.kind,
            name=row.full_name or "—",
            platform=row.platform,
            attempts=row.attempts,
            error=row.last_error or "—",
        )
    return EXIT_OK


def cmd_settings(args: argparse.Namespace, out: Output) -> int:
    """Show the organization's rules and tracking period; change those given. Every
    value is checked before anything is saved, and every change is audited."""
    engine = out.engine()
    with transaction(engine) as session:
        organization = _organization(session, args.org)
        changes: dict[str, tuple[Any, Any]] = {}
        if args.ruleset is not None:
            name = None if args.ruleset == LAW else _ruleset(args.ruleset, out.locale)
            changes["ruleset"] = (organization.ruleset, name)
        if args.category_ruleset:
            chosen = dict(organization.category_rulesets or {})
            for item in args.category_ruleset:
                category, _, name = item.partition("=")
                key = _category(category.strip())
                if name.strip():
                    chosen[key] = _ruleset(name.strip(), out.locale)
                else:
                    chosen.pop(key, None)
            changes["category_rulesets"] = (organization.category_rulesets or {}, chosen)
        if args.tracking is not None:
            _check_tracking(session, organization, args.tracking, out)
            calendar = {**(organization.calendar or {}), "tracking": args.tracking}
            changes["calendar"] = (organization.calendar or {}, calendar)
        if args.free_tasks is not None:
            changes["free_tasks"] = (organization.free_tasks, args.free_tasks == "on")
        for field, (before, after) in changes.items():
            audit(session, None, "organization", organization.id, field, before, after, "admin")
            setattr(organization, field, after)
        session.add(organization)
        changed = any(before != after for before, after in changes.values())
        _show_settings(organization, out)
    if changed:
        out.say(
            N_(
                "Saved. Results already published stay as they were computed; the next "
                "classification run uses these settings."
            )
        )
    return EXIT_OK


def cmd_health(args: argparse.Namespace, out: Output) -> int:
    """The database answers a trivial query: for the health checks of a container or a
    service manager, run often, so nothing is migrated or written."""
    try:
        connect(out.database_url).dispose()
    except DatabaseUrlError as error:
        out.warn(error.message, **error.params)
        return EXIT_FAILED
    out.say(N_("The database answers: {url}"), url=_shown(out.database_url))
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, out: Output) -> int:
    url = out.database_url
    if args.to:
        path = Path(args.to)
    else:
        stamp = out.clock().astimezone(out.timezone).strftime("%Y%m%d-%H%M%S")
        suffix = "db" if make_url(url).get_backend_name() == "sqlite" else "dump"
        path = default_folder(url) / f"danhgia-{stamp}.{suffix}"
    progress = Progress(out.text(N_("Copying the database (pages)")), 0)
    size = backup(url, path, progress.update)
    out.say(
        N_("Backup of {url} written: {path} ({size} kB)."),
        url=_shown(url),
        path=str(path),
        size=math.ceil(size / 1000),
    )
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, out: Output) -> int:
    """Everything in the database replaced by a backup of this version of the bot or an
    older one (then migrated at once), only with --yes."""
    url = out.database_url
    info = inspect(url, Path(args.file))
    revision = info.revision or "—"
    if not args.yes:
        raise AdminError(
            N_(
                "This would replace everything in the database {url} with the backup {path} "
                "(database revision {revision}). Nothing was changed; to do it, run the "
                "command again with --yes, the bot stopped."
            ),
            url=_shown(url),
            path=str(info.path),
            revision=revision,
        )
    progress = Progress(out.text(N_("Copying the database (pages)")), 0)
    restore(url, info, progress.update)
    out.engine()  # an older backup's schema brought up to this version's
    out.say(
        N_("Restored {path} into {url} (database revision {revision}, now {head})."),
        path=str(info.path),
        url=_shown(url),
        revision=revision,
        head=info.head,
    )
    return EXIT_OK


# -- the task catalogue and the plans from spreadsheets -------------------------------


def _not_before(organization: Organization, now: datetime) -> datetime:
    """When a message the office's command queues may go: not in the organization's quiet
    hours (a calendar the cycle refuses too: now)."""
    try:
        return release_time(now, CalendarSettings.from_overrides(organization.calendar or {}))
    except ValueError:
        return now


def _date_argument(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"YYYY-MM-DD: {text}") from None


def cmd_import_catalogue(args: argparse.Namespace, out: Output) -> int:
    """The catalogue's products for a date, all or nothing; the same file again changes
    nothing."""
    try:
        products = read_catalogue(args.file)
    except RosterError as error:
        _print_problems(out, args.file, error)
        return EXIT_INVALID
    engine = out.engine()
    with transaction(engine) as session:
        organization = _organization(session, args.org)
        if args.dry_run:
            changes = compare(session, organization, products, args.effective)
        else:
            progress = Progress(out.text(N_("Recording the products")), len(products))
            changes = import_catalogue(
                session,
                organization,
                products,
                args.effective,
                Path(args.file).name,
                out.clock(),
                _system_user(),
                progress.update,
            )
        uncovered = people_without_products(session, organization.id, products)
    rows = [[out.text(N_("new")), p.job_position, p.code, p.title] for p in changes.added]
    rows += [[out.text(N_("changed")), p.job_position, p.code, p.title] for p in changes.changed]
    rows += [[out.text(N_("removed")), i.job_position, i.code, i.title] for i in changes.removed]
    headers = (N_("Change"), N_("Job position"), N_("Product code"), N_("Product"))
    _print_changes(out, headers, rows, args.dry_run)
    params = {
        "file": str(args.file),
        "rows": len(products),
        "positions": len({position_key(p.job_position) for p in products}),
        "date": args.effective.strftime("%d/%m/%Y"),
        "added": len(changes.added),
        "changed": len(changes.changed),
        "removed": len(changes.removed),
        "unchanged": changes.unchanged,
    }
    if args.dry_run:
        out.say(
            N_(
                "{file}: {rows} products of {positions} job positions read; the catalogue in "
                "force from {date} would get {added} new, {changed} changed, {removed} "
                "removed, {unchanged} unchanged. Nothing was changed (--dry-run)."
            ),
            **params,
        )
    else:
        out.say(
            N_(
                "{file}: {rows} products of {positions} job positions read; the catalogue in "
                "force from {date}: {added} new, {changed} changed, {removed} removed, "
                "{unchanged} unchanged."
            ),
            **params,
        )
    if uncovered:
        out.say(
            N_(
                "{count} active people have a job position without products in this file "
                "(they can add only free tasks): {ids}."
            ),
            count=len(uncovered),
            ids=_some(uncovered),
        )
    return EXIT_OK


def _print_changes(out: Output, headers: Sequence[str], rows: list[list[str]], dry_run: bool):
    """The table of what an import changes (or would): the first MAX_LISTED_ROWS rows, in a
    dry run or when the change is small; a large change applied shows its counts only."""
    if rows and (dry_run or len(rows) <= MAX_LISTED_ROWS):
        print(_table([out.text(h) for h in headers], rows[:MAX_LISTED_ROWS]))
        if len(rows) > MAX_LISTED_ROWS:
            out.say(N_("… and {count} more."), count=len(rows) - MAX_LISTED_ROWS)


def _system_user() -> str | None:
    """Who ran the command (the system's user name), recorded with an import."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in a bare container: nothing to record
        return None


def cmd_catalogue(args: argparse.Namespace, out: Output) -> int:
    day = args.date or out.clock().astimezone(out.timezone).date()
    engine = out.engine()
    with Session(engine) as session:
        organization = _organization(session, args.org)
        version = version_in_force(session, organization.id, day)
        if version is None:
            raise AdminError(
                N_("{name} has no task catalogue in force on {date}."),
                name=organization.name,
                date=day.strftime("%d/%m/%Y"),
            )
        items = items_of(session, version.id, args.position)
    if args.search:
        items = match(items, args.search, limit=len(items))
    headers = [
        out.text(h)
        for h in (N_("Job position"), N_("Product code"), N_("Product"), N_("Points"), N_("Factor"))
    ]
    rows = [
        [
            i.job_position,
            i.code,
            i.title,
            format_number(i.points, out.locale),
            format_number(i.factor, out.locale),
        ]
        for i in items
    ]
    if rows:
        print(_table(headers, rows))
    out.say(
        N_("{count} products; the catalogue in force from {date} ({file}, imported {time})."),
        count=len(rows),
        date=version.effective.strftime("%d/%m/%Y"),
        file=version.source,
        time=out.local(version.imported_at),
    )
    return EXIT_OK


def cmd_import_plan(args: argparse.Namespace, out: Output) -> int:
    """A unit's assigned tasks of a period, all or nothing; the people whose plan changes
    are told."""
    if not PERIOD.fullmatch(args.period):
        raise AdminError(
            N_("“{value}” is not a period: write a month YYYY-MM or a quarter YYYY-Qn."),
            value=args.period,
        )
    try:
        lines = read_plan(args.file)
    except RosterError as error:
        _print_problems(out, args.file, error)
        return EXIT_INVALID
    now = out.clock()
    engine = out.engine()
    with transaction(engine) as session:
        organization = _organization(session, args.org)
        if ("Q" in args.period) != (tracking_of(organization) == "quarter"):
            raise AdminError(
                N_("{name} tracks by {kind}: “{value}” is not one of its periods."),
                name=organization.name,
                kind=out.text(N_("quarter") if "Q" not in args.period else N_("month")),
                value=args.period,
            )
        unit = _unit(session, organization, args.unit)
        period = plan_period(session, organization, args.period)
        if period.status is not PeriodStatus.PLANNING:
            raise AdminError(
                N_(
                    "The self-assessment of {period} has opened: its plan can no longer be "
                    "changed. Nothing was changed."
                ),
                **periods(period.code, out.locale),
            )
        try:
            checked = check_plan(session, organization, period, lines, unit)
        except RosterError as error:
            _print_problems(out, args.file, error)
            return EXIT_INVALID
        changes = compare_plan(session, period, checked)
        rows = []
        for person in changes.people:
            for kind, titles in (
                (N_("new"), [t.title for t in person.added]),
                (N_("changed"), [t.title for _task, t in person.changed]),
                (N_("removed"), [t.title for t in person.removed]),
            ):
                who = [person.person.code, person.person.full_name, out.text(kind)]
                rows += [[*who, title] for title in titles]
        headers = (N_("ID"), N_("Full name"), N_("Change"), N_("Task"))
        _print_changes(out, headers, rows, args.dry_run)
        params = {
            "file": str(args.file),
            "rows": changes.rows,
            "people": len(changes.people),
            "added": changes.count("added"),
            "changed": changes.count("changed"),
            "removed": changes.count("removed"),
            "unchanged": changes.count("unchanged"),
            **periods(period.code, out.locale),
        }
        if args.dry_run:
            out.say(
                N_(
                    "{file}: {rows} tasks of {people} people for {period}; {added} would be "
                    "added, {changed} changed, {removed} removed, {unchanged} are unchanged. "
                    "Nothing was changed (--dry-run)."
                ),
                **params,
            )
            session.rollback()  # not even the period it would create
            return EXIT_OK
        total = sum(p.changes for p in changes.people)
        progress = Progress(out.text(N_("Recording the tasks")), total)
        import_plan(session, changes, Path(args.file).name, now, progress.update)
        notices = [
            (
                person.person,
                f"plan:{period.code}:{person.person.id}:{now.isoformat()}",
                plan_changed(
                    person.person.language,
                    period.code,
                    [t.title for t in person.added],
                    [t.title for _task, t in person.changed],
                    [t.title for t in person.removed],
                ),
            )
            for person in changes.people
            if person.changes
        ]
        reached = deliver_all(session, notices, _not_before(organization, now))
    unreachable = sorted(p.code for p, _key, _reply in notices if p.id not in reached)
    out.say(
        N_(
            "{file}: {rows} tasks of {people} people for {period}; {added} added, {changed} "
            "changed, {removed} removed, {unchanged} unchanged; {told} people told."
        ),
        told=len(notices) - len(unreachable),
        **params,
    )
    if unreachable:
        out.say(
            N_("{count} of them have no chat registered with the bot and were not told: {ids}."),
            count=len(unreachable),
            ids=_some(unreachable),
        )
    return EXIT_OK


LAW = "law"
CATEGORY_NAMES = {
    Category.CIVIL_SERVANT: N_("Civil servants"),
    Category.PUBLIC_EMPLOYEE: N_("Public employees"),
    Category.CONTRACT_WORKER: N_("Contract workers"),
}


def _ruleset(name: str, locale: str) -> str:
    """A ruleset the core can load, by name or path; else the core's reason."""
    try:
        load(name)
    except CoreError as error:
        raise AdminError(
            N_("“{name}” is not a ruleset: {reason}"), name=name, reason=error.render(locale)
        ) from None
    return name


def _category(text: str) -> str:
    core_names = {core: category for category, core in CATEGORIES.items()}
    category = core_names.get(text) or next((c for c in Category if c.value == text), None)
    if category is None:
        raise AdminError(
            N_("“{value}” is not a person category: write {choices}."),
            value=text,
            choices=", ".join(c.value for c in Category),
        )
    return category.value


def _check_tracking(session: Session, organization: Organization, tracking: str, out) -> None:
    """The year's score is the mean of all its months or all its quarters (NĐ 335 Điều
    19): the tracking period changes only while the year has no period of the other kind."""
    year = out.clock().astimezone(out.timezone).year
    codes = period_codes_of_year(session, organization.id, year)
    other = sorted(c for c in codes if ("Q" in c) != (tracking == "quarter"))
    if other:
        raise AdminError(
            N_(
                "{name} already tracks {year} by {kind} ({codes}); a year is scored on all "
                "its months or all its quarters, so the tracking period can change only "
                "for a year without periods yet."
            ),
            name=organization.name,
            year=str(year),
            kind=out.text(N_("quarter") if tracking == "month" else N_("month")),
            codes=", ".join(other[:MAX_LISTED_IDS]),
        )


def _show_settings(organization: Organization, out: Output) -> None:
    out.say(N_("{name} ({code}):"), name=organization.name, code=organization.code)
    out.say(N_("rules: {rules}"), indent=2, rules=_rules_text(organization.ruleset, out))
    chosen = organization.category_rulesets or {}
    for category in (Category.PUBLIC_EMPLOYEE, Category.CONTRACT_WORKER, Category.CIVIL_SERVANT):
        if category.value in chosen or category is not Category.CIVIL_SERVANT:
            out.say(
                N_("{category}: {rules}"),
                indent=2,
                category=out.text(CATEGORY_NAMES[category]),
                rules=_rules_text(chosen.get(category.value), out, inherited=True),
            )
    kind = tracking_of(organization)
    out.say(
        N_("tracking period: {kind}"),
        indent=2,
        kind=out.text(N_("quarter") if kind == "quarter" else N_("month")),
    )
    out.say(
        N_("free tasks (outside the catalogue): {allowed}"),
        indent=2,
        allowed=out.text(N_("allowed") if organization.free_tasks else N_("not allowed")),
    )


def _rules_text(name: str | None, out: Output, inherited: bool = False) -> str:
    if name is None:
        if inherited:
            return out.text(N_("as the organization"))
        return out.text(N_("as the law gives for the period (nd90 until 2025, nd335 from 2026)"))
    title = load(name).title
    return f"{name} — {title.get(out.locale) or title.get('vi') or name}"


COMMANDS: dict[str, Callable[[argparse.Namespace, Output], int]] = {
    "init-db": cmd_init_db,
    "import-roster": cmd_import_roster,
    "import-conclusions": cmd_import_conclusions,
    "invite": cmd_invite,
    "people": cmd_people,
    "demo": cmd_demo,
    "cycle": cmd_cycle,
    "year": cmd_year,
    "import-scores": cmd_import_scores,
    "form": cmd_form,
    "summary": cmd_summary,
    "export": cmd_export,
    "audit": cmd_audit,
    "outbox": cmd_outbox,
    "settings": cmd_settings,
    "health": cmd_health,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "import-catalogue": cmd_import_catalogue,
    "catalogue": cmd_catalogue,
    "import-plan": cmd_import_plan,
}
STATUS_NAMES = {"pending": N_("to send"), "sent": N_("sent"), "failed": N_("failed")}


# -- helpers -------------------------------------------------------------------------


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _organization(session: Session, code: str) -> Organization:
    organization = find_organization(session, code)
    if organization is None:
        raise AdminError(N_("There is no organization with the code “{code}”."), code=code)
    return organization


def _people_to_invite(
    session: Session, organization_id: int, args: argparse.Namespace
) -> list[Person]:
    people = {p.code: p for p in people_of(session, organization_id)}
    if args.all:
        chosen = [people[code] for code in sorted(people) if people[code].active]
    else:
        wanted = list(dict.fromkeys(args.people))
        unknown = [code for code in wanted if code not in people]
        if unknown:
            raise AdminError(
                N_("Unknown person ids: {ids}. No code was issued."), ids=_some(unknown)
            )
        inactive = [code for code in wanted if not people[code].active]
        if inactive:
            raise AdminError(
                N_("These people are inactive: {ids}. No code was issued."), ids=_some(inactive)
            )
        chosen = [people[code] for code in wanted]
    if args.unregistered:
        registered = registered_person_ids(session)
        chosen = [p for p in chosen if p.id not in registered]
    return chosen


def _invite_rows(
    out: Output, issued: list[tuple[Person, str, str, datetime]], bot_username: str | None
) -> tuple[list[str], list[list[str]]]:
    headers = [out.text(h) for h in (N_("ID"), N_("Full name"), N_("Unit"), N_("Code"))]
    if bot_username:
        headers.append(out.text(N_("Link")))
    headers.append(out.text(N_("Valid until")))
    rows = []
    for person, unit, code, expires_at in issued:
        row = [person.code, person.full_name, unit, code]
        if bot_username:
            row.append(invites.deep_link(bot_username, code))
        row.append(out.local(expires_at))
        rows.append(row)
    return headers, rows


def _write_table(path: Path, headers: list[str], rows: list[list[str]]) -> None:
    """CSV in UTF-8 with a BOM (Excel then reads the diacritics), or .xlsx; the names
    typed by people are never read as formulas (`papers.spreadsheet`)."""
    from papers.spreadsheet import write_csv, xlsx_row  # only the writing pays for openpyxl

    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        for number, values in enumerate([headers, *rows], start=1):
            xlsx_row(sheet, number, values)
        book.save(path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        write_csv(f, [headers, *rows])


def _print_problems(out: Output, file: str, error: RosterError) -> None:
    out.warn(N_("{file} was not imported, nothing was changed:"), file=str(file))
    for problem in error.problems:
        print("  " + _problem_text(out, problem), file=sys.stderr)
    if error.total > len(error.problems):
        out.warn(
            N_("… and {count} more problems."), indent=2, count=error.total - len(error.problems)
        )


def _problem_text(out: Output, problem: Problem) -> str:
    text = out.text(problem.message, **problem.params)
    if problem.line is None:
        return text
    if problem.column is None:
        return out.text(N_("line {line}: {problem}"), line=str(problem.line), problem=text)
    return out.text(
        N_("line {line}, column “{column}”: {problem}"),
        line=str(problem.line),
        column=problem.column,
        problem=text,
    )


def _some(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:MAX_LISTED_IDS])
    return shown + (", …" if len(ids) > MAX_LISTED_IDS else "")


def _width(text: str) -> int:
    return sum(1 for c in text if not unicodedata.combining(c))


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


if __name__ == "__main__":
    sys.exit(main())
