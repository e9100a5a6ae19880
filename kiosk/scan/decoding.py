"""Decoding QR codes in images: the decoder chain, exact text and structured-append detection.

``decode_image(image)`` runs the steps of DECODE_CHAIN in order and stops at
the first that reads any code, so a frame with a plain code costs one
zxing-cpp pass and a frame without one costs every step (figures in
docs/BENCHMARKS.md). Each code carries its exact text or None with its raw
bytes (rules in kiosk.scan.charsets), and a structured-append part is flagged
so that it is never taken for a whole label.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from kiosk.scan import zbar_reader
from kiosk.scan.charsets import TextDecision, decide_text, parse_hex_eci
from kiosk.scan.structured_append import is_structured_append_part, matrix_image

log = logging.getLogger(__name__)

Point = tuple[int, int]

# AIM symbology identifiers of QR codes whose data starts with FNC1 (GS1).
# NOTE: zxing-cpp 3.1 reports ]Q1 or ]Q3 whether or not the symbol declares
# an ECI, so ECIs are read separately (see _declared_ecis).
_GS1_IDENTIFIERS = frozenset({"]Q3", "]Q4"})
_QR_FORMATS = zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.QRCode])


@dataclass(frozen=True)
class DecodedCode:
    """One code read from an image.

    ``text`` is the exact text, or None when the data is binary or its
    character set cannot be determined; ``raw`` always holds the symbol's bytes.
    ``position`` is the four corners (top left, top right, bottom right,
    bottom left) in image pixels, as far as the decoder reports them.
    """

    text: str | None
    raw: bytes
    decoder: str
    position: tuple[Point, ...]
    symbology_identifier: str = "]Q1"
    charset: str | None = None
    charset_guessed: bool = False
    binary_reason: str | None = None
    is_structured_append_part: bool = False
    is_gs1: bool = False

    @property
    def flags(self) -> tuple[str, ...]:
        """Names of the conditions that set this code apart: binary, charset_guessed, structured_append_part, gs1."""
        flags = []
        if self.text is None:
            flags.append("binary")
        if self.charset_guessed:
            flags.append("charset_guessed")
        if self.is_structured_append_part:
            flags.append("structured_append_part")
        if self.is_gs1:
            flags.append("gs1")
        return tuple(flags)


@dataclass(frozen=True)
class DecodeStep:
    """One attempt in the chain: a name for reports and the function that reads a grayscale image."""

    name: str
    read: Callable[[np.ndarray], list[DecodedCode]]


def to_gray(image: np.ndarray) -> np.ndarray:
    """Return an 8-bit grayscale view or copy of a gray, BGR or BGRA image; raise ValueError for anything else."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise ValueError(
            f"an image must be a uint8 numpy array, not {type(image).__name__} {getattr(image, 'dtype', '')}"
        )
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 1:
        return image[:, :, 0]
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    raise ValueError(f"an image must be gray, BGR or BGRA, not shape {image.shape}")


def _declared_ecis(clean_image: np.ndarray) -> tuple[int, ...]:
    """Read the ECI designators of a code from its clean matrix image, in zxing-cpp's HexECI text mode."""
    barcodes = zxingcpp.read_barcodes(
        clean_image, formats=_QR_FORMATS, text_mode=zxingcpp.TextMode.HexECI, is_pure=True
    )
    return parse_hex_eci(barcodes[0].text) if barcodes else ()


def _zxing_code(barcode: zxingcpp.Barcode, decoder: str) -> DecodedCode:
    raw = bytes(barcode.bytes)
    identifier = barcode.symbology_identifier
    clean_image = matrix_image(barcode)
    if barcode.content_type == zxingcpp.ContentType.UnknownECI:
        decision = TextDecision(None, None, False, "the symbol names a character set (ECI) that is not supported")
    else:
        decision = decide_text(raw, decoder_text=barcode.text, ecis=_declared_ecis(clean_image))
    position = barcode.position
    corners = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    return DecodedCode(
        text=decision.text,
        raw=raw,
        decoder=decoder,
        position=tuple((corner.x, corner.y) for corner in corners),
        symbology_identifier=identifier,
        charset=decision.charset,
        charset_guessed=decision.charset_guessed,
        binary_reason=decision.binary_reason,
        is_structured_append_part=is_structured_append_part(barcode, clean_image),
        is_gs1=identifier in _GS1_IDENTIFIERS,
    )


def zxing_step(name: str, binarizer: zxingcpp.Binarizer, *, blur: bool = False) -> DecodeStep:
    """Make a chain step that reads QR codes with zxing-cpp, after a 3x3 Gaussian blur when ``blur``."""

    def read(gray: np.ndarray) -> list[DecodedCode]:
        source = cv2.GaussianBlur(gray, (3, 3), 0) if blur else gray
        barcodes = zxingcpp.read_barcodes(
            source,
            formats=_QR_FORMATS,
            text_mode=zxingcpp.TextMode.Plain,
            binarizer=binarizer,
        )
        return [_zxing_code(barcode, name) for barcode in barcodes]

    return DecodeStep(name, read)


def _zbar_code(symbol: zbar_reader.ZbarSymbol) -> DecodedCode:
    if symbol.is_raw:
        decision = decide_text(symbol.data, decoder_text=None)
    elif symbol.data.isascii():
        decision = TextDecision(symbol.data.decode("ascii"), "ASCII")
    else:
        decision = TextDecision(None, None, False, "this ZBar version transcodes non-ASCII data by guessing")
    return DecodedCode(
        text=decision.text,
        raw=symbol.data,
        decoder="zbar",
        position=symbol.points,
        symbology_identifier="]Q3" if symbol.is_gs1 else "]Q1",
        charset=decision.charset,
        binary_reason=decision.binary_reason,
        is_structured_append_part=symbol.is_structured_append_part,
        is_gs1=symbol.is_gs1,
    )


def _read_zbar(gray: np.ndarray) -> list[DecodedCode]:
    return [_zbar_code(symbol) for symbol in zbar_reader.read_qr_codes(gray)]


ZBAR_STEP = DecodeStep("zbar", _read_zbar)

DECODE_CHAIN: tuple[DecodeStep, ...] = (
    zxing_step("zxing-cpp", zxingcpp.Binarizer.LocalAverage),
    zxing_step("zxing-cpp, blurred, global histogram", zxingcpp.Binarizer.GlobalHistogram, blur=True),
    zxing_step("zxing-cpp, blurred, local average", zxingcpp.Binarizer.LocalAverage, blur=True),
    zxing_step("zxing-cpp, blurred, fixed threshold", zxingcpp.Binarizer.FixedThreshold, blur=True),
)


def decode_image(image: np.ndarray, *, chain: Sequence[DecodeStep] = DECODE_CHAIN) -> list[DecodedCode]:
    """Read every QR code in a numpy gray, BGR or BGRA image; return [] when there is none.

    Runs the chain's steps in order until one reads a code. Thread-safe.
    Raises ValueError for an array that is not an 8-bit image.
    """
    gray = to_gray(image)
    if gray.size == 0:
        return []
    for step in chain:
        codes = step.read(gray)
        if codes:
            log.debug("step %r read %d code(s)", step.name, len(codes))
            return codes
    return []
