"""A lot's timeline on screen for any scanned or typed lot, container, label or sample id."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from kiosk.scan.payloads import Gs1Data, ProjectLabel, RejectedLabelPayload, SupplierLotNumber, identifier_in_store
from kiosk.ui import texts
from kiosk.ui.alerts import format_clock_duration
from kiosk.ui.context import Kiosk
from kiosk.ui.entries import parse_text
from kiosk.ui.keypad import EntryRequest
from kiosk.ui.scans import Scan
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import TouchButton, clear_layout, connect_tap, scroll_panel, text_label
from sync.errors import Ambiguous, NotFound, StoreError
from sync.timeline import build_timeline, release_status


class TimelineScreen(Screen):
    """Shows identity, events (voided ones marked), exposure, related lots and samples; related lots open theirs."""

    def __init__(self, kiosk: Kiosk, *, query: str = ""):
        super().__init__(kiosk, self.tr("Lot timeline"), object_name="timelineScreen")
        self.query = query
        self.timeline: dict[str, Any] | None = None
        self.content = QWidget()
        self.content_layout = QVBoxLayout(self.content)
        self.content_layout.setContentsMargins(0, 0, 0, 0)
        self.summary = text_label(object_name="timelineSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setProperty("role", "panel")
        self.events = text_label(object_name="timelineEvents")
        self.events.setTextFormat(Qt.TextFormat.PlainText)
        self.related = QGridLayout()
        self.content_layout.addWidget(self.summary)
        self.content_layout.addLayout(self.related)
        self.content_layout.addWidget(self.events)
        self.content_layout.addStretch(1)
        self.body.addWidget(scroll_panel(self.content), 1)
        self.add_action(self.tr("Done"), kiosk.home, role="secondary", object_name="timelineDone")
        self.add_action(self.tr("Type an id"), self._on_type_id, object_name="timelineTypeId")
        if not query:
            self.summary.setText(self.tr("Scan a label, or type a lot, container or sample id."))

    def on_shown(self) -> None:
        if self.query and self.timeline is None:
            self.load(self.query)

    def load(self, query: str) -> None:
        """Read and show the timeline of the lot that `query` names (an id, lot number, label or GS1 text)."""
        self.query = query
        now = self.kiosk.now_utc_us()

        def load_timeline() -> dict[str, Any]:
            try:
                identifier = identifier_in_store(query)
            except RejectedLabelPayload as error:
                # Text that names nothing to look up is shown as an id not found, as the read path expects.
                raise NotFound(str(error)) from error
            return build_timeline(identifier, now_utc_us=now)

        self.read(load_timeline, self._on_loaded, self._on_failed)

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, NotFound | Ambiguous):
            self.summary.setText(str(error))
            self.kiosk.message(str(error), "rejected")
            return
        if isinstance(error, StoreError):
            self.kiosk.message(texts.store_problem(str(error)), "rejected")
            return
        raise error

    def handle_scan(self, scan: Scan) -> bool:
        payload = scan.payload
        if isinstance(payload, Gs1Data) and payload.batch_lot:
            identifier: str | None = payload.batch_lot
        elif isinstance(payload, ProjectLabel | SupplierLotNumber):
            identifier = scan.identifier
        else:
            return False
        if identifier is None:
            return False
        self.kiosk.scan_feedback(accepted=True, text=self.tr("Timeline of {id}").format(id=identifier))
        self.load(identifier)
        return True

    def _on_type_id(self) -> None:
        self.kiosk.ask(
            EntryRequest(
                caption=self.tr("Lot, container or sample id"), mode="text", parse=parse_text, on_accept=self.load
            )
        )

    def _on_loaded(self, timeline: dict[str, Any]) -> None:
        self.timeline = timeline
        identity = timeline["identity"]
        self.title.setText(self.tr("Lot {lot}").format(lot=identity["lot_id"]))
        self._show_summary(timeline)
        self._show_related(timeline)
        self._show_events(timeline)

    def _show_summary(self, timeline: dict[str, Any]) -> None:
        identity = timeline["identity"]
        exposure = timeline["exposure"]
        lines = [
            self.tr("Lot number {number} · supplier {supplier}").format(
                number=identity["lot_number"] or "—", supplier=identity["supplier"] or "—"
            ),
            self.tr("Grade {grade} v{version} · origin {origin}").format(
                grade=identity["grade_id"],
                version=identity["grade_version"],
                origin=texts.material_origin(
                    (identity["origin_step"] and "derived") or identity["material_origin"] or ""
                ),
            ),
            self.tr("Mass {mass:g} kg · recycled share {share:.1f} % · release: {status}").format(
                mass=identity["total_mass_kg"],
                share=identity["recycled_share"] * 100,
                status=texts.decision_name(release_status(timeline)) if timeline["decisions"] else self.tr("undecided"),
            ),
            self.tr("Open in total {open} · above the humidity limit {above} · open now: {open_now}").format(
                open=format_clock_duration(exposure["cumulative_open_s"]),
                above=format_clock_duration(exposure["above_rh_limit_s"]),
                open_now=", ".join(exposure["open_now"]) or self.tr("none"),
            ),
        ]
        containers = identity["containers"]
        if containers:
            lines.append(
                self.tr("Containers: {containers}").format(
                    containers=", ".join(
                        f"{c['container_id']} ({self.tr('open') if c['is_open'] else self.tr('sealed')})"
                        for c in containers
                    )
                )
            )
        for sample in timeline["samples"]:
            voided = self.tr(" (voided)") if sample["voided_by"] else ""
            lines.append(
                self.tr("Sample {sample}{voided}: {method} v{version}, {results} result(s)").format(
                    sample=sample["sample_id"],
                    voided=voided,
                    method=sample["method_id"],
                    version=sample["method_version"],
                    results=len(sample["results"]),
                )
            )
        self.summary.setText("\n".join(lines))

    def _show_related(self, timeline: dict[str, Any]) -> None:
        clear_layout(self.related)
        buttons: list[TouchButton] = []
        for relative in timeline["upstream"][:6]:
            text = self.tr("↑ {lot} {share:.0f} %").format(
                lot=relative["lot_id"], share=relative["share_of_this_lot"] * 100
            )
            buttons.append(self._lot_button(relative["lot_id"], text, "upstream"))
        for relative in timeline["downstream"][:6]:
            text = self.tr("↓ {lot}").format(lot=relative["lot_id"])
            buttons.append(self._lot_button(relative["lot_id"], text, "downstream"))
        for index, button in enumerate(buttons):
            self.related.addWidget(button, index // 3, index % 3)

    def _lot_button(self, lot_id: str, text: str, direction: str) -> TouchButton:
        button = TouchButton(text, role="secondary", object_name=f"{direction}-{lot_id}")
        connect_tap(button, lambda: self.load(lot_id))
        return button

    def _show_events(self, timeline: dict[str, Any]) -> None:
        lines = [self.tr("Events, oldest first:")]
        for event in timeline["events"]:
            voided = self.tr("VOIDED ") if event["voided_by"] else ""
            lines.append(
                f"{self.kiosk.local_time(event['occurred_at'])}  {voided}{texts.event_kind(event['kind'])}"
                f"  · {event['operator_id']} @ {event['station_id']}"
            )
            lines.append(f"      {texts.event_summary(event['kind'], event['body'])}")
        self.events.setText("\n".join(lines))
