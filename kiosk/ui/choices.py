"""A full-screen list of big choice buttons: pick a grade, a machine, a method, a reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.ui.widgets import ChoiceGrid, TouchButton, connect_tap, scroll_panel, title_label


@dataclass
class ChoiceRequest:
    """A pick to request: the (key, caption) pairs offered; ``current`` is shown as chosen."""

    caption: str
    choices: list[tuple[Any, str]]
    on_choose: Callable[[Any], None]
    current: Any = None
    on_cancel: Callable[[], None] | None = None


class ChoicePage(QWidget):
    """Shows a `ChoiceRequest`; one tap on a choice picks it and returns to the screen.

    Signals:
        finished(): a choice was made or the page was cancelled.
    """

    finished = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("choicePage")
        self._request: ChoiceRequest | None = None
        self._caption = title_label("")
        self._caption.setObjectName("choiceCaption")
        self._grid = ChoiceGrid(columns=2)
        self._grid.chosen.connect(self._on_chosen)
        cancel = TouchButton(self.tr("Cancel"), role="secondary", object_name="choiceCancel")
        connect_tap(cancel, self._on_cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self._caption)
        layout.addWidget(scroll_panel(self._grid), 1)
        layout.addWidget(cancel)

    @property
    def request(self) -> ChoiceRequest | None:
        """The pick in progress, if any."""
        return self._request

    def start(self, request: ChoiceRequest) -> None:
        """Show the choices of `request`."""
        self._request = request
        self._caption.setText(request.caption)
        self._grid.set_choices(request.choices)
        if request.current is not None:
            self._grid.select(request.current)

    def cancel(self) -> None:
        """Drop the pick without calling back: the screen that asked is going away."""
        self._request = None

    def _on_chosen(self, key: Any) -> None:
        request = self._request
        self._request = None
        self.finished.emit()
        if request is not None:
            request.on_choose(key)

    def _on_cancel(self) -> None:
        request = self._request
        self._request = None
        self.finished.emit()
        if request is not None and request.on_cancel is not None:
            request.on_cancel()
