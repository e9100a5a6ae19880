"""PNG labels: one pixel per printer dot, with the resolution stored in the file."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from kiosk.labels.fonts import pil_font
from kiosk.labels.prepared import PreparedLabel

WHITE = 255
BLACK = 0


def draw_label(label: PreparedLabel) -> Image.Image:
    """Draw a label as a greyscale image at its printer resolution (also the on-screen preview)."""
    layout = label.layout
    image = Image.new("L", (layout.width, layout.height), WHITE)
    draw = ImageDraw.Draw(image)
    module = layout.module
    for row, column, length in label.symbol.dark_runs():
        x = layout.qr_x + column * module
        y = layout.qr_y + row * module
        draw.rectangle((x, y, x + length * module - 1, y + module - 1), fill=BLACK)
    for line in layout.lines:
        draw.text((line.x, line.baseline), line.text, font=pil_font(line.size, bold=line.bold), fill=BLACK, anchor="ls")
    return image


def render_png(label: PreparedLabel) -> bytes:
    """Return the label as PNG bytes tagged with its dpi, so printing at 100 % gives the label's size."""
    buffer = io.BytesIO()
    draw_label(label).save(buffer, format="PNG", dpi=(label.layout.dpi, label.layout.dpi), optimize=True)
    return buffer.getvalue()
