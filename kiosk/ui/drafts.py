"""What an operator is about to record, and the event body each draft becomes.

No Qt here. A screen fills a draft from taps, scans and typed values; the
draft names what is still missing and builds the body for `Store.record`.
Ids of new lots, containers, labels and samples are made once per draft, so
the preview, the recorded event and the printed labels agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sync.ids import new_short_id
from sync.kinds import to_kg
from sync.records import Event


@dataclass
class Readings:
    """Ambient conditions and place for an open or a reseal.

    ``source`` tells where the values came from: sensor, last (this station's
    previous entry), typed, or none.
    """

    ambient_temperature_c: float | None = None
    relative_humidity_pct: float | None = None
    storage_location: str = ""
    humidity_control_active: bool = False
    source: str = "none"

    def missing_fields(self) -> list[str]:
        """Return the fields that must be filled before recording."""
        missing = []
        if self.ambient_temperature_c is None:
            missing.append("ambient_temperature_c")
        if self.relative_humidity_pct is None:
            missing.append("relative_humidity_pct")
        if not self.storage_location:
            missing.append("storage_location")
        return missing


def exposure_body(container_id: str, readings: Readings) -> dict[str, Any]:
    """Return a container_opened or container_resealed body; the readings must be complete."""
    if readings.missing_fields():
        raise ValueError(f"readings incomplete: {', '.join(readings.missing_fields())} missing")
    return {
        "container_id": container_id,
        "storage_location": readings.storage_location,
        "humidity_control_active": readings.humidity_control_active,
        "ambient_temperature_c": readings.ambient_temperature_c,
        "relative_humidity_pct": readings.relative_humidity_pct,
    }


# --- Register an incoming lot -------------------------------------------------


@dataclass
class LotDraft:
    """An incoming lot being registered; containers all get the same net mass."""

    supplier: str = ""
    lot_number: str = ""
    grade_id: str = ""
    grade_version: int = 0
    internal_code: str = ""
    packaging_type: str = ""
    material_origin: str = "virgin"
    gtin: str | None = None
    production_date: date | None = None
    expiry_date: date | None = None
    container_count: int = 1
    net_mass: float | None = None
    unit: str = "kg"
    lot_id: str = field(default_factory=lambda: new_short_id("L"))
    _container_ids: list[str] = field(default_factory=list)

    @property
    def container_ids(self) -> list[str]:
        """The new containers' ids, made when first asked and kept while the count stays."""
        while len(self._container_ids) < self.container_count:
            self._container_ids.append(new_short_id("C"))
        return self._container_ids[: self.container_count]

    def missing_fields(self) -> list[str]:
        """Return the required fields still empty, in form order."""
        required = {
            "supplier": self.supplier,
            "lot_number": self.lot_number,
            "grade_id": self.grade_id,
            "internal_code": self.internal_code,
            "packaging_type": self.packaging_type,
            "net_mass": self.net_mass,
        }
        return [name for name, value in required.items() if not value]

    def body(self) -> dict[str, Any]:
        """Return the lot_registered body."""
        body: dict[str, Any] = {
            "lot_id": self.lot_id,
            "lot_number": self.lot_number,
            "supplier": self.supplier,
            "grade_id": self.grade_id,
            "grade_version": self.grade_version,
            "internal_code": self.internal_code,
            "packaging_type": self.packaging_type,
            "material_origin": self.material_origin,
            "containers": [
                {"container_id": container_id, "net_mass": self.net_mass, "unit": self.unit}
                for container_id in self.container_ids
            ],
        }
        if self.gtin:
            body["gtin"] = self.gtin
        if self.production_date is not None:
            body["production_date"] = self.production_date.isoformat()
        if self.expiry_date is not None:
            body["expiry_date"] = self.expiry_date.isoformat()
        return body


# --- Transformation -----------------------------------------------------------


