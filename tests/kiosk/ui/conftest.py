"""Fixtures for the touch UI: a real station (store, bridge, window, filters) driven through its widgets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from kiosk.config import Config, load_config
from kiosk.ui.station import KioskStation
from sync.store import Store
from tests.kiosk.ui.driver import KioskDriver, StepClock

# The official 7-inch Raspberry Pi display: 800 px across 154.08 mm.
PI_DISPLAY_PX_PER_MM = 5.19


def station_config(folder: Path, **overrides: Any) -> Config:
    """Return a station configuration for tests: files under `folder`, no camera, no sound, Pi display density."""
    # A configured label folder must exist (the printer does not create a share's mount point).
    (folder / "labels").mkdir(exist_ok=True)
    values: dict[str, Any] = {
        "db_path": str(folder / "station.db"),
        "printer_kind": "file",
        "printer_folder": str(folder / "labels"),
        "ui_sound": False,
        "ui_screen_px_per_mm": PI_DISPLAY_PX_PER_MM,
        "ui_storage_location": "Store A",
        "ui_sample_location": "QC bench",
    }
    values.update(overrides)
    return load_config(None).with_overrides(**values)


@pytest.fixture
def station_factory(qapp: QApplication, fresh_store: Store, store_tmpdir: Path) -> Iterator[Any]:
    """Build a started station on the fresh store; call with config overrides. Stopped after the test."""
    stations: list[KioskStation] = []

    def make(*, size: tuple[int, int] = (800, 480), **overrides: Any) -> KioskDriver:
        config = station_config(store_tmpdir, **overrides)
        station = KioskStation(qapp, config, fresh_store, with_camera=False)
        # Each press is a second after the previous one, so the tap filter drops
        # nothing unless a test sets the clock itself.
        station.tap_filter.clock = StepClock(step_s=1.0)
        stations.append(station)
        station.window.resize(*size)
        station.window.show()
        station.start()
        driver = KioskDriver(station)
        driver.settle()
        return driver

    yield make
    for station in stations:
        station.stop()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def kiosk(station_factory: Any) -> KioskDriver:
    """A started station at 800x480 on the fresh store, with no operator logged in."""
    driver: KioskDriver = station_factory()
    return driver


@pytest.fixture
def logged_in(kiosk: KioskDriver) -> KioskDriver:
    """The station with operator OP-0001 logged in by badge, on the ready-to-scan screen."""
    kiosk.scan("PL1:B:OP-0001")
    assert kiosk.screen_name() == "homeScreen"
    return kiosk
