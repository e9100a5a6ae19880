"""Read side of the server: pull pages, station status and reference data as JSON-ready dicts."""

from __future__ import annotations

from typing import Any

from peewee import fn

from sync.models import ChainHead, Event, event_from_row
from sync.records import format_time, from_utc_us
from sync.reference import SECTIONS
from sync.server.tables import Arrival, StationAccount, StationFlag

RECENT_FLAGS = 20


def pull_page(station_id: str, *, after: int, limit: int) -> dict[str, Any]:
    """Return other stations' events with arrival position above ``after``, oldest first."""
    # Read the top position first: on PostgreSQL each statement reads rows
    # committed since the previous one, and bounding the page by it means the cursor never moves
    # past an event this page did not see. Batches commit in position order
    # (the ingest lock), so every position below the top is already visible.
    top = int(Arrival.select(fn.MAX(Arrival.position)).scalar() or 0)
    query = (
        Event.select(Event, Arrival.position)
        .join(Arrival, on=(Arrival.event_id == Event.event_id))
        .where((Arrival.position > after) & (Arrival.position <= top) & (Arrival.station_id != station_id))
        .order_by(Arrival.position)
        .limit(limit)
        .dicts()
    )
    rows: list[Any] = list(query)
    events = [event_from_row(row).to_dict() for row in rows]
    has_more = len(rows) == limit
    # With nothing more from others, the cursor moves past this station's own
    # newer events too, so the next pull does not scan them again.
    cursor = rows[-1]["position"] if has_more else max(after, top)
    return {"events": events, "cursor": cursor, "has_more": has_more}


def _time(us: int | None) -> str | None:
    return None if us is None else format_time(from_utc_us(us))


def station_statuses(station_id: str | None) -> list[dict[str, Any]]:
    """Return the status of one station (or of all when None): account, chain head, gaps and flags."""
    accounts = StationAccount.select()
    heads = ChainHead.select()
    counts: Any = Event.select(Event.station_id, fn.COUNT(Event.event_id).alias("held")).group_by(Event.station_id)
    flags = StationFlag.select().order_by(StationFlag.id.desc())
    if station_id is not None:
        accounts = accounts.where(StationAccount.station_id == station_id)
        heads = heads.where(ChainHead.station_id == station_id)
        counts = counts.where(Event.station_id == station_id)
        flags = flags.where(StationFlag.station_id == station_id)
    account_by_id = {row.station_id: row for row in accounts}
    head_by_id = {row.station_id: row for row in heads}
    held_by_id = {row.station_id: row.held for row in counts}
    flags_by_id: dict[str, list[Any]] = {}
    for flag in flags:
        flags_by_id.setdefault(flag.station_id, []).append(flag)

    statuses = []
    for sid in sorted(set(account_by_id) | set(head_by_id)):
        statuses.append(
            _status(sid, account_by_id.get(sid), head_by_id.get(sid), held_by_id.get(sid, 0), flags_by_id.get(sid, []))
        )
    return statuses


def _status(station_id: str, account: Any, head: Any, held: int, flags: list[Any]) -> dict[str, Any]:
    open_gaps = [
        {"first_seq": flag.seq, "last_seq": flag.seq_end, "since": _time(flag.raised_utc_us)}
        for flag in flags
        if flag.code == "gap" and flag.closed_utc_us is None
    ]
    counts: dict[str, int] = {}
    for flag in flags:
        counts[flag.code] = counts.get(flag.code, 0) + 1
    return {
        "station_id": station_id,
        "enrolled": account is not None,
        "revoked": account is not None and account.revoked_utc_us is not None,
        "enrolled_at": _time(account.enrolled_utc_us) if account else None,
        "last_seen_at": _time(account.last_seen_utc_us) if account else None,
        "clock_offset_s": account.last_clock_offset_s if account else None,
        "head_seq": head.seq if head else 0,
        "head_hash": head.hash if head else None,
        "events_held": int(held),
        "open_gaps": sorted(open_gaps, key=lambda gap: gap["first_seq"]),
        "flag_counts": counts,
        "recent_flags": [
            {
                "code": flag.code,
                "event_id": flag.event_id,
                "seq": flag.seq,
                "seq_end": flag.seq_end,
                "detail": flag.detail,
                "raised_at": _time(flag.raised_utc_us),
                "closed_at": _time(flag.closed_utc_us),
            }
            for flag in flags[:RECENT_FLAGS]
        ],
    }


def reference_sections() -> dict[str, list[dict[str, Any]]]:
    """Return every version of every reference entry, per section, as `import_reference_rows` takes them."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for name, section in SECTIONS.items():
        model = section.model
        id_column = getattr(model, section.id_field)
        rows: Any = model.select().order_by(id_column, model.version).dicts()  # type: ignore[attr-defined]
        sections[name] = [{key: value for key, value in row.items() if key != "id"} for row in rows]
    return sections
