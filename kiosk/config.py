"""Station configuration: every setting declared once with its type, default, unit and help.

Read from a TOML file (``--config``, else $LINEAGE_CONFIG, else
/etc/powder-lineage/station.toml, else ~/.config/powder-lineage/station.toml);
command-line flags override the file. Unknown keys and wrong types are
rejected at load with the key, the value and what is expected. A relative
path in the file is read from the file's folder, so a station's settings mean
the same whichever folder a command runs in.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.errors import describe_file_error
from sync.urls import server_url_problem


def default_data_dir() -> Path:
    """Return the folder for the station's store and print queue ($XDG_DATA_HOME/powder-lineage)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "powder-lineage"


@dataclass(frozen=True)
class Setting:
    """One configuration key."""

    key: str
    type: type | tuple[type, ...]
    default: Any
    help: str


SETTINGS: list[Setting] = [
    Setting("station_id", str, "ST-01", "This station's id, on every event it records."),
    # Sync with the central server (sync/client.py, docs/sync.md); [sync] table in the TOML file.
    Setting(
        "sync_server_url",
        str,
        "",
        "Central server base URL with http:// or https://, e.g. https://lineage.example:8443; empty: no sync.",
    ),
    Setting("sync_token", str, "", "This station's token, printed once by `lineage-server enrol-station`."),
    Setting("sync_ca_bundle", str, "", "CA bundle (PEM) that signed the server's TLS certificate; empty: system CAs."),
    Setting("sync_connect_timeout_s", float, 5.0, "Seconds to wait for a connection to the server."),
    Setting("sync_read_timeout_s", float, 30.0, "Seconds to wait for the server's response to one request."),
    Setting("sync_batch_size", int, 200, "Events sent per batch (1 to 1000)."),
    Setting("sync_interval_s", float, 10.0, "Seconds between sync rounds while the server is reachable."),
    Setting(
        "sync_backoff_max_s", float, 300.0, "Longest wait between retries while the server is unreachable, in seconds."
    ),
    Setting("db_path", str, "", "The station store (SQLite file); empty means <data dir>/station.db."),
    Setting("time_zone", str, "", "IANA zone for times shown on screen; empty means the machine's zone."),
    Setting("reference_file", str, "", "Reference data TOML imported at start-up when set."),
    # Labels and printing (kiosk/labels, docs/labels.md).
    Setting("label_size", str, "50x25", "Label stock WIDTHxHEIGHT in mm: 50x25, 62x29, 100x50 or a custom size."),
    Setting("label_custom_sizes", list, [], 'More label stocks, "WIDTHxHEIGHT" in mm, e.g. ["70x40"].'),
    Setting("label_dpi", int, 203, "Printer resolution in dots per inch (Zebra heads: 152, 203, 300 or 600)."),
    Setting("label_error_correction", str, "Q", "QR error correction: M (15 %), Q (25 %) or H (30 %); L is rejected."),
    Setting("label_quiet_zone_modules", int, 4, "Blank margin around the QR code, in modules (4 to 20)."),
    Setting("label_min_module_dots", int, 3, "Smallest QR module the printer prints reliably, in dots."),
    Setting("label_min_module_mm", float, 0.25, "Smallest QR module a scanner reads reliably, in mm."),
    Setting(
        "label_resolver_base",
        str,
        "",
        "Site resolver https URL of at most 313 characters: codes carry <base>/pl1/c/<id>, not PL1:C:<id>.",
    ),
    Setting("label_sheet_paper", str, "A4", "Paper of PDF label sheets: A4 or Letter."),
    Setting("label_sheet_margin_mm", float, 10.0, "Margin around the labels on a PDF sheet, in mm."),
    Setting("label_sheet_gap_mm", float, 3.0, "Gap between labels on a PDF sheet, in mm."),
    Setting("printer_kind", str, "file", "Where labels go: zpl_tcp (raw ZPL over TCP), cups (lp) or file."),
    Setting("printer_format", str, "", "Job format of cups and file printers: pdf, png, svg or zpl; empty means pdf."),
    Setting("printer_host", str, "", "Host name or address of the ZPL printer."),
    Setting("printer_port", int, 9100, "TCP port of the ZPL printer's raw printing service."),
    Setting("printer_queue", str, "", "CUPS queue name for printer_kind = cups (see `lpstat -p`)."),
    Setting("printer_lp_command", str, "lp", "The CUPS `lp` command, or its full path."),
    Setting("printer_folder", str, "", "Folder for printer_kind = file; empty means <data dir>/labels."),
    Setting("printer_timeout_s", float, 10.0, "Seconds to wait for the printer (connect, send or lp)."),
    Setting("printer_retry_first_s", float, 5.0, "Seconds before a failed print is retried; doubles per failure."),
    Setting("printer_retry_max_s", float, 300.0, "Longest wait between retries of a failed print, in seconds."),
    # Scanning (kiosk/scan, docs/scanning.md); [camera], [preview], [scan] and [wedge] tables in the TOML file.
    Setting("camera_source", (str, int), "0", "Camera index, /dev/video path, video file, image folder or stream URL."),
    Setting("camera_width_px", int, 1280, "Frame width asked of the camera, in pixels; 0 keeps its default."),
    Setting("camera_height_px", int, 720, "Frame height asked of the camera, in pixels; 0 keeps its default."),
    Setting("camera_fps", float, 30.0, "Frame rate asked of the camera, and the rate image folders play at."),
    Setting("camera_pixel_format", str, "MJPG", "V4L2 pixel format (FOURCC) asked of the camera, e.g. MJPG or YUYV."),
    Setting("camera_lost_after_s", float, 2.0, "Seconds without a new frame after which the camera is reported lost."),
    Setting("camera_reconnect_interval_s", float, 1.0, "Seconds between attempts to open a lost camera again."),
    Setting("preview_fps", float, 10.0, "Most preview frames sent to the screen per second; 0 turns preview off."),
    Setting("preview_width_px", int, 640, "Preview frames wider than this are scaled down to it, in pixels."),
    Setting("scan_duplicate_window_s", float, 2.0, "The same code seen again within this many seconds is one scan."),
    Setting("wedge_prefix", str, "", "Text the handheld scanner sends before each scan; empty for none."),
    Setting(
        "wedge_suffix",
        str,
        "Enter",
        "Key or text the handheld scanner sends after each scan; empty ends scans by silence.",
    ),
    Setting("wedge_max_interkey_ms", float, 35.0, "Keys closer together than this are a scanner's burst, not typing."),
    Setting("wedge_max_pause_ms", float, 500.0, "Longest pause inside one scan that keeps it one scan."),
    Setting("wedge_min_length", int, 4, "Fewest characters a scanner burst has; shorter fast runs count as typing."),
    Setting(
        "wedge_group_separator_keys", list, ["GS", "Ctrl+]"], "Key names the scanner sends for the GS1 group separator."
    ),
    Setting(
        "wedge_group_separator_substitutes",
        list,
        ["<GS>", "{GS}"],
        "Texts the scanner sends in place of the group separator.",
    ),
    # Touch UI (kiosk/ui, docs/kiosk.md); [ui] and [sensor] tables in the TOML file.
    Setting(
        "ui_idle_logout_s",
        float,
        300.0,
        "Seconds without a touch, key or scan before the operator is logged out; 0: never.",
    ),
    Setting("ui_touch_target_mm", float, 15.0, "Smallest side of a button or key on the screen, in millimetres."),
    Setting("ui_body_font_pt", float, 16.0, "Body text size in points; titles are 25 % larger."),
    Setting(
        "ui_scale", float, 0.0, "Text and button size relative to the 800x480 layout; 0: grows with the window height."
    ),
    Setting(
        "ui_screen_px_per_mm", float, 0.0, "Screen pixels per millimetre; 0 asks the screen (7-inch Pi display: 5.19)."
    ),
    Setting(
        "ui_tap_debounce_ms", int, 400, "A press within this many ms after a button tap is dropped as a doubled tap."
    ),
    Setting("ui_fullscreen", bool, False, "Start full screen, as with --fullscreen."),
    Setting("ui_sound", bool, True, "Sound on each scan: a WAV through aplay, else the system beep."),
    Setting("ui_mass_unit", str, "kg", "Mass unit the forms start with: kg, g, t or lb."),
    Setting("ui_storage_location", str, "", "Place an open or reseal starts with when the container has none yet."),
    Setting("ui_sample_location", str, "", "Sample location a new sample starts with."),
    Setting(
        "ui_language", str, "", "Language of the screens, e.g. de; empty: the system's (assets/i18n/kiosk_<lang>.qm)."
    ),
    Setting("sensor_reading_file", str, "", "JSON file a sensor writes temperature and humidity to; empty: no sensor."),
    Setting("sensor_max_age_s", float, 300.0, "Sensor readings older than this many seconds are not used."),
]


