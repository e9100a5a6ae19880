"""Bulk append of sealed events and their projections, in batches inside large transactions.

    with BulkAppender(db) as appender:
        for event in events:        # sealed in chain order by sync.records.seal_event
            appender.append(event, stored_utc_us=...)
    # leaving the block wrote the chain heads and committed; an exception rolls
    # back what was not committed yet

`sync.store.Store.record` commits every event on its own, which is right for a
station and far too slow for writing millions of events. The appender instead
buffers event rows and the rows `sync.projection.projection_rows` returns,
writes them with ``insert_many`` and commits every `commit_every` events. It
runs on the calling thread's connection and checks no station rules: the
caller must own the database for the whole run and seal valid, chained events.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from typing import Any

from peewee import Database, DatabaseProxy, Model, PostgresqlDatabase
from psycopg2.extras import execute_values

from sync import kinds, projection
from sync.models import ChainHead, Event, event_row
from sync.records import Event as RecordEvent

log = logging.getLogger(__name__)

# Rows per INSERT statement: 1000 event rows carry 13 000 parameters, below
# SQLite's default limit of 32 766 (3.32 and later).
INSERT_ROWS = 1000


class BulkAppender:
    """Buffers events and projection rows and writes them in batches on the calling thread.

    Corrections are the exception to batching: voiding an event deletes the
    rows it produced, so the buffer is written first and the correction is
    projected at once through `sync.projection.apply_correction`.
    """

    def __init__(self, db: Database, *, batch_events: int = 2000, commit_every: int = 50_000):
        self.db = db
        self.batch_events = batch_events
        self.commit_every = commit_every
        self.events_written = 0
        self._event_rows: list[dict[str, Any]] = []
        self._projection_rows: dict[type[Model], list[dict[str, Any]]] = defaultdict(list)
        self._heads: dict[str, tuple[int, str]] = {}
        self._uncommitted = 0
        self._transaction = db.transaction()

    def __enter__(self) -> BulkAppender:
        self._transaction.__enter__()
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        if exc_type is None:
            self.flush()
            self._write_chain_heads()
        self._transaction.__exit__(exc_type, exc_value, traceback)
        if exc_type is None:
            log.info("Bulk append committed %d events from %d stations", self.events_written, len(self._heads))

    def append(self, event: RecordEvent, *, stored_utc_us: int) -> None:
        """Buffer one event and its projection rows; write and commit when a batch is full."""
        self._event_rows.append(event_row(event, stored_utc_us))
        for model, rows in projection.projection_rows(event).items():
            self._projection_rows[model].extend(rows)
        self._heads[event.station_id] = (event.seq, event.hash)
        self._uncommitted += 1

        body = event.parsed_body()
        if isinstance(body, kinds.Correction):
            self.flush()
            projection.apply_correction(event.event_id, body.corrects_event_id)
        if len(self._event_rows) >= self.batch_events:
            self.flush()
        if self._uncommitted >= self.commit_every:
            self.flush()
            self._transaction.commit()
            self._uncommitted = 0

    def flush(self) -> None:
        """Write the buffered rows inside the open transaction (no commit)."""
        if self._event_rows:
            _insert(Event, self._event_rows)
            self.events_written += len(self._event_rows)
            self._event_rows = []
        for model, rows in self._projection_rows.items():
            _insert(model, rows)
        self._projection_rows = defaultdict(list)

    def _write_chain_heads(self) -> None:
        for station_id, (seq, hash_) in self._heads.items():
            ChainHead.insert(station_id=station_id, seq=seq, hash=hash_).on_conflict(
                conflict_target=[ChainHead.station_id], update={ChainHead.seq: seq, ChainHead.hash: hash_}
            ).execute()


def _insert(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows that all have the same keys, with one prepared statement per table.

    peewee's ``insert_many`` builds a query node per value, which costs more
    than the database's own work at this volume. So peewee makes the
    statement once (`_insert_statement`), and sqlite3 runs it with
    ``executemany``. psycopg2 runs it with ``execute_values``, which packs a
    page of rows into each statement instead of a round trip per row.
    """
    db = model._meta.database
    bound = db.obj if isinstance(db, DatabaseProxy) else db
    columns = tuple(rows[0])
    statement = _insert_statement(model, columns, type(bound).__name__)
    values = [tuple(row[column] for column in columns) for row in rows]
    cursor = db.cursor()
    if isinstance(bound, PostgresqlDatabase):
        head = statement[: statement.index(" VALUES ")]
        execute_values(cursor, f"{head} VALUES %s", values, page_size=INSERT_ROWS)
    else:
        cursor.executemany(statement, values)


@functools.cache
def _insert_statement(model: type[Model], columns: tuple[str, ...], dialect: str) -> str:
    """Return the one-row INSERT statement peewee makes for these columns, with the dialect's placeholders."""
    statement, _params = model.insert({column: None for column in columns}).sql()
    return str(statement)
