"""Parsing scan payloads: the project's labels, GS1 data, supplier lot numbers and rejections."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.scan.gs1 import gs1_check_digit
from kiosk.scan.keyboard_layouts import LAYOUTS
from kiosk.scan.payloads import (
    MAX_PAYLOAD_CHARACTERS,
    MAX_RESOLVER_BASE_CHARACTERS,
    Gs1Data,
    InvalidLabelRequest,
    LabelKind,
    ProjectLabel,
    RejectedLabelPayload,
    RejectedPayload,
    SupplierLotNumber,
    escape_for_message,
    format_label_payload,
    identifier_for_lookup,
    parse_payload,
)
from sync.ids import IDENTIFIER_PATTERN, new_short_id
from tests.kiosk.scan.keyboards import typed_with

identifiers = st.from_regex(rf"\A{IDENTIFIER_PATTERN}\Z")
resolver_bases = st.builds(
    lambda host, path: f"https://{host}.example{path}",
    st.from_regex(r"\A[a-z][a-z0-9-]{0,20}\Z"),
    st.sampled_from(["", "/", "/r", "/labels/site-2/", "/pl1/x"]),
)


@pytest.mark.parametrize(
    ("text", "kind", "identifier"),
    [
        ("PL1:C:C-0KZ3M7Q1X2ABCD", "container", "C-0KZ3M7Q1X2ABCD"),
        ("PL1:L:L-0KZ3M7Q1X2ABCD", "lot", "L-0KZ3M7Q1X2ABCD"),
        ("PL1:S:S-0KZ3M7Q1X2ABCD", "sample", "S-0KZ3M7Q1X2ABCD"),
        ("PL1:B:OP-0001", "operator_badge", "OP-0001"),
        ("https://labels.example.com/pl1/c/C-0KZ3M7Q1X2ABCD", "container", "C-0KZ3M7Q1X2ABCD"),
        ("https://labels.example.com/site/pl1/l/old%2Flot.7", "lot", "old/lot.7"),
        ("HTTPS://LABELS.EXAMPLE.COM/PL1/S/S-1", "sample", "S-1"),
        ("https://x.example/pl1/b/OP-0001?source=print", "operator_badge", "OP-0001"),
    ],
)
def test_project_label_forms_parse(text: str, kind: str, identifier: str) -> None:
    payload = parse_payload(text)
    assert isinstance(payload, ProjectLabel)
    assert payload.kind == kind
    assert payload.identifier == identifier
    assert payload.accepted


def test_later_label_version_rejected() -> None:
    for text in ("PL2:C:C-1", "https://labels.example.com/pl2/c/C-1", "PL17:X:anything"):
        payload = parse_payload(text)
        assert isinstance(payload, RejectedPayload)
        assert payload.reason.startswith("label format version")
        assert "is not supported by this station; update Powder Lineage" in payload.reason
    assert parse_payload("PL2:C:C-1").reason == (  # type: ignore[attr-defined]
        "label format version 2 is not supported by this station; update Powder Lineage"
    )


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("PL1:X:C-1", "label kind 'X' is unknown"),
        ("PL1:C:", "container id '' is not valid"),
        ("PL1:C:-starts-with-dash", "is not valid"),
        ("PL1:C:" + "A" * 65, "is not valid"),
        ("PL1:C:has space", "is not valid"),
        ("PL1:", "label kind '' is unknown"),
        ("http://labels.example.com/pl1/c/C-1", "must start with https://"),
        ("https://labels.example.com/pl1/q/C-1", "label kind 'q' is unknown"),
        ("https://labels.example.com/pl1/c/%FF%FE", "is not valid"),
        ("https://example.com/some/page", "neither a Powder Lineage label nor a GS1 Digital Link; it was not opened"),
        ("ftp://example.com/pl1/c/C-1", "must start with https://"),
        ("", "the scan is empty"),
        ("   \r\n", "the scan is empty"),
        ("lot 4711 with spaces", "is not a Powder Lineage label, GS1 data or a supplier lot number"),
        ("A\x00B\x07C", "contains control characters"),
    ],
)
def test_bad_payloads_rejected_with_reason(text: str, reason_part: str) -> None:
    payload = parse_payload(text)
    assert isinstance(payload, RejectedPayload)
    assert not payload.accepted
    assert reason_part in payload.reason


def test_control_characters_shown_escaped() -> None:
    payload = parse_payload("A\x00B\x07C\x1b[2J")
    assert isinstance(payload, RejectedPayload)
    assert "\\x00" in payload.reason
    assert "\\x1b" in payload.reason
    assert "\x00" not in payload.reason
    assert "\x1b" not in payload.reason


def test_overlong_payload_rejected_before_parsing() -> None:
    payload = parse_payload("PL1:C:" + "A" * MAX_PAYLOAD_CHARACTERS)
    assert isinstance(payload, RejectedPayload)
    assert f"at most {MAX_PAYLOAD_CHARACTERS}" in payload.reason
    assert len(payload.reason) < 200


def test_supplier_lot_number_parses() -> None:
    for text in ("LOT-4711", "24A0815/3", "B.2024.11#7", "0123456789012345"):
        payload = parse_payload(text)
        assert isinstance(payload, SupplierLotNumber), text
        assert payload.lot_number == text
        assert payload.kind == "supplier_lot"


def test_gs1_element_string_with_separators() -> None:
    payload = parse_payload("]C10109501101530003\x1d10ABC123\x1d17251231")
    assert isinstance(payload, Gs1Data)
    assert payload.symbology_identifier == "]C1"
    assert payload.gtin == "09501101530003"
    assert payload.batch_lot == "ABC123"
    assert payload.value("17") == "251231"
    assert [element.ai for element in payload.elements] == ["01", "10", "17"]


@pytest.mark.parametrize("identifier", ["]Q3", "]d2", "]C1", "]e0"])
def test_gs1_symbology_identifiers_recognised(identifier: str) -> None:
    payload = parse_payload(f"{identifier}010950110153000310LOT7\x1d21SER9\x1d37120\x1d40012345")
    assert isinstance(payload, Gs1Data)
    assert payload.symbology_identifier == identifier
    assert payload.batch_lot == "LOT7"
    assert payload.serial == "SER9"
    assert payload.value("37") == "120"
    assert payload.value("400") == "12345"


def test_gs1_identifier_passed_by_decoder() -> None:
    payload = parse_payload("010950110153000310LOT7\x1d11240101", symbology_identifier="]Q3")
    assert isinstance(payload, Gs1Data)
    assert payload.value("11") == "240101"


def test_gs1_leading_group_separator_read() -> None:
    payload = parse_payload("\x1d0109501101530003\x1d10LOT7")
    assert isinstance(payload, Gs1Data)
    assert payload.batch_lot == "LOT7"


def test_gs1_bracketed_form_parses() -> None:
    payload = parse_payload("(01)09501101530003(10)ABC123(21)XYZ")
    assert isinstance(payload, Gs1Data)
    assert payload.source == "bracketed"
    assert payload.serial == "XYZ"


def test_gs1_bracketed_form_spaced_as_printed() -> None:
    payload = parse_payload("(01) 09501101530003 (10) ABC123")
    assert isinstance(payload, Gs1Data)
    assert payload.gtin == "09501101530003"
    assert payload.batch_lot == "ABC123"


def test_gs1_blank_inside_a_value_named() -> None:
    payload = parse_payload("(01) 0950110153 0003 (10) ABC123")
    assert isinstance(payload, RejectedPayload)
    assert "(01) GTIN '0950110153 0003' contains a blank, a character GS1 does not allow" in payload.reason


def test_gs1_unmarked_element_string_parses() -> None:
    payload = parse_payload("01095011015300031725123110ABC")
    assert isinstance(payload, Gs1Data)
    assert payload.batch_lot == "ABC"


def with_check_digit(digits: str) -> str:
    return digits + str(gs1_check_digit(digits))


SSCC = with_check_digit("09501101530000001")


@pytest.mark.parametrize(
    ("unmarked", "separated", "reason_part"),
    [
        ("01095011015300031725134110ABC123", "0109501101530003\x1d17251341\x1d10ABC123", "not a valid YYMMDD date"),
        ("01095011015300037777XYZ", "0109501101530003\x1d7777XYZ", "unknown application identifier"),
        ("0209501101530003" + "37ABC", "0209501101530003\x1d37ABC", "must be digits only"),
        (f"00{SSCC}10" + "A" * 21, f"00{SSCC}\x1d10" + "A" * 21, "must have 1 to 20 characters"),
    ],
)
def test_unmarked_gs1_faults_rejected(unmarked: str, separated: str, reason_part: str) -> None:
    # Read as a lot number, these would record the whole GS1 string as the supplier's lot.
    payload = parse_payload(unmarked)
    with_separators = parse_payload(separated)
    assert isinstance(payload, RejectedPayload)
    assert isinstance(with_separators, RejectedPayload)
    assert reason_part in payload.reason
    assert reason_part in with_separators.reason
    assert payload.reason.startswith("GS1 data ")
    assert "so it is read as GS1 data, not as a lot number" in payload.reason


@pytest.mark.parametrize(
    "text",
    [
        "0109501101530004XYZ",  # the GTIN's check digit is wrong, so it is no GTIN
        "0109501101530003",  # a GTIN-like key alone
        "10ABC123",
        "01-2024-0815",
        "0012345",
    ],
)
def test_lot_numbers_like_gs1_accepted(text: str) -> None:
    payload = parse_payload(text)
    assert isinstance(payload, SupplierLotNumber)
    assert payload.lot_number == text


def test_unmarked_sscc_element_string_parses() -> None:
    payload = parse_payload(f"00{SSCC}10LOT-7")
    assert isinstance(payload, Gs1Data)
    assert payload.value("00") == SSCC
    assert payload.batch_lot == "LOT-7"


@pytest.mark.parametrize("value", [None, b"PL1:C:C-1", 7])
def test_parser_rejects_non_text_input(value: object) -> None:
    with pytest.raises(TypeError, match=f"takes the scanned text as str, not {type(value).__name__}"):
        parse_payload(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "identifier"),
    [
        ("PL1:C:C-0KZ3M7Q1X2ABCD", "C-0KZ3M7Q1X2ABCD"),
        (" https://labels.example.com/pl1/l/old%2Flot.7\n", "old/lot.7"),
        ("PL1:S:S-1", "S-1"),
        ("C-0001", "C-0001"),
        ("  SUP-2024-0815 ", "SUP-2024-0815"),
    ],
)
def test_lookup_identifier_from_payload(text: str, identifier: str) -> None:
    assert identifier_for_lookup(text) == identifier


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("PL1:B:OP-0001", "is an operator badge, not a container, lot or sample label"),
        ("PL2:C:C-1", "label format version 2 is not supported"),
        ("PL1:X:C-1", "label kind 'X' is unknown"),
        ("https://example.com/page", "neither a Powder Lineage label nor a GS1 Digital Link"),
    ],
)
def test_lookup_rejects_other_payloads(text: str, message_part: str) -> None:
    with pytest.raises(RejectedLabelPayload, match=message_part):
        identifier_for_lookup(text)


@pytest.mark.parametrize(
    "text",
    [
        "(01)09501101530003(10)VAL24-00001",
        "(01)09501101530003(17)251231(10)VAL24-00001",
        "https://id.gs1.org/01/09501101530003/10/VAL24-00001?17=251231",
        "https://id.gs1.org/01/09501101530003?10=VAL24-00001",
        "\x1d0109501101530003\x1d10VAL24-00001\x1d17251231",
        "0109501101530003\x1d10VAL24-00001",
        "]C1010950110153000310VAL24-00001",
        "]d201095011015300031725123110VAL24-00001",
        "010950110153000310VAL24-00001",
        " (01)09501101530003(10)VAL24-00001\n",
    ],
)
def test_lookup_gs1_gives_batch_lot(text: str) -> None:
    assert identifier_for_lookup(text) == "VAL24-00001"


@pytest.mark.parametrize(
    ("text", "carried"),
    [
        ("(01)09501101530003(17)251231", "GTIN (01), USE BY (17) but no BATCH/LOT (10)"),
        ("https://id.gs1.org/01/09501101530003/21/S1", "GTIN (01), SERIAL (21) but no BATCH/LOT (10)"),
        ("]C100095011015300000010", "SSCC (00) but no BATCH/LOT (10)"),
    ],
)
def test_lookup_gs1_without_batch_lot_rejected(text: str, carried: str) -> None:
    with pytest.raises(RejectedLabelPayload) as caught:
        identifier_for_lookup(text)
    message = str(caught.value)
    assert f"GS1 data {escape_for_message(text)} names no lot" in message
    assert carried in message
    assert "give the supplier's lot number, a lot, container or sample id" in message


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("(01)09501101530004(10)VAL24-00001", "(01) GTIN 09501101530004 has a wrong check digit"),
        ("(01)09501101530003(10)", "(10) BATCH/LOT must have 1 to 20 characters, not 0"),
        ("]C10109501101530003\x1d17251399", "not a valid YYMMDD date"),
    ],
)
def test_lookup_invalid_gs1_says_what_to_give(text: str, reason_part: str) -> None:
    with pytest.raises(RejectedLabelPayload) as caught:
        identifier_for_lookup(text)
    message = str(caught.value)
    assert reason_part in message
    assert message.endswith("; check the text, or give the batch/lot number (10) alone")
    assert not _has_raw_control(message)


@pytest.mark.parametrize(
    "text",
    [
        # A GTIN with a correct check digit and a date: GS1 to a scanner, but maybe a lot number typed by hand.
        "010950110153000317251231",
        # Starts like a GS1 key but does not parse.
        "0109501101530003X",
        "0109501101530003",
    ],
)
def test_lookup_unmarked_gs1_without_lot_kept(text: str) -> None:
    assert identifier_for_lookup(text) == text


@pytest.mark.parametrize(("scanner_layout", "station_layout"), list(itertools.permutations(LAYOUTS, 2)))
@pytest.mark.parametrize("text", ["PL1:C:C-041YXPQM3Y7YM5", "(01)09501101530003(10)VAL24-00001"])
def test_lookup_names_layout_mismatch(text: str, scanner_layout: str, station_layout: str) -> None:
    typed = typed_with(text, scanner_layout, station_layout)
    assert typed != text

    with pytest.raises(RejectedLabelPayload) as caught:
        identifier_for_lookup(typed)

    message = str(caught.value)
    assert message.startswith(f"{escape_for_message(typed)} looks typed with another keyboard layout")
    assert f"set to {scanner_layout} types text like this on a computer set to {station_layout}" in message
    assert "set both to the same layout" in message


def test_lookup_partly_garbled_label_named() -> None:
    # Pasted with only the colons turned into Ö, as a German keyboard types them.
    with pytest.raises(RejectedLabelPayload, match="looks typed with another keyboard layout"):
        identifier_for_lookup("PL1ÖCÖC-041YXPQM3Y7YM5")


@pytest.mark.parametrize("text", ["C-0001", "STRA-E/1", "lot#4+5", "ACME 77", "Müller-3", "x" * 70])
def test_lookup_other_text_kept_as_typed(text: str) -> None:
    # The first three are valid lot numbers, which are never mapped. The others stay invalid in every
    # layout: a space, a 'ü' that maps to '[' or '^' and 70 characters, more than a lot number has.
    assert identifier_for_lookup(text) == text


@given(st.text(max_size=600))
def test_lookup_raises_only_rejection(text: str) -> None:
    try:
        identifier = identifier_for_lookup(text)
    except RejectedLabelPayload as error:
        assert str(error)
        assert not _has_raw_control(str(error))
    else:
        assert isinstance(identifier, str)


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("]C10109501101530004\x1d10ABC", "wrong check digit"),
        ("]C1019501101530003", "must have 14 characters"),
        ("]C10109501101530003\x1d99", "must have 1 to 90 characters"),
        ("]C10109501101530003\x1d17251399", "not a valid YYMMDD date"),
        ("]C10109501101530003\x1d10" + "A" * 21, "must have 1 to 20 characters, not 21"),
        ("]C1770123", "unknown application identifier"),
        ("]C10109501101530003\x1d10ABC DEF", "contains a blank, a character GS1 does not allow"),
        ("]C1", "the scan is empty"),
    ],
)
def test_gs1_faults_rejected(text: str, reason_part: str) -> None:
    payload = parse_payload(text)
    assert isinstance(payload, RejectedPayload)
    assert reason_part in payload.reason


def test_digital_link_parses_without_opening() -> None:
    payload = parse_payload("https://id.gs1.org/01/09501101530003/10/AB%2F12?17=251231&linkType=all")
    assert isinstance(payload, Gs1Data)
    assert payload.source == "digital link"
    assert payload.gtin == "09501101530003"
    assert payload.batch_lot == "AB/12"
    assert payload.value("17") == "251231"


def test_digital_link_short_gtin_padded() -> None:
    payload = parse_payload("https://brand.example/01/9501101530003/21/S1")
    assert isinstance(payload, Gs1Data)
    assert payload.gtin == "09501101530003"


def test_digital_link_bad_check_digit_rejected() -> None:
    payload = parse_payload("https://id.gs1.org/01/09501101530009/10/A")
    assert isinstance(payload, RejectedPayload)
    assert "wrong check digit" in payload.reason


def test_symbology_prefix_stripped_for_labels() -> None:
    payload = parse_payload("]Q1PL1:C:C-1")
    assert isinstance(payload, ProjectLabel)
    assert payload.identifier == "C-1"


def test_format_compact_and_uri_forms() -> None:
    assert format_label_payload("container", "C-0KZ3M7Q1X2ABCD") == "PL1:C:C-0KZ3M7Q1X2ABCD"
    assert format_label_payload(LabelKind.OPERATOR_BADGE, "OP-0001") == "PL1:B:OP-0001"
    assert format_label_payload("S", "S-1") == "PL1:S:S-1"
    uri = format_label_payload("lot", "old/lot.7", resolver_base="https://labels.example.com/site/")
    assert uri == "https://labels.example.com/site/pl1/l/old%2Flot.7"


def test_compact_form_fits_qr_alphanumeric_mode() -> None:
    alphanumeric = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    for prefix in ("C", "L", "S"):
        payload = format_label_payload(prefix, new_short_id(prefix))
        assert set(payload) <= alphanumeric, payload


@pytest.mark.parametrize(
    ("kind", "identifier", "base", "message_part"),
    [
        ("crate", "C-1", None, "label kind 'crate' is unknown"),
        ("container", "bad id", None, "is not valid"),
        ("container", "", None, "is not valid"),
        ("container", "C-1", "http://labels.example.com", "must be an https URL"),
        ("container", "C-1", "https://labels.example.com/?a=1", "must not have a query"),
        ("container", "C-1", "labels.example.com", "must be an https URL"),
    ],
)
def test_format_rejects_bad_requests(kind: str, identifier: str, base: str | None, message_part: str) -> None:
    with pytest.raises(InvalidLabelRequest, match=message_part):
        format_label_payload(kind, identifier, resolver_base=base)


def test_longest_uri_label_still_scans() -> None:
    base = "https://labels.example.com/" + "r" * (MAX_RESOLVER_BASE_CHARACTERS - len("https://labels.example.com/"))
    # "/" percent-encodes to 3 characters, so this id makes the longest payload.
    identifier = "A" + "/" * 63

    payload = format_label_payload("container", identifier, resolver_base=base)

    assert len(payload) <= MAX_PAYLOAD_CHARACTERS
    parsed = parse_payload(payload)
    assert isinstance(parsed, ProjectLabel)
    assert parsed.identifier == identifier


def test_overlong_resolver_base_rejected() -> None:
    base = "https://labels.example.com/" + "r" * 600

    with pytest.raises(InvalidLabelRequest, match=f"has {len(base)} characters; use at most 313") as caught:
        format_label_payload("container", "C-1", resolver_base=base)
    assert "within the 512 characters the station's scanner reads" in str(caught.value)


def test_escape_cuts_long_text() -> None:
    shown = escape_for_message("X" * 100, max_characters=10)
    assert shown == "'XXXXXXXXXX…'"


@given(st.text(max_size=600))
def test_parser_never_raises_on_text(text: str) -> None:
    payload = parse_payload(text)
    assert payload.kind in {"container", "lot", "sample", "operator_badge", "gs1", "supplier_lot", "rejected"}
    if isinstance(payload, RejectedPayload):
        assert payload.reason
        assert not _has_raw_control(payload.reason)


@given(st.binary(max_size=300))
def test_parser_never_raises_on_bytes(raw: bytes) -> None:
    payload = parse_payload(raw.decode("latin-1"))
    assert payload.kind
    if isinstance(payload, RejectedPayload):
        assert not _has_raw_control(payload.reason)


@given(
    st.sampled_from(["]C1", "]Q3", "]d2", "", "https://id.gs1.org/", "("]),
    st.lists(
        st.sampled_from(["01", "10", "17", "21", "37", "400", "3103", "\x1d", "0", "9", "A", ")", "/", "%"]),
        max_size=40,
    ),
)
def test_gs1_parser_never_raises(prefix: str, pieces: list[str]) -> None:
    assert parse_payload(prefix + "".join(pieces)).kind


@given(st.sampled_from(list(LabelKind)), identifiers, st.none() | resolver_bases)
def test_printed_labels_parse_back(kind: LabelKind, identifier: str, base: str | None) -> None:
    payload = parse_payload(format_label_payload(kind, identifier, resolver_base=base))
    assert isinstance(payload, ProjectLabel)
    assert payload.label_kind is kind
    assert payload.identifier == identifier


def _has_raw_control(text: str) -> bool:
    return any(ord(character) < 0x20 or 0x7F <= ord(character) < 0xA0 for character in text)
