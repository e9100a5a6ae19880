"""ZPL II labels for Zebra printers: the QR code as ^BQ, text as scalable font 0, all field data hex-escaped.

Field data is written after ^FH, so ``_`` followed by two hex digits stands
for one byte. Every ``^``, ``~`` and ``_``, every control character and every
byte of a non-ASCII character is escaped that way, so no payload or lot
number can end a field early or start a command.
"""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.labels.content import LabelContent
from kiosk.labels.errors import InvalidLabelOptions, LabelError
from kiosk.labels.layout import LabelLayout, layout_label
from kiosk.labels.options import LabelOptions
from kiosk.labels.qr import byte_mode_version, symbol_size

# Resolutions of Zebra print heads: 6, 8, 12 and 24 dots per mm.
ZPL_DPI = (152, 203, 300, 600)
# ^BQ magnification: dots per module, 1 to 10.
MAX_MAGNIFICATION = 10
HEX_INDICATOR = "_"
# Printed literally only: printable ASCII other than the two command prefixes and the hex indicator.
_LITERAL_BYTES = frozenset(range(0x20, 0x7F)) - {ord("^"), ord("~"), ord(HEX_INDICATOR)}
MAX_COPIES = 999


def escape_field_data(text: str) -> str:
    """Return text as ^FH field data: UTF-8 bytes outside printable ASCII, and ^ ~ _, as ``_XX``."""
    return "".join(
        chr(byte) if byte in _LITERAL_BYTES else f"{HEX_INDICATOR}{byte:02X}" for byte in text.encode("utf-8")
    )


def qr_field_data(payload: str, error_correction: str) -> str:
    """Return the ^FD data of a ^BQ field: the mode prefix, then the escaped payload.

    Zebra firmware reads the first characters of a QR field as the error
    correction level and the input mode, and strips them before encoding. So
    data without this prefix loses its first characters. ASCII payloads use
    automatic input (``QA,``). Automatic input cannot carry bytes 0x80 to 0x9F
    and 0xE0 to 0xFF, so other payloads use manual byte mode
    (``QM,B<4-digit byte count>``).
    """
    data = payload.encode("utf-8")
    if payload.isascii():
        return f"{error_correction}A,{escape_field_data(payload)}"
    return f"{error_correction}M,B{len(data):04d}{escape_field_data(payload)}"


def layout_zpl_label(content: LabelContent, options: LabelOptions) -> LabelLayout:
    """Lay a label out for ZPL: room for the payload in byte mode, modules of at most 10 dots.

    Raises InvalidLabelOptions for a resolution no Zebra head has, and
    LabelTooSmall or PayloadTooLong like the other formats.
    """
    if options.dpi not in ZPL_DPI:
        raise InvalidLabelOptions(
            f"ZPL labels need a Zebra print head resolution; {options.dpi} dpi is none of {', '.join(map(str, ZPL_DPI))}"
        )
    version = byte_mode_version(content.payload, error_correction=options.error_correction)
    return layout_label(content.lines, symbol_size(version), options, max_module_dots=MAX_MAGNIFICATION)


def zpl_label(content: LabelContent, layout: LabelLayout, *, error_correction: str, copies: int = 1) -> str:
    """Return one ^XA...^XZ label format printing ``copies`` labels."""
    if not 1 <= copies <= MAX_COPIES:
        raise LabelError(f"{copies} copies is out of range; print 1 to {MAX_COPIES} copies of a label")
    commands = [
        "^XA",
        "^CI28",  # field data is UTF-8 (after ^FH unescaping)
        f"^PW{layout.width}",
        f"^LL{layout.height}",
        "^LH0,0",
        f"^FO{layout.qr_x},{layout.qr_y}^BQN,2,{layout.module},{error_correction},7"
        f"^FH{HEX_INDICATOR}^FD{qr_field_data(content.payload, error_correction)}^FS",
    ]
    for line in layout.lines:
        # ^FT places a text field by its baseline, like the other renderers.
        commands.append(
            f"^FT{line.x},{line.baseline}^A0N,{line.size},{line.size}^FH{HEX_INDICATOR}^FD{escape_field_data(line.text)}^FS"
        )
    commands += [f"^PQ{copies}", "^XZ"]
    return "\n".join(commands) + "\n"


def render_zpl(contents: Sequence[LabelContent], options: LabelOptions, *, copies: int = 1) -> bytes:
    """Return a ZPL job with one label format per content, each printed ``copies`` times."""
    if not contents:
        raise LabelError("no labels to put in the ZPL job")
    formats = [
        zpl_label(content, layout_zpl_label(content, options), error_correction=options.error_correction, copies=copies)
        for content in contents
    ]
    return "".join(formats).encode("ascii")
