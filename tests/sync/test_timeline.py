"""Lot timeline on a hand-built history: genealogy with mass shares, reuse loops, relabels, exposure."""

from __future__ import annotations

import pytest

from sync.errors import Ambiguous, NotFound
from sync.lineage import ids_matching_ignoring_case, resolve
from sync.records import parse_time, to_utc_us
from sync.store import Store
from sync.timeline import TIMELINE_KEYS, build_timeline, release_status
from tests.helpers import (
    OPERATOR,
    SUPERVISOR,
    decision_body,
    exposure_body,
    lot_body,
    result_body,
    sample_body,
    transformation_body,
)


def chain(store: Store) -> None:
    """Record five generations: two blends, then sieving, milling and drying.

    L-D5 is 1/2 L-B1 (itself 3/4 L-V1 and 1/4 recycled L-R1) and 1/2 L-V2, so
    it holds 37.5 % of L-V1, 12.5 % of L-R1 and 12.5 % recycled powder.
    """
    record = store.record
    record(
        "lot_registered", lot_body("L-V1", {"C-V1A": 50.0, "C-V1B": 50.0}, lot_number="ACME-4711"), operator_id=OPERATOR
    )
    record("lot_registered", lot_body("L-R1", {"C-R1": 40.0}, origin="recycled"), operator_id=OPERATOR)
    record("lot_registered", lot_body("L-V2", {"C-V2": 60.0}), operator_id=OPERATOR)
    record(
        "transformation",
        transformation_body(
            "blending",
            [("C-V1A", "L-V1", 30.0), ("C-R1", "L-R1", 10.0)],
            [("C-B1", "L-B1", 40.0, True)],
            new_lots=["L-B1"],
            recycle_fraction=0.25,
        ),
        operator_id=OPERATOR,
    )
    record(
        "transformation",
        transformation_body(
            "blending",
            [("C-B1", "L-B1", 20.0), ("C-V2", "L-V2", 20.0)],
            [("C-B2", "L-B2", 40.0, True)],
            new_lots=["L-B2"],
        ),
        operator_id=OPERATOR,
    )
    record(
        "transformation",
        transformation_body(
            "sieving",
            [("C-B2", "L-B2", 40.0)],
            [("C-S3", "L-S3", 38.0, True)],
            new_lots=["L-S3"],
            equipment_id="SIEVE-01",
            screen_mesh_um=63.0,
        ),
        operator_id=OPERATOR,
    )
    record(
        "transformation",
        transformation_body(
            "milling",
            [("C-S3", "L-S3", 38.0)],
            [("C-M4", "L-M4", 37.0, True)],
            new_lots=["L-M4"],
            equipment_id="MILL-01",
        ),
        operator_id=OPERATOR,
    )
    record(
        "transformation",
        transformation_body(
            "drying",
            [("C-M4", "L-M4", 37.0)],
            [("C-D5", "L-D5", 36.0, True)],
            new_lots=["L-D5"],
            equipment_id="DRY-01",
            temperature_c=120.0,
            duration_min=240.0,
        ),
        operator_id=OPERATOR,
    )


@pytest.fixture
def history(fresh_store: Store) -> Store:
    chain(fresh_store)
    return fresh_store


def by_lot(entries: list[dict]) -> dict[str, dict]:
    return {entry["lot_id"]: entry for entry in entries}


def test_timeline_has_documented_keys(history: Store) -> None:
    timeline = build_timeline("L-D5")
    for key in TIMELINE_KEYS:
        assert key in timeline


def test_upstream_five_generations_with_shares(history: Store) -> None:
    upstream = by_lot(build_timeline("L-D5")["upstream"])
    depths = {lot_id: entry["depth"] for lot_id, entry in upstream.items()}
    assert depths == {"L-M4": 1, "L-S3": 2, "L-B2": 3, "L-B1": 4, "L-V2": 4, "L-V1": 5, "L-R1": 5}
    assert upstream["L-V1"]["share_of_this_lot"] == pytest.approx(0.375)
    assert upstream["L-R1"]["share_of_this_lot"] == pytest.approx(0.125)
    assert upstream["L-V2"]["share_of_this_lot"] == pytest.approx(0.5)


