"""Checking what an operator typed: numbers with their limits, identifiers, dates and free text.

No Qt here: a failed check raises `EntryError` carrying an `EntryProblem`
code and values, and `kiosk.ui.texts` turns it into the operator's language.
The limits match the event schemas in `sync.kinds`, so a value accepted here
is not rejected when the event is recorded.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from sync.ids import IDENTIFIER_RE

# Printable, one line: the rule of free-text fields in `sync.kinds`.
_TEXT_RE = re.compile(r"^[^\x00-\x1f\x7f]+$")
TEXT_MAX_CHARS = 200
LONG_TEXT_MAX_CHARS = 2000
# Longer than anything a keypad entry needs, short enough to show in a message.
NUMBER_MAX_CHARS = 16


@dataclass(frozen=True)
class NumberSpec:
    """Limits of a numeric field; ``exclusive_minimum`` makes the minimum itself invalid (masses)."""

    minimum: float
    maximum: float
    exclusive_minimum: bool = False
    integer: bool = False


TEMPERATURE_C = NumberSpec(-40, 80)
RELATIVE_HUMIDITY_PCT = NumberSpec(0, 100)
MASS = NumberSpec(0, 1_000_000, exclusive_minimum=True)
SCREEN_MESH_UM = NumberSpec(0, 10_000, exclusive_minimum=True)
PROCESS_TEMPERATURE_C = NumberSpec(-100, 2000)
DURATION_MIN = NumberSpec(0, 100_000, exclusive_minimum=True)
RECYCLE_FRACTION_PCT = NumberSpec(0, 100)
INCREMENTS = NumberSpec(1, 10_000, integer=True)
CONTAINER_COUNT = NumberSpec(1, 200, integer=True)


@dataclass(frozen=True)
class EntryProblem:
    """Why an entry is not accepted.

    ``code`` is one of: missing, not_a_number, not_whole, below_minimum,
    above_maximum, invalid_identifier, invalid_text, too_long, invalid_date.
    """

    code: str
    value: str
    minimum: float | None = None
    maximum: float | None = None


class EntryError(ValueError):
    """An entry breaks its field's rule; ``problem`` says which rule."""

    def __init__(self, problem: EntryProblem):
        super().__init__(f"{problem.code}: {problem.value!r}")
        self.problem = problem


def parse_number(text: str, spec: NumberSpec) -> float:
    """Parse a typed number (a comma counts as the decimal point) and check it against `spec`.

    Raises EntryError; returns an int-valued float for integer fields.
    """
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        raise EntryError(EntryProblem("missing", text))
    if len(cleaned) > NUMBER_MAX_CHARS:
        raise EntryError(EntryProblem("too_long", cleaned[:NUMBER_MAX_CHARS] + "...", maximum=NUMBER_MAX_CHARS))
    try:
        value = float(cleaned)
    except ValueError:
        raise EntryError(EntryProblem("not_a_number", cleaned)) from None
    if not math.isfinite(value):
        raise EntryError(EntryProblem("not_a_number", cleaned))
    if spec.integer and value != int(value):
        raise EntryError(EntryProblem("not_whole", cleaned))
    too_small = value <= spec.minimum if spec.exclusive_minimum else value < spec.minimum
    if too_small:
        raise EntryError(EntryProblem("below_minimum", cleaned, spec.minimum, spec.maximum))
    if value > spec.maximum:
        raise EntryError(EntryProblem("above_maximum", cleaned, spec.minimum, spec.maximum))
    return value


def parse_identifier(text: str) -> str:
    """Check a typed lot, container, label or sample id; raise EntryError unless it is one."""
    cleaned = text.strip()
    if not cleaned:
        raise EntryError(EntryProblem("missing", text))
    if not IDENTIFIER_RE.match(cleaned):
        raise EntryError(EntryProblem("invalid_identifier", cleaned[:80]))
    return cleaned


def parse_text(text: str, *, max_chars: int = TEXT_MAX_CHARS) -> str:
    """Check a free-text entry (one printable line); raise EntryError when empty, too long or with control characters."""
    cleaned = text.strip()
    if not cleaned:
        raise EntryError(EntryProblem("missing", text))
    if len(cleaned) > max_chars:
        raise EntryError(EntryProblem("too_long", cleaned[:40] + "...", maximum=max_chars))
    if not _TEXT_RE.match(cleaned):
        raise EntryError(EntryProblem("invalid_text", cleaned.encode("unicode_escape").decode("ascii")[:80]))
    return cleaned


def parse_date(text: str) -> date:
    """Parse a typed date as YYYY-MM-DD (or the 8 digits YYYYMMDD); raise EntryError otherwise."""
    cleaned = text.strip()
    if not cleaned:
        raise EntryError(EntryProblem("missing", text))
    if re.fullmatch(r"\d{8}", cleaned):
        cleaned = f"{cleaned[:4]}-{cleaned[4:6]}-{cleaned[6:]}"
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
            raise ValueError(cleaned)
        return date.fromisoformat(cleaned)
    except ValueError:
        raise EntryError(EntryProblem("invalid_date", cleaned[:40])) from None


def format_number(value: float | None) -> str:
    """Format a number for an entry field: no trailing zeros, no exponent for ordinary values."""
    if value is None:
        return ""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")
