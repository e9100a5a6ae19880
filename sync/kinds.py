"""Event kinds and their bodies: the five lineage fields, results and corrections.

Each kind has a pydantic model that validates its body and names the subjects
(lots, containers, samples) the event is about. Field names carry their unit
where a quantity has one fixed unit (``ambient_temperature_c``); masses carry a
``unit`` field beside them because plants weigh in kg, g, t or lb.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from sync.ids import IDENTIFIER_PATTERN

Identifier = Annotated[str, StringConstraints(pattern=rf"^{IDENTIFIER_PATTERN}$")]
# Free text typed by people or read from supplier labels: printable, one line.
Text = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]+$")]
Version = Annotated[int, Field(ge=1)]
Mass = Annotated[float, Field(gt=0, allow_inf_nan=False)]
MassUnit = Literal["kg", "g", "t", "lb"]

KG_PER_UNIT: dict[str, float] = {"kg": 1.0, "g": 0.001, "t": 1000.0, "lb": 0.45359237}

TRANSFORMATION_STEPS = ("drying", "milling", "sieving", "blending", "separation", "recycling", "other")
DECISIONS = ("released", "rejected", "on_hold", "conditional")
MATERIAL_ORIGINS = ("virgin", "recycled", "reused")


def to_kg(mass: float, unit: str) -> float:
    """Convert a mass in one of the accepted units to kilograms."""
    return mass * KG_PER_UNIT[unit]


class Body(BaseModel):
    """Base of every event body: unknown fields are rejected, values are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    def subjects(self) -> list[tuple[str, str]]:
        """Return the (subject type, id) pairs this event is about."""
        raise NotImplementedError


# --- 1. Lot identity ---------------------------------------------------------


class ContainerSpec(BaseModel):
    """One container of a lot as registered: its id and net mass."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    container_id: Identifier
    net_mass: Mass
    unit: MassUnit


class LotRegistered(Body):
    """An incoming lot received from a supplier, with its containers."""

    lot_id: Identifier
    lot_number: Text
    supplier: Text
    grade_id: Identifier
    grade_version: Version
    internal_code: Text
    packaging_type: Text
    containers: list[ContainerSpec] = Field(min_length=1, max_length=1000)
    material_origin: Literal["virgin", "recycled", "reused"] = "virgin"
    gtin: Annotated[str, StringConstraints(pattern=r"^\d{14}$")] | None = None
    production_date: date | None = None
    expiry_date: date | None = None

    @model_validator(mode="after")
    def _containers_unique(self) -> LotRegistered:
        ids = [c.container_id for c in self.containers]
        if len(set(ids)) != len(ids):
            raise ValueError("each container_id may appear only once in a lot")
        return self

    def subjects(self) -> list[tuple[str, str]]:
        return [("lot", self.lot_id)] + [("container", c.container_id) for c in self.containers]


class ContainerRelabelled(Body):
    """A new label on a container; the old label keeps naming the same container."""

    container_id: Identifier
    old_label: Identifier
    new_label: Identifier
    reason: Text

    @model_validator(mode="after")
    def _labels_differ(self) -> ContainerRelabelled:
        if self.old_label == self.new_label:
            raise ValueError("new_label must differ from old_label")
        return self

    def subjects(self) -> list[tuple[str, str]]:
        return [("container", self.container_id)]


# --- 2. Transformation -------------------------------------------------------


class TransformationParameters(BaseModel):
    """The parameters that matter for powder properties; all optional."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    screen_mesh_um: Annotated[float, Field(gt=0, le=10_000, allow_inf_nan=False)] | None = None
    temperature_c: Annotated[float, Field(ge=-100, le=2000, allow_inf_nan=False)] | None = None
    duration_min: Annotated[float, Field(gt=0, le=100_000, allow_inf_nan=False)] | None = None
    # Share of the input mass that is recycled or reused powder, as declared by the operator.
    recycle_fraction: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    notes: LongText | None = None


class TransformationInput(BaseModel):
    """Mass taken from one container of one lot."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    container_id: Identifier
    lot_id: Identifier
    mass: Mass
    unit: MassUnit


class TransformationOutput(BaseModel):
    """Mass put into a container of a lot; new containers are created by the event."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    container_id: Identifier
    lot_id: Identifier
    mass: Mass
    unit: MassUnit
    is_new_container: bool


