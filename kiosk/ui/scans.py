"""What the screens get from a scan, and where a scan goes when the current screen does not take it.

No Qt here. The scanning pipeline (camera or handheld scanner) hands over a
result carrying a parsed payload (`kiosk.scan.payloads`); `scan_from_result`
is the one place that depends on the pipeline's result shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.scan.gs1 import parse_gs1_date
from kiosk.scan.payloads import (
    Gs1Data,
    LabelKind,
    Payload,
    ProjectLabel,
    RejectedPayload,
    SupplierLotNumber,
    escape_for_message,
    parse_payload,
)


@dataclass(frozen=True)
class Scan:
    """One scan: its parsed payload and where it came from (camera, wedge or typed)."""

    payload: Payload
    source: str

    @property
    def shown_text(self) -> str:
        """The scanned text for messages: quoted, control characters escaped, cut short."""
        return escape_for_message(self.payload.text)

    @property
    def identifier(self) -> str | None:
        """The id a project label or a plain lot number carries, else None."""
        if isinstance(self.payload, ProjectLabel):
            return self.payload.identifier
        if isinstance(self.payload, SupplierLotNumber):
            return self.payload.lot_number
        return None


def scan_from_result(result: Any) -> Scan:
    """Return the Scan for a result of the scanning pipeline (or a bare Payload, or a text typed in)."""
    if isinstance(result, Scan):
        return result
    if isinstance(result, Payload):
        return Scan(result, "camera")
    if isinstance(result, str):
        return Scan(parse_payload(result), "typed")
    payload = getattr(result, "payload", None)
    source = str(getattr(result, "source", "camera"))
    if isinstance(payload, Payload):
        return Scan(payload, source)
    text = getattr(result, "text", None)
    if isinstance(text, str):
        return Scan(parse_payload(text), source)
    return Scan(RejectedPayload(repr(result)[:80], "the scanner delivered no text"), source)


@dataclass(frozen=True)
class Route:
    """The destination of a scan: ``action`` is log_in, container, lookup, register_lot or reject.

    ``identifier`` is the badge, container or id to look up; ``reason`` is set for reject.
    """

    action: str
    identifier: str = ""
    reason: str = ""


def route_scan(payload: Payload, *, logged_in: bool) -> Route:
    """Decide where a scan goes when the current screen does not take it."""
    if isinstance(payload, RejectedPayload):
        return Route("reject", reason=payload.reason)
    if isinstance(payload, ProjectLabel) and payload.label_kind == LabelKind.OPERATOR_BADGE:
        return Route("log_in", payload.identifier)
    if not logged_in:
        return Route("reject", reason="log_in_first")
    if isinstance(payload, ProjectLabel):
        if payload.label_kind == LabelKind.CONTAINER:
            return Route("container", payload.identifier)
        return Route("lookup", payload.identifier)
    if isinstance(payload, Gs1Data):
        return Route("register_lot")
    if isinstance(payload, SupplierLotNumber):
        # A plain code may be an old container label, a lot or sample id, or a supplier lot number.
        return Route("lookup", payload.lot_number)
    return Route("reject", reason="unknown")


@dataclass(frozen=True)
class SupplierFields:
    """Identity fields a supplier's GS1 label prefills when registering a lot."""

    gtin: str | None = None
    lot_number: str | None = None
    production_date: str | None = None
    expiry_date: str | None = None
    net_mass_kg: float | None = None


def supplier_fields(payload: Payload) -> SupplierFields:
    """Return the lot fields a supplier's label carries: GTIN (01), lot (10), dates (11, 17), net mass (310n)."""
    if isinstance(payload, SupplierLotNumber):
        return SupplierFields(lot_number=payload.lot_number)
    if not isinstance(payload, Gs1Data):
        return SupplierFields()
    net_mass_kg = None
    for element in payload.elements:
        if element.ai.startswith("310") and len(element.ai) == 4:
            decimals = int(element.ai[3])
            net_mass_kg = int(element.value) / 10**decimals
            break
    return SupplierFields(
        gtin=payload.gtin,
        lot_number=payload.batch_lot,
        production_date=_gs1_date(payload.value("11")),
        expiry_date=_gs1_date(payload.value("17")) or _gs1_date(payload.value("15")),
        net_mass_kg=net_mass_kg,
    )


def _gs1_date(value: str | None) -> str | None:
    """Turn a GS1 YYMMDD date into YYYY-MM-DD, or None."""
    if value is None:
        return None
    parsed = parse_gs1_date(value)
    return parsed.isoformat() if parsed is not None else None
