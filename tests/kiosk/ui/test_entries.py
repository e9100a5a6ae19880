"""Typed values: numbers with their limits, ids, free text and dates; what each problem is called."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.ui.entries import (
    CONTAINER_COUNT,
    MASS,
    RELATIVE_HUMIDITY_PCT,
    TEMPERATURE_C,
    EntryError,
    format_number,
    parse_date,
    parse_identifier,
    parse_number,
    parse_text,
)


@pytest.mark.parametrize(
    ("text", "spec", "value"),
    [
        ("21.5", TEMPERATURE_C, 21.5),
        ("-40", TEMPERATURE_C, -40.0),
        ("35,5", RELATIVE_HUMIDITY_PCT, 35.5),
        ("3", CONTAINER_COUNT, 3.0),
    ],
)
def test_number_accepted(text: str, spec: object, value: float) -> None:
    assert parse_number(text, spec) == value  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "spec", "code"),
    [
        ("", MASS, "missing"),
        ("abc", MASS, "not_a_number"),
        ("nan", MASS, "not_a_number"),
        ("inf", MASS, "not_a_number"),
        ("0", MASS, "below_minimum"),
        ("-1", MASS, "below_minimum"),
        ("101", RELATIVE_HUMIDITY_PCT, "above_maximum"),
        ("2.5", CONTAINER_COUNT, "not_whole"),
        ("1" * 40, MASS, "too_long"),
    ],
)
def test_number_rejected_with_code(text: str, spec: object, code: str) -> None:
    with pytest.raises(EntryError) as caught:
        parse_number(text, spec)  # type: ignore[arg-type]
    assert caught.value.problem.code == code


def test_range_problem_names_limits() -> None:
    with pytest.raises(EntryError) as caught:
        parse_number("120", RELATIVE_HUMIDITY_PCT)
    assert (caught.value.problem.minimum, caught.value.problem.maximum) == (0, 100)


def test_identifier_rules() -> None:
    assert parse_identifier(" C-1 ") == "C-1"
    with pytest.raises(EntryError):
        parse_identifier("C 1")
    with pytest.raises(EntryError):
        parse_identifier("-C1")


def test_text_rules() -> None:
    assert parse_text("  Store A  ") == "Store A"
    for bad in ("", "   ", "a\x00b", "x" * 201):
        with pytest.raises(EntryError):
            parse_text(bad)


def test_date_forms() -> None:
    assert parse_date("2028-12-31") == date(2028, 12, 31)
    assert parse_date("20281231") == date(2028, 12, 31)
    for bad in ("2028-13-01", "31.12.2028", "2028-1-1"):
        with pytest.raises(EntryError):
            parse_date(bad)


def test_number_formatting() -> None:
    assert format_number(None) == ""
    assert format_number(25.0) == "25"
    assert format_number(39.5) == "39.5"
    assert format_number(0.1 + 0.2) == "0.3"
