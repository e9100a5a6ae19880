"""The HTTP API under /api/v1: batch ingest, pull, timeline and export, station status, reference data."""

from __future__ import annotations

import csv
import io
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from sync.lineage import DEFAULT_DEPTH
from sync.protocol import (
    MAX_PULL_EVENTS,
    MAX_REQUEST_BYTES,
    Batch,
    BatchResponse,
    ErrorBody,
    PullPage,
    is_receipt_signature_valid,
)
from sync.records import Event as RecordEvent
from sync.records import InvalidEvent, event_from_dict, parse_time, to_utc_us
from sync.server.auth import StationIdentity, authenticate, find_revoked_station, record_contact
from sync.server.errors import ApiError
from sync.server.ingest import ingest_batch
from sync.server.status import pull_page, reference_sections, station_statuses
from sync.server.storage import ServerStorage, StorageBusy, StorageUnavailable, now_utc_us
from sync.server.text import format_count

log = logging.getLogger(__name__)

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (400, 401, 403, 404, 409, 413, 422, 429, 500, 503)
}
router = APIRouter(prefix="/api/v1", responses=ERRORS)
# A station's last-seen time is kept to within this many seconds (see require_station).
CONTACT_RESOLUTION_S = 10


def storage_of(request: Request) -> ServerStorage:
    storage: ServerStorage = request.app.state.storage
    return storage


def require_station(request: Request) -> StationIdentity:
    """Return the station whose token the request carries and note the contact; raise 401 as `authenticate_request`.

    The last-seen time is written at most every CONTACT_RESOLUTION_S per
    station, so frequent pulls cost few writes.
    """
    station = authenticate_request(request)
    now_us = now_utc_us()
    last_us = station.last_seen_utc_us
    if last_us is not None and now_us - last_us < CONTACT_RESOLUTION_S * 1_000_000:
        return station
    try:
        storage_of(request).write(lambda: record_contact(station.station_id, now_us=now_us), lock=False)
    except (StorageBusy, StorageUnavailable) as error:
        # The request itself can still be served, and a later request records the contact.
        log.info("Last-seen time of station %s not recorded: %s", station.station_id, error)
    return station


