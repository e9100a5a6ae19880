"""Log-in by badge scan or by name and PIN, wrong PINs, and the idle log-out."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kiosk.ui.driver import KioskDriver


def test_badge_scan_logs_in(kiosk: KioskDriver) -> None:
    kiosk.scan("PL1:B:OP-0001")
    assert kiosk.screen_name() == "homeScreen"
    assert kiosk.station.kiosk.session.operator_id == "OP-0001"
    assert kiosk.window.status_bar.operator.text() == "Alex Moreau"
    assert kiosk.flash() == (True, "Logged in: Alex Moreau")


def test_name_and_pin_log_in(kiosk: KioskDriver) -> None:
    kiosk.tap("operator-OP-0002")
    assert kiosk.screen_name() == "entryPage"
    kiosk.enter("2222")
    assert kiosk.screen_name() == "homeScreen"
    assert kiosk.station.kiosk.session.operator_id == "OP-0002"
    assert kiosk.station.kiosk.session.method == "pin"


def test_wrong_pin_keeps_login_screen(kiosk: KioskDriver) -> None:
    kiosk.tap("operator-OP-0002")
    kiosk.enter("1234")
    assert kiosk.screen_name() == "loginScreen"
    assert not kiosk.station.kiosk.session.is_logged_in
    assert "Wrong PIN" in kiosk.message()


def test_five_wrong_pins_lock_badge(kiosk: KioskDriver) -> None:
    for _attempt in range(5):
        kiosk.tap("operator-OP-0003")
        kiosk.enter("0000")
    assert "Too many wrong PINs" in kiosk.message()
    # Even the right PIN is refused while the lock-out lasts: no keypad opens.
    kiosk.tap("operator-OP-0003")
    assert kiosk.screen_name() == "loginScreen"
    assert not kiosk.station.kiosk.session.is_logged_in


def test_unknown_badge_rejected(kiosk: KioskDriver) -> None:
    kiosk.scan("PL1:B:OP-9999")
    accepted, text = kiosk.flash()
    assert not accepted
    assert "OP-9999" in text
    assert not kiosk.station.kiosk.session.is_logged_in


def test_container_scan_before_login_rejected(kiosk: KioskDriver) -> None:
    kiosk.scan("PL1:C:C-1")
    accepted, text = kiosk.flash()
    assert not accepted
    assert "log in first" in text
    assert kiosk.screen_name() == "loginScreen"


def test_idle_time_logs_out(station_factory: Any) -> None:
    kiosk: KioskDriver = station_factory(ui_idle_logout_s=0.3)
    kiosk.scan("PL1:B:OP-0001")
    assert kiosk.screen_name() == "homeScreen"
    kiosk.wait(0.6)
    assert kiosk.screen_name() == "loginScreen"
    assert not kiosk.station.kiosk.session.is_logged_in
    assert "Logged out after" in kiosk.message()


def test_log_out_button_ends_session(logged_in: KioskDriver) -> None:
    logged_in.tap("homeLogOut")
    assert logged_in.screen_name() == "loginScreen"
    assert logged_in.window.status_bar.operator.text() == "Not logged in"


@pytest.mark.parametrize("badge", ["PL1:B:SV-0001", "PL1:B:QE-0001"])
def test_supervisor_badges_log_in(kiosk: KioskDriver, badge: str) -> None:
    kiosk.scan(badge)
    assert kiosk.station.kiosk.session.operator_id == badge.rsplit(":", 1)[1]
