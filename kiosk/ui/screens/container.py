"""The container screen: identity, open or sealed with a live counter, exposure warnings, last events, actions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from kiosk.ui import texts
from kiosk.ui.alerts import exposure_warnings, format_clock_duration, open_seconds
from kiosk.ui.context import Kiosk
from kiosk.ui.queries import ContainerView, load_container
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import TouchButton, connect_tap, restyle, text_label

# The most recent events listed; fewer when fewer lines fit.
MAX_EVENTS_SHOWN = 8


class ContainerScreen(Screen):
    """Shows one container after a scan; Open or Reseal is the big button, 1 tap from here."""

    def __init__(self, kiosk: Kiosk, view: ContainerView):
        super().__init__(kiosk, "", object_name="containerScreen")
        self.view = view
        self.identity = text_label(object_name="containerIdentity")
        self.identity.setTextFormat(Qt.TextFormat.PlainText)
        self.identity.setProperty("role", "panel")
        # Short lines without wrapping, so the panel's height is exact and never squeezed.
        self.identity.setWordWrap(False)
        self.identity.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.state = text_label(object_name="containerState")
        self.state.setProperty("role", "big")
        self.state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.counter = text_label(object_name="containerCounter")
        self.counter.setProperty("role", "big")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.warnings_box = QVBoxLayout()
        self.events = text_label(object_name="containerEvents")
        self.events.setTextFormat(Qt.TextFormat.PlainText)
        self.events.setProperty("role", "muted")
        # The last events give way first when warnings need the room; the timeline shows them all.
        # Without wrapping a label has no height-for-width, so the explicit minimum below holds.
        self.events.setWordWrap(False)
        self.events.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.events.setMinimumHeight(1)
        self.events.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.exposure_button = TouchButton(role="primary", object_name="exposureButton")
        connect_tap(self.exposure_button, self._on_exposure_tapped)

        left = QVBoxLayout()
        left.addWidget(self.identity)
        left.addWidget(self.events, 1)
        right = QVBoxLayout()
        right.addWidget(self.state)
        right.addWidget(self.counter)
        right.addStretch(1)
        right.addWidget(self.exposure_button)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        self.body.addLayout(columns, 1)
        # Warnings span the whole width, so each fits on one line even on an 800-pixel screen.
        self.body.addLayout(self.warnings_box)

        self.add_action(self.tr("Done"), kiosk.home, role="secondary", object_name="containerDone")
        self.add_action(self.tr("Timeline"), self._on_timeline_tapped, object_name="containerTimeline")
        self.add_action(self.tr("Sample"), self._on_sample_tapped, object_name="containerSample")
        self.add_action(self.tr("Relabel"), self._on_relabel_tapped, object_name="containerRelabel")
        self.add_action(self.tr("Print label"), self._on_print_tapped, object_name="containerPrint")
        self._warning_labels: list[QLabel] = []
        self._show_view()

    def _show_view(self) -> None:
        view = self.view
        self.title.setText(self.tr("Container {container}").format(container=view.container_id))
        lines = [
            self.tr("Lot {lot} · {number}").format(lot=view.lot_id, number=view.lot_number or "—"),
            self.tr("{supplier} · {origin}").format(
                supplier=view.supplier or "—", origin=texts.material_origin(view.material_origin)
            ),
            self.tr("{grade} {name}").format(grade=view.grade_id, name=view.grade_name),
            self.tr("{mass:g} {unit} · label {label}").format(
                mass=view.net_mass, unit=view.unit, label=view.current_label
            ),
        ]
        if view.storage_location:
            lines.append(self.tr("At {location}").format(location=view.storage_location))
        self.identity.setText("\n".join(lines))

        self._show_events()

        if view.is_open:
            self.state.setText(self.tr("OPEN"))
            self.exposure_button.setText(self.tr("Reseal"))
            self.exposure_button.setObjectName("resealButton")
        else:
            self.state.setText(self.tr("Sealed"))
            self.exposure_button.setText(self.tr("Open"))
            self.exposure_button.setObjectName("openButton")
        self.tick()

    def _show_events(self) -> None:
        """List as many of the last events as fit in whole lines under their heading."""
        line_px = max(self.events.fontMetrics().lineSpacing(), 1)
        fitting = max(self.events.height() // line_px - 1, 0)
        lines = [self.tr("Last events:")]
        for line in self.view.recent_events[: min(fitting, MAX_EVENTS_SHOWN)]:
            event = line.event
            voided = self.tr(" (voided)") if line.voided_by else ""
            lines.append(
                f"{self.kiosk.local_time(event.occurred_at)}  {texts.event_kind(event.kind)}{voided} · {event.operator_id}"
            )
        self.events.setText("\n".join(lines) if fitting else "")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_events()

    def tick(self) -> None:
        view = self.view
        open_s = open_seconds(view.opened_utc_us, self.kiosk.now_utc_us()) if view.is_open else 0.0
        if view.is_open:
            self.counter.setText(format_clock_duration(open_s))
        else:
            self.counter.setText(self.tr("Open in total {time}").format(time=format_clock_duration(view.closed_open_s)))
        role = "big" if view.is_open else ""
        if self.counter.property("role") != role:
            self.counter.setProperty("role", role)
            restyle(self.counter)
        warnings = exposure_warnings(
            is_open=view.is_open,
            open_s=open_s,
            max_open_minutes=view.max_open_minutes,
            relative_humidity_pct=view.last_relative_humidity_pct if view.is_open else None,
            rh_limit_pct=view.rh_limit_pct,
        )
        self._show_warnings([(texts.exposure_warning(w), "severe" if w.is_severe else "warning") for w in warnings])

    def _show_warnings(self, items: list[tuple[str, str]]) -> None:
        while len(self._warning_labels) < len(items):
            label = text_label(object_name=f"containerWarning{len(self._warning_labels)}")
            self.warnings_box.addWidget(label)
            self._warning_labels.append(label)
        for index, label in enumerate(self._warning_labels):
            if index < len(items):
                text, level = items[index]
                label.setText(text)
                if label.property("level") != level:
                    label.setProperty("level", level)
                    restyle(label)
                label.show()
            else:
                label.hide()

    @property
    def warning_texts(self) -> list[str]:
        """The warnings shown now."""
        return [label.text() for label in self._warning_labels if not label.isHidden()]

    def refresh(self) -> None:
        """Read the container again (after an event) and show it."""
        self.read(lambda: load_container(self.view.container_id, now_utc_us=self.kiosk.now_utc_us()), self._on_reloaded)

    def _on_reloaded(self, view: ContainerView) -> None:
        view = ContainerView(**{**view.__dict__, "scanned": self.view.scanned})
        self.view = view
        self._show_view()

    def _on_exposure_tapped(self) -> None:
        self.kiosk.open_flow("exposure", view=self.view, opening=not self.view.is_open)

    def _on_timeline_tapped(self) -> None:
        self.kiosk.open_flow("timeline", query=self.view.container_id)

    def _on_sample_tapped(self) -> None:
        self.kiosk.open_flow("sample", lot_id=self.view.lot_id, container_ids=[self.view.container_id])

    def _on_relabel_tapped(self) -> None:
        self.kiosk.open_flow("relabel", view=self.view)

    def _on_print_tapped(self) -> None:
        self.kiosk.open_flow(
            "labels",
            identifiers=[self.view.current_label],
            title=self.tr("Reprint the label"),
            container_id=self.view.container_id,
        )
