"""Label layout: whole-dot modules, the quiet zone on the label, text inside it, and sizes that are too small."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.labels.errors import InvalidLabelOptions, InvalidLabelSize, LabelTooSmall
from kiosk.labels.fonts import text_width
from kiosk.labels.layout import EDGE_MARGIN_MM, IdentifierLine, LabelLayout, layout_label
from kiosk.labels.options import LabelOptions, SheetOptions
from kiosk.labels.qr import encode_qr
from kiosk.labels.sizes import PAPERS, STANDARD_SIZES, LabelSize, find_paper, find_size, mm_to_dots, parse_size

LINES = [
    "C-0KZ3M7Q1X2ABCD",
    "Lot SUP-2024-0815 with a very long supplier lot number",
    "Ti-6Al-4V grade 23",
    "2024-05-01 · ST-01",
]


@pytest.mark.parametrize("dpi", [203, 300, 600])
@pytest.mark.parametrize("size", [*STANDARD_SIZES, LabelSize(40, 60)], ids=lambda size: size.name)
def test_layout_keeps_everything_on_label(size: LabelSize, dpi: int) -> None:
    symbol = encode_qr("PL1:C:C-0KZ3M7Q1X2ABCD", error_correction="Q")

    layout = layout_label(LINES, symbol.size, LabelOptions(size, dpi))

    quiet = 4 * layout.module
    assert layout.qr_x - quiet >= 0
    assert layout.qr_y - quiet >= 0
    assert layout.qr_x + layout.symbol_width + quiet <= layout.width
    assert layout.qr_y + layout.symbol_width + quiet <= layout.height
    assert layout.module >= 3
    assert len(layout.lines) >= 3
    for line in layout.lines:
        assert line.baseline <= layout.height
        assert line.baseline - line.size >= 0
        # Text starts outside the QR code's square and its quiet zone.
        assert (
            line.x >= layout.qr_x + layout.symbol_width + quiet
            or line.baseline - line.size >= layout.qr_y + layout.symbol_width
        )


def test_long_line_shortened_with_ellipsis() -> None:
    layout = layout_label(LINES, 25, LabelOptions(LabelSize(50, 25), 203))

    texts = [line.text for line in layout.lines]
    assert texts[0] == "C-0KZ3M7Q1X2ABCD"
    assert texts[1].endswith("…")
    assert "SUP-2024-0815".startswith(texts[1].removeprefix("Lot ").rstrip("…")[:8])


LONGEST_ID = ("C-" + "0KZ3M7Q1X2ABCDEFGHJKMNPQRSTVWXYZ" * 2)[:64]
UNBROKEN_ID = ("C" + "0KZ3M7Q1X2ABCDEFGHJKMNPQRSTVWXYZ" * 2)[:64]


def whole_line_rows(layout: LabelLayout, whole_lines: list[str]) -> list[list[str]]:
    """Split the layout's rows among the whole lines, in order; each group must spell its line."""
    rows = [line.text for line in layout.lines]
    groups = []
    for expected in whole_lines:
        group: list[str] = []
        while "".join(group).replace(" ", "") != expected.replace(" ", ""):
            assert rows, f"{expected!r} is not shown whole: {[line.text for line in layout.lines]}"
            group.append(rows.pop(0))
        groups.append(group)
    return groups


def assert_rows_inside(layout: LabelLayout) -> None:
    right_edge = layout.width - mm_to_dots(EDGE_MARGIN_MM, layout.dpi)
    for line in layout.lines:
        assert line.x + text_width(line.text, line.size, bold=line.bold) <= right_edge, line
        assert line.baseline <= layout.height
        assert line.baseline - line.size >= 0


@pytest.mark.parametrize("dpi", [152, 203, 300, 600])
@pytest.mark.parametrize("size", [*STANDARD_SIZES, LabelSize(40, 60), LabelSize(70, 40)], ids=lambda size: size.name)
@pytest.mark.parametrize("identifier", ["VAL24-00001-D02", LONGEST_ID, UNBROKEN_ID])
def test_whole_id_fits_every_size(size: LabelSize, dpi: int, identifier: str) -> None:
    # Drums of one lot differ only at the id's end (-D01, -D02), so an id cut short is no id.
    lines = [
        f"C-{identifier[-14:]}",
        IdentifierLine(f"Container {identifier}"),
        IdentifierLine("Lot SUP-2024-0815 with a very long supplier lot number"),
        "Ti-6Al-4V grade 23",
        "2024-05-01 · ST-01",
    ]
    symbol = encode_qr(f"PL1:C:{identifier}", error_correction="Q")

    layout = layout_label(lines, symbol.size, LabelOptions(size, dpi))

    groups = whole_line_rows(layout, [str(line) for line in lines[:3]])
    assert groups[0] == [lines[0]]
    assert all("…" not in row for group in groups for row in group)
    assert_rows_inside(layout)


def test_container_line_wraps_not_cut() -> None:
    lines = ["C-041YXPQM3Y7YM5", IdentifierLine("Container VAL24-00001-D02"), IdentifierLine("Lot VAL24-00001")]

    layout = layout_label(lines, 25, LabelOptions(LabelSize(50, 25), 203))

    texts = [line.text for line in layout.lines]
    assert texts[0] == "C-041YXPQM3Y7YM5"
    assert "VAL24-00001-D02" in texts
    assert "Container" in texts[1]


