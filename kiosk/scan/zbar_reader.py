"""ZBar through pyzbar's ctypes bindings, reading QR codes as raw bytes and marking structured-append parts.

pyzbar.decode() is not used: it transcodes every payload with ZBar's own
character-set guess, and it raises ValueError on a structured-append part,
whose orientation ZBar reports as unknown (pyzbar 0.1.9).
"""

from __future__ import annotations

import ctypes
import logging
from dataclasses import dataclass
from functools import cache

import numpy as np
from pyzbar import wrapper as zbar

log = logging.getLogger(__name__)

_SYMBOL_PARTIAL = 1  # ZBAR_PARTIAL: one part of a structured-append sequence
_SYMBOL_QRCODE = 64  # ZBAR_QRCODE
_MODIFIER_GS1 = 1 << 0  # ZBAR_MOD_GS1: the symbol carries FNC1 in first position
# ZBAR_CFG_BINARY (ZBar 0.23 and later): hand on QR data as the symbol's bytes.
_CONFIG_BINARY = 4
_GRAY_FOURCC = int.from_bytes(b"Y800", "little")

_symbol_get_modifiers = zbar.zbar_function("zbar_symbol_get_modifiers", ctypes.c_uint, ctypes.POINTER(zbar.zbar_symbol))


@dataclass(frozen=True)
class ZbarSymbol:
    """One QR code as ZBar read it: raw bytes, corner points and flags."""

    data: bytes
    points: tuple[tuple[int, int], ...]
    is_structured_append_part: bool
    is_gs1: bool
    is_raw: bool  # False when this ZBar is too old to hand on raw bytes


@cache
def supports_raw_bytes() -> bool:
    """Whether the loaded ZBar can return QR data untranscoded (version 0.23 or later)."""
    major, minor = ctypes.c_uint(), ctypes.c_uint()
    zbar.zbar_version(ctypes.byref(major), ctypes.byref(minor), None)
    supported = (major.value, minor.value) >= (0, 23)
    if not supported:
        log.info("ZBar %d.%d cannot return raw bytes; its non-ASCII QR texts are not used", major.value, minor.value)
    return supported


def read_qr_codes(gray: np.ndarray) -> list[ZbarSymbol]:
    """Read every QR code in an 8-bit grayscale image with ZBar; thread-safe (one scanner per call)."""
    height, width = gray.shape[:2]
    pixels = ctypes.create_string_buffer(np.ascontiguousarray(gray, dtype=np.uint8).tobytes())
    scanner = zbar.zbar_image_scanner_create()
    image = zbar.zbar_image_create()
    try:
        zbar.zbar_image_scanner_set_config(scanner, 0, zbar.ZBarConfig.CFG_ENABLE, 0)
        zbar.zbar_image_scanner_set_config(scanner, _SYMBOL_QRCODE, zbar.ZBarConfig.CFG_ENABLE, 1)
        raw = supports_raw_bytes()
        if raw:
            zbar.zbar_image_scanner_set_config(scanner, _SYMBOL_QRCODE, _CONFIG_BINARY, 1)
        zbar.zbar_image_set_format(image, _GRAY_FOURCC)
        zbar.zbar_image_set_size(image, width, height)
        zbar.zbar_image_set_data(image, ctypes.cast(pixels, ctypes.c_void_p), width * height, None)
        zbar.zbar_scan_image(scanner, image)
        return _collect_symbols(image, raw)
    finally:
        zbar.zbar_image_destroy(image)
        zbar.zbar_image_scanner_destroy(scanner)


def _collect_symbols(image: ctypes.c_void_p, raw: bool) -> list[ZbarSymbol]:
    symbols = []
    symbol = zbar.zbar_image_first_symbol(image)
    while symbol:
        kind = symbol.contents.type
        if kind in (_SYMBOL_PARTIAL, _SYMBOL_QRCODE):
            length = zbar.zbar_symbol_get_data_length(symbol)
            data = ctypes.string_at(zbar.zbar_symbol_get_data(symbol), length)
            points = tuple(
                (zbar.zbar_symbol_get_loc_x(symbol, i), zbar.zbar_symbol_get_loc_y(symbol, i))
                for i in range(zbar.zbar_symbol_get_loc_size(symbol))
            )
            is_gs1 = bool(_symbol_get_modifiers(symbol) & _MODIFIER_GS1)
            symbols.append(ZbarSymbol(data, points, kind == _SYMBOL_PARTIAL, is_gs1, raw))
        symbol = zbar.zbar_symbol_next(symbol)
    return symbols
