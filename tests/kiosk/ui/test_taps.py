"""One tap is one action: a touch delivered twice, or a bouncing confirm button, records one event."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.helpers import lot_body
from tests.kiosk.ui.driver import KioskDriver, ManualClock
from tests.kiosk.ui.test_container import remember_readings


def at_open_confirm(kiosk: KioskDriver) -> ManualClock:
    """Go to the open screen of C-1 with readings known; return a clock for the tap filter that does not advance."""
    kiosk.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    remember_readings(kiosk)
    kiosk.scan("PL1:C:C-1")
    kiosk.tap("openButton")
    return stand_clock_still(kiosk)


def stand_clock_still(kiosk: KioskDriver) -> ManualClock:
    """Give the tap filter a clock that moves only when the test moves it, starting well after the last tap."""
    clock = ManualClock(start_s=kiosk.station.tap_filter.clock() + 10.0)
    kiosk.station.tap_filter.clock = clock
    return clock


def test_touch_and_system_mouse_record_once(logged_in: KioskDriver) -> None:
    clock = at_open_confirm(logged_in)
    # The touch screen delivers the finger as a touch (Qt makes a mouse press of it) ...
    point = logged_in.touch("exposureConfirm")
    # ... and the system sends its own mouse click for the same finger a few ms later.
    clock.advance(0.004)
    logged_in.mouse_click_window(point)
    logged_in.settle()
    assert len(logged_in.events("container_opened")) == 1
    assert logged_in.screen_name() == "containerScreen"
    assert logged_in.station.tap_filter.dropped == 1


def test_late_system_mouse_misses_next_screen(logged_in: KioskDriver) -> None:
    clock = at_open_confirm(logged_in)
    point = logged_in.touch("exposureConfirm")
    logged_in.settle()
    # The event is stored and the container screen is back, with Relabel where Confirm was.
    # The system's doubled click arrives only now, so it must not reach Relabel.
    assert logged_in.screen_name() == "containerScreen"
    under_finger = logged_in.window.childAt(point)
    assert under_finger is not None
    assert under_finger.objectName() == "containerRelabel"
    clock.advance(0.03)
    logged_in.mouse_click_window(point)
    logged_in.settle()
    assert len(logged_in.events("container_opened")) == 1
    assert logged_in.screen_name() == "containerScreen"
    assert logged_in.station.tap_filter.dropped == 1


def test_bouncing_confirm_records_once(logged_in: KioskDriver) -> None:
    clock = at_open_confirm(logged_in)
    confirm = logged_in.button("exposureConfirm")
    logged_in.click_at(confirm)
    clock.advance(0.08)
    logged_in.click_at(confirm)
    logged_in.settle()
    assert len(logged_in.events("container_opened")) == 1
    assert logged_in.station.tap_filter.dropped == 1


def test_bounce_cannot_hit_next_screen(logged_in: KioskDriver) -> None:
    clock = at_open_confirm(logged_in)
    logged_in.click_at(logged_in.button("exposureConfirm"))
    logged_in.settle()
    # The container screen is back with Reseal under the finger; a bounce 150 ms later is dropped.
    assert logged_in.screen_name() == "containerScreen"
    clock.advance(0.15)
    logged_in.click_at(logged_in.button("resealButton"))
    logged_in.settle()
    assert logged_in.screen_name() == "containerScreen"
    assert logged_in.events("container_resealed") == []


def test_deliberate_second_tap_counts(logged_in: KioskDriver) -> None:
    clock = at_open_confirm(logged_in)
    logged_in.click_at(logged_in.button("exposureConfirm"))
    logged_in.settle()
    clock.advance(1.0)
    logged_in.click_at(logged_in.button("resealButton"))
    logged_in.settle()
    assert logged_in.screen_name() == "exposureScreen"


def test_keypad_takes_quick_repeated_digits(logged_in: KioskDriver) -> None:
    clock = stand_clock_still(logged_in)
    logged_in.tap("homeTypeLabel")
    clock.advance(1.0)
    one = logged_in.button("kb-1")
    logged_in.click_at(one)
    clock.advance(0.12)
    logged_in.click_at(one)
    QApplication.processEvents()
    assert logged_in.window.entry_page._edit.text() == "11"


def test_recording_disables_screen_until_stored(logged_in: KioskDriver) -> None:
    at_open_confirm(logged_in)
    screen = logged_in.window.current_screen
    assert screen is not None
    QTest.mouseClick(logged_in.button("exposureConfirm"), Qt.MouseButton.LeftButton)
    # Until the store returns, the screen takes no taps at all.
    assert not screen.isEnabled()
    logged_in.settle()
    assert len(logged_in.events("container_opened")) == 1
