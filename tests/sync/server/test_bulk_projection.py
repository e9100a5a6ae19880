"""The batch ingest path projects events into the same tables as the per-event path."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sync import projection
from sync.database import open_database
from sync.migrations import STORE, migrate
from sync.models import PROJECTION_MODELS, Event, database_proxy, event_from_row, event_row
from sync.records import Event as RecordEvent
from sync.store import Store
from tests.helpers import OPERATOR, exposure_body, lot_body, sample_body, transformation_body
from tests.sync.server.support import Backend, postgres_absent_reason


def record_history(store: Store) -> list[RecordEvent]:
    """Record a history with relabels, a blend, samples and corrections, including a correction of a correction."""

    def record(kind: str, body: dict[str, Any]) -> RecordEvent:
        return store.record(kind, body, operator_id=OPERATOR, check_rules=False)

    events = [
        record("lot_registered", lot_body("L-1", {"C-1": 20.0, "C-2": 20.0})),
        record("lot_registered", lot_body("L-2", {"C-3": 10.0})),
    ]
    # Quotes, backslashes and a literal \\N: the stored body text must survive COPY's escapes on PostgreSQL.
    reason = 'torn "edge" \\N, back\\slash, Müller, 粉末'
    relabel = record(
        "container_relabelled", {"container_id": "C-1", "old_label": "C-1", "new_label": "N-1", "reason": reason}
    )
    events.append(relabel)
    events.append(record("container_opened", exposure_body("C-2")))
    blend = record(
        "transformation",
        transformation_body(
            "blending", [("C-2", "L-1", 5.0), ("C-3", "L-2", 5.0)], [("C-4", "L-3", 10.0, True)], new_lots=["L-3"]
        ),
    )
    events.append(blend)
    events.append(record("sample_taken", sample_body("S-1", "L-3", containers=["C-4"])))
    first = record(
        "correction",
        {"corrects_event_id": relabel.event_id, "reason": "wrong container", "subject_ids": ["container:C-1"]},
    )
    events.append(first)
    events.append(record("correction", {"corrects_event_id": first.event_id, "reason": "the relabel was right"}))
    events.append(
        record(
            "correction", {"corrects_event_id": blend.event_id, "reason": "blend not done", "subject_ids": ["lot:L-3"]}
        )
    )
    events.append(
        record(
            "container_relabelled", {"container_id": "C-3", "old_label": "C-3", "new_label": "N-3", "reason": "faded"}
        )
    )
    return events


def table_rows(query: Callable[[str], list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    tables = {}
    for model in (Event, *PROJECTION_MODELS):
        name = model._meta.table_name  # type: ignore[attr-defined]
        columns = [
            field.column_name
            for field in model._meta.sorted_fields  # type: ignore[attr-defined]
            if field.name not in ("id", "stored_utc_us")
        ]
        tables[name] = sorted(tuple(row) for row in query(f"SELECT {', '.join(columns)} FROM {name}"))
    return tables


def sqlite_query(path: Path) -> Callable[[str], list[tuple[Any, ...]]]:
    def query(sql: str) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(path)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    return query


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
@pytest.mark.parametrize("batch_size", [1, 3, 100])
def test_bulk_matches_per_event_path(tmp_path: Path, batch_size: int, kind: str) -> None:
    if kind == "postgres" and (reason := postgres_absent_reason()):
        pytest.skip(reason)
    station_path = tmp_path / "station.db"
    store = Store.open(station_path, station_id="ST-01")
    try:
        record_history(store)
        with store.reading():
            events = [event_from_row(row) for row in Event.select().order_by(Event.seq).dicts()]
    finally:
        store.close()

    with Backend.make(kind, tmp_path) as backend:
        db = open_database(backend.target)
        database_proxy.initialize(db)
        with db.connection_context():
            migrate(db, STORE)
            for start in range(0, len(events), batch_size):
                chunk = events[start : start + batch_size]
                with db.atomic():
                    # The server's path: on PostgreSQL these rows go by COPY.
                    projection.insert_many_plain(Event, [event_row(event, 0) for event in chunk])
                    projection.apply_events_bulk(chunk)
        db.close()
        actual = table_rows(backend.query)

    expected = table_rows(sqlite_query(station_path))
    assert expected["voided_event"], "the history must void something"
    for table, rows in expected.items():
        assert actual[table] == rows, table
