"""`python -m core classify [--ruleset NAME_OR_PATH] [--locale vi|en] [FILE]`
and `python -m core rulesets`.

JSON in (FILE or standard input), JSON out on standard output. Invalid input: exit code 2
and one line on standard error naming the person and the field; nothing on standard output.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys

from core.classify import classify
from core.errors import CoreError, InputError
from core.ruleset import builtin_names, load
from locales import DEFAULT_LOCALE, N_, SUPPORTED_LOCALES

try:  # the fast reader and writer; the standard library's json is the fallback
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency
    orjson = None

EXIT_INVALID = 2
_BOM = b"\xef\xbb\xbf"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m core",
        description=("Classification core: levels A/B/C/D with reasons (RULES.md)."),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("classify", help="classify the people of a JSON input")
    run.add_argument("file", nargs="?", help="input JSON file (default: standard input)")
    run.add_argument("--ruleset", help="built-in ruleset name or path to a TOML file")
    run.add_argument(
        "--locale",
        choices=SUPPORTED_LOCALES,
        default=DEFAULT_LOCALE,
        help="language of the reasons (default: vi)",
    )
    run.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")
    listing = commands.add_parser("rulesets", help="list the built-in rulesets")
    listing.add_argument("--locale", choices=SUPPORTED_LOCALES, default=DEFAULT_LOCALE)
    listing.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")
    args = parser.parse_args(argv)
    # A one-shot run builds millions of small objects and no reference cycles: the cyclic
    # collector would only rescan them again and again (half the run time on large inputs).
    gc.disable()

    try:
        if args.command == "rulesets":
            result = [_describe(name, args.locale) for name in builtin_names()]
        else:
            result = classify(_read(args.file), args.ruleset, args.locale)
    except CoreError as error:
        print(_one_line(error.render(args.locale)), file=sys.stderr)
        return EXIT_INVALID
    except RecursionError:  # only the fallback reader lets such nesting through
        print(
            _one_line(InputError("-", N_("nested too deeply")).render(args.locale)), file=sys.stderr
        )
        return EXIT_INVALID
    sys.stdout.buffer.write(_dumps(result, args.indent))
    sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()
    return 0


def run() -> None:
    """`python -m core`: main, then exit at once. A large run leaves millions of objects
    that the interpreter would free one by one at exit (a tenth of the run) for nothing."""
    code = main()
    sys.stderr.flush()
    os._exit(code)


def _dumps(result, indent: int | None) -> bytes:
    if orjson is not None and indent in (None, 2):
        return orjson.dumps(result, option=orjson.OPT_INDENT_2 if indent else 0)
    # dumps and one write: json.dump to a stream runs the slow pure-Python encoder
    return json.dumps(result, ensure_ascii=False, indent=indent).encode("utf-8")


def _read(path: str | None):
    try:
        if path is None:
            raw = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as f:
                raw = f.read()
    except FileNotFoundError:
        raise InputError("FILE", N_("file not found: {path}"), path=path) from None
    except OSError as exc:
        raise InputError("FILE", N_("cannot read the input: {error}"), error=str(exc)) from None
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    if not raw.strip():
        raise InputError("-", N_("the input is empty"))
    return _loads(raw)


def _loads(raw: bytes):
    if orjson is not None:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise _not_json(exc) from None
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError("-", N_("cannot read the input: {error}"), error=str(exc)) from None
    except json.JSONDecodeError as exc:
        raise _not_json(exc) from None
    except (ValueError, RecursionError) as exc:  # an integer of thousands of digits
        raise InputError("-", N_("not valid JSON: {error}"), error=str(exc)[:80]) from None


def _not_json(exc: json.JSONDecodeError) -> InputError:
    return InputError(
        "-",
        N_("not valid JSON: {error} (line {line}, column {column})"),
        error=exc.msg,
        line=str(exc.lineno),
        column=str(exc.colno),
    )


def _describe(name: str, locale: str) -> dict:
    ruleset = load(name)
    return {
        "name": ruleset.name,
        "extends": ruleset.extends,
        "aliases": list(ruleset.aliases),
        "method": ruleset.method,
        "applies_from": str(ruleset.applies_from) if ruleset.applies_from else None,
        "applies_until": str(ruleset.applies_until) if ruleset.applies_until else None,
        "title": ruleset.title.get(locale) or ruleset.title["vi"],
    }


def _one_line(text: str) -> str:
    return " ".join(text.split())


if __name__ == "__main__":
    run()
