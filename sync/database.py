"""Opening a store: SQLite with durable pragmas and read-only readers, or PostgreSQL by URL.

SQLite runs in WAL mode with synchronous=FULL, foreign keys on and a busy
timeout. Exactly one connection writes: the one owned by `sync.writer.Writer`.
Every other connection of the process is opened with ``query_only`` so a
stray write fails loudly instead of racing the writer.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from peewee import Database, PostgresqlDatabase, SqliteDatabase

from sync.errors import StoreUnavailable

log = logging.getLogger(__name__)

SQLITE_PRAGMAS: dict[str, Any] = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL: a committed event survives a power cut.
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "temp_store": 2,
}
# Page cache of each connection (each thread that uses the store has its own),
# in MiB. It fills as the file is read and then stays at this size.
DEFAULT_CACHE_MIB = 32


class StationDatabase(SqliteDatabase):
    """SQLite for one station: only the thread named by `writer_thread` may write.

    WORKAROUND: SQLite 3.7.0 up to 3.51.2 can corrupt a WAL database when two
    connections write or checkpoint at the same moment (fixed in 3.51.3; Python
    3.11 here links 3.40). Readers are therefore opened ``query_only`` and with
    automatic checkpoints off, and the writer connection stays open for the
    store's lifetime, so only it ever checkpoints.
    """

    def __init__(self, path: str | Path, *, cache_mib: int = DEFAULT_CACHE_MIB, **kwargs: Any):
        self.writer_thread: threading.Thread | None = None
        pragmas = {**SQLITE_PRAGMAS, "cache_size": -cache_mib * 1024}  # negative: KiB
        super().__init__(str(path), pragmas=pragmas, check_same_thread=False, **kwargs)

    def _add_conn_hooks(self, conn: sqlite3.Connection) -> None:
        super()._add_conn_hooks(conn)  # type: ignore[misc]
        if self.writer_thread is not None and threading.current_thread() is not self.writer_thread:
            conn.execute("PRAGMA query_only = 1")
            conn.execute("PRAGMA wal_autocheckpoint = 0")


def check_store_path(path: Path) -> None:
    """Raise StoreUnavailable unless `path` can name a store file: not a folder, its parent a folder."""
    if path.is_dir():
        raise StoreUnavailable(
            f"{path} is a folder, not a store file; give the path of the store file, e.g. {path / 'station.db'}"
        )
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise StoreUnavailable(f"cannot use {path} as a store: {parent} is a file, not a folder")


def open_sqlite(path: str | Path, *, cache_mib: int = DEFAULT_CACHE_MIB) -> StationDatabase:
    """Open (creating if needed) a store file and log the SQLite version it runs on.

    ``cache_mib`` is the page cache of each connection. Raises StoreUnavailable
    when the path is a folder or lies below a file.
    """
    check_store_path(Path(path))
    db = StationDatabase(path, cache_mib=cache_mib)
    log.info("Opening SQLite store %s with SQLite %s", path, sqlite3.sqlite_version)
    return db


def is_postgres_url(target: str) -> bool:
    """Tell whether a --db value names a PostgreSQL database rather than a file."""
    return target.startswith(("postgresql://", "postgres://"))


def open_postgres(url: str, **kwargs: Any) -> PostgresqlDatabase:
    """Open a PostgreSQL database named by a ``postgresql://user@host:port/name`` URL.

    Raises StoreUnavailable, naming the URL, when it names no database or has an invalid port.
    """
    example = "postgresql://lineage@127.0.0.1:5432/lineage"
    parsed = urlparse(url)
    name = unquote(parsed.path.lstrip("/"))
    if not name:
        raise StoreUnavailable(
            f"PostgreSQL URL {url!r} names no database; add its name after the host, as in {example}"
        )
    try:
        port = parsed.port
    except ValueError:
        raise StoreUnavailable(
            f"PostgreSQL URL {url!r} has an invalid port; write it as a number, as in {example}"
        ) from None
    params: dict[str, Any] = {"host": parsed.hostname or "127.0.0.1", "port": port or 5432}
    if parsed.username:
        params["user"] = unquote(parsed.username)
    if parsed.password:
        params["password"] = unquote(parsed.password)
    params.update(kwargs)
    return PostgresqlDatabase(name, **params)


def open_database(target: str | Path) -> Database:
    """Open a store named by a file path or a PostgreSQL URL."""
    if isinstance(target, str) and is_postgres_url(target):
        return open_postgres(target)
    return open_sqlite(target)


def sqlite_version() -> str:
    """Return the version of the SQLite library this Python links."""
    return sqlite3.sqlite_version
