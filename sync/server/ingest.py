"""Batch ingest at the server: duplicates, conflicts, chain and sequence checks, bulk insert, receipt.

`ingest_batch` runs inside one transaction that holds the server's ingest
lock (see `sync.server.storage`), so the duplicate and chain checks see every
committed event and arrival positions commit in order.

    outcome = ingest_batch(station_id, events, received_utc_us=now, clock_offset_s=0.4, ...)

Each event gets one result: ``accepted``; ``duplicate`` (the same event id
with the same hash is held); or ``rejected`` with a code and reason (a
conflict: same id, other content; a fork: its sequence number is taken, or
it does not chain to the events held around it). A rejected event is kept in
`StationFlag` as received, and the held events stay untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sync import projection
from sync.models import ChainHead, Event, event_row
from sync.protocol import sign_receipt
from sync.records import GENESIS_HASH, canonical_json, format_time, from_utc_us
from sync.records import Event as RecordEvent
from sync.server.tables import Arrival, StationAccount, StationFlag

log = logging.getLogger(__name__)

QUERY_CHUNK = 500


@dataclass(frozen=True)
class HeldLink:
    """The event stored at one sequence number of a station's chain."""

    event_id: str
    hash: str
    prev_hash: str


@dataclass
class IngestOutcome:
    """Per-event results in the order sent, counts, and the station's receipt."""

    results: list[dict[str, Any]]
    receipt: dict[str, Any]
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    gaps_opened: list[tuple[int, int]] = field(default_factory=list)


def ingest_batch(
    station_id: str,
    events: Sequence[RecordEvent],
    *,
    received_utc_us: int,
    clock_offset_s: float,
    clock_drift_flagged: bool,
    max_clock_drift_s: float,
    receipt_key: bytes,
) -> IngestOutcome:
    """Store a station's validated events exactly once and return what happened to each.

    Every event must already have passed `sync.records.event_from_dict` and
    belong to ``station_id``. Run inside one transaction holding the ingest lock.
    """
    head = ChainHead.get_or_none(ChainHead.station_id == station_id)
    head_seq, head_hash = (int(head.seq), str(head.hash)) if head is not None else (0, GENESIS_HASH)
    held_hashes, links = _held_rows(station_id, events)
    results: dict[int, dict[str, Any]] = {}
    flags: list[dict[str, Any]] = []
    new_events: list[tuple[int, RecordEvent]] = []
    seen_in_batch: dict[str, str] = {}

    for index, event in enumerate(events):
        held_hash = held_hashes.get(event.event_id) or seen_in_batch.get(event.event_id)
        if held_hash is None:
            seen_in_batch[event.event_id] = event.hash
            new_events.append((index, event))
        elif held_hash == event.hash:
            results[index] = _result(event, "duplicate")
        else:
            reason = f"event {event.event_id} is already held with different content (hash {held_hash[:12]}...); the held event is kept"
            results[index] = _result(event, "rejected", code="conflict", reason=reason)
            flags.append(_flag(station_id, "conflict", event, reason, received_utc_us, received=event))

    new_events.sort(key=lambda item: item[1].seq)
    accepted = _check_chain(station_id, new_events, links, results, flags, received_utc_us)
    gaps = _update_gaps(station_id, head_seq, accepted, flags, received_utc_us)
    for index, event in accepted:
        flag_names = []
        if event.seq in gaps.opened_by:
            flag_names.append("gap")
        if _is_from_future(event, received_utc_us, max_clock_drift_s):
            flag_names.append("clock_drift")
        results[index] = _result(event, "accepted", flags=flag_names)

    stored = [event for _, event in accepted]
    _store(station_id, stored, received_utc_us)
    top = max(stored, key=lambda event: event.seq, default=None)
    if top is not None and top.seq > head_seq:
        if head is None:
            ChainHead.insert(station_id=station_id, seq=top.seq, hash=top.hash).execute()
        else:
            ChainHead.update(seq=top.seq, hash=top.hash).where(ChainHead.station_id == station_id).execute()
        head_seq, head_hash = top.seq, top.hash
    if clock_drift_flagged and not _was_drifting(station_id, max_clock_drift_s):
        # One flag when the drift begins, not one per batch while it lasts.
        detail = (
            f"station clock is {clock_offset_s:+.1f} s off the server's, more than the {max_clock_drift_s:g} s allowed"
        )
        flags.append(_flag(station_id, "clock_drift", None, detail, received_utc_us))
    if flags:
        StationFlag.insert_many(flags).execute()
    updated = (
        StationAccount.update(
            last_seen_utc_us=received_utc_us,
            last_clock_offset_s=clock_offset_s,
            events_held=StationAccount.events_held + len(stored),
        )
        .where(StationAccount.station_id == station_id)
        .returning(StationAccount.events_held)
        .execute()
    )
    events_held = next(iter(updated)).events_held

    ordered = [results[index] for index in range(len(events))]
    receipt = build_receipt(station_id, head_seq, head_hash, int(events_held or 0), received_utc_us, receipt_key)
    outcome = IngestOutcome(ordered, receipt, gaps_opened=gaps.ranges)
    for result in ordered:
        if result["status"] == "accepted":
            outcome.accepted += 1
        elif result["status"] == "duplicate":
            outcome.duplicates += 1
        else:
            outcome.rejected += 1
    return outcome


