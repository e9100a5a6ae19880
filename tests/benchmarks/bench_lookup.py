"""Benchmark: resolving an id on demo stores, found and not found, SQLite and PostgreSQL (p50 and p95).

    .venv/bin/python tests/benchmarks/bench_lookup.py
    .venv/bin/python tests/benchmarks/bench_lookup.py --sizes 100000 1000000 --backends sqlite

Each store contains the demo history of seed 1 (`sync.demo`); a store of the
right size left by an earlier run is reused. SQLite stores are
demo-<size>.db in --workdir, PostgreSQL databases lineage_lookup_bench_<size>
on 127.0.0.1:5432, dropped with --drop. A lookup that finds nothing reads the
lot, label and sample tables in full to suggest the ids that match ignoring
case, so its time grows with the store. Figures are for a warm cache.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sync.database import open_postgres  # noqa: E402
from sync.demo import write_demo_history  # noqa: E402
from sync.errors import NotFound  # noqa: E402
from sync.lineage import resolve  # noqa: E402
from sync.models import Event, database_proxy  # noqa: E402
from sync.store import Store  # noqa: E402

SEED = 1
POSTGRES_ADMIN = {"host": "127.0.0.1", "port": 5432, "dbname": "test", "connect_timeout": 3}
# VAL24-00001 is the first lot number the demo history registers.
QUERIES = {
    "lot number, exact": "VAL24-00001",
    "lot number, wrong case": "val24-00001",
    "unknown id": "NOPE-00001",
}


def percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def time_resolve(query: str, runs: int) -> tuple[list[float], str]:
    """Resolve the query `runs` times after one warm-up call; return the times in ms and the outcome."""
    outcome = _resolve_outcome(query)
    times_ms = []
    for _ in range(runs):
        started = time.perf_counter()
        _resolve_outcome(query)
        times_ms.append((time.perf_counter() - started) * 1000)
    return times_ms, outcome


def _resolve_outcome(query: str) -> str:
    try:
        return f"found ({resolve(query).matched})"
    except NotFound as error:
        return "not found, suggests" if "did you mean" in str(error) else "not found"


@contextmanager
def sqlite_store(workdir: Path, size: int) -> Iterator[None]:
    """Open the demo store of `size` events in workdir for reading, written first when missing or of another size."""
    path = workdir / f"demo-{size}.db"
    if path.exists():
        with Store.open(path) as store, store.reading():
            event_count = Event.select().count()
        if event_count != size:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    if not path.exists():
        print(f"writing {size} events to {path}", flush=True)
        write_demo_history(str(path), events=size, seed=SEED)
    with Store.open(path) as store, store.reading():
        yield


@contextmanager
def postgres_store(size: int, *, drop: bool) -> Iterator[None]:
    """Bind the models to a PostgreSQL database with the demo history of `size` events, written first when needed."""
    name = f"lineage_lookup_bench_{size}"
    url = f"postgresql://127.0.0.1:5432/{name}"
    admin = psycopg2.connect(**POSTGRES_ADMIN)
    admin.autocommit = True
    try:
        if _postgres_event_count(admin, url, name) != size:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"writing {size} events to {url}", flush=True)
            write_demo_history(url, events=size, seed=SEED)
        db = open_postgres(url)
        database_proxy.initialize(db)
        with db.connection_context():
            yield
        db.close()
        if drop:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def _postgres_event_count(admin: psycopg2.extensions.connection, url: str, name: str) -> int | None:
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            return None
    db = open_postgres(url)
    database_proxy.initialize(db)
    try:
        with db.connection_context():
            return Event.select().count() if db.table_exists("event") else None
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--workdir", type=Path, default=Path.home() / ".cache" / "powder-lineage-bench")
    parser.add_argument("--runs", type=int, default=200, help="lookups measured per query and store (default 200)")
    parser.add_argument("--drop", action="store_true", help="drop the PostgreSQL databases afterwards")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    print("| database | events | query | outcome | p50 ms | p95 ms |")
    print("|---|---:|---|---|---:|---:|")
    for backend in args.backends:
        for size in args.sizes:
            context = sqlite_store(args.workdir, size) if backend == "sqlite" else postgres_store(size, drop=args.drop)
            with context:
                for name, query in QUERIES.items():
                    times_ms, outcome = time_resolve(query, args.runs)
                    p50, p95 = percentile(times_ms, 0.5), percentile(times_ms, 0.95)
                    row = f"| {backend} | {size:,} | {name} (`{query}`) | {outcome} | {p50:.1f} | {p95:.1f} |"
                    print(row, flush=True)


if __name__ == "__main__":
    main()
