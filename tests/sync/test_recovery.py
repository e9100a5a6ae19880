"""A damaged store is kept aside, its readable events salvaged into a fresh one, and the operator told."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from sync.errors import StoreDamaged
from sync.models import Event, Outbox
from sync.reference import Operator, import_reference_rows, load_reference_file
from sync.store import Store
from sync.verify import verify_chains
from tests.helpers import DEMO_REFERENCE, OPERATOR, exposure_body, lot_body


def build_store(path: Path, events: int) -> list:
    recorded = []
    with Store.open(path, station_id="ST-01") as store:
        sections = load_reference_file(DEMO_REFERENCE)
        store.write(lambda: import_reference_rows(sections))
        recorded.append(store.record("lot_registered", lot_body("L-1", {"C-1": 25.0}), operator_id=OPERATOR))
        for i in range(events - 1):
            kind = "container_opened" if i % 2 == 0 else "container_resealed"
            body = exposure_body("C-1", location="Store A " + "x" * 150)
            recorded.append(store.record(kind, body, operator_id=OPERATOR))
        store.writer.run(lambda: store.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall(), transaction=False)
    return recorded


def page_size(path: Path) -> int:
    header = path.read_bytes()[:100]
    size = int.from_bytes(header[16:18], "big")
    return 65536 if size == 1 else size


@pytest.mark.allow_warning_logs
def test_healthy_store_opens_without_salvage(store_tmpdir: Path) -> None:
    path = store_tmpdir / "station.db"
    build_store(path, 20)
    with Store.open(path) as store:
        assert store.startup_report.salvage is None
        assert store.startup_report.messages == []


@pytest.mark.allow_warning_logs
def test_garbled_pages_salvaged_and_kept(store_tmpdir: Path) -> None:
    path = store_tmpdir / "station.db"
    recorded = build_store(path, 400)
    lost = recorded[200]
    size = page_size(path)
    data = bytearray(path.read_bytes())
    # Overwrite with noise every page that holds the chosen event (its row and its index entry).
    start = 0
    while (found := data.find(lost.event_id.encode(), start)) != -1:
        page = found // size
        data[page * size : (page + 1) * size] = os.urandom(size)
        start = (page + 1) * size
    path.write_bytes(bytes(data))
    original = path.read_bytes()

    with Store.open(path) as store:
        report = store.startup_report
        assert report.salvage is not None
        damaged = report.salvage.damaged_path
        assert damaged.read_bytes() == original
        assert "was damaged" in report.messages[0]
        assert str(damaged) in report.messages[0]
        with store.reading():
            salvaged = {row.event_id: row for row in Event.select()}
            assert lost.event_id not in salvaged
            assert len(recorded) - 40 < len(salvaged) < len(recorded)
            known = {event.event_id: event.hash for event in recorded}
            assert all(known[event_id] == row.hash for event_id, row in salvaged.items())
            assert report.salvage.events_salvaged == len(salvaged)
            # Salvaged own events go back to the outbox; the server drops duplicates.
            assert Outbox.select().count() == len(salvaged)
            assert Operator.select().count() == 5
            # The lost events leave a gap that verify names.
            [problem] = verify_chains().problems
            assert "sequence gap" in str(problem)
        # New events continue after the highest salvaged seq.
        next_event = store.record("container_opened", exposure_body("C-9"), operator_id=OPERATOR, check_rules=False)
        assert next_event.seq == max(row.seq for row in salvaged.values()) + 1


@pytest.mark.allow_warning_logs
def test_store_without_header_replaced(store_tmpdir: Path) -> None:
    """A store whose first page was lost: unreadable, but shaped like a store, so kept aside and replaced."""
    path = store_tmpdir / "station.db"
    build_store(path, 20)
    lost_header = bytes(4096) + path.read_bytes()[4096:]
    path.write_bytes(lost_header)
    with Store.open(path, station_id="ST-01") as store:
        report = store.startup_report
        assert report.salvage is not None
        assert report.salvage.events_salvaged == 0
        assert report.salvage.damaged_path.read_bytes() == lost_header
        store.record("lot_registered", lot_body("L-1", {"C-1": 1.0}), operator_id=OPERATOR, check_rules=False)
        with store.reading():
            assert verify_chains().ok


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n" + b"\0" * 500, b"plain text, not a store\n"])
def test_tools_leave_non_store_file_alone(store_tmpdir: Path, content: bytes) -> None:
    path = store_tmpdir / "label.png"
    path.write_bytes(content)
    with pytest.raises(StoreDamaged, match="is not a Powder Lineage store"):
        Store.open(path, salvage_damaged=False)
    assert path.read_bytes() == content
    assert list(store_tmpdir.iterdir()) == [path]


def test_tools_leave_other_sqlite_file_alone(store_tmpdir: Path) -> None:
    import sqlite3

    path = store_tmpdir / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipe (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreDamaged, match="no event table"):
        Store.open(path, salvage_damaged=False)


@pytest.mark.parametrize("content", [b"this is not an SQLite file" * 100, b"%PDF-1.7 a document"])
def test_station_app_leaves_other_files_alone(store_tmpdir: Path, content: bytes) -> None:
    path = store_tmpdir / "station.db"
    path.write_bytes(content)
    with pytest.raises(StoreDamaged, match=r"is not a Powder Lineage store .* and was left as it is"):
        Store.open(path, station_id="ST-01")
    assert path.read_bytes() == content
    assert sorted(p.name for p in store_tmpdir.iterdir()) == ["station.db"]


def test_station_app_leaves_another_sqlite_database_alone(store_tmpdir: Path) -> None:
    path = store_tmpdir / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE bookmarks (url TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreDamaged, match="no event table"):
        Store.open(path, station_id="ST-01")
    assert path.read_bytes() == before


def test_tools_report_damaged_store_untouched(store_tmpdir: Path) -> None:
    import subprocess
    import sys

    from tests.helpers import ROOT

    path = store_tmpdir / "station.db"
    build_store(path, 300)
    size = page_size(path)
    data = bytearray(path.read_bytes())
    pages = len(data) // size
    data[(pages // 2) * size : (pages // 2 + 4) * size] = os.urandom(4 * size)
    path.write_bytes(bytes(data))
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "verify", "--db", str(path)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 1
    assert f"the store {path} could not be read" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == bytes(data)
    assert sorted(p.name for p in store_tmpdir.iterdir()) == ["station.db"]
