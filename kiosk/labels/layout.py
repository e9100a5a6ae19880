"""Label layout in printer dots: the places of the QR code and the text lines, shared by every renderer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.labels.errors import LabelTooSmall
from kiosk.labels.fonts import ASCENT_EM, LINE_SPACING_EM, fit_text, text_width
from kiosk.labels.options import LabelOptions
from kiosk.labels.sizes import LabelSize, dots_to_mm, mm_to_dots

# Text keeps this far from the label's edges, for printers that place the
# stock a little off. The QR quiet zone itself lies wholly on the label.
EDGE_MARGIN_MM = 1.0
# The QR code takes at most this share of the label's long side, leaving the rest to text.
QR_SHARE_OF_LONG_SIDE = 0.6
MAX_FONT_MM = 4.0
# About 5.5 pt: the smallest text that stays legible on a 203 dpi thermal print.
MIN_FONT_MM = 1.9


@dataclass(frozen=True)
class TextLine:
    """One human-readable line: its text, left edge and baseline in dots, and font size (em) in dots."""

    text: str
    x: int
    baseline: int
    size: int
    bold: bool


@dataclass(frozen=True)
class LabelLayout:
    """A label laid out at a resolution; every coordinate is in dots from the top-left corner."""

    size: LabelSize
    width: int
    height: int
    dpi: int
    # Top-left corner of the symbol itself; the quiet zone surrounds it.
    qr_x: int
    qr_y: int
    module: int
    symbol_modules: int
    quiet_zone_modules: int
    lines: tuple[TextLine, ...]

    @property
    def symbol_width(self) -> int:
        """The symbol's side in dots, without the quiet zone."""
        return self.symbol_modules * self.module


def layout_label(
    lines: Sequence[str],
    symbol_modules: int,
    options: LabelOptions,
    *,
    max_module_dots: int | None = None,
) -> LabelLayout:
    """Lay out a QR symbol of ``symbol_modules`` per side and the text lines on the label of ``options``.

    The first line and every IdentifierLine are shown whole (wrapped when
    too wide); other lines may be shortened or dropped. Modules are whole
    dots, so a printer at ``options.dpi`` prints every module the same size.
    ``max_module_dots`` caps them (ZPL's ^BQ magnification stops at 10). Raises LabelTooSmall when the modules would be smaller than
    ``options.min_module_dots`` or ``options.min_module_mm``, or when the
    whole lines do not fit beside the code.
    """
    width, height = options.size.dots(options.dpi)
    module = _module_dots(options.size, options, symbol_modules, max_module_dots)
    _check_module(module, symbol_modules, options, max_module_dots)

    square = (symbol_modules + 2 * options.quiet_zone_modules) * module
    margin = mm_to_dots(EDGE_MARGIN_MM, options.dpi)
    if width >= height:
        square_x = square_y = (height - square) // 2
        box = (square_x + square, margin, width - margin - (square_x + square), height - 2 * margin)
    else:
        square_x = square_y = (width - square) // 2
        box = (margin, square_y + square, width - 2 * margin, height - margin - (square_y + square))
    quiet = options.quiet_zone_modules * module
    return LabelLayout(
        size=options.size,
        width=width,
        height=height,
        dpi=options.dpi,
        qr_x=square_x + quiet,
        qr_y=square_y + quiet,
        module=module,
        symbol_modules=symbol_modules,
        quiet_zone_modules=options.quiet_zone_modules,
        lines=_layout_lines(lines, box, options),
    )


def _module_dots(size: LabelSize, options: LabelOptions, symbol_modules: int, max_module_dots: int | None) -> int:
    """Return the largest whole module (in dots) whose symbol and quiet zone fit the QR share of the label."""
    width, height = size.dots(options.dpi)
    long_side, short_side = max(width, height), min(width, height)
    side = min(short_side, int(long_side * QR_SHARE_OF_LONG_SIDE))
    module = side // (symbol_modules + 2 * options.quiet_zone_modules)
    return module if max_module_dots is None else min(module, max_module_dots)


def _is_readable(module: int, options: LabelOptions) -> bool:
    return module >= options.min_module_dots and dots_to_mm(module, options.dpi) >= options.min_module_mm


def _smallest_module(options: LabelOptions) -> int:
    """Return the smallest whole module in dots that meets both the dot and the millimetre minimum."""
    module = options.min_module_dots
    while not _is_readable(module, options):
        module += 1
    return module


def _check_module(module: int, symbol_modules: int, options: LabelOptions, max_module_dots: int | None) -> None:
    if _is_readable(module, options):
        return
    smallest = _smallest_module(options)
    square_mm = dots_to_mm((symbol_modules + 2 * options.quiet_zone_modules) * smallest, options.dpi)
    fitting = [
        size
        for size in sorted(options.known_sizes, key=lambda known: known.area_mm2)
        if _is_readable(_module_dots(size, options, symbol_modules, max_module_dots), options)
    ]
    advice = (
        f"the smallest label stock that works is {fitting[0].name} mm"
        if fitting
        else "none of this station's label stocks is large enough; add a larger size to label_custom_sizes"
    )
    raise LabelTooSmall(
        f"a {options.size.name} mm label at {options.dpi} dpi leaves QR modules of {module} dots "
        f"({dots_to_mm(module, options.dpi):.2f} mm), but modules must be at least {smallest} dots "
        f"({dots_to_mm(smallest, options.dpi):.2f} mm) to print reliably; this code of {symbol_modules} modules "
        f"needs a {square_mm:.1f} mm square with its quiet zone, so {advice}, or use a printer with a higher dpi"
    )


class IdentifierLine(str):
    """A text line that names an identifier: the layout wraps it onto more lines but never cuts it short.

    The first line of a label (the identifier its code names) is always kept
    whole. Other lines are shortened with an ellipsis when too wide. When the
    label has no room for all lines, the last of the other lines are dropped.
    """


