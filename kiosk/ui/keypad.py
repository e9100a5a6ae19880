"""The on-screen numeric keypad and keyboard: one full-screen entry page that edits any field.

A screen requests an entry from the main window with an `EntryRequest`; the page
shows the caption, the current value and the keys, checks the value with the
request's parser and hands the parsed value back. A physical keyboard works
too: Enter accepts, Escape cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.ui import texts
from kiosk.ui.entries import EntryError
from kiosk.ui.widgets import TouchButton, connect_tap, restyle, text_label

ENTRY_MAX_CHARS = 2000


@dataclass
class EntryRequest:
    """An entry to request, and what to do with the value entered.

    ``mode`` is number, pin, date or text. ``parse`` turns the text into the
    value (raising EntryError to keep the page open with the reason);
    ``allow_empty`` accepts an empty entry as None, for optional fields.
    """

    caption: str
    on_accept: Callable[[Any], None]
    initial: str = ""
    mode: str = "number"
    parse: Callable[[str], Any] = str
    hint: str = ""
    allow_empty: bool = False
    on_cancel: Callable[[], None] | None = None


class EntryPage(QWidget):
    """Full-screen value entry with a keypad (numbers, PINs, dates) or a keyboard (text).

    Signals:
        finished(): the entry was accepted or cancelled; the window returns to the screen.
    """

    finished = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("entryPage")
        self._request: EntryRequest | None = None
        self._shift = False
        self._is_text = False

        self._caption = text_label(role="title", object_name="entryCaption")
        self._hint = text_label(role="muted", object_name="entryHint")
        self._error = text_label(object_name="entryError")
        self._edit = QLineEdit()
        self._edit.setObjectName("entryEdit")
        self._edit.setMaxLength(ENTRY_MAX_CHARS)
        self._edit.returnPressed.connect(self._on_ok)

        self._keypad = self._build_keypad()
        self._keyboard = self._build_keyboard()

        # Number entry: caption, value, OK and Cancel on the left, keypad on the right.
        self._number_area = QWidget()
        number_layout = QHBoxLayout(self._number_area)
        number_layout.setContentsMargins(0, 0, 0, 0)
        side_widget = QWidget()
        self._side = QVBoxLayout(side_widget)
        self._side.setContentsMargins(0, 0, 0, 0)
        self._side.addWidget(self._hint)
        self._side.addWidget(self._error)
        self._side.addStretch(1)
        buttons_widget = QWidget()
        buttons = QHBoxLayout(buttons_widget)
        buttons.setContentsMargins(0, 0, 0, 0)
        self._cancel_button = TouchButton(self.tr("Cancel"), role="secondary", object_name="entryCancel")
        self._ok_button = TouchButton(self.tr("OK"), role="primary", object_name="entryOk")
        connect_tap(self._cancel_button, self._on_cancel)
        connect_tap(self._ok_button, self._on_ok)
        buttons.addWidget(self._cancel_button)
        buttons.addWidget(self._ok_button)
        self._side.addWidget(buttons_widget)
        number_layout.addWidget(side_widget, 1)
        number_layout.addWidget(self._keypad, 1)

        # Text entry: one row with the caption and the value over a full-width keyboard,
        # so five rows of 15 mm keys fit on a 480-pixel-high screen.
        self._top_row = QHBoxLayout()
        self._top_row.setContentsMargins(0, 0, 0, 0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(2)
        layout.addLayout(self._top_row)
        layout.addWidget(self._number_area, 1)
        layout.addWidget(self._keyboard, 1)
        self._arrange(is_text=False)

    @property
    def request(self) -> EntryRequest | None:
        """The entry being edited, if any."""
        return self._request

    def start(self, request: EntryRequest) -> None:
        """Show the page for `request`, prefilled with its initial text."""
        self._request = request
        self._shift = False
        is_text = request.mode == "text"
        self._caption.setText(request.caption)
        self._hint.setText(request.hint)
        self._arrange(is_text)
        self._show_error("")
        self._edit.setText(request.initial)
        self._edit.setPlaceholderText(request.hint if is_text else "")
        is_pin = request.mode == "pin"
        self._edit.setEchoMode(QLineEdit.EchoMode.Password if is_pin else QLineEdit.EchoMode.Normal)
        self._keypad_key(".").setVisible(request.mode == "number")
        self._keypad_key("-").setVisible(request.mode in ("number", "date"))
        self._refresh_letter_case()
        self._edit.setFocus()
        # The current value is selected, so the first key typed replaces it.
        self._edit.selectAll()

    def _arrange(self, is_text: bool) -> None:
        """Put the caption and the value above the keyboard (text) or beside the keypad (numbers)."""
        if is_text:
            self._top_row.addWidget(self._caption, 1)
            self._top_row.addWidget(self._edit, 2)
        else:
            self._side.insertWidget(0, self._caption)
            self._side.insertWidget(2, self._edit)
        self._is_text = is_text
        self._number_area.setVisible(not is_text)
        self._keyboard.setVisible(is_text)
        self._hint.setVisible(bool(self._hint.text()) and not is_text)

    def type_text(self, text: str) -> None:
        """Insert text at the cursor, as the keys do."""
        self._edit.insert(text)
        self._show_error("")

    def accept_scan(self, text: str) -> bool:
        """Take a scanned value into a text entry and accept it; return False when this entry takes no scans."""
        if self._request is None or self._request.mode != "text":
            return False
        self._edit.setText(text)
        self._on_ok()
        return True

    def cancel(self) -> None:
        """Drop the entry without calling back: the screen that asked for it is going away."""
        self._request = None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._on_cancel()
            return
        super().keyPressEvent(event)

    # --- Keys ---------------------------------------------------------------------

    def _build_keypad(self) -> QWidget:
        keypad = QWidget()
        grid = QGridLayout(keypad)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(2)
        rows = [["7", "8", "9", "back"], ["4", "5", "6", "clear"], ["1", "2", "3", "-"], ["0", "."]]
        self._keypad_keys: dict[str, TouchButton] = {}
        for row, keys in enumerate(rows):
            for column, key in enumerate(keys):
                button = self._make_key(key)
                span = 2 if key == "0" else 1
                grid.addWidget(button, row, column if key != "." else 2, 1, span)
                self._keypad_keys[key] = button
        return keypad

    def _keypad_key(self, key: str) -> TouchButton:
        return self._keypad_keys[key]

    def _build_keyboard(self) -> QWidget:
        keyboard = QWidget()
        grid = QGridLayout(keyboard)
        grid.setContentsMargins(0, 0, 0, 0)
        # Ten 15 mm keys and their gaps just fit 800 pixels at the Pi display's 5.19 px/mm.
        grid.setSpacing(1)
        rows = ["1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM-."]
        self._letter_keys: list[tuple[str, TouchButton]] = []
        for row, keys in enumerate(rows):
            offset = 1 if row == 3 else 0
            for column, key in enumerate(keys):
                button = self._make_key(key, prefix="kb")
                grid.addWidget(button, row, column + offset)
                if key.isalpha() or key in "-.":
                    self._letter_keys.append((key, button))
        grid.addWidget(self._make_key("back", prefix="kb"), 2, 9)
        grid.addWidget(self._make_key("shift", prefix="kb"), 3, 0)
        cancel = TouchButton(self.tr("Cancel"), role="secondary", object_name="keyboardCancel")
        connect_tap(cancel, self._on_cancel)
        ok = TouchButton(self.tr("OK"), role="primary", object_name="keyboardOk")
        connect_tap(ok, self._on_ok)
        grid.addWidget(cancel, 4, 0, 1, 2)
        grid.addWidget(self._make_key("/", prefix="kb"), 4, 2)
        grid.addWidget(self._make_key("space", prefix="kb"), 4, 3, 1, 4)
        grid.addWidget(ok, 4, 7, 1, 3)
        return keyboard

    def _make_key(self, key: str, *, prefix: str = "key") -> TouchButton:
        captions = {"back": "⌫", "clear": self.tr("C"), "shift": "⇧", "space": self.tr("Space")}
        button = TouchButton(captions.get(key, key), role="key", object_name=f"{prefix}-{key}")
        connect_tap(button, lambda: self._on_key(key, button))
        return button

    def _on_key(self, key: str, button: TouchButton) -> None:
        if key == "back":
            self._edit.backspace()
        elif key == "clear":
            self._edit.clear()
        elif key == "shift":
            self._shift = not self._shift
            self._refresh_letter_case()
        elif key == "space":
            self.type_text(" ")
        elif self._is_text and (key.isalpha() or key in ("-", ".")):
            # Keyboard letters follow the shift state, which the caption shows.
            self.type_text(button.text())
        else:
            self.type_text(key)

    def _refresh_letter_case(self) -> None:
        # Ids are upper case, so unshifted letters are capitals; shift gives lower case and _ ,
        shifted = {"-": "_", ".": ","}
        for key, button in self._letter_keys:
            if key.isalpha():
                button.setText(key.lower() if self._shift else key)
            else:
                button.setText(shifted[key] if self._shift else key)

    # --- Outcome ------------------------------------------------------------------

    def _show_error(self, text: str) -> None:
        if self._is_text:
            # No room for another row above the keyboard: the caption shows the error.
            request = self._request
            self._caption.setText(text or (request.caption if request is not None else ""))
            self._caption.setProperty("level", "rejected" if text else "")
            restyle(self._caption)
            return
        self._error.setText(text)
        self._error.setProperty("level", "rejected" if text else "")
        self._error.setVisible(bool(text))
        restyle(self._error)

    def _on_ok(self) -> None:
        request = self._request
        if request is None:
            return
        text = self._edit.text()
        if not text.strip() and request.allow_empty:
            value: Any = None
        else:
            try:
                value = request.parse(text)
            except EntryError as error:
                self._show_error(texts.entry_problem(error.problem))
                return
        self._request = None
        self.finished.emit()
        request.on_accept(value)

    def _on_cancel(self) -> None:
        request = self._request
        self._request = None
        self.finished.emit()
        if request is not None and request.on_cancel is not None:
            request.on_cancel()


def caption_label(text: str) -> QLabel:
    """Return a small caption over a value."""
    return text_label(text, role="muted")
