"""Test support for the server: a real `lineage-server` process, databases, stations, a fault-injecting proxy."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.helpers import ROOT

PYTHON = sys.executable
POSTGRES_ADMIN = {"host": "127.0.0.1", "port": 5432, "dbname": "test", "user": "postgres", "connect_timeout": 3}


def postgres_absent_reason() -> str | None:
    """Return why PostgreSQL tests cannot run here, or None when 127.0.0.1:5432 accepts connections."""
    try:
        import psycopg2
    except ImportError:
        return "psycopg2 is not installed"
    try:
        psycopg2.connect(**POSTGRES_ADMIN).close()
    except psycopg2.Error as error:
        return f"PostgreSQL on 127.0.0.1:5432 database test is not reachable: {str(error).strip()}"
    return None


@dataclass
class Backend:
    """A server database for one test module: a SQLite file or a PostgreSQL database made for this run."""

    kind: str
    target: str
    pg_name: str | None = None

    @classmethod
    @contextmanager
    def make(cls, kind: str, folder: Path) -> Iterator[Backend]:
        """Create an empty database of the given kind; drop it afterwards."""
        if kind == "sqlite":
            yield cls(kind, str(folder / "server.db"))
            return
        import psycopg2

        name = f"lineage_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = psycopg2.connect(**POSTGRES_ADMIN)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield cls(kind, f"postgresql://postgres@127.0.0.1:5432/{name}", name)
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Run one read-only SQL statement against the server database from the test process."""
        if self.kind == "sqlite":
            conn = sqlite3.connect(f"file:{self.target}?mode=ro", uri=True, timeout=10)
            try:
                return conn.execute(sql).fetchall()
            finally:
                conn.close()
        import psycopg2

        conn = psycopg2.connect(**{**POSTGRES_ADMIN, "dbname": self.pg_name})
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())
        finally:
            conn.close()

    def event_ids(self) -> list[str]:
        """Return every event id stored at the server (one per row, so a duplicate would show twice)."""
        return [row[0] for row in self.query("SELECT event_id FROM event")]


