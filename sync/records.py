"""The event record shared by station, wire and server: validation, canonical encoding, hash chain.

An event is append-only. Its hash is SHA-256 over the canonical encoding of every
field but ``hash`` itself, and that encoding includes ``prev_hash``, the hash of
the same station's previous event, so an edit, a deletion or a reordering
anywhere in a station's history breaks the chain.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from sync.ids import IDENTIFIER_RE, new_event_id
from sync.kinds import BODY_TYPES, Body

SCHEMA_VERSION = 1
GENESIS_HASH = "0" * 64
EVENT_ID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
SUBJECT_TYPES = ("lot", "container", "sample")
ENVELOPE_FIELDS = (
    "event_id",
    "schema_version",
    "kind",
    "station_id",
    "operator_id",
    "occurred_at",
    "subjects",
    "body",
    "seq",
    "prev_hash",
    "hash",
)
# Events whose canonical encoding is larger than this are rejected: no real
# lineage event comes near it, and the server must bound what it parses.
MAX_EVENT_BYTES = 256 * 1024
# Bytes the hash adds to an event's canonical encoding: `"hash":"` 64 hex digits `",`.
HASH_ENTRY_BYTES = len('"hash":"",') + 64


class InvalidEvent(ValueError):
    """An event that breaks a rule; ``problems`` lists each field, value and rule."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class Problem:
    """One broken rule: which field, which value, what the rule is."""

    field: str
    value: Any
    rule: str

    def __str__(self) -> str:
        return f"{self.field}: value {_shorten(self.value)} is invalid: {self.rule}"