@dataclass
class InputLine:
    """Mass taken from one scanned container."""

    container_id: str
    lot_id: str
    mass: float | None = None
    unit: str = "kg"
    # The lot's recycled or reused share by mass, for the recycle fraction prefill.
    recycled_share: float = 0.0


@dataclass
class OutputLine:
    """Mass put into a new container of the new lot, or into a scanned existing container."""

    container_id: str
    lot_id: str
    mass: float | None = None
    unit: str = "kg"
    is_new_container: bool = True


@dataclass(frozen=True)
class BlendShare:
    """One input lot's part of a transformation's input mass."""

    lot_id: str
    mass_kg: float
    fraction: float


@dataclass
class TransformationDraft:
    """A transformation being recorded: step, equipment, inputs, outputs and parameters."""

    step: str = ""
    equipment_id: str = ""
    inputs: list[InputLine] = field(default_factory=list)
    outputs: list[OutputLine] = field(default_factory=list)
    new_lot_id: str = field(default_factory=lambda: new_short_id("L"))
    new_lot_grade_id: str = ""
    new_lot_grade_version: int = 0
    new_lot_internal_code: str = ""
    new_lot_packaging_type: str = ""
    screen_mesh_um: float | None = None
    temperature_c: float | None = None
    duration_min: float | None = None
    recycle_fraction_pct: float | None = None

    def add_input(self, container_id: str, lot_id: str, *, recycled_share: float = 0.0) -> InputLine:
        """Add a scanned input container (once: a second scan returns the existing line)."""
        for line in self.inputs:
            if line.container_id == container_id:
                return line
        line = InputLine(container_id, lot_id, recycled_share=recycled_share)
        self.inputs.append(line)
        return line

    def add_new_output(self, unit: str = "kg") -> OutputLine:
        """Add a new container of the new lot."""
        line = OutputLine(new_short_id("C"), self.new_lot_id, unit=unit, is_new_container=True)
        self.outputs.append(line)
        return line

    def add_existing_output(self, container_id: str, lot_id: str) -> OutputLine:
        """Add a scanned existing container as an output (once)."""
        for line in self.outputs:
            if line.container_id == container_id:
                return line
        line = OutputLine(container_id, lot_id, is_new_container=False)
        self.outputs.append(line)
        return line

    @property
    def makes_new_lot(self) -> bool:
        """Whether any output goes into the new lot."""
        return any(line.lot_id == self.new_lot_id for line in self.outputs)

    def input_kg(self) -> float:
        """Total input mass in kg (lines without a mass count as 0)."""
        return sum(to_kg(line.mass, line.unit) for line in self.inputs if line.mass)

    def output_kg(self) -> float:
        """Total output mass in kg (lines without a mass count as 0)."""
        return sum(to_kg(line.mass, line.unit) for line in self.outputs if line.mass)

    def blend_fractions(self) -> list[BlendShare]:
        """Return each input lot's share of the input mass, largest first (empty when no mass is entered)."""
        by_lot: dict[str, float] = defaultdict(float)
        for line in self.inputs:
            if line.mass:
                by_lot[line.lot_id] += to_kg(line.mass, line.unit)
        total = sum(by_lot.values())
        if total <= 0:
            return []
        shares = [BlendShare(lot_id, kg, kg / total) for lot_id, kg in by_lot.items()]
        return sorted(shares, key=lambda share: (-share.mass_kg, share.lot_id))

    def computed_recycle_fraction(self) -> float:
        """Return the recycled or reused share of the input mass, from each input lot's history."""
        total = self.input_kg()
        if total <= 0:
            return 0.0
        recycled = sum(to_kg(line.mass, line.unit) * line.recycled_share for line in self.inputs if line.mass)
        return recycled / total

    def missing_fields(self) -> list[str]:
        """Return what must still be given before recording, in screen order."""
        missing = []
        if not self.step:
            missing.append("step")
        if not self.equipment_id:
            missing.append("equipment_id")
        if not self.inputs:
            missing.append("inputs")
        if any(line.mass is None for line in self.inputs):
            missing.append("input_mass")
        if not self.outputs:
            missing.append("outputs")
        if any(line.mass is None for line in self.outputs):
            missing.append("output_mass")
        if self.makes_new_lot:
            if not self.new_lot_grade_id:
                missing.append("new_lot_grade")
            if not self.new_lot_internal_code:
                missing.append("new_lot_internal_code")
            if not self.new_lot_packaging_type:
                missing.append("new_lot_packaging_type")
        return missing

    def body(self) -> dict[str, Any]:
        """Return the transformation body; `missing_fields` must be empty."""
        parameters: dict[str, Any] = {}
        if self.screen_mesh_um is not None:
            parameters["screen_mesh_um"] = self.screen_mesh_um
        if self.temperature_c is not None:
            parameters["temperature_c"] = self.temperature_c
        if self.duration_min is not None:
            parameters["duration_min"] = self.duration_min
        if self.recycle_fraction_pct is not None:
            parameters["recycle_fraction"] = round(self.recycle_fraction_pct / 100, 6)
        body: dict[str, Any] = {
            "step": self.step,
            "equipment_id": self.equipment_id,
            "parameters": parameters,
            "inputs": [
                {"container_id": line.container_id, "lot_id": line.lot_id, "mass": line.mass, "unit": line.unit}
                for line in self.inputs
            ],
            "outputs": [
                {
                    "container_id": line.container_id,
                    "lot_id": line.lot_id,
                    "mass": line.mass,
                    "unit": line.unit,
                    "is_new_container": line.is_new_container,
                }
                for line in self.outputs
            ],
            "new_lots": [],
        }
        if self.makes_new_lot:
            body["new_lots"].append(
                {
                    "lot_id": self.new_lot_id,
                    "grade_id": self.new_lot_grade_id,
                    "grade_version": self.new_lot_grade_version,
                    "internal_code": self.new_lot_internal_code,
                    "packaging_type": self.new_lot_packaging_type,
                }
            )
        return body


