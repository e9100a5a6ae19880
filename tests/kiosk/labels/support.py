"""Test support for labels: real rasterisers for PDF and SVG, decoding with the scanner's pipeline, and a ZPL reader."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_L

from kiosk.labels.qr import ERROR_CORRECTION_LEVELS
from kiosk.scan.decoding import decode_image

# Debian's poppler-utils and librsvg2-bin, installed by deploy/setup.sh.
PDFTOPPM = shutil.which("pdftoppm")
RSVG_CONVERT = shutil.which("rsvg-convert")


def decode_texts(image: Image.Image) -> list[str | None]:
    """Return the text of every QR code the station's decoder chain reads in an image."""
    gray = np.asarray(image.convert("L"))
    return [code.text for code in decode_image(gray)]


def rasterise_pdf(data: bytes, dpi: int, tmp_path: Path) -> list[Image.Image]:
    """Render every page of a PDF at a resolution with Poppler's pdftoppm; return grey images."""
    if PDFTOPPM is None:
        pytest.skip("pdftoppm is not installed (Debian package poppler-utils; deploy/setup.sh installs it)")
    source = tmp_path / "label.pdf"
    source.write_bytes(data)
    subprocess.run(
        [PDFTOPPM, "-r", str(dpi), "-gray", "-png", str(source), str(tmp_path / "page")], check=True, timeout=60
    )
    pages = sorted(tmp_path.glob("page-*.png"), key=lambda path: int(path.stem.rsplit("-", 1)[1]))
    return [Image.open(path).convert("L") for path in pages]


def rasterise_svg(data: bytes, dpi: int, tmp_path: Path) -> Image.Image:
    """Render an SVG at a resolution with librsvg's rsvg-convert; return a grey image on white."""
    if RSVG_CONVERT is None:
        pytest.skip("rsvg-convert is not installed (Debian package librsvg2-bin; deploy/setup.sh installs it)")
    source = tmp_path / "label.svg"
    source.write_bytes(data)
    output = subprocess.run(
        [RSVG_CONVERT, "--dpi-x", str(dpi), "--dpi-y", str(dpi), "--background-color", "white", str(source)],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    return Image.open(io.BytesIO(output)).convert("L")


# --- Reading ZPL back ----------------------------------------------------------


@dataclass
class ZplQrField:
    """A ^BQ field as a printer reads it: position, magnification, and the field data after ^FH unescaping."""

    x: int
    y: int
    magnification: int
    error_correction: str
    data: bytes


@dataclass
class ZplLabel:
    """One ^XA...^XZ format: label size in dots, its QR fields and its text fields (unescaped)."""

    width: int = 0
    length: int = 0
    copies: int = 1
    qr_fields: list[ZplQrField] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


_COMMAND_RE = re.compile(r"\^([A-Z@][A-Z0-9@]?)([^\^~]*)")


def unescape_field(data: str, indicator: str) -> bytes:
    """Turn ^FH field data back into bytes: ``_XX`` is one byte; anything else is taken literally."""
    result = bytearray()
    index = 0
    while index < len(data):
        if data[index] == indicator:
            result.append(int(data[index + 1 : index + 3], 16))
            index += 3
            continue
        result += data[index].encode("ascii")
        index += 1
    return bytes(result)


def read_zpl(job: bytes) -> list[ZplLabel]:
    """Parse the commands this project writes (^PW ^LL ^FO ^FT ^BQ ^FH ^FD ^PQ) from a ZPL job.

    Raises AssertionError for anything a Zebra printer would read differently:
    a non-ASCII byte in the job, or ^FD data of a QR field without ^FH.
    """
    text = job.decode("ascii")  # every byte above 0x7F must be hex-escaped
    labels: list[ZplLabel] = []
    for body in re.findall(r"\^XA(.*?)\^XZ", text, flags=re.DOTALL):
        label = ZplLabel()
        position = (0, 0)
        barcode: tuple[int, str] | None = None
        indicator: str | None = None
        for name, argument in _COMMAND_RE.findall(body.replace("\n", "")):
            if name == "PW":
                label.width = int(argument)
            elif name == "LL":
                label.length = int(argument)
            elif name == "PQ":
                label.copies = int(argument.split(",")[0])
            elif name in ("FO", "FT"):
                x, y = argument.split(",")[:2]
                position = (int(x), int(y))
            elif name == "BQ":
                parameters = argument.split(",")
                barcode = (int(parameters[2]), parameters[3])
            elif name == "FH":
                indicator = argument[:1] or "_"
            elif name == "FD":
                assert indicator is not None, f"field data {argument!r} is not preceded by ^FH"
                data = unescape_field(argument, indicator)
                if barcode is not None:
                    label.qr_fields.append(ZplQrField(position[0], position[1], barcode[0], barcode[1], data))
                else:
                    label.texts.append(data.decode("utf-8"))
            elif name == "FS":
                barcode, indicator = None, None
        labels.append(label)
    return labels


def qr_payload(field: ZplQrField) -> str:
    """Return what a Zebra printer encodes for a ^BQ field: the data after the error-correction and mode prefix."""
    data = field.data
    assert data[:1].decode() in "HQML", f"QR field data {data[:8]!r} lacks the error-correction letter"
    mode = data[1:2]
    assert data[2:3] == b",", f"QR field data {data[:8]!r} lacks the comma after the input mode"
    if mode == b"A":
        return data[3:].decode("utf-8")
    assert mode == b"M", f"QR field data {data[:8]!r} has an unknown input mode"
    assert data[3:4] == b"B", "manual input here is byte mode only"
    count = int(data[4:8])
    payload = data[8:]
    assert len(payload) == count, f"byte count {count} does not match the {len(payload)} bytes that follow"
    return payload.decode("utf-8")


def draw_zpl_label(label: ZplLabel) -> Image.Image:
    """Draw a ZPL label's QR fields as a printer would place them (text left out: no font renderer here).

    The symbol is encoded with the Python qrcode package at the field's error
    correction, placed at ^FO with ^BQ's magnification as the module size, on
    a canvas of ^PW by ^LL dots. A symbol running off the label is cut, as on paper.
    """
    image = Image.new("L", (label.width, label.length), 255)
    for qr_field in label.qr_fields:
        level = qr_field.data[:1].decode()
        code = qrcode.QRCode(error_correction=ERROR_CORRECTION_LEVELS.get(level, ERROR_CORRECT_L), border=0)
        code.add_data(qr_payload(qr_field))
        code.make(fit=True)
        module = qr_field.magnification
        for row, cells in enumerate(code.get_matrix()):
            for column, dark in enumerate(cells):
                if dark:
                    x = qr_field.x + column * module
                    y = qr_field.y + row * module
                    image.paste(0, (x, y, x + module, y + module))
    return image
