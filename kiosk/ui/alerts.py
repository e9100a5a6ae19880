"""Exposure warnings for the container screen: open too long, or humidity above the grade's limit.

No Qt here; `kiosk.ui.texts` words each warning.
"""

from __future__ import annotations

from dataclasses import dataclass

# Warn ahead of the limit, so the operator can reseal before it is broken.
NEAR_LIMIT_SHARE = 0.8


@dataclass(frozen=True)
class ExposureWarning:
    """One warning; ``code`` is open_too_long, open_near_limit or humidity_above_limit.

    For the open-time codes ``value`` and ``limit`` are seconds; for humidity, percent RH.
    """

    code: str
    value: float
    limit: float

    @property
    def is_severe(self) -> bool:
        """Whether a limit is already broken (red), not only approached (amber)."""
        return self.code != "open_near_limit"


def open_seconds(opened_utc_us: int | None, now_utc_us: int) -> float:
    """Return how long a container has stood open, in seconds (0 when sealed)."""
    if opened_utc_us is None:
        return 0.0
    return max(now_utc_us - opened_utc_us, 0) / 1e6


def exposure_warnings(
    *,
    is_open: bool,
    open_s: float,
    max_open_minutes: float | None,
    relative_humidity_pct: float | None,
    rh_limit_pct: float | None,
) -> list[ExposureWarning]:
    """Return the warnings for a container's current window and its last humidity reading."""
    warnings: list[ExposureWarning] = []
    if is_open and max_open_minutes is not None:
        limit_s = max_open_minutes * 60
        if open_s > limit_s:
            warnings.append(ExposureWarning("open_too_long", open_s, limit_s))
        elif open_s >= NEAR_LIMIT_SHARE * limit_s:
            warnings.append(ExposureWarning("open_near_limit", open_s, limit_s))
    if relative_humidity_pct is not None and rh_limit_pct is not None and relative_humidity_pct > rh_limit_pct:
        warnings.append(ExposureWarning("humidity_above_limit", relative_humidity_pct, rh_limit_pct))
    return warnings


def format_clock_duration(seconds: float) -> str:
    """Format seconds as ``H:MM:SS`` for the live counter (hours grow past 24)."""
    whole = max(int(seconds), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