def _shorten(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Event:
    """One lineage event as stored and sent. Build new ones with `seal_event`."""

    event_id: str
    kind: str
    station_id: str
    operator_id: str
    occurred_at: str
    subjects: tuple[str, ...]
    body: dict[str, Any]
    seq: int
    prev_hash: str
    hash: str
    schema_version: int = SCHEMA_VERSION
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the event as a JSON-ready dict with every envelope field."""
        return {
            "event_id": self.event_id,
            "schema_version": self.schema_version,
            "kind": self.kind,
            "station_id": self.station_id,
            "operator_id": self.operator_id,
            "occurred_at": self.occurred_at,
            "subjects": list(self.subjects),
            "body": self.body,
            "seq": self.seq,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    @property
    def occurred_utc_us(self) -> int:
        """Microseconds since the Unix epoch of the act, in UTC: the sort key (cached)."""
        if "occurred_utc_us" not in self._cache:
            self._cache["occurred_utc_us"] = to_utc_us(parse_time(self.occurred_at))
        value: int = self._cache["occurred_utc_us"]
        return value

    def parsed_body(self) -> Body:
        """Return the validated body model (cached)."""
        if "body" not in self._cache:
            self._cache["body"] = parse_body(self.kind, self.body)
        body: Body = self._cache["body"]
        return body


def canonical_json(value: Any) -> bytes:
    """Encode a JSON value canonically: sorted keys, no spaces, UTF-8, no NaN.

    Floats use Python's shortest round-trip form, so decoding and encoding again
    gives the same bytes.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def compute_hash(fields: dict[str, Any]) -> str:
    """Return the SHA-256 hex digest of every envelope field except ``hash``."""
    content = {name: fields[name] for name in ENVELOPE_FIELDS if name != "hash"}
    return hashlib.sha256(canonical_json(content)).hexdigest()


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 time that must carry an offset; raise ValueError otherwise."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("time must carry a UTC offset, e.g. 2026-12-04T09:30:00+01:00")
    return moment


def to_utc_us(moment: datetime) -> int:
    """Return microseconds since the Unix epoch for an aware datetime."""
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_utc_us(value: int) -> datetime:
    """Return the aware UTC datetime for microseconds since the Unix epoch."""
    return datetime.fromtimestamp(value // 1_000_000, tz=UTC).replace(microsecond=value % 1_000_000)


def format_time(moment: datetime) -> str:
    """Format an aware datetime as ISO 8601 with microseconds and its offset."""
    return moment.isoformat(timespec="microseconds")


def now_local() -> datetime:
    """Return the current time in the machine's zone, with its offset."""
    return datetime.now().astimezone()


def parse_body(kind: str, body: Any) -> Body:
    """Validate a body for its kind and return the model; raise InvalidEvent naming each problem."""
    body_type = BODY_TYPES.get(kind)
    if body_type is None:
        raise InvalidEvent([Problem("kind", kind, f"must be one of {', '.join(BODY_TYPES)}")])
    if not isinstance(body, dict):
        raise InvalidEvent([Problem("body", body, "must be a JSON object")])
    try:
        # JSON mode accepts ISO dates as strings and integers for floats, and
        # nothing looser (no "5" for 5).
        return body_type.model_validate_json(canonical_json(body))
    except ValidationError as error:
        raise InvalidEvent([_problem_from_pydantic(item) for item in error.errors()]) from error
    except ValueError as error:
        raise InvalidEvent([Problem("body", body, str(error))]) from error


def _problem_from_pydantic(item: Any) -> Problem:
    location = ".".join(str(part) for part in item["loc"])
    field_name = f"body.{location}" if location else "body"
    rule = item["msg"]
    rule = rule.removeprefix("Value error, ")
    return Problem(field_name, item.get("input"), rule)


def subjects_of(body: Body) -> tuple[str, ...]:
    """Return the sorted, unique subject ids ("lot:L-1") a body names."""
    return tuple(sorted({f"{kind}:{ident}" for kind, ident in body.subjects()}))


def seal_event(
    *,
    kind: str,
    body: dict[str, Any],
    station_id: str,
    operator_id: str,
    seq: int,
    prev_hash: str,
    occurred_at: datetime | str | None = None,
    event_id: str | None = None,
) -> Event:
    """Validate a new event, give it its subjects and hash, and return it.

    Raises InvalidEvent naming every problem; nothing invalid is returned.
    """
    if occurred_at is None:
        occurred_at = now_local()
    if isinstance(occurred_at, datetime):
        occurred_at = format_time(occurred_at)
    parsed = parse_body(kind, body)
    fields: dict[str, Any] = {
        "event_id": event_id or new_event_id(),
        "schema_version": SCHEMA_VERSION,
        "kind": kind,
        "station_id": station_id,
        "operator_id": operator_id,
        "occurred_at": occurred_at,
        "subjects": list(subjects_of(parsed)),
        "body": body,
        "seq": seq,
        "prev_hash": prev_hash,
    }
    fields["hash"] = compute_hash(fields)
    event = event_from_dict(fields)
    event._cache["body"] = parsed
    return event


def event_from_dict(data: Any) -> Event:
    """Validate a received event (envelope, body, subjects, hash) and return it.

    Raises InvalidEvent naming every problem found.
    """
    if not isinstance(data, dict):
        raise InvalidEvent([Problem("event", data, "must be a JSON object")])
    problems = _envelope_problems(data)
    if problems:
        raise InvalidEvent(problems)
    # One encoding serves the size check and the hash: the whole event's
    # encoding is this one plus `"hash":"<64 hex digits>",`.
    content = canonical_json({name: data[name] for name in ENVELOPE_FIELDS if name != "hash"})
    if len(content) + HASH_ENTRY_BYTES > MAX_EVENT_BYTES:
        raise InvalidEvent([Problem("event", data["event_id"], f"must be at most {MAX_EVENT_BYTES} bytes encoded")])

    parsed = parse_body(data["kind"], data["body"])
    expected_subjects = list(subjects_of(parsed))
    if list(data["subjects"]) != expected_subjects:
        raise InvalidEvent(
            [Problem("subjects", data["subjects"], f"must be {expected_subjects}, the ids the body names")]
        )
    if data["hash"] != hashlib.sha256(content).hexdigest():
        raise InvalidEvent(
            [Problem("hash", data["hash"], "must be the SHA-256 of the canonical encoding of the other fields")]
        )

    event = Event(
        event_id=data["event_id"],
        kind=data["kind"],
        station_id=data["station_id"],
        operator_id=data["operator_id"],
        occurred_at=data["occurred_at"],
        subjects=tuple(data["subjects"]),
        body=data["body"],
        seq=data["seq"],
        prev_hash=data["prev_hash"],
        hash=data["hash"],
        schema_version=data["schema_version"],
    )
    event._cache["body"] = parsed
    return event


def _envelope_problems(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    missing = [name for name in ENVELOPE_FIELDS if name not in data]
    problems += [Problem(name, None, "is required") for name in missing]
    unknown = sorted(set(data) - set(ENVELOPE_FIELDS))
    problems += [Problem(name, data[name], "is not an event field") for name in unknown]
    if missing:
        return problems

    def check(name: str, ok: bool, rule: str) -> None:
        if not ok:
            problems.append(Problem(name, data[name], rule))

    check(
        "event_id",
        isinstance(data["event_id"], str) and bool(EVENT_ID_RE.match(data["event_id"])),
        "must be a lower-case UUIDv7",
    )
    check(
        "schema_version",
        data["schema_version"] == SCHEMA_VERSION and type(data["schema_version"]) is int,
        f"must be {SCHEMA_VERSION}",
    )
    check("kind", data["kind"] in BODY_TYPES, f"must be one of {', '.join(BODY_TYPES)}")
    for name in ("station_id", "operator_id"):
        check(
            name,
            isinstance(data[name], str) and bool(IDENTIFIER_RE.match(data[name])),
            "must be an identifier: a letter or digit, then up to 63 letters, digits or . _ / -",
        )
    check(
        "occurred_at",
        isinstance(data["occurred_at"], str) and _is_offset_time(data["occurred_at"]),
        "must be an ISO 8601 time with a UTC offset",
    )
    check(
        "subjects",
        isinstance(data["subjects"], list) and all(isinstance(s, str) for s in data["subjects"]),
        "must be a list of strings",
    )
    check("body", isinstance(data["body"], dict), "must be a JSON object")
    check("seq", type(data["seq"]) is int and 1 <= data["seq"] < 2**63, "must be a positive integer")
    check(
        "prev_hash",
        isinstance(data["prev_hash"], str) and bool(HASH_RE.match(data["prev_hash"])),
        "must be 64 lower-case hex digits",
    )
    check(
        "hash", isinstance(data["hash"], str) and bool(HASH_RE.match(data["hash"])), "must be 64 lower-case hex digits"
    )
    return problems


def _is_offset_time(text: str) -> bool:
    try:
        parse_time(text)
    except ValueError:
        return False
    return True
