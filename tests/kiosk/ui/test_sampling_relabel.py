"""Sampling and relabel from the container screen, with the label preview and printing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sync.lineage import resolve
from tests.helpers import lot_body
from tests.kiosk.ui.driver import KioskDriver


@pytest.fixture
def at_container(logged_in: KioskDriver) -> KioskDriver:
    """The container screen of C-1 (lot L-1), opened by a scan."""
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    logged_in.scan("PL1:C:C-1")
    return logged_in


def test_sample_prefills_method_defaults(at_container: KioskDriver) -> None:
    at_container.tap("containerSample")
    # The newest version of the first method: SM-RIFFLE v1 sorts before SM-THIEF.
    assert at_container.field_value("sampleMethod").startswith("SM-RIFFLE v1")
    assert at_container.field_value("sampleIncrements") == "8"
    assert at_container.field_value("sampleLocation") == "QC bench"


def test_sample_records_and_prints_label(at_container: KioskDriver, store_tmpdir: Path) -> None:
    at_container.tap("containerSample")
    at_container.tap("sampleMethod")
    at_container.choose("('SM-THIEF', 2)")
    at_container.tap("sampleIncrements")
    at_container.enter("6")
    at_container.tap("sampleConfirm")

    [event] = at_container.events("sample_taken")
    body = event.body
    assert body["lot_id"] == "L-1"
    assert body["container_ids"] == ["C-1"]
    assert (body["method_id"], body["method_version"]) == ("SM-THIEF", 2)
    assert body["increments"] == 6
    assert body["compositing_rule"] == "equal-mass composite"
    assert at_container.screen_name() == "labelsScreen"
    assert not at_container.label("labelPreview").pixmap().isNull(), "the label preview is drawn"

    at_container.tap("labelsPrint")
    at_container.wait_printed()
    assert "Queued for printing" in at_container.text("labelNote")
    assert len(list((store_tmpdir / "labels").glob("*"))) == 1
    at_container.tap("labelsDone")
    assert at_container.screen_name() == "containerScreen"


def test_relabel_keeps_old_label_resolving(at_container: KioskDriver, store_tmpdir: Path) -> None:
    at_container.tap("containerRelabel")
    assert at_container.field_value("relabelOld") == "C-1"
    at_container.tap("relabelReason")
    at_container.choose("label damaged")
    at_container.tap("relabelConfirm")

    [event] = at_container.events("container_relabelled")
    new_label = event.body["new_label"]
    assert event.body == {"container_id": "C-1", "old_label": "C-1", "new_label": new_label, "reason": "label damaged"}
    at_container.tap("labelsPrint")
    at_container.wait_printed()
    assert len(list((store_tmpdir / "labels").glob("*"))) == 1
    with at_container.store.reading():
        assert resolve("C-1").container_id == "C-1"
        assert resolve(new_label).container_id == "C-1"


def test_relabel_refuses_foreign_old_label(at_container: KioskDriver) -> None:
    at_container.record("lot_registered", lot_body("L-2", {"C-2": 5.0}))
    at_container.tap("containerRelabel")
    at_container.scan("PL1:C:C-2")
    accepted, text = at_container.flash()
    assert not accepted
    assert "C-2 was never on container C-1" in text
    assert at_container.field_value("relabelOld") == "C-1"


def test_relabel_reason_can_be_typed(at_container: KioskDriver) -> None:
    at_container.tap("containerRelabel")
    at_container.tap("relabelReason")
    at_container.choose("__other__")
    at_container.enter("Wet label, ink ran")
    at_container.tap("relabelConfirm")
    [event] = at_container.events("container_relabelled")
    assert event.body["reason"] == "Wet label, ink ran"


def test_reprint_from_container_screen(at_container: KioskDriver, store_tmpdir: Path) -> None:
    at_container.tap("containerPrint")
    at_container.tap("labelsPrint")
    at_container.wait_printed()
    assert len(list((store_tmpdir / "labels").glob("*"))) == 1
    assert at_container.events("container_relabelled") == []


@pytest.mark.allow_warning_logs
def test_dead_printer_keeps_relabel(station_factory: Any) -> None:
    # Nothing listens on port 9 of 127.0.0.1: every print attempt fails and the job waits for a retry.
    kiosk: KioskDriver = station_factory(
        printer_kind="zpl_tcp", printer_host="127.0.0.1", printer_port=9, printer_timeout_s=1.0
    )
    kiosk.scan("PL1:B:OP-0001")
    kiosk.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    kiosk.scan("PL1:C:C-1")
    kiosk.tap("containerRelabel")
    kiosk.tap("relabelReason")
    kiosk.choose("label unreadable")
    kiosk.tap("relabelConfirm")
    assert len(kiosk.events("container_relabelled")) == 1
    kiosk.tap("labelsPrint")
    for _attempt in range(50):
        if kiosk.window.message_bar.property("level") == "rejected":
            break
        kiosk.wait(0.1)
    message = kiosk.message()
    assert "refused the connection" in message
    assert "prints when the printer is back" in message
    assert kiosk.window.message_bar.property("level") == "rejected"