def test_whole_lines_beat_other_lines() -> None:
    # With no room for all, the lines that may be cut are dropped, last first.
    fillers = [f"note {number}" for number in range(1, 6)]
    lines = ["C-1", IdentifierLine(f"Container {LONGEST_ID}"), IdentifierLine("Lot VAL24-00001"), *fillers]

    layout = layout_label(lines, 25, LabelOptions(LabelSize(50, 25), 203))

    assert len(whole_line_rows(layout, [str(line) for line in lines[:3]])) == 3
    shown_fillers = [line.text for line in layout.lines if line.text.startswith("note")]
    assert 0 < len(shown_fillers) < len(fillers)
    assert shown_fillers == fillers[: len(shown_fillers)]
    assert_rows_inside(layout)


def test_no_room_for_ids_raises() -> None:
    lines = ["C-1", *(IdentifierLine(f"Container {LONGEST_ID}") for _ in range(12))]

    with pytest.raises(LabelTooSmall, match="has no room beside its QR code for the whole id 'C-1'"):
        layout_label(lines, 25, LabelOptions(LabelSize(50, 25), 203))


def test_too_small_label_names_fix() -> None:
    # A version 11 code (61 modules and 8 of quiet zone) at 4 dots per module needs
    # 276 dots (34.5 mm): more than 50x25 (200 dots) or 62x29 (232 dots) offer.
    options = LabelOptions(LabelSize(50, 25), 203, min_module_dots=4, known_sizes=(*STANDARD_SIZES, LabelSize(70, 40)))

    with pytest.raises(LabelTooSmall) as caught:
        layout_label(LINES, 61, options)

    message = str(caught.value)
    assert "50x25 mm" in message
    assert "203 dpi" in message
    assert "at least 4 dots" in message
    assert "34.5 mm square" in message
    assert "smallest label stock that works is 70x40 mm" in message


def test_too_small_everywhere_says_so() -> None:
    options = LabelOptions(LabelSize(50, 25), 203, min_module_dots=12)

    with pytest.raises(LabelTooSmall, match="none of this station's label stocks is large enough"):
        layout_label(LINES, 57, options)


def test_millimetre_minimum_applies_at_600_dpi() -> None:
    # 3 dots at 600 dpi are 0.13 mm: printable, but below the 0.25 mm a scanner reads reliably.
    symbol_modules = 57
    options = LabelOptions(LabelSize(50, 25), 600)

    layout = layout_label(LINES, symbol_modules, options)

    assert layout.module * 25.4 / 600 >= 0.25


def test_zpl_magnification_cap_respected() -> None:
    layout = layout_label(LINES, 21, LabelOptions(LabelSize(100, 50), 600), max_module_dots=10)

    assert layout.module == 10


@pytest.mark.parametrize("level", ["L", "X", ""])
def test_weak_error_correction_rejected(level: str) -> None:
    with pytest.raises(InvalidLabelOptions, match="use M, Q or H"):
        LabelOptions(LabelSize(50, 25), 203, error_correction=level)


def test_quiet_zone_below_four_rejected() -> None:
    with pytest.raises(InvalidLabelOptions, match="at least 4"):
        LabelOptions(LabelSize(50, 25), 203, quiet_zone_modules=3)


@pytest.mark.parametrize("dpi", [50, 5000])
def test_out_of_range_dpi_rejected(dpi: int) -> None:
    with pytest.raises(InvalidLabelOptions, match=f"{dpi} dpi"):
        LabelOptions(LabelSize(50, 25), dpi)


@pytest.mark.parametrize(
    ("text", "expected"), [("50x25", (50, 25)), (" 62 X 29 mm", (62, 29)), ("70.5x40", (70.5, 40))]
)
def test_parse_size_accepts_forms(text: str, expected: tuple[float, float]) -> None:
    size = parse_size(text)

    assert (size.width_mm, size.height_mm) == expected


@pytest.mark.parametrize("text", ["50", "50x", "axb", "5x25", "50x400", "-50x25", "50x25x3"])
def test_parse_size_rejects_malformed(text: str) -> None:
    with pytest.raises(InvalidLabelSize, match="label size"):
        parse_size(text)


def test_find_size_custom_and_unknown() -> None:
    assert find_size("70x40", ["70x40"]) == LabelSize(70, 40)

    with pytest.raises(InvalidLabelSize, match="label_custom_sizes") as caught:
        find_size("70x40", [])
    assert "50x25, 62x29, 100x50" in str(caught.value)


def test_sheet_options_papers() -> None:
    assert find_paper("letter") == PAPERS["Letter"]
    assert SheetOptions(find_paper("A4")).paper.width_mm == 210

    with pytest.raises(InvalidLabelOptions, match="A4, Letter"):
        find_paper("A3")


def test_bad_custom_size_names_setting(tmp_path: Path) -> None:
    config_file = tmp_path / "station.toml"
    config_file.write_text('[label]\ncustom_sizes = ["70x40", "huge"]\n')

    with pytest.raises(InvalidLabelSize, match="label_custom_sizes: label size 'huge'"):
        LabelOptions.from_config(load_config(config_file))
