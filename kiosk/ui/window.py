"""The main window: status bar, message bar, the screen stack, scan routing, log-in and idle log-out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import QLayout, QStackedWidget, QVBoxLayout, QWidget
from shiboken6 import isValid

from kiosk.ui import queries, texts
from kiosk.ui.choices import ChoicePage, ChoiceRequest
from kiosk.ui.context import Kiosk
from kiosk.ui.keypad import EntryPage, EntryRequest
from kiosk.ui.queries import ContainerView, OperatorEntry
from kiosk.ui.scans import Route, Scan, route_scan, scan_from_result
from kiosk.ui.screens.base import Screen
from kiosk.ui.screens.home import HomeScreen
from kiosk.ui.screens.login import LoginScreen
from kiosk.ui.sound import ScanSound
from kiosk.ui.statusbar import StatusBar
from kiosk.ui.widgets import FlashOverlay, MessageBar
from sync.errors import Ambiguous, NotFound, StoreError
from sync.lineage import resolve

log = logging.getLogger(__name__)

# How often the outbox counts are read when no sync client reports them.
OUTBOX_POLL_MS = 5000
# A scan that arrives while an event is being recorded waits this long and is tried again.
SCAN_RETRY_MS = 150


class ScreenStack(QStackedWidget):
    """A stacked widget whose minimum size is its current page's, not the largest page's.

    The full keyboard needs most of a 480-pixel-high screen. When it is not
    shown, its size must not keep the message bar from fitting above the screen.
    """

    def __init__(self) -> None:
        super().__init__()
        # Without this the stacked layout sets the largest page's minimum on the widget itself.
        layout = self.layout()
        if layout is not None:
            layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def minimumSizeHint(self) -> QSize:
        current = self.currentWidget()
        return current.minimumSizeHint() if current is not None else super().minimumSizeHint()

    def sizeHint(self) -> QSize:
        current = self.currentWidget()
        return current.sizeHint() if current is not None else super().sizeHint()


class MainWindow(QWidget):
    """The kiosk window. Screens come and go in the stack; the status bar stays on top.

    ``scans_handled`` counts scans given feedback (for tests and the benchmark).
    """

    def __init__(self, kiosk: Kiosk, *, sound: ScanSound, idle_logout_s: float, sync_configured: bool):
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Powder Lineage station {station}").format(station=kiosk.station_id))
        self.kiosk = kiosk
        kiosk.window = self
        self._sound = sound
        self._sync_configured = sync_configured
        # Called with the new height after each resize (the station rescales text and targets).
        self.on_resized: Callable[[int], None] | None = None
        self.scans_handled = 0

        self.status_bar = StatusBar(station_id=kiosk.station_id, zone=kiosk.zone)
        self.status_bar.set_connection(online=False, configured=sync_configured)
        self.message_bar = MessageBar()
        self.stack = ScreenStack()
        self.entry_page = EntryPage()
        self.entry_page.finished.connect(self._on_entry_finished)
        self.stack.addWidget(self.entry_page)
        self.choice_page = ChoicePage()
        self.choice_page.finished.connect(self._on_entry_finished)
        self.stack.addWidget(self.choice_page)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.status_bar)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.stack, 1)
        self.flash = FlashOverlay(self)

        self.login_screen = LoginScreen(kiosk)
        self.home_screen = HomeScreen(
            kiosk, open_flow=self.open_flow, type_scan=self._on_typed_scan, log_out=self.log_out
        )
        self.stack.addWidget(self.login_screen)
        self.stack.addWidget(self.home_screen)
        self._flow_screen: Screen | None = None
        self._screen_before_entry: QWidget | None = None

        self._idle_logout_s = idle_logout_s
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.timeout.connect(self._on_idle_timeout)
        self._tick_timer = QTimer(self)
        self._tick_timer.timeout.connect(self._on_tick)
        self._tick_timer.start(1000)
        self._outbox_timer = QTimer(self)
        self._outbox_timer.timeout.connect(self.refresh_outbox_counts)
        if not sync_configured:
            self._outbox_timer.start(OUTBOX_POLL_MS)

        bridge = kiosk.bridge
        bridge.scan_received.connect(self._on_scan_received)
        bridge.camera_state_changed.connect(self._on_camera_state_changed)
        bridge.sync_status_changed.connect(self._on_sync_status_changed)
        bridge.print_job_changed.connect(self._on_print_job_changed)
        bridge.job_failed.connect(self._on_job_failed)

        self._set_current(self.login_screen)
        self.refresh_outbox_counts()

    # --- Screens ---------------------------------------------------------------------

    @property
    def current_screen(self) -> Screen | None:
        """The screen shown (the one under the keypad or the choices while they are up)."""
        widget = self.stack.currentWidget()
        if self._is_entry_shown():
            widget = self._screen_before_entry
        return widget if isinstance(widget, Screen) else None

    def _is_entry_shown(self) -> bool:
        return self.stack.currentWidget() in (self.entry_page, self.choice_page)

    def _set_current(self, screen: Screen) -> None:
        if self._is_entry_shown():
            self.entry_page.cancel()
            self.choice_page.cancel()
            self._screen_before_entry = None
        self.stack.setCurrentWidget(screen)
        screen.on_shown()

    def show_screen(self, screen: Screen) -> None:
        """Show a flow screen; the previous flow screen is closed."""
        previous = self._flow_screen
        self._flow_screen = screen
        self.stack.addWidget(screen)
        self._set_current(screen)
        if previous is not None and previous is not screen and isValid(previous):
            self.stack.removeWidget(previous)
            previous.deleteLater()

    def go_home(self) -> None:
        """Show the ready-to-scan screen, or the log-in screen when no operator is logged in."""
        target = self.home_screen if self.kiosk.session.is_logged_in else self.login_screen
        self._set_current(target)
        previous = self._flow_screen
        self._flow_screen = None
        if previous is not None and isValid(previous):
            self.stack.removeWidget(previous)
            previous.deleteLater()

    def open_flow(self, name: str, **arguments: Any) -> None:
        """Open a screen by name with its arguments (see `Kiosk.open_flow`)."""
        if not self.kiosk.session.is_logged_in:
            self.go_home()
            return
        if name == "container" and "query" in arguments:
            self._open_container(arguments["query"], scan=None)
            return
        self.show_screen(self._make_screen(name, arguments))

    def _make_screen(self, name: str, arguments: dict[str, Any]) -> Screen:
        # Imported here: flow screens open one another through this method, and
        # importing them at the top would make their modules import each other.
        from kiosk.ui.screens.container import ContainerScreen
        from kiosk.ui.screens.corrections import CorrectionsScreen
        from kiosk.ui.screens.exposure import ExposureScreen
        from kiosk.ui.screens.labels import LabelsScreen
        from kiosk.ui.screens.register_lot import RegisterLotScreen
        from kiosk.ui.screens.relabel import RelabelScreen
        from kiosk.ui.screens.sampling import SampleScreen
        from kiosk.ui.screens.timeline import TimelineScreen
        from kiosk.ui.screens.transformation import TransformationScreen

        factories: dict[str, Any] = {
            "container": ContainerScreen,
            "exposure": ExposureScreen,
            "register_lot": RegisterLotScreen,
            "transformation": TransformationScreen,
            "sample": SampleScreen,
            "relabel": RelabelScreen,
            "timeline": TimelineScreen,
            "corrections": CorrectionsScreen,
            "labels": LabelsScreen,
        }
        screen: Screen = factories[name](self.kiosk, **arguments)
        return screen

    # --- Entry page --------------------------------------------------------------------

    def ask(self, request: EntryRequest | ChoiceRequest) -> None:
        """Show the keypad, the keyboard or a list of choices over the current screen."""
        if not self._is_entry_shown():
            self._screen_before_entry = self.stack.currentWidget()
        self.message_bar.hide()
        if isinstance(request, ChoiceRequest):
            self.choice_page.start(request)
            self.stack.setCurrentWidget(self.choice_page)
            return
        self.entry_page.start(request)
        self.stack.setCurrentWidget(self.entry_page)

    def _on_entry_finished(self) -> None:
        target = self._screen_before_entry
        self._screen_before_entry = None
        if target is not None and isValid(target):
            self.stack.setCurrentWidget(target)
        else:
            self.go_home()
        # Shown only now: above the keyboard there is no room for it.
        if self.message_bar.text():
            self.message_bar.show()

    # --- Messages and scan feedback --------------------------------------------------

    def show_message(self, text: str, level: str = "info") -> None:
        """Show a message under the status bar (hidden while the keypad is up)."""
        self.message_bar.show_message(text, level)
        if self._is_entry_shown():
            self.message_bar.hide()

    def scan_feedback(self, *, accepted: bool, text: str) -> None:
        """Sound and colour flash for a scan; the text stays in the message bar."""
        self.scans_handled += 1
        self._sound.play(accepted=accepted)
        self.flash.flash(accepted=accepted, text=text)
        self.show_message(text, "accepted" if accepted else "rejected")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.flash.isVisible():
            self.flash.setGeometry(self.rect())
        if self.on_resized is not None:
            # After this event: restyling inside it would resize the window again while it resizes.
            height = event.size().height()
            QTimer.singleShot(0, lambda: self._report_resize(height))

    def _report_resize(self, height: int) -> None:
        if self.on_resized is not None:
            self.on_resized(height)

    # --- Scans --------------------------------------------------------------------------

    def _on_typed_scan(self, text: str) -> None:
        self._on_scan_received(Scan(scan_from_result(text).payload, "typed"))

    def _on_scan_received(self, result: object) -> None:
        scan = scan_from_result(result)
        self._restart_idle_timer()
        screen = self.current_screen
        if screen is not None and screen.is_busy:
            QTimer.singleShot(SCAN_RETRY_MS, lambda: self._on_scan_received(scan))
            return
        # A text entry takes the id a scanned label carries, as if it had been typed.
        entry_shown = self.stack.currentWidget() is self.entry_page
        typed = scan.identifier
        if entry_shown and typed is not None and self.entry_page.accept_scan(typed):
            self.scan_feedback(accepted=True, text=typed)
            return
        if self.kiosk.session.is_logged_in and screen is not None and screen.handle_scan(scan):
            return
        self._route(scan, route_scan(scan.payload, logged_in=self.kiosk.session.is_logged_in))

    def _route(self, scan: Scan, route: Route) -> None:
        if route.action == "reject":
            reason = {
                "log_in_first": texts.log_in_first(),
                "unknown": texts.unknown_scan(scan.shown_text),
            }.get(route.reason, route.reason)
            self.scan_feedback(accepted=False, text=texts.scan_rejected(reason))
            return
        if route.action == "log_in":
            self.read_badge(route.identifier)
            return
        screen = self.current_screen
        if screen is not None and screen.keeps_draft:
            self.scan_feedback(
                accepted=False,
                text=texts.scan_rejected(self.tr("finish or cancel this step first; the scan does not fit here")),
            )
            return
        if route.action == "container":
            self._open_container(route.identifier, scan=scan)
        elif route.action == "register_lot":
            self.scan_feedback(accepted=True, text=self.tr("Supplier label read: register the lot"))
            self.show_screen(self._make_screen("register_lot", {"scan": scan}))
        elif route.action == "lookup":
            self._look_up(route.identifier, scan)

    def _open_container(self, identifier: str, *, scan: Scan | None) -> None:
        now = self.kiosk.now_utc_us()

        def opened(view: ContainerView) -> None:
            if scan is not None:
                self.scan_feedback(accepted=True, text=self.tr("Container {id}").format(id=view.container_id))
            self.show_screen(self._make_screen("container", {"view": view}))

        def failed(error: BaseException) -> None:
            if scan is None:
                self.show_message(str(error), "rejected")
            else:
                self.scan_feedback(accepted=False, text=texts.scan_rejected(str(error)))

        self.kiosk.read(lambda: queries.load_container(identifier, now_utc_us=now), opened, failed)

    def _look_up(self, identifier: str, scan: Scan) -> None:
        """Open what a plain code names: a container label, else a lot, lot number or sample timeline."""
        now = self.kiosk.now_utc_us()

        def look_up() -> tuple[str, Any]:
            try:
                return "container", queries.load_container(identifier, now_utc_us=now)
            except NotFound:
                pass
            try:
                return "timeline", resolve(identifier)
            except NotFound:
                return "unknown", None

        def found(outcome: tuple[str, Any]) -> None:
            kind, value = outcome
            if kind == "container":
                self.scan_feedback(accepted=True, text=self.tr("Container {id}").format(id=value.container_id))
                self.show_screen(self._make_screen("container", {"view": value}))
            elif kind == "timeline":
                self.scan_feedback(accepted=True, text=self.tr("Lot {lot}").format(lot=value.lot_id))
                self.show_screen(self._make_screen("timeline", {"query": identifier}))
            elif scan.identifier is not None and not scan.payload.text.startswith("PL"):
                # An unknown plain code is most likely a new supplier lot number.
                self.scan_feedback(
                    accepted=True, text=self.tr("New lot number {number}: register the lot").format(number=identifier)
                )
                self.show_screen(self._make_screen("register_lot", {"scan": scan}))
            else:
                self.scan_feedback(accepted=False, text=texts.scan_rejected(texts.unknown_scan(scan.shown_text)))

        def failed(error: BaseException) -> None:
            if isinstance(error, Ambiguous):
                self.scan_feedback(accepted=False, text=texts.scan_rejected(str(error)))
            else:
                self.scan_feedback(accepted=False, text=texts.store_problem(str(error)))

        self.kiosk.read(look_up, found, failed)

    # --- Log-in ---------------------------------------------------------------------------

    def read_badge(self, badge_id: str) -> None:
        """Log in the operator whose badge was scanned (after checking the badge is active)."""

        def checked(operator: OperatorEntry | None) -> None:
            if operator is None:
                self.scan_feedback(accepted=False, text=texts.scan_rejected(texts.badge_unknown(badge_id)))
                return
            if self.kiosk.session.operator == operator:
                self.scan_feedback(accepted=True, text=texts.logged_in(operator.name))
                return
            self.scan_feedback(accepted=True, text=texts.logged_in(operator.name))
            self.log_in(operator, method="badge")

        self.kiosk.read(lambda: queries.operator_by_badge(badge_id), checked)

    def log_in(self, operator: OperatorEntry, *, method: str) -> None:
        """Start a session for `operator` and show the ready-to-scan screen."""
        self.kiosk.session.log_in(operator, method=method)
        log.info("Operator %s logged in by %s", operator.badge_id, method)
        self.status_bar.set_operator(operator.name)
        if method != "badge":
            self.show_message(texts.logged_in(operator.name), "accepted")
        self._restart_idle_timer()
        self.go_home()

    def log_out(self, *, idle: bool = False) -> None:
        """End the session and show the log-in screen."""
        operator = self.kiosk.session.operator
        if operator is not None:
            log.info("Operator %s logged out%s", operator.badge_id, " after idle time" if idle else "")
        self.kiosk.session.log_out()
        self.status_bar.set_operator(None)
        self._idle_timer.stop()
        if idle:
            self.show_message(texts.logged_out_idle(self._idle_logout_s / 60), "info")
        else:
            self.show_message("", "info")
        self.go_home()

    def _restart_idle_timer(self) -> None:
        if self.kiosk.session.is_logged_in and self._idle_logout_s > 0:
            self._idle_timer.start(int(self._idle_logout_s * 1000))

    def on_user_activity(self) -> None:
        """Restart the idle log-out timer (called by the application's input filter)."""
        self._restart_idle_timer()

    def _on_idle_timeout(self) -> None:
        if self.kiosk.session.is_logged_in:
            self.log_out(idle=True)

    # --- Worker signals ------------------------------------------------------------------

    def _on_tick(self) -> None:
        screen = self.current_screen
        if screen is not None and self.stack.currentWidget() is screen:
            screen.tick()

    def _on_camera_state_changed(self, status: object) -> None:
        """Show the capture worker's state: running is live, a camera that never opened is missing, a lost one reconnecting."""
        state = getattr(status, "state", status)
        value = str(getattr(state, "value", state))
        shown = {"connecting": "starting", "running": "live", "lost": "reconnecting", "unavailable": "no_camera"}
        self.status_bar.set_camera(shown.get(value, value))
        message = str(getattr(status, "message", ""))
        if value in ("lost", "unavailable") and message:
            self.show_message(message, "warning")

    def _on_sync_status_changed(self, status: Any) -> None:
        self.status_bar.set_connection(
            online=bool(status.online),
            configured=self._sync_configured,
            error_code=status.last_error_code,
            error_message=status.last_error or "",
        )
        self.status_bar.set_counts(waiting=int(status.waiting), rejected=int(status.rejected))

    def refresh_outbox_counts(self) -> None:
        """Read the outbox counts for the status bar (when no sync client reports them)."""

        def show(counts: queries.OutboxCounts) -> None:
            self.status_bar.set_counts(waiting=counts.waiting, rejected=counts.rejected)

        self.kiosk.read(queries.outbox_counts, show, lambda error: log.error("Outbox counts not read: %s", error))

    def _on_print_job_changed(self, status: Any) -> None:
        state = str(getattr(status, "state", ""))
        message = str(getattr(status, "message", ""))
        level = {"printed": "accepted", "waiting_retry": "rejected", "lost": "rejected"}.get(state, "info")
        if message:
            self.show_message(message, level)

    def _on_job_failed(self, error: BaseException) -> None:
        if isinstance(error, StoreError):
            self.show_message(texts.store_problem(str(error)), "rejected")
            return
        raise error

    def closeEvent(self, event: QCloseEvent) -> None:
        self._tick_timer.stop()
        self._outbox_timer.stop()
        self._idle_timer.stop()
        super().closeEvent(event)
