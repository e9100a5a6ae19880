"""The one scan result that camera scans and handheld (wedge) scans both produce, and duplicate suppression."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from kiosk.scan.decoding import DecodedCode
from kiosk.scan.payloads import Payload


class ScanSource(StrEnum):
    """Where a scan came from."""

    CAMERA = "camera"
    WEDGE = "wedge"
    FILE = "file"


@dataclass(frozen=True)
class ScanResult:
    """One scan, whatever read it: the text, what it parses to and when it was read.

    ``text`` is None for a binary code (its bytes are in ``code.raw``).
    ``time`` is UTC. ``code`` is the decoded symbol for camera and file scans
    and None for wedge scans.
    """

    source: ScanSource
    text: str | None
    payload: Payload
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    code: DecodedCode | None = None

    @property
    def accepted(self) -> bool:
        """Whether the payload names something the station can act on."""
        return self.payload.accepted


def duplicate_key(text: str | None, raw: bytes = b"") -> str:
    """Return the key two sightings of one code share: its text, or its bytes in hex for binary codes."""
    return f"text:{text}" if text is not None else f"bytes:{raw.hex()}"


class DuplicateFilter:
    """Suppresses a code seen again within ``window_s`` seconds of its previous sighting.

    The window restarts at every sighting, so a label held in front of the
    camera for a minute is one scan; it must be out of sight (or unscanned)
    for the whole window before it counts again. Thread-safe.
    """

    def __init__(self, window_s: float) -> None:
        if window_s < 0:
            raise ValueError(f"duplicate window must be 0 s or more, not {window_s}")
        self.window_s = window_s
        self._last_seen_s: dict[str, float] = {}
        self._lock = threading.Lock()

    def should_report(self, key: str, now_s: float) -> bool:
        """Record a sighting at monotonic time ``now_s``; return whether it starts a new scan."""
        with self._lock:
            previous = self._last_seen_s.get(key)
            self._last_seen_s[key] = now_s
            self._forget_older_than(now_s - self.window_s)
            return previous is None or now_s - previous > self.window_s

    def _forget_older_than(self, cutoff_s: float) -> None:
        if len(self._last_seen_s) < 64:
            return
        for key in [key for key, seen in self._last_seen_s.items() if seen < cutoff_s]:
            del self._last_seen_s[key]
