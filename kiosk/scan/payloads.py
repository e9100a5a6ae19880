"""Scan payloads: the project's own label format, GS1 data and supplier lot numbers, parsed into typed results.

The project's label payload, version 1, has two forms:

* compact ``PL1:<K>:<ID>`` with K = C (container), L (lot), S (sample) or
  B (operator badge). Ids made by the project are upper case, so the compact
  form fits QR alphanumeric mode.
* URI ``<resolver base>/pl1/<k>/<percent-encoded ID>`` (k in lower case) under
  an https base configured per site, in the style of GS1 Digital Link. Any
  https URL whose path ends in ``/pl1/<k>/<ID>`` parses as the project's label.

Every payload is untrusted: it is limited in length and characters, a URL in it
is only taken apart and never opened, and messages show control characters
escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, unquote, urlsplit

from kiosk.scan import gs1
from sync.ids import IDENTIFIER_RE
from sync.lookalikes import lookalike_note

# Longer than any label this station prints or a supplier label carries; a
# longer scan is rejected before any parsing.
MAX_PAYLOAD_CHARACTERS = 512

LABEL_FORMAT_VERSION = 1

# The longest resolver base whose URI labels all scan: the longest id (64
# characters) percent-encodes to at most 3 characters each, after "/pl1/c/".
MAX_RESOLVER_BASE_CHARACTERS = MAX_PAYLOAD_CHARACTERS - len("/pl1/c/") - 3 * 64

# Plain supplier lot numbers: letters, digits and a few separators, no spaces.
SUPPLIER_LOT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/#+-]{0,39}$")

_SYMBOLOGY_PREFIX_RE = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_COMPACT_VERSION_RE = re.compile(r"^PL(\d{1,4}):")
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_URI_VERSION_RE = re.compile(r"^pl(\d{1,4})$", re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# GS1 keys that end in a check digit: SSCC (00), GTIN (01) and CONTENT (02).
# A scan that starts with one whose check digit is correct is read as GS1 data.
_CHECKED_GS1_KEY_RE = re.compile(r"^(?:00\d{18}|0[12]\d{14})")


class LabelKind(StrEnum):
    """The kind of thing a project label names."""

    CONTAINER = "container"
    LOT = "lot"
    SAMPLE = "sample"
    OPERATOR_BADGE = "operator_badge"

    @property
    def letter(self) -> str:
        """The one-letter code in the payload (C, L, S or B)."""
        return _LETTERS[self]


_LETTERS = {LabelKind.CONTAINER: "C", LabelKind.LOT: "L", LabelKind.SAMPLE: "S", LabelKind.OPERATOR_BADGE: "B"}
_KIND_BY_LETTER = {letter: kind for kind, letter in _LETTERS.items()}


class InvalidLabelRequest(ValueError):
    """A label payload cannot be made from the given kind, identifier or resolver base."""


class RejectedLabelPayload(ValueError):
    """A text given as an id is a label payload that names no container, lot or sample; the message gives the reason."""


class KeyboardLayoutMismatch(RejectedLabelPayload):
    """A text given as an id reads as a label, GS1 data or lot number only when mapped from another keyboard layout."""


@dataclass(frozen=True)
class Payload:
    """A parsed scan; ``text`` is the payload as read. Subclasses tell what it names."""

    text: str

    @property
    def kind(self) -> str:
        """What the payload names: container, lot, sample, operator_badge, gs1, supplier_lot or rejected."""
        raise NotImplementedError

    @property
    def accepted(self) -> bool:
        """Whether the payload names something the station can act on."""
        return True


@dataclass(frozen=True)
class ProjectLabel(Payload):
    """A Powder Lineage label: which container, lot, sample or operator badge it names."""

    label_kind: LabelKind
    identifier: str
    form: str  # "compact" or "uri"

    @property
    def kind(self) -> str:
        return self.label_kind.value


@dataclass(frozen=True)
class Gs1Data(Payload):
    """GS1 supplier data: the elements read, and whether they came from an element string or a Digital Link."""

    elements: tuple[gs1.Gs1Element, ...]
    source: str  # "element string", "bracketed" or "digital link"
    symbology_identifier: str | None = None

    @property
    def kind(self) -> str:
        return "gs1"

    def value(self, ai: str) -> str | None:
        """Return the value of the first element with this AI, or None."""
        return next((element.value for element in self.elements if element.ai == ai), None)

    @property
    def gtin(self) -> str | None:
        """The GTIN (01), 14 digits."""
        return self.value("01")

    @property
    def batch_lot(self) -> str | None:
        """The supplier's batch or lot number (10)."""
        return self.value("10")

    @property
    def serial(self) -> str | None:
        """The serial number (21)."""
        return self.value("21")


