"""Relabel: the old label (scanned), a reason, then the new label is recorded and printed; the old one keeps resolving."""

from __future__ import annotations

from kiosk.scan.payloads import LabelKind, ProjectLabel, SupplierLotNumber
from kiosk.ui import texts
from kiosk.ui.choices import ChoiceRequest
from kiosk.ui.context import Kiosk
from kiosk.ui.drafts import RelabelDraft
from kiosk.ui.entries import parse_text
from kiosk.ui.keypad import EntryRequest
from kiosk.ui.queries import ContainerView
from kiosk.ui.scans import Scan
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import FieldButton, connect_tap, text_label
from sync.records import Event


class RelabelScreen(Screen):
    """Records a new label for the container shown; a scan of another of its labels sets the old label."""

    keeps_draft = True

    def __init__(self, kiosk: Kiosk, *, view: ContainerView):
        super().__init__(
            kiosk, self.tr("Relabel container {id}").format(id=view.container_id), object_name="relabelScreen"
        )
        self.view = view
        old_label = view.scanned if view.scanned in view.labels else view.current_label
        self.draft = RelabelDraft(view.container_id, old_label)
        self.body.addWidget(
            text_label(
                self.tr("Scan the old label if it is not the one shown. The new label is printed after recording."),
                role="muted",
            )
        )
        self.old_label = FieldButton(self.tr("Old label"), object_name="relabelOld")
        self.old_label.setEnabled(False)
        self.new_label = FieldButton(self.tr("New label"), object_name="relabelNew")
        self.new_label.setEnabled(False)
        self.reason = FieldButton(self.tr("Reason"), object_name="relabelReason")
        connect_tap(self.reason, self._edit_reason)
        for field in (self.old_label, self.new_label, self.reason):
            self.body.addWidget(field)
        self.body.addStretch(1)
        self.add_action(self.tr("Cancel"), self._on_cancel, role="secondary", object_name="relabelCancel")
        self.add_action(self.tr("Record and print"), self._on_confirm, role="primary", object_name="relabelConfirm")
        self._show_draft()

    def _reasons(self) -> list[tuple[str, str]]:
        return [
            ("label damaged", self.tr("Label damaged")),
            ("label unreadable", self.tr("Label unreadable")),
            ("container repacked", self.tr("Container repacked")),
            ("wrong label", self.tr("Wrong label")),
            ("__other__", self.tr("Other: type it")),
        ]

    def _show_draft(self, *, mark_missing: bool = False) -> None:
        self.old_label.set_value(self.draft.old_label)
        self.new_label.set_value(self.draft.new_label)
        self.reason.set_value(self.draft.reason)
        self.reason.set_missing(mark_missing and not self.draft.reason)

    def handle_scan(self, scan: Scan) -> bool:
        payload = scan.payload
        is_label = isinstance(payload, ProjectLabel) and payload.label_kind == LabelKind.CONTAINER
        if not (is_label or isinstance(payload, SupplierLotNumber)):
            return False
        identifier = scan.identifier or ""
        if identifier not in self.view.labels:
            self.kiosk.scan_feedback(
                accepted=False,
                text=texts.scan_rejected(
                    self.tr("{label} was never on container {id}").format(label=identifier, id=self.view.container_id)
                ),
            )
            return True
        self.draft.old_label = identifier
        self.kiosk.scan_feedback(accepted=True, text=self.tr("Old label {label}").format(label=identifier))
        self._show_draft()
        return True

    def _edit_reason(self) -> None:
        def choose(key: str) -> None:
            if key == "__other__":
                self.kiosk.ask(
                    EntryRequest(
                        caption=self.tr("Reason for the new label"),
                        initial=self.draft.reason,
                        mode="text",
                        parse=parse_text,
                        on_accept=self._set_reason,
                    )
                )
                return
            self._set_reason(key)

        self.kiosk.ask(ChoiceRequest(self.tr("Why a new label?"), self._reasons(), choose, current=self.draft.reason))

    def _set_reason(self, reason: str) -> None:
        self.draft.reason = reason
        self._show_draft()

    def _on_cancel(self) -> None:
        self.kiosk.open_flow("container", query=self.view.container_id)

    def _on_confirm(self) -> None:
        if not self.draft.reason:
            self._show_draft(mark_missing=True)
            self.kiosk.message(self.tr("Choose the reason first."), "rejected")
            return
        self.record("container_relabelled", self.draft.body(), self._on_recorded)

    def _on_recorded(self, event: Event) -> None:
        draft = self.draft
        self.kiosk.message(texts.recorded(event.kind, draft.new_label), "accepted")
        self.kiosk.open_flow(
            "labels",
            identifiers=[draft.new_label],
            title=self.tr("New label {label} recorded: print it").format(label=draft.new_label),
            container_id=draft.container_id,
        )
