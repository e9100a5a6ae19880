"""Log-in: scan a badge, or pick a name and type the PIN on the keypad."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QGridLayout, QWidget

from kiosk.ui import texts
from kiosk.ui.context import Kiosk
from kiosk.ui.entries import EntryError, EntryProblem
from kiosk.ui.keypad import EntryRequest
from kiosk.ui.queries import OperatorEntry, list_operators, verify_pin
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import TouchButton, clear_layout, connect_tap, scroll_panel, text_label

PIN_MAX_DIGITS = 12


def _parse_pin(text: str) -> str:
    pin = text.strip()
    if not pin:
        raise EntryError(EntryProblem("missing", text))
    if not pin.isdigit() or len(pin) > PIN_MAX_DIGITS:
        raise EntryError(EntryProblem("not_whole", "*" * min(len(pin), PIN_MAX_DIGITS)))
    return pin


class LoginScreen(Screen):
    """Lists the active operators; the badge scan itself is routed by the main window."""

    def __init__(self, kiosk: Kiosk):
        super().__init__(kiosk, self.tr("Scan your badge, or tap your name"), object_name="loginScreen")
        self._grid_holder = QWidget()
        self._grid = QGridLayout(self._grid_holder)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._empty = text_label(
            self.tr(
                "No operators are set up at this station. Import the reference data: lineage import-reference FILE"
            ),
            object_name="loginEmpty",
        )
        self._empty.hide()
        self.body.addWidget(self._empty)
        self.body.addWidget(scroll_panel(self._grid_holder), 1)
        self._operators: list[OperatorEntry] = []

    def on_shown(self) -> None:
        self.read(list_operators, self._on_operators_loaded)

    def _on_operators_loaded(self, operators: list[OperatorEntry]) -> None:
        clear_layout(self._grid)
        self._operators = operators
        self._empty.setVisible(not operators)
        columns = 3 if self.width() >= 1200 else 2
        for index, operator in enumerate(operators):
            button = TouchButton(operator.name, object_name=f"operator-{operator.badge_id}")
            connect_tap(button, partial(self._on_operator_tapped, operator))
            self._grid.addWidget(button, index // columns, index % columns)
        rows = (len(operators) + columns - 1) // columns
        for row in range(rows + 1):
            self._grid.setRowStretch(row, 1 if row == rows else 0)

    def _on_operator_tapped(self, operator: OperatorEntry) -> None:
        locked_s = self.kiosk.pin_attempts.locked_for_s(operator.badge_id)
        if locked_s > 0:
            self.kiosk.message(texts.pin_locked(locked_s), "rejected")
            return
        self.kiosk.ask(
            EntryRequest(
                caption=self.tr("PIN for {name}").format(name=operator.name),
                mode="pin",
                parse=_parse_pin,
                on_accept=partial(self._on_pin_entered, operator),
            )
        )

    def _on_pin_entered(self, operator: OperatorEntry, pin: str) -> None:
        self.read(lambda: verify_pin(operator.badge_id, pin), lambda found: self._on_pin_checked(operator, found))

    def _on_pin_checked(self, operator: OperatorEntry, found: OperatorEntry | None) -> None:
        attempts = self.kiosk.pin_attempts
        if found is None:
            attempts.record_failure(operator.badge_id)
            locked_s = attempts.locked_for_s(operator.badge_id)
            if locked_s > 0:
                self.kiosk.message(texts.pin_locked(locked_s), "rejected")
            else:
                left = attempts.max_failures - attempts.failures(operator.badge_id)
                self.kiosk.message(texts.wrong_pin(left), "rejected")
            return
        attempts.record_success(operator.badge_id)
        window = self.kiosk.window
        if window is not None:
            window.log_in(found, method="pin")
