"""Where a scan goes, what a supplier label prefills, PIN lock-out, and the background task thread."""

from __future__ import annotations

import threading

import pytest

from kiosk.scan.payloads import parse_payload
from kiosk.ui.scans import route_scan, scan_from_result, supplier_fields
from kiosk.ui.session import PinAttempts
from kiosk.ui.tasks import BackgroundTasks, Outcome


@pytest.mark.parametrize(
    ("text", "logged_in", "action", "identifier"),
    [
        ("PL1:B:OP-0001", False, "log_in", "OP-0001"),
        ("PL1:B:OP-0001", True, "log_in", "OP-0001"),
        ("PL1:C:C-1", False, "reject", ""),
        ("PL1:C:C-1", True, "container", "C-1"),
        ("PL1:L:L-1", True, "lookup", "L-1"),
        ("PL1:S:S-1", True, "lookup", "S-1"),
        ("SUP-123", True, "lookup", "SUP-123"),
        ("]Q3010950600013435210LOT-1", True, "register_lot", ""),
        ("PL7:C:C-1", True, "reject", ""),
    ],
)
def test_scan_routes(text: str, logged_in: bool, action: str, identifier: str) -> None:
    route = route_scan(parse_payload(text), logged_in=logged_in)
    assert (route.action, route.identifier) == (action, identifier)


def test_rejected_route_keeps_reason() -> None:
    route = route_scan(parse_payload("PL7:C:C-1"), logged_in=True)
    assert "version 7 is not supported" in route.reason


def test_scan_from_plain_text_is_typed() -> None:
    scan = scan_from_result("PL1:C:C-1")
    assert scan.source == "typed"
    assert scan.identifier == "C-1"


def test_gs1_fields_for_registration() -> None:
    fields = supplier_fields(
        parse_payload("]Q3" + "0109506000134352" + "10LOT-4711" + "\x1d" + "15281200" + "3102001250")
    )
    assert fields.gtin == "09506000134352"
    assert fields.lot_number == "LOT-4711"
    assert fields.net_mass_kg == 12.5
    # Day 00 is the last day of the month in GS1 dates. A best-before date (15) replaces a missing use-by (17).
    assert fields.expiry_date == "2028-12-31"


def test_pin_lockout_after_five_failures() -> None:
    now = [100.0]
    attempts = PinAttempts(clock=lambda: now[0])
    for _ in range(4):
        attempts.record_failure("OP-1")
    assert attempts.locked_for_s("OP-1") == 0
    attempts.record_failure("OP-1")
    assert attempts.locked_for_s("OP-1") == 60
    assert attempts.locked_for_s("OP-2") == 0
    now[0] += 61
    assert attempts.locked_for_s("OP-1") == 0


def test_pin_success_forgets_failures() -> None:
    attempts = PinAttempts()
    attempts.record_failure("OP-1")
    attempts.record_success("OP-1")
    assert attempts.failures("OP-1") == 0


def test_background_tasks_report_in_order() -> None:
    outcomes: list[Outcome] = []
    threads: set[str] = set()

    def report(outcome: Outcome) -> None:
        threads.add(threading.current_thread().name)
        outcomes.append(outcome)

    tasks = BackgroundTasks(report, name="test-tasks")
    first = tasks.submit(lambda: 1)
    second = tasks.submit(lambda: 1 / 0)
    assert tasks.wait_idle(5)
    tasks.close()
    assert [outcome.token for outcome in outcomes] == [first, second]
    assert outcomes[0].result == 1
    assert isinstance(outcomes[1].error, ZeroDivisionError)
    assert threads == {"test-tasks"}
    with pytest.raises(RuntimeError, match="stopped"):
        tasks.submit(lambda: None)