def test_recycled_share_carried_downstream(history: Store) -> None:
    assert build_timeline("L-B1")["identity"]["recycled_share"] == pytest.approx(0.25)
    assert build_timeline("L-D5")["identity"]["recycled_share"] == pytest.approx(0.125)


def test_downstream_from_supplier_lot(history: Store) -> None:
    timeline = build_timeline("ACME-4711")
    assert timeline["query"]["matched"] == "lot_number"
    downstream = by_lot(timeline["downstream"])
    assert set(downstream) == {"L-B1", "L-B2", "L-S3", "L-M4", "L-D5"}
    assert downstream["L-B1"]["share_from_this_lot"] == pytest.approx(0.75)
    assert downstream["L-D5"]["share_from_this_lot"] == pytest.approx(0.375)
    assert downstream["L-D5"]["depth"] == 5


def test_depth_limit_truncates(history: Store) -> None:
    timeline = build_timeline("L-D5", max_depth=2)
    assert {entry["lot_id"] for entry in timeline["upstream"]} == {"L-M4", "L-S3"}
    assert timeline["genealogy"]["upstream_truncated"] is True


def test_reuse_loop_terminates_once_each(history: Store) -> None:
    # Used powder from L-D5 is recovered and topped up into L-V1, which fed L-D5.
    history.record(
        "transformation",
        transformation_body(
            "recycling",
            [("C-D5", "L-D5", 10.0)],
            [("C-REC", "L-REC", 9.0, True)],
            new_lots=["L-REC"],
            equipment_id="LINE-REC",
        ),
        operator_id=OPERATOR,
    )
    history.record(
        "transformation",
        transformation_body(
            "blending", [("C-REC", "L-REC", 9.0)], [("C-V1B", "L-V1", 9.0, False)], recycle_fraction=1.0
        ),
        operator_id=OPERATOR,
    )
    timeline = build_timeline("L-V1")
    upstream_ids = [entry["lot_id"] for entry in timeline["upstream"]]
    assert upstream_ids.count("L-REC") == 1
    assert "L-D5" in upstream_ids
    assert "L-V1" not in upstream_ids
    assert timeline["genealogy"]["has_cycle"] is True
    # 9 kg of fully recycled powder on top of 100 kg registered.
    assert timeline["identity"]["total_mass_kg"] == pytest.approx(109.0)
    assert by_lot(timeline["upstream"])["L-REC"]["share_of_this_lot"] == pytest.approx(9.0 / 109.0, abs=1e-6)


def test_relabelled_container_resolves_by_old_label(history: Store) -> None:
    history.record(
        "container_relabelled",
        {"container_id": "C-D5", "old_label": "C-D5", "new_label": "C-D5-R2", "reason": "label scuffed"},
        operator_id=OPERATOR,
    )
    history.record(
        "container_relabelled",
        {"container_id": "C-D5", "old_label": "C-D5-R2", "new_label": "C-D5-R3", "reason": "repacked"},
        operator_id=OPERATOR,
    )
    for label in ("C-D5", "C-D5-R2", "C-D5-R3"):
        timeline = build_timeline(label)
        assert timeline["identity"]["lot_id"] == "L-D5"
        container = timeline["identity"]["containers"][0]
        assert container["current_label"] == "C-D5-R3"
        assert container["labels"] == ["C-D5", "C-D5-R2", "C-D5-R3"]
    assert build_timeline("C-D5-R2")["query"]["matched"] == "label"


