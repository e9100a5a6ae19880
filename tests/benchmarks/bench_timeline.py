"""Benchmark: one-lot timeline on demo stores of growing size, SQLite and PostgreSQL (p50 and p95).

    .venv/bin/python tests/benchmarks/bench_timeline.py
    .venv/bin/python tests/benchmarks/bench_timeline.py --sizes 10000 100000 --backends sqlite

Each store contains the demo history of seed 1 (`sync.demo`); a store of the
right size left by an earlier run is reused. The timeline is built for the
five blends that `sync.demo.find_deep_lots` returns (each with at least 5
upstream generations), round robin, after one warm-up call per lot, so the
figures are for a warm cache. PostgreSQL databases are named
lineage_bench_<size> on 127.0.0.1:5432 and are dropped with --drop.
Target: p95 under 50 ms at 1 000 000 events.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sync.database import open_postgres  # noqa: E402
from sync.demo import find_deep_lots, write_demo_history  # noqa: E402
from sync.lineage import DEFAULT_DEPTH  # noqa: E402
from sync.models import Event, database_proxy  # noqa: E402
from sync.store import Store  # noqa: E402
from sync.timeline import build_timeline  # noqa: E402

TARGET_P95_MS = 50.0
POSTGRES_ADMIN = {"host": "127.0.0.1", "port": 5432, "dbname": "test", "connect_timeout": 3}
SEED = 1


def percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` of the sorted values lie (nearest rank)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def write_if_missing(target: str, size: int, events_held: int | None) -> float | None:
    """Write the demo history unless the target contains it already; return the seconds taken, or None."""
    if events_held == size:
        return None
    started = time.perf_counter()
    write_demo_history(target, events=size, seed=SEED, progress=_print_progress, progress_every=100_000)
    return time.perf_counter() - started


def _print_progress(done: int, total: int) -> None:
    print(f"    {done}/{total} events written", flush=True)


@contextmanager
def sqlite_store(workdir: Path, size: int) -> Iterator[float | None]:
    path = workdir / f"demo-{size}.db"
    event_count = None
    if path.exists():
        store = Store.open(path)
        with store.reading():
            event_count = Event.select().count()
        store.close()
        if event_count != size:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    seconds = write_if_missing(str(path), size, event_count)
    store = Store.open(path)
    try:
        with store.reading():
            yield seconds
    finally:
        store.close()


@contextmanager
def postgres_store(size: int, *, drop: bool) -> Iterator[float | None]:
    name = f"lineage_bench_{size}"
    admin = psycopg2.connect(**POSTGRES_ADMIN)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        exists = cursor.fetchone() is not None
    url = f"postgresql://127.0.0.1:5432/{name}"
    event_count = None
    if exists:
        event_count = _postgres_event_count(url)
    if event_count != size:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    seconds = write_if_missing(url, size, event_count)
    db = open_postgres(url)
    database_proxy.initialize(db)
    try:
        with db.connection_context():
            yield seconds
    finally:
        db.close()
        if drop:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _postgres_event_count(url: str) -> int | None:
    db = open_postgres(url)
    database_proxy.initialize(db)
    try:
        with db.connection_context():
            return Event.select().count() if db.table_exists("event") else None
    finally:
        db.close()


def measure_timelines(runs: int, depth: int) -> dict[str, float]:
    """Build timelines of the deep demo lots round robin; return latency percentiles in ms and sizes."""
    lots = [lot_id for lot_id, _generations in find_deep_lots(min_generations=5, limit=5)]
    if not lots:
        raise SystemExit("no lot with 5 upstream generations in this store; use a larger size")
    sizes = []
    for lot_id in lots:
        timeline = build_timeline(lot_id, max_depth=depth)
        sizes.append((len(timeline["events"]), len(timeline["upstream"]), len(timeline["downstream"])))
    latencies_ms = []
    per_lot_ms: list[list[float]] = [[] for _lot in lots]
    for run in range(runs):
        started = time.perf_counter()
        build_timeline(lots[run % len(lots)], max_depth=depth)
        latencies_ms.append((time.perf_counter() - started) * 1000)
        per_lot_ms[run % len(lots)].append(latencies_ms[-1])
    # Each lot's related lots (upstream and downstream) and median time: the time follows the first.
    by_size = sorted((s[1] + s[2], statistics.median(ms)) for s, ms in zip(sizes, per_lot_ms, strict=True))
    print("    per lot: " + ", ".join(f"{related} related lots {ms:.1f} ms" for related, ms in by_size), flush=True)
    return {
        "p50_ms": statistics.median(latencies_ms),
        "p95_ms": percentile(latencies_ms, 0.95),
        "max_ms": max(latencies_ms),
        "lots": len(lots),
        "events": statistics.mean(s[0] for s in sizes),
        "upstream": statistics.mean(s[1] for s in sizes),
        "downstream": statistics.mean(s[2] for s in sizes),
    }


def report(backend: str, size: int, depth: int, write_s: float | None, figures: dict[str, float]) -> None:
    verdict = ""
    if size >= 1_000_000 and depth == DEFAULT_DEPTH:
        met = figures["p95_ms"] < TARGET_P95_MS
        verdict = f"  target p95 < {TARGET_P95_MS:g} ms: {'met' if met else 'MISSED'}"
    written = "reused" if write_s is None else f"written in {write_s:.0f} s ({size / write_s:,.0f} events/s)"
    print(
        f"{backend:10} {size:>9} events ({written}): timeline to depth {depth} p50 {figures['p50_ms']:.1f} ms, "
        f"p95 {figures['p95_ms']:.1f} ms, max {figures['max_ms']:.1f} ms over {figures['lots']:.0f} lots "
        f"(on average {figures['events']:.0f} events, {figures['upstream']:.0f} upstream and "
        f"{figures['downstream']:.0f} downstream lots){verdict}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--workdir", type=Path, default=Path.home() / ".cache" / "powder-lineage-bench")
    parser.add_argument("--runs", type=int, default=100, help="timelines measured per store (default 100)")
    parser.add_argument(
        "--depth",
        type=int,
        nargs="+",
        default=[DEFAULT_DEPTH, 25],
        help=f"genealogy levels to follow (default {DEFAULT_DEPTH} and 25)",
    )
    parser.add_argument("--drop", action="store_true", help="drop the PostgreSQL databases afterwards")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    for backend in args.backends:
        for size in args.sizes:
            print(f"{backend} {size} events: preparing the store", flush=True)
            context = sqlite_store(args.workdir, size) if backend == "sqlite" else postgres_store(size, drop=args.drop)
            with context as write_s:
                for depth in args.depth:
                    report(backend, size, depth, write_s, measure_timelines(args.runs, depth))


if __name__ == "__main__":
    main()
