"""Fixtures shared by every test package."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.reference import import_reference_rows, load_reference_file
from sync.store import Store
from tests.helpers import DEMO_REFERENCE

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def store_tmpdir(tmp_path: Path) -> Path:
    """A fresh folder for one station store."""
    folder = tmp_path / "station"
    folder.mkdir()
    return folder


@pytest.fixture
def fresh_store(store_tmpdir: Path) -> Iterator[Store]:
    """An empty station store (station ST-01) with the demo reference data imported."""
    store = Store.open(store_tmpdir / "station.db", station_id="ST-01")
    sections = load_reference_file(DEMO_REFERENCE)
    store.write(lambda: import_reference_rows(sections))
    with store.db.connection_context():
        yield store
    store.close()


@pytest.fixture(autouse=True)
def _fail_on_unexpected_warning_logs(
    caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest
) -> Iterator[None]:
    """Fail a test that logs a WARNING or worse it did not expect (mark it `allow_warning_logs` when it does)."""
    yield
    if request.node.get_closest_marker("allow_warning_logs"):
        return
    unexpected = [r for r in caplog.get_records("call") if r.levelno >= logging.WARNING]
    if unexpected:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in unexpected)
        pytest.fail(f"unexpected warning logs:\n{lines}")
