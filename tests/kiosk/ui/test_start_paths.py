"""Path settings that cannot work are shown at start-up and logged; the station keeps running and loses nothing."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from kiosk.labels.queue import JobState
from sync.records import now_local
from tests.helpers import lot_body
from tests.kiosk.ui.driver import KioskDriver
from tests.kiosk.ui.test_container import remember_readings


@pytest.fixture
def file_not_folder(tmp_path: Path) -> Path:
    """A file where a folder belongs, as when printer_folder is set to the store's path."""
    path = tmp_path / "notadb.db"
    path.write_text("not a folder")
    return path


@pytest.fixture
def folder_not_file(tmp_path: Path) -> Path:
    """A folder where the sensor's JSON file belongs."""
    path = tmp_path / "sensor"
    path.mkdir()
    return path


def warnings_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]


@pytest.mark.allow_warning_logs
def test_printer_folder_file_holds_labels(
    station_factory: Any, file_not_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kiosk: KioskDriver = station_factory(printer_folder=str(file_not_folder))

    problem = f"printer_folder '{file_not_folder}' is a file, not a folder; set printer_folder to a folder"
    assert kiosk.message().startswith(f"Labels are held in the print queue: {problem}")
    assert kiosk.window.message_bar.property("level") == "rejected"
    assert f"Labels are held in the print queue: {problem}, or leave it empty" in warnings_logged(caplog)[0]

    # The kiosk still works, and a label asked for waits in the queue on disk.
    kiosk.scan("PL1:B:OP-0001")
    kiosk.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    kiosk.scan("PL1:C:C-1")
    kiosk.tap("containerPrint")
    kiosk.tap("labelsPrint")
    printing = kiosk.station.kiosk.printing
    assert printing is not None
    [job] = printing.queue.jobs()
    assert job.title == "C-1"
    assert job.state in (JobState.QUEUED, JobState.PRINTING, JobState.WAITING_RETRY)
    assert len(list(printing.queue.folder.glob("*.job"))) == 1
    assert file_not_folder.read_text() == "not a folder"


@pytest.mark.allow_warning_logs
def test_missing_printer_folder_shown(station_factory: Any, tmp_path: Path) -> None:
    share = tmp_path / "mnt" / "labels"
    kiosk: KioskDriver = station_factory(printer_folder=str(share))

    assert kiosk.message() == (
        f"Labels are held in the print queue: the label folder {share} does not exist; "
        "check that its share is mounted, or create the folder."
    )
    # The share's mount point is not filled in its place.
    assert not (tmp_path / "mnt").exists()


@pytest.mark.allow_warning_logs
def test_sensor_folder_shown_and_skipped(
    station_factory: Any, folder_not_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kiosk: KioskDriver = station_factory(sensor_reading_file=str(folder_not_file))

    problem = (
        f"sensor_reading_file '{folder_not_file}' is a folder, not a file; "
        f"set it to the JSON file the sensor writes, such as {folder_not_file / 'sensor.json'}"
    )
    assert kiosk.message() == f"Sensor not used: {problem}."
    assert kiosk.window.message_bar.property("level") == "rejected"
    assert warnings_logged(caplog) == [f"Sensor not used: {problem}"]

    # An open prefills the readings entered last, and the log repeats why the sensor was skipped.
    kiosk.scan("PL1:B:OP-0001")
    kiosk.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    remember_readings(kiosk, ambient_temperature_c=19.5)
    kiosk.scan("PL1:C:C-1")
    kiosk.tap("openButton")
    assert "as last entered at this station" in kiosk.text("readingsSource")
    assert f"Sensor reading not used: {problem}" in warnings_logged(caplog)
    kiosk.tap("exposureConfirm")
    [opened] = kiosk.events("container_opened")
    assert opened.body["ambient_temperature_c"] == 19.5


@pytest.mark.allow_warning_logs
def test_both_start_problems_shown(station_factory: Any, file_not_folder: Path, folder_not_file: Path) -> None:
    kiosk: KioskDriver = station_factory(printer_folder=str(file_not_folder), sensor_reading_file=str(folder_not_file))

    message = kiosk.message()
    assert message.startswith(f"Labels are held in the print queue: printer_folder '{file_not_folder}'")
    assert f" Sensor not used: sensor_reading_file '{folder_not_file}' is a folder" in message


def test_sensor_file_not_yet_written(station_factory: Any, tmp_path: Path) -> None:
    # The sensor daemon may start after the kiosk: a missing file in an existing folder is no start-up problem.
    sensor = tmp_path / "sensor.json"
    kiosk: KioskDriver = station_factory(sensor_reading_file=str(sensor))
    assert kiosk.message() == ""

    sensor.write_text(
        json.dumps(
            {"ambient_temperature_c": 24.0, "relative_humidity_pct": 40.0, "measured_at": now_local().isoformat()}
        )
    )
    kiosk.scan("PL1:B:OP-0001")
    kiosk.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    kiosk.scan("PL1:C:C-1")
    kiosk.tap("openButton")
    assert "from the sensor" in kiosk.text("readingsSource")
