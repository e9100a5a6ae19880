"""Registering an incoming lot: a supplier's GS1 label prefills it, containers are created, labels printed."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import lot_body
from tests.kiosk.ui.driver import KioskDriver

GS1_LABEL = "]Q3" + "0109506000134352" + "10LOT-4711" + "\x1d" + "11250301" + "17281231" + "3103025000"
DIGITAL_LINK = "https://id.gs1.org/01/09506000134352/10/ABC123?17=281231"


def complete_identity(kiosk: KioskDriver) -> None:
    """Fill the fields a supplier label does not carry."""
    kiosk.tap("lotField-supplier")
    kiosk.enter("Acme Powders")
    kiosk.tap("lotField-grade_id")
    kiosk.choose("('TI64-G23', 1)")
    kiosk.tap("lotField-internal_code")
    kiosk.enter("TI64-STD")
    kiosk.tap("lotField-packaging_type")
    kiosk.choose("steel drum")


def test_gs1_label_prefills_lot(logged_in: KioskDriver) -> None:
    logged_in.scan(GS1_LABEL)
    assert logged_in.screen_name() == "registerLotScreen"
    assert logged_in.field_value("lotField-lot_number") == "LOT-4711"
    assert logged_in.field_value("lotField-gtin") == "09506000134352"
    assert logged_in.field_value("lotField-production_date") == "2025-03-01"
    assert logged_in.field_value("lotField-expiry_date") == "2028-12-31"
    assert logged_in.field_value("lotField-net_mass") == "25"


def test_register_lot_records_containers(logged_in: KioskDriver, store_tmpdir: Path) -> None:
    logged_in.scan(GS1_LABEL)
    complete_identity(logged_in)
    logged_in.tap("lotField-container_count")
    logged_in.enter("3")
    logged_in.tap("registerConfirm")

    [event] = logged_in.events("lot_registered")
    body = event.body
    assert event.operator_id == "OP-0001"
    assert body["lot_number"] == "LOT-4711"
    assert body["supplier"] == "Acme Powders"
    assert body["grade_id"] == "TI64-G23"
    assert body["gtin"] == "09506000134352"
    assert body["expiry_date"] == "2028-12-31"
    assert [c["net_mass"] for c in body["containers"]] == [25.0, 25.0, 25.0]
    assert logged_in.screen_name() == "labelsScreen"

    logged_in.tap("labelsPrint")
    logged_in.wait_printed()
    printed = sorted((store_tmpdir / "labels").glob("*"))
    assert len(printed) == 3, "one label file per container"


def test_missing_fields_block_registration(logged_in: KioskDriver) -> None:
    logged_in.tap("homeRegisterLot")
    logged_in.tap("registerConfirm")
    assert logged_in.events("lot_registered") == []
    assert logged_in.find("lotField-supplier").property("missing") == "true"
    assert "marked in red" in logged_in.message()


def test_same_gtin_prefills_supplier(logged_in: KioskDriver) -> None:
    earlier = lot_body("L-OLD", {"C-OLD": 20.0}, supplier="Northern Metals")
    earlier["gtin"] = "09506000134352"
    logged_in.record("lot_registered", earlier)
    logged_in.scan(DIGITAL_LINK)
    assert logged_in.field_value("lotField-supplier") == "Northern Metals"
    assert logged_in.field_value("lotField-grade_id") == "TI64-G23 v1"
    assert logged_in.field_value("lotField-lot_number") == "ABC123"
    # The earlier lot's container mass fills in, since this label carries none.
    assert logged_in.field_value("lotField-net_mass") == "20"


def test_plain_lot_number_starts_registration(logged_in: KioskDriver) -> None:
    logged_in.scan("SUP-99812")
    assert logged_in.screen_name() == "registerLotScreen"
    assert logged_in.field_value("lotField-lot_number") == "SUP-99812"


def test_known_lot_number_opens_timeline(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}, lot_number="AP-77"))
    logged_in.scan("AP-77")
    assert logged_in.screen_name() == "timelineScreen"
    assert logged_in.text("timelineScreenTitle") == "Lot L-1"


def test_optional_date_can_stay_empty(logged_in: KioskDriver) -> None:
    logged_in.tap("homeRegisterLot")
    logged_in.tap("lotField-production_date")
    logged_in.enter("2025-13-01")
    assert "is not a date" in logged_in.text("entryError")
    logged_in.tap("key-clear")
    logged_in.tap("entryOk")
    assert logged_in.screen_name() == "registerLotScreen"
    assert logged_in.field_value("lotField-production_date") == ""