# Settings that name a file or folder. camera_source names one only when it is
# neither a device index nor a stream URL.
PATH_SETTINGS = ("db_path", "sync_ca_bundle", "reference_file", "printer_folder", "sensor_reading_file")


class ConfigError(ValueError):
    """A configuration file or value is invalid; the message names the key and value."""


@dataclass
class Config:
    """Loaded settings: ``config.values[key]``, or attribute access ``config.station_id``."""

    values: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None

    def __getattr__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise AttributeError(key) from None

    @property
    def store_path(self) -> Path:
        """The station store file."""
        return Path(self.values["db_path"]) if self.values.get("db_path") else default_data_dir() / "station.db"

    def with_overrides(self, **overrides: Any) -> Config:
        """Return a copy with the given keys replaced (None values are ignored)."""
        values = dict(self.values)
        for key, value in overrides.items():
            if value is None:
                continue
            _check(key, value, where="command line")
            values[key] = value
        return Config(values, self.source)


def _setting(key: str) -> Setting:
    for setting in SETTINGS:
        if setting.key == key:
            return setting
    nearest = difflib.get_close_matches(key, [setting.key for setting in SETTINGS], n=3)
    if not nearest:
        raise ConfigError(f"unknown setting {key!r}; docs/configuration.md lists every setting")
    choices = nearest[0] if len(nearest) == 1 else f"{', '.join(nearest[:-1])} or {nearest[-1]}"
    raise ConfigError(f"unknown setting {key!r}; did you mean {choices}? docs/configuration.md lists every setting")