# --- Sampling, relabel, correction ---------------------------------------------


@dataclass
class SampleDraft:
    """A sample being drawn from a lot, from the containers listed."""

    lot_id: str
    container_ids: list[str] = field(default_factory=list)
    method_id: str = ""
    method_version: int = 0
    sample_location: str = ""
    increments: int | None = None
    compositing_rule: str = ""
    sample_id: str = field(default_factory=lambda: new_short_id("S"))

    def missing_fields(self) -> list[str]:
        """Return the required fields still empty."""
        required = {
            "method_id": self.method_id,
            "sample_location": self.sample_location,
            "increments": self.increments,
            "compositing_rule": self.compositing_rule,
        }
        return [name for name, value in required.items() if not value]

    def body(self) -> dict[str, Any]:
        """Return the sample_taken body."""
        return {
            "sample_id": self.sample_id,
            "lot_id": self.lot_id,
            "container_ids": list(self.container_ids),
            "method_id": self.method_id,
            "method_version": self.method_version,
            "sample_location": self.sample_location,
            "increments": int(self.increments or 0),
            "compositing_rule": self.compositing_rule,
        }


@dataclass
class RelabelDraft:
    """A new label for a container; the old one keeps naming it."""

    container_id: str
    old_label: str
    reason: str = ""
    new_label: str = field(default_factory=lambda: new_short_id("C"))

    def body(self) -> dict[str, Any]:
        """Return the container_relabelled body."""
        return {
            "container_id": self.container_id,
            "old_label": self.old_label,
            "new_label": self.new_label,
            "reason": self.reason,
        }


def correction_body(event: Event, reason: str) -> dict[str, Any]:
    """Return a correction body voiding `event`, naming its subjects so it shows in their timelines."""
    return {
        "corrects_event_id": event.event_id,
        "reason": reason,
        "subject_ids": list(event.subjects),
    }
