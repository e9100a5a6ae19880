"""`lineage sync` as an operator or a script runs it: configuration errors, --status, --once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.sync.server.support import Backend, ServerProcess, StationHome, new_station_id, record_and_wait


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with Backend.make("sqlite", tmp_path_factory.mktemp("cli-server")) as backend:
        process = ServerProcess(backend, tmp_path_factory.mktemp("cli-run"))
        process.start()
        yield process
        process.stop()


def lineage(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True, timeout=60, cwd=ROOT
    )


def test_sync_without_server_configured(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text(f'station_id = "ST-X"\ndb_path = "{tmp_path / "s.db"}"\n', encoding="utf-8")
    result = lineage("--config", str(config), "sync", "--once")
    assert result.returncode == 1
    assert "no sync server configured" in result.stderr
    assert "server_url" in result.stderr


def test_sync_without_token_configured(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text('[sync]\nserver_url = "http://127.0.0.1:9"\n', encoding="utf-8")
    result = lineage("--config", str(config), "sync", "--once", "--db", str(tmp_path / "s.db"))
    assert result.returncode == 1
    assert "no station token configured" in result.stderr


def test_sync_once_reports_counts(server: ServerProcess, tmp_path: Path) -> None:
    station = new_station_id()
    home = StationHome(station, tmp_path, server.enrol(station), server.url)
    home.write_config()
    record_and_wait(home, 7)
    result = home.sync_once()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sent 7 events in 1 batch (7 accepted, 0 duplicate, 0 rejected)")
    status = home.lineage("sync", "--status")
    assert status.returncode == 0
    assert "waiting: 0, rejected: 0" in status.stdout


def test_sync_status_lists_rejected(server: ServerProcess, tmp_path: Path) -> None:
    station = new_station_id()
    home = StationHome(station, tmp_path, server.enrol(station), server.url)
    home.write_config()
    record_and_wait(home, 3)
    conn = sqlite3.connect(home.db)
    damaged = conn.execute("SELECT event_id FROM event WHERE seq = 2").fetchone()[0]
    conn.execute("UPDATE event SET operator_id = 'OP-0002' WHERE seq = 2")
    conn.commit()
    conn.close()
    once = home.sync_once()
    assert once.returncode == 0, once.stderr
    assert f"REJECTED {damaged} seq 2" in once.stdout
    assert "correction" in once.stdout
    status = home.lineage("sync", "--status")
    assert "waiting: 0, rejected: 1" in status.stdout
    assert f"REJECTED {damaged}" in status.stdout


def test_sync_unreachable_keeps_waiting(tmp_path: Path) -> None:
    home = StationHome("ST-OFF", tmp_path, "plt_x", "http://127.0.0.1:9")
    home.write_config()
    record_and_wait(home, 2)
    result = home.sync_once()
    assert result.returncode == 1
    assert "127.0.0.1:9" in result.stderr
    assert "2 events still waiting" in result.stderr


def test_new_station_pulls_first(server: ServerProcess, tmp_path: Path) -> None:
    # A station that has recorded nothing yet syncs to learn the others' containers.
    writer_id = new_station_id()
    writer = StationHome(writer_id, tmp_path / "writer", server.enrol(writer_id), server.url)
    writer.folder.mkdir()
    writer.write_config()
    record_and_wait(writer, 4)
    assert writer.sync_once().returncode == 0

    newcomer_id = new_station_id()
    newcomer = StationHome(newcomer_id, tmp_path / "new", server.enrol(newcomer_id), server.url)
    newcomer.folder.mkdir()
    newcomer.write_config()
    assert not newcomer.db.exists()
    result = newcomer.sync_once()
    assert result.returncode == 0, result.stderr
    timeline = newcomer.lineage("timeline", f"{writer_id}-C0")
    assert timeline.returncode == 0, timeline.stderr
    assert f"{writer_id}-L0" in timeline.stdout