def test_sample_results_and_decisions(history: Store) -> None:
    history.record("sample_taken", sample_body("S-1", "L-D5", containers=["C-D5"]), operator_id=OPERATOR)
    history.record("result_recorded", result_body("R-1", "S-1", "L-D5", "oxygen", 0.14, "wt%"), operator_id=OPERATOR)
    history.record(
        "release_decision",
        decision_body("L-D5", "on_hold", samples=["S-1"], reason="oxygen above limit, retest"),
        operator_id=SUPERVISOR,
    )
    history.record("result_recorded", result_body("R-2", "S-1", "L-D5", "oxygen", 0.11, "wt%"), operator_id=OPERATOR)
    history.record("release_decision", decision_body("L-D5", "released", samples=["S-1"]), operator_id=SUPERVISOR)

    timeline = build_timeline("S-1")
    assert timeline["query"]["matched"] == "sample"
    assert timeline["identity"]["lot_id"] == "L-D5"
    [sample] = timeline["samples"]
    assert [r["value"] for r in sample["results"]] == [0.14, 0.11]
    assert [d["decision"] for d in timeline["decisions"]] == ["on_hold", "released"]
    assert release_status(timeline) == "released"


def test_exposure_time_above_humidity_limit(history: Store) -> None:
    # TI64-G23: longest open 30 min, RH limit 40 %. RH rises linearly 30 -> 50 % over 60 min,
    # so the second half of the window is above the limit.
    history.record(
        "container_opened",
        exposure_body("C-V2", rh=30.0),
        operator_id=OPERATOR,
        occurred_at="2026-12-01T08:00:00+01:00",
    )
    history.record(
        "container_resealed",
        exposure_body("C-V2", rh=50.0),
        operator_id=OPERATOR,
        occurred_at="2026-12-01T09:00:00+01:00",
    )
    now = to_utc_us(parse_time("2026-12-01T10:00:00+00:00"))
    history.record(
        "container_opened",
        exposure_body("C-V2", rh=45.0),
        operator_id=OPERATOR,
        occurred_at="2026-12-01T09:30:00+00:00",
    )

    exposure = build_timeline("C-V2", now_utc_us=now)["exposure"]
    [container] = exposure["containers"]
    first, second = container["windows"]
    assert first["open_s"] == pytest.approx(3600)
    assert first["above_rh_limit_s"] == pytest.approx(1800)
    assert first["exceeds_max_open"] is True
    assert second["resealed_at"] is None
    assert second["open_s"] == pytest.approx(1800)
    assert second["above_rh_limit_s"] == pytest.approx(1800)
    assert exposure["open_now"] == ["C-V2"]
    assert exposure["cumulative_open_s"] == pytest.approx(5400)


def test_events_sorted_by_instant_not_offset(history: Store) -> None:
    # Recorded later but at an earlier instant: 10:00+05:00 is 05:00 UTC.
    history.record(
        "container_opened", exposure_body("C-V2"), operator_id=OPERATOR, occurred_at="2026-12-02T07:00:00+00:00"
    )
    history.record(
        "container_resealed", exposure_body("C-V2"), operator_id=OPERATOR, occurred_at="2026-12-02T10:00:00+05:00"
    )
    events = [e for e in build_timeline("C-V2")["events"] if e["kind"] in ("container_opened", "container_resealed")]
    assert [e["kind"] for e in events] == ["container_resealed", "container_opened"]


def test_correction_voids_and_restores_transformation(history: Store) -> None:
    milling = next(
        e for e in build_timeline("L-M4")["events"] if e["kind"] == "transformation" and e["body"]["step"] == "milling"
    )
    correction = history.record(
        "correction",
        {
            "corrects_event_id": milling["event_id"],
            "reason": "milling recorded on the wrong lot",
            "subject_ids": ["lot:L-M4", "lot:L-S3"],
        },
        operator_id=SUPERVISOR,
    )
    assert "L-S3" not in {entry["lot_id"] for entry in build_timeline("L-D5")["upstream"]}
    events = {e["event_id"]: e for e in build_timeline("L-S3")["events"]}
    assert events[milling["event_id"]]["voided_by"] == correction.event_id
    assert correction.event_id in events

    history.record(
        "correction",
        {"corrects_event_id": correction.event_id, "reason": "the milling was right after all"},
        operator_id=SUPERVISOR,
    )
    assert "L-S3" in {entry["lot_id"] for entry in build_timeline("L-D5")["upstream"]}


