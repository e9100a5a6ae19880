"""Event records: validation messages, canonical encoding, hash chain fields, ids and times."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from sync.ids import event_id_time_ms, format_uuid7, new_event_id, new_short_id
from sync.records import (
    GENESIS_HASH,
    MAX_EVENT_BYTES,
    InvalidEvent,
    canonical_json,
    compute_hash,
    event_from_dict,
    parse_time,
    seal_event,
    to_utc_us,
)
from tests.helpers import decision_body, exposure_body, lot_body, result_body, sample_body, transformation_body


def seal(kind: str, body: dict[str, Any], **overrides: Any) -> Any:
    options: dict[str, Any] = {"station_id": "ST-01", "operator_id": "OP-0001", "seq": 1, "prev_hash": GENESIS_HASH}
    options.update(overrides)
    return seal_event(kind=kind, body=body, **options)


VALID_BODIES = {
    "lot_registered": lot_body("L-1", {"C-1": 25.0, "C-2": 12.5}),
    "container_relabelled": {"container_id": "C-1", "old_label": "C-1", "new_label": "C-1B", "reason": "label torn"},
    "transformation": transformation_body(
        "blending",
        [("C-1", "L-1", 10.0), ("C-3", "L-2", 5.0)],
        [("C-9", "L-9", 15.0, True)],
        new_lots=["L-9"],
        recycle_fraction=0.33,
    ),
    "container_opened": exposure_body("C-1"),
    "container_resealed": exposure_body("C-1", rh=45.5),
    "sample_taken": sample_body("S-1", "L-1", containers=["C-1"]),
    "result_recorded": result_body("R-1", "S-1", "L-1", "d50", 31.2, "um"),
    "release_decision": decision_body("L-1", "conditional", samples=["S-1"], conditions="use within 30 days"),
    "correction": {
        "corrects_event_id": new_event_id(),
        "reason": "wrong container scanned",
        "subject_ids": ["container:C-1"],
    },
}


@pytest.mark.parametrize("kind", sorted(VALID_BODIES))
def test_every_kind_seals_and_round_trips(kind: str) -> None:
    event = seal(kind, VALID_BODIES[kind])
    again = event_from_dict(event.to_dict())
    assert again == event
    assert again.hash == compute_hash(event.to_dict())


def test_subjects_derived_from_body() -> None:
    event = seal("transformation", VALID_BODIES["transformation"])
    assert event.subjects == ("container:C-1", "container:C-3", "container:C-9", "lot:L-1", "lot:L-2", "lot:L-9")


INVALID_CASES = [
    (
        "container_opened",
        {**exposure_body("C-1"), "relative_humidity_pct": 120},
        "body.relative_humidity_pct",
        120,
        "less than or equal to 100",
    ),
    (
        "container_opened",
        {**exposure_body("C-1"), "humidity_control_active": "yes"},
        "body.humidity_control_active",
        "yes",
        "boolean",
    ),
    (
        "container_opened",
        {**exposure_body("C-1"), "ambient_temperature_c": "21"},
        "body.ambient_temperature_c",
        "21",
        "number",
    ),
    ("container_opened", {**exposure_body("C 1")}, "body.container_id", "C 1", "pattern"),
    ("container_opened", {**exposure_body("C-1"), "colour": "red"}, "body.colour", "red", "Extra inputs"),
    ("lot_registered", lot_body("L-1", {"C-1": -5.0}), "body.containers.0.net_mass", -5.0, "greater than 0"),
    (
        "lot_registered",
        {**lot_body("L-1", {"C-1": 5.0}), "production_date": "2026-13-01"},
        "body.production_date",
        "2026-13-01",
        "date",
    ),
    (
        "lot_registered",
        {**lot_body("L-1", {"C-1": 5.0}), "supplier": "Acme\x00"},
        "body.supplier",
        "Acme\x00",
        "pattern",
    ),
    ("transformation", {**VALID_BODIES["transformation"], "step": "baking"}, "body.step", "baking", "drying"),
    (
        "transformation",
        transformation_body(
            "blending", [("C-1", "L-1", 1.0)], [("C-9", "L-9", 1.0, True)], new_lots=["L-9"], recycle_fraction=1.5
        ),
        "body.parameters.recycle_fraction",
        1.5,
        "less than or equal to 1",
    ),
    (
        "sample_taken",
        {**sample_body("S-1", "L-1"), "increments": 0},
        "body.increments",
        0,
        "greater than or equal to 1",
    ),
    (
        "release_decision",
        decision_body("L-1", "conditional"),
        "body",
        None,
        "conditional release must state its conditions",
    ),
    (
        "release_decision",
        {**decision_body("L-1", "released"), "decision": "approved"},
        "body.decision",
        "approved",
        "released",
    ),
    (
        "container_relabelled",
        {"container_id": "C-1", "old_label": "C-1", "new_label": "C-1", "reason": "x"},
        "body",
        None,
        "must differ",
    ),
]


@pytest.mark.parametrize(("kind", "body", "field", "value", "rule"), INVALID_CASES)
def test_invalid_body_names_field_value_rule(
    kind: str, body: dict[str, Any], field: str, value: Any, rule: str
) -> None:
    with pytest.raises(InvalidEvent) as caught:
        seal(kind, body)
    problems = caught.value.problems
    matching = [p for p in problems if p.field == field]
    assert matching, f"no problem for {field} in {problems}"
    if value is not None:
        assert matching[0].value == value
        assert repr(value) in str(caught.value)
    assert rule in matching[0].rule


def test_unknown_kind_rejected() -> None:
    with pytest.raises(InvalidEvent, match="kind: value 'container_weighed' is invalid: must be one of"):
        seal("container_weighed", {})


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("event_id", "not-a-uuid", "UUIDv7"),
        ("event_id", str(uuid.uuid4()), "UUIDv7"),
        ("occurred_at", "2026-12-04T10:00:00", "UTC offset"),
        ("seq", 0, "positive integer"),
        ("seq", True, "positive integer"),
        ("station_id", "ST 01", "identifier"),
        ("prev_hash", "abc", "64 lower-case hex"),
        ("schema_version", 2, "must be 1"),
    ],
)
def test_invalid_envelope_field_rejected(field: str, value: Any, rule: str) -> None:
    data = seal("container_opened", exposure_body("C-1")).to_dict()
    data[field] = value
    with pytest.raises(InvalidEvent) as caught:
        event_from_dict(data)
    assert any(p.field == field and rule in p.rule for p in caught.value.problems), caught.value.problems


def test_missing_and_unknown_envelope_fields() -> None:
    data = seal("container_opened", exposure_body("C-1")).to_dict()
    del data["operator_id"]
    data["priority"] = "high"
    with pytest.raises(InvalidEvent) as caught:
        event_from_dict(data)
    fields = {p.field: p.rule for p in caught.value.problems}
    assert fields["operator_id"] == "is required"
    assert fields["priority"] == "is not an event field"


def test_edited_body_fails_hash_check() -> None:
    data = seal("container_opened", exposure_body("C-1", rh=30.0)).to_dict()
    data["body"]["relative_humidity_pct"] = 29.0
    with pytest.raises(InvalidEvent, match="hash"):
        event_from_dict(data)


def test_subjects_must_match_body() -> None:
    data = seal("container_opened", exposure_body("C-1")).to_dict()
    data["subjects"] = ["container:C-2"]
    with pytest.raises(InvalidEvent, match="subjects"):
        event_from_dict(data)


def test_oversized_event_rejected() -> None:
    data = seal("container_opened", exposure_body("C-1")).to_dict()
    data["body"]["storage_location"] = "x" * (MAX_EVENT_BYTES + 1)
    with pytest.raises(InvalidEvent) as caught:
        event_from_dict(data)
    assert caught.value.problems[0].field == "event"
    assert f"at most {MAX_EVENT_BYTES} bytes" in caught.value.problems[0].rule


@pytest.mark.parametrize("excess", [0, 1])
def test_size_limit_counts_the_whole_encoded_event(excess: int) -> None:
    data = seal("container_opened", exposure_body("C-1")).to_dict()
    data["body"]["storage_location"] += "x" * (MAX_EVENT_BYTES + excess - len(canonical_json(data)))
    assert len(canonical_json(data)) == MAX_EVENT_BYTES + excess
    with pytest.raises(InvalidEvent) as caught:  # the edited body no longer matches its hash
        event_from_dict(data)
    assert (caught.value.problems[0].field == "event") == (excess > 0)


def test_canonical_json_independent_of_key_order() -> None:
    assert canonical_json({"b": 1, "a": [1.5, "é"]}) == canonical_json({"a": [1.5, "é"], "b": 1})
    assert canonical_json({"a": 0.1}) == b'{"a":0.1}'
    assert canonical_json({"text": "Müller"}) == '{"text":"Müller"}'.encode()


def test_canonical_json_rejects_nan() -> None:
    with pytest.raises(ValueError):
        canonical_json({"a": float("nan")})


def test_event_ids_are_uuid7_and_ordered() -> None:
    ids = [new_event_id() for _ in range(2000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122


def test_event_id_carries_its_time() -> None:
    assert event_id_time_ms(format_uuid7(1_780_000_000_123, 5, 99)) == 1_780_000_000_123


def test_short_ids_sort_by_time() -> None:
    first = new_short_id("C", now_ms=1_780_000_000_000, random_bits=0x1FFFFFF)
    later = new_short_id("C", now_ms=1_780_000_000_001, random_bits=0)
    assert first < later
    assert first.startswith("C-")
    assert len(first) == 16


def test_times_sort_by_instant_across_offsets() -> None:
    # 09:30 at +02:00 is 07:30 UTC, before 08:00 UTC written with a -05:00 offset (03:00).
    earlier = to_utc_us(parse_time("2026-12-04T09:30:00+02:00"))
    later = to_utc_us(parse_time("2026-12-04T03:00:00-05:00"))
    assert earlier < later
    assert later - earlier == 30 * 60 * 1_000_000
