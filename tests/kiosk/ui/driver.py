"""Drives a running station as an operator does: taps, keypad entries, choices and scans; reads back what it stored."""

from __future__ import annotations

import threading
import time
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QScrollArea, QWidget

from kiosk.scan.payloads import parse_payload
from kiosk.scan.results import ScanResult, ScanSource
from kiosk.ui.station import KioskStation
from kiosk.ui.widgets import FieldButton
from sync.models import Event, event_from_row
from sync.records import Event as RecordEvent

SETTLE_TIMEOUT_S = 10.0


def _scroll_area_of(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


class StepClock:
    """A clock for the tap filter that moves on by `step_s` at every reading."""

    def __init__(self, *, step_s: float, start_s: float = 1000.0):
        self.step_s = step_s
        self.now_s = start_s

    def __call__(self) -> float:
        self.now_s += self.step_s
        return self.now_s


class ManualClock:
    """A clock that does not advance until a test moves it."""

    def __init__(self, start_s: float = 1000.0):
        self.now_s = start_s

    def __call__(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> None:
        """Move the clock on."""
        self.now_s += seconds


class KioskDriver:
    """Taps, types and scans on a station's real widgets and waits for its background jobs."""

    def __init__(self, station: KioskStation):
        self.station = station
        self.window = station.window
        self.store = station.store

    # --- Waiting -----------------------------------------------------------------------

    def settle(self, timeout_s: float = SETTLE_TIMEOUT_S) -> None:
        """Process events until every background job has run and its callback has been called."""
        deadline = time.monotonic() + timeout_s
        bridge = self.station.bridge
        while True:
            QApplication.processEvents()
            if bridge.is_idle:
                # Layouts show newly added widgets through a queued call: let it run.
                QApplication.processEvents()
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"background jobs still pending after {timeout_s} s")
            bridge.tasks.wait_idle(0.05)

    def wait(self, seconds: float) -> None:
        """Let the event loop run for a while (timers, the live counter)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.01)
        self.settle()

    # --- Finding widgets -------------------------------------------------------------------

    def screen_name(self) -> str:
        """Return the object name of the page shown (a screen, entryPage or choicePage)."""
        widget = self.window.stack.currentWidget()
        return widget.objectName() if widget is not None else ""

    def find(self, name: str) -> QWidget:
        """Return the visible widget with this object name; fail when there is none."""
        for widget in self.window.findChildren(QWidget, name):
            if widget.isVisible():
                return widget
        raise AssertionError(f"no visible widget named {name!r} on {self.screen_name()}")

    def button(self, name: str) -> QPushButton:
        """Return the visible button with this object name."""
        widget = self.find(name)
        assert isinstance(widget, QPushButton), f"{name} is a {type(widget).__name__}, not a button"
        return widget

    def text(self, name: str) -> str:
        """Return the text of the visible label or button with this object name."""
        widget = self.find(name)
        assert isinstance(widget, QLabel | QPushButton), f"{name} is a {type(widget).__name__}"
        return widget.text()

    def field_value(self, name: str) -> str:
        """Return the value shown by the visible form field with this object name."""
        widget = self.find(name)
        assert isinstance(widget, FieldButton), f"{name} is a {type(widget).__name__}, not a field"
        return widget.value

    def label(self, name: str) -> QLabel:
        """Return the visible label with this object name."""
        widget = self.find(name)
        assert isinstance(widget, QLabel), f"{name} is a {type(widget).__name__}, not a label"
        return widget

    # --- Acting ------------------------------------------------------------------------

    def tap(self, name: str) -> None:
        """Tap a button by object name and wait for what it started.

        A button in a scroll area is scrolled into view first, as a finger can
        only reach what is shown, and its click arrives only after the scroller
        has decided the press starts no drag.
        """
        button = self.button(name)
        assert button.isEnabled(), f"button {name} is disabled"
        scroll_area = _scroll_area_of(button)
        if scroll_area is not None:
            scroll_area.ensureWidgetVisible(button)
            QApplication.processEvents()
            content = scroll_area.widget()
            if button.visibleRegion().isEmpty() and content is not None:
                # Right after a list is filled its layout may not have run yet: scroll by position.
                scroll_area.verticalScrollBar().setValue(button.mapTo(content, QPoint(0, 0)).y())
                QApplication.processEvents()
        clicked: list[bool] = []
        button.clicked.connect(lambda *_args: clicked.append(True))
        QTest.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, button.rect().center())
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while not clicked and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.005)
        assert clicked, f"button {name} was not clicked"
        self.settle()

    def touch(self, name: str) -> QPoint:
        """Tap a button with a finger on the touch screen, without waiting; return the point touched.

        The touch goes to the window like the platform's, and Qt turns it into
        a mouse press on the widget under the finger.
        """
        button = self.button(name)
        device = QTest.createTouchDevice()
        window_handle = self.window.windowHandle()
        point = button.mapTo(self.window, button.rect().center())
        QTest.touchEvent(window_handle, device).press(0, point).commit()
        QTest.touchEvent(window_handle, device).release(0, point).commit()
        return point

    def mouse_click_window(self, point: QPoint) -> None:
        """Click at a point of the window as the platform does: whatever widget is there now gets it."""
        QTest.mouseClick(self.window.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)

    def enter(self, text: str) -> None:
        """Type `text` on the on-screen keypad or keyboard shown, then tap OK."""
        assert self.screen_name() == "entryPage", f"no keypad shown but {self.screen_name()}"
        page = self.window.entry_page
        text_mode = page.request is not None and page.request.mode == "text"
        for character in text:
            if text_mode:
                self._tap_keyboard_key(character)
            else:
                self.tap(f"key-{character}")
        self.tap("keyboardOk" if text_mode else "entryOk")

    def _tap_keyboard_key(self, character: str) -> None:
        if character == " ":
            self.tap("kb-space")
            return
        if character.islower() or character in "_,":
            # Shifted keys: lower-case letters, and _ and , on the - and . keys.
            key = {"_": "-", ",": "."}.get(character, character.upper())
            self.tap("kb-shift")
            self.tap(f"kb-{key}")
            self.tap("kb-shift")
            return
        self.tap(f"kb-{character}")

    def choose(self, key: str) -> None:
        """Tap a choice on the choice page shown (object name choice-<key>)."""
        assert self.screen_name() == "choicePage", f"no choices shown but {self.screen_name()}"
        self.tap(f"choice-{key}")

    def scan(self, text: str, *, source: ScanSource = ScanSource.CAMERA) -> None:
        """Deliver a scan as the capture worker does: from another thread, through the bridge."""
        result = ScanResult(source, text, parse_payload(text))
        worker = threading.Thread(target=self.station.bridge.on_scan, args=(result,), name="fake-capture")
        worker.start()
        worker.join()
        self.settle()

    def click_at(self, widget: QWidget, point: QPoint | None = None) -> None:
        """Send one mouse click to a widget without waiting for anything."""
        QTest.mouseClick(
            widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point or widget.rect().center()
        )

    def wait_printed(self, timeout_s: float = 5.0) -> None:
        """Wait until the print queue has sent every job to the printer."""
        printing = self.station.kiosk.printing
        assert printing is not None, "label printing is off"
        assert printing.queue.wait_until_empty(timeout_s), "print jobs still queued"
        self.settle()

    # --- Reading back ------------------------------------------------------------------

    def events(self, kind: str | None = None) -> list[RecordEvent]:
        """Return the stored events (of one kind), in sequence order."""
        with self.store.reading():
            query = Event.select().order_by(Event.occurred_utc_us, Event.seq)
            if kind is not None:
                query = query.where(Event.kind == kind)
            return [event_from_row(row) for row in query.dicts()]

    def message(self) -> str:
        """Return the text of the message bar."""
        return self.window.message_bar.text()

    def flash(self) -> tuple[bool, str]:
        """Return (accepted, text) of the latest scan flash."""
        return self.window.flash.last_accepted, self.window.flash.last_text

    def record(self, kind: str, body: dict[str, Any], **options: Any) -> RecordEvent:
        """Record an event directly in the store (history set up before the operator acts)."""
        return self.store.record(kind, body, operator_id=options.pop("operator_id", "OP-0002"), **options)
