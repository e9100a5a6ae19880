"""Touch targets of at least 15 mm, body text of at least 16 pt, and every screen fitting 800x480 and 1920x1080."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from tests.helpers import lot_body
from tests.kiosk.ui.driver import KioskDriver
from tests.kiosk.ui.test_container import remember_readings

# A 24-inch 1920x1080 monitor: 1920 px across 531 mm.
MONITOR_PX_PER_MM = 3.62
SIZES = {
    "pi_display": {"size": (800, 480), "ui_screen_px_per_mm": 5.19},
    "full_hd": {"size": (1920, 1080), "ui_screen_px_per_mm": MONITOR_PX_PER_MM},
}


def visit_every_screen(kiosk: KioskDriver) -> Iterator[str]:
    """Walk through every screen and page by taps and scans, yielding each one's name while it is shown."""
    yield "login"
    kiosk.tap("operator-OP-0001")
    yield "pin keypad"
    kiosk.tap("entryCancel")
    kiosk.scan("PL1:B:OP-0001")
    yield "home"
    kiosk.record("lot_registered", lot_body("L-1", {"C-1": 25.0, "C-2": 10.0}, lot_number="AP-1"))
    remember_readings(kiosk)
    kiosk.scan("PL1:C:C-1")
    yield "container"
    kiosk.tap("openButton")
    yield "open"
    kiosk.tap("fieldLocation")
    yield "keyboard"
    kiosk.tap("keyboardCancel")
    kiosk.tap("exposureConfirm")
    yield "container open"
    kiosk.tap("containerSample")
    yield "sample"
    kiosk.tap("sampleMethod")
    yield "choices"
    kiosk.tap("choiceCancel")
    kiosk.tap("sampleCancel")
    kiosk.tap("containerRelabel")
    yield "relabel"
    kiosk.tap("relabelCancel")
    kiosk.tap("containerPrint")
    yield "labels"
    kiosk.tap("labelsDone")
    kiosk.tap("containerTimeline")
    yield "timeline"
    kiosk.tap("timelineDone")
    kiosk.tap("homeRegisterLot")
    yield "register lot"
    kiosk.tap("registerCancel")
    kiosk.tap("homeTransformation")
    yield "transformation step"
    kiosk.tap("step-blending")
    yield "transformation equipment"
    kiosk.tap("equipment-BLEND-01")
    kiosk.scan("PL1:C:C-2")
    yield "mass keypad"
    kiosk.enter("5")
    yield "transformation inputs"
    kiosk.tap("transformationNext")
    kiosk.tap("outputAddNew")
    kiosk.enter("5")
    yield "transformation outputs"
    kiosk.tap("transformationNext")
    yield "transformation parameters"
    kiosk.tap("transformationNext")
    yield "transformation review"
    kiosk.tap("transformationCancel")
    kiosk.tap("homeCorrections")
    yield "corrections"


def visible(widget: QWidget) -> bool:
    """Whether a widget is shown and not scrolled out of its window's view."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def check_screen(kiosk: KioskDriver, size: tuple[int, int], where: str) -> list[str]:
    """Return every rule the screen shown breaks."""
    problems = []
    window = kiosk.window
    if (window.width(), window.height()) != size:
        problems.append(f"{where}: the window grew to {window.width()}x{window.height()}")
    target = kiosk.station.metrics.touch_target_px
    for button in window.findChildren(QPushButton):
        if visible(button) and (button.width() < target or button.height() < target):
            problems.append(f"{where}: button {button.objectName()} {button.width()}x{button.height()} < {target} px")
    for text in window.findChildren(QLabel) + window.findChildren(QPushButton) + window.findChildren(QLineEdit):
        if visible(text) and text.font().pointSizeF() < 16:
            problems.append(f"{where}: {text.objectName() or type(text).__name__} at {text.font().pointSizeF()} pt")
    return problems


@pytest.mark.parametrize("display", SIZES)
def test_every_screen_meets_touch_rules(station_factory: Callable[..., KioskDriver], display: str) -> None:
    options: dict[str, Any] = dict(SIZES[display])
    size = options.pop("size")
    kiosk = station_factory(size=size, **options)
    problems: list[str] = []
    visited = []
    for where in visit_every_screen(kiosk):
        visited.append(where)
        problems += check_screen(kiosk, size, where)
    assert len(visited) == 21
    assert problems == [], "\n".join(problems)


def test_touch_target_is_fifteen_mm(station_factory: Callable[..., KioskDriver]) -> None:
    kiosk = station_factory(ui_screen_px_per_mm=5.19)
    assert kiosk.station.metrics.touch_target_mm >= 15.0
    assert kiosk.station.metrics.touch_target_px == 78
