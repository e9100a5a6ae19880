"""The services every screen uses, handed in through the constructor: store jobs, session, navigation, feedback."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from kiosk.config import Config
from kiosk.ui import texts
from kiosk.ui.bridge import WorkerBridge
from kiosk.ui.choices import ChoiceRequest
from kiosk.ui.keypad import EntryRequest
from kiosk.ui.session import PinAttempts, Session
from kiosk.ui.theme import Metrics
from sync.errors import ActionRejected, StoreError
from sync.records import Event, InvalidEvent
from sync.store import Store

if TYPE_CHECKING:
    from kiosk.labels.printing import LabelPrinting
    from kiosk.ui.screens.base import Screen
    from kiosk.ui.window import MainWindow

log = logging.getLogger(__name__)


@dataclass
class Kiosk:
    """The station's collaborators, shared by the main window and its screens.

    Every database access goes through `read` or `record`, which run on the
    background task thread and call back on the GUI thread.
    """

    config: Config
    store: Store
    bridge: WorkerBridge
    metrics: Metrics
    zone: tzinfo | None
    printing: LabelPrinting | None = None
    session: Session = field(default_factory=Session)
    pin_attempts: PinAttempts = field(default_factory=PinAttempts)
    # Called after each recorded event (wakes the sync client, refreshes the outbox counts).
    on_recorded: Callable[[Event], None] | None = None
    window: MainWindow | None = None

    @property
    def station_id(self) -> str:
        """This station's id; the kiosk always opens its store with one."""
        station_id = self.store.station_id
        if station_id is None:
            raise RuntimeError(f"the store {self.store.path} has no station id; open it with the station's id")
        return station_id

    # --- Navigation and feedback (delegated to the main window) ----------------------

    def _window(self) -> MainWindow:
        if self.window is None:
            raise RuntimeError("the kiosk has no main window yet")
        return self.window

    def show(self, screen: Screen) -> None:
        """Show a screen (the previous flow screen is closed)."""
        self._window().show_screen(screen)

    def open_flow(self, name: str, **arguments: Any) -> None:
        """Open a screen by name (container, exposure, register_lot, transformation, sample, relabel,
        timeline, corrections, labels) with its arguments."""
        self._window().open_flow(name, **arguments)

    def home(self) -> None:
        """Go back to the ready-to-scan screen (or the log-in screen when no operator is logged in)."""
        self._window().go_home()

    def ask(self, request: EntryRequest | ChoiceRequest) -> None:
        """Open the keypad, the keyboard or a list of choices for one value."""
        self._window().ask(request)

    def message(self, text: str, level: str = "info") -> None:
        """Show a message under the status bar: accepted, rejected, warning or info."""
        self._window().show_message(text, level)

    def scan_feedback(self, *, accepted: bool, text: str) -> None:
        """Give a scan its sound and colour flash, and keep the text under the status bar."""
        self._window().scan_feedback(accepted=accepted, text=text)

    # --- Store jobs -----------------------------------------------------------------

    def read(
        self,
        job: Callable[[], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run `job` inside a read snapshot on the task thread, then `on_result(result)` on the GUI thread.

        A StoreError (NotFound, Ambiguous, a failed store) goes to `on_error`,
        or is shown as a message when there is none. Any other exception is a
        bug and reaches the crash handler.
        """

        def read_job() -> Any:
            with self.store.reading():
                return job()

        def failed(error: BaseException) -> None:
            if not isinstance(error, StoreError):
                raise error
            if on_error is not None:
                on_error(error)
            else:
                self.message(texts.store_problem(str(error)), "rejected")

        self.bridge.run(read_job, on_result, failed)

    def record(
        self,
        kind: str,
        body: dict[str, Any],
        *,
        on_recorded: Callable[[Event], None],
        on_not_recorded: Callable[[str], None] | None = None,
    ) -> None:
        """Record an event as the logged-in operator on the task thread; call back on the GUI thread.

        A rejection (station rule, invalid body, full disk, failed store) is
        shown in red and passed to `on_not_recorded` with the reason; nothing
        is stored then. A bug reaches the crash handler.
        """
        operator_id = self.session.operator_id

        def record_job() -> Event:
            return self.store.record(kind, body, operator_id=operator_id)

        def recorded(event: Event) -> None:
            log.info("Recorded %s event %s by %s", kind, event.event_id, operator_id)
            if self.on_recorded is not None:
                self.on_recorded(event)
            on_recorded(event)

        def failed(error: BaseException) -> None:
            if isinstance(error, InvalidEvent):
                # The screens check every entry, so an invalid body means an entry check is missing.
                log.warning("The %s event was invalid and not recorded: %s", kind, error)
            elif isinstance(error, ActionRejected):
                log.info("Station rule rejected a %s event: %s", kind, error)
            elif isinstance(error, StoreError):
                log.error("The %s event was not recorded: %s", kind, error)
            else:
                raise error
            reason = str(error)
            self.message(texts.not_recorded(reason), "rejected")
            if on_not_recorded is not None:
                on_not_recorded(reason)

        self.bridge.run(record_job, recorded, failed)

    # --- Time ----------------------------------------------------------------------------

    def now_utc_us(self) -> int:
        """Return the current time in microseconds since the Unix epoch."""
        return time.time_ns() // 1000

    def local_time(self, occurred_at: str) -> str:
        """Format an event time (ISO 8601 with offset) in the station's zone as ``YYYY-MM-DD HH:MM``."""
        try:
            moment = datetime.fromisoformat(occurred_at)
        except ValueError:
            return occurred_at
        local = moment.astimezone(self.zone) if self.zone is not None else moment.astimezone()
        return local.strftime("%Y-%m-%d %H:%M")
