"""Server settings: declared once with type, default and unit; passed to worker processes as JSON."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

SETTINGS_ENV = "LINEAGE_SERVER_SETTINGS"


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


class ServerConfigError(ValueError):
    """A server configuration file is invalid; the message names the key and value."""


def load_server_config(path: Path) -> dict[str, Any]:
    """Read a server TOML file whose keys are `ServerSettings` fields; raise ServerConfigError naming any bad key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ServerConfigError(f"server configuration file {path} not found") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ServerConfigError(f"server configuration file {path} is not valid TOML: {error}") from error
    types = {field.name: field.type for field in fields(ServerSettings)}
    for key, value in data.items():
        if key not in types:
            raise ServerConfigError(f"{path}: unknown key {key!r}; known keys: {', '.join(types)}")
        expected, noun = CONFIG_TYPES[str(types[key])]
        if isinstance(value, bool) or not isinstance(value, expected):
            raise ServerConfigError(f"{path}: {key} = {value!r} must be a {noun}")
        if types[key] == "float":
            data[key] = float(data[key])
    return data
