"""Benchmark of the classification core on one large, realistic month.

What it measures
----------------
1. It generates, deterministically from ``--seed``, one input for the period 2026-10 under
   ``--ruleset`` (default ``agency-monthly``: nd335 with the monthly quota, bonus, deductions
   and reward, the most work per person): ``--people`` staff (default 50,000) with
   ``--tasks`` tasks each (default 10, one in twenty an extra task), spread
   over organisations (Sở, s001, s002, ...) of 8-15 units (phòng, ban, trung tâm) of
   5-40 people, with one head and one or two deputies per unit, groups of similar roles
   ("lanh-dao", "chuyen-vien", "nhan-vien"), realistic task results, general criteria,
   initiatives, deductions, discipline decisions, self-assessed levels, head rankings,
   exemplary marks, leaders' đ and e, the 10 general items of Mẫu 01 in half points, and
   the three previous months of history for a share of the people.
   Organisations are added until the number of people is reached (about 190 for 50,000).
2. It times, best of ``--repeat`` rounds (default 5) in which the runs take turns, with
   ``time.perf_counter``:
   (a) ``python -m core classify input.json > out.json`` as a subprocess, wall time
       including the interpreter start (same interpreter as this script);
   (b) the floor: ``json.loads`` of the same input file plus ``json.dumps`` of the loaded
       data written to a file, with the standard library, in this process;
   (c) the same floor with the cyclic garbage collector off, as ``python -m core`` runs:
       the stricter comparison, since the GC costs the default floor a third of its time;
   (d) the same floor with orjson (``orjson.loads`` + ``orjson.dumps``), which the core
       itself uses for its input and output.
3. It prints the classify time, the floors, the ratio to each (target: at most 1.5 times
   the stdlib floor), the peak RSS of the classify subprocess, and checks the output: as
   many people out as in, counts of the levels A/B/C/D and the number of warnings.

A classify run that fails (non-zero exit) prints its standard error and exits with 1.

How to run
----------
From the repository root::

    python benchmarks/classify_bench.py                 # 50,000 people, 10 tasks each
    python benchmarks/classify_bench.py --people 2000   # a quick check
    python benchmarks/classify_bench.py --keep /tmp/bench --repeat 5

With ``--keep DIR`` the input and output files stay in DIR; otherwise a temporary
directory is used and removed at the end.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RULESETS = ROOT / "core" / "rulesets"
TARGET = 1.5  # classify / stdlib floor

PERIOD = "2026-10"
HISTORY_PERIODS = ("2026-07", "2026-08", "2026-09")
LEVELS = ("A", "B", "C", "D")

# Organisation shape: units per organisation and people per unit.
UNITS_PER_ORG = (8, 15)
PEOPLE_PER_UNIT = (5, 40)
UNIT_KINDS = ("phong", "ban", "trung-tam")

# Reliability tiers: the share of people in each, and each one's chance that a task is not
# plainly good (late, not done, or with a failed quality check).
TIER_SHARES = (0.70, 0.22, 0.08)
TIER_BAD = (0.05, 0.15, 0.40)
TASK_WEIGHTS = (0.5, 1.0, 1.0, 1.0, 1.0, 1.5, 2.0)

FREE_DEDUCTIONS = (
    "Đi muộn họp giao ban",
    "Không cập nhật phần mềm quản lý văn bản",
    "Chậm gửi báo cáo tuần",
    "Không đeo thẻ công chức",
)
DISCIPLINE_FORMS = ("reprimand",) * 6 + ("warning",) * 3 + ("demotion",)


# -- generation ------------------------------------------------------------------------------


def load_ruleset_data() -> tuple[dict[str, float], list[str]]:
    """The general items (key -> maximum) of nd335 and the deduction codes of the agency."""
    with (RULESETS / "nd335.toml").open("rb") as f:
        criteria = {item["key"]: item["max"] for item in tomllib.load(f)["general"]["items"]}
    with (RULESETS / "agency-monthly.toml").open("rb") as f:
        codes = [d["code"] for d in tomllib.load(f)["deductions"]["items"]]
    return criteria, codes


class Generator:
    """Builds the input of one month; every random choice comes from one seeded RNG."""

    def __init__(self, seed: int, tasks_per_person: int, agency: bool = True) -> None:
        self.rng = random.Random(seed)
        self.tasks_per_person = tasks_per_person
        self.agency = agency  # deductions and exemplary marks need the agency profile
        self.criteria, self.deduction_codes = load_ruleset_data()

    def units(self, people: int) -> Iterator[tuple[str, int]]:
        """(unit id, size) until `people` people are placed; the last unit is cut short."""
        rng = self.rng
        placed = 0
        org = 0
        while placed < people:
            org += 1
            for u in range(1, rng.randint(*UNITS_PER_ORG) + 1):
                size = min(rng.randint(*PEOPLE_PER_UNIT), people - placed)
                if size <= 0:
                    return
                yield f"s{org:03d}-{rng.choice(UNIT_KINDS)}-u{u:02d}", size
                placed += size

    def unit(self, unit_id: str, size: int) -> list[dict[str, Any]]:
        """The people of one unit: one head, one or two deputies, then the staff."""
        rng = self.rng
        deputies = 0 if size < 3 else (1 if size < 15 else rng.randint(1, 2))
        roles = ["head"] + ["deputy"] * deputies
        roles += ["staff"] * (size - len(roles))
        # Large units keep their support staff (nhân viên) in a group of their own.
        support = rng.randint(2, 6) if size >= 12 else 0
        people = []
        for n, role in enumerate(roles[:size], start=1):
            if role != "staff":
                group = "lanh-dao"
            elif n > size - support:
                group = "nhan-vien"
            else:
                group = "chuyen-vien"
            people.append(self.person(f"{unit_id}-p{n:03d}", unit_id, group, role))
        self.rank_by_head(people)
        return people

    def rank_by_head(self, people: list[dict[str, Any]]) -> None:
        """In about a third of the units the head ranks the best few of each staff group."""
        rng = self.rng
        if rng.random() >= 0.35:
            return
        for group in ("chuyen-vien", "nhan-vien"):
            members = [p for p in people if p["group"] == group]
            if members:
                chosen = rng.sample(members, min(len(members), rng.randint(1, 4)))
                for rank, p in enumerate(chosen, start=1):
                    p["head_rank"] = rank

    def person(self, pid: str, unit: str, group: str, role: str) -> dict[str, Any]:
        rng = self.rng
        bad = rng.choices(TIER_BAD, weights=TIER_SHARES)[0]
        person: dict[str, Any] = {
            "id": pid,
            "unit": unit,
            "group": group,
            "role": role,
            "general": self.general(),
            "tasks": [self.task(f"t{i:02d}", bad) for i in range(1, self.tasks_per_person + 1)],
        }
        if role != "staff" and rng.random() < 0.5:
            person["leader"] = {
                "organising": rng.choice((1, 1, 1, 0.5)),
                "cohesion": rng.choice((1, 1, 1, 0.5)),
            }
        if rng.random() < 0.10:
            person["initiatives"] = [
                {"id": f"i{i}", "approved": rng.random() < 0.7}
                for i in range(1, rng.randint(1, 2) + 1)
            ]
        if self.agency and rng.random() < 0.03:
            person["deductions"] = [self.deduction() for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.002:
            person["discipline"] = self.discipline(pid)
        if rng.random() < 0.0005:
            flag = "unit_corruption" if role != "staff" else "degeneration"
            person["flags"] = {flag: True}
        if rng.random() < 0.9:
            person["self_level"] = rng.choices(LEVELS, weights=(35, 60, 4, 1))[0]
        if self.agency and rng.random() < 0.005:
            person["exemplary"] = True
        return person

    def general(self) -> dict[str, float]:
        """The 10 items, mostly full marks, sometimes half a point or a point short."""
        rng = self.rng
        scores = {}
        for key, top in self.criteria.items():
            draw = rng.random()
            lost = 0 if draw < 0.85 else (0.5 if draw < 0.98 else 1)
            scores[key] = max(0, top - lost)
        return scores

    def task(self, tid: str, bad: float) -> dict[str, Any]:
        rng = self.rng
        task: dict[str, Any] = {"id": tid, "weight": rng.choice(TASK_WEIGHTS)}
        if rng.random() < 0.05:
            task["extra"] = True
        draw = rng.random()
        if draw >= bad:
            # Plainly good: on time, sometimes ahead of time.
            task["status"] = "exceeded" if rng.random() < 0.12 else "on_time"
            task["quality_failures"] = 1 if rng.random() < 0.01 else 0
            task["delays"] = 0
            return task
        kind = rng.random()
        if kind < 0.45:  # done on time, but a quality check failed
            task["status"] = "on_time"
            task["quality_failures"] = rng.randint(1, 2)
            task["delays"] = 0
        elif kind < 0.85:  # late
            task["status"] = "late"
            task["quality_failures"] = 1 if rng.random() < 0.1 else 0
            task["delays"] = rng.randint(1, 3)
            task["explanation"] = rng.choices(("none", "submitted", "approved"), (5, 3, 2))[0]
        else:  # not done
            task["status"] = "not_done"
            task["delays"] = 0
            task["explanation"] = rng.choices(("none", "submitted", "approved"), (4, 3, 3))[0]
            if task["explanation"] != "none" and rng.random() < 0.15:
                task["explanation_late"] = True
        task["objective_reason"] = rng.random() < 0.15
        return task

    def deduction(self) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < 0.6:
            item: dict[str, Any] = {"code": rng.choice(self.deduction_codes)}
            if rng.random() < 0.2:
                item["count"] = 2
            return item
        return {"reason": rng.choice(FREE_DEDUCTIONS), "points": rng.choice((0.5, 1, 1, 2))}

    def discipline(self, pid: str) -> list[dict[str, Any]]:
        """One violation: a decision this month or an earlier one, sometimes Party and admin."""
        rng = self.rng
        violation = f"{pid}-v1"
        this_month = rng.random() < 0.6
        first = {
            "form": rng.choice(DISCIPLINE_FORMS),
            "date": f"2026-{10 if this_month else rng.randint(7, 9):02d}-{rng.randint(1, 28):02d}",
            "source": "admin",
            "violation": violation,
            "counted_in": None,
        }
        decisions = [first]
        if rng.random() < 0.4:  # the Party decision on the same violation, this month
            decisions.append(
                {
                    "form": "expulsion" if rng.random() < 0.1 else "reprimand",
                    "date": f"2026-10-{rng.randint(1, 28):02d}",
                    "source": "party",
                    "violation": violation,
                    "counted_in": None if this_month else first["date"][:7],
                }
            )
        return decisions

    def history(self, person: dict[str, Any]) -> list[dict[str, Any]]:
        """The three previous months for about 60% of the people."""
        rng = self.rng
        if rng.random() >= 0.6:
            return []
        entries = []
        for period in HISTORY_PERIODS:
            score = round(min(100.0, max(40.0, rng.gauss(88, 6))), 2)
            level = "A" if score >= 90 else "B" if score >= 70 else "C" if score >= 50 else "D"
            undone = 0 if rng.random() < 0.93 else rng.randint(1, 2)
            entries.append(
                {
                    "id": person["id"],
                    "period": period,
                    "level": level,
                    "score": score,
                    "unexplained_undone": undone,
                }
            )
        return entries


def generate(
    people: int, tasks: int, seed: int, progress: Callable[[int], None], ruleset: str
) -> dict:
    """The whole input document of `people` people."""
    gen = Generator(seed, tasks, agency=ruleset == "agency-monthly")
    staff: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for unit_id, size in gen.units(people):
        for person in gen.unit(unit_id, size):
            staff.append(person)
            history.extend(gen.history(person))
        progress(len(staff))
    return {"period": PERIOD, "ruleset": ruleset, "people": staff, "history": history}


def write_input(path: Path, people: int, tasks: int, seed: int, ruleset: str) -> None:
    step = max(1, people // 10)
    shown = [0]

    def progress(done: int) -> None:
        if done - shown[0] >= step or done == people:
            shown[0] = done
            print(f"  generated {done:,}/{people:,} people", file=sys.stderr)

    started = time.perf_counter()
    data = generate(people, tasks, seed, progress, ruleset)
    print("  writing input.json ...", file=sys.stderr)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr)


# -- timing ----------------------------------------------------------------------------------


def best_of_interleaved(repeat: int, runs: dict[str, Callable[[], None]]) -> dict[str, float]:
    """The best time of each run over `repeat` rounds, the runs taking turns in each round.

    Shared machines change speed from one second to the next: taking turns exposes every
    run to the same conditions, and the best of several rounds is the least disturbed.
    """
    best = dict.fromkeys(runs, float("inf"))
    for round_no in range(1, repeat + 1):
        for name, run in runs.items():
            gc.collect()
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
        print(f"  round {round_no}/{repeat}", file=sys.stderr)
    return best


def classify_once(input_path: Path, output_path: Path, locale: str | None) -> None:
    """`python -m core classify input.json > out.json`; exits 1 if the core fails."""
    command = [sys.executable, "-m", "core", "classify", str(input_path)]
    if locale is not None:
        command += ["--locale", locale]
    with output_path.open("wb") as out:
        proc = subprocess.run(
            command,
            stdout=out,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            check=False,
        )
    if proc.returncode != 0:
        print(f"classify failed with exit code {proc.returncode}:", file=sys.stderr)
        print(proc.stderr.decode("utf-8", "replace"), file=sys.stderr)
        sys.exit(1)


def without_gc(run: Callable[[], None]) -> Callable[[], None]:
    """`run` with the cyclic garbage collector off, as `python -m core` runs."""

    def wrapped() -> None:
        gc.disable()
        try:
            run()
        finally:
            gc.enable()

    return wrapped


def stdlib_floor(input_path: Path, output_path: Path) -> None:
    """Read and parse the input, serialize it again and write it: the least any JSON-in,
    JSON-out command must do. `json.dumps` plus one write is the fast way: `json.dump` to a
    stream runs the pure-Python encoder and is several times slower."""
    data = json.loads(input_path.read_bytes())
    output_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def orjson_floor(orjson: Any, input_path: Path, output_path: Path) -> None:
    data = orjson.loads(input_path.read_bytes())
    output_path.write_bytes(orjson.dumps(data))


def peak_child_rss_mb() -> float:
    """Largest resident set of the waited-for children (ru_maxrss: KiB on Linux)."""
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def check_output(output_path: Path, expected_people: int) -> tuple[Counter, int]:
    with output_path.open(encoding="utf-8") as f:
        result = json.load(f)
    people = result["people"]
    if len(people) != expected_people:
        print(f"output has {len(people):,} people, input has {expected_people:,}", file=sys.stderr)
        sys.exit(1)
    return Counter(p["level"] for p in people), len(result["warnings"])


# -- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000, help="staff in the month")
    parser.add_argument("--tasks", type=int, default=10, help="tasks per person")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generator")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of timing (best kept)")
    parser.add_argument(
        "--locale", help="passed to classify as --locale (default: the core's own, vi)"
    )
    parser.add_argument("--keep", metavar="DIR", help="write the files here and keep them")
    parser.add_argument(
        "--ruleset",
        default="agency-monthly",
        choices=("agency-monthly", "nd335"),
        help="the input's built-in ruleset (default: agency-monthly)",
    )
    args = parser.parse_args(argv)
    if args.people < 1 or args.tasks < 1 or args.repeat < 1:
        parser.error("--people, --tasks and --repeat must be at least 1")

    if args.keep:
        workdir = Path(args.keep)
        workdir.mkdir(parents=True, exist_ok=True)
        cleanup = None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="classify-bench-")
        workdir = Path(cleanup.name)
    try:
        return run_benchmark(args, workdir)
    finally:
        if cleanup is not None:
            cleanup.cleanup()


def run_benchmark(args: argparse.Namespace, workdir: Path) -> int:
    input_path = workdir / "input.json"
    output_path = workdir / "out.json"
    floor_path = workdir / "floor.json"

    print(
        f"Generating {args.people:,} people x {args.tasks} tasks (seed {args.seed})",
        file=sys.stderr,
    )
    write_input(input_path, args.people, args.tasks, args.seed, args.ruleset)
    size_mb = input_path.stat().st_size / 1e6
    print(f"  input: {input_path} ({size_mb:.1f} MB)", file=sys.stderr)

    print(f"Timing, best of {args.repeat} ...", file=sys.stderr)
    runs = {
        "classify": lambda: classify_once(input_path, output_path, args.locale),
        "floor": lambda: stdlib_floor(input_path, floor_path),
        "floor_nogc": without_gc(lambda: stdlib_floor(input_path, floor_path)),
    }
    try:
        import orjson
    except ImportError:
        orjson = None
    else:
        runs["orjson"] = lambda: orjson_floor(orjson, input_path, floor_path)
    best = best_of_interleaved(args.repeat, runs)
    rss_mb = peak_child_rss_mb()
    classify_s, floor_s, floor_nogc_s = best["classify"], best["floor"], best["floor_nogc"]
    orjson_s = best.get("orjson")
    levels, warnings = check_output(output_path, args.people)

    ratio = classify_s / floor_s
    ratio_nogc = classify_s / floor_nogc_s
    verdict = "OK" if ratio <= TARGET else "ABOVE TARGET"
    rows = [
        ("people", f"{args.people:,} x {args.tasks} tasks ({args.ruleset})"),
        ("input size", f"{size_mb:.1f} MB"),
        ("classify (subprocess)", f"{classify_s:.3f} s  (best of {args.repeat})"),
        (
            "json floor (stdlib)",
            f"{floor_s:.3f} s  (json.loads + json.dumps, best of {args.repeat})",
        ),
        ("ratio to stdlib floor", f"{ratio:.2f}  (target <= {TARGET}: {verdict})"),
        (
            "json floor, gc off",
            f"{floor_nogc_s:.3f} s  (the same with the cyclic GC off, as the core runs)",
        ),
        ("ratio to gc-off floor", f"{ratio_nogc:.2f}"),
    ]
    if orjson_s is not None:
        rows += [
            ("orjson floor", f"{orjson_s:.3f} s  (orjson.loads + orjson.dumps: the core's own)"),
            ("ratio to orjson floor", f"{classify_s / orjson_s:.2f}"),
        ]
    else:
        rows.append(("orjson floor", "n/a (orjson not installed)"))
    rows += [
        ("classify peak RSS", f"{rss_mb:.0f} MB"),
        ("levels", "  ".join(f"{lv}={levels.get(lv, 0):,}" for lv in LEVELS)),
        ("warnings", f"{warnings:,}"),
    ]
    for label, value in rows:
        print(f"{label + ':':<23}{value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