# Characters after which a wrapped identifier may break, when no space fits.
_BREAK_AFTER = "-/._"


def _layout_lines(lines: Sequence[str], box: tuple[int, int, int, int], options: LabelOptions) -> tuple[TextLine, ...]:
    """Set the lines in the text box, as large as fits up to 4 mm and never below 1.9 mm.

    The first line and every IdentifierLine are shown whole, wrapped onto
    more rows when too wide. Other lines are shortened with an ellipsis, and
    dropped from the end when the rows do not fit the box's height. Raises
    LabelTooSmall when even the whole lines alone do not fit.
    """
    x, y, box_width, box_height = box
    min_size = mm_to_dots(MIN_FONT_MM, options.dpi)
    if not lines:
        return ()
    whole = [index == 0 or isinstance(line, IdentifierLine) for index, line in enumerate(lines)]
    shown = list(range(len(lines)))
    rows = None
    if box_width >= 3 * min_size:
        while True:
            rows = _fit_rows([lines[i] for i in shown], [whole[i] for i in shown], box_width, box_height, options)
            droppable = [i for i in shown if not whole[i]]
            if rows is not None or not droppable:
                break
            shown.remove(droppable[-1])
    if rows is None:
        raise _no_room_for(lines[0], options)

    total_height = sum(size * LINE_SPACING_EM for _text, size, _bold in rows)
    top = y + (box_height - total_height) / 2
    result = []
    for text, size, bold in rows:
        line_height = size * LINE_SPACING_EM
        baseline = round(top + (line_height - size) / 2 + size * ASCENT_EM)
        result.append(TextLine(text, x, baseline, size, bold))
        top += line_height
    return tuple(result)


def _fit_rows(
    lines: Sequence[str], whole: Sequence[bool], box_width: int, box_height: int, options: LabelOptions
) -> list[tuple[str, int, bool]] | None:
    """Return (text, size, bold) rows at the largest base size whose rows fit the box, or None when none does."""
    min_size = mm_to_dots(MIN_FONT_MM, options.dpi)
    base = max(min_size, min(mm_to_dots(MAX_FONT_MM, options.dpi), int(box_height / (len(lines) * LINE_SPACING_EM))))
    while True:
        rows = _rows_at(lines, whole, base, min_size, box_width)
        if sum(size * LINE_SPACING_EM for _text, size, _bold in rows) <= box_height:
            return rows
        if base == min_size:
            return None
        base = max(min_size, int(base * 0.9))


def _rows_at(
    lines: Sequence[str], whole: Sequence[bool], base: int, min_size: int, box_width: int
) -> list[tuple[str, int, bool]]:
    """Size the lines for one base size: wrap whole lines that are too wide, shorten the others."""
    # The first line (the identifier, in bold) gets its own size; the others
    # share one size, so the block reads evenly.
    first_size = _fitting_size(lines[:1], base, min_size, box_width, bold=True)
    rest_size = _fitting_size(lines[1:], base, min_size, box_width, bold=False)
    rows = []
    for index, (text, is_whole) in enumerate(zip(lines, whole, strict=True)):
        bold = index == 0
        size = first_size if bold else rest_size
        if is_whole:
            rows += [(part, size, bold) for part in _wrap(text, size, box_width, bold=bold)]
        else:
            rows.append((fit_text(text, size, box_width, bold=bold), size, bold))
    return rows


def _fitting_size(lines: Sequence[str], base: int, min_size: int, box_width: int, *, bold: bool) -> int:
    """Return the largest size up to ``base`` at which every line fits the width, but never below ``min_size``."""
    size = base
    for text in lines:
        natural = text_width(text, base, bold=bold)
        if natural > box_width:
            size = min(size, int(base * box_width / natural))
    return max(min_size, size)


def _wrap(text: str, size: int, max_width: int, *, bold: bool) -> list[str]:
    """Split text into rows no wider than ``max_width`` dots, keeping every character but the spaces broken at."""
    rows = []
    remaining = text
    while text_width(remaining, size, bold=bold) > max_width:
        cut, skip = _break_point(remaining, size, max_width, bold=bold)
        rows.append(remaining[:cut])
        remaining = remaining[cut + skip :]
    return [*rows, remaining]


def _break_point(text: str, size: int, max_width: int, *, bold: bool) -> tuple[int, int]:
    """Return where to end a row of the text, and how many characters to skip after it (1 for a space).

    A row ends at the last space that fits, when the rest then fits one row
    or the row is at least half full. Otherwise it ends after the last
    ``-/._`` that leaves the row at least half full, or else after as many
    characters as fit.
    """
    fitting = _fitting_prefix(text, size, max_width, bold=bold)
    prefix = text[:fitting]
    space = prefix.rfind(" ")
    if space > 0 and (space >= fitting // 2 or text_width(text[space + 1 :], size, bold=bold) <= max_width):
        return space, 1
    separator = max(prefix.rfind(character) for character in _BREAK_AFTER) + 1
    if separator >= fitting // 2:
        return separator, 0
    return fitting, 0


def _fitting_prefix(text: str, size: int, max_width: int, *, bold: bool) -> int:
    """Return how many leading characters of the text fit ``max_width`` dots (at least one)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(text[:middle], size, bold=bold) <= max_width:
            low = middle
        else:
            high = middle - 1
    return low


def _no_room_for(identifier: str, options: LabelOptions) -> LabelTooSmall:
    return LabelTooSmall(
        f"a {options.size.name} mm label at {options.dpi} dpi has no room beside its QR code for the whole id "
        f"{identifier!r} and the other ids on it, even in {MIN_FONT_MM:g} mm text; use a larger label stock"
    )