class NewLot(BaseModel):
    """Identity of a lot that a transformation creates."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    lot_id: Identifier
    grade_id: Identifier
    grade_version: Version
    internal_code: Text
    packaging_type: Text


class Transformation(Body):
    """Drying, milling, sieving, blending, separation, recycling or another step."""

    step: Literal["drying", "milling", "sieving", "blending", "separation", "recycling", "other"]
    equipment_id: Identifier
    parameters: TransformationParameters
    inputs: list[TransformationInput] = Field(min_length=1, max_length=200)
    outputs: list[TransformationOutput] = Field(min_length=1, max_length=200)
    new_lots: list[NewLot] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _outputs_consistent(self) -> Transformation:
        new_lot_ids = [lot.lot_id for lot in self.new_lots]
        if len(set(new_lot_ids)) != len(new_lot_ids):
            raise ValueError("each lot_id may appear only once in new_lots")
        input_lots = {line.lot_id for line in self.inputs}
        for lot_id in new_lot_ids:
            if lot_id in input_lots:
                raise ValueError(f"new lot {lot_id} cannot also be an input lot")
        new_containers = [o.container_id for o in self.outputs if o.is_new_container]
        if len(set(new_containers)) != len(new_containers):
            raise ValueError("each new container may appear only once in outputs")
        return self

    def subjects(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for line in self.inputs:
            pairs += [("lot", line.lot_id), ("container", line.container_id)]
        for out in self.outputs:
            pairs += [("lot", out.lot_id), ("container", out.container_id)]
        pairs += [("lot", lot.lot_id) for lot in self.new_lots]
        return pairs


# --- 3. Exposure -------------------------------------------------------------


class Exposure(Body):
    """Conditions when a container is opened or resealed."""

    container_id: Identifier
    storage_location: Text
    humidity_control_active: bool
    ambient_temperature_c: Annotated[float, Field(ge=-40, le=80, allow_inf_nan=False)]
    relative_humidity_pct: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]

    def subjects(self) -> list[tuple[str, str]]:
        return [("container", self.container_id)]


class ContainerOpened(Exposure):
    """A container opened: its exposure window starts."""


class ContainerResealed(Exposure):
    """A container resealed: its exposure window ends."""


# --- 4. Sampling -------------------------------------------------------------


class SampleTaken(Body):
    """A sample drawn from a lot by a documented method."""

    sample_id: Identifier
    lot_id: Identifier
    container_ids: list[Identifier] = Field(default_factory=list, max_length=200)
    method_id: Identifier
    method_version: Version
    sample_location: Text
    increments: Annotated[int, Field(ge=1, le=10_000)]
    compositing_rule: Text

    def subjects(self) -> list[tuple[str, str]]:
        pairs = [("sample", self.sample_id), ("lot", self.lot_id)]
        return pairs + [("container", c) for c in self.container_ids]


class ResultRecorded(Body):
    """A measured property of a sample."""

    result_id: Identifier
    sample_id: Identifier
    lot_id: Identifier
    property: Text
    value: Annotated[float, Field(allow_inf_nan=False)]
    unit: Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[^\x00-\x1f\x7f]+$")]
    method_id: Identifier
    method_version: Version

    def subjects(self) -> list[tuple[str, str]]:
        return [("sample", self.sample_id), ("lot", self.lot_id)]


# --- 5. Release decision -----------------------------------------------------


class ReleaseDecision(Body):
    """A signed decision on a lot, against a versioned acceptance rule."""

    lot_id: Identifier
    decision: Literal["released", "rejected", "on_hold", "conditional"]
    rule_id: Identifier
    rule_version: Version
    approver_id: Identifier
    reason: LongText
    conditions: LongText | None = None
    sample_ids: list[Identifier] = Field(default_factory=list, max_length=200)
    result_ids: list[Identifier] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _conditions_when_conditional(self) -> ReleaseDecision:
        if self.decision == "conditional" and not self.conditions:
            raise ValueError("a conditional release must state its conditions")
        if self.decision != "conditional" and self.conditions:
            raise ValueError("conditions belong only to a conditional release")
        return self

    def subjects(self) -> list[tuple[str, str]]:
        return [("lot", self.lot_id)] + [("sample", s) for s in self.sample_ids]


# --- Correction --------------------------------------------------------------


class Correction(Body):
    """Voids an earlier event; the right event, if any, is recorded anew."""

    corrects_event_id: Annotated[
        str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    ]
    reason: LongText
    # The subjects of the corrected event, so the correction shows in their timelines.
    subject_ids: list[Annotated[str, StringConstraints(pattern=rf"^(lot|container|sample):{IDENTIFIER_PATTERN}$")]] = (
        Field(default_factory=list, max_length=500)
    )

    def subjects(self) -> list[tuple[str, str]]:
        pairs = []
        for subject in self.subject_ids:
            subject_type, _, subject_id = subject.partition(":")
            pairs.append((subject_type, subject_id))
        return pairs


BODY_TYPES: dict[str, type[Body]] = {
    "lot_registered": LotRegistered,
    "container_relabelled": ContainerRelabelled,
    "transformation": Transformation,
    "container_opened": ContainerOpened,
    "container_resealed": ContainerResealed,
    "sample_taken": SampleTaken,
    "result_recorded": ResultRecorded,
    "release_decision": ReleaseDecision,
    "correction": Correction,
}
EVENT_KINDS = tuple(BODY_TYPES)
