"""Fixtures for tests against a real `lineage-server` process, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.sync.server.support import Backend, ServerProcess, StationHome, new_station_id, postgres_absent_reason

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _skip_without_postgres(kind: str) -> None:
    if kind == "postgres":
        reason = postgres_absent_reason()
        if reason is not None:
            pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """An empty server database for this module: a SQLite file or a fresh PostgreSQL database."""
    _skip_without_postgres(request.param)
    with Backend.make(request.param, tmp_path_factory.mktemp(f"server-{request.param}")) as made:
        yield made


@pytest.fixture(scope="module")
def server(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A running `lineage-server` on 127.0.0.1 shared by the tests of one module."""
    process = ServerProcess(backend, tmp_path_factory.mktemp("server-run"))
    process.start()
    yield process
    process.stop()


@pytest.fixture
def station_home(server: ServerProcess, tmp_path: Path) -> Callable[..., StationHome]:
    """Make an enrolled station with its own folder and configuration pointing at the server."""

    def make(
        station_id: str | None = None,
        *,
        server_url: str | None = None,
        read_timeout_s: float = 5.0,
        batch_size: int = 50,
    ) -> StationHome:
        station_id = station_id or new_station_id()
        folder = tmp_path / station_id
        folder.mkdir()
        home = StationHome(station_id, folder, server.enrol(station_id), server.url)
        home.write_config(server_url=server_url, read_timeout_s=read_timeout_s, batch_size=batch_size)
        return home

    return make
