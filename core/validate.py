"""Input validation: JSON data in, the core's records out, or an `InputError`.

Every problem is reported with the person (id and position) and the field, and nothing
is guessed: an unknown status, a missing field or a contradiction stops the run.
Optional fields have the defaults of RULES.md (weight 1.0, no delays, no explanation).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from functools import lru_cache
from typing import Any

from core.errors import InputError
from core.model import (
    Category,
    Deduction,
    DisciplineDecision,
    DisciplineForm,
    DisciplineSource,
    Explanation,
    Flags,
    HistoryEntry,
    Leader,
    Leadership,
    Level,
    Period,
    PeriodScore,
    PeriodStatus,
    PeriodTasks,
    Person,
    QuotaException,
    Request,
    Role,
    Task,
    TaskStatus,
)
from core.ruleset import Ruleset
from core.texts import shown
from locales import N_

_STATUS = {s.value: s for s in TaskStatus}
_EXPLANATION = {e.value: e for e in Explanation}
_ROLE = {r.value: r for r in Role}
_CATEGORY = {c.value: c for c in Category}
_LEVEL = {lv.value: lv for lv in Level}
_FORM = {f.value: f for f in DisciplineForm}
_SOURCE = {s.value: s for s in DisciplineSource}
_PERIOD_STATUS = {s.value: s for s in PeriodStatus}
_FLAG_KEYS = frozenset(Flags._fields)
_LEADER_KEYS = frozenset(Leader._fields)
_PERIOD_TASK_KEYS = frozenset(PeriodTasks._fields)
_new_tuple = tuple.__new__
_LATE = TaskStatus.LATE  # enum member look-ups are slow in the hot path
_NOT_DONE = TaskStatus.NOT_DONE
_CONG_CHUC = Category.CONG_CHUC
# Sanity limits of the input (not rules): beyond them a value is a mistake, and arithmetic
# on a number of thousands of digits would fail or take forever.
_MAX_WEIGHT = 1000.0
_MAX_COUNT = 1000
_MAX_RANK = 1_000_000
_MAX_POINTS = 100.0

_TOP_KEYS = frozenset(
    {
        "period",
        "ruleset",
        "people",
        "history",
        "quota_exceptions",
        "unit_names",
        "group_names",
    }
)
_HISTORY_KEYS = frozenset({"id", "period", "level", "score", "unexplained_undone"})
_PERSON_KEYS = frozenset(
    {
        "id",
        "name",
        "unit",
        "group",
        "role",
        "category",
        "general",
        "general_review",
        "tasks",
        "leader",
        "initiatives",
        "deductions",
        "discipline",
        "flags",
        "self_level",
        "head_rank",
        "exemplary",
        "periods",
        "leadership",
        "review_level",
        "review_reason",
    }
)
# fields a period of work has, and a year roll-up (method points) has not
_PERIOD_ONLY = ("general", "general_review", "tasks", "leader", "initiatives", "deductions")
_TASK_KEYS = frozenset(
    {
        "id",
        "title",
        "weight",
        "extra",
        "status",
        "quality_failures",
        "delays",
        "explanation",
        "explanation_late",
        "objective_reason",
    }
)
# the general criteria of version 1 (and of no ruleset of version 2 but nd90's politics)
_V1_CRITERIA = frozenset({"politics", "culture", "responsibility", "service", "innovation"})
# fields of version 1 that version 2 renamed: the error names the new one
_RENAMED = {"months": "periods", "quota_overrides": "quota_exceptions"}


def parse_period(value: Any) -> Period:
    """`YYYY-MM`, `YYYY-Qn` or `YYYY`, else an InputError naming the field `period`."""
    period = _period(value) if type(value) is str else None
    if period is None:
        raise InputError(
            "period",
            N_("must be a month (YYYY-MM), a quarter (YYYY-Qn) or a year (YYYY), not {value}"),
            value=_show(value),
        )
    return period


@lru_cache(maxsize=4096)
def _period(text: str) -> Period | None:
    if not text.isascii():
        return None
    if len(text) == 4:
        return Period(int(text)) if text.isdigit() and int(text) >= 1 else None
    if len(text) != 7 or text[4] != "-" or not text[:4].isdigit() or int(text[:4]) < 1:
        return None
    year = int(text[:4])
    if text[5] == "Q":
        return Period(year, None, int(text[6])) if text[6] in "1234" else None
    if not text[5:].isdigit():
        return None
    month = int(text[5:])
    return Period(year, month) if 1 <= month <= 12 else None


def parse_request(data: dict[str, Any], period: Period, ruleset: Ruleset) -> Request:
    """Validate the whole input against `ruleset` (its criteria, method and options)."""
    unknown = data.keys() - _TOP_KEYS
    if unknown:
        _unknown(sorted(unknown)[0], lambda p, **k: _raise(sorted(unknown)[0], p, **k))
    people_data = data.get("people")
    if type(people_data) is not list:
        raise InputError("people", N_("missing or not a list"))
    people = []
    seen: set[str] = set()
    reader = _Person(period, ruleset)
    for index, item in enumerate(people_data):
        person = reader.parse(item, index)
        if person.id in seen:
            raise InputError(
                "id", N_("duplicate person id"), person=person.id, index=f"people[{index}]"
            )
        seen.add(person.id)
        people.append(person)
    history = _history(data.get("history", []))
    exceptions = _exceptions(data.get("quota_exceptions", []), ruleset)
    return Request(
        period,
        tuple(people),
        history,
        exceptions,
        _names(data, "unit_names"),
        _names(data, "group_names"),
    )


def _unknown(field: str, fail) -> None:
    renamed = _RENAMED.get(field.rsplit(".", 1)[-1])
    if renamed:
        fail(N_("unknown field; version 2 of the rules names it {new}"), new=renamed)
    fail(N_("unknown field"))


def _names(data: dict[str, Any], field: str) -> dict[str, str]:
    """`{"code": "name"}`: how texts name units or groups (the code where missing)."""
    value = data.get(field, {})
    if type(value) is not dict:
        raise InputError(field, N_("must be an object of names by code"))
    for code, name in value.items():
        _text(name, lambda p, c=code, **k: _raise(f"{field}.{c}", p, **k))
    return value


def _is_number(value: Any) -> bool:
    """A finite JSON number (not a boolean), small enough to compute with."""
    kind = type(value)
    if kind is float:
        return -1e300 < value < 1e300  # NaN and infinities fail too
    return kind is int and -(10**300) < value < 10**300


class _Person:
    """Reads the elements of `people`; every error names the person and the field."""

    def __init__(self, period: Period, ruleset: Ruleset) -> None:
        self.period = period
        self.ruleset = ruleset
        self.points = ruleset.method == "points"
        self.year_roll_up = period.is_year and self.points
        self.maxima = tuple((c.key, c.max) for c in ruleset.criteria)
        self.steps = ruleset.steps_per_point
        self.flags_known = frozenset(k for k in Flags._fields if f"override.{k}" in ruleset.sources)

    def fail(self, field: str, problem: str, **params: Any):
        raise InputError(field, problem, person=self.id, index=self.index, **params)

    def parse(self, data: Any, index: int) -> Person:
        self.index = f"people[{index}]"
        self.id: str | None = None
        if type(data) is not dict:
            self.fail("-", N_("must be an object"))
        self.data = d = data
        self.id = _text(d.get("id"), lambda p, **k: self.fail("id", p, **k))
        if not d.keys() <= _PERSON_KEYS:
            field = sorted(d.keys() - _PERSON_KEYS)[0]
            _unknown(field, lambda p, **k: self.fail(field, p, **k))
        unit = self.text("unit")
        group = self.text("group")
        role = d.get("role")
        role = _ROLE.get(role) if type(role) is str else None
        if role is None:
            role = self.choice("role", d.get("role"), _ROLE)
        category = d.get("category")
        category = _CONG_CHUC if category is None else self.choice("category", category, _CATEGORY)
        periods = None
        leader = None
        if self.year_roll_up:
            for field in _PERIOD_ONLY:
                if field in d:
                    self.fail(field, N_("not used for a year: a year takes the scores of periods"))
            general: dict[str, float] = {}
            review: dict[str, float] = {}
            tasks: tuple[Task, ...] = ()
            periods = self.periods(required=True)
        else:
            general = self.scores("general", required=True)
            review = self.scores("general_review", required=False)
            tasks = self.tasks()
            if self.period.is_year:
                periods = self.periods(required=False)
            elif "periods" in d:
                self.fail("periods", N_("only for a year"))
            leader = self.leader(role)
        flags = self.flags()
        if flags.unit_corruption and not role.is_leader:
            self.fail("flags.unit_corruption", N_("applies to leaders only"))
        name = d.get("name")
        if name is not None:
            name = self.text("name")
        review_level = self.optional_choice("review_level", _LEVEL)
        review_reason = d.get("review_reason")
        if review_level is not None:
            review_reason = self.text("review_reason")  # a reviewer's level needs its reason
        elif review_reason is not None:
            self.fail("review_reason", N_("given without review_level"))
        exemplary = d.get("exemplary", False)
        if exemplary is not False:
            exemplary = self.boolean(d, "exemplary", "exemplary")
        return Person(  # positional, in the order of the fields: keywords cost more here
            self.id,
            unit,
            group,
            role,
            category,
            general,
            review,
            tasks,
            leader,
            self.initiatives() if "initiatives" in d else 0,
            self.deductions() if "deductions" in d else (),
            self.discipline() if "discipline" in d else (),
            flags,
            self.optional_choice("self_level", _LEVEL),
            self.head_rank(),
            exemplary,
            periods,
            self.leadership(role),
            name or self.id,
            review_level,
            review_reason,
        )

    # -- small readers -------------------------------------------------------------------

    def text(self, field: str) -> str:
        value = self.data.get(field)
        if type(value) is str and value and not value.isspace():
            return value
        return _text(value, lambda p, **k: self.fail(field, p, **k))

    def choice(self, field: str, value: Any, choices: dict[str, Any]):
        found = choices.get(value) if type(value) is str else None
        if found is None:
            if value is None:
                self.fail(field, N_("missing"))
            self.fail(
                field,
                N_("unknown value {value}; expected one of {choices}"),
                value=_show(value),
                choices=sorted(choices),
            )
        return found

    def optional_choice(self, field: str, choices: dict[str, Any]):
        value = self.data.get(field)
        return None if value is None else self.choice(field, value, choices)

    def boolean(self, obj: dict[str, Any], key: str, field: str) -> bool:
        value = obj.get(key, False)
        if value is not True and value is not False:
            self.fail(field, N_("must be true or false, not {value}"), value=_show(value))
        return value

    def number(
        self,
        value: Any,
        field: str,
        *,
        integer: bool = False,
        minimum: float = 0,
        maximum: float = _MAX_POINTS,
    ) -> float:
        if not _is_number(value):
            if value is None:
                self.fail(field, N_("missing"))
            self.fail(field, N_("must be a number, not {value}"), value=_show(value))
        if integer and type(value) is not int:
            if type(value) is float and value.is_integer():
                value = int(value)
            else:
                self.fail(field, N_("must be a whole number, not {value}"), value=_show(value))
        if not minimum <= value <= maximum:
            self.fail(
                field,
                N_("must be between {low} and {high}, not {value}"),
                low=minimum,
                high=maximum,
                value=_show(value),
            )
        return value

    def list(self, field: str, required: bool = False) -> list:
        value = self.data.get(field)
        if value is None:
            if required:
                self.fail(field, N_("missing"))
            return []
        if type(value) is not list:
            self.fail(field, N_("must be a list"))
        return value

    def object(self, field: str, value: Any) -> dict:
        if type(value) is not dict:
            self.fail(field, N_("must be an object"))
        return value

    # -- sections ------------------------------------------------------------------------

    def scores(self, field: str, required: bool) -> dict[str, float]:
        value = self.data.get(field)
        if type(value) is dict and len(value) == len(self.maxima):
            steps = self.steps
            for key, top in self.maxima:  # the common case, checked in one pass
                score = value.get(key)
                kind = type(score)
                if kind is int:
                    if not 0 <= score <= top:
                        break
                elif (
                    kind is not float
                    or not 0 <= score <= top
                    or (steps and not (score * steps).is_integer())
                ):
                    break
            else:
                return value
        if value is None:
            if required:
                self.fail(field, N_("missing"))
            return {}
        self.object(field, value)
        keys = self.ruleset.criterion_keys
        for key in value:
            if key not in keys:
                if key in _V1_CRITERIA:
                    self.fail(
                        f"{field}.{key}",
                        N_(
                            "a criterion of version 1 of the rules; ruleset {ruleset} scores "
                            "these: {choices}"
                        ),
                        ruleset=self.ruleset.name,
                        choices=[c.key for c in self.ruleset.criteria],
                    )
                self.fail(
                    f"{field}.{key}",
                    N_("unknown criterion for ruleset {ruleset}; expected one of {choices}"),
                    ruleset=self.ruleset.name,
                    choices=[c.key for c in self.ruleset.criteria],
                )
        scores = {}
        for key, top in self.maxima:
            where = f"{field}.{key}"
            if key not in value:
                if required:
                    self.fail(where, N_("missing"))
                continue
            score = self.number(value[key], where, maximum=top)
            if self.steps and not float(score * self.steps).is_integer():
                self.fail(
                    where,
                    N_("must be a multiple of {step}, not {value}"),
                    step=1 / self.steps,
                    value=_show(score),
                )
            scores[key] = score
        return scores

    def tasks(self) -> tuple[Task, ...]:
        items = self.list("tasks", required=True)
        tasks = []
        ids: set[str] = set()
        for i, t in enumerate(items):
            task = _plain_task(t)
            if task is None or task.id in ids:
                task = self.task(i, t, ids)
            ids.add(task.id)
            tasks.append(task)
        if not self.points and any(t.extra for t in tasks):
            index = next(i for i, t in enumerate(tasks) if t.extra)
            self.fail(
                f"tasks[{index}].extra",
                N_("not used by ruleset {ruleset}"),
                ruleset=self.ruleset.name,
            )
        return tuple(tasks)

    def task(self, i: int, t: Any, ids: set[str]) -> Task:
        """Check one task field by field, failing with the first problem found."""
        where = f"tasks[{i}]"
        self.object(where, t)
        unknown = t.keys() - _TASK_KEYS
        if unknown:
            self.fail(f"{where}.{sorted(unknown)[0]}", N_("unknown field"))
        task_id = _text(t.get("id"), lambda p, **k: self.fail(f"{where}.id", p, **k))
        if task_id in ids:
            self.fail(f"{where}.id", N_("duplicate task id {value}"), value=_show(task_id))
        status = self.choice(f"{where}.status", t.get("status"), _STATUS)
        weight = self.number(t.get("weight", 1.0), f"{where}.weight", maximum=_MAX_WEIGHT)
        if weight == 0:
            self.fail(f"{where}.weight", N_("must be greater than 0"))
        failures = self.number(
            t.get("quality_failures", 0),
            f"{where}.quality_failures",
            integer=True,
            maximum=_MAX_COUNT,
        )
        delays = self.number(
            t.get("delays", 0), f"{where}.delays", integer=True, maximum=_MAX_COUNT
        )
        if delays and status is not TaskStatus.LATE:
            self.fail(f"{where}.delays", N_("delays are only possible for a late task"))
        if failures and status is TaskStatus.NOT_DONE:
            self.fail(f"{where}.quality_failures", N_("a task not done has no quality failures"))
        explanation = t.get("explanation", "none")
        explanation = self.choice(f"{where}.explanation", explanation, _EXPLANATION)
        title = t.get("title")
        if title is not None:
            title = _text(title, lambda p, **k: self.fail(f"{where}.title", p, **k))
        return Task(
            task_id,
            weight,
            status,
            failures,
            delays,
            explanation,
            self.boolean(t, "explanation_late", f"{where}.explanation_late"),
            self.boolean(t, "objective_reason", f"{where}.objective_reason"),
            title or task_id,
            self.boolean(t, "extra", f"{where}.extra"),
        )

    def leader(self, role: Role) -> Leader | None:
        value = self.data.get("leader")
        if value is None:
            return None
        if not self.points:
            self.fail("leader", N_("not used by ruleset {ruleset}"), ruleset=self.ruleset.name)
        if not role.is_leader:
            self.fail("leader", N_("applies to leaders only (role head, deputy or director)"))
        self.object("leader", value)
        for key in value:
            if key not in _LEADER_KEYS:
                self.fail(f"leader.{key}", N_("unknown field"))
        allowed = (1, self.ruleset.leader_partial)
        parts = []
        for key in Leader._fields:
            part = value.get(key)
            if part is not None and (not _is_number(part) or part not in allowed):
                self.fail(
                    f"leader.{key}",
                    N_("must be {high} or {low}, not {value}"),
                    high=1,
                    low=self.ruleset.leader_partial,
                    value=_show(part),
                )
            parts.append(part)
        return Leader(*parts)

    def initiatives(self) -> int:
        approved = 0
        for i, item in enumerate(self.list("initiatives")):
            where = f"initiatives[{i}]"
            self.object(where, item)
            for key in item:
                if key not in ("id", "title", "approved"):
                    self.fail(f"{where}.{key}", N_("unknown field"))
            if self.boolean(item, "approved", f"{where}.approved"):
                approved += 1
        return approved

    def deductions(self) -> tuple[Deduction, ...]:
        items = self.list("deductions")
        kinds = self.ruleset.deductions
        if items and kinds is None:
            self.fail(
                "deductions",
                N_("ruleset {ruleset} has no deductions"),
                ruleset=self.ruleset.name,
            )
        result = []
        for i, item in enumerate(items):
            where = f"deductions[{i}]"
            self.object(where, item)
            code = item.get("code")
            if code is not None:
                for key in item:
                    if key not in ("code", "count"):
                        self.fail(f"{where}.{key}", N_("unknown field"))
                kind = kinds.get(code) if type(code) is str else None
                if kind is None:
                    self.fail(
                        f"{where}.code",
                        N_("unknown deduction for ruleset {ruleset}; expected one of {choices}"),
                        ruleset=self.ruleset.name,
                        choices=sorted(kinds),
                    )
                count = self.number(
                    item.get("count", 1),
                    f"{where}.count",
                    integer=True,
                    minimum=1,
                    maximum=_MAX_COUNT,
                )
                result.append(Deduction(code, "", kind.points * count))
            else:
                if not self.ruleset.free_deductions:
                    self.fail(
                        f"{where}.code",
                        N_("missing: ruleset {ruleset} has only named deductions"),
                        ruleset=self.ruleset.name,
                    )
                for key in item:
                    if key not in ("reason", "points"):
                        self.fail(f"{where}.{key}", N_("unknown field"))
                reason = _text(
                    item.get("reason"), lambda p, w=where, **k: self.fail(f"{w}.reason", p, **k)
                )
                result.append(
                    Deduction(None, reason, self.number(item.get("points"), f"{where}.points"))
                )
        return tuple(result)

    def discipline(self) -> tuple[DisciplineDecision, ...]:
        result = []
        for i, item in enumerate(self.list("discipline")):
            where = f"discipline[{i}]"
            self.object(where, item)
            for key in item:
                if key not in (
                    "form",
                    "date",
                    "source",
                    "violation",
                    "counted_in",
                    "public_duty",
                ):
                    self.fail(f"{where}.{key}", N_("unknown field"))
            source = self.choice(f"{where}.source", item.get("source", "admin"), _SOURCE)
            form_text = item.get("form")
            expulsion = form_text == "expulsion" and source is DisciplineSource.PARTY
            form = (
                DisciplineForm.DISMISSAL
                if expulsion
                else self.choice(f"{where}.form", form_text, _FORM)
            )
            day = _date(item.get("date"), lambda p, w=where, **k: self.fail(f"{w}.date", p, **k))
            violation = item.get("violation")
            if violation is None:
                violation = f"#{i}"  # no id: a violation of its own
            elif type(violation) is not str or not violation.strip():
                self.fail(f"{where}.violation", N_("must be a non-empty text"))
            counted_in = item.get("counted_in")
            if counted_in is not None:
                try:
                    counted_in = parse_period(counted_in)
                except InputError as exc:
                    self.fail(f"{where}.counted_in", exc.message, **exc.params)
            result.append(
                DisciplineDecision(
                    form,
                    day,
                    source,
                    violation,
                    counted_in,
                    self.boolean({"v": item.get("public_duty", True)}, "v", f"{where}.public_duty"),
                    expulsion,
                )
            )
        return tuple(result)

    def flags(self) -> Flags:
        value = self.data.get("flags")
        if value is None:
            return Flags()
        self.object("flags", value)
        for key in value:
            if key not in _FLAG_KEYS:
                self.fail(
                    f"flags.{key}",
                    N_("unknown flag; expected one of {choices}"),
                    choices=sorted(self.flags_known),
                )
            if key not in self.flags_known and value[key] is not False:
                self.fail(
                    f"flags.{key}", N_("not used by ruleset {ruleset}"), ruleset=self.ruleset.name
                )
        return Flags(*(self.boolean(value, k, f"flags.{k}") for k in Flags._fields))

    def head_rank(self) -> int | None:
        value = self.data.get("head_rank")
        if value is None:
            return None
        return int(self.number(value, "head_rank", integer=True, minimum=1, maximum=_MAX_RANK))

    def periods(self, required: bool) -> tuple[PeriodScore, ...] | None:
        if self.data.get("periods") is None and not required:
            return None
        result = []
        seen: set[Period] = set()
        kinds: set[bool] = set()
        for i, item in enumerate(self.list("periods", required=True)):
            where = f"periods[{i}]"
            self.object(where, item)
            for key in item:
                if key not in ("period", "status", "score", "tasks"):
                    self.fail(f"{where}.{key}", N_("unknown field"))
            text = item.get("period")
            period = _period(text) if type(text) is str else None
            if period is None or period.is_year or period.year != self.period.year:
                self.fail(
                    f"{where}.period",
                    N_("must be a month or a quarter of {year}, not {value}"),
                    year=str(self.period.year),
                    value=_show(text),
                )
            if not self.points and period.is_quarter:
                self.fail(
                    f"{where}.period",
                    N_("ruleset {ruleset} counts months"),
                    ruleset=self.ruleset.name,
                )
            kinds.add(period.is_quarter)
            if len(kinds) > 1:
                self.fail(f"{where}.period", N_("all months or all quarters, not a mix"))
            if period in seen:
                self.fail(f"{where}.period", N_("period {value} given twice"), value=text)
            seen.add(period)
            status = self.choice(f"{where}.status", item.get("status", "worked"), _PERIOD_STATUS)
            score = item.get("score")
            worked = status is PeriodStatus.WORKED
            if self.points and worked:
                score = self.number(score, f"{where}.score")
            elif score is not None:
                if not worked:
                    self.fail(f"{where}.score", N_("a period not worked has no score"))
                score = self.number(score, f"{where}.score")
            tasks = item.get("tasks")
            if tasks is not None:
                tasks = self.period_tasks(f"{where}.tasks", tasks)
            elif worked and self.ruleset.gates is not None and self.year_roll_up:
                self.fail(
                    f"{where}.tasks",
                    N_(
                        "missing: the conditions of Quy định 366-QĐ/TW (option gates) need "
                        "the task weights of each period"
                    ),
                )
            result.append(PeriodScore(period, status, score, tasks))
        return tuple(sorted(result))

    def period_tasks(self, where: str, value: Any) -> PeriodTasks:
        self.object(where, value)
        for key in value:
            if key not in _PERIOD_TASK_KEYS:
                self.fail(f"{where}.{key}", N_("unknown field"))
        numbers = [
            self.number(value.get(k), f"{where}.{k}", maximum=_MAX_WEIGHT * _MAX_COUNT)
            for k in PeriodTasks._fields
        ]
        tasks = PeriodTasks(*numbers)
        if not tasks.on_time <= tasks.done <= tasks.total or tasks.exceeded > tasks.on_time:
            self.fail(where, N_("must satisfy exceeded <= on_time <= done <= total"))
        return tasks

    def leadership(self, role: Role) -> Leadership | None:
        value = self.data.get("leadership")
        if value is None:
            return None
        if self.points:
            self.fail(
                "leadership",
                N_("not used by ruleset {ruleset}; see leader"),
                ruleset=self.ruleset.name,
            )
        if not role.is_leader:
            self.fail("leadership", N_("applies to leaders only"))
        self.object("leadership", value)
        for key in value:
            if key not in Leadership._fields:
                self.fail(f"leadership.{key}", N_("unknown field"))
        numbers = []
        for key in Leadership._fields:
            numbers.append(
                int(
                    self.number(
                        value.get(key), f"leadership.{key}", integer=True, maximum=_MAX_RANK
                    )
                )
            )
        result = Leadership(*numbers)
        if result.units_completed > result.units or result.units_good > result.units_completed:
            self.fail(
                "leadership.units_good",
                N_("units must satisfy units_good <= units_completed <= units"),
            )
        done = result.targets_done
        if (
            max(result.targets_exceeded, result.targets_on_time, done) > result.targets
            or result.targets_on_time > done
        ):
            self.fail(
                "leadership.targets",
                N_("targets must satisfy exceeded, on time <= done <= targets"),
            )
        return result


def _plain_task(t: Any) -> Task | None:
    """A task that is plainly valid, in as few steps as possible; None when in any doubt.

    Large inputs hold hundreds of thousands of tasks: this path keeps validation near the
    cost of reading the JSON. Whatever it does not accept goes to `_Person.task`, which is
    the authority on what is valid and says what is wrong.
    """
    if type(t) is not dict or not t.keys() <= _TASK_KEYS:
        return None
    get = t.get
    task_id = get("id")
    status = get("status")
    status = _STATUS.get(status) if type(status) is str else None
    weight = get("weight", 1.0)
    failures = get("quality_failures", 0)
    delays = get("delays", 0)
    explanation = get("explanation", "none")
    explanation = _EXPLANATION.get(explanation) if type(explanation) is str else None
    late = get("explanation_late", False)
    objective = get("objective_reason", False)
    extra = get("extra", False)
    title = get("title", task_id)
    if (
        type(task_id) is not str
        or not task_id
        or task_id.isspace()
        or status is None
        or explanation is None
        or (type(weight) is not float and type(weight) is not int)
        or not 0 < weight <= _MAX_WEIGHT
        or type(failures) is not int
        or not 0 <= failures <= _MAX_COUNT
        or type(delays) is not int
        or not 0 <= delays <= _MAX_COUNT
        or (delays and status is not _LATE)
        or (failures and status is _NOT_DONE)
        or (late is not True and late is not False)
        or (objective is not True and objective is not False)
        or (extra is not True and extra is not False)
        or type(title) is not str
        or not title
        or title.isspace()
    ):
        return None
    # tuple.__new__ skips the NamedTuple's Python-level __new__: a third of the cost here
    return _new_tuple(
        Task,
        (task_id, weight, status, failures, delays, explanation, late, objective, title, extra),
    )


def _history(items: Any) -> dict[str, dict[Period, HistoryEntry]]:
    if type(items) is not list:
        raise InputError("history", N_("must be a list"))
    history: dict[str, dict[Period, HistoryEntry]] = {}
    for i, item in enumerate(items):
        entry = _plain_history(item) or _checked_history(i, item)
        entries = history.setdefault(entry.id, {})
        if entry.period in entries:
            raise InputError(
                "period",
                N_("period {value} given twice for this person"),
                person=entry.id,
                index=f"history[{i}]",
                value=str(entry.period),
            )
        entries[entry.period] = entry
    return history


def _plain_history(item: Any) -> HistoryEntry | None:
    """A plainly valid history entry, or None to have `_checked_history` say what is wrong."""
    if type(item) is not dict or not item.keys() <= _HISTORY_KEYS:
        return None
    get = item.get
    person = get("id")
    text = get("period")
    level = get("level")
    score = get("score")
    undone = get("unexplained_undone", 0)
    period = _period(text) if type(text) is str else None
    if (
        type(person) is not str
        or not person
        or person.isspace()
        or period is None
        or (level is not None and (type(level) is not str or level not in _LEVEL))
        or (
            score is not None
            and ((type(score) is not float and type(score) is not int) or not 0 <= score <= 100)
        )
        or type(undone) is not int
        or not 0 <= undone <= _MAX_COUNT
    ):
        return None
    return HistoryEntry(person, period, _LEVEL.get(level) if level else None, score, undone)


def _checked_history(i: int, item: Any) -> HistoryEntry:
    where = f"history[{i}]"
    if type(item) is not dict:
        raise InputError("-", N_("must be an object"), index=where)
    person = item.get("id")

    def fail(field: str, problem: str, **params: Any):
        raise InputError(
            field,
            problem,
            person=person if type(person) is str else None,
            index=where,
            **params,
        )

    unknown = item.keys() - _HISTORY_KEYS
    if unknown:
        fail(sorted(unknown)[0], N_("unknown field"))
    person = _text(person, lambda p, **k: fail("id", p, **k))
    try:
        period = parse_period(item.get("period"))
    except InputError as exc:
        fail("period", exc.message, **exc.params)
    level = item.get("level")
    if level is not None and (type(level) is not str or level not in _LEVEL):
        fail(
            "level",
            N_("unknown value {value}; expected one of {choices}"),
            value=_show(level),
            choices=sorted(_LEVEL),
        )
    score = item.get("score")
    if score is not None and (not _is_number(score) or not 0 <= score <= 100):
        fail("score", N_("must be a number from 0 to 100, not {value}"), value=_show(score))
    undone = item.get("unexplained_undone", 0)
    if type(undone) is not int or not 0 <= undone <= _MAX_COUNT:
        fail("unexplained_undone", N_("must be a whole number, not {value}"), value=_show(undone))
    return HistoryEntry(person, period, _LEVEL.get(level), score, undone)


def _exceptions(items: Any, ruleset: Ruleset) -> tuple[QuotaException, ...]:
    """Rule 10 điểm b: `{unit, group, share, decision}`, each checked against the ruleset."""
    if type(items) is not list:
        raise InputError("quota_exceptions", N_("must be a list"))
    result = []
    seen: set[tuple[str | None, str | None]] = set()
    for i, item in enumerate(items):
        where = f"quota_exceptions[{i}]"
        if type(item) is not dict:
            raise InputError(where, N_("must be an object"))
        for key in item:
            if key not in ("unit", "group", "share", "decision"):
                raise InputError(f"{where}.{key}", N_("unknown field"))
        unit = item.get("unit")
        if unit is not None:
            unit = _text(unit, lambda p, w=where, **k: _raise(f"{w}.unit", p, **k))
            if ruleset.quota_scope == "organization":
                raise InputError(
                    f"{where}.unit",
                    N_(
                        "must be null: ruleset {ruleset} applies the quota to the whole "
                        "organization (quota.scope)"
                    ),
                    ruleset=ruleset.name,
                )
        group = item.get("group")
        if group is not None:
            group = _text(group, lambda p, w=where, **k: _raise(f"{w}.group", p, **k))
        share = item.get("share")
        if not _is_number(share) or not 0 <= share <= 1:
            raise InputError(
                f"{where}.share", N_("must be a number, not {value}"), value=_show(share)
            )
        exact = Fraction(str(share))
        if not ruleset.good_share <= exact <= ruleset.exception_share:
            raise InputError(
                f"{where}.share",
                N_("must be between {low} and {high}, not {value}"),
                low=float(ruleset.good_share),
                high=float(ruleset.exception_share),
                value=_show(share),
            )
        decision = item.get("decision")
        if decision is None:
            raise InputError(
                f"{where}.decision",
                N_("missing: an exception needs the number and date of the decision"),
            )
        decision = _text(decision, lambda p, w=where, **k: _raise(f"{w}.decision", p, **k))
        if (unit, group) in seen:
            raise InputError(where, N_("a second exception for the same unit and group"))
        seen.add((unit, group))
        result.append(QuotaException(unit, group, exact, decision))
    return tuple(result)


def _raise(field: str, problem: str, **params: Any):
    raise InputError(field, problem, **params)


def _text(value: Any, fail) -> str:
    if type(value) is not str or not value.strip():
        if value is None:
            fail(N_("missing"))
        fail(N_("must be a non-empty text, not {value}"), value=_show(value))
    return value


def _date(value: Any, fail) -> date:
    if type(value) is str and len(value) == 10 and value.isascii() and value[4] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if value is None:
        fail(N_("missing"))
    fail(N_("must be a date written YYYY-MM-DD, not {value}"), value=_show(value))


def _show(value: Any) -> str:
    """A short, safe rendering of a bad value for an error line: never the repr of a
    container (it may nest thousands deep) or of an integer of thousands of digits."""
    if type(value) is list:
        return "[...]"
    if type(value) is dict:
        return "{...}"
    if type(value) is int and not -(10**30) < value < 10**30:
        return f"{'-' if value < 0 else ''}~1e{int(value.bit_length() * 0.30103)}"
    return shown(value, limit=40)
