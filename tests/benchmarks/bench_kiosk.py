"""Measure the station app: launch to ready-to-scan, memory over an hour-equivalent of scanning, taps per flow.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.benchmarks.bench_kiosk [--launches 5] [--scans 3600]

Launch: `lineage-kiosk` is started as a process on a prepared store (2 000
events) with the demo video as camera, and with --demo, which first writes
its store. The figure is the time from starting the process to its "Ready
to scan" log line, median of the runs. Memory: one station in this process receives
`--scans` camera scans (one per second is an hour) and records an open or a
reseal by touch for every tenth; the counter ticks once per scan. Resident
memory (VmRSS) is printed at each quarter. Taps: each operator flow is
driven by taps on the real widgets and the taps the tap filter counted are
printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.store import Store
    from tests.kiosk.ui.driver import KioskDriver

ROOT = Path(__file__).resolve().parents[2]


def resident_mb() -> float:
    """Return this process's resident memory in MB (VmRSS from /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


# --- Launch ---------------------------------------------------------------------------


def time_launch(args: list[str], env: dict[str, str]) -> float:
    """Start `lineage-kiosk` with `args`; return seconds from the start to its "Ready to scan" line."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.app", *args, "--quit-after", "2"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    ready_s = None
    for line in process.stderr:
        if ready_s is None and "Ready to scan after" in line:
            ready_s = time.monotonic() - started
    process.wait(60)
    if ready_s is None or process.returncode != 0:
        raise RuntimeError(f"lineage-kiosk {' '.join(args)} did not get ready (status {process.returncode})")
    return ready_s


def measure_launch(launches: int) -> list[tuple[str, float, float]]:
    """Return (what, median s, max s) of launching on a prepared store and with --demo."""
    from kiosk.ui.demo_media import DEMO_MEDIA
    from sync.demo import write_demo_history

    folder = Path(tempfile.mkdtemp(prefix="bench-kiosk-"))
    env = {key: value for key, value in os.environ.items() if key != "LINEAGE_CONFIG"}
    env.update({"QT_QPA_PLATFORM": "offscreen", "HOME": str(folder), "XDG_DATA_HOME": str(folder / "data")})
    store = folder / "station.db"
    write_demo_history(store, events=2000, seed=3)
    station = ["--db", str(store), "--camera", str(DEMO_MEDIA)]
    rows = []
    for what, args in (
        ("prepared store, demo video as camera", station),
        ("--demo (writes its store first)", ["--demo"]),
    ):
        times = [time_launch(args, env) for _run in range(launches)]
        rows.append((what, statistics.median(times), max(times)))
    return rows


# --- Memory and taps ------------------------------------------------------------------------


def start_station(folder: Path, **overrides: Any) -> tuple[KioskDriver, Store]:
    """Start a station on a fresh store with the demo reference data; return (driver, store)."""
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.station import KioskStation
    from sync.reference import import_reference_rows, load_reference_file
    from sync.store import Store
    from tests.helpers import DEMO_REFERENCE
    from tests.kiosk.ui.conftest import station_config
    from tests.kiosk.ui.driver import KioskDriver, StepClock

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    store = Store.open(folder / "station.db", station_id="ST-01")
    sections = load_reference_file(DEMO_REFERENCE)
    store.write(lambda: import_reference_rows(sections))
    station = KioskStation(app, station_config(folder, **overrides), store, with_camera=False)
    station.tap_filter.clock = StepClock(step_s=1.0)
    station.window.resize(800, 480)
    station.window.show()
    station.start()
    driver = KioskDriver(station)
    driver.settle()
    return driver, store


def measure_memory(scans: int, record_every: int) -> list[tuple[int, float]]:
    """Return (scans done, resident MB) at the start and after each quarter of `scans`.

    After every `record_every`-th scan the container is opened or resealed by touch (0: never).
    """
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication, QPushButton

    from tests.helpers import lot_body
    from tests.kiosk.ui.test_container import remember_readings

    folder = Path(tempfile.mkdtemp(prefix="bench-kiosk-memory-"))
    driver, store = start_station(folder)
    driver.scan("PL1:B:OP-0001")
    containers = [f"C-{index:03d}" for index in range(20)]
    driver.record("lot_registered", lot_body("L-1", {c: 25.0 for c in containers}))
    remember_readings(driver)
    samples = [(0, resident_mb())]
    for index in range(1, scans + 1):
        driver.scan(f"PL1:C:{containers[index % len(containers)]}")
        driver.window._on_tick()
        if record_every and index % record_every == 0:
            exposure = "resealButton" if driver.window.findChildren(QPushButton, "resealButton") else "openButton"
            driver.tap(exposure)
            driver.tap("exposureConfirm")
        # What the main event loop does between events; processEvents alone deletes no closed screen.
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if index % (scans // 4) == 0:
            samples.append((index, resident_mb()))
    driver.station.stop()
    store.close()
    return samples


# Each flow as the operator goes through it: (action, argument) steps on the real widgets.
Step = tuple[str, str]
GS1_LABEL = "]Q3" + "0109506000134352" + "10LOT-4711" + "\x1d" + "17281231" + "3103025000"
FLOWS: list[tuple[str, list[Step]]] = [
    ("log in: name and 4-digit PIN", [("tap", "operator-OP-0001"), ("enter", "1111")]),
    (
        "open, readings unchanged (after the scan)",
        [("scan", "PL1:C:C-1"), ("tap", "openButton"), ("tap", "exposureConfirm")],
    ),
    ("reseal, readings unchanged (after the scan)", [("tap", "resealButton"), ("tap", "exposureConfirm")]),
    (
        "sample with the method's defaults, print",
        [("tap", "containerSample"), ("tap", "sampleConfirm"), ("tap", "labelsPrint"), ("tap", "labelsDone")],
    ),
    (
        "relabel with a listed reason, print",
        [
            ("tap", "containerRelabel"),
            ("tap", "relabelReason"),
            ("choose", "label damaged"),
            ("tap", "relabelConfirm"),
            ("tap", "labelsPrint"),
            ("tap", "labelsDone"),
        ],
    ),
    ("timeline of the scanned container", [("tap", "containerTimeline")]),
    (
        "blend of 2 scanned inputs into a new lot (masses of 2 digits), print",
        [
            ("tap", "timelineDone"),
            ("tap", "homeTransformation"),
            ("tap", "step-blending"),
            ("tap", "equipment-BLEND-01"),
            ("scan", "PL1:C:C-2"),
            ("enter", "10"),
            ("scan", "PL1:C:C-3"),
            ("enter", "5"),
            ("tap", "transformationNext"),
            ("tap", "outputAddNew"),
            ("enter", "15"),
            ("tap", "newLotCode"),
            ("enter", "BL1"),
            ("tap", "newLotPackaging"),
            ("choose", "steel drum"),
            ("tap", "transformationNext"),
            ("tap", "transformationNext"),
            ("tap", "transformationConfirm"),
            ("tap", "labelsPrint"),
            ("tap", "labelsDone"),
        ],
    ),
    (
        "register a lot from a new GS1 label (supplier and code of 4 letters), print",
        [
            ("scan", GS1_LABEL),
            ("tap", "lotField-supplier"),
            ("enter", "ACME"),
            ("tap", "lotField-grade_id"),
            ("choose", "('TI64-G23', 1)"),
            ("tap", "lotField-internal_code"),
            ("enter", "TI64"),
            ("tap", "lotField-packaging_type"),
            ("choose", "steel drum"),
            ("tap", "registerConfirm"),
            ("tap", "labelsPrint"),
            ("tap", "labelsDone"),
        ],
    ),
    (
        "register the next lot of a known GTIN, print",
        [
            ("scan", "https://id.gs1.org/01/09506000134352/10/LOT-4712"),
            ("tap", "registerConfirm"),
            ("tap", "labelsPrint"),
            ("tap", "labelsDone"),
        ],
    ),
    (
        "correct the first open with a listed reason",
        [
            ("tap", "homeCorrections"),
            ("tap", "event-{first_open}"),
            ("tap", "correctionReason"),
            ("choose", "wrong readings entered"),
            ("tap", "correctionConfirm"),
        ],
    ),
]


def count_taps() -> list[tuple[str, int]]:
    """Drive each flow by taps on the real widgets; return the taps each took (the scans are not taps)."""
    from tests.helpers import lot_body
    from tests.kiosk.ui.test_container import remember_readings

    folder = Path(tempfile.mkdtemp(prefix="bench-kiosk-taps-"))
    driver, store = start_station(folder)
    driver.record("lot_registered", lot_body("L-1", {"C-1": 25.0, "C-2": 10.0}, lot_number="AP-1"))
    driver.record("lot_registered", lot_body("L-2", {"C-3": 25.0}, origin="recycled"))
    remember_readings(driver)
    taps = driver.station.tap_filter
    rows = []
    for name, steps in FLOWS:
        before = taps.taps
        for action, argument in steps:
            if "{first_open}" in argument:
                argument = argument.format(first_open=driver.events("container_opened")[0].event_id)
            getattr(driver, action)(argument)
        rows.append((name, taps.taps - before))
    driver.station.stop()
    store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--launches", type=int, default=5, help="launches timed per case (default 5)")
    parser.add_argument("--scans", type=int, default=3600, help="scans of the memory run; 3600 is an hour at 1/s")
    parser.add_argument(
        "--record-every", type=int, default=10, help="open or reseal after every N-th scan (default 10; 0: never)"
    )
    parser.add_argument("--skip-launch", action="store_true", help="measure memory and taps only")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    if not args.skip_launch:
        print(f"Launch to ready-to-scan, {args.launches} runs each (seconds)")
        for what, median_s, max_s in measure_launch(args.launches):
            print(f"  {what}: median {median_s:.2f}, max {max_s:.2f}")

    print(f"Resident memory over {args.scans} scans, an open or reseal after every {args.record_every} (MB)")
    samples = measure_memory(args.scans, args.record_every)
    for done, megabytes in samples:
        print(f"  after {done:5d} scans: {megabytes:.1f}")
    half = next(mb for done, mb in samples if done >= args.scans // 2)
    print(f"  growth over the second half: {samples[-1][1] - half:+.1f} MB")

    print("Taps per flow")
    for name, count in count_taps():
        print(f"  {count:3d}  {name}")


if __name__ == "__main__":
    main()
