"""200 stations with a backlog reconnect within one minute to 4 server workers on PostgreSQL.

    .venv/bin/python tests/benchmarks/bench_reconnect.py --stations 200 --backlog 250 --spread-s 60 --workers 4

Each simulated station is a thread that sends its pre-sealed chain in batches of
100, one batch after the other, as `SyncClient` does: it waits out Retry-After on
429 and 503 (plus up to 1 s of jitter), and backs off exponentially with jitter on
a timeout or a connection error. Stations start at random moments within
``--spread-s`` seconds. At the end the server must hold every event exactly once
and `lineage-server verify` must pass.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter
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


class Tally:
    """Responses by status, successful batch latencies and errors, shared by the station threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.results: Counter[str] = Counter()
        self.finished_at: list[float] = []


def run_station(url: str, token: str, bodies: list[str], start_at: float, tally: Tally, rng: random.Random) -> None:
    time.sleep(max(0.0, start_at - time.perf_counter()))
    session = requests.Session()
    headers = {"Content-Type": "application/json", **auth(token)}
    failures = 0
    index = 0
    while index < len(bodies):
        begin = time.perf_counter()
        try:
            response = session.post(f"{url}/api/v1/events/batch", data=bodies[index], headers=headers, timeout=(5, 60))
        except requests.RequestException as error:
            with tally.lock:
                tally.statuses[type(error).__name__] += 1
            failures += 1
            cap = min(60.0, 2 ** (failures - 1))
            time.sleep(cap / 2 + rng.random() * cap / 2)
            continue
        elapsed = time.perf_counter() - begin
        with tally.lock:
            tally.statuses[str(response.status_code)] += 1
        if response.status_code in (429, 503):
            time.sleep(float(response.headers.get("Retry-After", "1")) + rng.random())
            continue
        if response.status_code != 200:
            raise SystemExit(f"unexpected {response.status_code}: {response.text[:300]}")
        failures = 0
        answer = response.json()
        with tally.lock:
            tally.latencies.append(elapsed)
            tally.results.update(result["status"] for result in answer["results"])
        index += 1
    with tally.lock:
        tally.finished_at.append(time.perf_counter())


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=200)
    parser.add_argument("--backlog", type=int, default=250, help="events waiting at each station (default 250)")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--spread-s", type=float, default=60.0, help="stations reconnect within this many seconds")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if reason := postgres_absent_reason():
        raise SystemExit(f"PostgreSQL not available: {reason}")

    rng = random.Random(args.seed)
    stations = [f"RC-{n:03d}" for n in range(args.stations)]
    print(f"Sealing {args.stations * args.backlog} events ...", file=sys.stderr)
    bodies = {}
    for station in stations:
        events = [event.to_dict() for event in make_mixed_chain(station, args.backlog)]
        bodies[station] = [
            json.dumps(batch_of(station, events[i : i + args.batch_size]))
            for i in range(0, len(events), args.batch_size)
        ]

    with tempfile.TemporaryDirectory() as folder_name, Backend.make("postgres", Path(folder_name)) as backend:
        server = ServerProcess(backend, Path(folder_name), workers=args.workers).start()
        try:
            tokens = {station: server.enrol(station) for station in stations}
            tally = Tally()
            origin = time.perf_counter()
            starts = sorted(origin + rng.random() * args.spread_s for _ in stations)
            threads = [
                threading.Thread(
                    target=run_station,
                    args=(server.url, tokens[s], bodies[s], start, tally, random.Random(rng.random())),
                )
                for s, start in zip(stations, starts, strict=True)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            drain_s = max(tally.finished_at) - origin
            after_last_start_s = max(tally.finished_at) - starts[-1]
            total = args.stations * args.backlog
            held = backend.query("SELECT count(*), count(DISTINCT event_id) FROM event")[0]
            arrivals = backend.query("SELECT count(*) FROM arrival")[0][0]
            verify = server.verify()
        finally:
            server.stop()

    print(
        f"{args.stations} stations x {args.backlog} events = {total}, batches of {args.batch_size}, {args.workers} workers, reconnecting within {args.spread_s:g} s"
    )
    print(
        f"drain: {drain_s:.1f} s from the first reconnect, {after_last_start_s:.1f} s after the last; {total / drain_s:.0f} events/s overall"
    )
    print(
        f"batch latency (200 responses): p50 {percentile(tally.latencies, 0.5) * 1000:.0f} ms, p99 {percentile(tally.latencies, 0.99) * 1000:.0f} ms"
    )
    print(f"responses by status: {dict(sorted(tally.statuses.items()))}")
    print(f"per-event results: {dict(tally.results)}")
    print(f"server holds {held[0]} events ({held[1]} distinct), {arrivals} arrival rows; expected {total}")
    print(f"lineage-server verify: {verify.stdout.strip().splitlines()[-1]}")
    lost_or_doubled = held[0] != total or held[1] != total or arrivals != total
    if lost_or_doubled or verify.returncode != 0:
        raise SystemExit("FAILED: events lost or duplicated, or a chain is broken")


if __name__ == "__main__":
    main()
