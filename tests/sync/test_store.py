"""Station store: durable appends, station rules, one writer with concurrent readers, full disk."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import peewee
import pytest

from sync.errors import ActionRejected, StorageFull, StoreUnavailable, WrongStation
from sync.lineage import open_containers
from sync.models import Event, Outbox
from sync.records import InvalidEvent
from sync.store import STATION_CACHE_MIB, Store
from sync.timeline import build_timeline
from sync.verify import verify_chains
from tests.helpers import OPERATOR, decision_body, exposure_body, lot_body


def test_record_chains_and_queues_events(fresh_store: Store) -> None:
    first = fresh_store.record("lot_registered", lot_body("L-1", {"C-1": 25.0}), operator_id=OPERATOR)
    second = fresh_store.record("container_opened", exposure_body("C-1"), operator_id=OPERATOR)
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash
    states = {row.event_id: row.state for row in Outbox.select()}
    assert states == {first.event_id: "pending", second.event_id: "pending"}


def test_invalid_event_stores_nothing(fresh_store: Store) -> None:
    fresh_store.record("lot_registered", lot_body("L-1", {"C-1": 25.0}), operator_id=OPERATOR)
    with pytest.raises(InvalidEvent, match="relative_humidity_pct"):
        fresh_store.record("container_opened", exposure_body("C-1", rh=140.0), operator_id=OPERATOR)
    assert Event.select().count() == 1
    assert Outbox.select().count() == 1
    # The failed attempt used no sequence number.
    assert fresh_store.record("container_opened", exposure_body("C-1"), operator_id=OPERATOR).seq == 2


@pytest.mark.parametrize(
    ("kind", "body", "message"),
    [
        ("container_opened", exposure_body("C-404"), "container 'C-404' is not registered"),
        ("container_resealed", exposure_body("C-1"), "is not open"),
        ("lot_registered", lot_body("L-1", {"C-9": 1.0}), "lot 'L-1' is already registered"),
        ("lot_registered", lot_body("L-2", {"C-1": 1.0}), "label 'C-1' is already used by container C-1"),
        (
            "lot_registered",
            lot_body("L-2", {"C-2": 1.0}, grade="NO-SUCH-GRADE"),
            "grade 'NO-SUCH-GRADE' version 1 is not in the reference data",
        ),
        (
            "container_relabelled",
            {"container_id": "C-1", "old_label": "C-7", "new_label": "C-1B", "reason": "torn"},
            "label 'C-7' was never on container C-1",
        ),
        (
            "release_decision",
            {**decision_body("L-1", "released"), "approver_id": "OP-0002"},
            "'OP-0002' may not sign release decisions",
        ),
    ],
)
def test_station_rules_reject_with_reason(fresh_store: Store, kind: str, body: dict, message: str) -> None:
    fresh_store.record("lot_registered", lot_body("L-1", {"C-1": 25.0}), operator_id=OPERATOR)
    with pytest.raises(ActionRejected, match=message):
        fresh_store.record(kind, body, operator_id=OPERATOR)
    assert Event.select().count() == 1


def test_open_twice_rejected(fresh_store: Store) -> None:
    fresh_store.record("lot_registered", lot_body("L-1", {"C-1": 25.0}), operator_id=OPERATOR)
    fresh_store.record("container_opened", exposure_body("C-1"), operator_id=OPERATOR)
    with pytest.raises(ActionRejected, match="C-1 is already open since"):
        fresh_store.record("container_opened", exposure_body("C-1"), operator_id=OPERATOR)
    assert open_containers() == ["C-1"]


def test_unknown_operator_rejected(fresh_store: Store) -> None:
    with pytest.raises(ActionRejected, match="operator 'OP-9999' is not an active operator"):
        fresh_store.record("lot_registered", lot_body("L-1", {"C-1": 25.0}), operator_id="OP-9999")


def test_store_refuses_other_station(store_tmpdir: Path) -> None:
    Store.open(store_tmpdir / "s.db", station_id="ST-01").close()
    with pytest.raises(WrongStation, match="belongs to station ST-01, not ST-02"):
        Store.open(store_tmpdir / "s.db", station_id="ST-02")


def test_readers_cannot_write(fresh_store: Store) -> None:
    # Only the writer thread's connection may write; a stray write fails at once.
    with pytest.raises(peewee.OperationalError, match="readonly"):
        Outbox.insert(event_id="x", seq=1, state="pending", updated_utc_us=0).execute()


def test_full_disk_reports_and_keeps_store(fresh_store: Store) -> None:
    fresh_store.record("lot_registered", lot_body("L-1", {"C-1": 25.0}), operator_id=OPERATOR)
    pages = fresh_store.write(lambda: fresh_store.db.execute_sql("PRAGMA page_count").fetchone()[0])
    # SQLite reports SQLITE_FULL once max_page_count is reached, as on a full disk.
    fresh_store.write(lambda: fresh_store.db.execute_sql(f"PRAGMA max_page_count = {pages}"))
    big = lot_body("L-2", {f"C-B{i:04d}": 1.0 for i in range(800)})
    with pytest.raises(StorageFull, match=r"disk holding the store .* is full; the event was not recorded"):
        fresh_store.record("lot_registered", big, operator_id=OPERATOR)
    assert Event.select().count() == 1
    fresh_store.write(lambda: fresh_store.db.execute_sql("PRAGMA max_page_count = 1073741823"))
    assert fresh_store.record("lot_registered", big, operator_id=OPERATOR).seq == 2
    assert verify_chains().ok


def test_concurrent_readers_writer_and_sync_never_locked(fresh_store: Store) -> None:
    fresh_store.record("lot_registered", lot_body("L-1", {"C-1": 25.0}), operator_id=OPERATOR)
    stop = threading.Event()
    errors: list[BaseException] = []
    reads = {"count": 0}

    def reader() -> None:
        try:
            while not stop.is_set():
                with fresh_store.reading():
                    build_timeline("C-1")
                reads["count"] += 1
        except BaseException as error:
            errors.append(error)

    def sync_worker() -> None:
        try:
            while not stop.is_set():
                fresh_store.write(lambda: Outbox.update(attempts=Outbox.attempts + 1).execute())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=reader) for _ in range(2)] + [threading.Thread(target=sync_worker)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(40):
            fresh_store.record("container_opened", exposure_body("C-1"), operator_id=OPERATOR)
            fresh_store.record("container_resealed", exposure_body("C-1"), operator_id=OPERATOR)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert reads["count"] > 0
    assert Event.select().count() == 81
    assert verify_chains().ok


RECORDER = """
import sys
from sync.store import STATION_CACHE_MIB, Store
from tests.helpers import lot_body, exposure_body
store = Store.open(sys.argv[1], station_id="ST-01")
store.record("lot_registered", lot_body("L-1", {"C-1": 25.0}), operator_id="OP-0001", check_rules=False)
print("ACK", flush=True)
while True:
    for kind in ("container_opened", "container_resealed"):
        event = store.record(kind, exposure_body("C-1"), operator_id="OP-0001", check_rules=False)
        print("ACK", event.event_id, flush=True)
