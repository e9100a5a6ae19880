"""Keyboard-wedge input: bursts against typing, pauses, prefix and suffix, group separators and layouts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.scan.keyboard_layouts import detect_layout_mismatch, translate
from kiosk.scan.payloads import Gs1Data, ProjectLabel, RejectedPayload, SupplierLotNumber
from kiosk.scan.pipeline import WedgeScanner
from kiosk.scan.results import ScanResult, ScanSource
from kiosk.scan.wedge import IncompleteScan, TypedKeys, WedgeDecoder, WedgeEvent, WedgeScan, WedgeSettings

SCANNER_GAP_S = 0.008
TYPING_GAP_S = 0.180


def keys_of(text: str, *, suffix: str | None = "Enter") -> list[str]:
    return [*text] + ([suffix] if suffix else [])


def feed_all(
    decoder: WedgeDecoder | WedgeScanner,
    keys: list[str],
    start_s: float,
    gap_s: float,
    *,
    pause_at: int | None = None,
    pause_s: float = 0.0,
) -> tuple[list[Any], float]:
    events: list[Any] = []
    time_s = start_s
    for index, key in enumerate(keys):
        if index == pause_at:
            time_s += pause_s
        events += decoder.feed(key, time_s)
        time_s += gap_s
    return events, time_s


def scans(events: list[WedgeEvent]) -> list[str]:
    return [event.text for event in events if isinstance(event, WedgeScan)]


def test_scanner_burst_is_one_scan() -> None:
    decoder = WedgeDecoder()
    events, _ = feed_all(decoder, keys_of("PL1:C:C-0KZ3M7Q1X2ABCD"), 10.0, SCANNER_GAP_S)
    assert scans(events) == ["PL1:C:C-0KZ3M7Q1X2ABCD"]


def test_typing_passes_keys_through() -> None:
    decoder = WedgeDecoder()
    events, end_s = feed_all(decoder, keys_of("LOT-4711"), 10.0, TYPING_GAP_S)
    events += decoder.poll(end_s + 1.0)
    assert scans(events) == []
    typed = [key for event in events if isinstance(event, TypedKeys) for key in event.keys]
    assert typed == keys_of("LOT-4711")


def test_short_fast_run_counts_as_typing() -> None:
    decoder = WedgeDecoder()
    events, _ = feed_all(decoder, keys_of("ab"), 10.0, SCANNER_GAP_S)
    assert scans(events) == []
    assert [key for event in events if isinstance(event, TypedKeys) for key in event.keys] == ["a", "b", "Enter"]


def test_scan_split_by_pause_stays_one() -> None:
    decoder = WedgeDecoder()
    # The scanner stalls for 300 ms after 10 characters, as USB buffers do.
    events, end_s = feed_all(decoder, keys_of("PL1:C:C-0KZ3M7Q1X2ABCD"), 10.0, SCANNER_GAP_S, pause_at=10, pause_s=0.3)
    events += decoder.poll(end_s + 2.0)
    assert scans(events) == ["PL1:C:C-0KZ3M7Q1X2ABCD"]
    assert not any(isinstance(event, IncompleteScan) for event in events)


def test_two_scans_never_joined() -> None:
    decoder = WedgeDecoder()
    first, end_s = feed_all(decoder, keys_of("PL1:C:C-1111"), 10.0, SCANNER_GAP_S)
    second, _ = feed_all(decoder, keys_of("PL1:C:C-2222"), end_s + 0.05, SCANNER_GAP_S)
    assert scans(first + second) == ["PL1:C:C-1111", "PL1:C:C-2222"]


def test_burst_without_suffix_is_incomplete() -> None:
    decoder = WedgeDecoder()
    events, end_s = feed_all(decoder, keys_of("PL1:C:C-0KZ3", suffix=None), 10.0, SCANNER_GAP_S)
    events += decoder.poll(end_s + 1.0)
    assert scans(events) == []
    incomplete = [event for event in events if isinstance(event, IncompleteScan)]
    assert len(incomplete) == 1
    assert "without the scanner's suffix (Enter)" in incomplete[0].reason


def test_no_suffix_ends_by_silence() -> None:
    decoder = WedgeDecoder(WedgeSettings(suffix=""))
    events, end_s = feed_all(decoder, keys_of("LOT-4711", suffix=None), 10.0, SCANNER_GAP_S)
    assert decoder.poll(end_s + 0.1) == []  # still inside the pause allowance
    events += decoder.poll(end_s + 1.0)
    assert scans(events) == ["LOT-4711"]


def test_prefix_and_custom_suffix_removed() -> None:
    decoder = WedgeDecoder(WedgeSettings(prefix="#", suffix="Tab"))
    events, _ = feed_all(decoder, ["#", *"PL1:L:L-9", "Tab"], 10.0, SCANNER_GAP_S)
    assert scans(events) == ["PL1:L:L-9"]


def test_new_prefix_splits_unfinished_scan() -> None:
    decoder = WedgeDecoder(WedgeSettings(prefix="#"))
    events, _ = feed_all(decoder, ["#", *"PL1:C:C-12", "#", *"PL1:C:C-34", "Enter"], 10.0, SCANNER_GAP_S)
    assert scans(events) == ["PL1:C:C-34"]
    assert [event.text for event in events if isinstance(event, IncompleteScan)] == ["#PL1:C:C-12"]


def test_missing_prefix_rejected() -> None:
    decoder = WedgeDecoder(WedgeSettings(prefix="#"))
    events, _ = feed_all(decoder, keys_of("PL1:C:C-12"), 10.0, SCANNER_GAP_S)
    assert scans(events) == []
    assert "did not start with the scanner's prefix" in next(e for e in events if isinstance(e, IncompleteScan)).reason


@pytest.mark.parametrize("separator_keys", [["GS"], ["Ctrl+]"], ["\x1d"], [*"<GS>"], [*"{GS}"]])
def test_group_separators_restored(separator_keys: list[str]) -> None:
    decoder = WedgeDecoder()
    keys = [*"]C10109501101530003", *separator_keys, *"10ABC123", *separator_keys, *"17251231", "Enter"]
    events, _ = feed_all(decoder, keys, 10.0, SCANNER_GAP_S)
    assert scans(events) == ["]C10109501101530003\x1d10ABC123\x1d17251231"]


def test_wedge_scanner_makes_scan_results() -> None:
    scanner = WedgeScanner()
    results, _ = feed_all(scanner, keys_of("]C10109501101530003\x1d10ABC123"), 10.0, SCANNER_GAP_S)
    (result,) = results
    assert isinstance(result, ScanResult)
    assert result.source is ScanSource.WEDGE
    assert result.code is None
    assert isinstance(result.payload, Gs1Data)
    assert result.payload.batch_lot == "ABC123"
    assert result.time.tzinfo is not None


def test_wedge_duplicates_suppressed_in_window() -> None:
    scanner = WedgeScanner(duplicate_window_s=2.0)
    first, end_s = feed_all(scanner, keys_of("LOT-4711"), 10.0, SCANNER_GAP_S)
    again, end_s = feed_all(scanner, keys_of("LOT-4711"), end_s + 0.5, SCANNER_GAP_S)
    later, _ = feed_all(scanner, keys_of("LOT-4711"), end_s + 3.0, SCANNER_GAP_S)
    assert len(first) == 1
    assert again == []
    assert len(later) == 1
    assert isinstance(later[0].payload, SupplierLotNumber)


def test_incomplete_scan_reaches_ui_rejected() -> None:
    scanner = WedgeScanner()
    results, end_s = feed_all(scanner, keys_of("PL1:C:C-0KZ3", suffix=None), 10.0, SCANNER_GAP_S)
    results += scanner.poll(end_s + 1.0)
    (result,) = results
    assert isinstance(result.payload, RejectedPayload)
    assert "scan the label again" in result.payload.reason


def test_translate_us_scanner_on_german_station() -> None:
    assert translate("PL1ÖCÖCß0KY3", "US English", "German") == "PL1:C:C-0KZ3"


@pytest.mark.allow_warning_logs
def test_german_layout_mismatch_detected() -> None:
    # A scanner set to US English typing on a German station: ':' arrives as 'Ö', '-' as 'ß', Z as Y.
    received = "PL1ÖCÖCß0KY3M7Q1X2ABCD"
    mismatch = detect_layout_mismatch(received)
    assert mismatch is not None
    assert (mismatch.scanner_layout, mismatch.station_layout) == ("US English", "German")
    assert mismatch.meant_text == "PL1:C:C-0KZ3M7Q1X2ABCD"

    scanner = WedgeScanner()
    results, end_s = feed_all(scanner, keys_of(received), 10.0, SCANNER_GAP_S)
    (result,) = results
    assert isinstance(result.payload, RejectedPayload)
    assert "keyboard layout" in result.payload.reason
    assert "German" in result.payload.reason

    # A plain lot number with Y and Z stays suspect while the mismatch lasts...
    results, end_s = feed_all(scanner, keys_of("XYZ123"), end_s + 3.0, SCANNER_GAP_S)
    assert isinstance(results[0].payload, RejectedPayload)
    # ...digits survive every layout and pass...
    results, end_s = feed_all(scanner, keys_of("4711-0815".replace("-", "")), end_s + 3.0, SCANNER_GAP_S)
    assert results[0].payload.accepted
    # ...and a label that arrives right clears it.
    results, end_s = feed_all(scanner, keys_of("PL1:C:C-0KZ3M7Q1X2ABCD"), end_s + 3.0, SCANNER_GAP_S)
    assert isinstance(results[0].payload, ProjectLabel)
    assert scanner.layout_mismatch is None


@pytest.mark.allow_warning_logs
def test_french_layout_mismatch_detected() -> None:
    # Digits need Shift on AZERTY, so a US scanner's digits arrive as the unshifted symbols.
    received = translate_from_us("PL1:C:C-0KZ3M7Q1X2ABCD", "French")
    mismatch = detect_layout_mismatch(received)
    assert mismatch is not None
    assert mismatch.station_layout == "French"
    assert mismatch.meant_text == "PL1:C:C-0KZ3M7Q1X2ABCD"


def translate_from_us(text: str, station_layout: str) -> str:
    """What a US English scanner's keys produce on a station in station_layout (the inverse of translate)."""
    from kiosk.scan.keyboard_layouts import _LAYOUT_KEYS

    produced: dict[str, str] = {}
    for us_keys, station_keys in zip(_LAYOUT_KEYS["US English"], _LAYOUT_KEYS[station_layout], strict=True):
        produced.update(zip(us_keys, station_keys, strict=True))
    return "".join(produced.get(character, character) for character in text)


def test_clean_scan_has_no_mismatch() -> None:
    assert detect_layout_mismatch("PL1:C:C-0KZ3M7Q1X2ABCD") is None
    assert detect_layout_mismatch("complete nonsense with spaces") is None


@given(
    st.lists(
        st.tuples(
            st.sampled_from([*"PL1:C-0KZ]\x1d<GS>#ßÖ", "Enter", "Tab", "GS", "Ctrl+]", "Escape"]),
            st.floats(min_value=0.0, max_value=0.8),
        ),
        max_size=60,
    )
)
def test_any_key_sequence_handled(presses: list[tuple[str, float]]) -> None:
    scanner = WedgeScanner(WedgeSettings(prefix="#"))
    time_s = 100.0
    outputs = []
    for key, gap_s in presses:
        time_s += gap_s
        outputs += scanner.feed(key, time_s)
    outputs += scanner.poll(time_s + 5.0)
    typed = [key for output in outputs if isinstance(output, TypedKeys) for key in output.keys]
    assert len(typed) <= len(presses)
    for output in outputs:
        assert isinstance(output, TypedKeys | ScanResult)
