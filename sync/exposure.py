"""Exposure windows of a container: each open -> reseal span, time open and time above the humidity limit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sync.records import Event


@dataclass
class ExposureWindow:
    """One span during which a container stood open."""

    container_id: str
    opened_event_id: str
    opened_utc_us: int
    opened_at: str
    relative_humidity_open_pct: float
    ambient_temperature_open_c: float
    storage_location: str
    humidity_control_active: bool
    resealed_event_id: str | None = None
    resealed_utc_us: int | None = None
    resealed_at: str | None = None
    relative_humidity_reseal_pct: float | None = None
    open_s: float = 0.0
    above_rh_limit_s: float = 0.0
    exceeds_max_open: bool = False

    @property
    def is_open(self) -> bool:
        return self.resealed_event_id is None


@dataclass
class ContainerExposure:
    """A container's windows and totals."""

    container_id: str
    windows: list[ExposureWindow] = field(default_factory=list)
    # Reseals with no open window before them (recorded at two stations offline, say).
    unmatched_reseal_event_ids: list[str] = field(default_factory=list)

    @property
    def cumulative_open_s(self) -> float:
        return sum(window.open_s for window in self.windows)

    @property
    def above_rh_limit_s(self) -> float:
        return sum(window.above_rh_limit_s for window in self.windows)

    @property
    def is_open(self) -> bool:
        return bool(self.windows) and self.windows[-1].is_open


def seconds_above_limit(duration_s: float, rh_start: float, rh_end: float, limit: float | None) -> float:
    """Return the seconds a window spent above a relative-humidity limit.

    Humidity is taken to change linearly from the reading at opening to the
    reading at resealing, so a window that crosses the limit counts only the
    share of its time past the crossing.
    """
    if limit is None or duration_s <= 0:
        return 0.0
    if rh_start <= limit and rh_end <= limit:
        return 0.0
    if rh_start > limit and rh_end > limit:
        return duration_s
    if rh_start > limit:
        return duration_s * (rh_start - limit) / (rh_start - rh_end)
    return duration_s * (rh_end - limit) / (rh_end - rh_start)


def container_exposure(
    container_id: str,
    events: Iterable[Event],
    *,
    now_utc_us: int,
    max_open_minutes: float | None,
    rh_limit_pct: float | None,
) -> ContainerExposure:
    """Fold a container's open and reseal events (time order, voided ones left out) into windows.

    A second open while a window is open is ignored (the first open counts); a
    reseal with no open window is listed as unmatched.
    """
    exposure = ContainerExposure(container_id)
    current: ExposureWindow | None = None
    for event in events:
        if event.kind not in ("container_opened", "container_resealed"):
            continue
        body: dict[str, Any] = event.body
        if body.get("container_id") != container_id:
            continue
        if event.kind == "container_opened":
            if current is None:
                current = _open_window(container_id, event, body)
                exposure.windows.append(current)
            continue
        if current is None:
            exposure.unmatched_reseal_event_ids.append(event.event_id)
            continue
        current.resealed_event_id = event.event_id
        current.resealed_utc_us = event.occurred_utc_us
        current.resealed_at = event.occurred_at
        current.relative_humidity_reseal_pct = float(body["relative_humidity_pct"])
        current = None

    for window in exposure.windows:
        end_us = window.resealed_utc_us if window.resealed_utc_us is not None else now_utc_us
        window.open_s = max(end_us - window.opened_utc_us, 0) / 1e6
        rh_end = window.relative_humidity_reseal_pct
        if rh_end is None:
            rh_end = window.relative_humidity_open_pct
        window.above_rh_limit_s = seconds_above_limit(
            window.open_s, window.relative_humidity_open_pct, rh_end, rh_limit_pct
        )
        window.exceeds_max_open = max_open_minutes is not None and window.open_s > max_open_minutes * 60
    return exposure


def _open_window(container_id: str, event: Event, body: dict[str, Any]) -> ExposureWindow:
    return ExposureWindow(
        container_id=container_id,
        opened_event_id=event.event_id,
        opened_utc_us=event.occurred_utc_us,
        opened_at=event.occurred_at,
        relative_humidity_open_pct=float(body["relative_humidity_pct"]),
        ambient_temperature_open_c=float(body["ambient_temperature_c"]),
        storage_location=body["storage_location"],
        humidity_control_active=bool(body["humidity_control_active"]),
    )
