"""Label options read from the station settings: size, resolution and QR robustness, and the layout of PDF sheets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kiosk.labels.errors import InvalidLabelOptions, InvalidLabelSize, LabelError
from kiosk.labels.qr import MIN_QUIET_ZONE_MODULES, check_error_correction
from kiosk.labels.sizes import STANDARD_SIZES, LabelSize, Paper, available_sizes, find_paper, find_size, parse_size

MIN_DPI = 100
MAX_DPI = 1200
MAX_QUIET_ZONE_MODULES = 20


@dataclass(frozen=True)
class LabelOptions:
    """One label's size, printer resolution and QR settings.

    ``min_module_dots`` and ``min_module_mm`` are the smallest QR module the
    printer prints reliably and a camera reads; layouts that need smaller
    modules are rejected with LabelTooSmall.
    """

    size: LabelSize
    dpi: int
    error_correction: str = "Q"
    quiet_zone_modules: int = MIN_QUIET_ZONE_MODULES
    min_module_dots: int = 3
    min_module_mm: float = 0.25
    # Every stock the station has, to name the smallest that works when a size is too small.
    known_sizes: tuple[LabelSize, ...] = field(default=STANDARD_SIZES, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "error_correction", check_error_correction(self.error_correction))
        if not MIN_DPI <= self.dpi <= MAX_DPI:
            raise InvalidLabelOptions(f"printer resolution {self.dpi} dpi is out of range; use {MIN_DPI} to {MAX_DPI}")
        if not MIN_QUIET_ZONE_MODULES <= self.quiet_zone_modules <= MAX_QUIET_ZONE_MODULES:
            raise InvalidLabelOptions(
                f"QR quiet zone of {self.quiet_zone_modules} modules is out of range; "
                f"use {MIN_QUIET_ZONE_MODULES} to {MAX_QUIET_ZONE_MODULES} (scanners need at least 4)"
            )
        if not 1 <= self.min_module_dots <= 20:
            raise InvalidLabelOptions(f"minimum QR module of {self.min_module_dots} dots is out of range; use 1 to 20")
        if not 0 <= self.min_module_mm <= 2:
            raise InvalidLabelOptions(f"minimum QR module of {self.min_module_mm} mm is out of range; use 0 to 2")

    @classmethod
    def from_config(
        cls,
        config: Any,
        *,
        size: str | None = None,
        dpi: int | None = None,
        error_correction: str | None = None,
    ) -> LabelOptions:
        """Build options from the station settings (``label_*`` keys); arguments override them.

        Raises LabelError naming the setting or value that is invalid.
        """
        custom = _custom_sizes(config.label_custom_sizes)
        return cls(
            size=find_size(size or config.label_size, custom),
            dpi=dpi if dpi is not None else config.label_dpi,
            error_correction=error_correction or config.label_error_correction,
            quiet_zone_modules=config.label_quiet_zone_modules,
            min_module_dots=config.label_min_module_dots,
            min_module_mm=float(config.label_min_module_mm),
            known_sizes=tuple(available_sizes(custom)),
        )


@dataclass(frozen=True)
class SheetOptions:
    """Sheet layout for office printers: the paper, its margins and the gap between labels, in mm."""

    paper: Paper
    margin_mm: float = 10.0
    gap_mm: float = 3.0

    def __post_init__(self) -> None:
        if not 0 <= self.margin_mm <= 50:
            raise InvalidLabelOptions(f"sheet margin of {self.margin_mm} mm is out of range; use 0 to 50")
        if not 0 <= self.gap_mm <= 50:
            raise InvalidLabelOptions(f"gap between labels of {self.gap_mm} mm is out of range; use 0 to 50")

    @classmethod
    def from_config(cls, config: Any, *, paper: str | None = None) -> SheetOptions:
        """Build sheet options from the ``label_sheet_*`` settings; ``paper`` overrides the configured one."""
        return cls(
            paper=find_paper(paper or config.label_sheet_paper),
            margin_mm=float(config.label_sheet_margin_mm),
            gap_mm=float(config.label_sheet_gap_mm),
        )


def _custom_sizes(values: Iterable[Any]) -> list[str]:
    """Return the configured custom sizes, each checked, or raise LabelError naming the setting."""
    sizes = []
    for value in values:
        if not isinstance(value, str):
            raise LabelError(f'label_custom_sizes entry {value!r} must be a string such as "70x40"')
        try:
            parse_size(value)
        except InvalidLabelSize as error:
            raise InvalidLabelSize(f"label_custom_sizes: {error}") from error
        sizes.append(value)
    return sizes