def test_unknown_id_not_found(history: Store) -> None:
    with pytest.raises(NotFound, match="'L-NOPE'"):
        build_timeline("L-NOPE")


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [("l-d5", "L-D5"), ("acme-4711", "ACME-4711"), ("c-v1a", "C-V1A"), ("s-1", "S-1")],
)
def test_wrong_case_suggests_stored_id(history: Store, query: str, suggestion: str) -> None:
    history.record("sample_taken", sample_body("S-1", "L-D5", containers=["C-D5"]), operator_id=OPERATOR)

    # Never a silent match: the id as typed is still not found.
    with pytest.raises(NotFound) as caught:
        resolve(query)

    message = str(caught.value)
    assert message.startswith(f"no lot, container, label or sample has the id '{query}'; ")
    assert f"did you mean {suggestion}? Ids and lot numbers are case-sensitive" in message


def test_suggestion_not_an_id_quoted(history: Store) -> None:
    history.record("lot_registered", lot_body("L-Q", {"C-Q": 5.0}, lot_number="Charge 7 (Acme)"), operator_id=OPERATOR)
    with pytest.raises(NotFound, match=r"did you mean 'Charge 7 \(Acme\)'\?"):
        resolve("CHARGE 7 (ACME)")


def test_suggestions_capped_with_others(history: Store) -> None:
    variants = ["mix-a", "Mix-a", "mIx-a", "miX-a", "mix-A", "MIX-a", "MIX-A"]
    for index, lot_number in enumerate(variants):
        history.record(
            "lot_registered",
            lot_body(f"L-MIX{index}", {f"C-MIX{index}": 5.0}, lot_number=lot_number),
            operator_id=OPERATOR,
        )

    with pytest.raises(NotFound) as caught:
        resolve("Mix-A")

    suggestions = str(caught.value).split("did you mean ")[1].split("?")[0]
    assert suggestions == "MIX-A, MIX-a, Mix-a, mIx-a, miX-a or others"


@pytest.mark.parametrize(
    ("stored", "query", "is_match"),
    [
        ("ab-1cdefgh", "AB-1CDEFGh", True),  # differs after the letters that set the index ranges too
        ("Lot-7x", "lOT-7X", True),
        ("Lot-7x", "lOT-7Y", False),
        ("12345", "12346", False),
        ("\U0010ffffb-1", "\U0010ffffB-1", True),  # starts with the last code point, which has no successor
        ("Über-1", "über-1", False),  # only ASCII letters are folded
    ],
)
def test_case_insensitive_match_whole_text(history: Store, stored: str, query: str, is_match: bool) -> None:
    history.record("lot_registered", lot_body("L-CASE", {"C-CASE": 5.0}, lot_number=stored), operator_id=OPERATOR)

    assert ids_matching_ignoring_case(query) == ([stored] if is_match else [])


def test_unknown_id_suggests_nothing(history: Store) -> None:
    with pytest.raises(NotFound) as caught:
        resolve("L-NOPE")
    assert str(caught.value) == "no lot, container, label or sample has the id 'L-NOPE'; check the id or scan the label"


def test_shared_lot_number_is_ambiguous(history: Store) -> None:
    history.record(
        "lot_registered",
        lot_body("L-X", {"C-X": 5.0}, lot_number="ACME-4711", supplier="Other Metals"),
        operator_id=OPERATOR,
    )
    with pytest.raises(Ambiguous, match=r"L-V1 \(Acme Powders\), L-X \(Other Metals\)"):
        build_timeline("ACME-4711")


def test_depth_limit_exact_not_truncated(history: Store) -> None:
    # L-D5 has exactly five generations upstream: a limit of 5 reads them all.
    assert build_timeline("L-D5", max_depth=5)["genealogy"]["upstream_truncated"] is False
    assert build_timeline("L-D5", max_depth=4)["genealogy"]["upstream_truncated"] is True
    # The recycled lot lies at generation 5, so a walk of 4 cannot count it, and says so.
    shallow = build_timeline("L-D5", max_depth=4)["identity"]
    assert shallow["recycled_share"] == pytest.approx(0.0)
    assert shallow["recycled_share_complete"] is False
    assert build_timeline("L-D5", max_depth=5)["identity"]["recycled_share_complete"] is True