@dataclass(frozen=True)
class SupplierLotNumber(Payload):
    """A plain supplier lot number, as printed on a supplier's label."""

    lot_number: str

    @property
    def kind(self) -> str:
        return "supplier_lot"


@dataclass(frozen=True)
class RejectedPayload(Payload):
    """A payload the station does not accept; ``reason`` gives the cause in words an operator can act on."""

    reason: str

    @property
    def kind(self) -> str:
        return "rejected"

    @property
    def accepted(self) -> bool:
        return False


def escape_for_message(text: str, *, max_characters: int = 60) -> str:
    """Return the text quoted for a message, control characters escaped (GS as \\x1d) and cut to max_characters."""
    shown = text if len(text) <= max_characters else text[:max_characters] + "…"
    escaped = _CONTROL_RE.sub(lambda match: f"\\x{ord(match.group()):02x}", shown)
    return f"'{escaped}'"


def format_label_payload(kind: LabelKind | str, identifier: str, *, resolver_base: str | None = None) -> str:
    """Make the payload a label carries: ``PL1:C:<id>``, or ``<resolver_base>/pl1/c/<id>`` with a resolver base.

    ``kind`` is a LabelKind, its value ("container") or its letter ("C").
    Raises InvalidLabelRequest for an unknown kind, an identifier that does not
    match sync.ids.IDENTIFIER_PATTERN, or a resolver base that check_resolver_base
    rejects, so every payload it returns is one the station's scanner accepts.
    """
    label_kind = _label_kind(kind)
    if not IDENTIFIER_RE.match(identifier):
        raise InvalidLabelRequest(
            f"{label_kind.value} id {escape_for_message(identifier)} is not valid: ids are 1 to 64 letters, "
            "digits, '.', '_', '/' or '-', starting with a letter or digit"
        )
    if resolver_base is None:
        return f"PL{LABEL_FORMAT_VERSION}:{label_kind.letter}:{identifier}"
    base = check_resolver_base(resolver_base)
    return f"{base}/pl{LABEL_FORMAT_VERSION}/{label_kind.letter.lower()}/{quote(identifier, safe='')}"


def _label_kind(kind: LabelKind | str) -> LabelKind:
    if isinstance(kind, LabelKind):
        return kind
    if kind in _KIND_BY_LETTER:
        return _KIND_BY_LETTER[kind]
    try:
        return LabelKind(kind)
    except ValueError:
        known = ", ".join(member.value for member in LabelKind)
        raise InvalidLabelRequest(f"label kind {kind!r} is unknown; use one of {known}") from None


def check_resolver_base(resolver_base: str) -> str:
    """Return the resolver base without a trailing slash, checked so that every label made with it scans.

    Raises InvalidLabelRequest when it is not an https URL, has a query or
    fragment, or is so long that a label of the longest id would exceed
    MAX_PAYLOAD_CHARACTERS, which the station's scanner rejects.
    """
    parts = urlsplit(resolver_base)
    if parts.scheme != "https" or not parts.hostname:
        raise InvalidLabelRequest(
            f"label resolver base {resolver_base!r} must be an https URL such as https://labels.example.com"
        )
    if parts.query or parts.fragment:
        raise InvalidLabelRequest(f"label resolver base {resolver_base!r} must not have a query or fragment")
    base = resolver_base.rstrip("/")
    if len(base) > MAX_RESOLVER_BASE_CHARACTERS:
        raise InvalidLabelRequest(
            f"label resolver base {escape_for_message(base)} has {len(base)} characters; use at most "
            f"{MAX_RESOLVER_BASE_CHARACTERS}, so that a label of any id stays within the "
            f"{MAX_PAYLOAD_CHARACTERS} characters the station's scanner reads"
        )
    return base


