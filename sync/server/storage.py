"""The server's database: SQLite through one writer thread, or PostgreSQL through a connection pool.

    storage = ServerStorage.open("server.db")          # or "postgresql://127.0.0.1/lineage"
    outcome = storage.write(lambda: ingest_batch(...))  # one transaction, ingest lock held
    rows = storage.read(lambda: list(Event.select()))   # one consistent snapshot

On PostgreSQL every write transaction first takes one transaction-level
advisory lock, so batches from several server processes commit one after the
other: the duplicate and chain checks see every committed event, and arrival
positions (the pull cursor) become visible in order, so a puller never skips
an event that commits late.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import peewee
from playhouse.pool import PooledPostgresqlDatabase

from sync.database import is_postgres_url, open_postgres, open_sqlite
from sync.errors import StoreError
from sync.migrations import STORE, migrate
from sync.models import database_proxy
from sync.server.inputs import InvalidInput, read_input_file
from sync.server.tables import SERVER, ServerSecret
from sync.server.text import format_count
from sync.writer import Writer

log = logging.getLogger(__name__)
T = TypeVar("T")

# Any 64-bit number the server's ingest lock is known by; other programs on
# the same PostgreSQL database must not take this advisory lock.
INGEST_LOCK_ID = 0x504C_494E_4541_4745  # "PLINEAGE"
RECEIPT_KEY_NAME = "receipt_key"


class StorageBusy(RuntimeError):
    """The database could not take the write in time (lock timeout, busy SQLite); retry later."""


class StorageUnavailable(RuntimeError):
    """The database cannot be reached or opened; retry later."""


class ServerStorage:
    """The server's database connection(s) and the single path for write transactions."""

    def __init__(self, db: peewee.Database, target: str, *, writer: Writer | None, lock_timeout_s: float):
        self.db = db
        self.target = target
        self.writer = writer
        self.lock_timeout_s = lock_timeout_s

    @property
    def is_postgres(self) -> bool:
        return self.writer is None

    @classmethod
    def open(
        cls, target: str | Path, *, pool_size: int = 8, lock_timeout_s: float = 10.0, checkpoints: bool = True
    ) -> ServerStorage:
        """Open the database named by a path or URL and bind the models to it (does not migrate).

        Pass ``checkpoints=False`` for a short-lived process writing beside a
        running server (an administration command): it then leaves WAL
        checkpoints to the server's writer, as the station store's readers do
        (see `sync.database.StationDatabase` for the SQLite bug this avoids).
        """
        target = str(target)
        if is_postgres_url(target):
            plain = open_postgres(target)
            db: peewee.Database = PooledPostgresqlDatabase(
                plain.database, max_connections=pool_size, stale_timeout=300, timeout=30, **plain.connect_params
            )
            database_proxy.initialize(db)
            return cls(db, target, writer=None, lock_timeout_s=lock_timeout_s)
        try:
            sqlite = open_sqlite(target)
        except StoreError as error:
            # The path is a folder or lies below a file (`lineage-server` checks this before it gets here).
            raise StorageUnavailable(f"cannot open the server database {target}: {error}") from error
        database_proxy.initialize(sqlite)
        try:
            writer = Writer(sqlite, name="server-writer")
        except (peewee.OperationalError, peewee.DatabaseError) as error:
            raise StorageUnavailable(
                f"cannot open the server database {target}: {error}; check --db, "
                "and restore the file from a backup if it is damaged"
            ) from error
        if not checkpoints:
            writer.run(lambda: sqlite.execute_sql("PRAGMA wal_autocheckpoint = 0"), transaction=False)
        return cls(sqlite, target, writer=writer, lock_timeout_s=lock_timeout_s)

    def close(self) -> None:
        """Stop the writer (SQLite) or close the pooled connections (PostgreSQL)."""
        if self.writer is not None:
            self.writer.close()
        if isinstance(self.db, PooledPostgresqlDatabase):
            self.db.close_all()
        else:
            self.db.close()

    def migrate(self) -> None:
        """Create or upgrade the shared record tables and the server's own tables."""
        self.write(lambda: (migrate(self.db, STORE), migrate(self.db, SERVER)), lock=True)

    def write(self, job: Callable[[], T], *, lock: bool = True) -> T:
        """Run a job in one write transaction; on PostgreSQL with the ingest lock held.

        Raises StorageBusy when the lock or the file stays busy past the lock
        timeout, StorageUnavailable when the database cannot be reached.
        """
        try:
            if self.writer is not None:
                return self.writer.run(job)
            with self.db.connection_context(), self.db.atomic():
                if lock:
                    # One round trip for both statements.
                    self.db.cursor().execute(
                        f"SET LOCAL lock_timeout = '{int(self.lock_timeout_s * 1000)}ms'; "
                        f"SELECT pg_advisory_xact_lock({INGEST_LOCK_ID})"
                    )
                return job()
        except peewee.OperationalError as error:
            raise _translate(error) from error
        except peewee.InterfaceError as error:
            raise StorageUnavailable(f"the database connection failed: {error}") from error

    def read(self, job: Callable[[], T], *, snapshot: bool = True) -> T:
        """Run a read-only job on the calling thread, inside one transaction unless ``snapshot`` is False.

        Pass ``snapshot=False`` for a job of one statement, which needs no
        transaction around it (one round trip instead of three on PostgreSQL).
        """
        try:
            with self.db.connection_context():
                if not snapshot:
                    return job()
                with self.db.atomic():
                    return job()
        except peewee.OperationalError as error:
            raise _translate(error) from error
        except peewee.InterfaceError as error:
            raise StorageUnavailable(f"the database connection failed: {error}") from error

    def ensure_receipt_key(self, key_file: str | None = None) -> bytes:
        """Return the receipt signing key: from a file when given, else made once and kept in the database."""
        if key_file:
            return load_key_file(Path(key_file))
        candidate = secrets.token_hex(32)

        def get_or_create() -> str:
            ServerSecret.insert(name=RECEIPT_KEY_NAME, value=candidate).on_conflict_ignore().execute()
            return str(ServerSecret.get(ServerSecret.name == RECEIPT_KEY_NAME).value)

        return bytes.fromhex(self.write(get_or_create))


