"""Projections: the tables derived from events that make lookups and the timeline fast.

Every projection row is produced by one event and carries its id. Projecting
is idempotent (rows that exist are left alone), so events pulled twice or
salvaged after a crash project safely. A correction voids an event: the rows
that event produced are deleted, while the event itself stays in the records.
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import peewee
from peewee import AutoField, DatabaseProxy, Model, PostgresqlDatabase

from sync import kinds
from sync.models import (
    Container,
    ContainerLot,
    Event,
    EventSubject,
    Label,
    Lot,
    LotLink,
    Sample,
    VoidedEvent,
    event_from_row,
)
from sync.records import Event as RecordEvent

log = logging.getLogger(__name__)

Rows = dict[type[Model], list[dict[str, Any]]]
# Tables whose rows an event produces, and which a correction removes again.
PRODUCED_BY_EVENT: tuple[type[Model], ...] = (Lot, Container, ContainerLot, Label, LotLink, Sample)
INSERT_CHUNK = 500


def projection_rows(event: RecordEvent) -> Rows:
    """Return the projection rows an event produces (pure: reads and writes nothing)."""
    rows: Rows = defaultdict(list)
    occurred = event.occurred_utc_us
    for subject in event.subjects:
        subject_type, _, subject_id = subject.partition(":")
        rows[EventSubject].append(
            {
                "subject_id": subject_id,
                "subject_type": subject_type,
                "event_id": event.event_id,
                "occurred_utc_us": occurred,
            }
        )
    body = event.parsed_body()
    if isinstance(body, kinds.LotRegistered):
        _lot_registered_rows(rows, event, body)
    elif isinstance(body, kinds.ContainerRelabelled):
        rows[Label].append({"label": body.new_label, "container_id": body.container_id, "event_id": event.event_id})
    elif isinstance(body, kinds.Transformation):
        _transformation_rows(rows, event, body)
    elif isinstance(body, kinds.SampleTaken):
        rows[Sample].append({"sample_id": body.sample_id, "lot_id": body.lot_id, "event_id": event.event_id})
    return rows


def _lot_registered_rows(rows: Rows, event: RecordEvent, body: kinds.LotRegistered) -> None:
    base_mass_kg = sum(kinds.to_kg(c.net_mass, c.unit) for c in body.containers)
    rows[Lot].append(
        {
            "lot_id": body.lot_id,
            "lot_number": body.lot_number,
            "supplier": body.supplier,
            "grade_id": body.grade_id,
            "grade_version": body.grade_version,
            "internal_code": body.internal_code,
            "packaging_type": body.packaging_type,
            "material_origin": body.material_origin,
            "origin_step": None,
            "base_mass_kg": base_mass_kg,
            "event_id": event.event_id,
            "created_utc_us": event.occurred_utc_us,
        }
    )
    for container in body.containers:
        _add_container(rows, event, container.container_id, body.lot_id, container.net_mass, container.unit)


def _add_container(rows: Rows, event: RecordEvent, container_id: str, lot_id: str, mass: float, unit: str) -> None:
    event_id = event.event_id
    rows[Container].append(
        {"container_id": container_id, "lot_id": lot_id, "net_mass": mass, "unit": unit, "event_id": event_id}
    )
    rows[ContainerLot].append({"container_id": container_id, "lot_id": lot_id, "event_id": event_id})
    rows[Label].append({"label": container_id, "container_id": container_id, "event_id": event_id})


def _transformation_rows(rows: Rows, event: RecordEvent, body: kinds.Transformation) -> None:
    for lot in body.new_lots:
        rows[Lot].append(
            {
                "lot_id": lot.lot_id,
                "lot_number": lot.lot_id,
                "supplier": "",
                "grade_id": lot.grade_id,
                "grade_version": lot.grade_version,
                "internal_code": lot.internal_code,
                "packaging_type": lot.packaging_type,
                "material_origin": "recycled" if body.step == "recycling" else "derived",
                "origin_step": body.step,
                "base_mass_kg": 0.0,
                "event_id": event.event_id,
                "created_utc_us": event.occurred_utc_us,
            }
        )
    for output in body.outputs:
        if output.is_new_container:
            _add_container(rows, event, output.container_id, output.lot_id, output.mass, output.unit)
        else:
            rows[ContainerLot].append(
                {"container_id": output.container_id, "lot_id": output.lot_id, "event_id": event.event_id}
            )
    for parent, child, mass_kg in lot_link_masses(body):
        rows[LotLink].append(
            {
                "parent_lot_id": parent,
                "child_lot_id": child,
                "mass_kg": mass_kg,
                "step": body.step,
                "event_id": event.event_id,
            }
        )


def lot_link_masses(body: kinds.Transformation) -> list[tuple[str, str, float]]:
    """Return (parent lot, child lot, kg) for a transformation.

    The outputs are taken to share the mixed inputs' composition: each output
    lot receives every input lot in proportion to the output's share of the
    total output mass. A lot that is both input and output (sieving back into
    the same lot) is no new ancestry and gives no link.
    """
    input_kg: dict[str, float] = defaultdict(float)
    for line in body.inputs:
        input_kg[line.lot_id] += kinds.to_kg(line.mass, line.unit)
    output_kg: dict[str, float] = defaultdict(float)
    for out in body.outputs:
        output_kg[out.lot_id] += kinds.to_kg(out.mass, out.unit)
    total_output_kg = sum(output_kg.values())
    links = []
    for child, child_kg in output_kg.items():
        share = child_kg / total_output_kg
        for parent, parent_kg in input_kg.items():
            if parent != child:
                links.append((parent, child, parent_kg * share))
    return links


def insert_rows(rows: Rows) -> None:
    """Insert projection rows, leaving rows that already exist alone."""
    for model, model_rows in rows.items():
        for start in range(0, len(model_rows), INSERT_CHUNK):
            model.insert_many(model_rows[start : start + INSERT_CHUNK]).on_conflict_ignore().execute()


def apply_event(event: RecordEvent) -> None:
    """Project one stored event, including what a correction voids or restores.

    An event that arrives after the correction voiding it (events from other
    stations may arrive in any order) gets only its subject index rows.
    """
    rows = projection_rows(event)
    if VoidedEvent.get_or_none(VoidedEvent.event_id == event.event_id) is not None:
        insert_rows({EventSubject: rows.get(EventSubject, [])})
        return
    insert_rows(rows)
    body = event.parsed_body()
    if isinstance(body, kinds.Correction):
        apply_correction(event.event_id, body.corrects_event_id)


def apply_events_bulk(events: Sequence[RecordEvent]) -> None:
    """Project many newly stored events with one insert_many per table: the batch ingest path.

    Ends in the same tables as calling `apply_event` on each event in order.
    Rows are inserted first, then each correction of the batch is applied in
    order. A correction removes the rows of an event in the same batch just as
    it removes those of an older one. Run inside the batch's transaction.
    """
    if not events:
        return
    ids = [event.event_id for event in events]
    voided: set[str] = set()
    db = VoidedEvent._meta.database
    for start in range(0, len(ids), INSERT_CHUNK):
        chunk = ids[start : start + INSERT_CHUNK]
        # Plain SQL, as in insert_many_plain: peewee's builder costs more than the query.
        marks = ", ".join([db.param] * len(chunk))
        cursor = db.execute_sql(
            f'SELECT "event_id" FROM "{VoidedEvent._meta.table_name}" WHERE "event_id" IN ({marks})', chunk
        )
        voided.update(row[0] for row in cursor.fetchall())

    merged: Rows = defaultdict(list)
    corrections: list[tuple[str, str]] = []
    for event in events:
        rows = projection_rows(event)
        if event.event_id in voided:
            merged[EventSubject].extend(rows.get(EventSubject, []))
            continue
        for model, model_rows in rows.items():
            merged[model].extend(model_rows)
        body = event.parsed_body()
        if isinstance(body, kinds.Correction):
            corrections.append((event.event_id, body.corrects_event_id))
    for model, model_rows in merged.items():
        insert_many_plain(model, model_rows, ignore_conflicts=True)
    for correction_event_id, corrected_event_id in corrections:
        apply_correction(correction_event_id, corrected_event_id)


def insert_many_plain(model: type[Model], rows: list[dict[str, Any]], *, ignore_conflicts: bool = False) -> None:
    """Insert rows with one multi-row INSERT per chunk, written directly as SQL: the batch path's insert_many.

    Does what ``model.insert_many(rows)`` does (with ``.on_conflict_ignore()``
    when asked) for rows whose keys are column names, at a fraction of the
    CPU: peewee builds its statement node by node, which costs more than
    the database's own work for batches of hundreds of rows. On PostgreSQL,
    rows that cannot conflict are sent with COPY, which skips both the
    driver's quoting of every value and the server's parsing of the statement.
    """
    if not rows:
        return
    db = model._meta.database
    if isinstance(db, DatabaseProxy):
        db = db.obj
    table = model._meta.table_name
    ignore_conflicts = ignore_conflicts and _has_unique_key(model)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row)].append(row)
    for columns, group in groups.items():
        row_sql = "(" + ", ".join([db.param] * len(columns)) + ")"
        column_sql = ", ".join(f'"{column}"' for column in columns)
        for start in range(0, len(group), INSERT_CHUNK):
            chunk = group[start : start + INSERT_CHUNK]
            if (
                isinstance(db, PostgresqlDatabase)
                and not ignore_conflicts
                and _copy(db, table, column_sql, columns, chunk)
            ):
                continue
            sql = f'INSERT INTO "{table}" ({column_sql}) VALUES ' + ", ".join([row_sql] * len(chunk))
            if ignore_conflicts:
                sql += " ON CONFLICT DO NOTHING"
            db.execute_sql(sql, [row[column] for row in chunk for column in columns])


def _has_unique_key(model: type[Model]) -> bool:
    """Return whether an insert into this table could conflict: a key or unique column the rows supply."""
    meta = model._meta
    if meta.primary_key and not isinstance(meta.primary_key, AutoField):
        return True
    return any(field.unique for field in meta.fields.values()) or any(unique for _, unique in meta.indexes)


def _copy(
    db: PostgresqlDatabase, table: str, column_sql: str, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> bool:
    """Send rows with COPY in its text format; False, sending nothing, if a value is of a type it does not write."""
    lines = []
    for row in rows:
        fields = []
        for column in columns:
            value = row[column]
            if value is None:
                fields.append("\\N")
            elif isinstance(value, str):
                fields.append(value.translate(_COPY_ESCAPES))
            elif isinstance(value, int | float):  # bool is an int; PostgreSQL reads True and False
                fields.append(str(value))
            else:
                return False
        lines.append("\t".join(fields))
    # Raise peewee's errors, as execute_sql does.
    with peewee.__exception_wrapper__:  # type: ignore[attr-defined]
        db.cursor().copy_expert(f'COPY "{table}" ({column_sql}) FROM STDIN', io.StringIO("\n".join(lines) + "\n"))
    return True


# COPY's text format ends fields at tabs and rows at newlines, and reads backslashes as escapes.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def apply_correction(correction_event_id: str, corrected_event_id: str) -> None:
    """Void the corrected event; if it is itself a correction, restore what that one voided."""
    inserted = (
        VoidedEvent.insert(event_id=corrected_event_id, correction_event_id=correction_event_id)
        .on_conflict_ignore()
        .execute()
    )
    if not inserted and VoidedEvent.get_or_none(VoidedEvent.event_id == corrected_event_id) is None:
        return
    unproject(corrected_event_id)
    target = Event.get_or_none(Event.event_id == corrected_event_id)
    if target is None or target.kind != "correction":
        return
    # Correcting a correction: the event it voided counts again.
    restored = event_from_row(target).parsed_body()
    assert isinstance(restored, kinds.Correction)
    VoidedEvent.delete().where(VoidedEvent.event_id == restored.corrects_event_id).execute()
    original = Event.get_or_none(Event.event_id == restored.corrects_event_id)
    if original is not None and VoidedEvent.get_or_none(VoidedEvent.event_id == original.event_id) is None:
        insert_rows(projection_rows(event_from_row(original)))


def unproject(event_id: str) -> None:
    """Delete the projection rows an event produced (its subject index rows stay)."""
    for model in PRODUCED_BY_EVENT:
        model.delete().where(model.event_id == event_id).execute()  # type: ignore[attr-defined]


def rebuild_projections(events: Iterable[RecordEvent]) -> int:
    """Rebuild every projection table from events given in store order; return how many were projected."""
    tables: tuple[type[Model], ...] = (*PRODUCED_BY_EVENT, EventSubject, VoidedEvent)
    for model in tables:
        model.delete().execute()
    count = 0
    for event in events:
        apply_event(event)
        count += 1
    return count
