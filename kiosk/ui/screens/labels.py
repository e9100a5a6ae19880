"""Label preview and printing: the sticker as it will print, then one tap queues every label shown."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel

from kiosk.labels.errors import LabelError
from kiosk.labels.queue import PrintQueueError
from kiosk.ui import texts
from kiosk.ui.context import Kiosk
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import ChoiceGrid, scroll_panel, text_label
from sync.errors import StoreError

log = logging.getLogger(__name__)


class LabelsScreen(Screen):
    """Previews the labels of new or existing containers, lots or samples and prints them.

    ``container_id``, when given, is where Done returns to; otherwise Done goes home.
    """

    def __init__(self, kiosk: Kiosk, *, identifiers: list[str], title: str = "", container_id: str | None = None):
        super().__init__(kiosk, title or self.tr("Print labels"), object_name="labelsScreen")
        self.identifiers = identifiers
        self.container_id = container_id
        self.preview = QLabel()
        self.preview.setObjectName("labelPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setProperty("role", "panel")
        self.note = text_label(role="muted", object_name="labelNote")
        self.choices = ChoiceGrid(columns=1)
        self.choices.set_choices([(identifier, identifier) for identifier in identifiers], object_prefix="label")
        self.choices.chosen.connect(self._on_label_chosen)
        row = QHBoxLayout()
        row.addWidget(self.preview, 3)
        row.addWidget(scroll_panel(self.choices), 2)
        self.body.addLayout(row, 1)
        self.body.addWidget(self.note)
        self.add_action(self.tr("Done"), self._on_done, role="secondary", object_name="labelsDone")
        caption = self.tr("Print %n label(s)", "", len(identifiers))
        self.print_button = self.add_action(caption, self._on_print, role="primary", object_name="labelsPrint")
        self.printed: list[str] = []
        if kiosk.printing is None:
            self.print_button.setEnabled(False)
            self.note.setText(texts.printing_unavailable())

    def on_shown(self) -> None:
        if self.identifiers and self.preview.pixmap().isNull():
            self.choices.select(self.identifiers[0])
            self._on_label_chosen(self.identifiers[0])

    def _on_label_chosen(self, identifier: str) -> None:
        printing = self.kiosk.printing
        if printing is None:
            self.preview.setText(identifier)
            return

        def render() -> tuple[int, int, bytes]:
            image = printing.preview(identifier).convert("RGB")
            return image.width, image.height, image.tobytes("raw", "RGB")

        def show(rendered: tuple[int, int, bytes]) -> None:
            width, height, data = rendered
            image = QImage(data, width, height, width * 3, QImage.Format.Format_RGB888).copy()
            pixmap = QPixmap.fromImage(image)
            box = self.preview.size()
            scaled = pixmap.scaled(box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            self.preview.setPixmap(scaled)

        self.kiosk.bridge.run(render, self.guarded(show), self.guarded(self._on_print_error))

    def _on_print(self) -> None:
        printing = self.kiosk.printing
        if printing is None:
            return
        identifiers = list(self.identifiers)
        self.print_button.setEnabled(False)

        def print_all() -> list[str]:
            for identifier in identifiers:
                printing.print_label(identifier)
            return identifiers

        def queued(done: list[str]) -> None:
            self.printed = done
            self.note.setText(self.tr("Queued for printing: {labels}").format(labels=", ".join(done)))
            self.print_button.setEnabled(True)
            self.print_button.setText(self.tr("Print again"))

        self.kiosk.bridge.run(print_all, self.guarded(queued), self.guarded(self._on_print_error))

    def _on_print_error(self, error: BaseException) -> None:
        if not isinstance(error, LabelError | PrintQueueError | StoreError):
            raise error
        log.error("Label not printed: %s", error)
        self.print_button.setEnabled(True)
        self.note.setText(texts.print_failed(str(error)))
        self.kiosk.message(texts.print_failed(str(error)), "rejected")

    def _on_done(self) -> None:
        if self.container_id:
            self.kiosk.open_flow("container", query=self.container_id)
        else:
            self.kiosk.home()
