"""Faults of the environment become messages: a full disk, rules that reject an event; nothing is lost or crashed."""

from __future__ import annotations

import pytest

from sync.errors import StorageFull
from tests.helpers import exposure_body, lot_body
from tests.kiosk.ui.driver import KioskDriver
from tests.kiosk.ui.test_container import remember_readings


def fill_store(kiosk: KioskDriver) -> None:
    """Let the store grow no more: SQLite then fails with "database or disk is full", as on a full disk."""

    def cap() -> None:
        pages = kiosk.store.db.execute_sql("PRAGMA page_count").fetchone()[0]
        kiosk.store.db.execute_sql(f"PRAGMA max_page_count = {pages}")

    kiosk.store.write(cap)


@pytest.mark.allow_warning_logs
def test_full_disk_shows_message_records_nothing(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0, "C-2": 25.0}))
    remember_readings(logged_in)
    logged_in.scan("PL1:C:C-1")
    logged_in.tap("openButton")
    fill_store(logged_in)
    # Use up the last free space with events of the same size as the open about to be confirmed.
    with pytest.raises(StorageFull):
        for index in range(10_000):
            kind = "container_opened" if index % 2 == 0 else "container_resealed"
            logged_in.record(kind, exposure_body("C-2"))
    count_full = len(logged_in.events())

    logged_in.tap("exposureConfirm")

    assert len(logged_in.events()) == count_full
    message = logged_in.message()
    assert message.startswith("Not recorded: the disk holding the store")
    assert "Free some space and try again" in message
    assert logged_in.window.message_bar.property("level") == "rejected"
    # The kiosk stays on the screen with the entry, ready to try again.
    assert logged_in.screen_name() == "exposureScreen"
    assert logged_in.button("exposureConfirm").isEnabled()


def test_rule_rejection_shown_in_red(logged_in: KioskDriver) -> None:
    logged_in.record("lot_registered", lot_body("L-1", {"C-1": 25.0}))
    remember_readings(logged_in)
    logged_in.scan("PL1:C:C-1")
    logged_in.tap("openButton")
    # Another station (or screen) opens the container first.
    logged_in.record("container_opened", exposure_body("C-1"))
    logged_in.tap("exposureConfirm")
    assert len(logged_in.events("container_opened")) == 1
    assert "Not recorded: container C-1 is already open" in logged_in.message()
    assert logged_in.screen_name() == "exposureScreen"
