"""Benchmark: durable event append at a station, `Store.record` with synchronous=FULL (median and p99).

    .venv/bin/python tests/benchmarks/bench_append.py
    .venv/bin/python tests/benchmarks/bench_append.py --appends 5000 --prefill 0 100000
    .venv/bin/python tests/benchmarks/bench_append.py --appends 40000 --prefill 0 --memory-every 5000

Each append is one `Store.record` call as a station screen makes it: seal,
station rules, insert with projections and outbox row, commit on the writer
thread, and the fsync that synchronous=FULL adds. The events open and reseal
200 containers in turn. With --prefill N the store first contains the demo history
of N events (seed 1), so the rules and projections run against a grown store.
The store lives in --workdir, which must be on the disk the station uses: a
tmpfs makes fsync free and the figures meaningless.
Target: median under 5 ms. With --memory-every N it also prints the process's
resident memory and the store's size every N appends: the page cache of each
connection fills as the store grows, then stays at its limit.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sync.demo import write_demo_history  # noqa: E402
from sync.reference import import_reference_rows, load_reference_file  # noqa: E402
from sync.store import Store  # noqa: E402

TARGET_MEDIAN_MS = 5.0
DEMO_REFERENCE = ROOT / "assets" / "demo" / "reference.toml"
OPERATOR = "OP-0001"
WARM_UP_APPENDS = 20
CONTAINERS = 200


def percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` of the sorted values lie (nearest rank)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def exposure_body(container_id: str, relative_humidity_pct: float) -> dict[str, object]:
    return {
        "container_id": container_id,
        "storage_location": "Store A (dry store)",
        "humidity_control_active": True,
        "ambient_temperature_c": 21.0,
        "relative_humidity_pct": relative_humidity_pct,
    }


def open_store(path: Path, prefill: int) -> Store:
    """Open a store at `path`: the demo history of `prefill` events, or an empty one with the demo reference data."""
    if prefill:
        write_demo_history(path, events=prefill, seed=1)
        return Store.open(path)
    store = Store.open(path, station_id="ST-01")
    sections = load_reference_file(DEMO_REFERENCE)
    store.write(lambda: import_reference_rows(sections))
    return store


def read_synchronous(store: Store) -> int:
    """Return the writer connection's synchronous setting (2 is FULL)."""
    return int(store.write(lambda: store.db.execute_sql("PRAGMA synchronous").fetchone()[0]))


def resident_mb() -> float:
    """Return this process's resident memory in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS line in /proc/self/status")


def measure_appends(store: Store, appends: int, containers: int = CONTAINERS, memory_every: int = 0) -> list[float]:
    """Register lots with `containers` containers, then open and reseal them in turn; return each call's ms.

    With many containers each container's history stays short; with one,
    every append goes to a container whose history grows to `appends`
    events, as for a container opened and resealed for years.
    """
    container_ids = [f"C-BENCH-{index:04d}" for index in range(containers)]
    for start in range(0, containers, 50):
        lot_id = f"L-BENCH-{start // 50:02d}"
        lot = {
            "lot_id": lot_id,
            "lot_number": f"BENCH-{start // 50:04d}",
            "supplier": "Benchmark Powders",
            "grade_id": "TI64-G23",
            "grade_version": 1,
            "internal_code": "TI64-G23/IN",
            "packaging_type": "steel drum",
            "containers": [
                {"container_id": c, "net_mass": 20.0, "unit": "kg"} for c in container_ids[start : start + 50]
            ],
        }
        store.record("lot_registered", lot, operator_id=OPERATOR)

    latencies_ms = []
    for index in range(appends + WARM_UP_APPENDS):
        kind = "container_opened" if index % 2 == 0 else "container_resealed"
        body = exposure_body(container_ids[(index // 2) % containers], 20.0 + index % 30)
        started = time.perf_counter()
        store.record(kind, body, operator_id=OPERATOR)
        if index >= WARM_UP_APPENDS:
            latencies_ms.append((time.perf_counter() - started) * 1000)
        if memory_every and (index + 1) % memory_every == 0:
            size_mb = sum(path.stat().st_size for path in store.path.parent.glob(store.path.name + "*")) / 1e6
            print(
                f"  {index + 1:>7} appends: resident {resident_mb():6.1f} MB, store files {size_mb:6.1f} MB", flush=True
            )
    return latencies_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=2000, help="appends measured per store (default 2000)")
    parser.add_argument("--prefill", type=int, nargs="+", default=[0, 100_000], help="demo events in the store first")
    parser.add_argument(
        "--containers", type=int, default=CONTAINERS, help=f"containers the appends rotate over (default {CONTAINERS})"
    )
    parser.add_argument(
        "--memory-every", type=int, default=0, help="print resident memory and store size every N appends"
    )
    parser.add_argument("--workdir", type=Path, default=Path.home() / ".cache" / "powder-lineage-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    for prefill in args.prefill:
        with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
            store = open_store(Path(folder) / "append.db", prefill)
            try:
                synchronous = read_synchronous(store)
                latencies_ms = measure_appends(store, args.appends, args.containers, args.memory_every)
            finally:
                store.close()
        median = statistics.median(latencies_ms)
        verdict = "met" if median < TARGET_MEDIAN_MS else "MISSED"
        print(
            f"append into a store of {prefill} events, {args.containers} containers (synchronous={synchronous}, 2 = FULL): "
            f"median {median:.2f} ms, p99 {percentile(latencies_ms, 0.99):.2f} ms, max {max(latencies_ms):.2f} ms "
            f"over {len(latencies_ms)} appends; target median < {TARGET_MEDIAN_MS:g} ms: {verdict}",
            flush=True,
        )


if __name__ == "__main__":
    main()
