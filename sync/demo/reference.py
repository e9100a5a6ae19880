"""The reference data a demo history names: operators, grades, equipment, sampling methods, acceptance rule."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sync.demo.plant import GRADE_PROFILES, STATIONS
from sync.demo.quality import PROPERTY_UNITS, Criterion
from sync.reference import InvalidReference, load_reference_file

# assets/ sits beside the packages in a source checkout; the wheel does not ship it.
DEMO_REFERENCE_FILE = Path(__file__).resolve().parents[2] / "assets" / "demo" / "reference.toml"
# A new version of a sampling method or acceptance rule comes into force this many days after the previous one.
DAYS_PER_VERSION = 120


@dataclass(frozen=True)
class RuleVersion:
    """One version of the acceptance rule with its criteria."""

    rule_id: str
    version: int
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class MethodVersion:
    """One version of a sampling method."""

    method_id: str
    version: int
    increments: int
    compositing_rule: str


@dataclass(frozen=True)
class DemoReference:
    """The parts of a reference file the history uses: who records and signs, and the versions in force."""

    sections: dict[str, list[dict[str, Any]]]
    operators: tuple[str, ...]
    signers: tuple[str, ...]
    lab_staff: tuple[str, ...]
    grade_versions: dict[str, int]
    # Versions in the order they came into force.
    rules: tuple[RuleVersion, ...]
    container_methods: tuple[MethodVersion, ...]
    blend_methods: tuple[MethodVersion, ...]

    def rule_in_force(self, day: int) -> RuleVersion:
        """Return the acceptance rule version in force `day` days into the history."""
        return self.rules[min(day // DAYS_PER_VERSION, len(self.rules) - 1)]

    def method_in_force(self, day: int, *, for_blend: bool) -> MethodVersion:
        """Return the sampling method version in force for containers or for blends."""
        methods = self.blend_methods if for_blend else self.container_methods
        return methods[min(day // DAYS_PER_VERSION, len(methods) - 1)]


def load_demo_reference(path: Path = DEMO_REFERENCE_FILE) -> DemoReference:
    """Read a reference file and check it has what the demo plant names.

    Raises InvalidReference naming what is missing: operators of each role,
    the plant's grades and equipment, a sampling method and an acceptance rule
    that checks d50, moisture and oxygen.
    """
    sections = load_reference_file(path)
    operators = _badges(sections, ("operator",))
    signers = _badges(sections, ("supervisor", "quality"))
    if not operators or not signers:
        raise InvalidReference(f"{path}: the demo needs at least one operator and one supervisor or quality engineer")
    lab_staff = _badges(sections, ("quality",)) or signers

    grade_versions = _latest_versions(sections["grades"], "grade_id")
    missing_grades = [p.grade_id for p in GRADE_PROFILES if p.grade_id not in grade_versions]
    equipment = _latest_versions(sections["equipment"], "equipment_id")
    missing_equipment = [s.equipment_id for s in STATIONS if s.equipment_id and s.equipment_id not in equipment]
    if missing_grades or missing_equipment:
        raise InvalidReference(
            f"{path}: the demo plant needs grades {', '.join(missing_grades) or '-'} "
            f"and equipment {', '.join(missing_equipment) or '-'}; add them to the file"
        )

    methods = _methods(sections)
    if not methods:
        raise InvalidReference(f"{path}: the demo needs at least one sampling method")
    # The file's first method samples containers, its last (a riffler, in the demo file) samples blends.
    method_ids = list(dict.fromkeys(row["method_id"] for row in sections["sampling_methods"]))
    container_methods = tuple(m for m in methods if m.method_id == method_ids[0])
    blend_methods = tuple(m for m in methods if m.method_id == method_ids[-1])
    return DemoReference(
        sections=sections,
        operators=operators,
        signers=signers,
        lab_staff=lab_staff,
        grade_versions=grade_versions,
        rules=_rules(path, sections),
        container_methods=container_methods,
        blend_methods=blend_methods,
    )


def _badges(sections: dict[str, list[dict[str, Any]]], roles: tuple[str, ...]) -> tuple[str, ...]:
    latest: dict[str, dict[str, Any]] = {}
    for row in sorted(sections["operators"], key=lambda r: (r["badge_id"], r["version"])):
        latest[row["badge_id"]] = row
    return tuple(badge for badge, row in latest.items() if row["role"] in roles and row["active"])


def _latest_versions(rows: list[dict[str, Any]], id_field: str) -> dict[str, int]:
    versions: dict[str, int] = {}
    for row in rows:
        versions[row[id_field]] = max(versions.get(row[id_field], 0), row["version"])
    return versions


def _methods(sections: dict[str, list[dict[str, Any]]]) -> list[MethodVersion]:
    rows = sorted(sections["sampling_methods"], key=lambda r: (r["method_id"], r["version"]))
    return [
        MethodVersion(
            r["method_id"],
            r["version"],
            max(int(r["default_increments"]), 1),
            r["compositing_rule"] or "single increment",
        )
        for r in rows
    ]


def _rules(path: Path, sections: dict[str, list[dict[str, Any]]]) -> tuple[RuleVersion, ...]:
    """Return the versions of the first acceptance rule in the file, oldest first."""
    rows = sections["acceptance_rules"]
    if not rows:
        raise InvalidReference(f"{path}: the demo needs an acceptance rule")
    rule_id = rows[0]["rule_id"]
    versions = []
    for row in sorted((r for r in rows if r["rule_id"] == rule_id), key=lambda r: r["version"]):
        criteria = tuple(Criterion.from_reference(entry) for entry in json.loads(row["criteria"]))
        unknown = [c.property for c in criteria if c.property not in PROPERTY_UNITS]
        if unknown or not criteria:
            raise InvalidReference(
                f"{path}: acceptance rule {rule_id} version {row['version']} checks {', '.join(unknown) or 'nothing'}; "
                f"the demo lab measures only {', '.join(PROPERTY_UNITS)}"
            )
        versions.append(RuleVersion(rule_id, row["version"], criteria))
    return tuple(versions)
