"""A station's 10,000-event backlog drained into a real server, and the station's save latency meanwhile.

    .venv/bin/python tests/benchmarks/bench_backlog.py --events 10000 --backend sqlite

The backlog is written straight into a fresh station store (events, projections and
outbox rows, as `Store.record` leaves them). Then `SyncClient.push` drains it on one
thread while the main thread records an event every 50 ms through `Store.record`, as
an operator at the kiosk would; each save is timed from call to durable commit.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sync import projection
from sync.client import SyncClient, SyncSettings
from sync.models import ChainHead, Event, Outbox, event_row
from sync.store import Store, now_utc_us
from tests.helpers import OPERATOR, exposure_body, lot_body
from tests.sync.server.support import Backend, ServerProcess, make_mixed_chain, postgres_absent_reason

STATION = "ST-BACKLOG"


def write_backlog(store: Store, count: int) -> None:
    events = make_mixed_chain(STATION, count)
    now = now_utc_us()

    def job() -> None:
        for start in range(0, len(events), 500):
            chunk = events[start : start + 500]
            projection.insert_many_plain(Event, [event_row(event, now) for event in chunk])
            projection.apply_events_bulk(chunk)
            outbox = [
                {
                    "event_id": e.event_id,
                    "seq": e.seq,
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_utc_us": 0,
                    "updated_utc_us": now,
                }
                for e in chunk
            ]
            projection.insert_many_plain(Outbox, outbox)
        ChainHead.insert(station_id=STATION, seq=events[-1].seq, hash=events[-1].hash).execute()

    store.write(job)


def save_latencies(store: Store, stop: threading.Event, *, interval_s: float, limit: int, tag: str) -> list[float]:
    latencies = []
    for index in range(limit):
        if stop.is_set():
            break
        start = time.perf_counter()
        if index % 3 == 0:
            store.record("lot_registered", lot_body(f"{tag}-L{index}", {f"{tag}-C{index}": 5.0}), operator_id=OPERATOR)
        else:
            store.record(
                "container_opened" if index % 3 == 1 else "container_resealed",
                exposure_body(f"{tag}-C{index - index % 3}"),
                operator_id=OPERATOR,
                check_rules=False,
            )
        latencies.append(time.perf_counter() - start)
        time.sleep(interval_s)
    return latencies


def describe(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument(
        "--batch-size", type=int, default=200, help="the client's batch size (default 200, as configured)"
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    if args.backend == "postgres" and (reason := postgres_absent_reason()):
        raise SystemExit(f"PostgreSQL not available: {reason}")

    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        with Backend.make(args.backend, folder) as backend:
            server = ServerProcess(backend, folder).start()
            try:
                token = server.enrol(STATION)
                store = Store.open(folder / "station.db", station_id=STATION)
                print(f"Writing a backlog of {args.events} events ...", file=sys.stderr)
                write_backlog(store, args.events)
                idle = save_latencies(store, threading.Event(), interval_s=0.05, limit=40, tag="IDLE")

                client = SyncClient(store, SyncSettings(server_url=server.url, token=token, batch_size=args.batch_size))
                stop = threading.Event()
                busy: list[float] = []
                saver = threading.Thread(
                    target=lambda: busy.extend(save_latencies(store, stop, interval_s=0.05, limit=100_000, tag="BUSY"))
                )
                start = time.perf_counter()
                saver.start()
                report = client.push()
                drained_s = time.perf_counter() - start
                stop.set()
                saver.join()
                client.push()  # what was recorded while draining
                store.close()
                held = backend.query(f"SELECT count(*) FROM event WHERE station_id = '{STATION}'")[0][0]
            finally:
                server.stop()
    sent = report.accepted + report.duplicates
    print(
        f"backend {args.backend}, batch size {args.batch_size}: drained {sent} events in {drained_s:.1f} s ({sent / drained_s:.0f} events/s), {report.batches} batches"
    )
    print(f"save latency idle:           {describe(idle)}")
    print(f"save latency while draining: {describe(busy)}")
    print(
        f"server holds {held} events of the station: the backlog and {held - args.events} recorded during the measurement"
    )


if __name__ == "__main__":
    main()
