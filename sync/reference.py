"""Reference data the events point to: operators, equipment, sampling methods, acceptance rules, grades.

Each entry is versioned: an event names the version it used, and a new
version never changes an old one. Loaded from a TOML file with
`lineage import-reference FILE` (format in docs/reference-data.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peewee import BooleanField, CharField, FloatField, IntegerField, Model, TextField

from sync.errors import describe_file_error
from sync.ids import IDENTIFIER_RE
from sync.models import BaseModel

ROLES = ("operator", "supervisor", "quality")
PIN_HASH_ITERATIONS = 200_000


class InvalidReference(ValueError):
    """Invalid reference data; the message names the file entry, field and value."""


class Operator(BaseModel):
    """A person who records events; supervisors and quality engineers may sign release decisions."""

    badge_id = CharField(max_length=64)
    version = IntegerField()
    name = CharField(max_length=200)
    role = CharField(max_length=16)
    pin_hash = CharField(max_length=200)
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("badge_id", "version"), True),)


class Equipment(BaseModel):
    """A machine or production line that transformations run on."""

    equipment_id = CharField(max_length=64)
    version = IntegerField()
    name = CharField(max_length=200)
    kind = CharField(max_length=32)
    location = CharField(max_length=200, default="")
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("equipment_id", "version"), True),)


class SamplingMethod(BaseModel):
    """A documented way of drawing a sample."""

    method_id = CharField(max_length=64)
    version = IntegerField()
    name = CharField(max_length=200)
    description = TextField(default="")
    default_increments = IntegerField(default=1)
    compositing_rule = CharField(max_length=200, default="")

    class Meta:
        table_name = "sampling_method"
        indexes = ((("method_id", "version"), True),)


class AcceptanceRule(BaseModel):
    """Criteria a lot must meet to be released; ``criteria`` is a JSON list of property limits."""

    rule_id = CharField(max_length=64)
    version = IntegerField()
    name = CharField(max_length=200)
    criteria = TextField(default="[]")

    class Meta:
        table_name = "acceptance_rule"
        indexes = ((("rule_id", "version"), True),)


class Grade(BaseModel):
    """A powder grade with its exposure limits."""

    grade_id = CharField(max_length=64)
    version = IntegerField()
    name = CharField(max_length=200)
    max_open_minutes = FloatField(null=True)
    rh_limit_pct = FloatField(null=True)

    class Meta:
        indexes = ((("grade_id", "version"), True),)


REFERENCE_MODELS: list[type[Model]] = [Operator, Equipment, SamplingMethod, AcceptanceRule, Grade]


@dataclass(frozen=True)
class Section:
    """Mapping of one TOML table array onto a model."""

    model: type[Model]
    id_field: str
    required: tuple[str, ...]
    optional: dict[str, Any]


SECTIONS: dict[str, Section] = {
    "operators": Section(Operator, "badge_id", ("name", "role", "pin_hash"), {"active": True}),
    "equipment": Section(Equipment, "equipment_id", ("name", "kind"), {"location": "", "active": True}),
    "sampling_methods": Section(
        SamplingMethod, "method_id", ("name",), {"description": "", "default_increments": 1, "compositing_rule": ""}
    ),
    "acceptance_rules": Section(AcceptanceRule, "rule_id", ("name",), {"criteria": []}),
    "grades": Section(Grade, "grade_id", ("name",), {"max_open_minutes": None, "rh_limit_pct": None}),
}


def hash_pin(pin: str, *, salt: bytes | None = None, iterations: int = PIN_HASH_ITERATIONS) -> str:
    """Return a salted PBKDF2-SHA256 hash of a PIN, as ``pbkdf2_sha256$iterations$salt$hash``."""
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValueError("a PIN must be 4 to 12 digits")
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, pin_hash: str) -> bool:
    """Tell whether a PIN matches a hash made by `hash_pin` (constant-time comparison)."""
    try:
        scheme, iterations, salt_hex, digest_hex = pin_hash.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt_hex), int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def load_reference_file(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Read and validate a reference TOML file; return rows per section.

    Raises InvalidReference naming the entry, field and value of the first problem.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InvalidReference(f"reference file {path} is not valid TOML: {error}") from error
    except OSError as error:
        raise InvalidReference(describe_file_error(error, f"reference file {path}")) from error
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise InvalidReference(f"{path}: unknown section {unknown[0]!r}; expected {', '.join(SECTIONS)}")
    return {
        name: [_validate_entry(path, name, i, entry) for i, entry in enumerate(data.get(name, []))] for name in SECTIONS
    }


def _validate_entry(path: Path, section_name: str, index: int, entry: Any) -> dict[str, Any]:
    section = SECTIONS[section_name]
    where = f"{path}: {section_name}[{index}]"
    if not isinstance(entry, dict):
        raise InvalidReference(f"{where} must be a table")
    allowed = {section.id_field, "version", *section.required, *section.optional}
    for key in entry:
        if key not in allowed:
            raise InvalidReference(f"{where}: unknown field {key!r}; allowed: {', '.join(sorted(allowed))}")
    for key in (section.id_field, "version", *section.required):
        if key not in entry:
            raise InvalidReference(f"{where}: field {key!r} is missing")
    ident = entry[section.id_field]
    if not isinstance(ident, str) or not IDENTIFIER_RE.match(ident):
        raise InvalidReference(f"{where}: {section.id_field} {ident!r} is not a valid identifier")
    version = entry["version"]
    if type(version) is not int or version < 1:
        raise InvalidReference(f"{where}: version {version!r} must be a whole number of 1 or more")
    row = {**section.optional, **entry}
    _check_section_rules(where, section_name, row)
    if section_name == "acceptance_rules":
        row["criteria"] = json.dumps(row["criteria"], sort_keys=True)
    return row


def _check_section_rules(where: str, section_name: str, row: dict[str, Any]) -> None:
    if section_name == "operators":
        if row["role"] not in ROLES:
            raise InvalidReference(f"{where}: role {row['role']!r} must be one of {', '.join(ROLES)}")
        if not str(row["pin_hash"]).startswith("pbkdf2_sha256$"):
            raise InvalidReference(f"{where}: pin_hash must be made by `lineage hash-pin`, not a plain PIN")
    if section_name == "grades":
        for key in ("max_open_minutes", "rh_limit_pct"):
            value = row[key]
            if value is not None and (not isinstance(value, int | float) or value <= 0):
                raise InvalidReference(f"{where}: {key} {value!r} must be a positive number")
    if section_name == "acceptance_rules":
        criteria = row["criteria"]
        if not isinstance(criteria, list):
            raise InvalidReference(f"{where}: criteria must be a list of tables")
        for criterion in criteria:
            if not isinstance(criterion, dict) or "property" not in criterion or "unit" not in criterion:
                raise InvalidReference(f"{where}: each criterion needs property and unit (and min and/or max)")


def import_reference_rows(sections: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Insert new entries; an existing (id, version) must be identical. Run inside a transaction.

    Returns how many entries were added per section. Raises InvalidReference when
    an entry would change an existing version.
    """
    added: dict[str, int] = {}
    for name, rows in sections.items():
        section = SECTIONS[name]
        model = section.model
        id_column = getattr(model, section.id_field)
        version_column = model._meta.fields["version"]
        count = 0
        for row in rows:
            existing = model.get_or_none((id_column == row[section.id_field]) & (version_column == row["version"]))
            if existing is None:
                model.insert(**row).execute()
                count += 1
                continue
            differing = [key for key, value in row.items() if getattr(existing, key) != value]
            if differing:
                raise InvalidReference(
                    f"{name} {row[section.id_field]} version {row['version']} already exists with a different "
                    f"{differing[0]}; publish the change as a new version"
                )
        added[name] = count
    return added


def latest(model: type[Model], id_field: str, ident: str) -> Any:
    """Return the highest version of a reference entry, or None."""
    column = getattr(model, id_field)
    version = model._meta.fields["version"]
    return model.select().where(column == ident).order_by(version.desc()).first()
