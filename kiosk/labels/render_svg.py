"""SVG labels: the QR code as one path of whole-dot rectangles, sized in millimetres."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

from kiosk.labels.fonts import SVG_FONT_FAMILY
from kiosk.labels.prepared import PreparedLabel
from kiosk.labels.sizes import dots_to_mm


def render_svg(label: PreparedLabel) -> bytes:
    """Return the label as a standalone SVG document (UTF-8).

    The user unit is one printer dot and the document's size is the layout's
    size in dots converted to mm, so a renderer at the label's dpi puts every
    module edge on a pixel edge.
    """
    layout = label.layout
    module = layout.module
    path = "".join(
        f"M{layout.qr_x + column * module} {layout.qr_y + row * module}h{length * module}v{module}h-{length * module}z"
        for row, column, length in label.symbol.dark_runs()
    )
    width_mm = _floor_mm(layout.width, layout.dpi)
    height_mm = _floor_mm(layout.height, layout.dpi)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width_mm:.3f}mm" height="{height_mm:.3f}mm" '
        f'viewBox="0 0 {layout.width} {layout.height}">',
        f"<title>{escape(label.content.identifier)}</title>",
        f'<rect width="{layout.width}" height="{layout.height}" fill="#fff"/>',
        f'<path d="{path}" fill="#000" shape-rendering="crispEdges"/>',
    ]
    for line in layout.lines:
        weight = ' font-weight="bold"' if line.bold else ""
        parts.append(
            f'<text x="{line.x}" y="{line.baseline}" font-family={quoteattr(SVG_FONT_FAMILY)} '
            f'font-size="{line.size}"{weight} fill="#000">{escape(line.text)}</text>'
        )
    parts.append("</svg>")
    return ("\n".join(parts) + "\n").encode("utf-8")


def _floor_mm(dots: int, dpi: int) -> float:
    """Return a length a little under ``dots``, in whole micrometres.

    Renderers round a page's pixel size up. A size a hair over a whole
    number of dots would gain a blank pixel column, but a hair under rounds
    up to exactly ``dots``.
    """
    return math.floor(dots_to_mm(dots - 0.01, dpi) * 1000) / 1000