def parse_payload(text: str, *, symbology_identifier: str | None = None) -> Payload:
    """Parse a scanned payload into a ProjectLabel, Gs1Data, SupplierLotNumber or RejectedPayload.

    ``symbology_identifier`` is the AIM identifier the decoder or scanner
    reported (]Q3 marks a GS1 QR code); one at the start of the text itself
    is used too. Any str gives a result, never an exception. Raises TypeError
    when ``text`` is not a str (None, or bytes not yet decoded), because that
    is a caller's mistake, not a scan.
    """
    if not isinstance(text, str):
        raise TypeError(
            f"parse_payload takes the scanned text as str, not {type(text).__name__}; "
            "decode bytes first (kiosk.scan.pipeline.code_payload handles binary codes)"
        )
    if len(text) > MAX_PAYLOAD_CHARACTERS:
        return RejectedPayload(
            text,
            f"the scan has {len(text)} characters; a label this station reads has at most {MAX_PAYLOAD_CHARACTERS}",
        )
    data = text.strip(" \t\r\n")
    prefix = _SYMBOLOGY_PREFIX_RE.match(data)
    if prefix:
        symbology_identifier = prefix.group()
        data = data[3:]
    if not data:
        return RejectedPayload(text, "the scan is empty")

    if symbology_identifier in gs1.GS1_SYMBOLOGY_IDENTIFIERS or data.startswith(gs1.GROUP_SEPARATOR):
        return _parse_gs1(text, data, "element string", symbology_identifier)
    if _COMPACT_VERSION_RE.match(data):
        return _parse_compact(text, data)
    if _URL_RE.match(data):
        return _parse_url(text, data)
    if gs1.GROUP_SEPARATOR in data:
        return _parse_gs1(text, data, "element string", symbology_identifier)
    if gs1.looks_bracketed(data):
        return _parse_gs1(text, data, "bracketed", symbology_identifier)
    if _CONTROL_RE.search(data):
        return RejectedPayload(
            text,
            f"the scan {escape_for_message(data)} contains control characters; it is not a label this station reads",
        )
    if _starts_with_checked_gs1_key(data):
        return _parse_unmarked_gs1(text, data)
    if SUPPLIER_LOT_RE.match(data):
        return SupplierLotNumber(text, data)
    return RejectedPayload(
        text,
        f"{escape_for_message(data)} is not a Powder Lineage label, GS1 data or a supplier lot number "
        "(up to 40 letters, digits, '.', '_', '/', '#', '+' or '-')",
    )


def identifier_for_lookup(text: str) -> str:
    """Return the id or lot number that a typed id or a scanned payload names, for looking it up in the store.

    A Powder Lineage label payload (``PL1:C:C-1`` or its https form) gives
    its identifier. GS1 data in any form that parse_payload reads (element
    string, ``(01)...(10)...`` text, Digital Link) gives its batch/lot number
    (AI 10). Any other text is returned without surrounding blanks, and so is
    an element string without symbology identifier or separators that has no
    batch/lot number or does not parse.

    Raises RejectedLabelPayload, with the reason and what to give instead, for:

    * a label payload, web address or marked GS1 data that names no
      container, lot or sample: a later label version, an operator badge,
      GS1 data without a batch/lot number;
    * invalid GS1 data;
    * text that reads as a label, GS1 data or lot number only when mapped
      from another keyboard layout.
    """
    data = text.strip()
    if _COMPACT_VERSION_RE.match(data) or _URL_RE.match(data) or _is_marked_gs1(data):
        return _lookup_value(data, parse_payload(data))
    if _starts_with_checked_gs1_key(data):
        payload = parse_payload(data)
        # Unlike a scan, unmarked text without a batch/lot number may still be a lot number typed at registration.
        if isinstance(payload, Gs1Data) and payload.batch_lot is not None:
            return payload.batch_lot
        return data
    _reject_layout_mismatch(data)
    return data


def identifier_in_store(text: str) -> str:
    """Return what `identifier_for_lookup` returns, but look text that seems garbled by a keyboard layout up as typed first.

    Run inside ``store.reading()``. Raises RejectedLabelPayload as
    identifier_for_lookup does, except that text found in the store as typed
    (a lot number such as 'STRAßE-1') is returned rather than taken for
    a layout mismatch.
    """
    # Imported here: the parser itself needs no store.
    from sync.errors import Ambiguous, NotFound
    from sync.lineage import resolve

    try:
        return identifier_for_lookup(text)
    except KeyboardLayoutMismatch as mismatch:
        as_typed = text.strip()
        try:
            resolve(as_typed)
        except NotFound:
            raise mismatch from None
        except Ambiguous:
            pass  # found under several lots: the caller's own lookup raises Ambiguous
        return as_typed


