"""PDF labels: one label per page at the label's size, or sheets of labels in a grid for office printers."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from kiosk.labels.errors import LabelError
from kiosk.labels.fonts import font_path
from kiosk.labels.options import SheetOptions
from kiosk.labels.prepared import PreparedLabel
from kiosk.labels.sizes import MM_PER_INCH

POINTS_PER_INCH = 72.0
POINTS_PER_MM = POINTS_PER_INCH / MM_PER_INCH


@dataclass(frozen=True)
class SheetGrid:
    """Grid of labels on a sheet: columns, rows and each cell's top-left corner in mm from the page's top-left."""

    columns: int
    rows: int
    cells: tuple[tuple[float, float], ...]


def sheet_grid(label_width_mm: float, label_height_mm: float, sheet: SheetOptions) -> SheetGrid:
    """Lay cells of a label size out on the sheet's paper, left to right, then top to bottom.

    Raises LabelError when not even one label fits inside the margins.
    """
    paper = sheet.paper
    usable_width = paper.width_mm - 2 * sheet.margin_mm
    usable_height = paper.height_mm - 2 * sheet.margin_mm
    columns = int((usable_width + sheet.gap_mm) // (label_width_mm + sheet.gap_mm))
    rows = int((usable_height + sheet.gap_mm) // (label_height_mm + sheet.gap_mm))
    if columns < 1 or rows < 1:
        raise LabelError(
            f"a {label_width_mm:g}x{label_height_mm:g} mm label does not fit on {paper.name} paper "
            f"with {sheet.margin_mm:g} mm margins; use smaller margins or a smaller label"
        )
    cells = tuple(
        (
            sheet.margin_mm + column * (label_width_mm + sheet.gap_mm),
            sheet.margin_mm + row * (label_height_mm + sheet.gap_mm),
        )
        for row in range(rows)
        for column in range(columns)
    )
    return SheetGrid(columns, rows, cells)


def render_pdf(labels: Sequence[PreparedLabel], *, sheet: SheetOptions | None = None) -> bytes:
    """Return a PDF with one page per label at the label's size, or with the labels on sheets.

    Every label of one call must have the same layout size; each entry of
    ``labels`` is one printed label (repeat an entry for copies).
    """
    if not labels:
        raise LabelError("no labels to put in the PDF")
    buffer = io.BytesIO()
    first = labels[0].layout
    page_size = _points(first.width, first.dpi), _points(first.height, first.dpi)
    if sheet is not None:
        page_size = sheet.paper.width_mm * POINTS_PER_MM, sheet.paper.height_mm * POINTS_PER_MM
    # invariant=True leaves out the creation time and random file id, so one label always gives the same bytes.
    canvas = Canvas(buffer, pagesize=page_size, invariant=True, pageCompression=1)
    canvas.setTitle(", ".join(dict.fromkeys(label.content.identifier for label in labels)))
    canvas.setCreator("Powder Lineage")
    if sheet is None:
        for label in labels:
            _draw_label(canvas, label, 0.0, page_size[1])
            canvas.showPage()
    else:
        _draw_sheets(canvas, labels, sheet, page_size[1])
    canvas.save()
    return buffer.getvalue()


def _draw_sheets(canvas: Canvas, labels: Sequence[PreparedLabel], sheet: SheetOptions, page_height: float) -> None:
    # Pre-cut sheets repeat at the stock's nominal size, not the size rounded to whole dots.
    size = labels[0].layout.size
    grid = sheet_grid(size.width_mm, size.height_mm, sheet)
    per_page = len(grid.cells)
    for start in range(0, len(labels), per_page):
        for label, (x_mm, y_mm) in zip(labels[start : start + per_page], grid.cells, strict=False):
            _draw_label(canvas, label, x_mm * POINTS_PER_MM, page_height - y_mm * POINTS_PER_MM)
        canvas.showPage()


def _draw_label(canvas: Canvas, label: PreparedLabel, left: float, top: float) -> None:
    """Draw a label whose top-left corner is at (left, top) in points (PDF's y axis points up)."""
    layout = label.layout
    dpi = layout.dpi
    module = _points(layout.module, dpi)
    canvas.setFillGray(0)
    for row, column, length in label.symbol.dark_runs():
        x = left + _points(layout.qr_x + column * layout.module, dpi)
        y = top - _points(layout.qr_y + (row + 1) * layout.module, dpi)
        canvas.rect(x, y, length * module, module, stroke=0, fill=1)
    for line in layout.lines:
        canvas.setFont(_font_name(bold=line.bold), _points(line.size, dpi))
        canvas.drawString(left + _points(line.x, dpi), top - _points(line.baseline, dpi), line.text)


def _points(dots: float, dpi: int) -> float:
    return dots * POINTS_PER_INCH / dpi


@lru_cache(maxsize=2)
def _font_name(*, bold: bool) -> str:
    """Register DejaVu Sans with reportlab once (embedded in the PDF); fall back to Helvetica (Latin-1 only) when it is missing."""
    path = font_path(bold=bold)
    if path is None:
        return "Helvetica-Bold" if bold else "Helvetica"
    name = "DejaVuSans-Bold" if bold else "DejaVuSans"
    pdfmetrics.registerFont(TTFont(name, str(path)))
    return name
