"""One entry point for every output format: render label contents to PNG, SVG, PDF or ZPL bytes."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.labels.content import LabelContent
from kiosk.labels.errors import InvalidLabelOptions, LabelError
from kiosk.labels.options import LabelOptions, SheetOptions
from kiosk.labels.prepared import prepare_label
from kiosk.labels.render_pdf import render_pdf
from kiosk.labels.render_png import render_png
from kiosk.labels.render_svg import render_svg
from kiosk.labels.render_zpl import MAX_COPIES, render_zpl

FORMATS = ("png", "svg", "pdf", "zpl")
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "zpl": "application/vnd.zebra-zpl"}


def check_format(name: str) -> str:
    """Return the format name in lower case, or raise InvalidLabelOptions for an unknown one."""
    fmt = name.strip().lower()
    if fmt not in FORMATS:
        raise InvalidLabelOptions(f"label format {name!r} is unknown; use one of {', '.join(FORMATS)}")
    return fmt


def render_labels(
    contents: Sequence[LabelContent],
    options: LabelOptions,
    fmt: str,
    *,
    copies: int = 1,
    sheet: SheetOptions | None = None,
) -> bytes:
    """Render labels in one format and return the file's bytes.

    PNG and SVG contain exactly one label. PDF contains one page per label,
    or sheets of labels when ``sheet`` is given. ZPL contains one label
    format per content. Raises LabelError (LabelTooSmall, PayloadTooLong, ...) naming the problem.
    """
    fmt = check_format(fmt)
    if not contents:
        raise LabelError("no labels to render; give at least one id")
    if not 1 <= copies <= MAX_COPIES:
        raise LabelError(f"{copies} copies is out of range; print 1 to {MAX_COPIES} copies of a label")
    if sheet is not None and fmt != "pdf":
        raise InvalidLabelOptions(f"sheets of labels are made as PDF only, not {fmt}; use --format pdf")
    if fmt == "zpl":
        return render_zpl(contents, options, copies=copies)
    if fmt in ("png", "svg"):
        if len(contents) != 1 or copies != 1:
            raise LabelError(f"{fmt.upper()} files contain one label each; use PDF or ZPL for several labels or copies")
        prepared = prepare_label(contents[0], options)
        return render_png(prepared) if fmt == "png" else render_svg(prepared)
    labels = [prepare_label(content, options) for content in contents]
    return render_pdf([label for label in labels for _copy in range(copies)], sheet=sheet)
