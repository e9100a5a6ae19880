"""Sampling: method and version, sample location, increments and compositing rule; then the sample label."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout

from kiosk.ui import texts
from kiosk.ui.choices import ChoiceRequest
from kiosk.ui.context import Kiosk
from kiosk.ui.drafts import SampleDraft
from kiosk.ui.entries import INCREMENTS, parse_number, parse_text
from kiosk.ui.keypad import EntryRequest
from kiosk.ui.queries import MethodChoice, ReferenceChoices, reference_choices
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import FieldButton, connect_tap, text_label
from sync.records import Event


class SampleScreen(Screen):
    """Records a sample of a lot (from the containers listed) and offers its label."""

    keeps_draft = True

    def __init__(self, kiosk: Kiosk, *, lot_id: str, container_ids: list[str]):
        super().__init__(kiosk, self.tr("Sample of lot {lot}").format(lot=lot_id), object_name="sampleScreen")
        self.draft = SampleDraft(lot_id, list(container_ids), sample_location=kiosk.config.ui_sample_location)
        self.methods: list[MethodChoice] = []
        self.body.addWidget(
            text_label(
                self.tr("Sample {sample} from {containers}").format(
                    sample=self.draft.sample_id, containers=", ".join(container_ids) or self.tr("the lot")
                ),
                role="muted",
                object_name="sampleSummary",
            )
        )
        grid = QGridLayout()
        grid.setSpacing(kiosk.metrics.spacing_px)
        self.method = FieldButton(self.tr("Method"), object_name="sampleMethod")
        self.location = FieldButton(self.tr("Sample location"), object_name="sampleLocation")
        self.increments = FieldButton(self.tr("Increments"), object_name="sampleIncrements")
        self.rule = FieldButton(self.tr("Compositing"), object_name="sampleRule")
        connect_tap(self.method, self._edit_method)
        connect_tap(self.location, self._edit_location)
        connect_tap(self.increments, self._edit_increments)
        connect_tap(self.rule, self._edit_rule)
        grid.addWidget(self.method, 0, 0, 1, 2)
        grid.addWidget(self.location, 1, 0)
        grid.addWidget(self.increments, 1, 1)
        grid.addWidget(self.rule, 2, 0, 1, 2)
        self.body.addLayout(grid)
        self.body.addStretch(1)
        self.add_action(self.tr("Cancel"), self._on_cancel, role="secondary", object_name="sampleCancel")
        self.add_action(self.tr("Record sample"), self._on_confirm, role="primary", object_name="sampleConfirm")
        self._show_draft()

    def on_shown(self) -> None:
        if not self.methods:
            self.read(reference_choices, self._on_choices_loaded)

    def _on_choices_loaded(self, choices: ReferenceChoices) -> None:
        self.methods = choices.methods
        if not self.draft.method_id and self.methods:
            # The newest version of the first method: methods are listed newest version first.
            self._use_method(self.methods[0])

    def _use_method(self, method: MethodChoice) -> None:
        draft = self.draft
        draft.method_id = method.method_id
        draft.method_version = method.version
        draft.increments = method.default_increments
        draft.compositing_rule = method.compositing_rule
        self._show_draft()

    def _show_draft(self, *, mark_missing: bool = False) -> None:
        draft = self.draft
        method = next(
            (m for m in self.methods if (m.method_id, m.version) == (draft.method_id, draft.method_version)), None
        )
        name = f"{draft.method_id} v{draft.method_version}: {method.name}" if method else draft.method_id
        self.method.set_value(name)
        self.location.set_value(draft.sample_location)
        self.increments.set_value(str(draft.increments) if draft.increments else "")
        self.rule.set_value(draft.compositing_rule)
        missing = set(draft.missing_fields()) if mark_missing else set()
        self.method.set_missing("method_id" in missing)
        self.location.set_missing("sample_location" in missing)
        self.increments.set_missing("increments" in missing)
        self.rule.set_missing("compositing_rule" in missing)

    def _edit_method(self) -> None:
        choices = [((m.method_id, m.version), f"{m.method_id} v{m.version}: {m.name}") for m in self.methods]

        def choose(key: tuple[str, int]) -> None:
            method = next(m for m in self.methods if (m.method_id, m.version) == key)
            self._use_method(method)

        current = (self.draft.method_id, self.draft.method_version) if self.draft.method_id else None
        self.kiosk.ask(ChoiceRequest(self.tr("Sampling method and version"), choices, choose, current=current))

    def _edit_location(self) -> None:
        def accept(value: str) -> None:
            self.draft.sample_location = value
            self._show_draft()

        self.kiosk.ask(
            EntryRequest(
                caption=self.tr("Sample location"),
                initial=self.draft.sample_location,
                mode="text",
                parse=parse_text,
                hint=self.tr("where in the container or line the sample was drawn"),
                on_accept=accept,
            )
        )

    def _edit_increments(self) -> None:
        def accept(value: float) -> None:
            self.draft.increments = int(value)
            self._show_draft()

        self.kiosk.ask(
            EntryRequest(
                caption=self.tr("Number of increments"),
                initial=str(self.draft.increments or ""),
                parse=lambda text: parse_number(text, INCREMENTS),
                on_accept=accept,
            )
        )

    def _edit_rule(self) -> None:
        def accept(value: str) -> None:
            self.draft.compositing_rule = value
            self._show_draft()

        self.kiosk.ask(
            EntryRequest(
                caption=self.tr("Compositing rule"),
                initial=self.draft.compositing_rule,
                mode="text",
                parse=parse_text,
                on_accept=accept,
            )
        )

    def _on_cancel(self) -> None:
        self._back()

    def _back(self) -> None:
        if len(self.draft.container_ids) == 1:
            self.kiosk.open_flow("container", query=self.draft.container_ids[0])
        else:
            self.kiosk.home()

    def _on_confirm(self) -> None:
        if self.draft.missing_fields():
            self._show_draft(mark_missing=True)
            self.kiosk.message(self.tr("Fill in the fields marked in red first."), "rejected")
            return
        self.record("sample_taken", self.draft.body(), self._on_recorded)

    def _on_recorded(self, event: Event) -> None:
        draft = self.draft
        self.kiosk.message(texts.recorded(event.kind, draft.sample_id), "accepted")
        container = draft.container_ids[0] if len(draft.container_ids) == 1 else None
        self.kiosk.open_flow(
            "labels",
            identifiers=[draft.sample_id],
            title=self.tr("Sample {sample} recorded: print its label").format(sample=draft.sample_id),
            container_id=container,
        )
