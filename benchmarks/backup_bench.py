"""Benchmark of `admin backup` and `admin restore` on a province: --people staff (default
50,000) in --units units (default 500), as status_bench.py fills it, in a migrated SQLite
database (or DATABASE_URL: PostgreSQL, pg_dump and pg_restore).

It prints the size of the backup, the time of the backup and of the restore, best of
--repeat (default 3), and how many single-row writes another connection committed while
one backup ran (the online backup does not stop the bot).

    python benchmarks/backup_bench.py
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/bench python benchmarks/backup_bench.py
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from benchmarks.status_bench import populate  # noqa: E402
from storage.backup import backup, inspect, restore  # noqa: E402
from storage.db import make_engine, migrate  # noqa: E402


def best(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def writes_during(url: str, work) -> int:
    """Single-row commits of another connection while `work` runs."""
    engine = make_engine(url)
    done, count = threading.Event(), 0

    def write() -> None:
        nonlocal count
        while not done.is_set():
            with engine.begin() as connection:
                connection.execute(text("UPDATE person SET active = active WHERE id = 1"))
            count += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        work()
    finally:
        done.set()
        writer.join()
        engine.dispose()
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="backup-bench-") as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        migrate(url)
        populate(url, args.people, args.units)
        files = iter(Path(folder) / f"backup-{n}" for n in range(10_000))
        last: list[Path] = []

        def one_backup() -> None:
            path = next(files)
            backup(url, path)
            last.append(path)

        backup_time = best(args.repeat, one_backup)
        size = last[-1].stat().st_size
        info = inspect(url, last[-1])
        restore_time = best(args.repeat, lambda: restore(url, info))
        start = time.perf_counter()
        writes = writes_during(url, one_backup)
        busy_time = time.perf_counter() - start
    print(f"database: {url.split('://')[0]}, {args.people:,} people in {args.units} units")
    print(f"backup size: {size / 1e6:.1f} MB")
    print(f"backup: {backup_time * 1000:.0f} ms (best of {args.repeat})")
    print(f"restore: {restore_time * 1000:.0f} ms (best of {args.repeat})")
    print(
        f"a backup while another connection writes: {busy_time * 1000:.0f} ms, "
        f"{writes} single-row commits meanwhile"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