def _result(
    event: RecordEvent,
    status: str,
    *,
    code: str | None = None,
    reason: str | None = None,
    flags: list[str] | None = None,
) -> dict[str, Any]:
    return {"event_id": event.event_id, "status": status, "code": code, "reason": reason, "flags": flags or []}


def _flag(
    station_id: str,
    code: str,
    event: RecordEvent | None,
    detail: str,
    now_us: int,
    *,
    received: RecordEvent | None = None,
    seq_end: int | None = None,
) -> dict[str, Any]:
    return {
        "station_id": station_id,
        "code": code,
        "event_id": event.event_id if event else None,
        "seq": event.seq if event else None,
        "seq_end": seq_end,
        "detail": detail,
        "received": canonical_json(received.to_dict()).decode("utf-8") if received else None,
        "raised_utc_us": now_us,
        "closed_utc_us": None,
    }


def _held_rows(station_id: str, events: Sequence[RecordEvent]) -> tuple[dict[str, str], dict[int, HeldLink]]:
    """Return the held hash of each event id of the batch, and the held links at and around its sequence numbers.

    One query per chunk of events serves both the duplicate check and the chain
    check, because each query is a round trip to the database.
    """
    hashes: dict[str, str] = {}
    links: dict[int, HeldLink] = {}
    for start in range(0, len(events), QUERY_CHUNK):
        chunk = events[start : start + QUERY_CHUNK]
        ids = [event.event_id for event in chunk]
        seqs = sorted({event.seq + step for event in chunk for step in (-1, 0, 1)})
        # Written as plain SQL: peewee takes longer to build this query's
        # hundreds of parameters than the database takes to run it. Two halves
        # joined by UNION ALL run faster on PostgreSQL than one OR, and a
        # batch's usual run of consecutive sequence numbers is one range.
        db = Event._meta.database
        columns = f'"event_id", "station_id", "seq", "hash", "prev_hash" FROM "{Event._meta.table_name}"'
        by_id = f'SELECT {columns} WHERE "event_id" IN ({", ".join([db.param] * len(ids))})'
        if seqs[-1] - seqs[0] + 1 == len(seqs):
            by_seq = f'SELECT {columns} WHERE "station_id" = {db.param} AND "seq" BETWEEN {db.param} AND {db.param}'
            seq_params = [seqs[0], seqs[-1]]
        else:
            by_seq = (
                f'SELECT {columns} WHERE "station_id" = {db.param} AND "seq" IN ({", ".join([db.param] * len(seqs))})'
            )
            seq_params = seqs
        cursor = db.execute_sql(f"{by_id} UNION ALL {by_seq}", [*ids, station_id, *seq_params])
        for event_id, row_station_id, seq, held_hash, prev_hash in cursor.fetchall():
            hashes[event_id] = held_hash
            if row_station_id == station_id:
                links[int(seq)] = HeldLink(event_id, held_hash, prev_hash)
    return hashes, links


def _check_chain(
    station_id: str,
    new_events: list[tuple[int, RecordEvent]],
    links: dict[int, HeldLink],
    results: dict[int, dict[str, Any]],
    flags: list[dict[str, Any]],
    now_us: int,
) -> list[tuple[int, RecordEvent]]:
    """Reject new events whose sequence number is taken or that do not link to their held neighbours."""
    accepted = []
    for index, event in new_events:
        problem = _fork_problem(event, links)
        if problem is not None:
            results[index] = _result(event, "rejected", code="fork", reason=problem)
            flags.append(_flag(station_id, "fork", event, problem, now_us, received=event))
            continue
        links[event.seq] = HeldLink(event.event_id, event.hash, event.prev_hash)
        accepted.append((index, event))
    return accepted


def _fork_problem(event: RecordEvent, links: dict[int, HeldLink]) -> str | None:
    seq = event.seq
    taken = links.get(seq)
    if taken is not None:
        return (
            f"sequence number {seq} of station {event.station_id} is already held by event {taken.event_id}; "
            "the station's chain forked (restored from an older backup?)"
        )
    before = links.get(seq - 1)
    if seq == 1 and event.prev_hash != GENESIS_HASH:
        return "the first event of a station must have the genesis prev_hash (64 zeros)"
    if before is not None and before.hash != event.prev_hash:
        return f"prev_hash does not match the hash of the held event at seq {seq - 1} ({before.event_id}); the chain forked"
    after = links.get(seq + 1)
    if after is not None and after.prev_hash != event.hash:
        return f"the held event at seq {seq + 1} ({after.event_id}) does not chain to this event; the chain forked"
    return None


