"""A label ready to draw: its content, QR symbol and layout at one resolution."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.labels.content import LabelContent
from kiosk.labels.layout import LabelLayout, layout_label
from kiosk.labels.options import LabelOptions
from kiosk.labels.qr import QrSymbol, encode_qr


@dataclass(frozen=True)
class PreparedLabel:
    """Input of the PNG, SVG and PDF renderers."""

    content: LabelContent
    symbol: QrSymbol
    layout: LabelLayout


def prepare_label(content: LabelContent, options: LabelOptions) -> PreparedLabel:
    """Encode the payload and lay the label out; raises LabelTooSmall or PayloadTooLong."""
    symbol = encode_qr(content.payload, error_correction=options.error_correction)
    layout = layout_label(content.lines, symbol.size, options)
    return PreparedLabel(content, symbol, layout)
