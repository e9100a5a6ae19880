"""Tests of the demo plant history: determinism, valid chains and events, deep genealogy, reuse loops."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from kiosk.cli import main as lineage_main
from sync import rules
from sync.database import open_postgres, open_sqlite
from sync.demo import DemoTargetNotEmpty, find_deep_lots, write_demo_history
from sync.errors import StoreUnavailable
from sync.kinds import DECISIONS, EVENT_KINDS
from sync.lineage import resolve, walk
from sync.models import Event, VoidedEvent, database_proxy, dict_rows
from sync.records import Event as RecordEvent
from sync.records import event_from_dict
from sync.reference import import_reference_rows, load_reference_file
from sync.store import Store
from sync.timeline import build_timeline
from sync.verify import verify_chains
from tests.helpers import DEMO_REFERENCE

DEMO_EVENTS = 4000
DEMO_SEED = 1


def stored_events(path: Path) -> list[dict[str, Any]]:
    """Return every event row of a SQLite store in the order the history made them."""
    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute("SELECT * FROM event ORDER BY occurred_utc_us, station_id, seq").fetchall()
    return [dict(row) for row in rows]


def chain_fingerprint(rows: list[dict[str, Any]]) -> list[tuple[str, int, str, str]]:
    return [(row["station_id"], row["seq"], row["event_id"], row["hash"]) for row in rows]


def record_from_row(row: dict[str, Any]) -> RecordEvent:
    """Validate a stored event row again as a received event (envelope, body, subjects, hash)."""
    data = {key: value for key, value in row.items() if key not in ("occurred_utc_us", "stored_utc_us")}
    data["subjects"] = json.loads(row["subjects"])
    data["body"] = json.loads(row["body"])
    return event_from_dict(data)


@pytest.fixture(scope="module")
def demo_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store holding the 4000-event demo history of seed 1."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    write_demo_history(path, events=DEMO_EVENTS, seed=DEMO_SEED)
    return path


@pytest.fixture
def demo_store(demo_store_path: Path) -> Iterator[Store]:
    """The demo store opened as a station opens it, with a read connection held."""
    store = Store.open(demo_store_path)
    with store.reading():
        yield store
    store.close()


# --- Determinism -------------------------------------------------------------


def test_same_seed_gives_same_hashes(demo_store_path: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.db"
    write_demo_history(again, events=DEMO_EVENTS, seed=DEMO_SEED)
    first = chain_fingerprint(stored_events(demo_store_path))
    second = chain_fingerprint(stored_events(again))
    assert len(first) == DEMO_EVENTS
    assert first == second


def test_other_seed_gives_other_history(demo_store_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    write_demo_history(other, events=500, seed=DEMO_SEED + 1)
    first_hashes = {row["hash"] for row in stored_events(demo_store_path)}
    other_hashes = {row["hash"] for row in stored_events(other)}
    assert not first_hashes & other_hashes


def test_times_ids_independent_of_clock(demo_store_path: Path) -> None:
    rows = stored_events(demo_store_path)
    # The history starts on Monday 3 June 2024 at plant time, whenever it is written.
    assert rows[0]["occurred_at"].startswith("2024-06-03T")
    for row in rows[:50]:
        event_ms = uuid.UUID(row["event_id"]).int >> 80
        assert event_ms == row["occurred_utc_us"] // 1000


# --- Valid records -----------------------------------------------------------


def test_demo_history_passes_verify(demo_store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = lineage_main(["verify", "--db", str(demo_store_path)])
    output = capsys.readouterr().out
    assert status == 0, output
    assert f"OK: {DEMO_EVENTS} events, every chain intact" in output
    stations = re.findall(r"^station (ST-\d\d): (\d+) events checked$", output, flags=re.MULTILINE)
    assert len(stations) >= 10


def test_every_event_passes_validation(demo_store_path: Path) -> None:
    rows = stored_events(demo_store_path)
    events = [record_from_row(row) for row in rows]
    assert [event.occurred_utc_us for event in events] == [row["occurred_utc_us"] for row in rows]


def test_events_keep_station_rules(demo_store_path: Path, store_tmpdir: Path) -> None:
    """Replay the history into a fresh store, checking each event against the station rules first."""
    events = [record_from_row(row) for row in stored_events(demo_store_path)]
    store = Store.open(store_tmpdir / "replay.db", station_id="ST-REPLAY")
    sections = load_reference_file(DEMO_REFERENCE)
    store.write(lambda: import_reference_rows(sections))

    def check_and_store(batch: list[RecordEvent]) -> list[str]:
        results = []
        for event in batch:
            body = event.parsed_body()
            rules.check_event(event.kind, body, operator_id=event.operator_id, station_id=event.station_id)
            results += store.ingest([event])
        return results

    try:
        results = store.write(lambda: check_and_store(events))
    finally:
        store.close()
    assert results == ["stored"] * len(events)


# --- What the history contains -----------------------------------------------


def test_demo_writes_every_event_kind(demo_store: Store) -> None:
    kinds = {row.kind for row in Event.select(Event.kind).distinct()}
    assert kinds == set(EVENT_KINDS)
    decisions = {json.loads(row.body)["decision"] for row in Event.select().where(Event.kind == "release_decision")}
    assert decisions == set(DECISIONS)


def test_demo_has_ten_stations_or_more(demo_store: Store) -> None:
    stations = [row.station_id for row in Event.select(Event.station_id).distinct()]
    assert len(stations) >= 10


def test_deep_lot_timeline_shows_generations(demo_store: Store) -> None:
    [(lot_id, generations)] = find_deep_lots(min_generations=5)
    timeline = build_timeline(lot_id)
    depths = {entry["depth"] for entry in timeline["upstream"]}
    assert generations >= 5
    assert set(range(1, 6)) <= depths
    # The ancestors reach back to powder received from a supplier.
    origins = {entry["origin_step"] for entry in timeline["upstream"]}
    assert None in origins
    assert timeline["identity"]["origin_step"] == "blending"


def test_deep_lot_timeline_text_lists_ancestors(demo_store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(demo_store_path)
    with store.reading():
        [(lot_id, _generations)] = find_deep_lots(min_generations=5)
    store.close()
    status = lineage_main(["timeline", lot_id, "--db", str(demo_store_path)])
    output = capsys.readouterr().out
    assert status == 0
    assert f"Lot {lot_id}" in output
    assert "gen 5:" in output


def test_reuse_loop_blends_recovered_powder_back(demo_store: Store) -> None:
    """Used powder is recovered, separated, sieved and blended into a later blend."""
    blends_with_loop = []
    for lot_id, _generations in find_deep_lots(min_generations=5, limit=10):
        upstream = build_timeline(lot_id)["upstream"]
        steps_by_depth = {(entry["origin_step"], entry["depth"]) for entry in upstream}
        recovered = [depth for step, depth in steps_by_depth if step == "recycling"]
        earlier_blends = [depth for step, depth in steps_by_depth if step == "blending"]
        if recovered and any(blend_depth > min(recovered) for blend_depth in earlier_blends):
            blends_with_loop.append(lot_id)
    assert blends_with_loop


def test_top_up_closes_genealogy_cycle(demo_store: Store) -> None:
    """A blend topped up with powder recovered from itself is its own ancestor, and its timeline reports the loop."""
    top_ups = []
    for row in Event.select().where(Event.kind == "transformation"):
        body = json.loads(row.body)
        if body["step"] == "blending" and not any(out["is_new_container"] for out in body["outputs"]):
            top_ups.append(body)
    assert top_ups
    blend_id = top_ups[0]["outputs"][0]["lot_id"]
    graph = walk(blend_id, direction="upstream")
    ancestors_made_from_blend = [child for child, parents in graph.parents.items() if blend_id in parents]
    assert ancestors_made_from_blend
    assert build_timeline(blend_id)["genealogy"]["has_cycle"]


def test_blend_declares_recycle_fraction(demo_store: Store) -> None:
    fractions = []
    for row in Event.select().where(Event.kind == "transformation"):
        body = json.loads(row.body)
        if body["step"] == "blending":
            fractions.append(body["parameters"]["recycle_fraction"])
    assert fractions
    assert any(0 < fraction < 1 for fraction in fractions)


def test_corrections_void_their_events(demo_store: Store) -> None:
    corrections = [json.loads(row.body) for row in Event.select().where(Event.kind == "correction")]
    voided = {row.event_id for row in VoidedEvent.select()}
    assert corrections
    assert {body["corrects_event_id"] for body in corrections} == voided


def test_exposure_sometimes_over_limits(demo_store: Store) -> None:
    """Some windows stay open past the grade's limit, and some read humidity above the grade's limit."""
    over_time = 0
    over_humidity = 0
    for (lot_id,) in Event.raw("SELECT lot_id FROM lot WHERE origin_step = 'blending' LIMIT 40").tuples():
        exposure = build_timeline(lot_id)["exposure"]
        over_time += exposure["windows_over_max_open"]
        over_humidity += exposure["above_rh_limit_s"] > 0
    assert over_time > 0
    assert over_humidity > 0


# --- The summary and the command ---------------------------------------------


def test_summary_names_findable_ids(tmp_path: Path) -> None:
    path = tmp_path / "summary.db"
    summary = write_demo_history(path, events=DEMO_EVENTS, seed=DEMO_SEED)
    deep_lot = re.search(r"Lot (\S+) is a blend with (\d+) upstream generations", summary)
    old_label = re.search(r"The label (\S+) was replaced by (\S+),", summary)
    rejected = re.search(r"Lot (\S+) was rejected", summary)
    assert deep_lot, summary
    assert old_label, summary
    assert rejected, summary
    assert int(deep_lot.group(2)) >= 5

    store = Store.open(path)
    with store.reading():
        old = resolve(old_label.group(1))
        new = resolve(old_label.group(2))
        assert old.matched == "label"
        assert old.container_id == new.container_id
        decisions = build_timeline(rejected.group(1))["decisions"]
    store.close()
    assert "rejected" in [decision["decision"] for decision in decisions]


def test_demo_data_command_prints_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.db"
    status = lineage_main(["demo-data", "--db", str(path), "--events", "300", "--seed", "3"])
    captured = capsys.readouterr()
    assert status == 0
    assert captured.out.startswith("Wrote 300 events")
    assert "300/300 events" in captured.err


def test_progress_reaches_requested_count(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    write_demo_history(
        tmp_path / "progress.db",
        events=1_100,
        seed=2,
        progress=lambda done, total: calls.append((done, total)),
        progress_every=250,
    )
    assert calls == [(250, 1_100), (500, 1_100), (750, 1_100), (1_000, 1_100), (1_100, 1_100)]


def test_store_with_events_is_rejected(demo_store_path: Path) -> None:
    with pytest.raises(DemoTargetNotEmpty, match=f"already contains {DEMO_EVENTS} events"):
        write_demo_history(demo_store_path, events=10, seed=DEMO_SEED)


def test_zero_events_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1, not 0"):
        write_demo_history(tmp_path / "none.db", events=0, seed=1)


def test_unreachable_postgres_names_url() -> None:
    # Port 1 on the loopback address has no server; the password must not appear in the message.
    with pytest.raises(StoreUnavailable, match=r"postgresql://demo@127\.0\.0\.1:1/lineage") as caught:
        write_demo_history("postgresql://demo:secret@127.0.0.1:1/lineage", events=10, seed=1)
    assert "secret" not in str(caught.value)


def test_store_binding_restored_after_run(fresh_store: Store, tmp_path: Path) -> None:
    write_demo_history(tmp_path / "side.db", events=50, seed=1)
    assert database_proxy.obj is fresh_store.db


# --- PostgreSQL --------------------------------------------------------------


@pytest.fixture
def postgres_demo_url() -> Iterator[str]:
    """A PostgreSQL database made for one test and dropped after it."""
    try:
        admin = psycopg2.connect(host="127.0.0.1", port=5432, dbname="test", connect_timeout=3)
    except psycopg2.OperationalError as error:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is not reachable: {error}")
    admin.autocommit = True
    name = f"demo_test_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://127.0.0.1:5432/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.postgres
def test_postgres_history_matches_sqlite(postgres_demo_url: str, demo_store_path: Path) -> None:
    write_demo_history(postgres_demo_url, events=DEMO_EVENTS, seed=DEMO_SEED)

    db = open_postgres(postgres_demo_url)
    previous = database_proxy.obj
    database_proxy.initialize(db)
    try:
        with db.connection_context():
            report = verify_chains()
            rows = dict_rows(
                Event.select(Event.station_id, Event.seq, Event.event_id, Event.hash).order_by(
                    Event.occurred_utc_us, Event.station_id, Event.seq
                )
            )
            [(lot_id, _generations)] = find_deep_lots(min_generations=5)
            timeline = build_timeline(lot_id)
    finally:
        database_proxy.initialize(previous)
    assert report.ok, report.problems
    assert report.events_checked == DEMO_EVENTS
    assert chain_fingerprint(rows) == chain_fingerprint(stored_events(demo_store_path))
    assert max(entry["depth"] for entry in timeline["upstream"]) >= 5


def test_sqlite_target_uses_wal(demo_store_path: Path) -> None:
    db = open_sqlite(demo_store_path)
    try:
        mode = db.execute_sql("PRAGMA journal_mode").fetchone()[0]
    finally:
        db.close()
    assert mode == "wal"


def test_demo_data_command_rejects_zero_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = lineage_main(["demo-data", "--db", str(tmp_path / "zero.db"), "--events", "0"])
    assert status == 2
    assert "--events must be at least 1, not 0" in capsys.readouterr().err
    assert not (tmp_path / "zero.db").exists()


def test_demo_data_command_rejects_filled_store(demo_store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = lineage_main(["demo-data", "--db", str(demo_store_path), "--events", "10"])
    assert status == 1
    assert f"already contains {DEMO_EVENTS} events" in capsys.readouterr().err


def test_short_history_is_prefix(demo_store_path: Path, tmp_path: Path) -> None:
    short = tmp_path / "short.db"
    write_demo_history(short, events=1000, seed=DEMO_SEED)
    long_rows = chain_fingerprint(stored_events(demo_store_path))
    assert chain_fingerprint(stored_events(short)) == long_rows[:1000]


def test_file_not_a_store_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list, not a database\n" * 200)
    with pytest.raises(StoreUnavailable, match="is not a SQLite store"):
        write_demo_history(path, events=10, seed=1)
    assert path.read_text().startswith("shopping list")
