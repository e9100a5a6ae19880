"""Correct a mistake: pick an event of this station and record a correcting event with a reason; nothing is edited."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kiosk.ui import texts
from kiosk.ui.choices import ChoiceRequest
from kiosk.ui.context import Kiosk
from kiosk.ui.drafts import correction_body
from kiosk.ui.entries import LONG_TEXT_MAX_CHARS, parse_text
from kiosk.ui.keypad import EntryRequest
from kiosk.ui.queries import EventLine, station_events
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import ChoiceGrid, FieldButton, connect_tap, scroll_panel, text_label
from sync.records import Event

# Events listed for correction, newest first.
EVENTS_LISTED = 40


class CorrectionsScreen(Screen):
    """Lists this station's events; the chosen one is voided by a correction that states the reason."""

    def __init__(self, kiosk: Kiosk):
        super().__init__(kiosk, self.tr("Correct a mistake: which event?"), object_name="correctionsScreen")
        self.lines: list[EventLine] = []
        self.chosen: EventLine | None = None
        self.reason = ""
        self.list = ChoiceGrid(columns=1)
        self.list.chosen.connect(self._on_event_chosen)
        self.detail = text_label(object_name="correctionDetail")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setProperty("role", "panel")
        self.detail.hide()
        self.reason_field = FieldButton(self.tr("Reason"), object_name="correctionReason")
        connect_tap(self.reason_field, self._edit_reason)
        self.reason_field.hide()
        self.body.addWidget(scroll_panel(self.list), 1)
        self.body.addWidget(self.detail)
        self.body.addWidget(self.reason_field)
        self.add_action(self.tr("Done"), kiosk.home, role="secondary", object_name="correctionsDone")
        self.confirm = self.add_action(
            self.tr("Record correction"), self._on_confirm, role="danger", object_name="correctionConfirm"
        )
        self.confirm.setEnabled(False)

    def on_shown(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read this station's latest events again."""
        station_id = self.kiosk.station_id
        self.read(lambda: station_events(station_id, limit=EVENTS_LISTED), self._on_events_loaded)

    def _on_events_loaded(self, lines: list[EventLine]) -> None:
        self.lines = lines
        choices = []
        for line in lines:
            event = line.event
            state = self.tr(" · voided") if line.voided_by else ""
            caption = (
                f"{self.kiosk.local_time(event.occurred_at)} {texts.event_kind(event.kind)}{state}: {_subject(event)}"
            )
            choices.append((event.event_id, caption))
        self.list.set_choices(choices, object_prefix="event")
        for line in lines:
            # A voided event is already corrected; correct the correction to restore it.
            self.list.button(line.event.event_id).setEnabled(line.voided_by is None)

    def _on_event_chosen(self, event_id: str) -> None:
        self.chosen = next(line for line in self.lines if line.event.event_id == event_id)
        event = self.chosen.event
        self.detail.setText(
            self.tr("{kind} at {time} by {operator}\n{summary}").format(
                kind=texts.event_kind(event.kind),
                time=self.kiosk.local_time(event.occurred_at),
                operator=event.operator_id,
                summary=texts.event_summary(event.kind, event.body),
            )
        )
        self.detail.show()
        self.reason = ""
        self.reason_field.set_value("")
        self.reason_field.show()
        self.confirm.setEnabled(True)

    def _reasons(self) -> list[tuple[str, str]]:
        return [
            ("wrong container scanned", self.tr("Wrong container scanned")),
            ("wrong readings entered", self.tr("Wrong readings entered")),
            ("wrong mass entered", self.tr("Wrong mass entered")),
            ("recorded twice", self.tr("Recorded twice")),
            ("did not happen", self.tr("Did not happen")),
            ("__other__", self.tr("Other: type it")),
        ]

    def _edit_reason(self) -> None:
        def choose(key: str) -> None:
            if key == "__other__":
                self.kiosk.ask(
                    EntryRequest(
                        caption=self.tr("Reason for the correction"),
                        initial=self.reason,
                        mode="text",
                        parse=lambda text: parse_text(text, max_chars=LONG_TEXT_MAX_CHARS),
                        on_accept=self._set_reason,
                    )
                )
                return
            self._set_reason(key)

        self.kiosk.ask(ChoiceRequest(self.tr("Why is it wrong?"), self._reasons(), choose, current=self.reason))

    def _set_reason(self, reason: str) -> None:
        self.reason = reason
        self.reason_field.set_value(reason)
        self.reason_field.set_missing(False)

    def _on_confirm(self) -> None:
        if self.chosen is None:
            return
        if not self.reason:
            self.reason_field.set_missing(True)
            self.kiosk.message(self.tr("Choose the reason first."), "rejected")
            return
        self.record("correction", correction_body(self.chosen.event, self.reason), self._on_recorded)

    def _on_recorded(self, event: Event) -> None:
        corrected = self.chosen.event if self.chosen is not None else None
        subject = texts.event_kind(corrected.kind) if corrected is not None else ""
        self.kiosk.message(texts.recorded(event.kind, subject), "accepted")
        self.chosen = None
        self.detail.hide()
        self.reason_field.hide()
        self.confirm.setEnabled(False)
        self.reload()


def _subject(event: Event) -> str:
    """Return the first container, sample or lot an event names, for the list."""
    for prefix in ("container:", "sample:", "lot:"):
        for subject in event.subjects:
            if subject.startswith(prefix):
                return subject.removeprefix(prefix)
    return event.event_id[:13]
