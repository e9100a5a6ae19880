"""`lineage sync` as an operator or a script runs it: configuration errors, --status, --once."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import DEMO_REFERENCE, ROOT
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
    assert "lineage sync: the sync server http://127.0.0.1:9 refused the connection" in result.stderr
    assert "check that lineage-server runs there" in result.stderr
    assert "HTTPConnectionPool" not in result.stderr
    assert "2 events still waiting; they stay in the outbox and will be sent next time." in result.stderr


def test_server_without_scheme_rejected(tmp_path: Path) -> None:
    home = StationHome("ST-URL", tmp_path, "plt_x", "http://127.0.0.1:9")
    home.write_config()
    flag = home.lineage("sync", "--once", "--server", "127.0.0.1:9")
    assert flag.returncode == 1
    assert "lineage sync: --server is invalid: '127.0.0.1:9' has no http:// or https:// scheme" in flag.stderr
    assert "write it as http://127.0.0.1:9" in flag.stderr

    home.write_config(server_url="127.0.0.1:9")
    setting = home.lineage("sync", "--once")
    assert setting.returncode == 1
    assert "setting sync_server_url is invalid: '127.0.0.1:9' has no http:// or https:// scheme" in setting.stderr
    # Nothing was tried: no store was made for the station.
    assert not home.db.exists()


def test_continuous_sync_prints_changes_only(tmp_path: Path) -> None:
    home = StationHome("ST-LOOP", tmp_path, "plt_x", "http://127.0.0.1:9")
    home.write_config()
    with home.config.open("a", encoding="utf-8") as config:
        config.write("backoff_max_s = 0.2\n")
    process = home.lineage_process("sync")
    time.sleep(3.0)  # about ten retries at 0.1 to 0.2 s each
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    # Every retry failed the same way: one line, not one per retry.
    assert out.splitlines() == [
        "offline, 0 waiting, 0 rejected, last error: the sync server http://127.0.0.1:9 refused the connection: "
        "check that lineage-server runs there and that sync_server_url is right"
    ]
    assert err.count("WARNING") == 1


def test_status_printer_skips_repeats(capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.commands.sync import StatusPrinter
    from sync.client import SyncStatus

    printer = StatusPrinter()
    offline = SyncStatus(online=False, waiting=1, rejected=0, last_success_at=None, last_error="down")
    printer(offline)
    printer(SyncStatus(online=False, waiting=1, rejected=0, last_success_at=None, last_error="down"))
    printer(SyncStatus(online=False, waiting=2, rejected=0, last_success_at=None, last_error="down"))
    printer(SyncStatus(online=True, waiting=0, rejected=0, last_success_at="now"))
    printer(SyncStatus(online=True, waiting=0, rejected=0, last_success_at="later"))
    assert capsys.readouterr().out.splitlines() == [
        "offline, 1 waiting, 0 rejected, last error: down",
        "offline, 2 waiting, 0 rejected, last error: down",
        "online, 0 waiting, 0 rejected",
    ]


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
    server.cli("import-reference", str(DEMO_REFERENCE))
    result = newcomer.sync_once()
    assert result.returncode == 0, result.stderr
    assert f"No store at {newcomer.db.absolute()}: made a new, empty one for station {newcomer_id}." in result.stderr
    # The summary names what was pulled: events and reference entries (5 operators, 7 equipment,
    # 3 sampling methods, 2 acceptance rules and 4 grades in the demo file).
    summary = result.stdout.splitlines()[0]
    assert re.search(r"pulled \d+ events? and 21 new reference entries, 0 still waiting$", summary)
    timeline = newcomer.lineage("timeline", f"{writer_id}-C0")
    assert timeline.returncode == 0, timeline.stderr
    assert f"{writer_id}-L0" in timeline.stdout
