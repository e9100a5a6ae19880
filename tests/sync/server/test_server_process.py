"""The server process killed mid-batch and restarted, and overload getting 429/503 with Retry-After."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from tests.sync.server.support import (
    Backend,
    FaultProxy,
    ServerProcess,
    StationHome,
    assert_error_shape,
    assert_exactly_once,
    auth,
    batch_of,
    make_chain,
    new_station_id,
    postgres_absent_reason,
    record_and_wait,
)

MakeStation = Callable[..., StationHome]


@pytest.fixture
def fault_proxy(server: ServerProcess) -> Iterator[FaultProxy]:
    proxy = FaultProxy(server.port, on_kill=server.kill)
    yield proxy
    proxy.close()


@pytest.mark.parametrize("kill_after_s", [0.0, 0.1])
def test_server_killed_mid_batch(
    station_home: MakeStation, fault_proxy: FaultProxy, server: ServerProcess, kill_after_s: float
) -> None:
    home = station_home(server_url=fault_proxy.url, batch_size=100)
    record_and_wait(home, 300)
    # Two batches go through; the server dies while storing the third (before, during or after its commit).
    fault_proxy.add("pass", count=2)
    fault_proxy.add("kill_server", value=kill_after_s)
    first = home.sync_once()
    assert first.returncode == 1
    assert "still waiting" in first.stderr
    server.start()
    second = home.sync_once()
    assert second.returncode == 0, second.stderr
    assert_exactly_once(server, [home])


def test_server_restart_keeps_receipt_key(station_home: MakeStation, server: ServerProcess) -> None:
    home = station_home()
    token = home.token
    receipt = requests.post(
        f"{server.url}/api/v1/events/batch",
        json=batch_of(home.station_id, [e.to_dict() for e in make_chain(home.station_id, 1)]),
        headers=auth(token),
        timeout=10,
    ).json()["receipt"]
    server.stop()
    server.start()
    answer = requests.post(f"{server.url}/api/v1/receipts/verify", json=receipt, headers=auth(token), timeout=10)
    assert answer.json() == {"valid": True}


def post_batch(server: ServerProcess, token: str, body: str) -> requests.Response:
    headers = {"Content-Type": "application/json", **auth(token)}
    return requests.post(f"{server.url}/api/v1/events/batch", data=body, headers=headers, timeout=60)


@pytest.mark.allow_warning_logs
def test_overload_answers_503_retry_after(server: ServerProcess) -> None:
    # One batch at a time and almost no waiting: concurrent stations must get 503 with Retry-After.
    server.stop()
    server.extra_args = ("--max-concurrent-batches", "1", "--queue-wait-s", "0.001", "--retry-after-s", "1")
    server.start()
    try:
        stations = [new_station_id() for _ in range(8)]
        tokens = {station: server.enrol(station) for station in stations}
        chains = {station: make_chain(station, 300) for station in stations}
        bodies = {
            station: json.dumps(batch_of(station, [e.to_dict() for e in chains[station]])) for station in stations
        }
        statuses: Counter[int] = Counter()
        pending = set(stations)
        for _round in range(30):
            if not pending:
                break
            responses: dict[str, requests.Response] = {}

            def send(station: str, responses: dict[str, requests.Response] = responses) -> None:
                responses[station] = post_batch(server, tokens[station], bodies[station])

            threads = [threading.Thread(target=send, args=(station,)) for station in sorted(pending)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            for station, response in responses.items():
                statuses[response.status_code] += 1
                if response.status_code == 200:
                    pending.discard(station)
                    continue
                error = assert_error_shape(response, response.status_code)
                assert response.status_code in (429, 503)
                assert response.headers["Retry-After"] == "1"
                assert error["retry_after_s"] == 1
        assert pending == set()
        assert statuses[503] > 0
        assert set(statuses) <= {200, 429, 503}
        for station in stations:
            held = server.backend.query(f"SELECT count(*) FROM event WHERE station_id = '{station}'")[0][0]
            assert held == 300
    finally:
        server.stop()
        server.extra_args = ()
        server.start()


def test_station_second_batch_429(server: ServerProcess) -> None:
    # A station that sends a second batch while its first is being stored gets 429.
    station = new_station_id()
    token = server.enrol(station)
    chain = make_chain(station, 900)
    big = json.dumps(batch_of(station, [e.to_dict() for e in chain]))
    results: list[requests.Response] = []
    threads = [threading.Thread(target=lambda: results.append(post_batch(server, token, big))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(response.status_code for response in results)
    assert codes[0] == 200
    assert set(codes) <= {200, 429}
    for response in results:
        if response.status_code == 429:
            assert_error_shape(response, 429)
            assert response.headers["Retry-After"] == "1"
    held = server.backend.query(f"SELECT count(*) FROM event WHERE station_id = '{station}'")[0][0]
    assert held == 900


def test_workers_need_postgres(server: ServerProcess) -> None:
    if server.backend.kind != "sqlite":
        pytest.skip("the check applies to SQLite only")
    result = server.cli("--workers", "2")
    assert result.returncode == 1
    assert "needs a PostgreSQL database" in result.stderr


def test_two_workers_behave_as_one(station_home: MakeStation, server: ServerProcess) -> None:
    if server.backend.kind != "postgres":
        pytest.skip("several workers need PostgreSQL")
    server.stop()
    server.workers = 2
    server.start()
    try:
        homes = [station_home(batch_size=10) for _ in range(2)]
        for home in homes:
            record_and_wait(home, 40)
        senders = [home.lineage_process("sync", "--once") for home in homes]
        for sender in senders:
            _, stderr = sender.communicate(timeout=120)
            assert sender.returncode == 0, stderr
        for home in homes:
            # A second round pulls what the others sent, whichever worker stored it.
            assert home.sync_once().returncode == 0
        assert_exactly_once(server, homes)
        for home in homes:
            pulled = sqlite3.connect(home.db).execute(
                "SELECT count(*) FROM event WHERE station_id != ?", (home.station_id,)
            )
            assert pulled.fetchone()[0] >= 40
    finally:
        server.stop()
        server.workers = 1
        server.start()


def test_database_gone_answers_503(tmp_path: Path) -> None:
    # The server's PostgreSQL database disappears under it: requests get 503 with Retry-After, not 500.
    reason = postgres_absent_reason()
    if reason is not None:
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    with Backend.make("postgres", tmp_path) as backend:
        lonely = ServerProcess(backend, tmp_path).start()
        try:
            station = new_station_id()
            token = lonely.enrol(station)
            body = json.dumps(batch_of(station, [e.to_dict() for e in make_chain(station, 3)]))
            assert post_batch(lonely, token, body).status_code == 200
            import psycopg2

            from tests.sync.server.support import POSTGRES_ADMIN

            admin = psycopg2.connect(**POSTGRES_ADMIN)
            admin.autocommit = True
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE "{backend.pg_name}" WITH (FORCE)')
            admin.close()
            for response in (post_batch(lonely, token, body), requests.get(f"{lonely.url}/health", timeout=10)):
                error = assert_error_shape(response, 503)
                assert int(response.headers["Retry-After"]) >= 1
                assert error["retry_after_s"] is not None
        finally:
            lonely.stop()
