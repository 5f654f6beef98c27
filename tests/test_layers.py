"""The queries live in storage/: no module above it builds a SQL statement. (The imports
between the packages are checked by `lint-imports`, pyproject.toml [tool.importlinter];
it sees packages, not the names imported from sqlmodel or sqlalchemy, so this test does.)"""

import ast

from tests.conftest import ROOT

# What builds a statement; `Session`, `Engine` and the errors may be imported anywhere.
BUILDERS = {"select", "update", "delete", "insert", "func", "col", "or_", "and_", "case", "text"}
ABOVE_STORAGE = ("core", "locales", "papers", "handlers", "cycle", "delivery", "bot")


def _builders_imported(path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in {
            "sqlmodel",
            "sqlalchemy",
        }:
            found |= {alias.name for alias in node.names} & BUILDERS
    return found


def test_no_statement_is_built_outside_storage():
    offenders = {}
    for package in ABOVE_STORAGE:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if found := _builders_imported(path):
                offenders[name] = sorted(found)
    assert not offenders, f"move these queries to storage/: {offenders}"
