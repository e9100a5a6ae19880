"""Decoding made QR images: exact text, character sets, binary data, structured append and hard geometry."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import segno
import zxingcpp

from kiosk.scan.decoding import DECODE_CHAIN, ZBAR_STEP, DecodedCode, DecodeStep, decode_image
from kiosk.scan.payloads import Gs1Data, ProjectLabel, format_label_payload
from kiosk.scan.pipeline import code_payload
from kiosk.scan.structured_append import first_mode_indicator
from tests.kiosk.scan.images import blank_frame, in_frame, in_perspective, inverted, qr_image, rotated, symbol_image

LABEL = "PL1:C:C-0KZ3M7Q1X2ABCD"
ZXING_STEP = DECODE_CHAIN[0]


def single(codes: list[DecodedCode]) -> DecodedCode:
    assert len(codes) == 1, codes
    return codes[0]


def gs1_qr_image(element_string_hri: str) -> np.ndarray:
    barcode = zxingcpp.create_barcode(element_string_hri, zxingcpp.BarcodeFormat.QRCode, gs1=True)
    image = np.array(zxingcpp.write_barcode_to_image(barcode, scale=5))
    return image


def test_label_reads_exact_text() -> None:
    code = single(decode_image(qr_image(LABEL)))
    assert code.text == LABEL
    assert code.raw == LABEL.encode()
    assert code.charset == "ASCII"
    assert code.flags == ()
    assert code.decoder == "zxing-cpp"
    assert len(code.position) == 4


def test_bgr_bgra_and_gray_inputs() -> None:
    gray = qr_image(LABEL)
    for image in (
        gray,
        cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR),
        cv2.cvtColor(gray, cv2.COLOR_GRAY2BGRA),
        gray[:, :, None],
    ):
        assert single(decode_image(image)).text == LABEL


def test_non_image_input_raises() -> None:
    with pytest.raises(ValueError, match="uint8"):
        decode_image(np.zeros((10, 10), np.float32))
    with pytest.raises(ValueError, match="gray, BGR or BGRA"):
        decode_image(np.zeros((10, 10, 2), np.uint8))


def test_empty_and_blank_images_read_nothing() -> None:
    assert decode_image(np.zeros((0, 0), np.uint8)) == []
    assert decode_image(blank_frame()) == []
    assert decode_image(np.full((480, 640), 255, np.uint8)) == []


def test_inverted_code_reads() -> None:
    assert single(decode_image(inverted(qr_image(LABEL)))).text == LABEL


@pytest.mark.parametrize("degrees", [90, 180, 30, -45])
def test_rotated_code_reads(degrees: float) -> None:
    assert single(decode_image(rotated(qr_image(LABEL), degrees))).text == LABEL


def test_code_in_perspective_reads() -> None:
    assert single(decode_image(in_perspective(qr_image(LABEL, scale=8), tilt=0.3))).text == LABEL


def test_small_code_reads() -> None:
    # Two pixels per module: a 25-module code 50 pixels wide in a 720p frame.
    frame = in_frame([qr_image(LABEL, scale=2)])
    assert single(decode_image(frame)).text == LABEL


def test_several_codes_all_reported() -> None:
    texts = ["PL1:C:C-1", "PL1:L:L-2", "PL1:S:S-3"]
    frame = in_frame([qr_image(text, scale=5) for text in texts])
    assert sorted(str(code.text) for code in decode_image(frame)) == sorted(texts)


def test_latin1_with_eci_exact() -> None:
    code = single(decode_image(qr_image("Grüße aus Köln", encoding="iso-8859-1", eci=True)))
    assert code.text == "Grüße aus Köln"
    assert code.raw == "Grüße aus Köln".encode("latin-1")


def test_latin1_without_eci_uses_qr_default() -> None:
    code = single(decode_image(qr_image("Grüße aus Köln", encoding="iso-8859-1")))
    assert code.text == "Grüße aus Köln"
    assert code.charset == "ISO-8859-1"
    assert not code.charset_guessed


def test_utf8_with_and_without_eci() -> None:
    for eci in (True, False):
        code = single(decode_image(qr_image("Pulver Ø 45 µm – Charge", encoding="utf-8", eci=eci)))
        assert code.text == "Pulver Ø 45 µm – Charge"
        assert code.charset == ("ECI 26 (utf-8)" if eci else "UTF-8")


def test_other_eci_charset_exact() -> None:
    code = single(decode_image(qr_image("Порошок партия 7", encoding="cp1251", eci=True)))
    assert code.text == "Порошок партия 7"
    assert code.charset == "ECI 22 (cp1251)"
    assert not code.charset_guessed


def test_shift_jis_kanji_mode_flagged() -> None:
    code = single(decode_image(qr_image("粉末ロット", mode="kanji")))
    assert code.text == "粉末ロット"
    assert code.charset == "Shift_JIS"
    assert code.charset_guessed
    assert "charset_guessed" in code.flags


def test_shift_jis_byte_mode_flagged() -> None:
    code = single(decode_image(qr_image("粉末ロット".encode("shift_jis"), mode="byte")))
    assert code.text == "粉末ロット"
    assert code.charset_guessed


def test_binary_payload_flagged_not_text() -> None:
    raw = bytes(range(256))
    code = single(decode_image(qr_image(raw, mode="byte")))
    assert code.text is None
    assert code.raw == raw
    assert "binary" in code.flags
    assert code.binary_reason
    payload = code_payload(code)
    assert not payload.accepted
    assert "256 bytes of binary data" in payload.reason  # type: ignore[attr-defined]


def test_binary_payload_by_zbar() -> None:
    raw = bytes(range(128, 256)) + b"\x00\x01"
    code = single(ZBAR_STEP.read(qr_image(raw, mode="byte")))
    assert code.text is None
    assert code.raw == raw


def test_structured_append_parts_flagged() -> None:
    message = format_label_payload("container", "C-0KZ3M7Q1X2ABCD") + "-AND-MORE-TEXT-IN-THREE-PARTS"
    parts = segno.make_sequence(message, symbol_count=3)
    for part in parts:
        code = single(decode_image(symbol_image(part)))
        assert code.is_structured_append_part
        assert "structured_append_part" in code.flags
        payload = code_payload(code)
        assert not isinstance(payload, ProjectLabel)
        assert "multi-part (structured append)" in payload.reason  # type: ignore[attr-defined]
    # The first part's text alone looks like a whole label: it must never pass as one.
    first = single(decode_image(symbol_image(parts[0])))
    assert first.text is not None
    assert first.text.startswith("PL1:C:C-0KZ")


def test_structured_append_parts_by_zbar() -> None:
    parts = segno.make_sequence("PL1:C:C-0KZ3M7Q1X2ABCD-AND-MORE-TEXT", symbol_count=2)
    code = single(ZBAR_STEP.read(symbol_image(parts[0])))
    assert code.is_structured_append_part


def test_whole_code_not_flagged_as_part() -> None:
    for text in (LABEL, "x" * 300, "12345678901234567890"):
        assert not single(decode_image(qr_image(text))).is_structured_append_part


def test_mode_indicator_read_from_matrix() -> None:
    part = segno.make_sequence("PL1:C:C-0KZ3M7Q1X2ABCD-AND-MORE-TEXT", symbol_count=2)[0]
    whole = segno.make_qr("PL1:C:C-0KZ3M7Q1X2ABCD", mode="alphanumeric")
    for symbol, expected in ((part, 0b0011), (whole, 0b0010)):
        modules = np.array(symbol.matrix, dtype=bool)
        assert first_mode_indicator(modules, symbol.mask) == expected


@pytest.mark.parametrize("step", [ZXING_STEP, ZBAR_STEP], ids=["zxing-cpp", "zbar"])
def test_gs1_code_by_each_decoder(step: DecodeStep) -> None:
    code = single(step.read(gs1_qr_image("(01)09501101530003(10)ABC123(17)251231")))
    assert code.text == "010950110153000310ABC123\x1d17251231"
    assert code.is_gs1
    assert code.symbology_identifier == "]Q3"
    payload = code_payload(code)
    assert isinstance(payload, Gs1Data)
    assert payload.batch_lot == "ABC123"


@pytest.mark.parametrize(
    "content", [LABEL, "https://labels.example.com/pl1/c/C-0KZ3M7Q1X2ABCD", "LOT-4711", "Pulver Ø 45 µm"]
)
def test_decoders_agree_on_text(content: str) -> None:
    image = qr_image(content, encoding="utf-8")
    assert single(ZXING_STEP.read(image)).text == single(ZBAR_STEP.read(image)).text == content


def test_zbar_leaves_unknown_charset_unread() -> None:
    # Without ECI, ZBar cannot tell Latin-1 from Shift_JIS: the bytes come back flagged, never guessed.
    code = single(ZBAR_STEP.read(qr_image("Grüße", encoding="iso-8859-1")))
    assert code.text is None
    assert code.raw == "Grüße".encode("latin-1")
