"""Schema versions: a new store is stamped, an interrupted migration leaves the old schema whole."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sync.database import open_sqlite
from sync.migrations import STORE, Component, Migration, SchemaTooNew, current_version, migrate
from sync.models import database_proxy
from sync.store import Store


def schema_of(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall(), key=str)
    finally:
        conn.close()


def version_of(path: Path) -> int | None:
    db = open_sqlite(path)
    database_proxy.initialize(db)
    with db.connection_context():
        return current_version(db, "store")


def add_column(db) -> None:  # type: ignore[no-untyped-def]
    db.execute_sql("ALTER TABLE lot ADD COLUMN country_of_origin TEXT")


def failing_step(db) -> None:  # type: ignore[no-untyped-def]
    db.execute_sql("CREATE TABLE half_done (id INTEGER)")
    db.execute_sql("ALTER TABLE container ADD COLUMN tare_kg REAL")
    raise RuntimeError("power cut in the middle of the migration")


def test_new_store_stamped_latest(store_tmpdir: Path) -> None:
    path = store_tmpdir / "s.db"
    Store.open(path, station_id="ST-01").close()
    assert version_of(path) == STORE.latest_version == 1


def test_migration_applies_and_stamps(store_tmpdir: Path) -> None:
    path = store_tmpdir / "s.db"
    Store.open(path, station_id="ST-01").close()
    component = Component("store", STORE.models, [Migration(2, "add country of origin", add_column)])
    db = open_sqlite(path)
    with db.connection_context():
        assert migrate(db, component) == (1, 2)
        columns = [column.name for column in db.get_columns("lot")]
    assert "country_of_origin" in columns
    assert version_of(path) == 2


def test_failed_migration_leaves_old_schema(store_tmpdir: Path) -> None:
    path = store_tmpdir / "s.db"
    Store.open(path, station_id="ST-01").close()
    before = schema_of(path)
    component = Component(
        "store", STORE.models, [Migration(2, "add column", add_column), Migration(3, "breaks halfway", failing_step)]
    )
    db = open_sqlite(path)
    with db.connection_context(), pytest.raises(RuntimeError, match="power cut"):
        migrate(db, component)
    assert schema_of(path) == before
    assert version_of(path) == 1


def test_newer_schema_refused(store_tmpdir: Path) -> None:
    path = store_tmpdir / "s.db"
    Store.open(path, station_id="ST-01").close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO schema_migration (component, version, applied_utc_us) VALUES ('store', 9, 0)")
    conn.close()
    with pytest.raises(SchemaTooNew, match="schema version 9, newer than version 1"):
        Store.open(path)


KILLED_MIGRATION = """
import sys, time
from sync.database import open_sqlite
from sync.migrations import STORE, Component, Migration, migrate

def slow_step(db):
    db.execute_sql("ALTER TABLE lot ADD COLUMN country_of_origin TEXT")
    db.execute_sql("CREATE TABLE half_done (id INTEGER)")
    print("STARTED", flush=True)
    time.sleep(60)

db = open_sqlite(sys.argv[1])
with db.connection_context():
    migrate(db, Component("store", STORE.models, [Migration(2, "slow", slow_step)]))
"""


@pytest.mark.slow
def test_killed_migration_leaves_old_schema(store_tmpdir: Path) -> None:
    path = store_tmpdir / "s.db"
    Store.open(path, station_id="ST-01").close()
    before = schema_of(path)
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_MIGRATION, str(path)], stdout=subprocess.PIPE, text=True, cwd=root
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "STARTED"
    time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with Store.open(path) as store:
        assert store.startup_report.schema_before == 1
    assert schema_of(path) == before