"""


@pytest.mark.slow
def test_killed_station_keeps_acknowledged_events(store_tmpdir: Path) -> None:
    path = store_tmpdir / "killed.db"
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen([sys.executable, "-c", RECORDER, str(path)], stdout=subprocess.PIPE, text=True, cwd=root)
    assert process.stdout is not None
    acknowledged: list[str] = []
    deadline = time.monotonic() + 30
    while len(acknowledged) < 200 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("ACK "):
            acknowledged.append(line.split()[1])
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert len(acknowledged) >= 200

    store = Store.open(path, station_id="ST-01")
    try:
        with store.reading():
            stored = {row.event_id for row in Event.select(Event.event_id)}
            assert set(acknowledged) <= stored
            report = verify_chains()
        assert report.ok, [str(p) for p in report.problems]
    finally:
        store.close()
    assert json.dumps(store.startup_report.messages) == "[]"


@pytest.mark.allow_warning_logs
def test_station_refuses_folder_as_store(store_tmpdir: Path) -> None:
    # The station app salvages damaged stores, but a folder is a wrong path, not damage.
    folder = store_tmpdir / "folder.db"
    folder.mkdir()
    with pytest.raises(StoreUnavailable, match="is a folder, not a store file"):
        Store.open(folder, station_id="ST-01")
    assert folder.is_dir()
    assert [p.name for p in store_tmpdir.iterdir()] == ["folder.db"]


def test_every_station_connection_has_the_bounded_page_cache(fresh_store: Store) -> None:
    """Each thread's connection caches at most STATION_CACHE_MIB, so the app's memory levels off."""
    sizes: list[int] = []

    def read_cache_size() -> None:
        with fresh_store.reading():
            sizes.append(Event._meta.database.execute_sql("PRAGMA cache_size").fetchone()[0])  # type: ignore[attr-defined]

    reader = threading.Thread(target=read_cache_size)
    reader.start()
    reader.join()
    sizes.append(fresh_store.write(lambda: Event._meta.database.execute_sql("PRAGMA cache_size").fetchone()[0]))  # type: ignore[attr-defined]
    assert sizes == [-STATION_CACHE_MIB * 1024] * 2
