"""What a scanner set to one keyboard layout types on a computer set to another, for layout-mismatch tests."""

from __future__ import annotations

from kiosk.scan.keyboard_layouts import _LAYOUT_KEYS


def typed_with(text: str, scanner_layout: str, station_layout: str) -> str:
    """Return what a scanner in scanner_layout types for text on a computer set to station_layout.

    This is the inverse of kiosk.scan.keyboard_layouts.translate.
    """
    keys: dict[str, str] = {}
    for scanner_keys, station_keys in zip(_LAYOUT_KEYS[scanner_layout], _LAYOUT_KEYS[station_layout], strict=True):
        for meant, typed in zip(scanner_keys, station_keys, strict=True):
            keys.setdefault(meant, typed)
    return "".join(keys.get(character, character) for character in text)
