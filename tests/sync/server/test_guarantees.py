"""Every recorded event reaches the server exactly once, whatever the network, the server or the power do.

Each scenario runs `lineage sync --once` as a station would, through a fault-injecting
proxy where the network misbehaves, and ends by checking that the server stores each
recorded event once and that every chain verifies (`lineage verify`, `lineage-server verify`).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from tests.sync.server.support import (
    FaultProxy,
    ServerProcess,
    StationHome,
    assert_exactly_once,
    record_and_wait,
    record_events,
)

MakeStation = Callable[..., StationHome]


@pytest.fixture
def fault_proxy(server: ServerProcess) -> Iterator[FaultProxy]:
    """A fault-injecting TCP proxy in front of the module's server."""
    proxy = FaultProxy(server.port)
    yield proxy
    proxy.close()


def sync_until_done(home: StationHome, *, attempts: int = 5) -> list[int]:
    """Run `lineage sync --once` until it succeeds; return every exit status."""
    statuses = []
    for _ in range(attempts):
        result = home.sync_once()
        statuses.append(result.returncode)
        if result.returncode == 0:
            return statuses
        assert "still waiting" in result.stderr, result.stderr
    raise AssertionError(f"sync never succeeded: {statuses}")


def test_response_timeout_then_retry(station_home: MakeStation, fault_proxy: FaultProxy, server: ServerProcess) -> None:
    home = station_home(server_url=fault_proxy.url, read_timeout_s=1.0)
    record_and_wait(home, 40)
    # The server stores the batch, but its response comes after the station gave up waiting.
    fault_proxy.add("delay", value=2.5)
    first = home.sync_once()
    assert first.returncode == 1
    assert "timed out" in first.stderr
    second = home.sync_once()
    assert second.returncode == 0, second.stderr
    # The first batch was stored before the timeout: resent, all 40 are duplicates.
    assert "(0 accepted, 40 duplicate, 0 rejected)" in second.stdout
    assert_exactly_once(server, [home])


def test_5xx_responses_then_retry(station_home: MakeStation, fault_proxy: FaultProxy, server: ServerProcess) -> None:
    home = station_home(server_url=fault_proxy.url)
    record_and_wait(home, 20)
    fault_proxy.add("status", value=502, count=2)
    statuses = sync_until_done(home)
    assert statuses == [1, 1, 0]
    assert_exactly_once(server, [home])


@pytest.mark.parametrize("action", ["cut", "garble", "drop"])
def test_spoilt_response_then_retry(
    station_home: MakeStation, fault_proxy: FaultProxy, server: ServerProcess, action: str
) -> None:
    home = station_home(server_url=fault_proxy.url)
    record_and_wait(home, 30)
    # cut: the response ends after 60 bytes (inside the headers or the body).
    fault_proxy.add(action, value=60)
    first = home.sync_once()
    assert first.returncode == 1
    assert sync_until_done(home) == [0]
    assert_exactly_once(server, [home])


def test_cut_response_inside_body(station_home: MakeStation, fault_proxy: FaultProxy, server: ServerProcess) -> None:
    home = station_home(server_url=fault_proxy.url)
    record_and_wait(home, 30)
    # Headers complete, Content-Length promises more than arrives.
    fault_proxy.add("cut", value=400)
    assert home.sync_once().returncode == 1
    assert sync_until_done(home) == [0]
    assert_exactly_once(server, [home])


def test_same_batch_delivered_twice(station_home: MakeStation, fault_proxy: FaultProxy, server: ServerProcess) -> None:
    home = station_home(server_url=fault_proxy.url)
    record_and_wait(home, 25)
    fault_proxy.add("duplicate")
    result = home.sync_once()
    assert result.returncode == 0, result.stderr
    # The station gets the second delivery's response: every event of that batch a duplicate.
    assert "25 duplicate" in result.stdout
    assert_exactly_once(server, [home])


def test_station_killed_while_recording(station_home: MakeStation, server: ServerProcess) -> None:
    home = station_home()
    recorder = record_events(home, 2000)
    assert recorder.stdout is not None
    for line in recorder.stdout:
        if int(line) >= 60:
            break
    recorder.send_signal(signal.SIGKILL)
    recorder.wait(10)
    assert sync_until_done(home) == [0]
    # Every event the store committed before the kill got to the server, and nothing else.
    assert len(home.own_event_ids()) >= 60
    assert_exactly_once(server, [home])


def test_station_killed_mid_batch(station_home: MakeStation, fault_proxy: FaultProxy, server: ServerProcess) -> None:
    home = station_home(server_url=fault_proxy.url)
    record_and_wait(home, 45)
    fault_proxy.add("delay", value=3.0)
    sender = home.lineage_process("sync", "--once")
    deadline = time.monotonic() + 10
    while not any("[delay]" in path for _, path in fault_proxy.seen):
        assert time.monotonic() < deadline, "the batch never reached the proxy"
        time.sleep(0.02)
    time.sleep(0.5)  # the server commits while the response is held back
    sender.send_signal(signal.SIGKILL)
    sender.wait(10)
    assert sync_until_done(home) == [0]
    assert_exactly_once(server, [home])


def test_two_stations_back_after_a_day(station_home: MakeStation, server: ServerProcess) -> None:
    first, second = station_home(), station_home()
    recorders = [record_events(home, 90, spread_h=24.0) for home in (first, second)]
    for recorder in recorders:
        _, stderr = recorder.communicate(timeout=120)
        assert recorder.returncode == 0, stderr
    # Both come back at once.
    senders = [home.lineage_process("sync", "--once") for home in (first, second)]
    for sender in senders:
        _, stderr = sender.communicate(timeout=120)
        assert sender.returncode == 0, stderr
    for home in (first, second):
        assert sync_until_done(home) == [0]
    assert_exactly_once(server, [first, second])
    # Each station now has the other's containers.
    for home, other in ((first, second), (second, first)):
        timeline = home.lineage("timeline", f"{other.station_id}-C0", "--db", str(home.db), "--format", "json")
        assert timeline.returncode == 0, timeline.stderr
        assert f'"{other.station_id}-L0"' in timeline.stdout


def test_station_clock_hours_wrong(station_home: MakeStation, server: ServerProcess) -> None:
    from sync.client import SyncClient, SyncSettings
    from sync.records import now_local
    from sync.store import Store

    home = station_home()
    record_and_wait(home, 12, offset_h=5.0)
    store = Store.open(home.db, station_id=home.station_id)
    try:
        client = SyncClient(
            store,
            SyncSettings(server_url=server.url, token=home.token),
            clock=lambda: now_local() + timedelta(hours=5),
        )
        report = client.sync_once(reference=False)
    finally:
        store.close()
    assert report.accepted == 12
    assert_exactly_once(server, [home])
    flags = server.backend.query(f"SELECT code FROM station_flag WHERE station_id = '{home.station_id}'")
    assert ("clock_drift",) in flags
    # The server orders the station's events by sequence number, whatever times their clock gave them.
    seqs = server.backend.query(
        f"SELECT seq FROM event WHERE station_id = '{home.station_id}' ORDER BY occurred_utc_us"
    )
    assert [row[0] for row in seqs] == list(range(1, 13))
