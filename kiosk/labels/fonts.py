"""The fonts of a label's human-readable lines, and their widths for fitting text into the label."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

# Debian's fonts-dejavu-core (installed by deploy/setup.sh). DejaVu Sans covers
# Latin, Greek and Cyrillic, so supplier lot numbers in those scripts print.
FONT_FOLDERS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/local/share/fonts"))
REGULAR_FILE = "DejaVuSans.ttf"
BOLD_FILE = "DejaVuSans-Bold.ttf"
# The family name SVG files ask for; a renderer without it substitutes a sans-serif font.
SVG_FONT_FAMILY = "DejaVu Sans, Verdana, sans-serif"
# DejaVu Sans: ascender 0.928 em; lines are set 1.2 em apart.
ASCENT_EM = 0.93
LINE_SPACING_EM = 1.2


def font_path(*, bold: bool) -> Path | None:
    """Return the TrueType file of the label font, or None when it is not installed."""
    name = BOLD_FILE if bold else REGULAR_FILE
    for folder in FONT_FOLDERS:
        if (folder / name).is_file():
            return folder / name
    return None


@lru_cache(maxsize=64)
def pil_font(size_px: int, *, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Return the label font at a size in pixels (Pillow's built-in font when DejaVu is missing)."""
    path = font_path(bold=bold)
    if path is None:
        return ImageFont.load_default(size=size_px)
    return ImageFont.truetype(str(path), size_px)


def text_width(text: str, size_px: int, *, bold: bool) -> float:
    """Return the advance width of a line of text in pixels (dots) at a font size."""
    return float(pil_font(size_px, bold=bold).getlength(text))


def fit_text(text: str, size_px: int, max_width: float, *, bold: bool) -> str:
    """Return the text, shortened with an ellipsis at the end when wider than ``max_width`` dots."""
    if text_width(text, size_px, bold=bold) <= max_width:
        return text
    for end in range(len(text) - 1, 0, -1):
        candidate = text[:end].rstrip() + "…"
        if text_width(candidate, size_px, bold=bold) <= max_width:
            return candidate
    return ""
