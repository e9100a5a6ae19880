"""Station rules checked before an event is recorded: what the records alone cannot forbid.

The event schema defines what a valid event looks like. These rules decide
whether it makes sense here and now (the container exists and is sealed before it is
opened, the method version exists, the approver may sign). They run on the
writer thread inside the transaction that appends the event, so two screens
cannot both open the same container. Events pulled from other stations are
not checked again: stations record offline, so they may disagree, and the
timeline shows what each recorded.
"""

from __future__ import annotations

from typing import Any

from peewee import Model

from sync import kinds, lineage
from sync.errors import ActionRejected
from sync.models import Event, Label, Lot, Sample, VoidedEvent
from sync.reference import AcceptanceRule, Equipment, Grade, Operator, SamplingMethod, latest

SIGNING_ROLES = ("supervisor", "quality")


def check_event(kind: str, body: kinds.Body, *, operator_id: str, station_id: str) -> None:
    """Raise ActionRejected with a message for the operator if a new event breaks a station rule."""
    operator = _latest_operator(operator_id)
    if _has_rows(Operator) and (operator is None or not operator.active):
        raise ActionRejected(f"operator {operator_id!r} is not an active operator of this plant; log in again")
    checker = _CHECKERS.get(kind)
    if checker is not None:
        checker(body, station_id)


def _has_rows(model: type[Model]) -> bool:
    return bool(model.select().limit(1).exists())


def _latest_operator(badge_id: str) -> Any:
    return latest(Operator, "badge_id", badge_id)


def _require_new_label(label: str) -> None:
    existing = Label.get_or_none(Label.label == label)
    if existing is not None:
        raise ActionRejected(f"label {label!r} is already used by container {existing.container_id}; print a new label")


def _require_lot(lot_id: str) -> Any:
    lot = Lot.get_or_none(Lot.lot_id == lot_id)
    if lot is None:
        raise ActionRejected(f"lot {lot_id!r} is not registered at this station; register it or sync first")
    return lot


def _require_container(container_id: str) -> lineage.ContainerState:
    state = lineage.container_state(container_id)
    if state is None:
        raise ActionRejected(f"container {container_id!r} is not registered at this station; register it or sync first")
    return state


def _require_version(model: type[Model], id_field: str, ident: str, version: int, what: str) -> None:
    if not _has_rows(model):
        return  # no reference data imported yet: nothing to check against
    column = getattr(model, id_field)
    if model.get_or_none((column == ident) & (model.version == version)) is None:  # type: ignore[attr-defined]
        raise ActionRejected(
            f"{what} {ident!r} version {version} is not in the reference data; import it or pick another"
        )


def _check_lot_registered(body: Any, _station_id: str) -> None:
    if Lot.get_or_none(Lot.lot_id == body.lot_id) is not None:
        raise ActionRejected(f"lot {body.lot_id!r} is already registered")
    _require_version(Grade, "grade_id", body.grade_id, body.grade_version, "grade")
    for container in body.containers:
        _require_new_label(container.container_id)


def _check_relabelled(body: Any, _station_id: str) -> None:
    state = _require_container(body.container_id)
    if body.old_label not in state.labels:
        raise ActionRejected(f"label {body.old_label!r} was never on container {body.container_id}; scan the old label")
    _require_new_label(body.new_label)


def _check_transformation(body: Any, _station_id: str) -> None:
    if _has_rows(Equipment) and latest(Equipment, "equipment_id", body.equipment_id) is None:
        raise ActionRejected(f"equipment or line {body.equipment_id!r} is not in the reference data")
    for line in body.inputs:
        state = _require_container(line.container_id)
        if state.lot_id != line.lot_id:
            raise ActionRejected(
                f"container {line.container_id} holds lot {state.lot_id}, not {line.lot_id}; scan the container again"
            )
    new_lot_ids = {lot.lot_id for lot in body.new_lots}
    for lot in body.new_lots:
        if Lot.get_or_none(Lot.lot_id == lot.lot_id) is not None:
            raise ActionRejected(f"new lot {lot.lot_id!r} already exists; choose another lot id")
        _require_version(Grade, "grade_id", lot.grade_id, lot.grade_version, "grade")
    for output in body.outputs:
        if output.lot_id not in new_lot_ids:
            _require_lot(output.lot_id)
        if output.is_new_container:
            _require_new_label(output.container_id)
        else:
            _require_container(output.container_id)


def _check_exposure(body: Any, _station_id: str, *, opening: bool) -> None:
    state = _require_container(body.container_id)
    if opening and state.is_open:
        raise ActionRejected(f"container {body.container_id} is already open since {state.opened_at}; reseal it first")
    if not opening and not state.is_open:
        raise ActionRejected(f"container {body.container_id} is not open; open it before resealing")


def _check_sample(body: Any, _station_id: str) -> None:
    _require_lot(body.lot_id)
    if Sample.get_or_none(Sample.sample_id == body.sample_id) is not None:
        raise ActionRejected(f"sample id {body.sample_id!r} is already used; print a new sample label")
    _require_version(SamplingMethod, "method_id", body.method_id, body.method_version, "sampling method")
    for container_id in body.container_ids:
        _require_container(container_id)


def _check_result(body: Any, _station_id: str) -> None:
    sample = Sample.get_or_none(Sample.sample_id == body.sample_id)
    if sample is None:
        raise ActionRejected(f"sample {body.sample_id!r} is not recorded at this station")
    if sample.lot_id != body.lot_id:
        raise ActionRejected(f"sample {body.sample_id} was drawn from lot {sample.lot_id}, not {body.lot_id}")
    _require_version(SamplingMethod, "method_id", body.method_id, body.method_version, "method")


def _check_decision(body: Any, _station_id: str) -> None:
    _require_lot(body.lot_id)
    _require_version(AcceptanceRule, "rule_id", body.rule_id, body.rule_version, "acceptance rule")
    if _has_rows(Operator):
        approver = _latest_operator(body.approver_id)
        if approver is None or not approver.active or approver.role not in SIGNING_ROLES:
            raise ActionRejected(
                f"{body.approver_id!r} may not sign release decisions; a supervisor or quality engineer must"
            )
    for sample_id in body.sample_ids:
        sample = Sample.get_or_none(Sample.sample_id == sample_id)
        if sample is None or sample.lot_id != body.lot_id:
            raise ActionRejected(f"sample {sample_id!r} was not drawn from lot {body.lot_id}")


def _check_correction(body: Any, station_id: str) -> None:
    target = Event.get_or_none(Event.event_id == body.corrects_event_id)
    if target is None:
        raise ActionRejected(f"event {body.corrects_event_id} is not in this store")
    if VoidedEvent.get_or_none(VoidedEvent.event_id == body.corrects_event_id) is not None:
        raise ActionRejected(f"event {body.corrects_event_id} is already corrected")


_CHECKERS = {
    "lot_registered": _check_lot_registered,
    "container_relabelled": _check_relabelled,
    "transformation": _check_transformation,
    "container_opened": lambda body, station: _check_exposure(body, station, opening=True),
    "container_resealed": lambda body, station: _check_exposure(body, station, opening=False),
    "sample_taken": _check_sample,
    "result_recorded": _check_result,
    "release_decision": _check_decision,
    "correction": _check_correction,
}
