"""The station's sync client against a real server: outbox, rejections, receipts, pull, status, retries."""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client import (
    RequestRejected,
    ServerBusy,
    ServerUnreachable,
    SyncClient,
    SyncMisconfigured,
    SyncSettings,
    SyncStatus,
)
from sync.models import Event, Outbox, Setting
from sync.reference import Grade, import_reference_rows, load_reference_file
from sync.store import Store
from tests.helpers import DEMO_REFERENCE, OPERATOR, lot_body
from tests.sync.server.support import Backend, FaultProxy, ServerProcess, new_station_id


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One SQLite-backed server for the client tests (the guarantee tests cover PostgreSQL too)."""
    with Backend.make("sqlite", tmp_path_factory.mktemp("client-server")) as backend:
        process = ServerProcess(backend, tmp_path_factory.mktemp("client-run"))
        process.start()
        yield process
        process.stop()


class Station:
    """An enrolled station's store in this process, with its token."""

    def __init__(self, server: ServerProcess, folder: Path, *, reference: bool = True):
        self.station_id = new_station_id()
        self.token = server.enrol(self.station_id)
        self.path = folder / f"{self.station_id}.db"
        self.server = server
        self.store = Store.open(self.path, station_id=self.station_id)
        if reference:
            sections = load_reference_file(DEMO_REFERENCE)
            self.store.write(lambda: import_reference_rows(sections))

    def client(self, url: str | None = None, **settings: object) -> SyncClient:
        return SyncClient(self.store, SyncSettings(server_url=url or self.server.url, token=self.token, **settings))  # type: ignore[arg-type]

    def record_lots(self, count: int, prefix: str = "L") -> list[str]:
        ids = []
        for i in range(count):
            event = self.store.record(
                "lot_registered",
                lot_body(f"{self.station_id}-{prefix}{i}", {f"{self.station_id}-C{prefix}{i}": 10.0}),
                operator_id=OPERATOR,
            )
            ids.append(event.event_id)
        return ids


@pytest.fixture
def station(server: ServerProcess, tmp_path: Path) -> Iterator[Station]:
    made = Station(server, tmp_path)
    yield made
    made.store.close()


def test_sync_once_sends_everything(station: Station) -> None:
    station.record_lots(12)
    client = station.client(batch_size=5)
    report = client.sync_once()
    assert report.batches == 3
    assert report.accepted == 12
    assert report.waiting == 0
    assert client.status().online is True
    held = station.server.backend.query(f"SELECT count(*) FROM event WHERE station_id = '{station.station_id}'")
    assert held[0][0] == 12


