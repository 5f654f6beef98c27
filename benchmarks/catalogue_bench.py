"""Benchmark of the task catalogue and the plans from spreadsheets, through the admin
command line as the office runs it (`python -m bot admin ...`), in a migrated SQLite
database (or DATABASE_URL, an empty database):

- import-catalogue of --products products (default 10,000) in --positions job positions
  (default 100), then the same file again (nothing changes);
- import-plan of --tasks tasks (default 6,000) for --people people (default 2,000): the
  dry run, the import, the same file again;
- a search by words in a job position's products (`storage.catalogue.search`, as the
  chat does it), best and mean of --searches (default 200).

    python benchmarks/catalogue_bench.py
    python benchmarks/catalogue_bench.py --products 10000 --people 2000 --tasks 6000
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlmodel import Session, select  # noqa: E402

from bot.admin import main  # noqa: E402
from storage.catalogue import search  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.models import Organization  # noqa: E402

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
WORDS = ("Báo cáo", "Kế hoạch", "Thẩm định hồ sơ", "Tổng hợp", "Dự thảo", "Kiểm tra")
THINGS = ("công tác tháng", "tuyển dụng", "biên chế", "cải cách hành chính", "thanh niên")


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def files(folder: Path, products: int, positions: int, people: int, tasks: int) -> None:
    per = products // positions
    catalogue = [["Vị trí việc làm", "Mã sản phẩm", "Tên sản phẩm", "Điểm"]]
    for p in range(positions):
        for n in range(per):
            title = f"{WORDS[n % len(WORDS)]} {THINGS[n // len(WORDS) % len(THINGS)]} số {n}"
            catalogue.append([f"Vị trí số {p}", f"P{p:03d}-{n:03d}", title, str(2.5 * (1 + n % 4))])
    write_csv(folder / "catalogue.csv", catalogue)
    roster = [["Mã", "Họ và tên", "Đơn vị", "Nhóm", "Chức vụ", "Loại", "Vị trí việc làm"]]
    for n in range(people):
        roster.append(
            [
                f"nv{n:05d}",
                f"Nguyễn Văn Số {n}",
                f"Phòng số {n % 20}",
                "Chuyên viên",
                "Chuyên viên",
                "Công chức",
                f"Vị trí số {n % positions}",
            ]
        )
    write_csv(folder / "roster.csv", roster)
    plan = [["Mã", "Nhiệm vụ", "Mã sản phẩm", "Thời hạn", "Hệ số quy đổi"]]
    for n in range(tasks):
        person = n % people
        k = n // people
        if k % 3 == 2:  # a free task, its factor given
            plan.append([f"nv{person:05d}", f"Nhiệm vụ riêng số {k}", "", "20/01/2027", "1,5"])
        else:
            code = f"P{person % positions:03d}-{k:03d}"
            plan.append([f"nv{person:05d}", "", code, f"{10 + k}/01/2027", ""])
    write_csv(folder / "plan.csv", plan)


def timed(*args: str) -> float:
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(["--locale", "en", *args], clock=lambda: NOW)
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"{' '.join(args)} exited {code}")
    return elapsed


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--positions", type=int, default=100)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--tasks", type=int, default=6_000)
    parser.add_argument("--searches", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder / 'bench.db'}")
        files(folder, args.products, args.positions, args.people, args.tasks)
        org = ("--org", "so-bench")
        roster = timed("import-roster", str(folder / "roster.csv"), *org)
        print(f"roster of {args.people} people: {roster:.2f} s")
        catalogue = (
            "import-catalogue",
            str(folder / "catalogue.csv"),
            *org,
            "--effective",
            "2026-01-01",
        )
        print(f"import-catalogue, {args.products} products: {timed(*catalogue):.2f} s")
        print(f"  the same file again (nothing changes): {timed(*catalogue):.2f} s")
        plan = ("import-plan", str(folder / "plan.csv"), *org, "--period", "2027-01")
        print(f"import-plan, {args.tasks} tasks of {args.people} people:")
        print(f"  --dry-run: {timed(*plan, '--dry-run'):.2f} s")
        print(f"  import: {timed(*plan):.2f} s")
        print(f"  the same file again (nothing changes): {timed(*plan):.2f} s")
        engine = make_engine(os.environ["DATABASE_URL"])
        with Session(engine) as session:
            org_id = session.exec(select(Organization.id)).one()
            times = []
            for n in range(args.searches):
                words = f"{WORDS[n % len(WORDS)]} {THINGS[n % len(THINGS)]}".lower()
                start = time.perf_counter()
                found = search(
                    session, org_id, f"Vị trí số {n % args.positions}", words, date(2027, 1, 1)
                )
                times.append(time.perf_counter() - start)
                assert found, words
        engine.dispose()
        per = args.products // args.positions
        print(
            f"search by words among {per} products of a position ({args.products} in the "
            f"catalogue): best {min(times) * 1000:.1f} ms, "
            f"mean {sum(times) / len(times) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main_bench()
