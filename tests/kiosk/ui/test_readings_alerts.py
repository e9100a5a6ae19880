"""Prefilled readings (sensor file, last entry, the container's) and exposure warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.ui.alerts import exposure_warnings, format_clock_duration, open_seconds
from kiosk.ui.drafts import Readings
from kiosk.ui.readings import (
    SensorUnusable,
    check_sensor_path,
    prefill_readings,
    read_sensor_file,
    readings_to_remember,
    remembered_readings,
)
from sync.records import now_local, to_utc_us

NOW_US = to_utc_us(now_local())


def write_sensor(path: Path, **values: object) -> Path:
    data = {"ambient_temperature_c": 22.0, "relative_humidity_pct": 38.5, "measured_at": now_local().isoformat()}
    data.update(values)
    path.write_text(json.dumps(data))
    return path


def test_sensor_file_read(tmp_path: Path) -> None:
    temperature, humidity, _measured = read_sensor_file(
        write_sensor(tmp_path / "s.json"), max_age_s=60, now_utc_us=NOW_US
    )
    assert (temperature, humidity) == (22.0, 38.5)


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"measured_at": "2020-01-01T00:00:00+00:00"}, "s old"),
        ({"relative_humidity_pct": 140}, "not a valid reading"),
        ({"ambient_temperature_c": "warm"}, "not a valid reading"),
        ({"measured_at": "yesterday"}, "not a valid reading"),
    ],
)
def test_unusable_sensor_file(tmp_path: Path, values: dict[str, object], fragment: str) -> None:
    with pytest.raises(SensorUnusable, match=fragment):
        read_sensor_file(write_sensor(tmp_path / "s.json", **values), max_age_s=60, now_utc_us=NOW_US)


def test_missing_sensor_file(tmp_path: Path) -> None:
    with pytest.raises(SensorUnusable, match="cannot be read"):
        read_sensor_file(tmp_path / "absent.json", max_age_s=60, now_utc_us=NOW_US)


def test_sensor_path_is_folder(tmp_path: Path) -> None:
    expected = f"sensor_reading_file '{tmp_path}' is a folder, not a file; set it to the JSON file the sensor writes"
    with pytest.raises(SensorUnusable, match=expected):
        check_sensor_path(tmp_path)
    with pytest.raises(SensorUnusable, match=f"such as {tmp_path / 'sensor.json'}"):
        read_sensor_file(tmp_path, max_age_s=60, now_utc_us=NOW_US)


def test_sensor_path_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "absent" / "sensor.json"
    expected = f"sensor_reading_file '{path}' is in {path.parent}, which is not an existing folder"
    with pytest.raises(SensorUnusable, match=expected):
        check_sensor_path(path)
    # A file not written yet in an existing folder passes the check.
    check_sensor_path(tmp_path / "sensor.json")


def test_prefill_order() -> None:
    remembered = {"ambient_temperature_c": 20.0, "relative_humidity_pct": 30.0, "storage_location": "Bench 2"}
    from_sensor = prefill_readings(
        sensor=(23.0, 41.0, "t"),
        remembered=remembered,
        container_readings=(19.0, 25.0),
        container_location=None,
        container_humidity_control=None,
        default_location="Store A",
    )
    assert (from_sensor.ambient_temperature_c, from_sensor.source, from_sensor.storage_location) == (
        23.0,
        "sensor",
        "Bench 2",
    )
    from_last = prefill_readings(
        sensor=None,
        remembered=remembered,
        container_readings=(19.0, 25.0),
        container_location="Rack 4",
        container_humidity_control=True,
        default_location="Store A",
    )
    assert (from_last.relative_humidity_pct, from_last.source, from_last.storage_location) == (30.0, "last", "Rack 4")
    assert from_last.humidity_control_active is True
    from_container = prefill_readings(
        sensor=None,
        remembered={},
        container_readings=(19.0, 25.0),
        container_location=None,
        container_humidity_control=None,
        default_location="Store A",
    )
    assert (from_container.relative_humidity_pct, from_container.source, from_container.storage_location) == (
        25.0,
        "container",
        "Store A",
    )


def test_remembered_out_of_range_ignored() -> None:
    readings = prefill_readings(
        sensor=None,
        remembered={"ambient_temperature_c": 500.0, "relative_humidity_pct": 30.0},
        container_readings=None,
        container_location=None,
        container_humidity_control=None,
        default_location="",
    )
    assert readings.source == "none"
    assert readings.missing_fields() == ["ambient_temperature_c", "relative_humidity_pct", "storage_location"]


def test_remembered_round_trip() -> None:
    text = readings_to_remember(Readings(21.0, 33.0, "Store A", True, "typed"))
    assert remembered_readings(text)["relative_humidity_pct"] == 33.0
    assert remembered_readings("not json") == {}
    assert remembered_readings(None) == {}


def test_open_too_long_and_near() -> None:
    over = exposure_warnings(
        is_open=True, open_s=31 * 60, max_open_minutes=30, relative_humidity_pct=None, rh_limit_pct=None
    )
    assert [(w.code, w.is_severe) for w in over] == [("open_too_long", True)]
    near = exposure_warnings(
        is_open=True, open_s=25 * 60, max_open_minutes=30, relative_humidity_pct=None, rh_limit_pct=None
    )
    assert [(w.code, w.is_severe) for w in near] == [("open_near_limit", False)]
    fine = exposure_warnings(
        is_open=True, open_s=10 * 60, max_open_minutes=30, relative_humidity_pct=30, rh_limit_pct=40
    )
    assert fine == []


def test_humidity_above_limit() -> None:
    [warning] = exposure_warnings(
        is_open=False, open_s=0, max_open_minutes=None, relative_humidity_pct=45.0, rh_limit_pct=40.0
    )
    assert (warning.code, warning.value, warning.limit) == ("humidity_above_limit", 45.0, 40.0)


def test_counter_format() -> None:
    assert format_clock_duration(0) == "0:00:00"
    assert format_clock_duration(3723.9) == "1:02:03"
    assert format_clock_duration(-5) == "0:00:00"
    assert open_seconds(None, NOW_US) == 0.0
    assert open_seconds(NOW_US - 90_000_000, NOW_US) == 90.0
