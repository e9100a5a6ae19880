"""Sustained batch ingest into a real `lineage-server`: events/s and batch latency, SQLite and PostgreSQL.

    .venv/bin/python tests/benchmarks/bench_ingest.py --events 20000 --batch-sizes 100 500

Each configuration gets a fresh database and one server process (``--workers`` on
PostgreSQL). The events are a plausible mix: per 10 events of a station, one lot
registered with 2 containers, then 9 opens and reseals.
``--stations`` stations send their chains at the same time, each one batch after
the other, as stations do; the figures count only the sending, not the sealing
of the events beforehand.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.sync.server.support import (
    Backend,
    ServerProcess,
    auth,
    batch_of,
    make_mixed_chain,
    postgres_absent_reason,
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def send_chain(url: str, token: str, station: str, bodies: list[str], latencies: list[float]) -> None:
    session = requests.Session()
    headers = {"Content-Type": "application/json", **auth(token)}
    for body in bodies:
        start = time.perf_counter()
        response = session.post(f"{url}/api/v1/events/batch", data=body, headers=headers, timeout=120)
        latencies.append(time.perf_counter() - start)
        if response.status_code != 200 or response.json()["rejected"]:
            raise SystemExit(f"batch of {station} failed: {response.status_code} {response.text[:300]}")


def run(kind: str, batch_size: int, chains: dict[str, list[dict]], folder: Path, workers: int) -> dict[str, float]:
    with Backend.make(kind, folder) as backend:
        server = ServerProcess(backend, folder, workers=workers if kind == "postgres" else 1).start()
        try:
            tokens = {station: server.enrol(station) for station in chains}
            bodies = {
                station: [
                    json.dumps(batch_of(station, events[i : i + batch_size])) for i in range(0, len(events), batch_size)
                ]
                for station, events in chains.items()
            }
            latencies: list[float] = []
            threads = [
                threading.Thread(target=send_chain, args=(server.url, tokens[s], s, bodies[s], latencies))
                for s in chains
            ]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - start
            total = sum(len(events) for events in chains.values())
            held = backend.query("SELECT count(*) FROM event")[0][0]
            assert held == total, (held, total)
            return {
                "events": total,
                "seconds": elapsed,
                "events_per_s": total / elapsed,
                "p50_ms": statistics.median(latencies) * 1000,
                "p95_ms": percentile(latencies, 0.95) * 1000,
            }
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20000, help="events per configuration (default 20000)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--stations", type=int, default=1, help="stations sending at once (default 1)")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--workers", type=int, default=1, help="server worker processes on PostgreSQL (default 1)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per configuration; the median and best events/s are shown (default 1)",
    )
    args = parser.parse_args()

    per_station = args.events // args.stations
    print(f"Sealing {per_station * args.stations} events ...", file=sys.stderr)
    chains = {
        f"BENCH-{n:03d}": [e.to_dict() for e in make_mixed_chain(f"BENCH-{n:03d}", per_station)]
        for n in range(args.stations)
    }
    targets = {"sqlite": 1200, "postgres": 5000}
    print(
        "| backend | workers | batch | stations | events | events/s (median) | best | target | p50 batch ms | p95 batch ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind in args.backends:
        if kind == "postgres" and (reason := postgres_absent_reason()):
            print(f"skipping PostgreSQL: {reason}", file=sys.stderr)
            continue
        for batch_size in args.batch_sizes:
            runs = []
            for _ in range(args.repeat):
                with tempfile.TemporaryDirectory() as folder:
                    runs.append(run(kind, batch_size, chains, Path(folder), args.workers))
            runs.sort(key=lambda item: item["events_per_s"])
            result = runs[len(runs) // 2]
            best = runs[-1]["events_per_s"]
            print(
                f"| {kind} | {args.workers if kind == 'postgres' else 1} | {batch_size} | {args.stations} | {result['events']} | {result['events_per_s']:.0f} | {best:.0f} | "
                f"{targets[kind]} | {result['p50_ms']:.0f} | {result['p95_ms']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
