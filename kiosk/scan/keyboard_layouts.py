"""Detecting a handheld scanner set to another keyboard layout than the station.

A wedge scanner sends key positions, not characters. Set to US English on a
German station, it turns Y into Z, '-' into 'ß' and ':' into 'Ö'; on a French
station, digits arrive as '&é"'(-è_çà'. The tables below give each layout's
characters by key position, so a received text can be mapped back to what
the scanner meant.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.scan.payloads import parse_payload

# Characters of the 47 keys of the main block, row by row (digit row, top,
# home, bottom), without and with Shift. Dead keys are listed with their
# accent; they are rare in labels and only lower the chance of a match.
_LAYOUT_KEYS = {
    "US English": (
        "`1234567890-=" "qwertyuiop[]\\" "asdfghjkl;'" "zxcvbnm,./",
        "~!@#$%^&*()_+" "QWERTYUIOP{}|" 'ASDFGHJKL:"' "ZXCVBNM<>?",
    ),
    "German": (
        "^1234567890ß´" "qwertzuiopü+#" "asdfghjklöä" "yxcvbnm,.-",
        '°!"§$%&/()=?`' "QWERTZUIOPÜ*'" "ASDFGHJKLÖÄ" "YXCVBNM;:_",
    ),
    "French": (
        "²&é\"'(-è_çà)=" "azertyuiop^$*" "qsdfghjklmù" "wxcvbn,;:!",
        "²1234567890°+" "AZERTYUIOP¨£µ" "QSDFGHJKLM%" "WXCVBN?./§",
    ),
}  # fmt: skip

LAYOUTS = tuple(_LAYOUT_KEYS)


def _translation(scanner_layout: str, station_layout: str) -> dict[str, str]:
    """Map each character the station receives back to the character the scanner meant."""
    mapping: dict[str, str] = {}
    for scanner_keys, station_keys in zip(_LAYOUT_KEYS[scanner_layout], _LAYOUT_KEYS[station_layout], strict=True):
        for meant, received in zip(scanner_keys, station_keys, strict=True):
            mapping.setdefault(received, meant)
    return mapping


_TRANSLATIONS = {
    (scanner, station): _translation(scanner, station)
    for scanner in LAYOUTS
    for station in LAYOUTS
    if scanner != station
}


@dataclass(frozen=True)
class LayoutMismatch:
    """A scanner that types in one layout on a station set to another, and what it meant to send."""

    scanner_layout: str
    station_layout: str
    meant_text: str

    def message(self) -> str:
        """Return the operator message: what is wrong and how to fix it."""
        return (
            f"the handheld scanner seems set to the {self.scanner_layout} keyboard layout while this station uses "
            f"{self.station_layout}, so its scans arrive with wrong characters; set the scanner to the "
            f"{self.station_layout} layout (see its manual's keyboard country codes) and scan again"
        )


def translate(text: str, scanner_layout: str, station_layout: str) -> str:
    """Return what a scanner in scanner_layout meant when the station (in station_layout) received text."""
    mapping = _TRANSLATIONS[(scanner_layout, station_layout)]
    return "".join(mapping.get(character, character) for character in text)


def detect_layout_mismatch(text: str) -> LayoutMismatch | None:
    """Return the mismatch that explains a rejected wedge scan, or None.

    A mismatch is reported when the text as received is not an acceptable
    payload but its translation from one layout pair is. A text that is
    acceptable either way (a Y/Z swap in a plain lot number) cannot be judged
    from one scan: callers remember a mismatch once seen (see
    kiosk.scan.pipeline.WedgeScanner).
    """
    if parse_payload(text).accepted:
        return None
    for (scanner, station), mapping in _TRANSLATIONS.items():
        meant = "".join(mapping.get(character, character) for character in text)
        if meant != text and parse_payload(meant).accepted:
            return LayoutMismatch(scanner, station, meant)
    return None


def is_layout_sensitive(text: str, mismatch: LayoutMismatch) -> bool:
    """Whether the given mismatch would change this text (digits and most letters survive every pair)."""
    return translate(text, mismatch.scanner_layout, mismatch.station_layout) != text
