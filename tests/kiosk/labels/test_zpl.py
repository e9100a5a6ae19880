"""ZPL jobs: the ^BQ mode prefix, ^FH escapes that no payload can break, and Zebra resolutions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.labels.content import LabelContent, make_label_content
from kiosk.labels.errors import InvalidLabelOptions
from kiosk.labels.options import LabelOptions
from kiosk.labels.render import render_labels
from kiosk.labels.render_zpl import escape_field_data, qr_field_data
from kiosk.labels.sizes import LabelSize
from sync.ids import IDENTIFIER_RE
from tests.kiosk.labels.support import ZplQrField, decode_texts, draw_zpl_label, qr_payload, read_zpl, unescape_field

OPTIONS = LabelOptions(LabelSize(62, 29), 203)


def raw_content(payload: str, lines: tuple[str, ...] = ("C-0001",)) -> LabelContent:
    """A label whose payload is any text, as a hostile or damaged input could make it."""
    return LabelContent("container", "C-0001", payload, lines)


@pytest.mark.parametrize(
    "text",
    ["^XZ^XA^FDhijack", "~JA cancel all", "under_score", "Grüße ÄÖÜ", "ťž-ščř", "lot\nnumber\r", "💥", "_5E"],
)
def test_escape_field_data_round_trips(text: str) -> None:
    escaped = escape_field_data(text)

    assert "^" not in escaped
    assert "~" not in escaped
    assert escaped.isascii()
    assert all(0x20 <= ord(character) < 0x7F for character in escaped)
    assert unescape_field(escaped, "_") == text.encode("utf-8")


def test_qr_field_has_mode_prefix() -> None:
    assert qr_field_data("PL1:C:C-0001", "Q") == "QA,PL1:C:C-0001"
    # Without the prefix a printer would take "PL" as error correction and mode and drop them.
    assert qr_field_data("PL1:C:C-0001", "H").startswith("HA,")


def test_non_ascii_payload_uses_byte_mode() -> None:
    payload = "https://etikett.werk-süd.example/pl1/c/C-0001"

    data = qr_field_data(payload, "M")

    byte_count = len(payload.encode("utf-8"))
    assert data.startswith(f"MM,B{byte_count:04d}")
    assert "ü" not in data


@pytest.mark.parametrize(
    "payload",
    [
        "PL1:C:C-0001",
        "PL1:C:^XZ^XA~JA",
        "https://labels.example/pl1/c/C_0001?x=^FS",
        "https://etikett.werk-süd.example/pl1/c/C-0001",
        "PL1:L:lot/2024-ß-~",
    ],
)
def test_qr_payload_survives_zpl_exactly(payload: str) -> None:
    job = render_labels([raw_content(payload)], OPTIONS, "zpl")

    labels = read_zpl(job)

    assert len(labels) == 1
    assert len(labels[0].qr_fields) == 1
    assert qr_payload(labels[0].qr_fields[0]) == payload
    assert decode_texts(draw_zpl_label(labels[0])) == [payload]


def test_hostile_text_lines_stay_fields() -> None:
    lines = ("C-0001", "Lot ^XZ^XA^FO0,0^GB800,800,800^FS", "Supplier ~JA", "Grade_ö")

    labels = read_zpl(render_labels([raw_content("PL1:C:C-0001", lines)], OPTIONS, "zpl"))

    # One label with every line as text: nothing in the data started a command or a new format.
    assert len(labels) == 1
    texts = labels[0].texts
    assert texts[0] == "C-0001"
    for line, text in zip(lines[1:], texts[1:], strict=True):
        assert line.startswith(text.rstrip("…"))


@pytest.mark.parametrize("dpi", [203, 300])
def test_zpl_label_size_in_dots(dpi: int) -> None:
    content = make_label_content("sample", "S-0001", ["Sample of lot SUP-1"])

    label = read_zpl(render_labels([content], LabelOptions(LabelSize(100, 50), dpi), "zpl"))[0]

    assert (label.width, label.length) == LabelSize(100, 50).dots(dpi)
    qr = label.qr_fields[0]
    # ^BQ magnifies up to 10 dots per module.
    assert 3 <= qr.magnification <= 10
    # The quiet zone of 4 modules lies on the label on every side of the printed symbol.
    inverted = draw_zpl_label(label).point(lambda value: 255 - value)
    box = inverted.getbbox()
    assert box is not None
    left, top, right, bottom = box
    quiet = 4 * qr.magnification
    assert left >= quiet
    assert top >= quiet
    assert right + quiet <= label.width
    assert bottom + quiet <= label.length


def test_zpl_rejects_non_zebra_resolution() -> None:
    content = make_label_content("container", "C-0001", [])

    with pytest.raises(InvalidLabelOptions, match="250 dpi"):
        render_labels([content], LabelOptions(LabelSize(50, 25), 250), "zpl")


@given(text=st.text(max_size=80))
def test_escape_any_text_round_trips(text: str) -> None:
    escaped = escape_field_data(text)

    assert all(0x20 <= ord(character) < 0x7F for character in escaped)
    assert "^" not in escaped
    assert "~" not in escaped
    assert unescape_field(escaped, "_") == text.encode("utf-8")


@given(identifier=st.from_regex(IDENTIFIER_RE, fullmatch=True))
def test_qr_field_any_identifier(identifier: str) -> None:
    payload = f"PL1:C:{identifier}"
    field = ZplQrField(0, 0, 4, "Q", unescape_field(qr_field_data(payload, "Q"), "_"))

    assert qr_payload(field) == payload
