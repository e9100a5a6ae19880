"""Server settings: declared once with type, default and unit; passed to worker processes as JSON."""

from __future__ import annotations

import ipaddress
import json
import math
import os
import re
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from sync.server.inputs import read_input_file

SETTINGS_ENV = "LINEAGE_SERVER_SETTINGS"
# One label of a host name (RFC 1123): letters, digits and inner hyphens, at most 63 characters.
_HOST_LABEL_RE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


@dataclass(frozen=True)
class ServerSettings:
    """Everything a server worker needs; `lineage-server --help` documents each flag."""

    db: str = "lineage-server.db"
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    # A station whose clock differs from the server's by more than this is flagged.
    max_clock_drift_s: float = 300.0
    # Batches one worker process handles at once; more wait up to queue_wait_s, then get 503.
    max_concurrent_batches: int = 4
    queue_wait_s: float = 2.0
    # Seconds sent in Retry-After with 429 and 503.
    retry_after_s: int = 2
    # How long a write waits for the database's ingest lock before the server responds 503.
    lock_timeout_s: float = 10.0
    # PostgreSQL connections each worker keeps open at most.
    pool_size: int = 8
    # A file holding the receipt signing key; empty: the key is made once and kept in the database.
    receipt_key_file: str = ""
    log_level: str = "info"

    def to_env(self) -> str:
        """Encode as the JSON carried in $LINEAGE_SERVER_SETTINGS to worker processes."""
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServerSettings:
        """Decode the settings from $LINEAGE_SERVER_SETTINGS (defaults when unset)."""
        text = os.environ.get(SETTINGS_ENV)
        if not text:
            return cls()
        data = json.loads(text)
        known = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


# Field annotation (a string, as in the dataclass) -> accepted TOML types and their name in messages.
CONFIG_TYPES: dict[str, tuple[type | tuple[type, ...], str]] = {
    "str": (str, "string"),
    "int": (int, "whole number"),
    "float": ((int, float), "number"),
}


# Allowed range of each numeric setting, both ends included; None: no upper end.
SETTING_RANGES: dict[str, tuple[float, float | None]] = {
    "port": (0, 65535),
    "workers": (1, None),
    "max_clock_drift_s": (0, None),
    "max_concurrent_batches": (1, None),
    "queue_wait_s": (0, None),
    "retry_after_s": (0, None),
    # Above 0: PostgreSQL takes a lock_timeout of 0 ms as no timeout at all.
    "lock_timeout_s": (0.001, None),
    "pool_size": (1, None),
}


class ServerConfigError(ValueError):
    """A server configuration file or flag value is invalid; the message names the key and value."""


def host_problem(host: str) -> str | None:
    """Return why a --host value cannot be an address to listen on (a sentence fragment), or None when it may be.

    Checks the form only: a name is resolved when the server binds.
    """
    if not host or host != host.strip():
        return f"{host!r} is empty or has spaces"
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"{host!r} is not a valid IPv6 address (write it without brackets, e.g. ::1)"
        return None
    if all(part.isdigit() for part in host.split(".")):
        # All digits and dots: meant as an IPv4 address, never a name to look up.
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"{host!r} is not a valid IPv4 address"
        return None
    if len(host) > 253 or not all(_HOST_LABEL_RE.fullmatch(label) for label in host.split(".")):
        return f"{host!r} is not a valid host name or address"
    return None


def range_problem(name: str, value: float) -> str | None:
    """Return why a numeric setting's value is out of its range (a sentence fragment), or None when it fits."""
    if name not in SETTING_RANGES:
        return None
    if not math.isfinite(value):
        return f"{value} is not a finite number"
    low, high = SETTING_RANGES[name]
    if value < low or (high is not None and value > high):
        allowed = f"{low:g} to {high:g}" if high is not None else f"{low:g} or more"
        return f"{value:g} is out of range; use {allowed}"
    return None


def load_server_config(path: Path) -> dict[str, Any]:
    """Read a server TOML file whose keys are `ServerSettings` fields.

    Raises InvalidInput when the file cannot be read, and ServerConfigError when
    it is not valid TOML or has a bad key or value (the message names it).
    """
    raw = read_input_file(path, f"--config {path}", suffix=".toml")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ServerConfigError(f"--config {path} is not UTF-8 text; save it as UTF-8") from error
    except tomllib.TOMLDecodeError as error:
        raise ServerConfigError(f"--config {path} is not valid TOML ({error}); correct the file") from error
    types = {field.name: field.type for field in fields(ServerSettings)}
    for key, value in data.items():
        if key not in types:
            raise ServerConfigError(f"{path}: unknown key {key!r}; known keys: {', '.join(types)}")
        expected, noun = CONFIG_TYPES[str(types[key])]
        if isinstance(value, bool) or not isinstance(value, expected):
            raise ServerConfigError(f"{path}: {key} = {value!r} must be a {noun}")
        if types[key] == "float":
            data[key] = float(data[key])
        problem = range_problem(key, data[key]) if types[key] in ("int", "float") else None
        if key == "host":
            problem = host_problem(str(value))
        if problem is not None:
            raise ServerConfigError(f"{path}: {key}: {problem}")
    return data
