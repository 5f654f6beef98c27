"""The classification core: monthly and annual levels of staff with their reasons.

Pure rules, no I/O beyond reading ruleset files: another front end (the bot, a web portal,
a batch job) calls `classify` with the JSON-shaped data of RULES.md, or runs
`python -m core classify`.
"""

from core.classify import classify, classify_in
from core.errors import CoreError, InputError, RulesetError
from core.ruleset import builtin_names, load

__all__ = [
    "CoreError",
    "InputError",
    "RulesetError",
    "builtin_names",
    "classify",
    "classify_in",
    "load",
]
