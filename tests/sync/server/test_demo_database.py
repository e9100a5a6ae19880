"""Demo data written into PostgreSQL is a complete server database: it verifies and stations pull it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.sync.server.support import Backend, ServerProcess, StationHome, postgres_absent_reason, record_and_wait

DEMO_EVENTS = 2000
# Not one of the demo plant's stations (ST-01 to ST-13), so its own chain cannot fork theirs.
PULLING_STATION = "ST-90"

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def demo_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """A PostgreSQL database filled by `lineage demo-data`, dropped after the module."""
    reason = postgres_absent_reason()
    if reason is not None:
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    with Backend.make("postgres", tmp_path_factory.mktemp("demo-postgres")) as backend:
        command = ["demo-data", "--db", backend.target, "--events", str(DEMO_EVENTS), "--seed", "1"]
        result = subprocess.run(
            [sys.executable, "-m", "kiosk.cli", *command], capture_output=True, text=True, timeout=300, cwd=ROOT
        )
        assert result.returncode == 0, result.stderr
        yield backend


def server_cli(backend: Backend, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "--db", backend.target, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_demo_database_passes_server_verify(demo_backend: Backend) -> None:
    result = server_cli(demo_backend, "verify")
    assert result.returncode == 0, result.stdout
    assert f"OK: {DEMO_EVENTS} events, every chain intact, each event stored once" in result.stdout
    assert "station ST-01: " in result.stdout


def test_demo_arrivals_follow_each_chain(demo_backend: Backend) -> None:
    arrivals = demo_backend.query(
        "SELECT count(*), count(DISTINCT event_id), min(position), max(position) FROM arrival"
    )
    assert arrivals == [(DEMO_EVENTS, DEMO_EVENTS, 1, DEMO_EVENTS)]
    # Within a station, positions rise with the sequence number, so a puller receives each chain in order.
    out_of_order = demo_backend.query(
        "SELECT count(*) FROM (SELECT a.position, lag(a.position) OVER (PARTITION BY e.station_id ORDER BY e.seq) AS prev"
        " FROM arrival a JOIN event e ON e.event_id = a.event_id) AS ordered WHERE prev > position"
    )
    assert out_of_order == [(0,)]


def test_demo_stations_listed_not_enrolled(demo_backend: Backend) -> None:
    result = server_cli(demo_backend, "stations")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"ST-{number:02d}" for number in range(1, 14)]
    assert all(": not enrolled, " in line for line in lines)


def test_station_pulls_whole_demo_history(demo_backend: Backend, tmp_path: Path) -> None:
    server = ServerProcess(demo_backend, tmp_path / "server")
    (tmp_path / "server").mkdir()
    server.start()
    try:
        folder = tmp_path / PULLING_STATION
        folder.mkdir()
        home = StationHome(PULLING_STATION, folder, server.enrol(PULLING_STATION), server.url)
        home.write_config()
        record_and_wait(home, 3)
        result = home.sync_once()
        assert result.returncode == 0, result.stderr
    finally:
        server.stop()

    import sqlite3

    conn = sqlite3.connect(f"file:{home.db}?mode=ro", uri=True)
    try:
        pulled = conn.execute("SELECT count(*) FROM event WHERE station_id != ?", (PULLING_STATION,)).fetchone()[0]
    finally:
        conn.close()
    assert pulled == DEMO_EVENTS
    station_verify = home.lineage("verify", "--db", str(home.db))
    assert station_verify.returncode == 0, station_verify.stdout + station_verify.stderr
    # The station's own events arrived after the demo history, so the position sequence continued past it.
    positions = demo_backend.query(f"SELECT min(position) FROM arrival WHERE station_id = '{PULLING_STATION}'")
    assert positions == [(DEMO_EVENTS + 1,)]
    server_verify = server_cli(demo_backend, "verify")
    assert server_verify.returncode == 0, server_verify.stdout
    assert f"OK: {DEMO_EVENTS + 3} events" in server_verify.stdout
