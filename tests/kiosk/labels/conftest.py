"""Fixtures for the label tests: a store holding a lot with two containers and a sample."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sync.store import Store
from tests.helpers import OPERATOR, FakeZplPrinter, lot_body, sample_body

LOT_ID = "L-0001"
LOT_NUMBER = "SUP-2024-0815"
CONTAINERS = ("C-0001", "C-0002")
SAMPLE_ID = "S-0001"


@pytest.fixture
def labelled_store(fresh_store: Store) -> Store:
    """A station store with lot L-0001 (lot number SUP-2024-0815), containers C-0001 and C-0002, sample S-0001."""
    fresh_store.record(
        "lot_registered", lot_body(LOT_ID, dict.fromkeys(CONTAINERS, 25.0), lot_number=LOT_NUMBER), operator_id=OPERATOR
    )
    fresh_store.record("sample_taken", sample_body(SAMPLE_ID, LOT_ID, containers=[CONTAINERS[0]]), operator_id=OPERATOR)
    return fresh_store


@pytest.fixture
def fake_zpl_printer() -> Iterator[FakeZplPrinter]:
    """A ZPL printer stand-in listening on 127.0.0.1."""
    with FakeZplPrinter() as printer:
        yield printer