def load_key_file(path: Path, *, label: str | None = None) -> bytes:
    """Read a receipt key file: at least 32 bytes, as hex text or raw bytes.

    Raises InvalidInput naming ``label`` (default: the file's path) when the file
    cannot be read or the key is too short.
    """
    label = label or f"receipt key file {path}"
    data = read_input_file(path, label)
    text = data.strip()
    try:
        key = bytes.fromhex(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        key = data
    if len(key) < 32:
        raise InvalidInput(
            f"{label} contains {format_count(len(key), 'byte')}; the key needs at least 32 "
            f"(make one with `openssl rand -hex 32 > {path}`)"
        )
    return key


def _translate(error: peewee.OperationalError) -> Exception:
    text = str(error)
    if "lock" in text or "busy" in text or "timeout" in text:
        return StorageBusy(f"the database is busy ({text.strip()}); retry later")
    if "connect" in text:
        return StorageUnavailable(
            f"cannot connect to the database ({text.strip()}); check --db and that the database server runs"
        )
    return StorageUnavailable(f"the database failed: {text.strip()}")


def now_utc_us() -> int:
    """Return the server's current time as microseconds since the Unix epoch."""
    return time.time_ns() // 1000


def describe_target(target: str) -> str:
    """Return a database target without its password, for logs."""
    if not is_postgres_url(target):
        return os.path.abspath(target)
    head, _, tail = target.partition("@")
    if not tail:
        return target
    scheme, _, user = head.partition("://")
    return f"{scheme}://{user.partition(':')[0]}@{tail}"


def storage_info(storage: ServerStorage) -> dict[str, Any]:
    """Return what /health reports about the database."""
    return {"backend": "postgresql" if storage.is_postgres else "sqlite"}
