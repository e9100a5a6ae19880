"""Station configuration: every setting declared once with its type, default, unit and help.

Read from a TOML file (``--config``, else $LINEAGE_CONFIG, else
/etc/powder-lineage/station.toml, else ~/.config/powder-lineage/station.toml);
command-line flags override the file. Unknown keys and wrong types are
rejected at load with the key, the value and what is expected.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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
    Setting("db_path", str, "", "The station store (SQLite file); empty means <data dir>/station.db."),
    Setting("time_zone", str, "", "IANA zone for times shown on screen; empty means the machine's zone."),
    Setting("reference_file", str, "", "Reference data TOML imported at start-up when set."),
]


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
    raise ConfigError(f"unknown setting {key!r}; known settings: {', '.join(s.key for s in SETTINGS)}")


def _check(key: str, value: Any, *, where: str) -> None:
    setting = _setting(key)
    expected = setting.type
    ok = isinstance(value, expected) and not (isinstance(value, bool) and expected in (int, float, (int, float)))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        names = expected.__name__ if isinstance(expected, type) else " or ".join(t.__name__ for t in expected)
        raise ConfigError(f"{where}: setting {key} = {value!r} must be a {names}")


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
    except FileNotFoundError as error:
        raise ConfigError(f"configuration file {path} not found") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"configuration file {path} is not valid TOML: {error}") from error
    for key, value in _flatten(data).items():
        _check(key, value, where=str(path))
        values[key] = value
    return Config(values, path)


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
        kind = setting.type.__name__ if isinstance(setting.type, type) else " or ".join(t.__name__ for t in setting.type)
        default = f"`{setting.default!r}`" if setting.default not in ("", None) else "(empty)"
        lines.append(f"| `{setting.key}` | {kind} | {default} | {setting.help} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(settings_markdown(), end="")
