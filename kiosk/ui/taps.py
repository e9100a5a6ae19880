"""One tap is one action: an application-wide filter that drops the second press of a doubled tap.

Some touch screens deliver one touch twice: as a touch that Qt turns into a
mouse press, and as a mouse press the system synthesised on its own. A worn
switch or a glove can also bounce a confirm button. Both arrive as a second
press within a few milliseconds to a few hundred milliseconds of the first.

The filter looks at the previous accepted press: a press that comes within
that press's debounce window is dropped, with its release and any double
click. Action buttons get a long window (``ui_tap_debounce_ms``), so that a
bounce cannot hit the next screen's button that appears under the finger.
Keypad keys get a short one (``KEY_DEBOUNCE_MS``), so that "11" can still be typed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

# Property set on a widget (or an ancestor) to give its presses their own debounce window.
DEBOUNCE_PROPERTY = "tapDebounceMs"
# Long enough for a touch and its doubled mouse press (a few ms apart), shorter
# than a person's fastest double tap on one key (about 100 ms).
KEY_DEBOUNCE_MS = 70

_PRESS_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)


class TapFilter(QObject):
    """Drops mouse presses that follow the previous accepted press too closely; counts taps.

    Install on the QApplication. ``taps`` counts accepted presses (for the
    taps-per-flow figures) and ``dropped`` the presses it swallowed. ``clock``
    returns seconds (time.monotonic by default).
    """

    def __init__(self, *, debounce_ms: int, clock: Callable[[], float] = time.monotonic, parent: QObject | None = None):
        super().__init__(parent)
        self.debounce_ms = debounce_ms
        self.clock = clock
        self._last_press_s: float | None = None
        self._last_window_ms = 0
        self._swallow_release = False
        self.taps = 0
        self.dropped = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A press reaches the filter once for the window, once for the widget
        # under it and again for each parent it propagates to. Only the
        # widget's spontaneous delivery is the physical press.
        if not isinstance(watched, QWidget) or not event.spontaneous():
            return False
        event_type = event.type()
        if event_type in _PRESS_EVENTS:
            return self._on_press(watched)
        if event_type == QEvent.Type.MouseButtonRelease and self._swallow_release:
            self._swallow_release = False
            return True
        return False

    def _on_press(self, widget: QWidget) -> bool:
        now = self.clock()
        if self._last_press_s is not None and (now - self._last_press_s) * 1000 < self._last_window_ms:
            self.dropped += 1
            self._swallow_release = True
            log.debug(
                "Dropped a doubled tap on %s, %.0f ms after the previous one",
                widget.objectName() or type(widget).__name__,
                (now - self._last_press_s) * 1000,
            )
            return True
        self._last_press_s = now
        self._last_window_ms = self._window_ms(widget)
        self._swallow_release = False
        self.taps += 1
        return False

    def _window_ms(self, widget: QWidget) -> int:
        current: QWidget | None = widget
        while current is not None:
            value = current.property(DEBOUNCE_PROPERTY)
            if value is not None:
                return int(value)
            current = current.parentWidget()
        return self.debounce_ms


class IdleWatcher(QObject):
    """Calls `on_activity` on every press, touch or key, so the idle log-out timer restarts.

    Install on the QApplication; it never swallows an event.
    """

    _ACTIVITY = (
        QEvent.Type.MouseButtonPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.KeyPress,
        QEvent.Type.Wheel,
    )

    def __init__(self, on_activity: Callable[[], None], parent: QObject | None = None):
        super().__init__(parent)
        self._on_activity = on_activity

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._ACTIVITY:
            self._on_activity()
        return False
