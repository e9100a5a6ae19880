"""Label content: the payload its QR code carries and the human-readable lines beside it, read from the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.labels.errors import LabelError
from kiosk.labels.layout import IdentifierLine
from kiosk.scan.payloads import (
    InvalidLabelRequest,
    RejectedLabelPayload,
    format_label_payload,
    identifier_in_store,
)
from sync.errors import NotFound
from sync.lineage import container_state, resolve
from sync.models import Lot, Sample
from sync.reference import Grade

LABEL_KINDS = ("container", "lot", "sample")


@dataclass(frozen=True)
class LabelContent:
    """A label's kind, the identifier its code names, the payload and the text lines (identifier first).

    Lines that are an IdentifierLine (a container id, a lot number) are
    printed whole, like the first line; the others may be shortened.
    """

    kind: str
    identifier: str
    payload: str
    lines: tuple[str, ...]


def make_label_content(
    kind: str, identifier: str, lines: list[str], *, resolver_base: str | None = None
) -> LabelContent:
    """Build a label's content; the payload comes from the scanner's own label format.

    Raises LabelError when the kind, identifier or resolver base cannot make a payload.
    """
    try:
        payload = format_label_payload(kind, identifier, resolver_base=resolver_base or None)
    except InvalidLabelRequest as error:
        raise LabelError(str(error)) from error
    return LabelContent(kind, identifier, payload, (identifier, *lines))


def lookup_identifier(query: str) -> str:
    """Return the id to look up for a typed id or a scanned label payload (``PL1:C:C-1`` gives ``C-1``).

    Raises LabelError for a payload that names no container, lot or sample, such as an operator badge.
    """
    try:
        return identifier_in_store(query)
    except RejectedLabelPayload as error:
        raise LabelError(str(error)) from error


def read_label_content(query: str, *, station_id: str, today: date, resolver_base: str | None = None) -> LabelContent:
    """Look up a container (by id or any of its labels), lot (id or lot number) or sample; return its label.

    ``query`` may also be a scanned label payload. A container's label carries
    its current label, so reprinting from an earlier label gives the sticker
    the container wears now. Run inside ``store.reading()``. Raises NotFound
    or Ambiguous (from sync.lineage) and LabelError.
    """
    resolved = resolve(lookup_identifier(query))
    footer = f"{today.isoformat()} · {station_id}"
    if resolved.container_id is not None:
        state = container_state(resolved.container_id)
        if state is None:
            raise NotFound(f"container {resolved.container_id!r} is not registered")
        lines: list[str] = []
        if state.current_label != state.container_id:
            # The id often differs from another drum's only at its end, such as -D01 and -D02.
            lines.append(IdentifierLine(f"Container {state.container_id}"))
        lines += [IdentifierLine(f"Lot {_lot_number(state.lot_id)}"), _grade_line(state.lot_id), footer]
        return make_label_content("container", state.current_label, lines, resolver_base=resolver_base)
    if resolved.sample_id is not None:
        sample = Sample.get(Sample.sample_id == resolved.sample_id)
        lines = [IdentifierLine(f"Sample of lot {_lot_number(sample.lot_id)}"), _grade_line(sample.lot_id), footer]
        return make_label_content("sample", resolved.sample_id, lines, resolver_base=resolver_base)
    return make_label_content("lot", resolved.lot_id, _lot_lines(resolved.lot_id, footer), resolver_base=resolver_base)


def _lot_lines(lot_id: str, footer: str) -> list[str]:
    lot = Lot.get_or_none(Lot.lot_id == lot_id)
    if lot is None:
        raise NotFound(f"lot {lot_id!r} is not registered")
    lines: list[str] = []
    if lot.lot_number != lot_id:
        lines.append(IdentifierLine(f"Lot no. {lot.lot_number}"))
    if lot.supplier:
        lines.append(lot.supplier)
    return [*lines, _grade_line(lot_id), footer]


def _lot_number(lot_id: str) -> str:
    lot = Lot.get_or_none(Lot.lot_id == lot_id)
    return lot_id if lot is None else str(lot.lot_number)


def _grade_line(lot_id: str) -> str:
    lot = Lot.get_or_none(Lot.lot_id == lot_id)
    if lot is None:
        return "Grade unknown"
    grade = Grade.get_or_none((Grade.grade_id == lot.grade_id) & (Grade.version == lot.grade_version))
    return str(grade.name) if grade is not None else f"Grade {lot.grade_id}"


def station_today(time_zone: str = "") -> date:
    """Return today's date in the station's time zone (the machine's zone when empty).

    Raises LabelError for a zone name that is not in the IANA database.
    """
    if not time_zone:
        return datetime.now().astimezone().date()
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise LabelError(f"time_zone {time_zone!r} is not an IANA zone name such as Europe/Berlin") from error
    return datetime.now(zone).date()
