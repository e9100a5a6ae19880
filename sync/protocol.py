"""The sync wire protocol: batch, per-event result, receipt, pull page and error shapes.

A station sends ``POST /api/v1/events/batch`` with a `Batch`; the server
responds with a `BatchResponse`: one `EventResult` per event, in the order
sent, and a signed `Receipt` naming the last sequence number and hash the
server holds for that station. Every error, on every endpoint, has the
`ErrorBody` shape. The event objects themselves are `sync.records.Event.to_dict`.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sync.records import canonical_json

API_PREFIX = "/api/v1"
PROTOCOL_VERSION = 1

# The largest batch the server takes in one request, and the largest request
# body: 1,000 events of typical size (about 1 KiB) fit well inside 8 MiB, while
# one event may reach `sync.records.MAX_EVENT_BYTES` (256 KiB).
MAX_BATCH_EVENTS = 1000
MAX_REQUEST_BYTES = 8 * 1024 * 1024
MAX_PULL_EVENTS = 2000

EventStatus = Literal["accepted", "duplicate", "rejected"]
# Why an event was rejected (the reason text gives the details):
#   conflict  another event with the same id and a different body is held
#   fork      another event of the same station holds this sequence number,
#             or this event's prev_hash does not match the event before it
REJECTION_CODES = ("conflict", "fork")
# Flags raised on arrival that do not reject the event:
#   gap          sequence numbers before this event are missing at the server
#   clock_drift  the station's clock differs from the server's by more than the limit
FLAG_CODES = ("gap", "clock_drift")


class Batch(BaseModel):
    """A station's batch of its own events, in sequence order."""

    model_config = ConfigDict(extra="forbid")

    station_id: str = Field(description="the sending station; must be the station the token belongs to")
    sent_at: str = Field(description="the station's clock when it sent the batch (ISO 8601 with offset)")
    events: list[dict[str, Any]] = Field(description="events as sealed at the station", max_length=MAX_BATCH_EVENTS)


class EventResult(BaseModel):
    """The outcome of one event of a batch."""

    event_id: str
    status: EventStatus
    # Set when status is "rejected": one of REJECTION_CODES.
    code: str | None = None
    reason: str | None = None
    flags: list[str] = Field(default_factory=list)


class Receipt(BaseModel):
    """The server's signed statement of the last event it holds for a station.

    ``signature`` is the hex HMAC-SHA256, under the server's receipt key, of the
    canonical JSON of every other field. A station keeps its latest receipt: if
    its own chain no longer contains ``seq`` with ``hash``, the station's chain
    was rewritten or restored from an older backup.
    """

    station_id: str
    seq: int = Field(description="highest sequence number held; 0 when none")
    hash: str = Field(description="hash of the event with that sequence number")
    events_held: int
    issued_at: str
    signature: str


class BatchResponse(BaseModel):
    """The server's response to a batch: one result per event and a receipt."""

    results: list[EventResult]
    accepted: int
    duplicates: int
    rejected: int
    receipt: Receipt
    # Seconds the station's clock is ahead of the server's (negative: behind).
    clock_offset_s: float
    clock_drift_flagged: bool


class PullPage(BaseModel):
    """Events of other stations after a cursor, in the server's arrival order."""

    events: list[dict[str, Any]]
    cursor: int = Field(description="pass as `after` to get the next page")
    has_more: bool


class ErrorDetail(BaseModel):
    """One problem of a rejected request: where it is, the value and the rule."""

    location: str
    value: Any = None
    rule: str
    event_id: str | None = None


class ErrorInfo(BaseModel):
    """The error itself: HTTP status, a stable code, a sentence and the problems."""

    status: int
    code: str
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)
    retry_after_s: int | None = None


class ErrorBody(BaseModel):
    """The one JSON shape of every error response of the server."""

    error: ErrorInfo


def receipt_payload(receipt: dict[str, Any]) -> bytes:
    """Return the bytes a receipt signature covers: every field but ``signature``."""
    return canonical_json({key: value for key, value in receipt.items() if key != "signature"})


def sign_receipt(receipt: dict[str, Any], key: bytes) -> str:
    """Return the hex HMAC-SHA256 of a receipt under a key."""
    return hmac.new(key, receipt_payload(receipt), hashlib.sha256).hexdigest()


def is_receipt_signature_valid(receipt: dict[str, Any], key: bytes) -> bool:
    """Tell whether a receipt's signature matches its fields under a key (constant-time)."""
    signature = receipt.get("signature")
    if not isinstance(signature, str):
        return False
    return hmac.compare_digest(signature, sign_receipt(receipt, key))
