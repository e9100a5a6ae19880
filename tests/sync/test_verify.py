"""`lineage verify`: an edit, a deleted event or a deleted last event is found and named."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sync.errors import WrongStation
from sync.store import Store
from sync.verify import verify_chains
from tests.helpers import OPERATOR, exposure_body, lot_body


@pytest.fixture
def recorded(store_tmpdir: Path) -> tuple[Path, list]:
    path = store_tmpdir / "station.db"
    with Store.open(path, station_id="ST-01") as store:
        events = [
            store.record("lot_registered", lot_body("L-1", {"C-1": 25.0}), operator_id=OPERATOR, check_rules=False)
        ]
        for i in range(10):
            kind = "container_opened" if i % 2 == 0 else "container_resealed"
            events.append(
                store.record(kind, exposure_body("C-1", rh=30.0 + i), operator_id=OPERATOR, check_rules=False)
            )
    return path, events


def verify(path: Path) -> list[str]:
    with Store.open(path) as store, store.reading():
        return [str(problem) for problem in verify_chains().problems]


def tamper(path: Path, sql: str, *params: object) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(sql, params)
    conn.close()


def test_intact_chain_passes(recorded: tuple[Path, list]) -> None:
    path, _ = recorded
    assert verify(path) == []


def test_edited_body_named(recorded: tuple[Path, list]) -> None:
    path, events = recorded
    target = events[4]
    tamper(path, "UPDATE event SET body = replace(body, '33.0', '23.0') WHERE event_id = ?", target.event_id)
    assert verify(path) == [
        f"station ST-01 seq 5 (event {target.event_id}): stored fields do not match the event's hash (the event was edited)"
    ]


def test_edited_time_named(recorded: tuple[Path, list]) -> None:
    path, events = recorded
    target = events[2]
    tamper(path, "UPDATE event SET occurred_at = '2020-01-01T00:00:00+00:00' WHERE event_id = ?", target.event_id)
    [problem] = verify(path)
    assert target.event_id in problem


def test_deleted_event_named_as_gap(recorded: tuple[Path, list]) -> None:
    path, events = recorded
    tamper(path, "DELETE FROM event WHERE event_id = ?", events[6].event_id)
    assert verify(path) == [
        f"station ST-01 seq 8 (event {events[7].event_id}): sequence gap: seq 7 missing (deleted or never received)"
    ]


def test_deleted_last_event_named(recorded: tuple[Path, list]) -> None:
    path, events = recorded
    tamper(path, "DELETE FROM event WHERE event_id = ?", events[-1].event_id)
    [problem] = verify(path)
    assert "chain head records seq 11, but the last stored event is seq 10" in problem


def test_rehashed_edit_breaks_next_link(recorded: tuple[Path, list]) -> None:
    # Someone edits an event and recomputes its hash: the next event no longer points at it.
    from sync.records import compute_hash

    path, events = recorded
    data = events[3].to_dict()
    data["body"]["relative_humidity_pct"] = 10.0
    new_hash = compute_hash(data)
    tamper(
        path,
        "UPDATE event SET body = replace(body, '32.0', '10.0'), hash = ? WHERE event_id = ?",
        new_hash,
        events[3].event_id,
    )
    [problem] = verify(path)
    assert f"seq 5 (event {events[4].event_id}): prev_hash does not match" in problem


def test_verify_command_exit_status(recorded: tuple[Path, list]) -> None:
    path, events = recorded
    ok = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "verify", "--db", str(path)], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert "OK: 11 events, every chain intact" in ok.stdout
    tamper(path, "DELETE FROM event WHERE event_id = ?", events[2].event_id)
    broken = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "verify", "--db", str(path)], capture_output=True, text=True
    )
    assert broken.returncode == 1
    assert "BROKEN: station ST-01 seq 4" in broken.stdout


def test_verify_store_without_station(recorded: tuple[Path, list]) -> None:
    # A server database has no station of its own; the tools still read and verify it.
    path, _events = recorded
    tamper(path, "DELETE FROM setting WHERE key = 'station_id'")
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "verify", "--db", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "OK: 11 events" in result.stdout
    with Store.open(path) as store:
        assert store.station_id is None
        with pytest.raises(WrongStation, match="belongs to no station"):
            store.record("container_opened", exposure_body("C-1"), operator_id=OPERATOR, check_rules=False)
