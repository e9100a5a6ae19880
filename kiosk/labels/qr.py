"""The QR symbol of a label: the module matrix for raster and vector renderers, and size estimates for ZPL."""

from __future__ import annotations

from dataclasses import dataclass

import qrcode
import qrcode.util
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_M, ERROR_CORRECT_Q
from qrcode.exceptions import DataOverflowError

from kiosk.labels.errors import InvalidLabelOptions, PayloadTooLong

# L (7 % recovery) is left out on purpose: labels on powder drums get dusty and
# scuffed, so the weakest level accepted is M (15 %).
ERROR_CORRECTION_LEVELS: dict[str, int] = {"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}
# ISO/IEC 18004 requires a light margin of at least 4 modules around the symbol.
MIN_QUIET_ZONE_MODULES = 4
MAX_QR_VERSION = 40


@dataclass(frozen=True)
class QrSymbol:
    """An encoded QR code: ``modules[row][column]`` is True for a dark module."""

    payload: str
    error_correction: str
    version: int
    modules: tuple[tuple[bool, ...], ...]

    @property
    def size(self) -> int:
        """Modules along one side, without the quiet zone."""
        return len(self.modules)

    def dark_runs(self) -> list[tuple[int, int, int]]:
        """Return (row, first column, length) for each horizontal run of dark modules.

        Vector renderers draw one rectangle per run instead of one per module,
        which keeps SVG and PDF files small.
        """
        runs: list[tuple[int, int, int]] = []
        for row, cells in enumerate(self.modules):
            column = 0
            while column < len(cells):
                if not cells[column]:
                    column += 1
                    continue
                start = column
                while column < len(cells) and cells[column]:
                    column += 1
                runs.append((row, start, column - start))
        return runs


def check_error_correction(level: str) -> str:
    """Return the level in upper case, or raise InvalidLabelOptions when it is not M, Q or H."""
    upper = level.strip().upper()
    if upper == "L":
        raise InvalidLabelOptions(
            "QR error correction L (7 % recovery) is too weak for dusty, scuffed labels; use M, Q or H"
        )
    if upper not in ERROR_CORRECTION_LEVELS:
        raise InvalidLabelOptions(f"QR error correction {level!r} is unknown; use M, Q or H")
    return upper


def symbol_size(version: int) -> int:
    """Return the modules along one side of a QR symbol of a version (1 to 40)."""
    return 17 + 4 * version


def encode_qr(payload: str, *, error_correction: str) -> QrSymbol:
    """Encode a payload (as UTF-8) in the smallest QR version it fits.

    Raises PayloadTooLong when it does not fit even version 40.
    """
    level = check_error_correction(error_correction)
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION_LEVELS[level], border=0)
    code.add_data(payload)
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError) as error:
        raise _too_long(payload, level) from error
    modules = tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())
    return QrSymbol(payload, level, int(code.version), modules)


def byte_mode_version(payload: str, *, error_correction: str) -> int:
    """Return the QR version that fits the payload's UTF-8 bytes in byte mode alone.

    A Zebra printer chooses its own encoding for ^BQ, so the label layout for
    ZPL reserves room for this version: byte mode needs at least as many
    modules as any mode a printer can choose for the same data.
    """
    level = check_error_correction(error_correction)
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION_LEVELS[level], border=0)
    code.add_data(qrcode.util.QRData(payload.encode("utf-8"), mode=qrcode.util.MODE_8BIT_BYTE))
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError) as error:
        raise _too_long(payload, level) from error
    return int(code.version)


def _too_long(payload: str, level: str) -> PayloadTooLong:
    shown = payload if len(payload) <= 40 else payload[:40] + "…"
    return PayloadTooLong(
        f"the payload of {len(payload.encode('utf-8'))} bytes ({shown!r}) does not fit in a QR code "
        f"at error correction {level}; use a shorter resolver base or identifier"
    )
