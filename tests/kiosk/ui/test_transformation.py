"""Transformation by touch: step, machine, scanned inputs with masses, outputs, parameters, blend fractions."""

from __future__ import annotations

from tests.helpers import lot_body
from tests.kiosk.ui.driver import KioskDriver


def start_blend(kiosk: KioskDriver) -> None:
    """Register two lots, open the transformation flow and choose blending on BLEND-01."""
    kiosk.record("lot_registered", lot_body("L-A", {"C-A": 30.0}))
    kiosk.record("lot_registered", lot_body("L-B", {"C-B": 20.0}, origin="recycled"))
    kiosk.tap("homeTransformation")
    kiosk.tap("step-blending")
    kiosk.tap("equipment-BLEND-01")


def test_blend_records_transformation(logged_in: KioskDriver) -> None:
    start_blend(logged_in)
    assert logged_in.window.current_screen.page_name == "inputs"  # type: ignore[union-attr]
    logged_in.scan("PL1:C:C-A")
    logged_in.enter("30")
    logged_in.scan("PL1:C:C-B")
    logged_in.enter("10")
    logged_in.tap("transformationNext")

    logged_in.tap("outputAddNew")
    logged_in.enter("39.5")
    # Both inputs are TI64-G23, so the new lot gets that grade unless the operator changes it.
    assert logged_in.field_value("newLotGrade") == "TI64-G23 v1"
    logged_in.tap("newLotCode")
    logged_in.enter("BLEND-7")
    logged_in.tap("newLotPackaging")
    logged_in.choose("steel drum")
    logged_in.tap("transformationNext")

    # A quarter of the input mass is recycled powder: the declared fraction starts there.
    assert logged_in.field_value("paramRecycle") == "25"
    logged_in.tap("paramMesh")
    logged_in.enter("63")
    logged_in.tap("transformationNext")

    review = logged_in.text("transformationReview")
    assert "L-A   75.0 %" in review
    assert "L-B   25.0 %" in review
    assert "difference -0.5 kg" in review
    logged_in.tap("transformationConfirm")

    [event] = logged_in.events("transformation")
    body = event.body
    assert event.operator_id == "OP-0001"
    assert body["step"] == "blending"
    assert body["equipment_id"] == "BLEND-01"
    assert [(i["container_id"], i["mass"]) for i in body["inputs"]] == [("C-A", 30.0), ("C-B", 10.0)]
    [output] = body["outputs"]
    assert output["mass"] == 39.5
    assert output["is_new_container"] is True
    [new_lot] = body["new_lots"]
    assert new_lot["internal_code"] == "BLEND-7"
    assert output["lot_id"] == new_lot["lot_id"]
    assert body["parameters"] == {"screen_mesh_um": 63.0, "recycle_fraction": 0.25}
    assert logged_in.screen_name() == "labelsScreen"


def test_missing_input_mass_blocks_next(logged_in: KioskDriver) -> None:
    start_blend(logged_in)
    logged_in.scan("PL1:C:C-A")
    logged_in.tap("entryCancel")
    logged_in.tap("transformationNext")
    assert logged_in.window.current_screen.page_name == "inputs"  # type: ignore[union-attr]
    assert logged_in.message() == "Enter the mass of every input."


def test_output_into_existing_container(logged_in: KioskDriver) -> None:
    start_blend(logged_in)
    logged_in.scan("PL1:C:C-A")
    logged_in.enter("5")
    logged_in.tap("transformationNext")
    logged_in.scan("PL1:C:C-B")
    logged_in.enter("5")
    logged_in.tap("transformationNext")
    logged_in.tap("transformationNext")
    logged_in.tap("transformationConfirm")
    [event] = logged_in.events("transformation")
    assert event.body["outputs"][0]["container_id"] == "C-B"
    assert event.body["outputs"][0]["is_new_container"] is False
    assert event.body["new_lots"] == []
    assert logged_in.screen_name() == "homeScreen"


def test_empty_mass_removes_input_line(logged_in: KioskDriver) -> None:
    start_blend(logged_in)
    logged_in.scan("PL1:C:C-A")
    logged_in.enter("5")
    logged_in.tap("inputLine0")
    logged_in.tap("key-clear")
    logged_in.tap("entryOk")
    assert logged_in.window.current_screen.draft.inputs == []  # type: ignore[union-attr]


def test_scan_on_step_page_refused(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-A", {"C-A": 30.0}))
    logged_in.tap("homeTransformation")
    logged_in.scan("PL1:C:C-A")
    accepted, text = logged_in.flash()
    assert not accepted
    assert "finish or cancel this step first" in text
    assert logged_in.screen_name() == "transformationScreen"