def _is_marked_gs1(data: str) -> bool:
    """Check whether the text is GS1 data by its form: a GS1 symbology identifier, group separators or (AI)value."""
    prefix = _SYMBOLOGY_PREFIX_RE.match(data)
    if prefix and prefix.group() in gs1.GS1_SYMBOLOGY_IDENTIFIERS:
        return True
    return gs1.GROUP_SEPARATOR in data or gs1.looks_bracketed(data)


def _lookup_value(data: str, payload: Payload) -> str:
    """Return the id or lot number a parsed payload names for a lookup; raise RejectedLabelPayload when it names none."""
    if isinstance(payload, RejectedPayload):
        _reject_layout_mismatch(data)
        if _is_marked_gs1(data):
            raise RejectedLabelPayload(f"{payload.reason}; check the text, or give the batch/lot number (10) alone")
        raise RejectedLabelPayload(payload.reason)
    if isinstance(payload, Gs1Data):
        return _gs1_lot_number(data, payload)
    if isinstance(payload, ProjectLabel) and payload.label_kind is LabelKind.OPERATOR_BADGE:
        raise RejectedLabelPayload(
            f"{escape_for_message(data)} is an operator badge, not a container, lot or sample label"
        )
    if isinstance(payload, ProjectLabel):
        return payload.identifier
    return data


def _gs1_lot_number(data: str, payload: Gs1Data) -> str:
    if payload.batch_lot is not None:
        return payload.batch_lot
    carried = ", ".join(f"{element.title} ({element.ai})" for element in payload.elements)
    raise RejectedLabelPayload(
        f"GS1 data {escape_for_message(data)} names no lot: it carries {carried} but no BATCH/LOT (10); "
        "give the supplier's lot number, a lot, container or sample id, or the text of a Powder Lineage label instead"
    )


def _reject_layout_mismatch(data: str) -> None:
    """Raise RejectedLabelPayload when the text reads as an acceptable payload only when mapped from another layout.

    Only text that parse_payload rejects is mapped, so an id, or a lot number
    of letters, digits and '.', '_', '/', '#', '+' or '-', is never rejected here.

    A lot number typed at registration with other characters can look like
    such text: 'STRAßE-1' is what a scanner set to US English types on a
    German computer when it reads 'STRA-E/1'. So the error is a
    KeyboardLayoutMismatch, and `identifier_in_store` looks the text up as
    typed before it gives that error.
    """
    if len(data) > MAX_PAYLOAD_CHARACTERS:
        return  # no mapping makes it short enough to parse, so skip the work
    # Imported here because keyboard_layouts imports parse_payload from this module.
    from kiosk.scan.keyboard_layouts import detect_layout_mismatch

    mismatch = detect_layout_mismatch(data)
    if mismatch is None:
        return
    raise KeyboardLayoutMismatch(
        f"{escape_for_message(data)} looks typed with another keyboard layout: a scanner or keyboard set to "
        f"{mismatch.scanner_layout} types text like this on a computer set to {mismatch.station_layout}; "
        "set both to the same layout and scan or type the text again, or type the id as printed on the label"
    )


def _parse_gs1(text: str, data: str, source: str, symbology_identifier: str | None) -> Payload:
    try:
        elements = gs1.parse_bracketed(data) if source == "bracketed" else gs1.parse_element_string(data)
    except gs1.InvalidGs1 as error:
        return RejectedPayload(text, f"GS1 data {escape_for_message(data)} is not valid: {error}")
    return Gs1Data(text, elements, source, symbology_identifier)


def _starts_with_checked_gs1_key(data: str) -> bool:
    """Check whether the text is a GS1 element string sent without symbology identifier or separators.

    It must start with an SSCC (00), GTIN (01) or CONTENT (02) whose check
    digit is correct, followed by at least one more character. A lot number that
    starts with 00, 01 or 02 and 14 or more digits passes the check digit one
    time in ten and is then read as GS1 (and rejected when it does not parse).
    A key with nothing after it stays a lot number, so a plain 16-digit lot
    number is still accepted.
    """
    match = _CHECKED_GS1_KEY_RE.match(data)
    if match is None or match.end() == len(data):
        return False
    key = match.group()
    return gs1.gs1_check_digit(key[2:-1]) == int(key[-1])


def _parse_unmarked_gs1(text: str, data: str) -> Payload:
    try:
        elements = gs1.parse_element_string(data)
    except gs1.InvalidGs1 as error:
        # Taking it for a lot number would record the whole GS1 string as one.
        return RejectedPayload(
            text,
            f"GS1 data {escape_for_message(data)} is not valid: {error}; it starts with a "
            f"{gs1.APPLICATION_IDENTIFIERS[data[:2]].title} ({data[:2]}) whose check digit is correct, "
            "so it is read as GS1 data, not as a lot number",
        )
    return Gs1Data(text, elements, "element string", None)


