"""`python -m bot`: the composition root.

python -m bot                      run the bot (long polling, or a webhook server with
                                   WEBHOOK_URL, WORKERS processes; without BOT_TOKEN nor
                                   ZALO_BOT_TOKEN: how to get one and try the console)
python -m bot console --demo       chat in the terminal as a person of the demo Sở
python -m bot console --as CODE    chat in the terminal as the person with roster id CODE
python -m bot admin ...            administration: init-db, import-roster, invite, ...
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime

from alembic.util.exc import CommandError
from sqlalchemy.exc import SQLAlchemyError

from bot.config import ConfigError, Settings, language_hint, load_settings
from bot.logs import configure as configure_logging
from core.texts import render
from locales import N_, translations
from storage.db import DatabaseUrlError, open_database

DEMO_ROLES = ("staff", "head", "director")  # who `console --demo --role` acts as


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["admin"]:
        from bot.admin import main as admin

        return admin(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    console = commands.add_parser("console", help="chat in the terminal")
    console.add_argument("--as", dest="person", help="roster id of the person to act as")
    console.add_argument(
        "--demo",
        action="store_true",
        help="load the demo organization (once) and act as one of its staff",
    )
    console.add_argument(
        "--role",
        choices=DEMO_ROLES,
        default="staff",
        help="with --demo: act as the staff member (default), the head of that member's "
        "unit, or the director, to try the reviews",
    )
    commands.add_parser("admin", help="administration (python -m bot admin --help)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error.text(language_hint()), file=sys.stderr)
        return 2
    configure_logging(  # the terminal chat shows only problems, the bot its progress
        settings.log_format, logging.WARNING if args.command == "console" else logging.INFO
    )
    locale = settings.default_language
    _ = translations(locale).gettext
    try:
        engine = open_database(settings.database_url)
    except DatabaseUrlError as error:
        print(render(error.message, error.params, locale), file=sys.stderr)
        return 2
    except (SQLAlchemyError, CommandError) as error:  # the migrations failed (a newer database?)
        logging.getLogger(__name__).debug("migration failed", exc_info=True)
        detail = str(getattr(error, "orig", None) or error).splitlines()[0]
        failed = render(N_("The database failed: {error}"), {"error": detail}, locale)
        print(failed, file=sys.stderr)
        return 1
    if args.command == "console":
        return _console(engine, settings, args)
    if not settings.messengers:
        print(
            _(
                "No BOT_TOKEN is set, so the bot cannot connect to Telegram.\n"
                "To get a token: open Telegram, talk to @BotFather, send /newbot and follow the "
                "steps; then put BOT_TOKEN=<the token> in the environment or in a .env file and "
                "run `python -m bot` again. For Zalo, put ZALO_BOT_TOKEN=<the token from Zalo "
                "Bot Creator> there instead, or as well.\n"
                "To try the bot now without a token, chat in the terminal as a person of the "
                "demo organization:\n"
                "    python -m bot console --demo"
            )
        )
        return 0
    from bot.app import run, supervise
    from delivery.messenger import StartError

    if settings.workers > 1:
        engine.dispose()  # each worker opens its own
        return supervise(settings.workers)

    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per call, the token in it
    try:
        asyncio.run(run(engine, settings))
    except StartError as error:
        print(render(error.message, error.params, locale), file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl+C while waiting for Telegram: stopped, not failed
        return 130
    return 0


def _console(engine, settings: Settings, args) -> int:
    from bot import console

    _ = translations(settings.default_language).gettext
    code = args.person
    if args.demo:
        from storage.demo import demo_member, load_demo

        organization = load_demo(engine, datetime.now(settings.chat.timezone).date())
        code = code or demo_member(engine, organization, args.role)
    if not code:
        print(
            _("Say who you are: --as ROSTER_ID, or --demo to try the demo organization."),
            file=sys.stderr,
        )
        return 2
    person = console.find_person(engine, code)
    if person is None:
        print(
            _(
                "Nobody has the roster id {code}; `python -m bot admin people --org CODE` "
                "lists them."
            ).format(code=code),
            file=sys.stderr,
        )
        return 2
    console.run(engine, settings.chat, person)
    return 0


if __name__ == "__main__":
    sys.exit(main())
