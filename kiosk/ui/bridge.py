"""The one bridge from worker threads to the GUI thread: worker callbacks in, Qt signals out.

Workers (camera capture, wedge decoding, sync client, print queue, background
jobs) are plain Python and call the ``on_*`` methods from their own threads.
Each method only emits a signal; Qt queues it to the receivers on the GUI
thread, so no worker ever touches a widget.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from kiosk.ui.tasks import BackgroundTasks, Outcome

log = logging.getLogger(__name__)

ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


class WorkerBridge(QObject):
    """Turns worker callbacks into signals and runs background jobs for the screens.

    Signals (all delivered on the GUI thread):
        scan_received(object): a scan result from the camera or the handheld scanner.
        camera_state_changed(object): the capture worker's state (live, no camera, reconnecting).
        sync_status_changed(object): the sync client's status (online, waiting and rejected counts).
        print_job_changed(object): a print job's new state (queued, printed, failed with a reason).
        job_failed(object): a background job raised and its caller gave no error callback.
    """

    scan_received = Signal(object)
    camera_state_changed = Signal(object)
    sync_status_changed = Signal(object)
    print_job_changed = Signal(object)
    job_failed = Signal(object)
    _outcome_ready = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._callbacks: dict[int, tuple[ResultCallback, ErrorCallback | None]] = {}
        self._callbacks_lock = threading.Lock()
        self._delivered = 0
        self._outcome_ready.connect(self._on_outcome_ready)
        self.tasks = BackgroundTasks(self._outcome_ready.emit)

    # --- Worker callbacks (any thread) ----------------------------------------

    def on_scan(self, result: object) -> None:
        """Pass a scan result to the screens (called by the capture worker or the wedge decoder)."""
        self.scan_received.emit(result)

    def on_camera_state(self, state: object) -> None:
        """Pass the capture worker's new state to the status bar."""
        self.camera_state_changed.emit(state)

    def on_sync_status(self, status: object) -> None:
        """Pass the sync client's status to the status bar."""
        self.sync_status_changed.emit(status)

    def on_print_job(self, job: object) -> None:
        """Pass a print job's new state to the screen that printed it and the message bar."""
        self.print_job_changed.emit(job)

    # --- Background jobs (GUI thread) -----------------------------------------

    def run(self, job: Callable[[], Any], on_result: ResultCallback, on_error: ErrorCallback | None = None) -> int:
        """Run `job` on the background thread, then call `on_result(result)` on the GUI thread.

        When the job raises, `on_error(error)` is called instead; without an
        `on_error`, `job_failed` is emitted with the exception. Call from the
        GUI thread only. Returns the job's token.
        """
        token = self.tasks.submit(job)
        with self._callbacks_lock:
            self._callbacks[token] = (on_result, on_error)
        return token

    @property
    def is_idle(self) -> bool:
        """Whether every job submitted so far has run and its callback has been called on the GUI thread."""
        return self._delivered == self.tasks.submitted

    def close(self) -> None:
        """Finish queued background jobs and stop their thread."""
        self.tasks.close()

    def _on_outcome_ready(self, outcome: Outcome) -> None:
        self._delivered += 1
        with self._callbacks_lock:
            on_result, on_error = self._callbacks.pop(outcome.token, (None, None))
        if outcome.error is None:
            if on_result is not None:
                on_result(outcome.result)
            return
        if on_error is not None:
            on_error(outcome.error)
            return
        self.job_failed.emit(outcome.error)