def _unsupported_version(version: int) -> str:
    if version == 0:
        return "label format version 0 does not exist; the label is damaged or not a Powder Lineage label"
    return f"label format version {version} is not supported by this station; update Powder Lineage"


def _identifier_problem(label_kind: LabelKind, identifier: str) -> str | None:
    if IDENTIFIER_RE.match(identifier):
        return None
    return (
        f"the label's {label_kind.value} id {escape_for_message(identifier)} is not valid: ids are 1 to 64 "
        f"letters, digits, '.', '_', '/' or '-', starting with a letter or digit{lookalike_note(identifier)}"
    )


def _parse_compact(text: str, data: str) -> Payload:
    version_match = _COMPACT_VERSION_RE.match(data)
    assert version_match is not None
    version = int(version_match.group(1))
    if version != LABEL_FORMAT_VERSION:
        return RejectedPayload(text, _unsupported_version(version))
    fields = data.split(":", 2)
    if len(fields) != 3 or fields[1] not in _KIND_BY_LETTER:
        shown = escape_for_message(fields[1] if len(fields) > 1 else "")
        return RejectedPayload(text, f"label kind {shown} is unknown; a PL1 label names C, L, S or B")
    label_kind = _KIND_BY_LETTER[fields[1]]
    problem = _identifier_problem(label_kind, fields[2])
    if problem:
        return RejectedPayload(text, problem)
    return ProjectLabel(text, label_kind, fields[2], "compact")


def _parse_url(text: str, data: str) -> Payload:
    try:
        parts = urlsplit(data)
    except ValueError as error:
        return RejectedPayload(
            text, f"the web address {escape_for_message(data)} is malformed ({error}); it was not opened"
        )
    segments = parts.path.split("/")
    label_segments = segments[-3:] if len(segments) >= 4 else []
    version_match = _URI_VERSION_RE.match(label_segments[0]) if label_segments else None
    if version_match:
        return _parse_label_uri(text, parts.scheme, int(version_match.group(1)), label_segments)
    try:
        elements = gs1.parse_digital_link(data)
    except gs1.InvalidGs1 as error:
        return RejectedPayload(text, f"GS1 Digital Link {escape_for_message(data)} is not valid: {error}")
    if elements is not None:
        return Gs1Data(text, elements, "digital link", None)
    return RejectedPayload(
        text,
        f"the web address {escape_for_message(data)} is neither a Powder Lineage label nor a GS1 Digital Link; it was not opened",
    )


def _parse_label_uri(text: str, scheme: str, version: int, label_segments: list[str]) -> Payload:
    if version != LABEL_FORMAT_VERSION:
        return RejectedPayload(text, _unsupported_version(version))
    if scheme.lower() != "https":
        return RejectedPayload(text, f"a Powder Lineage label address must start with https://, not {scheme}://")
    letter, encoded_identifier = label_segments[1].upper(), label_segments[2]
    if letter not in _KIND_BY_LETTER:
        return RejectedPayload(
            text, f"label kind {escape_for_message(label_segments[1])} is unknown; a pl1 label names c, l, s or b"
        )
    label_kind = _KIND_BY_LETTER[letter]
    identifier = unquote(encoded_identifier, errors="replace")
    problem = _identifier_problem(label_kind, identifier)
    if problem:
        return RejectedPayload(text, problem)
    return ProjectLabel(text, label_kind, identifier, "uri")


def payload_as_dict(payload: Payload) -> dict[str, object]:
    """Return a payload as JSON-ready data: its kind, whether it is accepted, and its fields."""
    data: dict[str, object] = {"kind": payload.kind, "accepted": payload.accepted}
    if isinstance(payload, ProjectLabel):
        data.update(identifier=payload.identifier, form=payload.form)
    elif isinstance(payload, Gs1Data):
        data.update(
            source=payload.source,
            symbology_identifier=payload.symbology_identifier,
            elements=[
                {"ai": element.ai, "title": element.title, "value": element.value} for element in payload.elements
            ],
        )
    elif isinstance(payload, SupplierLotNumber):
        data.update(lot_number=payload.lot_number)
    elif isinstance(payload, RejectedPayload):
        data.update(reason=payload.reason)
    return data
