"""The station store: durable, append-only events with an outbox, behind one writer.

    store = Store.open(path, station_id="ST-01")
    event = store.record("container_opened", body, operator_id="OP-0007")

`record` returns once the event is committed with synchronous=FULL: it has
survived a power cut from then on. Reads run on any thread through the
models (`sync.lineage`, `sync.timeline`) inside `store.reading()`.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import peewee

from sync import projection, rules
from sync.database import check_store_path, open_sqlite, sqlite_version
from sync.errors import StorageFull, StoreDamaged, StoreUnavailable, WrongStation
from sync.migrations import STORE, migrate
from sync.models import ChainHead, Event, Outbox, Setting, database_proxy, event_row
from sync.records import GENESIS_HASH, now_local, seal_event
from sync.records import Event as RecordEvent
from sync.recovery import SalvageReport, check_integrity, move_aside, salvage
from sync.writer import Writer

log = logging.getLogger(__name__)
T = TypeVar("T")

# Page cache per connection at a station, in MiB. The station app reads its
# store from several threads, and each has its own connection and cache. At
# 8 MiB each, they stay within the app's memory target (docs/BENCHMARKS.md).
STATION_CACHE_MIB = 8


@dataclass
class StartupReport:
    """Findings of opening the store: versions, migrations, and any salvage of a damaged file."""

    path: Path
    sqlite_version: str
    schema_before: int | None
    schema_after: int
    salvage: SalvageReport | None = None
    messages: list[str] = field(default_factory=list)


def now_utc_us() -> int:
    """Return the current time as microseconds since the Unix epoch."""
    return time.time_ns() // 1000


class Store:
    """A station's SQLite store. Construct with `Store.open`; close with `close` (or use as a context manager)."""

    def __init__(self, path: Path, db: peewee.Database, writer: Writer, station_id: str | None, report: StartupReport):
        self.path = path
        self.db = db
        self.writer = writer
        self.station_id = station_id
        self.startup_report = report

    @classmethod
    def open(cls, path: str | Path, *, station_id: str | None = None, salvage_damaged: bool = True) -> Store:
        """Open or create a store, check its integrity, migrate it and bind the models to it.

        With `salvage_damaged` (the station app), the file's integrity is
        checked and a damaged file is moved aside and its readable events
        salvaged into a fresh store (see `startup_report`). Without it
        (command-line tools), a file that is not a store raises StoreDamaged
        and no file is ever moved or replaced. Either way, a file that is
        plainly something else (another SQLite database, a text file) raises
        StoreDamaged and is left as it is.
        Raises WrongStation when the store belongs to another station,
        StoreUnavailable when it cannot be opened.
        """
        path = Path(path)
        check_store_path(path)
        _check_is_store(path, damage_possible=salvage_damaged)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(f"cannot create the folder for the store {path}: {error.strerror}") from error
        # NOTE: the full check reads the whole file (about 7 s for a 1.3 GB store
        # here), so only the station app runs it. Tools rely on SQLite reporting
        # damage when they read, and leave the file as it is.
        problem = check_integrity(path) if salvage_damaged else None
        salvage_report = None
        if problem is not None:
            log.error("Store %s failed its integrity check: %s", path, problem)
            damaged = move_aside(path)
            salvage_report = salvage(damaged, problem)

        db = open_sqlite(path, cache_mib=STATION_CACHE_MIB)
        database_proxy.initialize(db)
        try:
            writer = Writer(db)
        except (peewee.OperationalError, peewee.DatabaseError, sqlite3.Error) as error:
            raise StoreUnavailable(
                f"cannot open the store {path}: {error}; check the path and its permissions"
            ) from error
        try:
            before, after = writer.run(lambda: migrate(db, STORE), transaction=False)
            report = StartupReport(path, sqlite_version(), before, after, salvage_report)
            if salvage_report is not None:
                writer.run(lambda: _restore_salvage(salvage_report))
                report.messages.append(salvage_report.message())
            station_id = writer.run(lambda: _claim_station(path, station_id))
        except BaseException:
            writer.close()
            raise
        log.info("Store %s open for station %s (schema %d, SQLite %s)", path, station_id, after, report.sqlite_version)
        return cls(path, db, writer, station_id, report)

    def close(self) -> None:
        """Finish pending writes and close the writer connection."""
        self.writer.close()
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold a read connection (a consistent WAL snapshot) on this thread for a block of reads."""
        with self.db.connection_context(), self.db.atomic():
            yield

    def write(self, job: Callable[[], T]) -> T:
        """Run a job on the writer thread in one transaction, translating storage failures."""
        try:
            return self.writer.run(job)
        except (peewee.OperationalError, sqlite3.OperationalError) as error:
            raise _storage_error(self.path, error) from error

    # --- Recording -----------------------------------------------------------

    def record(
        self,
        kind: str,
        body: dict[str, Any],
        *,
        operator_id: str,
        occurred_at: Any = None,
        check_rules: bool = True,
    ) -> RecordEvent:
        """Validate, seal and durably append one of this station's events, queued for sync.

        Raises InvalidEvent (the schema), ActionRejected (a station rule),
        StorageFull or StoreUnavailable. On any error nothing is stored.
        """
        occurred = occurred_at if occurred_at is not None else now_local()
        station_id = self.station_id
        if station_id is None:
            raise WrongStation(
                f"the store {self.path} belongs to no station, so it cannot record events; open it with a station id"
            )

        def append() -> RecordEvent:
            head = ChainHead.get_or_none(ChainHead.station_id == station_id)
            seq, prev_hash = (head.seq + 1, head.hash) if head else (1, GENESIS_HASH)
            event = seal_event(
                kind=kind,
                body=body,
                station_id=station_id,
                operator_id=operator_id,
                seq=seq,
                prev_hash=prev_hash,
                occurred_at=occurred,
            )
            if check_rules:
                rules.check_event(kind, event.parsed_body(), operator_id=operator_id, station_id=station_id)
            _append(event, own=True)
            return event

        event = self.write(append)
        log.debug("Recorded %s event %s seq %d", kind, event.event_id, event.seq)
        return event

    def ingest(self, events: Sequence[RecordEvent]) -> list[str]:
        """Store events pulled from other stations; return ``stored`` or ``duplicate`` per event."""

        def store_all() -> list[str]:
            results = []
            for event in events:
                if Event.get_or_none(Event.event_id == event.event_id) is not None:
                    results.append("duplicate")
                    continue
                _append(event, own=False)
                results.append("stored")
            return results

        return self.write(store_all)

    # --- Settings ------------------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """Return a stored setting (read on the calling thread)."""
        row = Setting.get_or_none(Setting.key == key)
        return default if row is None else str(row.value)

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting through the writer."""
        self.write(lambda: Setting.replace(key=key, value=value).execute())


