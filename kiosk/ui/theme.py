"""Sizes and colours of the touch UI: touch targets in millimetres, text in points, one high-contrast style sheet."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtGui import QFont, QScreen
from PySide6.QtWidgets import QApplication

MM_PER_INCH = 25.4

# Colour pairs chosen for a contrast ratio of at least 7:1 (WCAG AAA) against their background.
TEXT = "#000000"
BACKGROUND = "#f2f2f2"
PANEL = "#ffffff"
BUTTON = "#0b3d91"
BUTTON_TEXT = "#ffffff"
BUTTON_DOWN = "#072a66"
PRIMARY = "#0b5d1e"
DANGER = "#9b0000"
DISABLED = "#8a8a8a"
ACCEPTED = "#0b7a24"
REJECTED = "#b00000"
WARNING = "#ffcc00"
WARNING_TEXT = "#000000"
MUTED_TEXT = "#333333"
# The window height the layouts are drawn for at scale 1.
LAYOUT_HEIGHT_PX = 600
BORDER_PX = 2
PADDING_V_PX = 2
PADDING_H_PX = 8


@dataclass(frozen=True)
class Metrics:
    """Pixel sizes for one screen, derived from millimetres and points."""

    px_per_mm: float
    touch_target_px: int
    body_font_pt: float
    title_font_pt: float
    spacing_px: int
    # How much larger than the 800x480 layout text and targets are drawn (1.0 or more).
    scale: float = 1.0

    @property
    def touch_target_mm(self) -> float:
        """The touch target's side in millimetres on this screen."""
        return self.touch_target_px / self.px_per_mm


def screen_px_per_mm(screen: QScreen | None, configured_px_per_mm: float) -> float:
    """Return the screen's pixel density: the configured value when set, else what the screen reports.

    Many small HDMI and DSI panels report no physical size or a wrong one, so a
    station can set ``ui_screen_px_per_mm`` (the official 7-inch Raspberry Pi
    display, 800 px across 154.08 mm, has about 5.19).
    """
    if configured_px_per_mm > 0:
        return configured_px_per_mm
    if screen is None:
        return 96 / MM_PER_INCH
    dpi = screen.physicalDotsPerInch()
    # A reported density below 50 dpi or above 600 dpi is a panel reporting no real size.
    if not 50 <= dpi <= 600:
        dpi = 96.0
    return dpi / MM_PER_INCH


def make_metrics(px_per_mm: float, *, touch_target_mm: float, body_font_pt: float, scale: float = 1.0) -> Metrics:
    """Return the metrics for a screen density and scale.

    Targets round up, so they are never below the size asked; a scale above 1
    only makes text and targets larger.
    """
    scale = max(scale, 1.0)
    return Metrics(
        px_per_mm=px_per_mm,
        touch_target_px=math.ceil(touch_target_mm * px_per_mm * scale),
        body_font_pt=round(body_font_pt * scale, 1),
        title_font_pt=round(body_font_pt * scale * 1.25, 1),
        spacing_px=max(4, round(1.5 * px_per_mm * scale)),
        scale=scale,
    )


def fitting_scale(window_height_px: int, configured_scale: float) -> float:
    """Return the scale for a window: the configured one, or with 0, one step up per 600 pixels of height.

    The layouts are made for 480 to 600 pixels. A 1080-pixel screen gets 1.8,
    so that text and targets fill it instead of leaving half of it empty.
    """
    if configured_scale > 0:
        return configured_scale
    return max(1.0, round(window_height_px / LAYOUT_HEIGHT_PX, 2))


def apply_theme(app: QApplication, metrics: Metrics) -> None:
    """Set the application font and style sheet for these metrics."""
    font = QFont(app.font())
    font.setPointSizeF(metrics.body_font_pt)
    app.setFont(font)
    app.setStyleSheet(style_sheet(metrics))