def authenticate_request(request: Request) -> StationIdentity:
    """Return the station whose token the request carries; raise 401 for none, an unknown or a revoked token."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise ApiError(401, "the request has no Authorization header; send `Authorization: Bearer <station token>`")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "the Authorization header must be `Bearer <station token>`")
    station = storage_of(request).read(lambda: authenticate(token.strip()), snapshot=False)
    if station is None:
        revoked = storage_of(request).read(lambda: find_revoked_station(token.strip()), snapshot=False)
        raise ApiError(401, rejected_token_message(revoked))
    return station


def rejected_token_message(revoked_station_id: str | None) -> str:
    """Return the 401 message for an unknown token, or for a revoked token of the station given."""
    # --replace: without it, enrol-station rejects a station that is still enrolled under a newer token.
    if revoked_station_id is None:
        return (
            "the station token is unknown or revoked; on the server, run "
            "`lineage-server enrol-station STATION --replace` with the server's --db and this station's id, "
            "then set the new token as the station's [sync] token"
        )
    return (
        f"the station token is unknown or revoked: it is a revoked token of station {revoked_station_id}; "
        f"on the server, run `lineage-server enrol-station {revoked_station_id} --replace` with the server's --db, "
        "then set the new token as the station's [sync] token"
    )


Station = Annotated[StationIdentity, Depends(require_station)]
# A batch's ingest records the station's last-seen time in its own transaction.
BatchStation = Annotated[StationIdentity, Depends(authenticate_request)]


async def read_json_body(request: Request, limit: int) -> Any:
    """Read and parse a JSON request body of at most ``limit`` bytes; raise 413, 415 or 400."""
    return decode_json(await read_body(request, limit))


def decode_json(raw: bytes) -> Any:
    """Parse a JSON request body; raise 400 naming the problem."""
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        raise ApiError(400, f"the request body is not valid JSON: {error}", code="malformed_json") from None


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity, which are not JSON and which no event may carry.
    raise ValueError(f"{name} is not a JSON value")


async def read_body(request: Request, limit: int) -> bytes:
    """Read a JSON request body of at most ``limit`` bytes; raise 413 or 415."""
    content_type = request.headers.get("content-type", "application/json")
    if not content_type.split(";")[0].strip().endswith("json"):
        raise ApiError(415, f"content type {content_type!r} is not accepted; send application/json")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(
            413, f"the request body of {declared} bytes is over the limit of {limit} bytes; send smaller batches"
        )
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"the request body is over the limit of {limit} bytes; send smaller batches")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_batch(data: Any, station: StationIdentity) -> tuple[Batch, list[RecordEvent], float]:
    """Check a batch's shape, station and events; return it, its events and the station's clock offset in s.

    Raises 422 naming every invalid event (nothing of the batch is stored) and
    403 when the batch or any event is in another station's name.
    """
    try:
        batch = Batch.model_validate(data)
    except ValidationError as error:
        details = [
            {"location": ".".join(str(p) for p in item["loc"]), "value": _short(item.get("input")), "rule": item["msg"]}
            for item in error.errors()
        ]
        raise ApiError(422, "the batch is invalid; see details", code="invalid_batch", details=details) from None
    if batch.station_id != station.station_id:
        raise ApiError(
            403,
            f"the token belongs to station {station.station_id}, but the batch names station {batch.station_id}",
            code="wrong_station",
        )
    try:
        sent_utc_us = to_utc_us(parse_time(batch.sent_at))
    except ValueError:
        raise ApiError(
            422,
            f"sent_at {batch.sent_at!r} is invalid: use ISO 8601 with a UTC offset",
            code="invalid_batch",
            details=[{"location": "sent_at", "value": batch.sent_at, "rule": "ISO 8601 time with offset"}],
        ) from None

    events, details = [], []
    for index, item in enumerate(batch.events):
        if isinstance(item, dict) and item.get("station_id") not in (None, station.station_id):
            raise ApiError(
                403,
                f"event {item.get('event_id')!r} names station {item.get('station_id')!r}; "
                f"station {station.station_id} may send only its own events",
                code="wrong_station",
            )
        event_id = item.get("event_id") if isinstance(item, dict) else None
        try:
            events.append(event_from_dict(item))
        except RecursionError:
            details.append(
                {
                    "location": f"events.{index}",
                    "value": None,
                    "rule": "is nested too deeply to be an event",
                    "event_id": event_id if isinstance(event_id, str) else None,
                }
            )
        except InvalidEvent as error:
            details += [
                {
                    "location": f"events.{index}.{problem.field}",
                    "value": _short(problem.value),
                    "rule": problem.rule,
                    "event_id": event_id if isinstance(event_id, str) else None,
                }
                for problem in error.problems
            ]
    if details:
        raise ApiError(
            422,
            f"{invalid_events_summary(len({d['location'].split('.')[1] for d in details}), len(batch.events))}; "
            "nothing of this batch was stored. Resend the others without them",
            code="invalid_events",
            details=details,
        )
    clock_offset_s = (sent_utc_us - now_utc_us()) / 1_000_000
    return batch, events, clock_offset_s


def invalid_events_summary(invalid: int, total: int) -> str:
    """Return ``2 of 3 events are invalid``, with the verb and noun matching the counts."""
    verb = "is" if invalid == 1 else "are"
    if total == 1:
        return f"the batch's only event {verb} invalid"
    return f"{invalid} of {total} events {verb} invalid"


def _short(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 200 else text[:197] + "..."


@router.post(
    "/events/batch",
    response_model=BatchResponse,
    summary="Store a station's batch of events; one result per event",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": Batch.model_json_schema()}}}
    },
)
async def post_batch(request: Request, station: BatchStation) -> JSONResponse:
    raw = await read_body(request, MAX_REQUEST_BYTES)
    # Decoding and validating hundreds of events is CPU work: off the event loop.
    _batch, events, clock_offset_s = await run_in_threadpool(lambda: parse_batch(decode_json(raw), station))
    settings = request.app.state.settings
    storage = storage_of(request)
    drift_flagged = abs(clock_offset_s) > settings.max_clock_drift_s
    received = now_utc_us()

    def job() -> Any:
        return ingest_batch(
            station.station_id,
            events,
            received_utc_us=received,
            clock_offset_s=clock_offset_s,
            clock_drift_flagged=drift_flagged,
            max_clock_drift_s=settings.max_clock_drift_s,
            receipt_key=request.app.state.receipt_key,
        )

    async with request.app.state.admission.batch(station.station_id):
        outcome = await run_in_threadpool(storage.write, job)
    log.info(
        "Batch from station %s: %s, %d accepted, %d duplicate, %d rejected, head seq %d",
        station.station_id,
        format_count(len(events), "event"),
        outcome.accepted,
        outcome.duplicates,
        outcome.rejected,
        outcome.receipt["seq"],
    )
    for first, last in outcome.gaps_opened:
        missing = f"seq {first}" if first == last else f"seq {first} to {last}"
        log.warning("Station %s has a sequence gap: %s missing", station.station_id, missing)
    if drift_flagged:
        log.warning("Station %s clock is %+.1f s off the server's", station.station_id, clock_offset_s)
    body = {
        "results": outcome.results,
        "accepted": outcome.accepted,
        "duplicates": outcome.duplicates,
        "rejected": outcome.rejected,
        "receipt": outcome.receipt,
        "clock_offset_s": round(clock_offset_s, 3),
        "clock_drift_flagged": drift_flagged,
    }
    return JSONResponse(body)


@router.get("/events", response_model=PullPage, summary="Pull other stations' events after a cursor")
def get_events(
    request: Request,
    station: Station,
    after: Annotated[int, Query(ge=0, description="cursor from the previous page; 0 for the start")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_EVENTS)] = 500,
) -> dict[str, Any]:
    return storage_of(request).read(lambda: pull_page(station.station_id, after=after, limit=limit))


@router.get("/timeline", summary="A lot's whole story from any lot, container, label or sample id")
def get_timeline(
    request: Request,
    station: Station,
    id: Annotated[
        str, Query(min_length=1, max_length=200, description="lot id or number, container id, label or sample id")
    ],
    depth: Annotated[int, Query(ge=1, le=200)] = DEFAULT_DEPTH,
) -> dict[str, Any]:
    from sync.timeline import build_timeline

    timeline: dict[str, Any] = storage_of(request).read(lambda: build_timeline(id, max_depth=depth))
    return timeline


@router.get(
    "/export",
    summary="Export a lot's timeline as JSON or its events as CSV",
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def get_export(
    request: Request,
    station: Station,
    id: Annotated[str, Query(min_length=1, max_length=200)],
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Response:
    from sync.timeline import build_timeline

    timeline = storage_of(request).read(lambda: build_timeline(id))
    lot_id = timeline["identity"]["lot_id"]
    disposition = {"Content-Disposition": f'attachment; filename="lot-{_safe_name(lot_id)}.{format}"'}
    if format == "json":
        return Response(
            json.dumps(timeline, ensure_ascii=False, indent=2), media_type="application/json", headers=disposition
        )
    return Response(events_csv(timeline["events"]), media_type="text/csv; charset=utf-8", headers=disposition)


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


def events_csv(events: list[dict[str, Any]]) -> str:
    """Return a lot's events as CSV, one row per event with its body as JSON."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["occurred_at", "station_id", "seq", "kind", "operator_id", "event_id", "voided_by", "subjects", "body"]
    )
    for event in events:
        writer.writerow(
            [
                event["occurred_at"],
                event["station_id"],
                event["seq"],
                event["kind"],
                event["operator_id"],
                event["event_id"],
                event.get("voided_by") or "",
                " ".join(event["subjects"]),
                json.dumps(event["body"], ensure_ascii=False, sort_keys=True),
            ]
        )
    return out.getvalue()


@router.get("/stations", summary="Every station's sync status: last batch, chain head, gaps, flags")
def get_stations(request: Request, station: Station) -> dict[str, Any]:
    return {"stations": storage_of(request).read(lambda: station_statuses(None))}


@router.get("/stations/{station_id}", summary="One station's sync status")
def get_station(request: Request, station: Station, station_id: str) -> dict[str, Any]:
    statuses = storage_of(request).read(lambda: station_statuses(station_id))
    if not statuses:
        raise ApiError(404, f"station {station_id} is not enrolled and has no events here")
    return statuses[0]


@router.get("/reference", summary="Reference data (operators, equipment, methods, rules, grades), every version")
def get_reference(request: Request, station: Station) -> dict[str, Any]:
    return {"sections": storage_of(request).read(reference_sections)}


@router.post("/receipts/verify", summary="Check that a receipt was signed by this server")
async def verify_receipt(request: Request, station: Station) -> dict[str, Any]:
    data = await read_json_body(request, 64 * 1024)
    if not isinstance(data, dict):
        raise ApiError(422, "the receipt must be a JSON object as returned with a batch")
    return {"valid": is_receipt_signature_valid(data, request.app.state.receipt_key)}
