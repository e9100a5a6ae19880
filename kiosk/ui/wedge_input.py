"""Handheld (keyboard-wedge) scanners: every key press goes through `kiosk.scan.pipeline.WedgeScanner` first.

The filter keeps back each key until the wedge decoder knows whether it belongs
to a scanner's burst or to a person typing. A scan goes to the bridge like a
camera scan; typed keys are replayed, in order, to the widget that has focus.
Keys without text (arrows, Backspace, Escape) pass straight through.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.scan.pipeline import WedgeScanner
from kiosk.scan.results import ScanResult
from kiosk.scan.wedge import TypedKeys

log = logging.getLogger(__name__)

# The wedge decoder closes bursts on silence; it is polled this often.
POLL_INTERVAL_MS = 20

_KEY_NAMES = {
    Qt.Key.Key_Return: "Enter",
    Qt.Key.Key_Enter: "Enter",
    Qt.Key.Key_Tab: "Tab",
}
_REPLAY_KEYS = {"Enter": (Qt.Key.Key_Return, "\r"), "Tab": (Qt.Key.Key_Tab, "\t")}


class WedgeKeyFilter(QObject):
    """Feeds key presses to a WedgeScanner; install on the QApplication.

    ``on_scan(ScanResult)`` receives each scan on the GUI thread.
    """

    def __init__(
        self,
        scanner: WedgeScanner,
        *,
        on_scan: Callable[[ScanResult], None],
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._scanner = scanner
        self._on_scan = on_scan
        self._clock = clock
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_INTERVAL_MS)
        self._timer.timeout.connect(self._on_poll)
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        event_type = event.type()
        if event_type not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or self._replaying:
            return False
        if not isinstance(watched, QWidget) or not event.spontaneous():
            return False
        assert isinstance(event, QKeyEvent)
        key = self._key_name(event)
        if key is None:
            return False  # no text: straight to the widget
        if event_type == QEvent.Type.KeyRelease:
            return True  # the press is held or replayed; its release would arrive alone
        if event.isAutoRepeat():
            return True
        self._handle(self._scanner.feed(key, self._clock()))
        return True

    def _key_name(self, event: QKeyEvent) -> str | None:
        name = _KEY_NAMES.get(Qt.Key(event.key()))
        if name is not None:
            return name
        text = event.text()
        if text == "\x1d":
            return "GS"
        if len(text) == 1 and (text.isprintable() or text in ("\x1e", "\x04")):
            return text
        return None

    def _on_poll(self) -> None:
        self._handle(self._scanner.poll(self._clock()))

    def _handle(self, results: list[ScanResult | TypedKeys]) -> None:
        for result in results:
            if isinstance(result, TypedKeys):
                self._replay(result.keys)
            else:
                self._on_scan(result)

    def _replay(self, keys: tuple[str, ...]) -> None:
        target = QApplication.focusWidget()
        if target is None:
            log.debug("Dropped %d typed keys: no widget has the keyboard focus", len(keys))
            return
        self._replaying = True
        try:
            for key in keys:
                code, text = _REPLAY_KEYS.get(key, (Qt.Key.Key_unknown, key))
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(target, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, text))
        finally:
            self._replaying = False

    def stop(self) -> None:
        """Stop polling the decoder."""
        self._timer.stop()
