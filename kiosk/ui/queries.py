"""Reads the screens need, as plain data: operators, reference choices, a container's view, station events.

No Qt here. Every function reads through the models' bound database and
must run inside `Store.reading()` on the background task thread, so the
GUI thread never waits on SQLite.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sync import lineage
from sync.errors import NotFound
from sync.exposure import container_exposure
from sync.models import Event, Label, Lot, Outbox, VoidedEvent, event_from_row
from sync.records import Event as RecordEvent
from sync.reference import Equipment, Grade, Operator, SamplingMethod, check_pin

RECENT_EVENTS = 8


@dataclass(frozen=True)
class OperatorEntry:
    """An active operator as the login screen lists them."""

    badge_id: str
    name: str
    role: str


@dataclass(frozen=True)
class GradeChoice:
    """A grade version with its exposure limits."""

    grade_id: str
    version: int
    name: str
    max_open_minutes: float | None
    rh_limit_pct: float | None


@dataclass(frozen=True)
class EquipmentChoice:
    """A machine or line at its latest version."""

    equipment_id: str
    name: str
    kind: str
    location: str


@dataclass(frozen=True)
class MethodChoice:
    """One version of a sampling method with its defaults."""

    method_id: str
    version: int
    name: str
    default_increments: int
    compositing_rule: str


@dataclass(frozen=True)
class ReferenceChoices:
    """What the pickers offer: latest grades and equipment, every sampling method version."""

    grades: list[GradeChoice]
    equipment: list[EquipmentChoice]
    methods: list[MethodChoice]


@dataclass(frozen=True)
class EventLine:
    """An event as a list shows it; ``voided_by`` is the correcting event's id, if any."""

    event: RecordEvent
    voided_by: str | None = None


@dataclass
class ContainerView:
    """Everything the container screen shows about one container, read in one snapshot."""

    scanned: str
    container_id: str
    current_label: str
    labels: list[str]
    lot_id: str
    lot_number: str
    supplier: str
    grade_id: str
    grade_version: int
    grade_name: str
    internal_code: str
    material_origin: str
    net_mass: float
    unit: str
    is_open: bool
    opened_utc_us: int | None
    storage_location: str | None
    humidity_control_active: bool | None
    last_relative_humidity_pct: float | None
    last_ambient_temperature_c: float | None
    max_open_minutes: float | None
    rh_limit_pct: float | None
    # Open time of the windows already resealed, in seconds.
    closed_open_s: float
    recent_events: list[EventLine] = field(default_factory=list)


def _latest_rows(model: Any, id_field: str) -> list[Any]:
    """Return the highest version of each entry of a versioned reference table."""
    latest: dict[str, Any] = {}
    for row in model.select().order_by(getattr(model, id_field), model.version):
        latest[getattr(row, id_field)] = row
    return list(latest.values())


def list_operators() -> list[OperatorEntry]:
    """Return the active operators (latest version of each badge), by name."""
    rows = [row for row in _latest_rows(Operator, "badge_id") if row.active]
    return sorted((OperatorEntry(r.badge_id, r.name, r.role) for r in rows), key=lambda entry: entry.name)


def operator_by_badge(badge_id: str) -> OperatorEntry | None:
    """Return the active operator with this badge, or None."""
    return next((entry for entry in list_operators() if entry.badge_id == badge_id), None)


def verify_pin(badge_id: str, pin: str) -> OperatorEntry | None:
    """Return the operator when the PIN matches their latest PIN hash, else None.

    Slow on purpose (PBKDF2 with 200,000 rounds, about 0.1 s): run on the task thread.
    """
    rows = [row for row in _latest_rows(Operator, "badge_id") if row.badge_id == badge_id and row.active]
    if not rows or not check_pin(pin, rows[0].pin_hash):
        return None
    return OperatorEntry(rows[0].badge_id, rows[0].name, rows[0].role)


def reference_choices() -> ReferenceChoices:
    """Return the grades, equipment and sampling methods the pickers offer."""
    grades = [
        GradeChoice(row.grade_id, row.version, row.name, row.max_open_minutes, row.rh_limit_pct)
        for row in _latest_rows(Grade, "grade_id")
    ]
    equipment = [
        EquipmentChoice(row.equipment_id, row.name, row.kind, row.location)
        for row in _latest_rows(Equipment, "equipment_id")
        if row.active
    ]
    methods = [
        MethodChoice(row.method_id, row.version, row.name, row.default_increments, row.compositing_rule)
        for row in SamplingMethod.select().order_by(SamplingMethod.method_id, SamplingMethod.version.desc())
    ]
    return ReferenceChoices(grades, equipment, methods)


