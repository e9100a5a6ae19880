"""Checks of the files and the database given to `lineage-server`, made before anything is opened or created.

    check_database_target("server.db", "--db server.db", must_exist=False)
    key = read_input_file(Path("receipt.key"), "--receipt-key-file receipt.key")

Each problem raises InvalidInput with one line that names the value, states what
is wrong and what to do, so a wrong path gets no traceback and leaves no new
empty database behind.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import urlparse

from sync.database import is_postgres_url
from sync.errors import describe_file_error
from sync.models import Setting

# The first 16 bytes of every SQLite 3 database file (an empty file is a new database too).
SQLITE_HEADER = b"SQLite format 3\x00"
EXAMPLE_URL = "postgresql://lineage@127.0.0.1:5432/lineage"
# The setting in which a station store records its station. `sync.store` writes it when a store
# is first opened, and `lineage demo-data` writes it into a SQLite demo file. `lineage-server`
# never writes it.
STATION_ID_SETTING = "station_id"


class InvalidInput(ValueError):
    """A path or URL given to `lineage-server` cannot be used; the message names the value and what to do."""


def read_input_file(path: Path, label: str, *, suffix: str = "") -> bytes:
    """Read a whole input file; raise InvalidInput naming ``label`` when it cannot be read.

    ``suffix`` (such as ``.toml``) picks a file to suggest when the path is a folder.
    """
    try:
        return path.read_bytes()
    except OSError as error:
        example = _first_file(path, suffix) if isinstance(error, IsADirectoryError) else None
        raise InvalidInput(describe_file_error(error, label, example=example)) from error


def _first_file(folder: Path, suffix: str) -> Path | None:
    if not suffix:
        return None
    try:
        return min((child for child in folder.iterdir() if child.suffix == suffix and child.is_file()), default=None)
    except OSError:
        return None


def check_database_target(target: str, label: str, *, must_exist: bool) -> None:
    """Raise InvalidInput unless ``target`` can be the server database: a SQLite file or a PostgreSQL URL.

    A SQLite path must be a SQLite file (or an empty one) that can be read and
    written and is not a station's store, or, unless ``must_exist``, a new file
    in a folder that exists. An existing file is only read.
    A URL is checked for its form only, because only connecting shows whether
    the database exists.
    """
    if not target.strip():
        raise InvalidInput(
            f"{label} is empty; give a SQLite file such as lineage-server.db or a URL such as {EXAMPLE_URL}"
        )
    if is_postgres_url(target):
        _check_postgres_url(target, label)
        return
    path = Path(target)
    if path.is_dir():
        raise InvalidInput(
            f"{label} is a folder, not a database file; give the path of a file, such as {path / 'lineage-server.db'}"
        )
    if path.exists():
        _check_sqlite_file(path, label)
        return
    _check_new_file(path, label, must_exist=must_exist)


def _check_postgres_url(url: str, label: str) -> None:
    parsed = urlparse(url)
    try:
        # urllib parses the port lazily: reading it raises ValueError for text or a number above 65535.
        _ = parsed.port
    except ValueError:
        raise InvalidInput(f"{label} has an invalid port; use a number up to 65535, as in {EXAMPLE_URL}") from None
    if not parsed.path.strip("/"):
        raise InvalidInput(f"{label} names no database; add its name after the host, as in {EXAMPLE_URL}")


def _check_sqlite_file(path: Path, label: str) -> None:
    if not path.is_file():
        raise InvalidInput(f"{label} is not a regular file; give the path of the server database file")
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as error:
        raise InvalidInput(describe_file_error(error, label)) from error
    if header and header != SQLITE_HEADER:
        raise InvalidInput(
            f"{label} is not a SQLite database; give the path of the server database, or of a new file to create one"
        )
    station_id = _station_of_store(path, label) if header else None
    if station_id is not None:
        raise InvalidInput(
            f"{label} is station {station_id}'s store, not a server database; "
            "give the server's database file or a PostgreSQL URL instead"
        )
    if not os.access(path, os.W_OK):
        raise InvalidInput(f"{label} is read-only (permission denied); check the file's owner and permissions")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        # SQLite in WAL mode creates its -wal and -shm files beside the database.
        raise InvalidInput(
            f"{label} cannot be written because its folder {path.parent} is read-only (permission denied), "
            "and SQLite creates its journal files there; check the folder's owner and permissions"
        )


def _station_of_store(path: Path, label: str) -> str | None:
    """Return the station id that a station store records, or None for a SQLite file without one.

    Only reads the file. Raises InvalidInput when SQLite cannot read it.
    """
    # Without a -wal file every committed row is in the main file. `immutable` reads it without
    # creating the empty -wal and -shm files that `mode=ro` leaves beside a WAL database (SQLite 3.40).
    # A -wal file may contain rows not yet in the main file, so `mode=ro` reads through it.
    has_wal = path.with_name(path.name + "-wal").exists()
    uri = f"{path.resolve().as_uri()}?{'mode=ro' if has_wal else 'immutable=1'}"
    query = f'SELECT "value" FROM "{Setting._meta.table_name}" WHERE "key" = ?'
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=10)) as connection:
            row = connection.execute(query, (STATION_ID_SETTING,)).fetchone()
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return None
        raise InvalidInput(
            f"{label} cannot be read ({error}); retry when no other program has it locked, "
            "or restore it from a backup if it is damaged"
        ) from error
    except sqlite3.DatabaseError as error:
        raise InvalidInput(
            f"{label} cannot be read ({error}); restore the server database from a backup if it is damaged"
        ) from error
    return None if row is None else str(row[0])


def _check_new_file(path: Path, label: str, *, must_exist: bool) -> None:
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise InvalidInput(f"{label} cannot exist because {parent} is a file, not a folder; check the path")
    if must_exist:
        raise InvalidInput(
            f"{label} not found; check the path. A new server database is created by serving, "
            "`enrol-station` or `import-reference`, not by this command"
        )
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInput(f"{label} cannot be created because the folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInput(
            f"{label} cannot be created in the folder {folder}: permission denied; check the folder's owner and permissions"
        )