def _append(event: RecordEvent, *, own: bool) -> None:
    """Insert an event, its projections, its chain head and (for own events) its outbox row."""
    stored = now_utc_us()
    Event.insert(event_row(event, stored)).execute()
    projection.apply_event(event)
    head = ChainHead.get_or_none(ChainHead.station_id == event.station_id)
    if head is None:
        ChainHead.insert(station_id=event.station_id, seq=event.seq, hash=event.hash).execute()
    elif event.seq > head.seq:
        ChainHead.update(seq=event.seq, hash=event.hash).where(ChainHead.station_id == event.station_id).execute()
    if own:
        Outbox.insert(event_id=event.event_id, seq=event.seq, state="pending", updated_utc_us=stored).execute()


def _check_is_store(path: Path, *, damage_possible: bool = False) -> None:
    """Raise StoreDamaged unless `path` is missing, empty or starts like an SQLite file with an event table.

    With `damage_possible`, a file without the SQLite header whose size is a
    whole number of 512-byte sectors passes, as a store whose first page was
    damaged would: the integrity check then moves it aside. A file of any other
    size (a text file, a document) is not a store that went bad.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        header = handle.read(16)
    if header != b"SQLite format 3\x00":
        if damage_possible and path.stat().st_size % 512 == 0:
            return
        raise StoreDamaged(
            f"{path} is not a Powder Lineage store (not an SQLite file) and was left as it is; check --db or db_path"
        )
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return  # damaged: the integrity check reports it
    if tables and "event" not in tables:
        raise StoreDamaged(
            f"{path} is an SQLite file but not a Powder Lineage store (no event table) and was left as it is; "
            "check --db or db_path"
        )


def _claim_station(path: Path, station_id: str | None) -> str | None:
    row = Setting.get_or_none(Setting.key == "station_id")
    if row is None:
        if station_id is None:
            # A server database, or a store only read by tools: it records nothing of its own.
            return None
        Setting.insert(key="station_id", value=station_id).execute()
        return station_id
    if station_id is not None and row.value != station_id:
        raise WrongStation(
            f"the store {path} belongs to station {row.value}, not {station_id}; use that station's store or fix the configuration"
        )
    return str(row.value)


def _restore_salvage(report: SalvageReport) -> None:
    from sync.models import Setting as SettingModel
    from sync.reference import AcceptanceRule, Equipment, Grade, Operator, SamplingMethod

    tables = {
        "setting": SettingModel,
        "operator": Operator,
        "equipment": Equipment,
        "sampling_method": SamplingMethod,
        "acceptance_rule": AcceptanceRule,
        "grade": Grade,
    }
    for name, rows in report.rows.items():
        model = tables[name]
        for row in rows:
            row.pop("id", None)
            model.insert(**row).on_conflict_ignore().execute()
    station = next((r["value"] for r in report.rows.get("setting", []) if r.get("key") == "station_id"), None)
    for event in report.events:
        # Own events go back to the outbox, because the server reports any it already stores as duplicates.
        _append(event, own=event.station_id == station)


def _storage_error(path: Path, error: Exception) -> Exception:
    # A failed commit is followed by a failed rollback; the first error names the cause.
    causes = []
    current: BaseException | None = error
    while current is not None:
        causes.append(str(current))
        current = current.__context__
    text = " / ".join(causes)
    if "full" in text:
        return StorageFull(
            f"the disk holding the store {path} is full; the event was not recorded. Free some space and try again"
        )
    if "readonly" in text or "read-only" in text:
        return StoreUnavailable(f"the store {path} cannot be written ({text}); check the file's permissions")
    if "disk I/O" in text:
        return StoreUnavailable(f"the store {path} could not be written ({text}); check the disk and try again")
    return error
