"""The ready-to-scan screen: scan a container, or start a flow that does not begin with one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QGridLayout

from kiosk.ui.context import Kiosk
from kiosk.ui.entries import parse_text
from kiosk.ui.keypad import EntryRequest
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import TouchButton, connect_tap, text_label


class HomeScreen(Screen):
    """Waits for a scan; its buttons open the flows that start without a container.

    ``open_flow(name)`` starts a flow by name: register_lot, transformation,
    timeline or corrections. ``type_scan(text)`` treats typed text as a scan,
    and ``log_out()`` ends the session.
    """

    def __init__(
        self,
        kiosk: Kiosk,
        *,
        open_flow: Callable[[str], None],
        type_scan: Callable[[str], None],
        log_out: Callable[[], None],
    ):
        super().__init__(kiosk, self.tr("Scan a container"), object_name="homeScreen")
        self.title.setProperty("role", "big")
        self._type_scan = type_scan
        hint = text_label(
            self.tr("Hold the label under the camera or scan it with the handheld scanner. Or choose:"),
            role="muted",
        )
        self.body.addWidget(hint)
        grid = QGridLayout()
        grid.setSpacing(kiosk.metrics.spacing_px)
        buttons = [
            (self.tr("Register incoming lot"), "homeRegisterLot", lambda: open_flow("register_lot")),
            (self.tr("Transformation"), "homeTransformation", lambda: open_flow("transformation")),
            (self.tr("Lot timeline"), "homeTimeline", lambda: open_flow("timeline")),
            (self.tr("Correct a mistake"), "homeCorrections", lambda: open_flow("corrections")),
            (self.tr("Type a label"), "homeTypeLabel", self._on_type_label),
            (self.tr("Log out"), "homeLogOut", log_out),
        ]
        for index, (caption, name, handler) in enumerate(buttons):
            button = TouchButton(caption, object_name=name, role="secondary" if name == "homeLogOut" else "")
            connect_tap(button, handler)
            grid.addWidget(button, index // 2, index % 2)
        self.body.addLayout(grid)
        self.body.addStretch(1)

    def _on_type_label(self) -> None:
        self.kiosk.ask(
            EntryRequest(
                caption=self.tr("Label or id"),
                mode="text",
                parse=parse_text,
                hint=self.tr("as printed under the code"),
                on_accept=self._type_scan,
            )
        )
