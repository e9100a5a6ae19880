"""Background jobs for the UI: database reads and writes and PIN checks, run off the GUI thread.

Plain Python, no Qt: `kiosk.ui.bridge` hands each outcome to the GUI thread as a signal.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

_STOP = object()


@dataclass(frozen=True)
class Outcome:
    """The value a job returned, or the exception it raised (then ``result`` is None)."""

    token: int
    result: Any = None
    error: BaseException | None = None


class BackgroundTasks:
    """Runs jobs one after another on one named thread and reports each outcome through a callback.

    Jobs run in submission order, so a read submitted after a write finds what it wrote.
    `report` is called on the worker thread with an `Outcome`; it must not
    raise and must not touch widgets.
    """

    def __init__(self, report: Callable[[Outcome], None], *, name: str = "kiosk-tasks"):
        self._report = report
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._next_token = 0
        self._token_lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    @property
    def submitted(self) -> int:
        """Jobs submitted so far (the last token given out)."""
        with self._token_lock:
            return self._next_token

    @property
    def pending(self) -> int:
        """Jobs submitted whose outcome has not been reported yet."""
        with self._idle:
            return self._pending

    def submit(self, job: Callable[[], Any]) -> int:
        """Queue a job and return its token; the outcome carries the same token."""
        if self._closed:
            raise RuntimeError("the background tasks are stopped; no more jobs are accepted")
        with self._token_lock:
            self._next_token += 1
            token = self._next_token
        with self._idle:
            self._pending += 1
        self._jobs.put((token, job))
        return token

    def wait_idle(self, timeout_s: float) -> bool:
        """Block until every submitted job has been reported; return False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout_s)

    def close(self, timeout_s: float = 10.0) -> None:
        """Finish the queued jobs, then stop the thread (waits at most `timeout_s`)."""
        if self._closed:
            return
        self._closed = True
        self._jobs.put(_STOP)
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.warning("Background task thread %s did not stop within %.0f s", self._thread.name, timeout_s)

    def _loop(self) -> None:
        while True:
            item = self._jobs.get()
            if item is _STOP:
                return
            token, job = item
            try:
                outcome = Outcome(token, result=job())
            except Exception as error:  # handed to the GUI thread, which decides whether it is a bug
                outcome = Outcome(token, error=error)
            try:
                self._report(outcome)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()
