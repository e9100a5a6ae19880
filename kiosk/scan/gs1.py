"""GS1 element strings and GS1 Digital Link URIs: application identifiers (AIs), their formats and check digits.

Only the AIs a powder plant meets on supplier labels are known here; an
element string with any other AI is rejected as a whole rather than guessed at,
because a wrongly split string would yield a wrong lot number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, unquote, urlsplit

# FNC1 in an element string is sent as the ASCII group separator.
GROUP_SEPARATOR = "\x1d"

# AIM symbology identifiers whose data is a GS1 element string:
# GS1-128 (]C1), GS1 DataBar (]e0), GS1 DataMatrix (]d2), GS1 QR Code (]Q3),
# GS1 Composite (]e1, ]e2), GS1 DotCode (]J1).
GS1_SYMBOLOGY_IDENTIFIERS = frozenset({"]C1", "]e0", "]e1", "]e2", "]d2", "]Q3", "]J1"})


class InvalidGs1(ValueError):
    """A GS1 element string or Digital Link is malformed; the message names the position and the cause."""


@dataclass(frozen=True)
class ApplicationIdentifier:
    """One AI: its title, the value's character class and length, and whether it ends with a check digit."""

    ai: str
    title: str
    numeric: bool
    min_length: int
    max_length: int
    check_digit: bool = False
    is_date: bool = False

    @property
    def is_fixed_length(self) -> bool:
        """Whether the value always has exactly max_length characters."""
        return self.min_length == self.max_length


def _ai(ai: str, title: str, numeric: bool, length: int | tuple[int, int], **flags: bool) -> ApplicationIdentifier:
    low, high = (length, length) if isinstance(length, int) else length
    return ApplicationIdentifier(ai, title, numeric, low, high, **flags)


_KNOWN = [
    _ai("00", "SSCC", True, 18, check_digit=True),
    _ai("01", "GTIN", True, 14, check_digit=True),
    _ai("02", "CONTENT", True, 14, check_digit=True),
    _ai("10", "BATCH/LOT", False, (1, 20)),
    _ai("11", "PROD DATE", True, 6, is_date=True),
    _ai("13", "PACK DATE", True, 6, is_date=True),
    _ai("15", "BEST BEFORE", True, 6, is_date=True),
    _ai("16", "SELL BY", True, 6, is_date=True),
    _ai("17", "USE BY", True, 6, is_date=True),
    _ai("20", "VARIANT", True, 2),
    _ai("21", "SERIAL", False, (1, 20)),
    _ai("22", "CPV", False, (1, 20)),
    _ai("30", "VAR. COUNT", True, (1, 8)),
    _ai("37", "COUNT", True, (1, 8)),
    _ai("240", "ADDITIONAL ID", False, (1, 30)),
    _ai("241", "CUST. PART No.", False, (1, 30)),
    _ai("250", "SECONDARY SERIAL", False, (1, 30)),
    _ai("400", "ORDER NUMBER", False, (1, 30)),
    _ai("401", "GINC", False, (1, 30)),
    _ai("402", "GSIN", True, 17, check_digit=True),
    _ai("403", "ROUTE", False, (1, 30)),
    _ai("410", "SHIP TO LOC", True, 13, check_digit=True),
    _ai("411", "BILL TO", True, 13, check_digit=True),
    _ai("412", "PURCHASE FROM", True, 13, check_digit=True),
    _ai("413", "SHIP FOR LOC", True, 13, check_digit=True),
    _ai("414", "LOC No.", True, 13, check_digit=True),
    _ai("415", "PAY TO", True, 13, check_digit=True),
    _ai("420", "SHIP TO POST", False, (1, 20)),
    _ai("422", "ORIGIN", True, 3),
    _ai("7003", "EXPIRY TIME", True, 10),
    _ai("8004", "GIAI", False, (1, 30)),
    _ai("8200", "PRODUCT URL", False, (1, 70)),
    _ai("90", "INTERNAL", False, (1, 30)),
]
# Trade measures: 310n NET WEIGHT (kg) and 330n GROSS WEIGHT (kg), n = decimal places.
_KNOWN += [_ai(f"310{n}", "NET WEIGHT (kg)", True, 6) for n in range(6)]
_KNOWN += [_ai(f"330{n}", "GROSS WEIGHT (kg)", True, 6) for n in range(6)]
# 91 to 99: company internal information.
_KNOWN += [_ai(f"9{n}", "INTERNAL", False, (1, 90)) for n in range(1, 10)]

