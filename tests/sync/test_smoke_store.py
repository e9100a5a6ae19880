"""First check that a store records and reads back a lot."""

from sync.store import Store
from sync.timeline import build_timeline
from tests.helpers import OPERATOR, lot_body


def test_store_records_lot_registration(fresh_store: Store) -> None:
    event = fresh_store.record("lot_registered", lot_body("L-1", {"C-1": 25.0}), operator_id=OPERATOR)
    assert event.seq == 1
    timeline = build_timeline("C-1")
    assert timeline["identity"]["lot_id"] == "L-1"