# Type names as messages word them: "must be a whole number", not "must be a int".
_TYPE_WORDS = {int: "a whole number", float: "a number", str: "a string", list: "a list", bool: "true or false"}


def _check(key: str, value: Any, *, where: str) -> None:
    setting = _setting(key)
    expected = setting.type
    ok = isinstance(value, expected) and not (isinstance(value, bool) and expected in (int, float, (int, float)))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        types = expected if isinstance(expected, tuple) else (expected,)
        names = " or ".join(_TYPE_WORDS.get(kind, kind.__name__) for kind in types)
        raise ConfigError(f"{where}: setting {key} = {value!r} must be {names}")
    if key == "sync_server_url" and value:
        problem = server_url_problem(value)
        if problem is not None:
            raise ConfigError(f"{where}: setting sync_server_url is invalid: {problem}")


def config_candidates() -> list[Path]:
    """Return the files searched for a station configuration, first match wins."""
    candidates = []
    if os.environ.get("LINEAGE_CONFIG"):
        candidates.append(Path(os.environ["LINEAGE_CONFIG"]))
    candidates.append(Path("/etc/powder-lineage/station.toml"))
    candidates.append(Path.home() / ".config" / "powder-lineage" / "station.toml")
    return candidates


def load_config(path: Path | None = None) -> Config:
    """Load the station configuration from a file (or the first candidate that exists), over the defaults."""
    values = {setting.key: setting.default for setting in SETTINGS}
    if path is None:
        path = next((candidate for candidate in config_candidates() if candidate.exists()), None)
        if path is None:
            return Config(values, None)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"configuration file {path} is not valid TOML: {error}") from error
    except OSError as error:
        raise ConfigError(describe_file_error(error, f"configuration file {path}")) from error
    for key, value in _flatten(data).items():
        _check(key, value, where=str(path))
        values[key] = _from_folder(path.parent, key, value)
    return Config(values, path)


def _from_folder(folder: Path, key: str, value: Any) -> Any:
    """Return a path setting read relative to `folder` (the configuration file's), other settings unchanged."""
    if key == "camera_source":
        value = str(value)  # `source = 0` in the file means device 0, as "0" does
    is_path = key in PATH_SETTINGS or (key == "camera_source" and not value.isdigit() and "://" not in value)
    if not is_path or not value:
        return value
    return str(folder.absolute() / Path(value).expanduser())


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Turn ``[camera] source = 0`` into ``camera_source = 0``, so tables group related keys."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}_"))
        else:
            flat[name] = value
    return flat


def settings_markdown() -> str:
    """Return the Markdown table of every setting, as docs/configuration.md embeds it."""
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for setting in SETTINGS:
        kind = (
            setting.type.__name__ if isinstance(setting.type, type) else " or ".join(t.__name__ for t in setting.type)
        )
        default = f"`{setting.default!r}`" if setting.default not in ("", None) else "(empty)"
        lines.append(f"| `{setting.key}` | {kind} | {default} | {setting.help} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(settings_markdown(), end="")
