"""Shared test helpers: event bodies for hand-built histories and paths to bundled assets."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
DEMO_REFERENCE = ASSETS / "demo" / "reference.toml"
QR_CORPUS = ROOT.parent / "shared" / "qr-corpus"

OPERATOR = "OP-0001"
SUPERVISOR = "SV-0001"


def lot_body(
    lot_id: str,
    containers: dict[str, float],
    *,
    lot_number: str | None = None,
    origin: str = "virgin",
    grade: str = "TI64-G23",
    supplier: str = "Acme Powders",
) -> dict[str, Any]:
    """Return a lot_registered body with containers given as {container id: kg}."""
    return {
        "lot_id": lot_id,
        "lot_number": lot_number or f"SUP-{lot_id}",
        "supplier": supplier,
        "grade_id": grade,
        "grade_version": 1,
        "internal_code": f"IC-{lot_id}",
        "packaging_type": "steel drum",
        "material_origin": origin,
        "containers": [{"container_id": cid, "net_mass": kg, "unit": "kg"} for cid, kg in containers.items()],
    }


def exposure_body(
    container_id: str, *, rh: float = 30.0, temperature_c: float = 21.0, location: str = "Store A"
) -> dict[str, Any]:
    """Return a container_opened / container_resealed body."""
    return {
        "container_id": container_id,
        "storage_location": location,
        "humidity_control_active": True,
        "ambient_temperature_c": temperature_c,
        "relative_humidity_pct": rh,
    }


def transformation_body(
    step: str,
    inputs: list[tuple[str, str, float]],
    outputs: list[tuple[str, str, float, bool]],
    *,
    new_lots: list[str] = (),  # type: ignore[assignment]
    equipment_id: str = "BLEND-01",
    grade: str = "TI64-G23",
    **parameters: Any,
) -> dict[str, Any]:
    """Return a transformation body; inputs are (container, lot, kg), outputs (container, lot, kg, is new)."""
    return {
        "step": step,
        "equipment_id": equipment_id,
        "parameters": parameters,
        "inputs": [{"container_id": c, "lot_id": lot, "mass": kg, "unit": "kg"} for c, lot, kg in inputs],
        "outputs": [
            {"container_id": c, "lot_id": lot, "mass": kg, "unit": "kg", "is_new_container": new}
            for c, lot, kg, new in outputs
        ],
        "new_lots": [
            {
                "lot_id": lot,
                "grade_id": grade,
                "grade_version": 1,
                "internal_code": f"IC-{lot}",
                "packaging_type": "steel drum",
            }
            for lot in new_lots
        ],
    }


def sample_body(sample_id: str, lot_id: str, *, containers: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    """Return a sample_taken body using the demo thief method."""
    return {
        "sample_id": sample_id,
        "lot_id": lot_id,
        "container_ids": list(containers),
        "method_id": "SM-THIEF",
        "method_version": 2,
        "sample_location": "QC bench",
        "increments": 5,
        "compositing_rule": "equal-mass composite",
    }


def result_body(result_id: str, sample_id: str, lot_id: str, prop: str, value: float, unit: str) -> dict[str, Any]:
    """Return a result_recorded body."""
    return {
        "result_id": result_id,
        "sample_id": sample_id,
        "lot_id": lot_id,
        "property": prop,
        "value": value,
        "unit": unit,
        "method_id": "SM-THIEF",
        "method_version": 2,
    }


def decision_body(
    lot_id: str,
    decision: str,
    *,
    samples: list[str] = (),
    reason: str = "meets AR-AM-STD v2",
    conditions: str | None = None,
) -> dict[str, Any]:  # type: ignore[assignment]
    """Return a release_decision body signed by the demo supervisor."""
    body: dict[str, Any] = {
        "lot_id": lot_id,
        "decision": decision,
        "rule_id": "AR-AM-STD",
        "rule_version": 2,
        "approver_id": SUPERVISOR,
        "reason": reason,
        "sample_ids": list(samples),
        "result_ids": [],
    }
    if conditions:
        body["conditions"] = conditions
    return body


class FakeZplPrinter:
    """A Zebra printer stand-in: a TCP listener on 127.0.0.1 (a free port) that keeps each job it receives.

    Use as a context manager; ``jobs`` holds each connection's bytes once the sender closed it.
    ``port`` 0 picks a free port; a given port stands for a printer switched back on.
    """

    def __init__(self, port: int = 0) -> None:
        self._server = socket.create_server(("127.0.0.1", port))
        # accept() wakes up now and then to see whether the printer was closed.
        self._server.settimeout(0.1)
        self.port: int = self._server.getsockname()[1]
        self.jobs: list[bytes] = []
        self._received = threading.Condition()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-zpl-printer", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _address = self._server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5.0)
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
            with self._received:
                self.jobs.append(b"".join(chunks))
                self._received.notify_all()

    def wait_for_jobs(self, count: int, timeout_s: float = 5.0) -> list[bytes]:
        """Wait until ``count`` jobs arrived; return them (fails the test on timeout)."""
        with self._received:
            if not self._received.wait_for(lambda: len(self.jobs) >= count, timeout=timeout_s):
                raise AssertionError(
                    f"the fake printer received {len(self.jobs)} job(s) in {timeout_s} s, expected {count}"
                )
            return list(self.jobs)

    def close(self) -> None:
        self._closed.set()
        self._thread.join(2)
        self._server.close()

    def __enter__(self) -> FakeZplPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FakeCamera:
    """A camera stand-in for kiosk.scan capture tests (a FrameSource): plays given frames, can be unplugged.

    ``frame_for(index)`` gives frame number ``index`` (counting every read).
    While unplugged, open() raises SourceUnavailable and read() returns None,
    as OpenCV does for a vanished V4L2 device; ``freeze()`` makes every read
    return the last frame again, as a hung driver does.
    """

    def __init__(self, frame_for: Any, *, interval_s: float = 0.02) -> None:
        self.description = "fake camera"
        self.frame_for = frame_for
        self.interval_s = interval_s
        self.plugged_in = threading.Event()
        self.plugged_in.set()
        self.frozen = False
        self.opens = 0
        self.reads = 0
        self._last: Any = None

    def open(self) -> None:
        from kiosk.scan.sources import SourceUnavailable

        if not self.plugged_in.is_set():
            raise SourceUnavailable("fake camera is unplugged")
        self.opens += 1

    def read(self) -> Any:
        time.sleep(self.interval_s)
        if not self.plugged_in.is_set():
            return None
        if self.frozen and self._last is not None:
            return self._last.copy()
        self._last = self.frame_for(self.reads)
        self.reads += 1
        return self._last

    def close(self) -> None:
        pass

    def unplug(self) -> None:
        self.plugged_in.clear()

    def plug_in(self) -> None:
        self.plugged_in.set()

    def freeze(self, frozen: bool = True) -> None:
        self.frozen = frozen
