"""Label stock sizes, sheet papers and the millimetre-to-dot arithmetic shared by every renderer."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.labels.errors import InvalidLabelOptions, InvalidLabelSize

MM_PER_INCH = 25.4
# Smallest and largest label edge accepted, in mm: below 10 mm no QR code with a
# quiet zone fits, above 300 mm no label printer feeds the stock.
MIN_EDGE_MM = 10.0
MAX_EDGE_MM = 300.0

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[xX×]\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*$")


@dataclass(frozen=True)
class LabelSize:
    """A label's width and height in millimetres, as the stock is fed (width across the print head)."""

    width_mm: float
    height_mm: float

    @property
    def name(self) -> str:
        """The size as written in settings and on the command line, e.g. ``50x25``."""
        return f"{self.width_mm:g}x{self.height_mm:g}"

    @property
    def area_mm2(self) -> float:
        return self.width_mm * self.height_mm

    def dots(self, dpi: int) -> tuple[int, int]:
        """Return the label's width and height in printer dots at a resolution."""
        return mm_to_dots(self.width_mm, dpi), mm_to_dots(self.height_mm, dpi)


STANDARD_SIZES: tuple[LabelSize, ...] = (LabelSize(50, 25), LabelSize(62, 29), LabelSize(100, 50))


@dataclass(frozen=True)
class Paper:
    """An office sheet that labels are laid out on in a grid."""

    name: str
    width_mm: float
    height_mm: float


PAPERS: dict[str, Paper] = {
    "A4": Paper("A4", 210.0, 297.0),
    "Letter": Paper("Letter", 215.9, 279.4),
}


def mm_to_dots(mm: float, dpi: int) -> int:
    """Return the whole number of dots nearest to a length in millimetres."""
    return round(mm * dpi / MM_PER_INCH)


def dots_to_mm(dots: float, dpi: int) -> float:
    """Return a length in dots as millimetres."""
    return dots * MM_PER_INCH / dpi


def parse_size(text: str) -> LabelSize:
    """Parse ``WIDTHxHEIGHT`` in millimetres (``50x25``, ``62 x 29 mm``, ``70.5x40``).

    Raises InvalidLabelSize for malformed text or an edge outside 10 to 300 mm.
    """
    match = _SIZE_RE.match(text)
    if match is None:
        raise InvalidLabelSize(f"label size {text!r} is not WIDTHxHEIGHT in millimetres, e.g. 50x25")
    width, height = float(match.group(1)), float(match.group(2))
    for edge in (width, height):
        if not MIN_EDGE_MM <= edge <= MAX_EDGE_MM:
            raise InvalidLabelSize(
                f"label size {text!r} has an edge of {edge:g} mm; each edge must be {MIN_EDGE_MM:g} to {MAX_EDGE_MM:g} mm"
            )
    return LabelSize(width, height)


def available_sizes(custom_sizes: Iterable[str] = ()) -> list[LabelSize]:
    """Return the standard sizes followed by the configured custom ones, without repeats."""
    sizes = list(STANDARD_SIZES)
    for text in custom_sizes:
        size = parse_size(text)
        if size not in sizes:
            sizes.append(size)
    return sizes


def find_size(text: str, custom_sizes: Iterable[str] = ()) -> LabelSize:
    """Return the standard or configured size that ``text`` names.

    Raises InvalidLabelSize when it is malformed or not a stock this station has,
    listing the sizes that are.
    """
    size = parse_size(text)
    sizes = available_sizes(custom_sizes)
    if size not in sizes:
        names = ", ".join(known.name for known in sizes)
        raise InvalidLabelSize(
            f"label size {text!r} is not one of this station's label stocks ({names}); "
            "add it to label_custom_sizes in the station configuration"
        )
    return size


def find_paper(name: str) -> Paper:
    """Return the sheet paper called ``name`` (A4 or Letter, any case)."""
    for paper in PAPERS.values():
        if paper.name.lower() == name.strip().lower():
            return paper
    raise InvalidLabelOptions(f"sheet paper {name!r} is unknown; use one of {', '.join(PAPERS)}")