@dataclass
class GapChanges:
    """Gaps opened by a batch: the sequence numbers of the events after each new gap, and the ranges."""

    opened_by: set[int] = field(default_factory=set)
    ranges: list[tuple[int, int]] = field(default_factory=list)


def _update_gaps(
    station_id: str, head_seq: int, accepted: list[tuple[int, RecordEvent]], flags: list[dict[str, Any]], now_us: int
) -> GapChanges:
    """Open a gap flag for missing sequence numbers before new events; close or shrink gaps they fill."""
    changes = GapChanges()
    if not accepted:
        return changes
    highest = head_seq
    filled: list[int] = []
    for _, event in accepted:
        if event.seq > highest + 1:
            first, last = highest + 1, event.seq - 1
            changes.opened_by.add(event.seq)
            changes.ranges.append((first, last))
            detail = (
                f"sequence numbers {first} to {last} of station {station_id} are missing"
                if last > first
                else f"sequence number {first} of station {station_id} is missing"
            )
            flags.append(
                _flag(station_id, "gap", event, detail, now_us, seq_end=last) | {"seq": first, "event_id": None}
            )
        if event.seq <= highest:
            filled.append(event.seq)
        highest = max(highest, event.seq)
    if filled:
        _refill_gaps(station_id, filled, {event.seq for _, event in accepted}, flags, now_us)
    return changes


def _refill_gaps(
    station_id: str, filled: list[int], arriving: set[int], flags: list[dict[str, Any]], now_us: int
) -> None:
    """Close each open gap that arriving events fall in, and open flags for what is still missing in it."""
    open_gaps = StationFlag.select().where(
        (StationFlag.station_id == station_id) & (StationFlag.code == "gap") & StationFlag.closed_utc_us.is_null()
    )
    for gap in open_gaps:
        first_missing, last_missing = int(gap.seq or 0), int(gap.seq_end or 0)
        if not any(first_missing <= seq <= last_missing for seq in filled):
            continue
        StationFlag.update(closed_utc_us=now_us).where(StationFlag.id == gap.id).execute()
        query = Event.select(Event.seq).where(
            (Event.station_id == station_id) & (Event.seq.between(first_missing, last_missing))
        )
        held = {int(row.seq) for row in query}
        missing = [seq for seq in range(first_missing, last_missing + 1) if seq not in held and seq not in arriving]
        for first, last in _ranges(missing):
            detail = (
                f"sequence numbers {first} to {last} of station {station_id} are still missing"
                if last > first
                else f"sequence number {first} of station {station_id} is still missing"
            )
            flags.append(
                {
                    "station_id": station_id,
                    "code": "gap",
                    "event_id": None,
                    "seq": first,
                    "seq_end": last,
                    "detail": detail,
                    "received": None,
                    "raised_utc_us": now_us,
                    "closed_utc_us": None,
                }
            )


def _ranges(numbers: list[int]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for number in numbers:
        if ranges and ranges[-1][1] == number - 1:
            ranges[-1] = (ranges[-1][0], number)
        else:
            ranges.append((number, number))
    return ranges


def _was_drifting(station_id: str, max_clock_drift_s: float) -> bool:
    previous = (
        StationAccount.select(StationAccount.last_clock_offset_s)
        .where(StationAccount.station_id == station_id)
        .scalar()
    )
    return previous is not None and abs(previous) > max_clock_drift_s


def _is_from_future(event: RecordEvent, received_utc_us: int, max_clock_drift_s: float) -> bool:
    return event.occurred_utc_us > received_utc_us + int(max_clock_drift_s * 1_000_000)


def _store(station_id: str, events: list[RecordEvent], received_utc_us: int) -> None:
    """Insert events, their arrival positions and projections with one statement per table."""
    if not events:
        return
    projection.insert_many_plain(Event, [event_row(event, received_utc_us) for event in events])
    projection.insert_many_plain(Arrival, [{"event_id": event.event_id, "station_id": station_id} for event in events])
    projection.apply_events_bulk(events)


def build_receipt(
    station_id: str, seq: int, head_hash: str, events_held: int, now_us: int, key: bytes
) -> dict[str, Any]:
    """Return the signed receipt of the last event held for a station."""
    receipt: dict[str, Any] = {
        "station_id": station_id,
        "seq": seq,
        "hash": head_hash,
        "events_held": events_held,
        "issued_at": format_time(from_utc_us(now_us)),
    }
    receipt["signature"] = sign_receipt(receipt, key)
    return receipt
