"""Powder properties of demo lots and the release verdict an acceptance rule gives on measured results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# How far past a limit a result may lie, relative to the limit, and still
# count as marginal (held for a retest, or released with conditions) rather
# than failed outright.
MARGINAL_EXCESS = 0.08

PROPERTY_UNITS = {"d50": "um", "moisture": "%", "oxygen": "wt%"}
# Rounding of measured values, in decimals, as the lab reports them.
PROPERTY_DECIMALS = {"d50": 1, "moisture": 3, "oxygen": 3}
# Standard deviation of one measurement.
MEASUREMENT_NOISE = {"d50": 0.4, "moisture": 0.002, "oxygen": 0.0015}


@dataclass
class Properties:
    """True properties of a lot: median particle size d50 (µm), moisture (%), oxygen (wt%)."""

    d50_um: float
    moisture_pct: float
    oxygen_wt_pct: float

    def value(self, name: str) -> float:
        """Return the property the acceptance rule calls `name` (d50, moisture or oxygen)."""
        return {"d50": self.d50_um, "moisture": self.moisture_pct, "oxygen": self.oxygen_wt_pct}[name]

    def set_value(self, name: str, value: float) -> None:
        """Set the property the acceptance rule calls `name`."""
        if name == "d50":
            self.d50_um = value
        elif name == "moisture":
            self.moisture_pct = value
        else:
            self.oxygen_wt_pct = value


def mix(parts: list[tuple[Properties, float]]) -> Properties:
    """Return the mass-weighted mean of (properties, kg) parts: what a blend of them measures."""
    total_kg = sum(kg for _props, kg in parts) or 1.0
    return Properties(
        d50_um=sum(props.d50_um * kg for props, kg in parts) / total_kg,
        moisture_pct=sum(props.moisture_pct * kg for props, kg in parts) / total_kg,
        oxygen_wt_pct=sum(props.oxygen_wt_pct * kg for props, kg in parts) / total_kg,
    )


@dataclass(frozen=True)
class Criterion:
    """One limit of an acceptance rule: a property with a minimum, a maximum or both."""

    property: str
    unit: str
    minimum: float | None
    maximum: float | None

    @classmethod
    def from_reference(cls, entry: dict[str, Any]) -> Criterion:
        """Build a criterion from one ``criteria`` table of an acceptance rule."""
        return cls(entry["property"], entry["unit"], entry.get("min"), entry.get("max"))

    def excess(self, value: float) -> float:
        """Return how far a value lies outside the limits, relative to the limit crossed (0 when inside)."""
        if self.maximum is not None and value > self.maximum:
            return (value - self.maximum) / abs(self.maximum or 1.0)
        if self.minimum is not None and value < self.minimum:
            return (self.minimum - value) / abs(self.minimum or 1.0)
        return 0.0

    def describe(self, value: float) -> str:
        """Describe a value against the limits, e.g. ``oxygen 0.124 wt% above max 0.12``."""
        if self.maximum is not None and value > self.maximum:
            return f"{self.property} {value:g} {self.unit} above max {self.maximum:g}"
        if self.minimum is not None and value < self.minimum:
            return f"{self.property} {value:g} {self.unit} below min {self.minimum:g}"
        return f"{self.property} {value:g} {self.unit}"


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing measured results with a rule (``pass``, ``marginal`` or ``fail``), with the findings."""

    outcome: str
    findings: str


def judge(criteria: list[Criterion], measured: dict[str, float]) -> Verdict:
    """Compare measured values with every criterion; the worst criterion sets the outcome."""
    worst = 0.0
    outside = []
    for criterion in criteria:
        value = measured[criterion.property]
        excess = criterion.excess(value)
        if excess > 0:
            outside.append(criterion.describe(value))
        worst = max(worst, excess)
    if worst == 0:
        inside = ", ".join(c.describe(measured[c.property]) for c in criteria)
        return Verdict("pass", f"all results within limits: {inside}")
    outcome = "marginal" if worst <= MARGINAL_EXCESS else "fail"
    return Verdict(outcome, "; ".join(outside))


def measure(props: Properties, name: str, noise: float) -> float:
    """Return a lab result for a property: the true value plus `noise`, rounded as reported, never negative."""
    value = max(props.value(name) + noise, 0.0)
    decimals = PROPERTY_DECIMALS.get(name, 3)
    return round(max(value, 10.0**-decimals), decimals)


def push_past_limit(props: Properties, criterion: Criterion, excess: float) -> None:
    """Move a property just past a limit by `excess` (relative), as an off-spec receipt shows."""
    if criterion.maximum is not None:
        props.set_value(criterion.property, criterion.maximum * (1 + excess))
    elif criterion.minimum is not None:
        props.set_value(criterion.property, criterion.minimum * (1 - excess))
