"""Label content read from the station store: payload and human-readable lines for containers, lots and samples."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.labels.content import read_label_content, station_today
from kiosk.labels.errors import LabelError
from sync.errors import Ambiguous, NotFound
from sync.store import Store
from tests.helpers import OPERATOR, lot_body
from tests.kiosk.labels.conftest import CONTAINERS, LOT_ID, LOT_NUMBER, SAMPLE_ID

TODAY = date(2024, 5, 1)


def read(store: Store, query: str, *, resolver_base: str | None = None):
    with store.reading():
        return read_label_content(query, station_id="ST-01", today=TODAY, resolver_base=resolver_base)


def test_container_label_lines(labelled_store: Store) -> None:
    content = read(labelled_store, "C-0001")

    assert content.kind == "container"
    assert content.identifier == "C-0001"
    assert content.payload == "PL1:C:C-0001"
    assert content.lines[0] == "C-0001"
    assert f"Lot {LOT_NUMBER}" in content.lines
    assert "2024-05-01 · ST-01" in content.lines
    # The demo reference data names grade TI64-G23.
    assert any("Ti-6Al-4V" in line for line in content.lines)


def test_relabelled_container_prints_current_label(labelled_store: Store) -> None:
    body = {"container_id": "C-0001", "old_label": "C-0001", "new_label": "C-NEW1", "reason": "label torn"}
    labelled_store.record("container_relabelled", body, operator_id=OPERATOR)

    from_old = read(labelled_store, "C-0001")
    from_new = read(labelled_store, "C-NEW1")

    assert from_old == from_new
    assert from_new.payload == "PL1:C:C-NEW1"
    assert "Container C-0001" in from_new.lines


def test_lot_label_by_lot_number(labelled_store: Store) -> None:
    content = read(labelled_store, LOT_NUMBER)

    assert content.kind == "lot"
    assert content.payload == f"PL1:L:{LOT_ID}"
    assert f"Lot no. {LOT_NUMBER}" in content.lines
    assert "Acme Powders" in content.lines


def test_sample_label_names_lot(labelled_store: Store) -> None:
    content = read(labelled_store, SAMPLE_ID)

    assert content.kind == "sample"
    assert content.payload == f"PL1:S:{SAMPLE_ID}"
    assert f"Sample of lot {LOT_NUMBER}" in content.lines


def test_resolver_base_makes_uri(labelled_store: Store) -> None:
    content = read(labelled_store, CONTAINERS[1], resolver_base="https://lineage.plant.example/")

    assert content.payload == "https://lineage.plant.example/pl1/c/C-0002"


def test_bad_resolver_base_rejected(labelled_store: Store) -> None:
    with pytest.raises(LabelError, match="https"):
        read(labelled_store, CONTAINERS[1], resolver_base="ftp://lineage.plant.example")


def test_unknown_id_not_found(labelled_store: Store) -> None:
    with pytest.raises(NotFound, match="C-9999"):
        read(labelled_store, "C-9999")


def test_shared_lot_number_ambiguous(labelled_store: Store) -> None:
    other = lot_body("L-0002", {"C-0101": 10.0}, lot_number=LOT_NUMBER, supplier="Other Metals")
    labelled_store.record("lot_registered", other, operator_id=OPERATOR)

    with pytest.raises(Ambiguous, match="L-0001"):
        read(labelled_store, LOT_NUMBER)


def test_station_today_rejects_bad_zone() -> None:
    assert isinstance(station_today("Europe/Berlin"), date)

    with pytest.raises(LabelError, match="Mars/Olympus"):
        station_today("Mars/Olympus")