def test_backoff_doubles_with_jitter(station: Station) -> None:
    low = SyncClient(
        station.store,
        SyncSettings("http://127.0.0.1:9", "t", backoff_initial_s=1, backoff_max_s=60),
        random_fraction=lambda: 0.0,
    )
    high = SyncClient(
        station.store,
        SyncSettings("http://127.0.0.1:9", "t", backoff_initial_s=1, backoff_max_s=60),
        random_fraction=lambda: 1.0,
    )
    assert [low.backoff_s(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert [high.backoff_s(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    # Capped at backoff_max_s, and still jittered there.
    assert low.backoff_s(20) == 30.0
    assert high.backoff_s(20) == 60.0


@pytest.mark.allow_warning_logs
def test_unreachable_server_keeps_events(station: Station) -> None:
    station.record_lots(3)
    # Port 9 (discard) has no listener on this machine's loopback.
    client = station.client("http://127.0.0.1:9", connect_timeout_s=1.0)
    with pytest.raises(ServerUnreachable, match=re.escape("127.0.0.1:9")):
        client.sync_once()
    status = client.status()
    assert status.online is False
    assert status.waiting == 3
    assert "127.0.0.1:9" in (status.last_error or "")
    with station.store.reading():
        attempts = [row.attempts for row in Outbox.select()]
    assert attempts == [1, 1, 1]


def test_refused_connection_one_sentence(station: Station) -> None:
    station.record_lots(1)
    client = station.client("http://127.0.0.1:9", connect_timeout_s=1.0)
    with pytest.raises(ServerUnreachable) as caught:
        client.sync_once()
    # One sentence naming the server and what to check, not requests' "HTTPConnectionPool(...)" text.
    assert str(caught.value) == (
        "the sync server http://127.0.0.1:9 refused the connection: "
        "check that lineage-server runs there and that sync_server_url is right"
    )
    assert caught.value.code == "refused"
    status = client.status()
    assert status.last_error == str(caught.value)
    assert status.last_error_code == "refused"


@pytest.mark.allow_warning_logs
def test_repeated_failure_warns_once(station: Station, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sync.client")
    client = station.client("http://127.0.0.1:9", backoff_initial_s=0.05, backoff_max_s=0.1)
    client.start()
    try:
        deadline = threading.Event()
        for _ in range(50):
            if sum("same error" in record.getMessage() for record in caplog.records) >= 3:
                break
            deadline.wait(0.1)
    finally:
        client.stop()
    warnings = [record for record in caplog.records if record.levelname == "WARNING"]
    repeats = [record for record in caplog.records if "same error" in record.getMessage()]
    assert len(warnings) == 1
    assert "refused the connection" in warnings[0].getMessage()
    assert len(repeats) >= 3
    assert all(record.levelname == "INFO" for record in repeats)


@pytest.mark.allow_warning_logs
def test_invalid_event_rejected_others_sent(station: Station) -> None:
    ids = station.record_lots(5)
    # Damage one stored event, so the server finds it invalid (its hash no longer matches).
    station.store.close()
    conn = sqlite3.connect(station.path)
    conn.execute("UPDATE event SET operator_id = 'OP-9999' WHERE event_id = ?", (ids[2],))
    conn.commit()
    conn.close()
    station.store = Store.open(station.path, station_id=station.station_id)

    client = station.client()
    report = client.sync_once(reference=False)
    assert report.rejected == 1
    assert report.accepted == 4
    rejected = client.rejected_events()
    assert [r["event_id"] for r in rejected] == [ids[2]]
    assert "hash" in rejected[0]["reason"]
    status = client.status()
    assert status.rejected == 1
    assert status.waiting == 0


@pytest.mark.allow_warning_logs
def test_rejected_event_then_correction_sent(station: Station) -> None:
    ids = station.record_lots(2)
    station.store.close()
    conn = sqlite3.connect(station.path)
    conn.execute("UPDATE event SET operator_id = 'OP-9999' WHERE event_id = ?", (ids[0],))
    conn.commit()
    conn.close()
    station.store = Store.open(station.path, station_id=station.station_id)
    client = station.client()
    client.sync_once(reference=False)
    correction = station.store.record(
        "correction",
        {"corrects_event_id": ids[0], "reason": "recorded with the wrong operator"},
        operator_id=OPERATOR,
        check_rules=False,
    )
    report = client.sync_once(reference=False)
    assert report.accepted == 1
    held = station.server.backend.query(f"SELECT kind FROM event WHERE event_id = '{correction.event_id}'")
    assert held == [("correction",)]
    assert [r["event_id"] for r in client.rejected_events()] == [ids[0]]


@pytest.mark.allow_warning_logs
def test_receipt_detects_restored_backup(station: Station, tmp_path: Path) -> None:
    station.record_lots(4, prefix="A")
    station.store.close()
    backup = tmp_path / "backup.db"
    shutil.copy(station.path, backup)
    station.store = Store.open(station.path, station_id=station.station_id)
    station.record_lots(4, prefix="B")
    station.client().sync_once(reference=False)
    station.store.close()

    # The station is restored from the backup (4 events) and records on: seq 5 and 6 again.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{station.path}{suffix}").unlink(missing_ok=True)
    shutil.copy(backup, station.path)
    station.store = Store.open(station.path, station_id=station.station_id)
    station.record_lots(2, prefix="C")
    client = station.client()
    report = client.sync_once(reference=False)
    assert report.rejected == 2
    assert {r["reason"].split(":")[0] for r in client.rejected_events()} == {"fork"}
    problem = client.status().receipt_problem
    assert problem is not None
    assert "older backup" in problem
    assert "seq 8" in problem


def test_pull_stores_others_events(server: ServerProcess, tmp_path: Path) -> None:
    writer = Station(server, tmp_path / "w")
    writer.record_lots(7)
    writer.client().sync_once(reference=False)
    writer.store.close()

    reader = Station(server, tmp_path / "r")
    try:
        client = reader.client(pull_page_size=3)
        assert client.pull() >= 7
        with reader.store.reading():
            pulled = Event.select().where(Event.station_id == writer.station_id).count()
            cursor = Setting.get(Setting.key == "sync_cursor").value
        assert pulled == 7
        assert int(cursor) > 0
        assert client.pull() == 0
        # Earlier tests left stations with rejected events, so gaps of others may show; not the writer's.
        assert writer.station_id not in client.status().open_gaps
    finally:
        reader.store.close()


def test_reference_pulled_into_station(server: ServerProcess, tmp_path: Path) -> None:
    imported = server.cli("import-reference", str(DEMO_REFERENCE))
    assert imported.returncode == 0, imported.stderr
    bare = Station(server, tmp_path, reference=False)
    try:
        client = bare.client()
        added = client.pull_reference()
        assert added > 0
        with bare.store.reading():
            assert Grade.select().where(Grade.grade_id == "TI64-G23").count() >= 1
        assert client.pull_reference() == 0
    finally:
        bare.store.close()


def test_busy_server_gives_retry_after(station: Station) -> None:
    station.record_lots(2)
    proxy = FaultProxy(station.server.port)
    try:
        proxy.add("status", value=503)
        client = station.client(proxy.url)
        with pytest.raises(ServerBusy) as caught:
            client.sync_once()
        assert caught.value.retry_after_s == 7.0
        assert client.status().online is True
        assert client.status().waiting == 2
    finally:
        proxy.close()


@pytest.mark.allow_warning_logs
def test_too_large_halves_batch(station: Station) -> None:
    station.record_lots(10)
    proxy = FaultProxy(station.server.port)
    try:
        proxy.add("status", value=413)
        report = station.client(proxy.url, batch_size=10).sync_once(reference=False)
        assert report.batches == 2
        assert report.accepted == 10
    finally:
        proxy.close()


def test_revoked_token_rejected_clearly(station: Station) -> None:
    station.record_lots(1)
    assert station.server.cli("revoke-station", station.station_id).returncode == 0
    client = station.client()
    with pytest.raises(RequestRejected, match="unknown or revoked") as caught:
        client.sync_once()
    assert caught.value.status == 401
    assert client.status().waiting == 1


def test_missing_ca_bundle_named(station: Station) -> None:
    station.record_lots(1)
    client = station.client("https://127.0.0.1:9", ca_bundle="/nonexistent/plant-ca.pem")
    with pytest.raises(SyncMisconfigured, match=re.escape("/nonexistent/plant-ca.pem")):
        client.sync_once()
    assert client.status().waiting == 1


def make_certificate(folder: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed, so no test certificate can be made")
    cert, key = folder / "server.pem", folder / "server.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.allow_warning_logs
def test_tls_checked_against_ca_bundle(station: Station, tmp_path: Path) -> None:
    import ssl

    cert, key = make_certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    proxy = FaultProxy(station.server.port, tls=context)
    try:
        station.record_lots(2)
        untrusted = station.client(proxy.url)
        with pytest.raises(ServerUnreachable, match="TLS"):
            untrusted.sync_once()
        trusted = station.client(proxy.url, ca_bundle=str(cert))
        assert trusted.sync_once(reference=False).accepted == 2
    finally:
        proxy.close()


def test_background_thread_reports_status(station: Station) -> None:
    station.record_lots(3)
    client = station.client(interval_s=0.2)
    seen: list[SyncStatus] = []
    done = threading.Event()

    def on_status(status: SyncStatus) -> None:
        seen.append(status)
        if status.waiting == 0 and status.online:
            done.set()

    client.start(on_status=on_status)
    try:
        assert done.wait(20)
        station.record_lots(2, prefix="LATE")
        client.wake()
        deadline = threading.Event()
        for _ in range(100):
            if seen[-1].waiting == 0 and len(seen) > 1 and client.status().waiting == 0:
                break
            deadline.wait(0.1)
    finally:
        client.stop()
    assert client.status().waiting == 0
    assert seen[-1].last_success_at is not None
    assert all(thread.name != "sync-client" for thread in threading.enumerate())


def test_pulled_events_match_store_ingest(tmp_path: Path) -> None:
    # store_pulled (one insert per table) ends in the same tables as Store.ingest (one event at a time).
    from sync.client import store_pulled
    from sync.models import event_from_row
    from tests.sync.server.test_bulk_projection import record_history, sqlite_query, table_rows

    source = Store.open(tmp_path / "source.db", station_id="ST-SRC")
    try:
        record_history(source)
        with source.reading():
            events = [event_from_row(row) for row in Event.select().order_by(Event.seq).dicts()]
    finally:
        source.close()

    counts = {}
    for name, ingest in (
        ("one-by-one", lambda s, e: s.ingest(e).count("stored")),
        ("bulk", lambda s, e: store_pulled(e)),
    ):
        target = Store.open(tmp_path / f"{name}.db", station_id="ST-DST")
        try:
            # Two pages, the second repeating part of the first, as a pull repeated after a crash would.
            counts[name] = target.write(lambda t=target, i=ingest: i(t, events[:6]) + i(t, events[3:]))
        finally:
            target.close()
    assert counts == {"one-by-one": len(events), "bulk": len(events)}
    expected = table_rows(sqlite_query(tmp_path / "one-by-one.db"))
    actual = table_rows(sqlite_query(tmp_path / "bulk.db"))
    for table, rows in expected.items():
        assert actual[table] == rows, table
    heads = [
        sqlite3.connect(tmp_path / f"{n}.db").execute("SELECT * FROM chain_head").fetchall()
        for n in ("one-by-one", "bulk")
    ]
    assert heads[0] == heads[1]


@pytest.mark.allow_warning_logs
def test_wake_offline_keeps_backoff(station: Station) -> None:
    station.record_lots(1)
    # Nothing listens on port 9; the first retry would come after 30 to 60 s.
    client = station.client("http://127.0.0.1:9", connect_timeout_s=0.5, backoff_initial_s=60.0)
    seen: list[SyncStatus] = []
    first = threading.Event()
    second = threading.Event()

    def on_status(status: SyncStatus) -> None:
        seen.append(status)
        (second if first.is_set() else first).set()

    client.start(on_status=on_status)
    try:
        assert first.wait(10)
        station.record_lots(1, prefix="OFF")
        client.wake()
        assert second.wait(5)
    finally:
        client.stop()
    # The wake showed the new waiting count without a second attempt.
    assert seen[-1].waiting == 2
    assert seen[-1].online is False
    assert seen[-1].next_attempt_in_s is not None and seen[-1].next_attempt_in_s > 20
    with station.store.reading():
        assert [row.attempts for row in Outbox.select().order_by(Outbox.seq)] == [1, 0]


def test_pulled_gap_reported_then_closed(server: ServerProcess, tmp_path: Path) -> None:
    import requests

    from tests.sync.server.support import auth, batch_of, make_chain

    sender = new_station_id()
    sender_token = server.enrol(sender)
    chain = make_chain(sender, 4)

    def send(events: list[object]) -> None:
        body = batch_of(sender, [e.to_dict() for e in events])  # type: ignore[attr-defined]
        response = requests.post(f"{server.url}/api/v1/events/batch", json=body, headers=auth(sender_token), timeout=10)
        assert response.status_code == 200

    send([chain[0], chain[1], chain[3]])
    reader = Station(server, tmp_path, reference=False)
    try:
        client = reader.client()
        client.pull()
        # seq 3 of the sender is missing here while it is missing at the server.
        assert client.status().open_gaps.get(sender) == 1
        send([chain[2]])
        client.pull()
        assert sender not in client.status().open_gaps
    finally:
        reader.store.close()
