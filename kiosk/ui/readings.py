"""Prefilled readings for an open or a reseal: a sensor's latest values, else this station's last entry.

No Qt here. A sensor daemon (not part of this project) may write its latest
values as JSON to the file named by ``sensor_reading_file``::

    {"ambient_temperature_c": 21.4, "relative_humidity_pct": 38.0,
     "measured_at": "2026-12-04T09:30:00+01:00"}

Values older than ``sensor_max_age_s`` are not used, so a dead sensor never
fills in stale conditions.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.ui.drafts import Readings
from kiosk.ui.entries import RELATIVE_HUMIDITY_PCT, TEMPERATURE_C, EntryError, NumberSpec, parse_number
from sync.records import parse_time, to_utc_us

log = logging.getLogger(__name__)

LAST_READINGS_SETTING = "ui_last_readings"
# The sensor file is tiny; anything larger is not a reading.
SENSOR_FILE_MAX_BYTES = 4096


class SensorUnusable(ValueError):
    """The sensor file is missing, stale or malformed; the message names the file and the problem."""


def check_sensor_path(path: Path) -> None:
    """Raise SensorUnusable when ``sensor_reading_file`` names a folder, or a file in a folder that does not exist.

    A missing file in an existing folder passes, because the sensor daemon
    may not have written its first reading yet.
    """
    if path.is_dir():
        raise SensorUnusable(
            f"sensor_reading_file {str(path)!r} is a folder, not a file; "
            f"set it to the JSON file the sensor writes, such as {path / 'sensor.json'}"
        )
    if not path.parent.is_dir():
        raise SensorUnusable(
            f"sensor_reading_file {str(path)!r} is in {path.parent}, which is not an existing folder; "
            "check the path and the folder the sensor writes to"
        )


def read_sensor_file(path: Path, *, max_age_s: float, now_utc_us: int) -> tuple[float, float, str]:
    """Return (temperature °C, relative humidity %, measured_at) from a sensor file.

    Raises SensorUnusable naming the file and the problem.
    """
    check_sensor_path(path)
    try:
        raw = path.read_bytes()[: SENSOR_FILE_MAX_BYTES + 1]
    except OSError as error:
        raise SensorUnusable(f"sensor file {path} cannot be read: {error.strerror}") from error
    if len(raw) > SENSOR_FILE_MAX_BYTES:
        raise SensorUnusable(f"sensor file {path} is larger than {SENSOR_FILE_MAX_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8"))
        temperature = parse_number(str(data["ambient_temperature_c"]), TEMPERATURE_C)
        humidity = parse_number(str(data["relative_humidity_pct"]), RELATIVE_HUMIDITY_PCT)
        measured_at = str(data["measured_at"])
        measured_us = to_utc_us(parse_time(measured_at))
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError, EntryError) as error:
        raise SensorUnusable(f"sensor file {path} is not a valid reading ({error})") from error
    age_s = (now_utc_us - measured_us) / 1e6
    if age_s > max_age_s:
        raise SensorUnusable(f"sensor reading in {path} is {age_s:.0f} s old (limit {max_age_s:g} s)")
    return temperature, humidity, measured_at


def remembered_readings(text: str | None) -> dict[str, Any]:
    """Return the readings this station entered last (a JSON setting), or an empty dict."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def prefill_readings(
    *,
    sensor: tuple[float, float, str] | None,
    remembered: dict[str, Any],
    container_readings: tuple[float, float] | None,
    container_location: str | None,
    container_humidity_control: bool | None,
    default_location: str,
) -> Readings:
    """Choose the values an open or reseal starts with.

    Readings come from the sensor, else this station's last entry, else the
    container's last readings. The place is the container's own, else the
    last one entered, else the default.
    """
    readings = Readings()
    if sensor is not None:
        readings.ambient_temperature_c, readings.relative_humidity_pct, _measured_at = sensor
        readings.source = "sensor"
    elif _within(remembered.get("ambient_temperature_c"), TEMPERATURE_C) and _within(
        remembered.get("relative_humidity_pct"), RELATIVE_HUMIDITY_PCT
    ):
        readings.ambient_temperature_c = float(remembered["ambient_temperature_c"])
        readings.relative_humidity_pct = float(remembered["relative_humidity_pct"])
        readings.source = "last"
    elif container_readings is not None:
        readings.ambient_temperature_c, readings.relative_humidity_pct = container_readings
        readings.source = "container"
    readings.storage_location = container_location or str(remembered.get("storage_location") or default_location)
    if container_humidity_control is not None:
        readings.humidity_control_active = container_humidity_control
    else:
        readings.humidity_control_active = bool(remembered.get("humidity_control_active", False))
    return readings


def readings_to_remember(readings: Readings) -> str:
    """Return the JSON setting that keeps these readings for the next open or reseal."""
    return json.dumps(
        {
            "ambient_temperature_c": readings.ambient_temperature_c,
            "relative_humidity_pct": readings.relative_humidity_pct,
            "storage_location": readings.storage_location,
            "humidity_control_active": readings.humidity_control_active,
            "saved_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        }
    )


def _within(value: Any, spec: NumberSpec) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        parse_number(str(value), spec)
    except EntryError:
        return False
    return True
