"""The status bar on every screen: operator, station, connection, events waiting and rejected, camera, clock."""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from kiosk.ui import texts
from kiosk.ui.widgets import restyle


class StatusBar(QFrame):
    """A one-line bar across the top of the window; the clock ticks every second."""

    def __init__(self, *, station_id: str, zone: tzinfo | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("statusBar")
        self._zone = zone
        self.operator = self._label("statusOperator")
        self.station = self._label("statusStation")
        self.connection = self._label("statusConnection")
        self.waiting = self._label("statusWaiting")
        self.rejected = self._label("statusRejected")
        self.camera = self._label("statusCamera")
        self.clock = self._label("statusClock")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(8)
        for label in (self.operator, self.station, self.connection, self.waiting, self.rejected, self.camera):
            layout.addWidget(label)
        layout.addStretch(1)
        layout.addWidget(self.clock)

        self.station.setText(station_id)
        self.set_operator(None)
        self.set_connection(online=False, configured=False)
        self.set_counts(waiting=0, rejected=0)
        self.set_camera("starting")

        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_tick)
        self._timer.start(1000)
        self._on_tick()

    def _label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        # Condensed letters fit the seven items on an 800-pixel-wide screen at body size.
        font = QFont(label.font())
        font.setStretch(QFont.Stretch.Condensed)
        label.setFont(font)
        return label

    def set_operator(self, name: str | None) -> None:
        """Show the logged-in operator, or that no operator is logged in."""
        self.operator.setText(name if name else self.tr("Not logged in"))

    def set_connection(
        self, *, online: bool, configured: bool, error_code: str | None = None, error_message: str = ""
    ) -> None:
        """Show online or offline, the last sync error in a few words, or that no server is set.

        ``error_message`` is the whole English sentence, shown as the tooltip.
        """
        self.connection.setText(texts.sync_state(online=online, configured=configured, error_code=error_code))
        self.connection.setToolTip(error_message)
        self.connection.setProperty("level", "" if online and not error_code else "warning")
        restyle(self.connection)

    def set_counts(self, *, waiting: int, rejected: int) -> None:
        """Show the events waiting to sync, and the rejected ones in red (hidden when none)."""
        self.waiting.setText(texts.waiting_count(waiting))
        self.rejected.setText(texts.rejected_count(rejected))
        self.rejected.setVisible(rejected > 0)
        self.rejected.setProperty("level", "rejected" if rejected else "")
        restyle(self.rejected)

    def set_camera(self, state: str) -> None:
        """Show the camera state: live, no camera, reconnecting."""
        self.camera.setText(texts.camera_state(state))
        self.camera.setProperty("level", "" if state == "live" else "warning")
        restyle(self.camera)

    def _on_tick(self) -> None:
        now = datetime.now(self._zone) if self._zone is not None else datetime.now().astimezone()
        self.clock.setText(now.strftime("%H:%M:%S"))
