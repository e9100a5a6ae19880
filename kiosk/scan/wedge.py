"""Keyboard-wedge scanners: telling a scanner's burst of keystrokes from a person typing.

Plain Python fed with (key, timestamp) events; the UI connects its key
events to ``WedgeDecoder.feed`` and calls ``poll`` from a timer (every 20 ms
or so). A burst is a run of keys mostly closer together than
``max_interkey_ms``; a pause inside it up to ``max_pause_ms`` keeps it one
scan. With a suffix configured (Enter by default) a scan ends only at its
suffix, so two scans are never joined, and a burst whose suffix never comes
is reported as incomplete rather than passed on cut short.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

GROUP_SEPARATOR = "\x1d"

# Key names the UI may pass for keys that have no text, and the text they stand for.
CONTROL_KEY_TEXT = {
    "Enter": "\r",
    "Return": "\r",
    "Tab": "\t",
    "GS": GROUP_SEPARATOR,
    "Ctrl+]": GROUP_SEPARATOR,
    "RS": "\x1e",
    "Ctrl+^": "\x1e",
    "EOT": "\x04",
    "Ctrl+D": "\x04",
}


@dataclass(frozen=True)
class WedgeSettings:
    """Settings that separate scanner bursts from typing; times in milliseconds."""

    prefix: str = ""
    suffix: str = "Enter"  # a key name from CONTROL_KEY_TEXT or literal text; "" ends scans by silence
    max_interkey_ms: float = 35.0
    max_pause_ms: float = 500.0
    max_pauses: int = 2
    min_length: int = 4
    group_separator_keys: tuple[str, ...] = ("GS", "Ctrl+]")
    group_separator_substitutes: tuple[str, ...] = ("<GS>", "{GS}")


@dataclass(frozen=True)
class WedgeScan:
    """A complete scan from a handheld scanner, prefix and suffix removed, group separators restored."""

    text: str
    started_s: float
    ended_s: float


@dataclass(frozen=True)
class IncompleteScan:
    """A burst that looked like a scan but did not end as one (its suffix never came); the operator scans again."""

    text: str
    reason: str


@dataclass(frozen=True)
class TypedKeys:
    """Keys a person typed, handed back in order for the focused widget."""

    keys: tuple[str, ...]


WedgeEvent = WedgeScan | IncompleteScan | TypedKeys


@dataclass
class _Key:
    key: str
    text: str
    time_s: float


@dataclass
class WedgeDecoder:
    """Groups key events into scans and typed keys; not thread-safe (feed it from the UI thread)."""

    settings: WedgeSettings = field(default_factory=WedgeSettings)
    _keys: list[_Key] = field(default_factory=list)

    def feed(self, key: str, time_s: float) -> list[WedgeEvent]:
        """Take one key (one character of text, or a key name such as "Enter") pressed at monotonic time_s."""
        events: list[WedgeEvent] = []
        if self._keys and time_s - self._keys[-1].time_s > self._allowed_gap_s():
            events += self._close()

        text = self._key_text(key)
        self._keys.append(_Key(key, text, time_s))
        if self._ends_with_suffix():
            events += self._complete()
        elif self.settings.prefix and self._restarts_at_prefix():
            events += self._split_at_prefix()
        return events

    def poll(self, now_s: float) -> list[WedgeEvent]:
        """Close a burst or typed keys after their silence has lasted long enough; call from a timer."""
        if self._keys and now_s - self._keys[-1].time_s > self._allowed_gap_s():
            return self._close()
        return []

    def _key_text(self, key: str) -> str:
        if key in self.settings.group_separator_keys:
            return GROUP_SEPARATOR
        return CONTROL_KEY_TEXT.get(key, key)

    def _gaps_ms(self, keys: list[_Key]) -> list[float]:
        return [(later.time_s - earlier.time_s) * 1000 for earlier, later in itertools.pairwise(keys)]

    def _looks_like_burst(self, keys: list[_Key], *, complete: bool) -> bool:
        gaps = self._gaps_ms(keys)
        slow = sum(1 for gap in gaps if gap > self.settings.max_interkey_ms)
        fast = len(gaps) - slow
        if complete:
            return len(keys) >= self.settings.min_length and fast >= 2 and slow <= self.settings.max_pauses
        return fast >= 1 and slow <= self.settings.max_pauses and slow <= fast

    def _allowed_gap_s(self) -> float:
        if len(self._keys) >= 2 and self._looks_like_burst(self._keys, complete=False):
            return self.settings.max_pause_ms / 1000
        return self.settings.max_interkey_ms / 1000

    def _suffix_text(self) -> str:
        suffix = self.settings.suffix
        return CONTROL_KEY_TEXT.get(suffix, suffix)

    def _ends_with_suffix(self) -> bool:
        suffix = self._suffix_text()
        if not suffix:
            return False
        return "".join(key.text for key in self._keys).endswith(suffix)

    def _restarts_at_prefix(self) -> bool:
        prefix = self.settings.prefix
        text = "".join(key.text for key in self._keys)
        return len(text) > len(prefix) and text.endswith(prefix)

    def _split_at_prefix(self) -> list[WedgeEvent]:
        """Close the keys before a new prefix, which ended without their suffix."""
        count = len(self.settings.prefix)
        earlier, self._keys = self._keys[:-count], self._keys[-count:]
        return self._close_keys(earlier)

    def _complete(self) -> list[WedgeEvent]:
        keys, self._keys = self._keys, []
        suffix_length = len(self._suffix_text())
        body_keys = keys[:-suffix_length] if suffix_length else keys
        # The suffix key's own timing is left out: some scanners pause before it.
        if not self._looks_like_burst(body_keys, complete=True):
            return [TypedKeys(tuple(key.key for key in keys))]
        return [self._scan_from(body_keys)]

    def _close(self) -> list[WedgeEvent]:
        keys, self._keys = self._keys, []
        return self._close_keys(keys)

    def _close_keys(self, keys: list[_Key]) -> list[WedgeEvent]:
        if not keys:
            return []
        if not self._looks_like_burst(keys, complete=True):
            return [TypedKeys(tuple(key.key for key in keys))]
        if self._suffix_text():
            text = "".join(key.text for key in keys)
            log.info("scanner burst of %d keys ended without its suffix", len(keys))
            return [
                IncompleteScan(
                    text, f"the scan ended without the scanner's suffix ({self.settings.suffix}); scan the label again"
                )
            ]
        return [self._scan_from(keys)]

    def _scan_from(self, keys: list[_Key]) -> WedgeEvent:
        text = "".join(key.text for key in keys)
        prefix = self.settings.prefix
        if prefix:
            if not text.startswith(prefix):
                return IncompleteScan(
                    text, f"the scan did not start with the scanner's prefix {prefix!r}; scan the label again"
                )
            text = text[len(prefix) :]
        for substitute in self.settings.group_separator_substitutes:
            text = text.replace(substitute, GROUP_SEPARATOR)
        return WedgeScan(text, keys[0].time_s, keys[-1].time_s)
