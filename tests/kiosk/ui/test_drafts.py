"""Drafts build bodies that the records accept; blend fractions and the recycled share are computed right."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.ui.drafts import (
    LotDraft,
    Readings,
    RelabelDraft,
    SampleDraft,
    TransformationDraft,
    correction_body,
    exposure_body,
)
from sync.records import parse_body, seal_event
from tests.helpers import exposure_body as history_exposure_body


def test_exposure_body_validates() -> None:
    readings = Readings(21.0, 35.5, "Store A", True, "typed")
    body = exposure_body("C-1", readings)
    parse_body("container_opened", body)
    assert body["relative_humidity_pct"] == 35.5


def test_exposure_body_refuses_missing_readings() -> None:
    with pytest.raises(ValueError, match="ambient_temperature_c"):
        exposure_body("C-1", Readings(None, 35.0, "Store A"))


def test_lot_draft_keeps_container_ids() -> None:
    draft = LotDraft(container_count=2)
    first = list(draft.container_ids)
    draft.container_count = 3
    assert draft.container_ids[:2] == first
    assert len(set(draft.container_ids)) == 3


def test_lot_draft_body_validates() -> None:
    draft = LotDraft(
        supplier="Acme",
        lot_number="AP-1",
        grade_id="TI64-G23",
        grade_version=1,
        internal_code="IC",
        packaging_type="steel drum",
        gtin="09506000134352",
        production_date=date(2025, 3, 1),
        container_count=2,
        net_mass=12.5,
    )
    assert draft.missing_fields() == []
    parsed = parse_body("lot_registered", draft.body())
    assert parsed.production_date == date(2025, 3, 1)  # type: ignore[attr-defined]
    assert len(draft.body()["containers"]) == 2


def test_lot_draft_names_missing_fields() -> None:
    assert LotDraft().missing_fields() == [
        "supplier",
        "lot_number",
        "grade_id",
        "internal_code",
        "packaging_type",
        "net_mass",
    ]


def blend() -> TransformationDraft:
    draft = TransformationDraft(step="blending", equipment_id="BLEND-01")
    draft.add_input("C-A", "L-A").mass = 30.0
    recycled = draft.add_input("C-B", "L-B", recycled_share=1.0)
    recycled.mass = 10000.0
    recycled.unit = "g"
    return draft


def test_blend_fractions_by_lot_mass() -> None:
    shares = blend().blend_fractions()
    assert [(share.lot_id, round(share.fraction, 6)) for share in shares] == [("L-A", 0.75), ("L-B", 0.25)]
    assert shares[1].mass_kg == pytest.approx(10.0)


def test_blend_fractions_sum_lines_of_one_lot() -> None:
    draft = blend()
    draft.add_input("C-A2", "L-A").mass = 10.0
    shares = {share.lot_id: share.fraction for share in draft.blend_fractions()}
    assert shares == pytest.approx({"L-A": 0.8, "L-B": 0.2})


def test_blend_fractions_empty_without_mass() -> None:
    draft = TransformationDraft()
    draft.add_input("C-A", "L-A")
    assert draft.blend_fractions() == []
    assert draft.computed_recycle_fraction() == 0.0


def test_recycle_fraction_from_inputs() -> None:
    assert blend().computed_recycle_fraction() == pytest.approx(0.25)


def test_second_scan_adds_no_line() -> None:
    draft = blend()
    draft.add_input("C-A", "L-A")
    assert len(draft.inputs) == 2


def test_transformation_body_validates() -> None:
    draft = blend()
    draft.add_new_output().mass = 39.0
    draft.new_lot_grade_id, draft.new_lot_grade_version = "TI64-G23", 1
    draft.new_lot_internal_code = "BL-1"
    draft.new_lot_packaging_type = "steel drum"
    draft.recycle_fraction_pct = 25.0
    assert draft.missing_fields() == []
    body = draft.body()
    parse_body("transformation", body)
    assert body["parameters"] == {"recycle_fraction": 0.25}
    assert body["new_lots"][0]["lot_id"] == draft.new_lot_id


def test_transformation_without_new_lot_output() -> None:
    draft = blend()
    draft.add_existing_output("C-B", "L-B").mass = 5.0
    assert draft.missing_fields() == []
    assert draft.body()["new_lots"] == []


def test_transformation_names_missing_parts() -> None:
    draft = TransformationDraft()
    draft.add_input("C-A", "L-A")
    draft.add_new_output()
    assert draft.missing_fields() == [
        "step",
        "equipment_id",
        "input_mass",
        "output_mass",
        "new_lot_grade",
        "new_lot_internal_code",
        "new_lot_packaging_type",
    ]


def test_sample_and_relabel_bodies_validate() -> None:
    sample = SampleDraft("L-1", ["C-1"], "SM-THIEF", 2, "QC bench", 5, "equal-mass composite")
    parse_body("sample_taken", sample.body())
    relabel = RelabelDraft("C-1", "C-1", "label damaged")
    parse_body("container_relabelled", relabel.body())
    assert relabel.new_label != relabel.old_label


def test_correction_names_subjects() -> None:
    event = seal_event(
        kind="container_opened",
        body=history_exposure_body("C-1"),
        station_id="ST-01",
        operator_id="OP-0001",
        seq=1,
        prev_hash="0" * 64,
    )
    body = correction_body(event, "wrong container")
    parse_body("correction", body)
    assert body["subject_ids"] == ["container:C-1"]
