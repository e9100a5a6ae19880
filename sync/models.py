"""peewee models bound through one proxy: the same schema on a station's SQLite and the server's database.

``Event`` holds the records themselves. The other tables of this module are
projections rebuilt from events (subjects, lots, containers, labels, lot links,
samples, voided events, chain heads) plus the station's outbox; every row of a
projection names the event that produced it, so a correction can remove it.
"""

from __future__ import annotations

import json
from typing import Any

from peewee import (
    BigIntegerField,
    CharField,
    DatabaseProxy,
    FloatField,
    IntegerField,
    Model,
    TextField,
)

from sync.records import Event as RecordEvent
from sync.records import canonical_json

database_proxy = DatabaseProxy()


class BaseModel(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class Event(BaseModel):
    """One lineage event, exactly as sealed at its station (bodies as canonical JSON)."""

    event_id = CharField(max_length=36, primary_key=True)
    station_id = CharField(max_length=64)
    seq = BigIntegerField()
    kind = CharField(max_length=32, index=True)
    operator_id = CharField(max_length=64)
    occurred_at = CharField(max_length=40)
    # The same instant as microseconds since the Unix epoch in UTC: sorts
    # correctly on SQLite and PostgreSQL whatever offset was recorded.
    occurred_utc_us = BigIntegerField(index=True)
    subjects = TextField()
    body = TextField()
    prev_hash = CharField(max_length=64)
    hash = CharField(max_length=64)
    schema_version = IntegerField()
    # When this database committed the event: at the server, its receipt time.
    stored_utc_us = BigIntegerField()

    class Meta:
        table_name = "event"
        indexes = ((("station_id", "seq"), True),)


class EventSubject(BaseModel):
    """Which lots, containers and samples an event is about: the timeline's index."""

    subject_id = CharField(max_length=64)
    subject_type = CharField(max_length=16)
    event_id = CharField(max_length=36, index=True)
    occurred_utc_us = BigIntegerField()

    class Meta:
        table_name = "event_subject"
        primary_key = False
        indexes = ((("subject_id", "subject_type", "occurred_utc_us"), False),)


class Lot(BaseModel):
    """A lot as registered or created by a transformation."""

    lot_id = CharField(max_length=64, primary_key=True)
    lot_number = CharField(max_length=200, index=True)
    supplier = CharField(max_length=200)
    grade_id = CharField(max_length=64)
    grade_version = IntegerField()
    internal_code = CharField(max_length=200)
    packaging_type = CharField(max_length=200)
    material_origin = CharField(max_length=16)
    # None for a registered lot, else the transformation step that made it.
    origin_step = CharField(max_length=16, null=True)
    # Mass the lot started with when registered; 0 for a lot made by a transformation.
    base_mass_kg = FloatField()
    event_id = CharField(max_length=36, index=True)
    created_utc_us = BigIntegerField()


class Container(BaseModel):
    """A container as created, with the lot it first held."""

    container_id = CharField(max_length=64, primary_key=True)
    lot_id = CharField(max_length=64, index=True)
    net_mass = FloatField()
    unit = CharField(max_length=4)
    event_id = CharField(max_length=36, index=True)


class ContainerLot(BaseModel):
    """Each lot a container has held: at creation and whenever a transformation fills it."""

    container_id = CharField(max_length=64, index=True)
    lot_id = CharField(max_length=64, index=True)
    event_id = CharField(max_length=36, index=True)

    class Meta:
        table_name = "container_lot"
        primary_key = False


class Label(BaseModel):
    """Every label a container has carried; a container's own id is its first label."""

    label = CharField(max_length=64, primary_key=True)
    container_id = CharField(max_length=64, index=True)
    event_id = CharField(max_length=36, index=True)


class LotLink(BaseModel):
    """Mass of a parent lot that went into a child lot in one transformation."""

    parent_lot_id = CharField(max_length=64, index=True)
    child_lot_id = CharField(max_length=64, index=True)
    mass_kg = FloatField()
    step = CharField(max_length=16)
    event_id = CharField(max_length=36, index=True)

    class Meta:
        table_name = "lot_link"


class Sample(BaseModel):
    """A sample and the lot it was drawn from."""

    sample_id = CharField(max_length=64, primary_key=True)
    lot_id = CharField(max_length=64, index=True)
    event_id = CharField(max_length=36, index=True)


class VoidedEvent(BaseModel):
    """An event that a correction has voided; it stays stored and shown, but counts no more."""

    event_id = CharField(max_length=36, primary_key=True)
    correction_event_id = CharField(max_length=36, index=True)

    class Meta:
        table_name = "voided_event"


class ChainHead(BaseModel):
    """The last sequence number and hash held for each station, to detect a deleted last event."""

    station_id = CharField(max_length=64, primary_key=True)
    seq = BigIntegerField()
    hash = CharField(max_length=64)

    class Meta:
        table_name = "chain_head"


class Outbox(BaseModel):
    """The station's own events and their delivery to the server."""

    event_id = CharField(max_length=36, primary_key=True)
    seq = BigIntegerField(index=True)
    # pending, sent or rejected
    state = CharField(max_length=16, index=True)
    attempts = IntegerField(default=0)
    next_attempt_utc_us = BigIntegerField(default=0)
    last_error = TextField(null=True)
    rejection_reason = TextField(null=True)
    updated_utc_us = BigIntegerField()


class Setting(BaseModel):
    """Small key-value facts about the store: station id, sync cursor, last receipt."""

    key = CharField(max_length=64, primary_key=True)
    value = TextField()


class SchemaMigration(BaseModel):
    """The schema version of each component, with the time each migration was applied."""

    component = CharField(max_length=32)
    version = IntegerField()
    applied_utc_us = BigIntegerField()

    class Meta:
        table_name = "schema_migration"
        primary_key = False
        indexes = ((("component", "version"), True),)


PROJECTION_MODELS: list[type[Model]] = [EventSubject, Lot, Container, ContainerLot, Label, LotLink, Sample, VoidedEvent]
RECORD_MODELS: list[type[Model]] = [Event, *PROJECTION_MODELS, ChainHead, Outbox, Setting]


def event_row(event: RecordEvent, stored_utc_us: int) -> dict[str, Any]:
    """Return the `Event` table row for a `sync.records.Event`."""
    return {
        "event_id": event.event_id,
        "station_id": event.station_id,
        "seq": event.seq,
        "kind": event.kind,
        "operator_id": event.operator_id,
        "occurred_at": event.occurred_at,
        "occurred_utc_us": event.occurred_utc_us,
        "subjects": canonical_json(list(event.subjects)).decode("utf-8"),
        "body": canonical_json(event.body).decode("utf-8"),
        "prev_hash": event.prev_hash,
        "hash": event.hash,
        "schema_version": event.schema_version,
        "stored_utc_us": stored_utc_us,
    }


def event_from_row(row: Any) -> RecordEvent:
    """Return the `sync.records.Event` for an `Event` row (a model or a dict), without revalidating."""
    data: dict[str, Any] = row if isinstance(row, dict) else row.__data__
    return RecordEvent(
        event_id=data["event_id"],
        kind=data["kind"],
        station_id=data["station_id"],
        operator_id=data["operator_id"],
        occurred_at=data["occurred_at"],
        subjects=tuple(json.loads(data["subjects"])),
        body=json.loads(data["body"]),
        seq=data["seq"],
        prev_hash=data["prev_hash"],
        hash=data["hash"],
        schema_version=data["schema_version"],
    )


def tuple_rows(query: Any) -> list[tuple[Any, ...]]:
    """Run a select and return its rows as tuples (typed loosely: peewee's stubs type rows as models)."""
    return list(query.tuples())


def dict_rows(query: Any) -> list[dict[str, Any]]:
    """Run a select and return its rows as dicts."""
    return list(query.dicts())
