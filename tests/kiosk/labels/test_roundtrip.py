"""Every format, size and resolution renders to an image at printer resolution that decodes to the exact payload."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from kiosk.labels.content import LabelContent, make_label_content
from kiosk.labels.options import LabelOptions, SheetOptions
from kiosk.labels.render import render_labels
from kiosk.labels.render_pdf import sheet_grid
from kiosk.labels.sizes import PAPERS, STANDARD_SIZES, LabelSize, mm_to_dots
from kiosk.scan.payloads import ProjectLabel, parse_payload
from tests.kiosk.labels.support import decode_texts, draw_zpl_label, qr_payload, rasterise_pdf, rasterise_svg, read_zpl

CUSTOM_SIZES = (LabelSize(70, 40), LabelSize(40, 60))
ALL_SIZES = (*STANDARD_SIZES, *CUSTOM_SIZES)
PRINTER_DPI = (203, 300)


def container_content(identifier: str = "C-0KZ3M7Q1X2ABCD", *, resolver_base: str | None = None) -> LabelContent:
    lines = ["Lot SUP-2024-0815", "Ti-6Al-4V grade 23", "2024-05-01 · ST-01"]
    return make_label_content("container", identifier, lines, resolver_base=resolver_base)


def rendered_image(content: LabelContent, options: LabelOptions, fmt: str, tmp_path: Path) -> Image.Image:
    """Render one label and turn it into the image its printer would print."""
    data = render_labels([content], options, fmt)
    if fmt == "png":
        return Image.open(io.BytesIO(data))
    if fmt == "svg":
        return rasterise_svg(data, options.dpi, tmp_path)
    if fmt == "pdf":
        pages = rasterise_pdf(data, options.dpi, tmp_path)
        assert len(pages) == 1
        return pages[0]
    labels = read_zpl(data)
    assert len(labels) == 1
    return draw_zpl_label(labels[0])


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "zpl"])
@pytest.mark.parametrize("dpi", PRINTER_DPI)
@pytest.mark.parametrize("size", ALL_SIZES, ids=lambda size: size.name)
def test_label_round_trip_every_combination(fmt: str, dpi: int, size: LabelSize, tmp_path: Path) -> None:
    content = container_content()
    options = LabelOptions(size, dpi, known_sizes=ALL_SIZES)

    image = rendered_image(content, options, fmt, tmp_path)

    # The image is the label at printer resolution, within a pixel of rounding.
    assert abs(image.width - mm_to_dots(size.width_mm, dpi)) <= 1
    assert abs(image.height - mm_to_dots(size.height_mm, dpi)) <= 1
    assert decode_texts(image) == [content.payload]


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "zpl"])
@pytest.mark.parametrize("level", ["M", "Q", "H"])
def test_round_trip_each_error_correction(fmt: str, level: str, tmp_path: Path) -> None:
    content = container_content()
    options = LabelOptions(LabelSize(62, 29), 203, error_correction=level)

    image = rendered_image(content, options, fmt, tmp_path)

    assert decode_texts(image) == [content.payload]


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "zpl"])
def test_round_trip_resolver_uri_payload(fmt: str, tmp_path: Path) -> None:
    content = container_content("C-0KZ3M7Q1X2ABCD", resolver_base="https://lineage.plant-7.example/labels")
    options = LabelOptions(LabelSize(50, 25), 300)

    image = rendered_image(content, options, fmt, tmp_path)

    assert content.payload == "https://lineage.plant-7.example/labels/pl1/c/C-0KZ3M7Q1X2ABCD"
    assert decode_texts(image) == [content.payload]


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "zpl"])
def test_round_trip_longest_identifier(fmt: str, tmp_path: Path) -> None:
    # 64 characters, lower case and '/' included: byte mode, the largest code an id makes.
    identifier = "lot-import/" + "a1b2c3d4e5" * 5 + "xyz"
    content = make_label_content("lot", identifier, ["Acme Powders"])
    options = LabelOptions(LabelSize(62, 29), 300)

    image = rendered_image(content, options, fmt, tmp_path)

    assert decode_texts(image) == [content.payload]
    parsed = parse_payload(content.payload)
    assert isinstance(parsed, ProjectLabel)
    assert parsed.identifier == identifier


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("size", STANDARD_SIZES, ids=lambda size: size.name)
def test_pdf_sheet_cells_decode(paper: str, size: LabelSize, tmp_path: Path) -> None:
    dpi = 203
    sheet = SheetOptions(PAPERS[paper])
    grid = sheet_grid(size.width_mm, size.height_mm, sheet)
    # One label more than a page holds, so a second page is needed.
    contents = [container_content(f"C-{index:04d}") for index in range(len(grid.cells) + 1)]

    data = render_labels(contents, LabelOptions(size, dpi), "pdf", sheet=sheet)
    pages = rasterise_pdf(data, dpi, tmp_path)

    assert len(pages) == 2
    assert abs(pages[0].width - mm_to_dots(PAPERS[paper].width_mm, dpi)) <= 1
    placed = [(page, cell) for page in pages for cell in grid.cells][: len(contents)]
    for content, (page, (x_mm, y_mm)) in zip(contents, placed, strict=True):
        left, top = mm_to_dots(x_mm, dpi), mm_to_dots(y_mm, dpi)
        cell = page.crop((left, top, left + mm_to_dots(size.width_mm, dpi), top + mm_to_dots(size.height_mm, dpi)))
        assert decode_texts(cell) == [content.payload], f"label {content.identifier} at {x_mm} mm, {y_mm} mm"


def test_pdf_copies_make_pages(tmp_path: Path) -> None:
    content = container_content()

    data = render_labels([content], LabelOptions(LabelSize(50, 25), 203), "pdf", copies=3)
    pages = rasterise_pdf(data, 203, tmp_path)

    assert len(pages) == 3
    assert [decode_texts(page) for page in pages] == [[content.payload]] * 3


def test_zpl_job_holds_each_label() -> None:
    contents = [container_content("C-0001"), container_content("C-0002")]

    labels = read_zpl(render_labels(contents, LabelOptions(LabelSize(50, 25), 203), "zpl", copies=2))

    assert [qr_payload(label.qr_fields[0]) for label in labels] == ["PL1:C:C-0001", "PL1:C:C-0002"]
    assert [label.copies for label in labels] == [2, 2]
