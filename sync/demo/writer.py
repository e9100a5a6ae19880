"""Writing a demo plant history into a station's SQLite file or a PostgreSQL database.

    summary = write_demo_history("demo.db", events=1_000_000, seed=1)

The target gets the schema (through `sync.migrations`), the demo reference
data and the events with their projections, written in bulk by
`sync.bulk.BulkAppender`. A SQLite target is claimed for station ST-01, the
goods-in station of the demo plant, so `lineage timeline --db` and the kiosk
open it like any station store. A PostgreSQL target becomes a complete server
database: it also gets the server's tables and one arrival row per event, so
`lineage-server verify` passes and stations pull the history from a server.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import peewee

from sync import lineage
from sync.bulk import BulkAppender
from sync.database import is_postgres_url, open_postgres, open_sqlite
from sync.demo.activities import run_history
from sync.demo.plant import STATIONS, SUPPLIERS
from sync.demo.reference import DEMO_REFERENCE_FILE, load_demo_reference
from sync.demo.state import Highlights, PlantState
from sync.errors import StorageFull, StoreError, StoreUnavailable
from sync.migrations import STORE, migrate
from sync.models import Event, Lot, Setting, database_proxy
from sync.records import Event as RecordEvent
from sync.reference import import_reference_rows
from sync.server.tables import SERVER

log = logging.getLogger(__name__)

DEMO_STATION_ID = "ST-01"
# Events count as received by the store this long after they happened.
RECEIPT_DELAY_US = 1_500_000

Progress = Callable[[int, int], None]


class DemoTargetNotEmpty(StoreError):
    """The target already contains events, and a demo history goes only into a new or empty store."""


def write_demo_history(
    target: str | Path,
    *,
    events: int,
    seed: int,
    progress: Progress | None = None,
    progress_every: int = 10_000,
    reference_file: Path = DEMO_REFERENCE_FILE,
) -> str:
    """Write `events` events of a simulated powder plant into a store; return a summary paragraph.

    `target` is a SQLite file (created if missing) or a ``postgresql://`` URL.
    The same seed gives the same events, ids and hashes. `progress` is called
    with (events written, events requested) every `progress_every` events and
    at the end.

    NOTE: binds `sync.models.database_proxy` to the target while it runs (and
    back afterwards), so no store of the same process may be in use meanwhile.

    Raises ValueError for a count below 1, InvalidReference for a reference
    file lacking what the plant names, DemoTargetNotEmpty when the target
    holds events, and StoreUnavailable or StorageFull when it cannot be written.
    """
    if events < 1:
        raise ValueError(f"the number of events must be at least 1, not {events}")
    if progress_every < 1:
        raise ValueError(f"progress_every must be at least 1, not {progress_every}")
    reference = load_demo_reference(reference_file)
    previous_database = database_proxy.obj
    db = _open_target(target)
    database_proxy.initialize(db)
    try:
        _prepare_target(db, target, reference.sections)
        state = PlantState(seed=seed, events=events, reference=reference, sink=lambda event: None)
        highlights = _write_events(db, target, state, progress, progress_every)
        deep_lots = find_deep_lots()
    except peewee.IntegrityError:
        raise  # a duplicate id or label is a bug of the generator: keep the traceback
    except (peewee.DatabaseError, sqlite3.DatabaseError) as error:
        raise _storage_error(target, error) from error
    finally:
        db.close()
        if previous_database is not None:
            database_proxy.initialize(previous_database)
    summary = summarize(target, seed, state, highlights, deep_lots[0] if deep_lots else None)
    log.info("Demo history written: %s", summary)
    return summary


def _open_target(target: str | Path) -> peewee.Database:
    try:
        if isinstance(target, str) and is_postgres_url(target):
            db: peewee.Database = open_postgres(target)
        else:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            db = open_sqlite(target)
        db.connect()
    except (OSError, peewee.DatabaseError, sqlite3.DatabaseError) as error:
        if "not a database" in str(error):
            raise _storage_error(target, error) from error
        raise StoreUnavailable(
            f"cannot open the demo store {_describe(target)}: {str(error).strip()}; "
            "check the path, or that PostgreSQL runs and the database exists"
        ) from error
    return db


def _prepare_target(db: peewee.Database, target: str | Path, sections: dict[str, list[dict[str, object]]]) -> None:
    """Create or check the schema, reject a store with events, import the reference data, claim the station."""
    migrate(db, STORE)
    if is_postgres_url(str(target)):
        migrate(db, SERVER)
    held = Event.select().count()
    if held:
        raise DemoTargetNotEmpty(
            f"the store {_describe(target)} already contains {held} events; "
            "demo data goes only into a new or empty store: give another --db"
        )
    with db.atomic():
        import_reference_rows(sections)
        if not is_postgres_url(str(target)):
            Setting.insert(key="station_id", value=DEMO_STATION_ID).on_conflict_ignore().execute()


def _write_events(
    db: peewee.Database, target: str | Path, state: PlantState, progress: Progress | None, progress_every: int
) -> Highlights:
    with BulkAppender(db) as appender:

        def sink(event: RecordEvent) -> None:
            appender.append(event, stored_utc_us=event.occurred_utc_us + RECEIPT_DELAY_US)
            # state.recorded counts the events before this one.
            if progress is not None and (state.recorded + 1) % progress_every == 0:
                progress(state.recorded + 1, state.target)

        state.sink = sink
        highlights = run_history(state)
    if is_postgres_url(str(target)):
        record_arrivals(db)
        # Fresh statistics, so the planner uses the indexes on tables that grew from nothing.
        db.execute_sql("ANALYZE")
    if progress is not None and state.recorded % progress_every:
        progress(state.recorded, state.target)
    return highlights


def record_arrivals(db: peewee.Database) -> None:
    """Give every event without an arrival row one, as the server does on ingest; PostgreSQL only.

    Positions (the pull cursor) follow the time each event was stored, and the
    sequence within a station, so a station pulling the history gets every
    chain in order. The position sequence then continues after the last one.
    """
    with db.atomic():
        db.execute_sql(
            """
            INSERT INTO arrival (position, event_id, station_id)
            SELECT (SELECT COALESCE(MAX(position), 0) FROM arrival)
                       + ROW_NUMBER() OVER (ORDER BY e.stored_utc_us, e.station_id, e.seq),
                   e.event_id, e.station_id
            FROM event e
            WHERE NOT EXISTS (SELECT 1 FROM arrival a WHERE a.event_id = e.event_id)
            """
        )
        db.execute_sql(
            "SELECT setval(pg_get_serial_sequence('arrival', 'position'), MAX(position)) FROM arrival "
            "HAVING MAX(position) IS NOT NULL"
        )


def find_deep_lots(*, min_generations: int = 5, limit: int = 1) -> list[tuple[str, int]]:
    """Return up to `limit` blends whose timeline shows at least `min_generations` upstream generations.

    Blends from the middle of the history come first, since they have both
    ancestors and descendants. Returns (lot id, upstream generations) pairs
    and reads through the bound database.
    """
    blends = [
        row.lot_id
        for row in Lot.select(Lot.lot_id).where(Lot.origin_step == "blending").order_by(Lot.created_utc_us, Lot.lot_id)
    ]
    middle = len(blends) // 2
    found: list[tuple[str, int]] = []
    for lot_id in [*blends[middle:], *reversed(blends[:middle])]:
        graph = lineage.walk(lot_id, direction="upstream")
        generations = max(graph.depth.values())
        if generations >= min_generations:
            found.append((lot_id, generations))
            if len(found) >= limit:
                break
    return found


def summarize(
    target: str | Path, seed: int, state: PlantState, highlights: Highlights, deep_lot: tuple[str, int] | None
) -> str:
    """Return one paragraph on what was written and a few ids worth looking up."""
    kinds = highlights.kinds
    db_option = f" --db {target}"
    counts = ", ".join(
        [
            _count(highlights.lots, "lot") + f" ({kinds['lot_registered']} received)",
            _count(highlights.containers, "container"),
            _count(highlights.samples, "sample"),
            _count(kinds["release_decision"], "release decision"),
            _count(kinds["container_relabelled"], "relabel"),
            _count(highlights.top_ups, "top-up") + " of a blend with its own recovered powder",
            _count(kinds["correction"], "correction"),
        ]
    )
    parts = [
        f"Wrote {_count(state.recorded, 'event')} of a powder plant with {len(STATIONS)} stations and "
        f"{len(SUPPLIERS)} suppliers into {_describe(target)} (seed {seed}): {counts}."
    ]
    if deep_lot is not None:
        parts.append(
            f"Lot {deep_lot[0]} is a blend with {deep_lot[1]} upstream generations: "
            f"try `lineage timeline {deep_lot[0]}{db_option}`."
        )
    else:
        parts.append("No blend has 5 upstream generations yet; write more events for a deep genealogy.")
    if highlights.relabels:
        # Prefer a container relabelled twice: its middle label names it only through the relabels.
        twice = [relabel for relabel in highlights.relabels if relabel[1] != relabel[0]]
        _container_id, old_label, new_label = (twice or highlights.relabels)[0]
        parts.append(
            f"The label {old_label} was replaced by {new_label}, and `lineage timeline {old_label}{db_option}` "
            "still finds the container."
        )
    if highlights.rejected:
        lot_id, findings = highlights.rejected[0]
        parts.append(f"Lot {lot_id} was rejected ({findings}).")
    return " ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _describe(target: str | Path) -> str:
    """Name a target without the password a PostgreSQL URL may carry."""
    text = str(target)
    if not is_postgres_url(text):
        return text
    parsed = urlparse(text)
    host = parsed.hostname or "127.0.0.1"
    port = f":{parsed.port}" if parsed.port else ""
    user = f"{parsed.username}@" if parsed.username else ""
    return f"{parsed.scheme}://{user}{host}{port}{parsed.path}"


def _storage_error(target: str | Path, error: Exception) -> StoreError:
    text = str(error).strip()
    if "not a database" in text:
        return StoreUnavailable(
            f"{_describe(target)} is not a SQLite store ({text}); give the path of a new or empty store"
        )
    if "full" in text:
        return StorageFull(
            f"the disk holding the demo store {_describe(target)} is full ({text}); free some space and "
            "write the demo data into a new store"
        )
    return StoreUnavailable(
        f"writing the demo store {_describe(target)} failed ({text}); events committed before the failure stay, "
        "so remove the store and write the demo data again"
    )
