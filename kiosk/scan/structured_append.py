"""Telling a structured-append part from a whole QR code, which zxing-cpp's Python API does not report.

zxing-cpp 3.1 knows a symbol's sequence index internally but its Python
Barcode has no attribute for it, and it returns each part's text as if it
were the whole message. The check here takes the module matrix zxing-cpp
sampled (``Barcode.to_image()``) and reads it again with ZBar, which marks a
part as ZBAR_PARTIAL. When ZBar cannot read the matrix (QR Model 1, hanzi
mode), the first four data bits are read from the matrix directly: a
structured-append symbol starts with mode indicator 0011.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np
import zxingcpp

from kiosk.scan import zbar_reader

log = logging.getLogger(__name__)

_STRUCTURED_APPEND_MODE = 0b0011
_MODULE_SCALE_PX = 4


def _mask_bit(mask: int, row: int, column: int) -> bool:
    """Whether data mask ``mask`` (0 to 7, ISO/IEC 18004 table 10) inverts the module at row, column."""
    product = row * column
    conditions = (
        (row + column) % 2 == 0,
        row % 2 == 0,
        column % 3 == 0,
        (row + column) % 3 == 0,
        (row // 2 + column // 3) % 2 == 0,
        product % 2 + product % 3 == 0,
        (product % 2 + product % 3) % 2 == 0,
        ((row + column) % 2 + product % 3) % 2 == 0,
    )
    return conditions[mask]


def _symbol_modules(matrix_image: np.ndarray) -> np.ndarray | None:
    """Cut the quiet zone off a one-pixel-per-module image and return True for dark modules."""
    dark = matrix_image < 128
    rows = np.flatnonzero(dark.any(axis=1))
    columns = np.flatnonzero(dark.any(axis=0))
    if rows.size == 0 or columns.size == 0:
        return None
    return dark[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]


def first_mode_indicator(modules: np.ndarray, mask: int) -> int:
    """Return the first 4 data bits of a QR Model 2 symbol: the 4 modules at its bottom right, unmasked.

    Placement starts at the bottom-right corner and runs upward in two-module
    columns, right module first, so the bits sit at (n-1, n-1), (n-1, n-2),
    (n-2, n-1) and (n-2, n-2).
    """
    size = modules.shape[0]
    bits = 0
    for row, column in ((size - 1, size - 1), (size - 1, size - 2), (size - 2, size - 1), (size - 2, size - 2)):
        bit = bool(modules[row, column]) ^ _mask_bit(mask, row, column)
        bits = bits << 1 | int(bit)
    return bits


def matrix_image(barcode: zxingcpp.Barcode) -> np.ndarray:
    """Return the module matrix zxing-cpp sampled, drawn clean at 4 pixels per module with a quiet zone."""
    modules = np.array(barcode.to_image())
    return cv2.resize(modules, None, fx=_MODULE_SCALE_PX, fy=_MODULE_SCALE_PX, interpolation=cv2.INTER_NEAREST)


def is_structured_append_part(barcode: zxingcpp.Barcode, clean_image: np.ndarray) -> bool:
    """Whether a QR code read by zxing-cpp is one part of a structured-append sequence.

    ``clean_image`` is the code's matrix_image().
    """
    extra = barcode.extra if isinstance(barcode.extra, dict) else {}
    version = str(extra.get("Version", ""))
    if barcode.format != zxingcpp.BarcodeFormat.QRCode or not version.isdigit():
        # Micro QR and rMQR (versions such as "M4", "R7x43") have no structured append.
        return False
    symbols = zbar_reader.read_qr_codes(clean_image)
    if symbols:
        return any(symbol.is_structured_append_part for symbol in symbols)

    modules = _symbol_modules(clean_image[::_MODULE_SCALE_PX, ::_MODULE_SCALE_PX])
    mask = extra.get("DataMask")
    if modules is None or modules.shape[0] != 17 + 4 * int(version) or not isinstance(mask, int):
        # NOTE: without a readable matrix the part cannot be ruled out; a wrong
        # "part" only costs a rescan, a wrong "whole" could name the wrong container.
        log.debug("matrix of a version %s code could not be checked; treating it as a structured-append part", version)
        return True
    return first_mode_indicator(modules, mask) == _STRUCTURED_APPEND_MODE
