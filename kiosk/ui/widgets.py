"""Touch widgets: big buttons, form fields that open a keypad, choice grids, messages, the scan flash."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QScroller,
    QScrollerProperties,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.taps import DEBOUNCE_PROPERTY, KEY_DEBOUNCE_MS
from kiosk.ui.theme import ACCEPTED, REJECTED

SCROLL_PRESS_DELAY_S = 0.12


def restyle(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property that it selects on has changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class TouchButton(QPushButton):
    """A push button sized for a gloved finger; never takes keyboard focus, so Enter cannot press it.

    ``role`` selects its colour in the style sheet: primary, danger, secondary, field or key.
    """

    def __init__(self, text: str = "", *, role: str = "", object_name: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAutoRepeat(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        if role:
            self.setProperty("role", role)
        if role == "key":
            self.setProperty(DEBOUNCE_PROPERTY, KEY_DEBOUNCE_MS)
        if object_name:
            self.setObjectName(object_name)

    def set_role(self, role: str) -> None:
        """Change the colour role and restyle."""
        self.setProperty("role", role)
        restyle(self)


class FieldButton(TouchButton):
    """A form field: shows "Caption: value" and is tapped to edit it on the keypad or keyboard.

    A field marked missing gets a red border until it has a value.
    """

    def __init__(self, caption: str, *, object_name: str = "", parent: QWidget | None = None):
        super().__init__(role="field", object_name=object_name, parent=parent)
        self._caption = caption
        self._value = ""
        self._placeholder = ""
        self._refresh()

    @property
    def value(self) -> str:
        """The text shown as the field's value."""
        return self._value

    def set_value(self, value: str, *, placeholder: str = "") -> None:
        """Show a value (or a placeholder in brackets when it is empty)."""
        self._value = value
        self._placeholder = placeholder
        self._refresh()

    def set_missing(self, missing: bool) -> None:
        """Mark the field as required and empty."""
        self.setProperty("missing", "true" if missing else "false")
        restyle(self)

    def _refresh(self) -> None:
        if self._value:
            shown = self._value
        elif self._placeholder:
            shown = f"[{self._placeholder}]"
        else:
            shown = "—"
        self.setText(f"{self._caption}: {shown}")


class ChoiceGrid(QWidget):
    """A grid of exclusive choice buttons.

    Signals:
        chosen(object): the key of the tapped choice.
    """

    chosen = Signal(object)

    def __init__(self, *, columns: int, parent: QWidget | None = None):
        super().__init__(parent)
        self._columns = columns
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._buttons: dict[Any, TouchButton] = {}

    def set_choices(self, choices: Sequence[tuple[Any, str]], *, object_prefix: str = "choice") -> None:
        """Replace the choices with (key, caption) pairs."""
        for button in self._buttons.values():
            self._layout.removeWidget(button)
            button.deleteLater()
        self._buttons = {}
        for index, (key, caption) in enumerate(choices):
            button = TouchButton(caption, object_name=f"{object_prefix}-{key}")
            button.setCheckable(True)
            button.clicked.connect(lambda _checked=False, chosen_key=key: self._on_button_clicked(chosen_key))
            self._layout.addWidget(button, index // self._columns, index % self._columns)
            self._buttons[key] = button

    def select(self, key: Any) -> None:
        """Show `key` as the chosen one (without emitting `chosen`)."""
        for button_key, button in self._buttons.items():
            button.setChecked(button_key == key)

    def button(self, key: Any) -> TouchButton:
        """Return the button of a choice."""
        return self._buttons[key]

    def _on_button_clicked(self, key: Any) -> None:
        self.select(key)
        self.chosen.emit(key)


class MessageBar(QLabel):
    """One line under the status bar with the last outcome: green, red, amber or neutral."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.show_message("", "info")

    def show_message(self, text: str, level: str) -> None:
        """Show `text`; level is accepted, rejected, warning or info."""
        self.setText(text)
        self.setProperty("level", level)
        self.setVisible(bool(text))
        restyle(self)


class FlashOverlay(QWidget):
    """A full-window colour flash with a short text, shown on every scan: green accepted, red rejected."""

    FLASH_MS = 900

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._colour = QColor(ACCEPTED)
        self._text = ""
        self._label = QLabel(self)
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._label.setWordWrap(True)
        self._label.setProperty("role", "big")
        self._label.setStyleSheet("background: transparent; color: #ffffff;")
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self.hide)
        self.hide()

    @property
    def last_text(self) -> str:
        """The text of the latest flash (kept after it fades, for tests and logs)."""
        return self._text

    @property
    def last_accepted(self) -> bool:
        """Whether the latest flash was the accepted colour."""
        return self._colour == QColor(ACCEPTED)

    def flash(self, *, accepted: bool, text: str) -> None:
        """Cover the window with the colour and text for a moment; the window stays usable underneath."""
        self._colour = QColor(ACCEPTED if accepted else REJECTED)
        self._text = text
        self._label.setText(text)
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self._label.setGeometry(self.rect().adjusted(16, 16, -16, -16))
        self.raise_()
        self.show()
        self._hide_timer.start(self.FLASH_MS)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        colour = QColor(self._colour)
        colour.setAlpha(215)
        painter.fillRect(self.rect(), colour)


def scroll_panel(content: QWidget) -> QScrollArea:
    """Wrap `content` in a scroll area that scrolls by dragging a finger (kinetic), no scroll bar needed."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    scroller = QScroller.scroller(area.viewport())
    properties = scroller.scrollerProperties()
    # A press inside the area waits this long (Qt's default: 0.25 s) to see whether it starts a drag,
    # before it reaches the button under it. A shorter wait keeps taps feeling immediate.
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.MousePressEventDelay, SCROLL_PRESS_DELAY_S)
    scroller.setScrollerProperties(properties)
    return area


def title_label(text: str) -> QLabel:
    """Return a screen title."""
    label = QLabel(text)
    label.setProperty("role", "title")
    label.setWordWrap(True)
    return label


def text_label(text: str = "", *, role: str = "", object_name: str = "") -> QLabel:
    """Return a wrapping body-text label."""
    label = QLabel(text)
    label.setWordWrap(True)
    if role:
        label.setProperty("role", role)
    if object_name:
        label.setObjectName(object_name)
    return label


def vbox(*widgets: QWidget, spacing: int = 6) -> QWidget:
    """Return a widget stacking `widgets` vertically."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    for widget in widgets:
        layout.addWidget(widget)
    return holder


def clear_layout(layout: QLayout, *, keep_last: int = 0) -> None:
    """Remove and delete the widgets of a layout, except its last `keep_last` items (a stretch, say)."""
    while layout.count() > keep_last:
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


def connect_tap(button: QPushButton, handler: Callable[[], None]) -> None:
    """Call `handler()` on each tap of `button` (drops Qt's `checked` argument)."""
    button.clicked.connect(lambda _checked=False: handler())