class ServerProcess:
    """A `lineage-server` process on 127.0.0.1; `start` waits until /health returns 200."""

    def __init__(self, backend: Backend, folder: Path, *, extra_args: tuple[str, ...] = (), workers: int = 1):
        self.backend = backend
        self.folder = folder
        self.extra_args = extra_args
        self.workers = workers
        self.port = 0
        self.process: subprocess.Popen[str] | None = None
        self.log_path = folder / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run an administration command of `lineage-server` against this server's database."""
        return subprocess.run(
            [PYTHON, "-m", "sync.server.cli", "--db", self.backend.target, *args],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )

    def enrol(self, station_id: str) -> str:
        """Enrol a station and return its token."""
        result = self.cli("enrol-station", station_id)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def start(self, *, timeout_s: float = 30.0) -> ServerProcess:
        """Start the server (on the same port as before after a restart) and wait until it is ready."""
        command = [PYTHON, "-m", "sync.server.cli", "--db", self.backend.target, "--port", str(self.port)]
        command += ["--workers", str(self.workers), *self.extra_args]
        log = self.log_path.open("a")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT)
        log.close()
        line = _read_line(self.process, timeout_s)
        assert line.startswith("lineage-server listening on"), f"server did not start: {line!r}; log: {self.log()}"
        self.port = int(line.rsplit(":", 1)[1])
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise AssertionError(f"server at {self.url} never became ready; log: {self.log()}")

    def kill(self) -> None:
        """Kill the server with SIGKILL (every worker too) and wait for it."""
        if self.process is None:
            return
        for pid in _children(self.process.pid):
            os.kill(pid, signal.SIGKILL)
        self.process.kill()
        self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        """Stop the server with SIGTERM and wait for it."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def verify(self) -> subprocess.CompletedProcess[str]:
        """Run `lineage-server verify` on the server database."""
        return self.cli("verify")


def _read_line(process: subprocess.Popen[str], timeout_s: float) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout_s)
    return process.stdout.readline().strip() if ready else ""


def _children(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in result.stdout.split()]


# --- Stations -----------------------------------------------------------------


@dataclass
class StationHome:
    """A station's folder: its store and a configuration naming the server and token."""

    station_id: str
    folder: Path
    token: str
    server_url: str

    @property
    def db(self) -> Path:
        return self.folder / "station.db"

    @property
    def config(self) -> Path:
        return self.folder / "station.toml"

    def write_config(self, *, server_url: str | None = None, read_timeout_s: float = 5.0, batch_size: int = 50) -> None:
        """Write the station configuration (the server URL may point at a proxy)."""
        url = server_url or self.server_url
        self.config.write_text(
            f'station_id = "{self.station_id}"\ndb_path = "{self.db}"\n\n[sync]\nserver_url = "{url}"\n'
            f'token = "{self.token}"\nconnect_timeout_s = 2.0\nread_timeout_s = {read_timeout_s}\nbatch_size = {batch_size}\n',
            encoding="utf-8",
        )

    def lineage(self, *args: str, timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
        """Run `lineage --config <this station> ARGS` as a separate process."""
        return subprocess.run(
            [PYTHON, "-m", "kiosk.cli", "--config", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            cwd=ROOT,
        )

    def lineage_process(self, *args: str) -> subprocess.Popen[str]:
        """Start `lineage --config <this station> ARGS` without waiting for it."""
        return subprocess.Popen(
            [PYTHON, "-m", "kiosk.cli", "--config", str(self.config), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )

    def sync_once(self) -> subprocess.CompletedProcess[str]:
        return self.lineage("sync", "--once")

    def own_event_ids(self) -> list[str]:
        """Return this station's own event ids from its store (read-only)."""
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10)
        try:
            return [
                row[0] for row in conn.execute("SELECT event_id FROM event WHERE station_id = ?", (self.station_id,))
            ]
        finally:
            conn.close()

    def outbox_states(self) -> dict[str, int]:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10)
        try:
            return dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
        finally:
            conn.close()


RECORDER = """
import sys, time
from sync.store import Store
from sync.reference import import_reference_rows, load_reference_file
from tests.helpers import DEMO_REFERENCE, OPERATOR, exposure_body, lot_body

db, station, count, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
offset_h, spread_h = float(sys.argv[5]), float(sys.argv[6])
store = Store.open(db, station_id=station)
sections = load_reference_file(DEMO_REFERENCE)
store.write(lambda: import_reference_rows(sections))
from datetime import datetime, timedelta
from sync.records import now_local
for i in range(count):
    # Spread over the last spread_h hours (a day offline), shifted by a wrong clock's offset_h.
    when = now_local() + timedelta(hours=offset_h - spread_h * (1 - i / count))
    if i % 3 == 0:
        store.record("lot_registered", lot_body(f"{prefix}-L{i}", {f"{prefix}-C{i}": 25.0}), operator_id=OPERATOR, occurred_at=when)
    elif i % 3 == 1:
        store.record("container_opened", exposure_body(f"{prefix}-C{i - 1}"), operator_id=OPERATOR, occurred_at=when)
    else:
        store.record("container_resealed", exposure_body(f"{prefix}-C{i - 2}"), operator_id=OPERATOR, occurred_at=when)
    print(i + 1, flush=True)
store.close()
"""


def record_events(
    home: StationHome, count: int, *, prefix: str | None = None, offset_h: float = 0.0, spread_h: float = 0.0
) -> subprocess.Popen[str]:
    """Start a process that records ``count`` events at a station, printing each count as it commits.

    Event times run over the last ``spread_h`` hours, shifted by ``offset_h`` (a station clock that is wrong).
    """
    command = [PYTHON, "-c", RECORDER, str(home.db), home.station_id, str(count), prefix or home.station_id]
    return subprocess.Popen(
        [*command, str(offset_h), str(spread_h)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def record_and_wait(home: StationHome, count: int, **kwargs: Any) -> None:
    """Record ``count`` events at a station and wait for the recording process to finish."""
    process = record_events(home, count, **kwargs)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr


# --- Fault-injecting proxy ------------------------------------------------------


@dataclass
class Fault:
    """What the proxy does to one matching request: the action and its parameter."""

    action: str
    path: str
    value: float = 0.0


@dataclass
class FaultProxy:
    """A TCP proxy on 127.0.0.1 between station and server that spoils chosen responses.

    It handles one HTTP request per connection (it sets ``Connection: close``
    upstream and closes the client's connection after the response). Actions,
    applied in the order added to requests whose path starts with ``path``:

    - ``delay``: forward, then hold the response for ``value`` seconds (a client timeout);
    - ``cut``: forward, then send only the first ``value`` bytes of the response;
    - ``garble``: forward, then flip bytes of the response body;
    - ``status``: answer with HTTP status ``value`` without forwarding (with Retry-After: 7 for 429 and 503);
    - ``pass``: forward unchanged (to let earlier requests through before a fault);
    - ``drop``: close the connection without forwarding;
    - ``duplicate``: forward the request twice and send the second response;
    - ``kill_server``: forward and, while the server works on the request, call ``on_kill``.
    """

    upstream_port: int
    faults: deque[Fault] = field(default_factory=deque)
    seen: list[tuple[str, str]] = field(default_factory=list)
    on_kill: Any = None
    # When set, the proxy speaks TLS to the station (and plain HTTP to the server).
    tls: ssl.SSLContext | None = None

    def __post_init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept_loop, name="fault-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def add(self, action: str, *, path: str = "/api/v1/events/batch", value: float = 0.0, count: int = 1) -> None:
        with self._lock:
            for _ in range(count):
                self.faults.append(Fault(action, path, value))

    def close(self) -> None:
        self._closed.set()
        self._thread.join(5)
        self._server.close()

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if path.startswith(fault.path):
                    self.faults.remove(fault)
                    return fault
        return None

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        try:
            if self.tls is not None:
                client = self.tls.wrap_socket(client, server_side=True)
            request = _read_request(client)
            if request is None:
                return
            method, path = request.split(b"\r\n", 1)[0].decode("latin-1").split(" ")[:2]
            fault = self._take_fault(path)
            self.seen.append((method, path if fault is None else f"{path} [{fault.action}]"))
            if fault is not None and fault.action == "status":
                client.sendall(_status_response(int(fault.value)))
                return
            if fault is not None and fault.action == "drop":
                return
            if fault is not None and fault.action == "pass":
                fault = None
            response = self._forward(request, fault)
            if fault is not None and fault.action == "duplicate":
                # The same request reaches the server twice; the station gets the second response.
                response = self._forward(request, None)
            if fault is not None and fault.action == "delay":
                time.sleep(fault.value)
            elif fault is not None and fault.action == "cut":
                response = response[: int(fault.value)]
            elif fault is not None and fault.action == "garble":
                response = _garble(response)
            client.sendall(response)
        except OSError:
            pass
        finally:
            client.close()

    def _forward(self, request: bytes, fault: Fault | None) -> bytes:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
        try:
            upstream.sendall(_with_connection_close(request))
            if fault is not None and fault.action == "kill_server":
                time.sleep(fault.value)
                self.on_kill()
            chunks = []
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks)
        except OSError:
            return b""
        finally:
            upstream.close()


def _status_response(status: int) -> bytes:
    body = json.dumps({"error": {"status": status, "message": f"proxy answered {status}"}}).encode()
    extra = "Retry-After: 7\r\n" if status in (429, 503) else ""
    head = (
        f"HTTP/1.1 {status} Proxy Fault\r\nContent-Type: application/json\r\n{extra}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def _read_request(client: socket.socket) -> bytes | None:
    client.settimeout(30)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _with_connection_close(request: bytes) -> bytes:
    head, _, body = request.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


def _garble(response: bytes) -> bytes:
    head, _, body = response.partition(b"\r\n\r\n")
    spoiled = bytes(byte ^ 0x5A if index % 7 == 3 else byte for index, byte in enumerate(body))
    return head + b"\r\n\r\n" + spoiled


def auth(token: str) -> dict[str, str]:
    """Return the Authorization header for a station token."""
    return {"Authorization": f"Bearer {token}"}


def batch_of(station_id: str, events: list[dict[str, Any]], *, sent_at: str | None = None) -> dict[str, Any]:
    """Return a batch request body."""
    from sync.records import format_time, now_local

    return {"station_id": station_id, "sent_at": sent_at or format_time(now_local()), "events": events}


def dumps(value: Any) -> str:
    return json.dumps(value)


def make_chain(
    station_id: str,
    count: int,
    *,
    start_seq: int = 1,
    prev_hash: str | None = None,
    prefix: str | None = None,
    occurred_at: Any = None,
) -> list[Any]:
    """Seal ``count`` chained lot_registered events of a station, from ``start_seq`` on."""
    from sync.records import GENESIS_HASH, seal_event
    from tests.helpers import OPERATOR, lot_body

    prefix = prefix or f"{station_id}-{uuid.uuid4().hex[:4]}"
    previous = prev_hash or GENESIS_HASH
    events = []
    for seq in range(start_seq, start_seq + count):
        event = seal_event(
            kind="lot_registered",
            body=lot_body(f"{prefix}-L{seq}", {f"{prefix}-C{seq}": 20.0}),
            station_id=station_id,
            operator_id=OPERATOR,
            seq=seq,
            prev_hash=previous,
            occurred_at=occurred_at,
        )
        events.append(event)
        previous = event.hash
    return events


def new_station_id() -> str:
    """Return a station id no other test uses."""
    return f"ST-{uuid.uuid4().hex[:8].upper()}"


def assert_error_shape(response: requests.Response, status: int) -> dict[str, Any]:
    """Check that a response is an error in the server's one JSON shape with this status; return its error."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "details", "retry_after_s"}
    assert error["status"] == status
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and len(error["message"]) > 10
    assert isinstance(error["details"], list)
    return error  # type: ignore[no-any-return]


def assert_exactly_once(server: ServerProcess, homes: list[StationHome]) -> None:
    """Check that the server stores every event each station recorded, once, and that every chain verifies."""
    from collections import Counter

    held = server.backend.event_ids()
    repeated = [event_id for event_id, count in Counter(held).items() if count > 1]
    assert repeated == []
    for home in homes:
        own = home.own_event_ids()
        assert own, f"station {home.station_id} recorded nothing"
        rows = server.backend.query(f"SELECT event_id FROM event WHERE station_id = '{home.station_id}'")
        assert sorted(row[0] for row in rows) == sorted(own), f"station {home.station_id}: server and station differ"
        assert home.outbox_states() == {"sent": len(own)}
        station_verify = home.lineage("verify", "--db", str(home.db))
        assert station_verify.returncode == 0, station_verify.stdout + station_verify.stderr
    server_verify = server.verify()
    assert server_verify.returncode == 0, server_verify.stdout + server_verify.stderr


def make_mixed_chain(station_id: str, count: int) -> list[Any]:
    """Seal a plausible mix of a station's events: per 10 events, one lot with 2 containers, then opens and reseals."""
    from sync.records import GENESIS_HASH, seal_event
    from tests.helpers import OPERATOR, exposure_body, lot_body

    previous = GENESIS_HASH
    events = []
    for index in range(count):
        group, step = divmod(index, 10)
        containers = [f"{station_id}-C{group}A", f"{station_id}-C{group}B"]
        if step == 0:
            kind, body = "lot_registered", lot_body(f"{station_id}-L{group}", dict.fromkeys(containers, 25.0))
        else:
            kind = "container_opened" if step % 2 == 1 else "container_resealed"
            body = exposure_body(containers[(step - 1) // 2 % 2])
        event = seal_event(
            kind=kind, body=body, station_id=station_id, operator_id=OPERATOR, seq=index + 1, prev_hash=previous
        )
        events.append(event)
        previous = event.hash
    return events