APPLICATION_IDENTIFIERS: dict[str, ApplicationIdentifier] = {entry.ai: entry for entry in _KNOWN}

# GS1 General Specifications, figure "AIs with predefined length": an element
# with one of these two-digit prefixes needs no FNC1 after it, whatever its AI.
PREDEFINED_LENGTH_PREFIXES = {
    "00": 20, "01": 16, "02": 16, "03": 16, "04": 18, "11": 8, "12": 8, "13": 8, "14": 8,
    "15": 8, "16": 8, "17": 8, "18": 8, "19": 8, "20": 4, "31": 10, "32": 10, "33": 10,
    "34": 10, "35": 10, "36": 10, "41": 16,
}  # fmt: skip

# GS1 Digital Link primary keys that may start the URI path.
DIGITAL_LINK_PRIMARY_KEYS = ("01", "00", "414", "8004", "401", "402", "253", "255")

# GS1 character set 82 (the characters allowed in alphanumeric AI values).
_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$")


@dataclass(frozen=True)
class Gs1Element:
    """One AI and its value, as read."""

    ai: str
    value: str

    @property
    def title(self) -> str:
        """The AI's data title, such as BATCH/LOT."""
        return APPLICATION_IDENTIFIERS[self.ai].title


def gs1_check_digit(digits: str) -> int:
    """Return the GS1 mod-10 check digit for a string of digits (the value without its check digit)."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        weight = 3 if position % 2 == 0 else 1
        total += int(digit) * weight
    return (10 - total % 10) % 10


def parse_gs1_date(value: str) -> date | None:
    """Return the date of a YYMMDD value (day 00 means the month's last day), or None when it is no date.

    The century follows the GS1 rule: a year more than 50 years ahead of today
    is in the previous century, one more than 49 years back is in the next.
    """
    if not re.fullmatch(r"\d{6}", value):
        return None
    yy, month, day = int(value[:2]), int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12:
        return None
    this_year = date.today().year
    year = this_year // 100 * 100 + yy
    if year - this_year > 50:
        year -= 100
    elif this_year - year > 49:
        year += 100
    if day == 0:
        next_month = date(year + month // 12, month % 12 + 1, 1)
        return date.fromordinal(next_month.toordinal() - 1)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def validate_element(ai: str, value: str) -> Gs1Element:
    """Check one value against its AI's format and check digit; raise InvalidGs1 naming both when it fails."""
    entry = APPLICATION_IDENTIFIERS.get(ai)
    if entry is None:
        raise InvalidGs1(f"application identifier ({ai}) is not one this station reads")
    if " " in value:
        raise InvalidGs1(f"({ai}) {entry.title} {value!r} contains a blank, a character GS1 does not allow")
    if not entry.min_length <= len(value) <= entry.max_length:
        expected = str(entry.max_length) if entry.is_fixed_length else f"{entry.min_length} to {entry.max_length}"
        raise InvalidGs1(f"({ai}) {entry.title} must have {expected} characters, not {len(value)}")
    if entry.numeric and not (value.isascii() and value.isdigit()):
        raise InvalidGs1(f"({ai}) {entry.title} must be digits only")
    if not entry.numeric and not _CSET82.match(value):
        raise InvalidGs1(f"({ai}) {entry.title} contains a character GS1 does not allow")
    if entry.check_digit and gs1_check_digit(value[:-1]) != int(value[-1]):
        raise InvalidGs1(f"({ai}) {entry.title} {value} has a wrong check digit")
    if entry.is_date and parse_gs1_date(value) is None:
        raise InvalidGs1(f"({ai}) {entry.title} {value} is not a valid YYMMDD date")
    return Gs1Element(ai, value)


def _match_ai(data: str, position: int) -> ApplicationIdentifier:
    for length in (2, 3, 4):
        entry = APPLICATION_IDENTIFIERS.get(data[position : position + length])
        if entry is not None:
            return entry
    shown = data[position : position + 4]
    raise InvalidGs1(f"unknown application identifier at character {position + 1} (starting {shown!r})")


def parse_element_string(data: str) -> tuple[Gs1Element, ...]:
    """Split a GS1 element string (FNC1 sent as group separators) into validated elements.

    A leading group separator (FNC1 in first position) is skipped. Raises
    InvalidGs1 for an unknown AI, a value of the wrong length or characters, a
    wrong check digit, or an empty string.
    """
    data = data.removeprefix(GROUP_SEPARATOR)
    if not data:
        raise InvalidGs1("the GS1 element string is empty")
    elements = []
    position = 0
    while position < len(data):
        entry = _match_ai(data, position)
        start = position + len(entry.ai)
        predefined = PREDEFINED_LENGTH_PREFIXES.get(entry.ai[:2])
        if predefined is not None:
            end = position + predefined
            value = data[start:end]
        else:
            separator = data.find(GROUP_SEPARATOR, start)
            end = len(data) if separator < 0 else separator
            value = data[start:end]
        elements.append(validate_element(entry.ai, value))
        position = end
        if position < len(data) and data[position] == GROUP_SEPARATOR:
            position += 1
            if position == len(data):
                break
    return tuple(elements)


def parse_bracketed(text: str) -> tuple[Gs1Element, ...]:
    """Parse the human-readable form ``(01)09501101530003(10)ABC`` into validated elements.

    Blanks around a value, as printed under a barcode (``(01) 09501101530003
    (10) ABC``), are layout, not data: no GS1 value may contain one.
    """
    parts = re.findall(r"\((\d{2,4})\)([^()]*)", text)
    if not parts or "".join(f"({ai}){value}" for ai, value in parts) != text:
        raise InvalidGs1("the text is not in the (AI)value form")
    return tuple(validate_element(ai, value.strip(" ")) for ai, value in parts)


def looks_bracketed(text: str) -> bool:
    """Check whether the text starts like the human-readable (AI)value form."""
    return re.match(r"^\(\d{2,4}\)", text) is not None


def parse_digital_link(url: str) -> tuple[Gs1Element, ...] | None:
    """Return the elements of a GS1 Digital Link URI, or None when the path contains no GS1 primary key.

    The URL is only taken apart, never opened. Raises InvalidGs1 when the
    path contains a primary key but a value is malformed.
    """
    parts = urlsplit(url)
    segments = [unquote(segment) for segment in parts.path.split("/") if segment]
    start = next((i for i, segment in enumerate(segments) if segment in DIGITAL_LINK_PRIMARY_KEYS), None)
    if start is None:
        return None
    key_path = segments[start:]
    if len(key_path) % 2:
        raise InvalidGs1(f"the Digital Link path ends with application identifier ({key_path[-1]}) but no value")
    elements = []
    for i in range(0, len(key_path), 2):
        ai, value = key_path[i], key_path[i + 1]
        if ai == "01" and len(value) in (8, 12, 13):
            # A Digital Link may carry a GTIN-8, -12 or -13; the element string form is always 14 digits.
            value = value.zfill(14)
        elements.append(validate_element(ai, value))
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.isdigit():
            elements.append(validate_element(key, value))
    return tuple(elements)
