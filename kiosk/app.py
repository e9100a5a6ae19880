"""`lineage-kiosk`: the touchscreen station app. Configuration, start-up, and the Qt event loop.

lineage-kiosk --demo                      # demo data and the demo camera video, no hardware
lineage-kiosk --camera /dev/video0 --fullscreen
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from kiosk.config import Config, ConfigError, load_config
from sync.errors import describe_file_error

log = logging.getLogger("kiosk.app")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
# The app started at import time of this module: the figure "launch to ready-to-scan" counts from here.
STARTED_S = time.monotonic()


def build_parser() -> argparse.ArgumentParser:
    """Build the `lineage-kiosk` argument parser."""
    parser = argparse.ArgumentParser(prog="lineage-kiosk", description="Powder Lineage touchscreen station.")
    parser.add_argument("--config", default=None, help="station configuration file (TOML)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="demo data in a throwaway store and the bundled demo video as camera; no hardware needed",
    )
    parser.add_argument(
        "--camera",
        default=None,
        metavar="SOURCE",
        help="camera index, /dev/video path, video file, image folder or stream URL (overrides camera_source)",
    )
    parser.add_argument("--no-camera", action="store_true", help="start without a camera (handheld scanner only)")
    parser.add_argument("--db", default=None, metavar="PATH", help="station store file (overrides db_path)")
    parser.add_argument("--station", default=None, metavar="ID", help="station id (overrides station_id)")
    parser.add_argument("--fullscreen", action="store_true", help="fill the screen (for a station)")
    parser.add_argument("--size", default=None, metavar="WxH", help="window size in pixels, e.g. 800x480")
    parser.add_argument(
        "--quit-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="quit after this many seconds with status 0 (smoke tests)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step (DEBUG)")
    return parser


def configure_logging(*, verbose: bool) -> None:
    """Log to stderr: INFO by default, DEBUG with --verbose."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("peewee").setLevel(logging.INFO)


def load_station_config(args: argparse.Namespace) -> tuple[Config, bool]:
    """Load the configuration with the demo settings and the flags on top; return it and whether the camera is on.

    Raises ConfigError.
    """
    config = load_config(None if args.config is None else Path(args.config))
    if args.demo:
        from kiosk.ui.demo import DEMO_SETTINGS, make_demo_store

        # The demo settings win over the station's file (the demo video replaces its camera); flags win over both.
        config = config.with_overrides(**DEMO_SETTINGS)
        demo_store = make_demo_store()
        config = config.with_overrides(
            db_path=str(demo_store), sensor_reading_file=str(demo_store.parent / "sensor.json")
        )
    config = config.with_overrides(
        camera_source=args.camera,
        db_path=args.db,
        station_id=args.station,
        ui_fullscreen=True if args.fullscreen else None,
    )
    return config, not args.no_camera


def parse_size(text: str) -> tuple[int, int]:
    """Parse ``WIDTHxHEIGHT`` into pixels; raise ConfigError otherwise."""
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit()) or not (320 <= int(width) <= 8000 and 240 <= int(height) <= 8000):
        raise ConfigError(f"--size {text!r} must be WIDTHxHEIGHT in pixels, e.g. 800x480")
    return int(width), int(height)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the kiosk until it is closed; return the exit status (70 after an internal error)."""
    args = build_parser().parse_args(argv)
    configure_logging(verbose=args.verbose)
    faulthandler.enable(all_threads=True)
    try:
        config, with_camera = load_station_config(args)
        size = parse_size(args.size) if args.size else None
    except ConfigError as error:
        print(f"lineage-kiosk: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, ValueError) as error:
        failure = "the demo store could not be made" if args.demo else "the station could not start"
        detail = describe_file_error(error) if isinstance(error, OSError) else str(error)
        print(f"lineage-kiosk: {failure}: {detail}", file=sys.stderr)
        return EXIT_FAILED
    return run(config, with_camera=with_camera, size=size, quit_after_s=args.quit_after)


def run(config: Config, *, with_camera: bool, size: tuple[int, int] | None, quit_after_s: float | None) -> int:
    """Open the store, start the station and run the Qt event loop."""
    from PySide6.QtCore import QEvent, QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.ui import texts
    from kiosk.ui.crash import install_crash_handler, install_qt_message_handler
    from kiosk.ui.i18n import install_translator
    from kiosk.ui.station import KioskStation
    from sync.errors import StoreError
    from sync.reference import InvalidReference, import_reference_rows, load_reference_file
    from sync.store import Store

    try:
        is_new = not config.store_path.exists()
        store = Store.open(config.store_path, station_id=config.station_id)
        if is_new:
            # Logged, so a mistyped --db or db_path shows in the log beside the store it made.
            log.warning(
                "No store at %s: made a new, empty one for station %s", config.store_path.absolute(), config.station_id
            )
        if config.reference_file:
            sections = load_reference_file(Path(config.reference_file))
            added = store.write(lambda: import_reference_rows(sections))
            log.info("Reference data imported from %s: %s", config.reference_file, added)
    except (StoreError, InvalidReference) as error:
        print(f"lineage-kiosk: {error}", file=sys.stderr)
        return EXIT_FAILED
    for message in store.startup_report.messages:
        log.warning("Store start-up: %s", message)

    install_qt_message_handler()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("lineage-kiosk")
    install_translator(app, config.ui_language)
    try:
        station = KioskStation(app, config, store, with_camera=with_camera)
    except ConfigError as error:
        print(f"lineage-kiosk: {error}", file=sys.stderr)
        store.close()
        return EXIT_USAGE
    window = station.window
    install_crash_handler(app, tell_operator=lambda: window.show_message(texts.internal_error(), "rejected"))

    if config.ui_fullscreen:
        window.showFullScreen()
    else:
        width, height = size or default_window_size(app)
        window.resize(width, height)
        window.show()
    station.start()
    station.bridge.run(lambda: None, lambda _result: _log_ready(config))
    if quit_after_s is not None:
        QTimer.singleShot(int(quit_after_s * 1000), app.quit)

    code = app.exec()
    station.stop()
    # The event loop has ended, so the window's deleteLater() from stop() runs only here. Until it
    # runs, Qt's signal connections keep the window and the whole station alive, down to the
    # decoder module's zxing-cpp objects. Those were still alive when zxing-cpp's nanobind checks
    # for leaks at interpreter exit, so every exit printed "nanobind: leaked 1 instances!".
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    store.close()
    log.info("Kiosk stopped with status %d", code)
    return int(code)


def default_window_size(app: object) -> tuple[int, int]:
    """Return a window size that fits the screen: 1024x600, or the screen when it is smaller."""
    screen = app.primaryScreen()  # type: ignore[attr-defined]
    available = screen.availableGeometry() if screen is not None else None
    if available is None:
        return 1024, 600
    return min(1024, available.width()), min(600, available.height())


def _log_ready(config: Config) -> None:
    # The first background job ends after the log-in screen's operator list has loaded.
    log.info(
        "Ready to scan after %.2f s (station %s, store %s)",
        time.monotonic() - STARTED_S,
        config.station_id,
        config.store_path,
    )


if __name__ == "__main__":
    sys.exit(main())
