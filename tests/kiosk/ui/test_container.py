"""The container screen, and open or reseal in two taps after the scan."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from kiosk.ui.readings import LAST_READINGS_SETTING
from sync.records import now_local
from tests.helpers import exposure_body, lot_body
from tests.kiosk.ui.driver import KioskDriver


def remember_readings(kiosk: KioskDriver, **values: Any) -> None:
    """Store the readings this station entered last, as a previous open would have."""
    readings = {
        "ambient_temperature_c": 21.5,
        "relative_humidity_pct": 33.0,
        "storage_location": "Store A",
        "humidity_control_active": True,
        **values,
    }
    kiosk.store.set_setting(LAST_READINGS_SETTING, json.dumps(readings))


def test_container_scan_shows_container(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}, lot_number="AP-1"))
    logged_in.scan("PL1:C:C-1")
    assert logged_in.screen_name() == "containerScreen"
    assert logged_in.text("containerScreenTitle") == "Container C-1"
    identity = logged_in.text("containerIdentity")
    assert "Lot L-1" in identity
    assert "AP-1" in identity
    assert logged_in.text("containerState") == "Sealed"
    assert logged_in.flash() == (True, "Container C-1")


def test_open_takes_two_taps(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    remember_readings(logged_in)
    logged_in.scan("PL1:C:C-1")
    taps_before = logged_in.station.tap_filter.taps

    logged_in.tap("openButton")
    logged_in.tap("exposureConfirm")

    assert logged_in.station.tap_filter.taps - taps_before == 2
    [opened] = logged_in.events("container_opened")
    assert opened.operator_id == "OP-0001"
    assert opened.body == {
        "container_id": "C-1",
        "storage_location": "Store A",
        "humidity_control_active": True,
        "ambient_temperature_c": 21.5,
        "relative_humidity_pct": 33.0,
    }
    assert logged_in.screen_name() == "containerScreen"
    assert logged_in.text("containerState") == "OPEN"


def test_reseal_takes_two_taps(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    logged_in.record("container_opened", exposure_body("C-1", rh=31.0, location="Filling station"))
    logged_in.scan("PL1:C:C-1")
    taps_before = logged_in.station.tap_filter.taps

    logged_in.tap("resealButton")
    logged_in.tap("exposureConfirm")

    assert logged_in.station.tap_filter.taps - taps_before == 2
    [resealed] = logged_in.events("container_resealed")
    # Nothing entered at this station yet: place and readings come from the container's open.
    assert resealed.body["storage_location"] == "Filling station"
    assert resealed.body["relative_humidity_pct"] == 31.0
    assert resealed.operator_id == "OP-0001"
    assert logged_in.text("containerState") == "Sealed"


def test_open_asks_readings_when_none_known(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    logged_in.scan("PL1:C:C-1")
    logged_in.tap("openButton")
    logged_in.tap("exposureConfirm")
    assert logged_in.events("container_opened") == []
    assert "marked in red" in logged_in.message()

    logged_in.tap("fieldTemperature")
    logged_in.enter("19.5")
    logged_in.tap("fieldHumidity")
    logged_in.enter("120")
    # Out of range: the keypad stays with the reason.
    assert logged_in.screen_name() == "entryPage"
    assert "out of range" in logged_in.text("entryError")
    logged_in.tap("key-clear")
    logged_in.enter("45")
    logged_in.tap("exposureConfirm")

    [opened] = logged_in.events("container_opened")
    assert opened.body["ambient_temperature_c"] == 19.5
    assert opened.body["relative_humidity_pct"] == 45.0
    assert opened.body["storage_location"] == "Store A"


def test_sensor_file_prefills_readings(station_factory: Any, tmp_path: Path) -> None:
    sensor = tmp_path / "sensor.json"
    sensor.write_text(
        json.dumps(
            {"ambient_temperature_c": 23.25, "relative_humidity_pct": 41.5, "measured_at": now_local().isoformat()}
        )
    )
    kiosk: KioskDriver = station_factory(sensor_reading_file=str(sensor))
    kiosk.scan("PL1:B:OP-0001")
    kiosk.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    kiosk.scan("PL1:C:C-1")
    kiosk.tap("openButton")
    assert "from the sensor" in kiosk.text("readingsSource")
    kiosk.tap("exposureConfirm")
    [opened] = kiosk.events("container_opened")
    assert opened.body["ambient_temperature_c"] == 23.25
    assert opened.body["relative_humidity_pct"] == 41.5


def test_open_counter_counts_live(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    opened_at = now_local() - timedelta(minutes=5, seconds=3)
    logged_in.record("container_opened", exposure_body("C-1"), occurred_at=opened_at)
    logged_in.scan("PL1:C:C-1")
    first = logged_in.text("containerCounter")
    assert first.startswith("0:05:0")
    # The counter ticks once a second, so within 2.2 s it has moved on at least one second.
    logged_in.wait(2.2)
    assert logged_in.text("containerCounter") > first


def test_open_too_long_warns_in_red(logged_in: KioskDriver) -> None:
    # Grade TI64-G23 allows 30 minutes open and 40 % RH.
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    opened_at = now_local() - timedelta(minutes=45)
    logged_in.record("container_opened", exposure_body("C-1", rh=55.0), occurred_at=opened_at)
    logged_in.scan("PL1:C:C-1")
    warnings = logged_in.window.current_screen.warning_texts  # type: ignore[union-attr]
    assert any(text.startswith("Open too long: 0:45:") and "limit 0:30:00" in text for text in warnings)
    assert any("55 % RH is above this grade's limit of 40 % RH" in text for text in warnings)
    assert logged_in.find("containerWarning0").property("level") == "severe"


def test_humidity_above_limit_warns_before_open(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    remember_readings(logged_in, relative_humidity_pct=48.0)
    logged_in.scan("PL1:C:C-1")
    logged_in.tap("openButton")
    assert "above this grade's limit of 40 % RH" in logged_in.text("exposureWarning")


def test_unknown_container_rejected_with_id(logged_in: KioskDriver) -> None:
    logged_in.scan("PL1:C:C-NOPE")
    accepted, text = logged_in.flash()
    assert not accepted
    assert "C-NOPE" in text
    assert logged_in.screen_name() == "homeScreen"


def test_old_label_opens_its_container(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    logged_in.record(
        "container_relabelled", {"container_id": "C-1", "old_label": "C-1", "new_label": "C-NEW", "reason": "torn"}
    )
    logged_in.scan("PL1:C:C-1")
    assert logged_in.text("containerScreenTitle") == "Container C-1"
    assert "label C-NEW" in logged_in.text("containerIdentity")


def test_typed_label_opens_container(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-7": 25.0}))
    logged_in.tap("homeTypeLabel")
    logged_in.enter("C-7")
    assert logged_in.screen_name() == "containerScreen"
    assert logged_in.text("containerScreenTitle") == "Container C-7"


def test_cancel_open_records_nothing(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    remember_readings(logged_in)
    logged_in.scan("PL1:C:C-1")
    logged_in.tap("openButton")
    logged_in.tap("exposureCancel")
    assert logged_in.screen_name() == "containerScreen"
    assert logged_in.events("container_opened") == []
