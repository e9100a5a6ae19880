"""The exact text of a symbol's bytes: ECI first, then UTF-8, then the QR default, else bytes flagged as binary.

The QR default for byte mode is ISO-8859-1 in ISO/IEC 18004:2005 and later,
and JIS X 0201 in the 2000 edition, which Japanese encoders still follow;
kanji and hanzi mode segments are Shift_JIS and GB2312 by definition. The
symbol's modes are known only to the decoder that read it, so a text the
decoder returns in one of these sets is kept and marked ``charset_guessed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# C0 and C1 controls that never occur in text, so bytes that decode to them
# without a declared character set are binary data. Tab, CR, LF, EOT and the
# FS, GS and RS separators (GS1 and ISO/IEC 15434 payloads) are allowed.
_BINARY_CONTROLS_RE = re.compile(r"[\x00-\x03\x05-\x08\x0b\x0c\x0e-\x1b\x1f\x7f-\x9f]")


# ECI designators (AIM ECI register) and the Python codec of each.
ECI_CODECS = {
    1: "latin-1", 3: "latin-1", 4: "iso8859-2", 5: "iso8859-3", 6: "iso8859-4", 7: "iso8859-5",
    8: "iso8859-6", 9: "iso8859-7", 10: "iso8859-8", 11: "iso8859-9", 12: "iso8859-10", 13: "iso8859-11",
    15: "iso8859-13", 16: "iso8859-14", 17: "iso8859-15", 18: "iso8859-16", 20: "shift_jis",
    21: "cp1250", 22: "cp1251", 23: "cp1252", 24: "cp1256", 25: "utf-16-be", 26: "utf-8", 27: "ascii",
    28: "big5", 29: "gb18030", 30: "euc-kr",
}  # fmt: skip
BINARY_ECI = 899


def parse_hex_eci(hex_text: str) -> tuple[int, ...]:
    """Return the ECI designators in zxing-cpp's HexECI text (the data bytes in hex, ECIs as backslash + 6 digits)."""
    try:
        data = bytes.fromhex(hex_text)
    except ValueError:
        return ()
    text = data[3:].decode("latin-1")  # skip the symbology identifier such as ]Q2
    designators = []
    position = 0
    while position < len(text):
        if text.startswith("\\\\", position):
            position += 2
        elif text[position] == "\\" and text[position + 1 : position + 7].isdigit():
            designators.append(int(text[position + 1 : position + 7]))
            position += 7
        else:
            position += 1
    return tuple(designators)


@dataclass(frozen=True)
class TextDecision:
    """A symbol's text and the character set it was read in; text is None for binary data, with the reason."""

    text: str | None
    charset: str | None
    charset_guessed: bool = False
    binary_reason: str | None = None


def _binary(reason: str) -> TextDecision:
    return TextDecision(None, None, False, reason)


def decide_text(raw: bytes, *, decoder_text: str | None, ecis: tuple[int, ...] = ()) -> TextDecision:
    """Decide the text of a symbol from its raw bytes and the text its decoder made of them.

    ``decoder_text`` is None when the decoder cannot apply ECI or symbol modes
    (ZBar), which leaves only ASCII and UTF-8 as text. ``ecis`` are the ECI
    designators the symbol declares, which the decoder then applied.
    """
    if ecis:
        return _decide_with_eci(raw, decoder_text, ecis)
    if b"\x00" in raw:
        return _binary("the data contains NUL bytes")

    utf8 = _decode_or_none(raw, "utf-8")
    if utf8 is not None:
        if decoder_text is not None and decoder_text != utf8:
            # Valid UTF-8 that the decoder read as another set: a kanji or hanzi
            # segment or a guess. Either choice could be wrong.
            return _binary("the bytes are valid UTF-8 but the decoder read them in another character set")
        return TextDecision(utf8, "ASCII" if raw.isascii() else "UTF-8")

    if decoder_text is None:
        return _binary("the bytes are not UTF-8 and this decoder cannot tell their character set")
    latin1 = raw.decode("latin-1")
    if decoder_text == latin1:
        if _BINARY_CONTROLS_RE.search(latin1):
            return _binary("the bytes are neither UTF-8 nor ISO-8859-1 text")
        return TextDecision(latin1, "ISO-8859-1")
    for charset in ("shift_jis", "gb2312"):
        if _decode_or_none(raw, charset) == decoder_text:
            return TextDecision(decoder_text, charset.upper().replace("SHIFT", "Shift"), charset_guessed=True)
    return TextDecision(decoder_text, "mixed (kanji, hanzi or byte segments)", charset_guessed=True)


def _decide_with_eci(raw: bytes, decoder_text: str | None, ecis: tuple[int, ...]) -> TextDecision:
    if BINARY_ECI in ecis:
        return _binary("the symbol declares its data binary (ECI 899)")
    if decoder_text is None:
        return _binary("the symbol names a character set (ECI) this decoder cannot apply")
    codecs = [ECI_CODECS.get(eci) for eci in ecis]
    if len(ecis) == 1 and codecs[0] is not None and _decode_or_none(raw, codecs[0]) != decoder_text:
        return _binary(f"the decoder's text does not match the declared character set (ECI {ecis[0]})")
    names = ", ".join(f"ECI {eci} ({codec or 'unknown'})" for eci, codec in zip(ecis, codecs, strict=True))
    return TextDecision(decoder_text, names)


def _decode_or_none(raw: bytes, charset: str) -> str | None:
    try:
        return raw.decode(charset)
    except UnicodeDecodeError:
        return None
