"""The status bar: online or offline, events waiting and rejected, from the sync client or the outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sync.client import SyncStatus
from tests.helpers import lot_body
from tests.kiosk.ui.driver import KioskDriver
from tests.kiosk.ui.test_container import remember_readings
from tests.sync.server.support import Backend, ServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real `lineage-server` on 127.0.0.1 with a SQLite database."""
    (tmp_path / "server-db").mkdir()
    (tmp_path / "server-run").mkdir()
    with Backend.make("sqlite", tmp_path / "server-db") as backend:
        process = ServerProcess(backend, tmp_path / "server-run")
        process.start()
        yield process
        process.stop()


def open_container(kiosk: KioskDriver, container_id: str) -> None:
    """Open a container by touch: scan, Open, Confirm."""
    kiosk.scan(f"PL1:C:{container_id}")
    kiosk.tap("openButton")
    kiosk.tap("exposureConfirm")


def wait_for(kiosk: KioskDriver, condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    for _attempt in range(int(timeout_s / 0.1)):
        if condition():
            return
        kiosk.wait(0.1)
    raise AssertionError("the status bar never showed it")


def test_without_server_counts_outbox(logged_in: KioskDriver) -> None:
    bar = logged_in.window.status_bar
    assert bar.connection.text() == "No server"
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    remember_readings(logged_in)
    open_container(logged_in, "C-1")
    wait_for(logged_in, lambda: bar.waiting.text() == "2 waiting")
    assert bar.rejected.isHidden()


def test_rejected_count_shown_in_red(logged_in: KioskDriver) -> None:
    bar = logged_in.window.status_bar
    logged_in.station.bridge.on_sync_status(SyncStatus(online=True, waiting=3, rejected=2, last_success_at=None))
    logged_in.settle()
    assert bar.waiting.text() == "3 waiting"
    assert bar.rejected.text() == "2 rejected"
    assert bar.rejected.isVisible()
    assert bar.rejected.property("level") == "rejected"


@pytest.mark.allow_warning_logs
def test_refused_server_reason_shown(station_factory: Callable[..., KioskDriver]) -> None:
    # Port 9 (discard) has no listener on this machine's loopback, so the connection is refused.
    kiosk = station_factory(sync_server_url="http://127.0.0.1:9", sync_token="plt_x", sync_backoff_max_s=0.5)
    bar = kiosk.window.status_bar
    wait_for(kiosk, lambda: bar.connection.text() == "Offline: connection refused")
    assert bar.connection.property("level") == "warning"
    assert bar.connection.toolTip() == (
        "the sync server http://127.0.0.1:9 refused the connection: "
        "check that lineage-server runs there and that sync_server_url is right"
    )


@pytest.mark.slow
@pytest.mark.allow_warning_logs
def test_rejected_token_shown_while_online(station_factory: Callable[..., KioskDriver], server: ServerProcess) -> None:
    # The server responds, so the station is online, but nothing syncs until the token is fixed.
    kiosk = station_factory(sync_server_url=server.url, sync_token="plt_unknown", sync_backoff_max_s=0.5)
    bar = kiosk.window.status_bar
    wait_for(kiosk, lambda: bar.connection.text() == "Online: token rejected")
    assert bar.connection.property("level") == "warning"
    assert "unknown or revoked" in bar.connection.toolTip()


@pytest.mark.slow
@pytest.mark.allow_warning_logs
def test_status_follows_real_server(station_factory: Callable[..., KioskDriver], server: ServerProcess) -> None:
    token = server.enrol("ST-01")
    kiosk = station_factory(sync_server_url=server.url, sync_token=token, sync_interval_s=0.3, sync_backoff_max_s=0.5)
    bar = kiosk.window.status_bar
    kiosk.scan("PL1:B:OP-0001")
    kiosk.record("lot_registered", lot_body("L-1", {"C-1": 25.0, "C-2": 25.0}))
    remember_readings(kiosk)
    open_container(kiosk, "C-1")
    wait_for(kiosk, lambda: bar.connection.text() == "Online" and bar.waiting.text() == "0 waiting")

    server.stop()
    open_container(kiosk, "C-2")
    wait_for(
        kiosk, lambda: bar.connection.text() == "Offline: connection refused" and bar.waiting.text() == "1 waiting"
    )
    assert bar.connection.property("level") == "warning"
    assert bar.connection.toolTip().startswith(f"the sync server {server.url} refused the connection")
