"""The station wired together: store, workers, bridge, window and input filters, started and stopped as one."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtWidgets import QApplication

from kiosk.config import Config, ConfigError
from kiosk.ui.bridge import WorkerBridge
from kiosk.ui.context import Kiosk
from kiosk.ui.sound import ScanSound
from kiosk.ui.taps import IdleWatcher, TapFilter
from kiosk.ui.theme import apply_theme, fitting_scale, make_metrics, screen_px_per_mm
from kiosk.ui.window import MainWindow
from sync.records import Event
from sync.store import Store

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
SOUNDS = ROOT / "assets" / "sounds"
MASS_UNITS = ("kg", "g", "t", "lb")
# A change of scale smaller than this is not worth restyling every widget for.
SCALE_STEP = 0.05


def check_ui_settings(config: Config) -> None:
    """Raise ConfigError naming the setting when a UI setting is out of its range."""
    if config.ui_mass_unit not in MASS_UNITS:
        raise ConfigError(f"setting ui_mass_unit = {config.ui_mass_unit!r} must be one of {', '.join(MASS_UNITS)}")
    if not 5 <= config.ui_touch_target_mm <= 40:
        raise ConfigError(f"setting ui_touch_target_mm = {config.ui_touch_target_mm} must be 5 to 40 mm")
    if not 8 <= config.ui_body_font_pt <= 48:
        raise ConfigError(f"setting ui_body_font_pt = {config.ui_body_font_pt} must be 8 to 48 pt")
    if config.ui_screen_px_per_mm < 0 or config.ui_screen_px_per_mm > 40:
        raise ConfigError(
            f"setting ui_screen_px_per_mm = {config.ui_screen_px_per_mm} must be 0 (ask the screen) to 40"
        )
    if not 0 <= config.ui_tap_debounce_ms <= 2000:
        raise ConfigError(f"setting ui_tap_debounce_ms = {config.ui_tap_debounce_ms} must be 0 to 2000 ms")
    if config.ui_scale != 0 and not 1 <= config.ui_scale <= 4:
        raise ConfigError(f"setting ui_scale = {config.ui_scale} must be 0 (fit the window) or 1 to 4")
    if config.ui_idle_logout_s < 0:
        raise ConfigError(f"setting ui_idle_logout_s = {config.ui_idle_logout_s} must be 0 (never) or more")


def station_zone(config: Config) -> Any:
    """Return the configured time zone, or None for the machine's; raise ConfigError for an unknown name."""
    if not config.time_zone:
        return None
    try:
        return ZoneInfo(config.time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(
            f"setting time_zone = {config.time_zone!r} is not a known IANA zone, e.g. Europe/Berlin"
        ) from error


class KioskStation:
    """Everything a running kiosk needs, built from the configuration and an open store.

    `start` starts the workers (camera, wedge, sync, printing); `stop` stops
    them in reverse order. Without a camera, a server or a printer the
    station still runs and shows what is missing.
    """

    def __init__(self, app: QApplication, config: Config, store: Store, *, with_camera: bool = True):
        check_ui_settings(config)
        self.app = app
        self.config = config
        self.store = store
        self.with_camera = with_camera
        self.bridge = WorkerBridge()
        px_per_mm = screen_px_per_mm(app.primaryScreen(), config.ui_screen_px_per_mm)
        self._px_per_mm = px_per_mm
        self.metrics = make_metrics(
            px_per_mm,
            touch_target_mm=config.ui_touch_target_mm,
            body_font_pt=config.ui_body_font_pt,
            scale=config.ui_scale or 1.0,
        )
        apply_theme(app, self.metrics)
        self.kiosk = Kiosk(
            config=config, store=store, bridge=self.bridge, metrics=self.metrics, zone=station_zone(config)
        )
        self.kiosk.on_recorded = self._on_recorded
        self.sound = ScanSound(
            accepted_wav=SOUNDS / "scan-accepted.wav",
            rejected_wav=SOUNDS / "scan-rejected.wav",
            enabled=config.ui_sound,
        )
        self.sync_client: Any = None
        self.camera: Any = None
        # Start-up problems shown together, so that a later one does not hide an earlier one.
        self.start_problems: list[str] = []
        self.wedge_filter: Any = None
        self.window = MainWindow(
            self.kiosk,
            sound=self.sound,
            idle_logout_s=config.ui_idle_logout_s,
            sync_configured=bool(config.sync_server_url and config.sync_token),
        )
        self.window.on_resized = self._on_window_resized
        self.tap_filter = TapFilter(debounce_ms=config.ui_tap_debounce_ms)
        self.idle_watcher = IdleWatcher(self.window.on_user_activity)
        app.installEventFilter(self.tap_filter)
        app.installEventFilter(self.idle_watcher)

    # --- Start ------------------------------------------------------------------------

    def start(self) -> None:
        """Start printing, sync, the handheld scanner and the camera; each failure is shown, none is fatal."""
        self._start_printing()
        self._check_sensor()
        self._start_sync()
        self._start_wedge()
        if self.with_camera:
            self._start_camera()
        else:
            self.window.status_bar.set_camera("no_camera")

    def _show_start_problem(self, text: str) -> None:
        self.start_problems.append(text)
        self.window.show_message(" ".join(self.start_problems), "rejected")

    def _start_printing(self) -> None:
        from kiosk.labels.errors import LabelError
        from kiosk.labels.printers import PrinterError, check_printer_setup
        from kiosk.labels.printing import LabelPrinting

        try:
            printing = LabelPrinting.from_config(self.config, self.store, on_status=self.bridge.on_print_job)
            printing.start()
        except (LabelError, ValueError, OSError) as error:
            log.error("Label printing is off: %s", error)
            self._show_start_problem(str(error))
            return
        self.kiosk.printing = printing

        # The queue still takes jobs, keeps them on disk and retries them, so they print once the folder
        # is fixed. A changed setting takes effect at the next start.
        try:
            check_printer_setup(printing.queue.printer)
        except PrinterError as error:
            log.warning("Labels are held in the print queue: %s", error)
            self._show_start_problem(f"Labels are held in the print queue: {error}.")

    def _check_sensor(self) -> None:
        from kiosk.ui.readings import SensorUnusable, check_sensor_path

        if not self.config.sensor_reading_file:
            return
        try:
            check_sensor_path(Path(self.config.sensor_reading_file))
        except SensorUnusable as error:
            log.warning("Sensor not used: %s", error)
            self._show_start_problem(f"Sensor not used: {error}.")

    def _start_sync(self) -> None:
        config = self.config
        if not (config.sync_server_url and config.sync_token):
            log.info("No sync server configured: the station works offline and keeps its events in the outbox")
            return
        from sync.client import SyncClient, SyncSettings

        settings = SyncSettings(
            server_url=config.sync_server_url,
            token=config.sync_token,
            ca_bundle=config.sync_ca_bundle,
            connect_timeout_s=config.sync_connect_timeout_s,
            read_timeout_s=config.sync_read_timeout_s,
            batch_size=config.sync_batch_size,
            interval_s=config.sync_interval_s,
            backoff_max_s=config.sync_backoff_max_s,
        )
        self.sync_client = SyncClient(self.store, settings)
        self.sync_client.start(on_status=self.bridge.on_sync_status)

    def _start_wedge(self) -> None:
        from kiosk.scan.pipeline import WedgeScanner, wedge_settings_from_config
        from kiosk.ui.wedge_input import WedgeKeyFilter

        scanner = WedgeScanner(
            wedge_settings_from_config(self.config), duplicate_window_s=self.config.scan_duplicate_window_s
        )
        self.wedge_filter = WedgeKeyFilter(scanner, on_scan=self.bridge.on_scan)
        self.app.installEventFilter(self.wedge_filter)

    def _start_camera(self) -> None:
        from kiosk.scan.pipeline import build_camera_scanner

        try:
            self.camera = build_camera_scanner(
                self.config, on_scan=self.bridge.on_scan, on_status=self.bridge.on_camera_state
            )
            self.camera.start()
        except (ValueError, OSError) as error:
            log.error("Camera not started: %s", error)
            self.window.status_bar.set_camera("no_camera")
            self._show_start_problem(str(error))
            self.camera = None

    # --- Stop -------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the workers, finish queued store jobs and close the window (the store stays open)."""
        started = time.monotonic()
        if self.camera is not None:
            self.camera.stop()
        if self.wedge_filter is not None:
            self.wedge_filter.stop()
            self.app.removeEventFilter(self.wedge_filter)
        if self.sync_client is not None:
            self.sync_client.stop()
        if self.kiosk.printing is not None:
            self.kiosk.printing.close()
        self.sound.close()
        self.app.removeEventFilter(self.tap_filter)
        self.app.removeEventFilter(self.idle_watcher)
        self.window.close()
        # Deleted, not only closed: a closed window would be restyled with every later style sheet.
        self.window.deleteLater()
        self.bridge.close()
        log.info("Kiosk workers stopped in %.2f s", time.monotonic() - started)

    def _on_window_resized(self, height_px: int) -> None:
        """Grow text and targets with a tall window (unless ``ui_scale`` fixes the scale)."""
        scale = fitting_scale(height_px, self.config.ui_scale)
        if abs(scale - self.metrics.scale) < SCALE_STEP:
            return
        self.metrics = make_metrics(
            self._px_per_mm,
            touch_target_mm=self.config.ui_touch_target_mm,
            body_font_pt=self.config.ui_body_font_pt,
            scale=scale,
        )
        self.kiosk.metrics = self.metrics
        apply_theme(self.app, self.metrics)
        log.info("Screen layout scaled by %.2f for a %d-pixel-high window", scale, height_px)

    def _on_recorded(self, _event: Event) -> None:
        if self.sync_client is not None:
            self.sync_client.wake()
        else:
            self.window.refresh_outbox_counts()