def load_container(query: str, *, now_utc_us: int) -> ContainerView:
    """Return the view of the container a container id or any of its labels names.

    Raises NotFound when no container carries that id or label.
    """
    text = query.strip()
    label = Label.get_or_none(Label.label == text)
    if label is None:
        raise NotFound(f"no container carries the label {text!r}; check the label or register the lot first")
    all_events = lineage.events_about([("container", label.container_id)])
    state = lineage.container_state(label.container_id, all_events)
    if state is None:
        raise NotFound(f"container {label.container_id!r} is not registered at this station; sync or register it")

    lot = Lot.get_or_none(Lot.lot_id == state.lot_id)
    grade = None
    if lot is not None:
        grade = Grade.get_or_none((Grade.grade_id == lot.grade_id) & (Grade.version == lot.grade_version))
    exposure = container_exposure(
        state.container_id,
        state.events,
        now_utc_us=now_utc_us,
        max_open_minutes=None,
        rh_limit_pct=None,
    )
    closed_open_s = sum(window.open_s for window in exposure.windows if not window.is_open)
    voided = lineage.voided_ids(event.event_id for event in all_events)
    recent = [EventLine(event, voided.get(event.event_id)) for event in all_events[-RECENT_EVENTS:]]
    recent.reverse()

    return ContainerView(
        scanned=text,
        container_id=state.container_id,
        current_label=state.current_label,
        labels=sorted(state.labels),
        lot_id=state.lot_id,
        lot_number=lot.lot_number if lot is not None else "",
        supplier=lot.supplier if lot is not None else "",
        grade_id=lot.grade_id if lot is not None else "",
        grade_version=lot.grade_version if lot is not None else 0,
        grade_name=grade.name if grade is not None else "",
        internal_code=lot.internal_code if lot is not None else "",
        material_origin=lot.material_origin if lot is not None else "",
        net_mass=state.net_mass,
        unit=state.unit,
        is_open=state.is_open,
        opened_utc_us=state.opened_utc_us,
        storage_location=state.storage_location,
        humidity_control_active=state.humidity_control_active,
        last_relative_humidity_pct=state.last_relative_humidity_pct,
        last_ambient_temperature_c=state.last_ambient_temperature_c,
        max_open_minutes=grade.max_open_minutes if grade is not None else None,
        rh_limit_pct=grade.rh_limit_pct if grade is not None else None,
        closed_open_s=closed_open_s,
        recent_events=recent,
    )


def station_events(station_id: str, *, limit: int = 50) -> list[EventLine]:
    """Return this station's latest events, newest first, with the correction that voided each, if any."""
    query = Event.select().where(Event.station_id == station_id).order_by(Event.seq.desc()).limit(limit)
    events = [event_from_row(row) for row in query.dicts()]
    voided = lineage.voided_ids(event.event_id for event in events)
    return [EventLine(event, voided.get(event.event_id)) for event in events]


def event_by_id(event_id: str) -> EventLine:
    """Return one stored event; raise NotFound when the store has no such event."""
    row = Event.get_or_none(Event.event_id == event_id)
    if row is None:
        raise NotFound(f"event {event_id} is not in this store")
    voided = VoidedEvent.get_or_none(VoidedEvent.event_id == event_id)
    return EventLine(event_from_row(row), voided.correction_event_id if voided is not None else None)


@dataclass(frozen=True)
class OutboxCounts:
    """The station's own events not yet accepted by the server, and those it rejected."""

    waiting: int
    rejected: int


def outbox_counts() -> OutboxCounts:
    """Count the outbox rows waiting to be sent and those the server rejected."""
    waiting = Outbox.select().where(Outbox.state == "pending").count()
    rejected = Outbox.select().where(Outbox.state == "rejected").count()
    return OutboxCounts(waiting, rejected)


def lot_exists(lot_id: str) -> bool:
    """Tell whether a lot is registered here."""
    return Lot.get_or_none(Lot.lot_id == lot_id) is not None


def recycled_share_of_lots(lot_ids: list[str]) -> dict[str, float]:
    """Return each lot's recycled or reused share by mass (see `lineage.recycled_shares`)."""
    shares: dict[str, float] = {}
    for lot_id in set(lot_ids):
        upstream = lineage.walk(lot_id, direction="upstream")
        # Only the lot's own ancestry counts, so the downstream side stays at the lot itself.
        downstream = lineage.LotGraph(lot_id, depth={lot_id: 0})
        lots = lineage.lot_rows(upstream.depth)
        totals = lineage.incoming_totals(lots, upstream, downstream)
        shares[lot_id] = lineage.recycled_shares(upstream, totals, lots).get(lot_id, 0.0)
    return shares


def previous_lot_with_gtin(gtin: str) -> dict[str, Any] | None:
    """Return the body of the latest lot registered with this GTIN, to prefill supplier, grade and packaging."""
    # Bodies are stored as canonical JSON, so the GTIN appears exactly as "gtin":"<14 digits>".
    needle = f'"gtin":"{gtin}"'
    query = (
        Event.select(Event.body)
        .where((Event.kind == "lot_registered") & Event.body.contains(needle))
        .order_by(Event.occurred_utc_us.desc())
        .limit(1)
    )
    row = query.first()
    if row is None:
        return None
    body: dict[str, Any] = json.loads(row.body)
    return body
