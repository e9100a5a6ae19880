"""Screenshots of the main screens for the docs: ``python -m kiosk.ui.screenshots --size 800x480``.

Run it under a virtual X server so the pictures show what a station's X
display shows, for example::

    xvfb-run -s "-screen 0 800x480x24 -dpi 132" .venv/bin/python -m kiosk.ui.screenshots --size 800x480
    xvfb-run -s "-screen 0 1920x1080x24 -dpi 92" .venv/bin/python -m kiosk.ui.screenshots --size 1920x1080

It builds the demo store in a temporary folder, drives the screens the way
an operator would (scans through the bridge, taps on the real buttons) and
saves docs/screenshots/<screen>-<width>x<height>.png.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QScrollArea, QWidget

from kiosk.app import parse_size
from kiosk.config import load_config
from kiosk.ui.demo import DEMO_OPERATOR, DEMO_SETTINGS, make_demo_store
from kiosk.ui.station import KioskStation
from sync.records import now_local
from sync.store import Store

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
# Pixel densities of the two screens pictured: the 7-inch Pi display and a 24-inch monitor.
PX_PER_MM = {(800, 480): 5.19, (1920, 1080): 3.62}
GS1_SUPPLIER_LABEL = "]Q3" + "0109506000134352" + "10LOT-4711" + "\x1d" + "11250301" + "17281231" + "3103025000"


def shrink_png(path: Path) -> None:
    """Rewrite a screenshot with a palette of 128 colours: flat UI colours survive, the file is a third the size."""
    with Image.open(path) as image:
        quantized = image.convert("RGB").quantize(colors=128, method=Image.Quantize.FASTOCTREE)
    quantized.save(path, optimize=True)


class ScreenshotTour:
    """Walks a station through its main screens and saves a picture of each."""

    def __init__(self, station: KioskStation, out: Path, size: tuple[int, int]):
        self.station = station
        self.window = station.window
        self.out = out
        self.suffix = f"{size[0]}x{size[1]}"
        self.saved: list[Path] = []

    def settle(self, seconds: float = 0.0) -> None:
        """Run the event loop until background jobs are done and `seconds` have passed."""
        deadline = time.monotonic() + max(seconds, 0.05)
        while time.monotonic() < deadline or not self.station.bridge.is_idle:
            QApplication.processEvents()
            time.sleep(0.01)

    def scan(self, text: str) -> None:
        """Deliver a scan as the camera does, then wait for the screen it leads to."""
        self.station.bridge.on_scan(text)
        self.settle(0.2)

    def tap(self, name: str) -> None:
        """Tap the visible button with this object name."""
        button = next(widget for widget in self.window.findChildren(QPushButton, name) if widget.isVisible())
        # A finger reaches only what is shown: scroll the button into view first.
        parent = button.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None:
            parent.ensureWidgetVisible(button)
            QApplication.processEvents()
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        # Longer than the tap filter's window, which drops a second press within 0.4 s as a bounce.
        self.settle(0.5)

    def save(self, name: str, *, after_flash: bool = True) -> None:
        """Save the window as <name>-<size>.png, after the scan flash has faded unless `after_flash` is False."""
        if after_flash:
            self.settle(1.0)
        path = self.out / f"{name}-{self.suffix}.png"
        self.window.grab().save(str(path))
        shrink_png(path)
        self.saved.append(path)

    def run(self) -> list[Path]:
        """Take every screenshot; return the files written."""
        store = self.station.store
        self.save("login")
        self.scan(f"PL1:B:{DEMO_OPERATOR}")
        self.save("home")
        self.scan("PL1:C:C-DEMO-01")
        self.save("scan-flash", after_flash=False)
        self.save("container")
        self.tap("openButton")
        self.save("open")
        self.tap("fieldLocation")
        self.save("keyboard")
        self.tap("keyboardCancel")
        self.tap("exposureCancel")
        # A container opened 26 minutes ago at 45 % RH: close to the grade's 30 minutes, above its 40 % RH.
        store.record(
            "container_opened",
            {
                "container_id": "C-DEMO-02",
                "storage_location": "Filling station 2",
                "humidity_control_active": False,
                "ambient_temperature_c": 24.5,
                "relative_humidity_pct": 45.0,
            },
            operator_id=DEMO_OPERATOR,
            occurred_at=now_local() - timedelta(minutes=26),
        )
        self.scan("PL1:C:C-DEMO-02")
        self.save("container-warnings")
        self.tap("containerDone")
        self.scan(GS1_SUPPLIER_LABEL)
        self.save("register-lot")
        self.tap("registerCancel")
        self._transformation()
        self.scan("PL1:C:C-DEMO-03")
        self.tap("containerSample")
        self.save("sample")
        self.tap("sampleCancel")
        self.tap("containerTimeline")
        self.save("timeline")
        self.tap("timelineDone")
        self.tap("homeCorrections")
        self.save("corrections")
        return self.saved

    def _transformation(self) -> None:
        self.tap("homeTransformation")
        self.save("transformation-step")
        self.tap("step-blending")
        self.tap("equipment-BLEND-01")
        self._scan_with_mass("PL1:C:C-DEMO-01", "18")
        self._scan_with_mass("PL1:C:C-DEMO-04", "6")
        self.save("transformation-inputs")
        self.tap("transformationNext")
        self.tap("outputAddNew")
        self._type_on_keypad("24")
        self.tap("newLotCode")
        self._type_on_keyboard("BLEND-7")
        self.tap("newLotPackaging")
        self.tap("choice-steel drum")
        self.save("transformation-outputs")
        self.tap("transformationNext")
        self.tap("transformationNext")
        self.save("transformation-review")
        self.tap("transformationCancel")

    def _scan_with_mass(self, payload: str, mass: str) -> None:
        self.scan(payload)
        self.settle(1.0)
        self._type_on_keypad(mass)

    def _type_on_keyboard(self, text: str) -> None:
        for character in text:
            self.tap(f"kb-{character}")
        self.tap("keyboardOk")

    def _type_on_keypad(self, digits: str) -> None:
        for digit in digits:
            self.tap(f"key-{digit}")
        self.tap("entryOk")


def take_screenshots(size: tuple[int, int], out: Path, *, fullscreen: bool) -> list[Path]:
    """Start a demo station at `size`, take the tour and return the files written."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    folder = Path(tempfile.mkdtemp(prefix="lineage-screenshots-"))
    values = dict(DEMO_SETTINGS)
    demo_store = make_demo_store(folder / "demo")
    values.update(
        db_path=str(demo_store),
        sensor_reading_file=str(demo_store.parent / "sensor.json"),
        ui_sound=False,
        ui_idle_logout_s=0.0,
        ui_screen_px_per_mm=PX_PER_MM.get(size, 0.0),
    )
    config = load_config(None).with_overrides(**values)
    store = Store.open(config.store_path, station_id=config.station_id)
    station = KioskStation(app, config, store, with_camera=False)
    window: QWidget = station.window
    if fullscreen:
        screen = app.primaryScreen()
        if screen is not None:
            window.setGeometry(screen.geometry())
        window.showFullScreen()
    else:
        window.resize(*size)
        window.show()
    station.start()
    out.mkdir(parents=True, exist_ok=True)
    try:
        tour = ScreenshotTour(station, out, size)
        tour.settle(0.5)
        # The camera state shows as live, as on a station, not as "no camera".
        station.window.status_bar.set_camera("live")
        return tour.run()
    finally:
        station.stop()
        store.close()


def main(argv: list[str] | None = None, *, take: Callable[..., list[Path]] = take_screenshots) -> int:
    """Parse the arguments and take the screenshots; return the exit status."""
    parser = argparse.ArgumentParser(description="Save screenshots of the kiosk's main screens.")
    parser.add_argument("--size", default="800x480", help="window size WIDTHxHEIGHT (default 800x480)")
    parser.add_argument(
        "--out", type=Path, default=SCREENSHOTS, help=f"folder for the PNG files (default {SCREENSHOTS})"
    )
    parser.add_argument("--window", action="store_true", help="a window of that size, not full screen")
    args = parser.parse_args(argv)
    size = parse_size(args.size)
    for path in take(size, args.out, fullscreen=not args.window):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
