"""Scans from the handheld scanner (key bursts) and the camera pipeline, and payloads that must never crash the kiosk."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kiosk.scan.capture import CaptureTiming
from kiosk.scan.decoding import decode_image
from kiosk.scan.pipeline import CameraScanner
from kiosk.scan.sources import CaptureSettings, open_source, parse_source
from kiosk.ui.demo_media import DEMO_MEDIA, DEMO_SEQUENCE
from tests.helpers import lot_body
from tests.kiosk.ui.driver import KioskDriver


def wedge_scan(kiosk: KioskDriver, text: str) -> None:
    """Type `text` and Enter as a handheld scanner does: all keys within a few milliseconds."""
    target = kiosk.window.focusWidget() or kiosk.window
    QTest.keyClicks(target, text)
    QTest.keyClick(target, Qt.Key.Key_Return)
    kiosk.wait(0.1)


def test_wedge_burst_opens_container(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    wedge_scan(logged_in, "PL1:C:C-1")
    assert logged_in.screen_name() == "containerScreen"
    assert logged_in.text("containerScreenTitle") == "Container C-1"


def test_wedge_badge_logs_in(kiosk: KioskDriver) -> None:
    wedge_scan(kiosk, "PL1:B:OP-0002")
    assert kiosk.station.kiosk.session.operator_id == "OP-0002"


def test_typed_keys_reach_entry_field(logged_in: KioskDriver) -> None:
    logged_in.tap("homeTypeLabel")
    edit = logged_in.window.entry_page._edit
    # A person types more slowly than the scanner's 35 ms between keys.
    for character in "C-9":
        QTest.keyClicks(edit, character)
        logged_in.wait(0.06)
    logged_in.wait(0.1)
    assert edit.text() == "C-9"


def test_wedge_scan_fills_text_entry(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    logged_in.tap("homeTimeline")
    logged_in.tap("timelineTypeId")
    wedge_scan(logged_in, "PL1:C:C-1")
    # The scanned label's id goes into the id field and is accepted at once.
    assert logged_in.screen_name() == "timelineScreen"
    assert logged_in.text("timelineScreenTitle") == "Lot L-1"


NASTY_PAYLOADS = [
    "",
    " ",
    "\x00\x01\x02",
    "PL1:C:",
    "PL1:X:C-1",
    "PL9:C:C-1",
    "PL1:C:C 1 with spaces",
    "https://evil.example/pl1/c/%00",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "]Q3" + "01" + "1" * 13,
    "\x1d\x1d\x1d",
    "A" * 5000,
    "🙂🙂🙂",
    "C-1\r\nC-2",
    "%s%s%n",
    "'; DROP TABLE event; --",
]


def test_nasty_payloads_rejected_in_words(logged_in: KioskDriver) -> None:
    for payload in NASTY_PAYLOADS:
        before = logged_in.window.scans_handled
        logged_in.scan(payload)
        assert logged_in.window.scans_handled == before + 1, f"no feedback for {payload!r}"
        accepted, text = logged_in.flash()
        assert not accepted, f"{payload!r} was accepted"
        assert text.startswith("Scan not accepted:"), text
        assert "\x00" not in text
    assert logged_in.screen_name() == "homeScreen"
    assert logged_in.events("container_opened") == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.text(max_size=300))
def test_any_scan_gets_feedback(logged_in: KioskDriver, payload: str) -> None:
    before = logged_in.window.scans_handled
    logged_in.scan(payload)
    assert logged_in.window.scans_handled == before + 1
    logged_in.station.kiosk.home()


def test_camera_pipeline_logs_in_from_video(kiosk: KioskDriver, tmp_path: Path) -> None:
    # The demo video starts with operator OP-0001's badge; the real capture and decode threads read it.
    source = open_source(parse_source(str(DEMO_MEDIA)), CaptureSettings())
    states: list[Any] = []

    def on_status(status: Any) -> None:
        states.append(status.state.value)
        kiosk.station.bridge.on_camera_state(status)

    scanner = CameraScanner(source, on_scan=kiosk.station.bridge.on_scan, on_status=on_status)
    scanner.start()
    try:
        deadline = time.monotonic() + 10
        while not kiosk.station.kiosk.session.is_logged_in and time.monotonic() < deadline:
            kiosk.wait(0.1)
    finally:
        scanner.stop()
    assert kiosk.station.kiosk.session.operator_id == "OP-0001"
    assert "running" in states
    assert kiosk.flash() == (True, "Logged in: Alex Moreau")


@pytest.mark.allow_warning_logs
def test_missing_camera_shown_not_lost(kiosk: KioskDriver) -> None:
    bar = kiosk.window.status_bar
    source = open_source(parse_source("/dev/video-not-there"), CaptureSettings())
    timing = CaptureTiming(lost_after_s=0.3, reconnect_interval_s=0.05)
    bridge = kiosk.station.bridge
    scanner = CameraScanner(source, on_scan=bridge.on_scan, on_status=bridge.on_camera_state, timing=timing)
    scanner.start()
    try:
        deadline = time.monotonic() + 5
        while bar.camera.text() != "No camera" and time.monotonic() < deadline:
            kiosk.wait(0.1)
        kiosk.wait(0.5)  # longer than lost_after_s: a camera that never opened is not "reconnecting"
        shown = bar.camera.text()
    finally:
        scanner.stop()
    assert shown == "No camera"
    assert kiosk.message() == (
        "no camera at /dev/video-not-there; plug it in or set camera_source to another device, retrying every 0.05 s"
    )
    assert kiosk.window.message_bar.property("level") == "warning"


def test_demo_video_shows_sequence() -> None:
    capture = cv2.VideoCapture(str(DEMO_MEDIA))
    seen: list[str] = []
    frames = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames += 1
        for code in decode_image(frame):
            if not seen or seen[-1] != code.text:
                seen.append(code.text or "")
    capture.release()
    assert frames == 84
    assert seen == [label.payload for label in DEMO_SEQUENCE]
