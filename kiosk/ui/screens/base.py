"""The frame every screen shares: a title, a body, and a row of big action buttons at the bottom."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget
from shiboken6 import isValid

from kiosk.ui import texts
from kiosk.ui.context import Kiosk
from kiosk.ui.scans import Scan
from kiosk.ui.widgets import TouchButton, connect_tap, title_label
from sync.records import Event


class Screen(QWidget):
    """A full-window screen under the status bar.

    Subclasses fill ``self.body`` and the bottom row (`add_action`) and may override
    `handle_scan` to take scans (a container for a transformation input, the
    old label of a relabel), `on_shown` and `tick` (called every second).
    """

    # A screen that keeps an unfinished entry: a scan of a container elsewhere is refused
    # with a message instead of leaving the entry behind.
    keeps_draft = False

    def __init__(self, kiosk: Kiosk, title: str, *, object_name: str):
        super().__init__()
        self.kiosk = kiosk
        self.setObjectName(object_name)
        self.title = title_label(title)
        self.title.setObjectName(f"{object_name}Title")
        layout = QVBoxLayout(self)
        spacing = kiosk.metrics.spacing_px
        layout.setContentsMargins(spacing, spacing // 2, spacing, spacing // 2)
        layout.setSpacing(spacing)
        layout.addWidget(self.title)
        self.body = QVBoxLayout()
        self.body.setSpacing(spacing)
        layout.addLayout(self.body, 1)
        self._actions_widget = QWidget()
        self.action_row = QHBoxLayout(self._actions_widget)
        self.action_row.setContentsMargins(0, 0, 0, 0)
        self.action_row.setSpacing(spacing)
        layout.addWidget(self._actions_widget)
        self._busy = False

    def add_action(self, text: str, handler: Callable[[], None], *, role: str = "", object_name: str) -> TouchButton:
        """Add a button to the bottom row."""
        button = TouchButton(text, role=role, object_name=object_name)
        connect_tap(button, handler)
        self.action_row.addWidget(button)
        return button

    @property
    def is_busy(self) -> bool:
        """Whether an event of this screen is being recorded."""
        return self._busy

    def set_busy(self, busy: bool) -> None:
        """Disable the whole screen while an event is being recorded, so a second tap records nothing."""
        self._busy = busy
        self.setEnabled(not busy)

    def record(self, kind: str, body: dict[str, Any], on_recorded: Callable[[Event], None]) -> None:
        """Record an event for this screen: the screen is disabled until the store has returned."""
        if self._busy:
            return
        self.set_busy(True)

        def recorded(event: Event) -> None:
            if not isValid(self):
                return
            self.set_busy(False)
            on_recorded(event)

        def not_recorded(_reason: str) -> None:
            if isValid(self):
                self.set_busy(False)

        self.kiosk.record(kind, body, on_recorded=recorded, on_not_recorded=not_recorded)

    def read(
        self,
        job: Callable[[], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Read from the store for this screen; the callbacks are skipped if the screen is gone by then."""

        def result(value: Any) -> None:
            if isValid(self):
                on_result(value)

        def error(failure: BaseException) -> None:
            if not isValid(self):
                return
            if on_error is None:
                self.kiosk.message(texts.store_problem(str(failure)), "rejected")
            else:
                on_error(failure)

        self.kiosk.read(job, result, error)

    def guarded(self, callback: Callable[[Any], None]) -> Callable[[Any], None]:
        """Wrap a callback so that it does nothing once this screen has been closed."""

        def call(value: Any) -> None:
            if isValid(self):
                callback(value)

        return call

    def handle_scan(self, scan: Scan) -> bool:
        """Take a scan meant for this screen; return False to let the window route it."""
        return False

    def on_shown(self) -> None:
        """Called each time the screen becomes the current one."""

    def tick(self) -> None:
        """Called every second while the screen is shown (live counters)."""