def style_sheet(metrics: Metrics) -> str:
    """Return the kiosk's style sheet: big flat buttons, strong colours, no hover-only states."""
    target = metrics.touch_target_px
    body = metrics.body_font_pt
    title = metrics.title_font_pt
    # Style-sheet min-width and min-height size the content box, inside padding and border,
    # so they are set to what makes the whole button exactly the touch target.
    inner_height = target - 2 * BORDER_PX - 2 * PADDING_V_PX
    inner_width = target - 2 * BORDER_PX - 2 * PADDING_H_PX
    key_inner = target - 2 * BORDER_PX
    edit_height = round(target * 0.5)
    return f"""
QWidget {{ color: {TEXT}; background: {BACKGROUND}; font-size: {body}pt; }}
QLabel[role="title"] {{ font-size: {title}pt; font-weight: bold; }}
QLabel[role="muted"] {{ color: {MUTED_TEXT}; }}
QLabel[role="big"] {{ font-size: {title * 1.6}pt; font-weight: bold; }}
QLabel[role="panel"], QFrame[role="panel"] {{ background: {PANEL}; border: 2px solid #b0b0b0; padding: 4px; }}
QLabel[level="warning"] {{ background: {WARNING}; color: {WARNING_TEXT}; padding: 4px; font-weight: bold; }}
QLabel[level="severe"] {{ background: {REJECTED}; color: #ffffff; padding: 4px; font-weight: bold; }}
QLabel[level="accepted"] {{ background: {ACCEPTED}; color: #ffffff; padding: 4px; }}
QLabel[level="rejected"] {{ background: {REJECTED}; color: #ffffff; padding: 4px; }}
QLabel[level="info"] {{ background: #dde6f5; color: {TEXT}; padding: 4px; }}
QPushButton {{
    min-height: {inner_height}px; min-width: {inner_width}px;
    background: {BUTTON}; color: {BUTTON_TEXT}; border: {BORDER_PX}px solid #000000; border-radius: 6px;
    padding: {PADDING_V_PX}px {PADDING_H_PX}px; font-size: {body}pt; font-weight: bold;
}}
QPushButton:pressed, QPushButton:checked {{ background: {BUTTON_DOWN}; border-color: {WARNING}; }}
QPushButton:disabled {{ background: {DISABLED}; color: #ffffff; }}
QPushButton[role="primary"] {{ background: {PRIMARY}; }}
QPushButton[role="danger"] {{ background: {DANGER}; }}
QPushButton[role="secondary"] {{ background: #ffffff; color: {TEXT}; }}
QPushButton[role="field"] {{ background: {PANEL}; color: {TEXT}; text-align: left; font-weight: normal; }}
QPushButton[role="field"][missing="true"] {{ border: 3px solid {REJECTED}; }}
QPushButton[role="key"] {{
    background: #ffffff; color: {TEXT}; font-size: {title}pt; border-radius: 2px;
    padding: 0px; min-width: {key_inner}px; min-height: {key_inner}px;
}}
QPushButton[role="key"]:pressed {{ background: {WARNING}; }}
QLineEdit {{ background: {PANEL}; border: {BORDER_PX}px solid #000000; min-height: {edit_height}px; font-size: {title}pt; }}
QScrollArea {{ border: none; }}
QScrollBar:vertical {{ width: {round(metrics.px_per_mm * 6)}px; }}
QListWidget {{ background: {PANEL}; border: 2px solid #b0b0b0; }}
QListWidget::item {{ min-height: {target}px; border-bottom: 1px solid #c0c0c0; }}
QListWidget::item:selected {{ background: {BUTTON}; color: {BUTTON_TEXT}; }}
#statusBar, #statusBar QLabel {{ background: #1a1a1a; color: #ffffff; }}
#statusBar QLabel[level="rejected"] {{ background: {REJECTED}; color: #ffffff; padding: 0px 2px; }}
#statusBar QLabel[level="warning"] {{ background: {WARNING}; color: {WARNING_TEXT}; padding: 0px 2px; }}
"""
