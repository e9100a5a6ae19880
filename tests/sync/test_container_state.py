"""A container's state read from its newest events equals the fold of its whole history."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync import lineage
from sync.store import Store
from tests.helpers import OPERATOR, exposure_body, lot_body, transformation_body

# One step of a container's history: an open or reseal, a relabel, a filling
# with another lot, or a correction voiding an earlier step; each at a minute
# offset that may lie before earlier steps (events pulled late from other stations).
steps = st.lists(
    st.tuples(st.sampled_from(["open", "reseal", "relabel", "fill", "void"]), st.integers(0, 500), st.integers(0, 40)),
    min_size=1,
    max_size=25,
)


def record_history(store: Store, history: list[tuple[str, int, int]]) -> None:
    store.record("lot_registered", lot_body("L-1", {"C-1": 50.0, "C-2": 50.0}), operator_id=OPERATOR, check_rules=False)
    recorded = []
    labels = ["C-1"]
    for index, (step, minute, pick) in enumerate(history):
        when = f"2026-12-01T{8 + minute // 60:02d}:{minute % 60:02d}:00+00:00"
        if step in ("open", "reseal"):
            kind = "container_opened" if step == "open" else "container_resealed"
            body = exposure_body("C-1", rh=float(pick), location=f"Bay {index}")
        elif step == "relabel":
            kind = "container_relabelled"
            new_label = f"C-1-R{index}"
            body = {"container_id": "C-1", "old_label": labels[-1], "new_label": new_label, "reason": "scuffed"}
            labels.append(new_label)
        elif step == "fill":
            kind = "transformation"
            body = transformation_body(
                "blending", [("C-2", "L-1", 1.0)], [("C-1", f"L-F{index}", 1.0, False)], new_lots=[f"L-F{index}"]
            )
        else:
            if not recorded:
                continue
            target = recorded[pick % len(recorded)]
            kind = "correction"
            body = {"corrects_event_id": target, "reason": "wrong entry", "subject_ids": ["container:C-1"]}
        event = store.record(kind, body, operator_id=OPERATOR, occurred_at=when, check_rules=False)
        recorded.append(event.event_id)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=steps)
def test_latest_state_matches_full_fold(history: list[tuple[str, int, int]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "s.db", station_id="ST-01")
        try:
            record_history(store, history)
            with store.reading():
                fast = lineage.container_state("C-1")
                full = lineage.container_state("C-1", lineage.events_about([("container", "C-1")]))
            assert fast is not None
            assert full is not None
            full.events = []
            assert fast == full
        finally:
            store.close()
