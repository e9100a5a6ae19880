"""The timeline on screen for any id, and corrections that void an event with a reason."""

from __future__ import annotations

import pytest

from sync.models import VoidedEvent
from tests.helpers import exposure_body, lot_body, sample_body, transformation_body
from tests.kiosk.ui.driver import KioskDriver


def test_timeline_of_typed_sample_id(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}, lot_number="AP-5"))
    logged_in.record("sample_taken", sample_body("S-1", "L-1", containers=["C-1"]))
    logged_in.tap("homeTimeline")
    logged_in.tap("timelineTypeId")
    logged_in.enter("S-1")
    assert logged_in.text("timelineScreenTitle") == "Lot L-1"
    assert "Lot number AP-5" in logged_in.text("timelineSummary")
    assert "Sample S-1" in logged_in.text("timelineSummary")
    events = logged_in.text("timelineEvents")
    assert "Lot registered" in events
    assert "Sample taken" in events


def test_timeline_scan_and_upstream_lot(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-A", {"C-A": 30.0}))
    logged_in.record(
        "transformation",
        transformation_body("blending", [("C-A", "L-A", 30.0)], [("C-N", "L-N", 30.0, True)], new_lots=["L-N"]),
    )
    logged_in.tap("homeTimeline")
    logged_in.scan("PL1:C:C-N")
    assert logged_in.text("timelineScreenTitle") == "Lot L-N"
    logged_in.tap("upstream-L-A")
    assert logged_in.text("timelineScreenTitle") == "Lot L-A"
    assert logged_in.button("downstream-L-N").isVisible()


def test_timeline_unknown_id_says_so(logged_in: KioskDriver) -> None:
    logged_in.tap("homeTimeline")
    logged_in.tap("timelineTypeId")
    logged_in.enter("NOPE-1")
    assert "no lot, container, label or sample has the id 'NOPE-1'" in logged_in.message()


def test_timeline_of_typed_lot_number_in_wrong_case(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}, lot_number="AP-5"))
    logged_in.tap("homeTimeline")
    logged_in.tap("timelineTypeId")
    logged_in.enter("ap-5")
    assert "did you mean AP-5?" in logged_in.message()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("(01)09501101530003(17)251231", "names no lot"),
        ("VAL24ß00001", "looks typed with another keyboard layout"),
        ("PL1:B:OP-0001", "is an operator badge"),
    ],
)
def test_typed_text_naming_no_lot_shown(logged_in: KioskDriver, typed: str, message: str) -> None:
    logged_in.tap("homeTimeline")
    logged_in.tap("timelineTypeId")
    logged_in.window.entry_page.type_text(typed)  # as a keyboard plugged into the station types it
    logged_in.tap("keyboardOk")
    assert message in logged_in.message()
    assert logged_in.screen_name() == "timelineScreen"


def test_correction_voids_event_with_reason(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    wrong = logged_in.record("container_opened", exposure_body("C-1"))
    logged_in.tap("homeCorrections")
    logged_in.tap(f"event-{wrong.event_id}")
    assert "Opened" in logged_in.text("correctionDetail")
    logged_in.tap("correctionConfirm")
    assert logged_in.events("correction") == [], "no correction without a reason"
    logged_in.tap("correctionReason")
    logged_in.choose("wrong container scanned")
    logged_in.tap("correctionConfirm")

    [correction] = logged_in.events("correction")
    assert correction.operator_id == "OP-0001"
    assert correction.body == {
        "corrects_event_id": wrong.event_id,
        "reason": "wrong container scanned",
        "subject_ids": ["container:C-1"],
    }
    with logged_in.store.reading():
        assert VoidedEvent.get_or_none(VoidedEvent.event_id == wrong.event_id) is not None
    # The voided event stays listed, marked, and cannot be corrected twice.
    assert not logged_in.button(f"event-{wrong.event_id}").isEnabled()


def test_corrected_open_shows_sealed(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    wrong = logged_in.record("container_opened", exposure_body("C-1"))
    logged_in.record(
        "correction",
        {"corrects_event_id": wrong.event_id, "reason": "recorded twice", "subject_ids": ["container:C-1"]},
    )
    logged_in.scan("PL1:C:C-1")
    assert logged_in.text("containerState") == "Sealed"
    assert "(voided)" in logged_in.text("containerEvents")
