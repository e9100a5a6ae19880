"""The capture worker: reads a frame source in its own thread and always hands on the newest frame.

Plain Python, no Qt. The worker reports through callbacks, which run in its
threads: the UI bridge turns them into signals. A source that cannot be
opened is reported unavailable and tried again every ``reconnect_interval_s``,
since a camera may be plugged in later. An open source that delivers no new
frame for ``lost_after_s`` (no frame, an empty frame, or the same frame
again) is reported lost, closed and opened again until it comes back.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

from kiosk.scan.sources import FrameSource, SourceUnavailable

log = logging.getLogger(__name__)


class CaptureState(StrEnum):
    """The capture worker's state."""

    CONNECTING = "connecting"
    # The source could not be opened and has delivered no frame yet; the worker keeps trying.
    UNAVAILABLE = "unavailable"
    RUNNING = "running"
    LOST = "lost"
    STOPPED = "stopped"


# While a source stays unavailable or lost, its failed opens are logged at most this often.
OPEN_FAILURE_LOG_INTERVAL_S = 60.0


@dataclass(frozen=True)
class CaptureStatus:
    """A change of the worker's state, with a message an operator can act on."""

    state: CaptureState
    source: str
    message: str


@dataclass(frozen=True)
class Frame:
    """A frame and when it was captured; ``sequence`` counts new frames from 1."""

    image: np.ndarray
    sequence: int
    captured_s: float  # time.monotonic() when the read returned


@dataclass(frozen=True)
class CaptureTiming:
    """How the worker reads its source and watches it; all in seconds except preview_fps and preview_width_px."""

    lost_after_s: float = 2.0
    reconnect_interval_s: float = 1.0
    preview_fps: float = 10.0
    preview_width_px: int = 640


def frame_fingerprint(image: np.ndarray) -> bytes:
    """Return a digest of a subsample of the frame; equal digests on a live camera mean a frozen driver.

    A real sensor's noise changes some of the sampled pixels in every frame.
    """
    sample = np.ascontiguousarray(image[::8, ::8])
    return hashlib.blake2b(sample.tobytes(), digest_size=16).digest()


class CaptureWorker:
    """Reads frames from a source into a one-frame slot, watches for a lost source and reconnects.

    Callbacks (each optional, called from the worker's threads):
    ``on_status(CaptureStatus)`` on every state change, ``on_preview(np.ndarray)``
    with a downscaled copy at most ``preview_fps`` times a second. Consumers
    call ``wait_for_frame`` to get the newest frame; frames nobody took in
    time are dropped, never queued.
    """

    def __init__(
        self,
        source: FrameSource,
        *,
        timing: CaptureTiming | None = None,
        on_status: Callable[[CaptureStatus], None] | None = None,
        on_preview: Callable[[np.ndarray], None] | None = None,
        stop_event: threading.Event | None = None,
    ) -> None:
        self.source = source
        self.timing = timing or CaptureTiming()
        self.on_status = on_status
        self.on_preview = on_preview
        self.stop_event = stop_event or threading.Event()
        self.state = CaptureState.STOPPED
        self.frames_read = 0
        self._condition = threading.Condition()
        self._state_lock = threading.Lock()
        self._latest: Frame | None = None
        self._last_fingerprint = b""
        self._last_fresh_s = 0.0
        # Whether the reader has the source open, and since when. The watchdog checks only an open source.
        self._is_open = False
        self._opened_s = 0.0
        self._open_failures = 0
        self._next_failure_log_s = 0.0
        self._reconnect_requested = threading.Event()
        self._next_preview_s = 0.0
        self._last_reconnect_request_s = 0.0
        self._reader = threading.Thread(target=self._run_reader, name="capture-reader", daemon=True)
        self._watchdog = threading.Thread(target=self._run_watchdog, name="capture-watchdog", daemon=True)

    def start(self) -> None:
        """Start reading in the worker's threads."""
        self._last_fresh_s = time.monotonic()
        self._reader.start()
        self._watchdog.start()

    def stop(self, *, timeout_s: float = 5.0) -> None:
        """Ask the worker to stop and wait up to timeout_s for its threads to end."""
        self.stop_event.set()
        with self._condition:
            self._condition.notify_all()
        for thread in (self._reader, self._watchdog):
            if thread.is_alive():
                thread.join(timeout_s)

    def wait_for_frame(self, after_sequence: int, timeout_s: float) -> Frame | None:
        """Return the newest frame newer than ``after_sequence``, waiting up to timeout_s; None on timeout or stop."""
        deadline = time.monotonic() + timeout_s
        with self._condition:
            while not self.stop_event.is_set():
                latest = self._latest
                if latest is not None and latest.sequence > after_sequence:
                    return latest
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._condition.wait(remaining)
        return None

    def _set_state(self, state: CaptureState, message: str) -> None:
        # The reader and the watchdog both change the state; each change is reported once.
        with self._state_lock:
            if state is self.state:
                return
            self.state = state
        level = logging.WARNING if state in (CaptureState.LOST, CaptureState.UNAVAILABLE) else logging.INFO
        log.log(level, "%s", message)
        if self.on_status is not None:
            self.on_status(CaptureStatus(state, self.source.description, message))

    def _run_reader(self) -> None:
        try:
            while not self.stop_event.is_set():
                if not self._open_source():
                    continue
                self._read_until_failure()
                self._close_source()
        finally:
            self._close_source()
            self._set_state(CaptureState.STOPPED, f"stopped reading {self.source.description}")

    def _open_source(self) -> bool:
        if self.state is CaptureState.STOPPED:
            self._set_state(CaptureState.CONNECTING, f"opening {self.source.description}")
        try:
            self.source.open()
        except (SourceUnavailable, cv2.error) as error:
            self._note_open_failure(error)
            self.stop_event.wait(self.timing.reconnect_interval_s)
            return False
        self._open_failures = 0
        with self._condition:
            self._is_open = True
            self._opened_s = time.monotonic()
        # The last fingerprint is kept: a source that comes back with the same
        # frozen frame stays lost.
        self._reconnect_requested.clear()
        return True

    def _close_source(self) -> None:
        with self._condition:
            self._is_open = False
        self.source.close()

    def _note_open_failure(self, error: Exception) -> None:
        """Report a failed open once as a state change, then log retries at most every OPEN_FAILURE_LOG_INTERVAL_S."""
        self._open_failures += 1
        reason = (
            str(error) if isinstance(error, SourceUnavailable) else f"{self.source.description} could not be opened"
        )
        interval_s = self.timing.reconnect_interval_s
        if self.state is not CaptureState.LOST:
            # A source that ran before stays "lost"; one that never opened is "unavailable".
            self._set_state(CaptureState.UNAVAILABLE, f"{reason}, retrying every {interval_s:g} s")
        log.debug("opening %s failed (attempt %d): %s", self.source.description, self._open_failures, error)
        now_s = time.monotonic()
        if self._open_failures == 1:
            self._next_failure_log_s = now_s + OPEN_FAILURE_LOG_INTERVAL_S
        elif now_s >= self._next_failure_log_s:
            log.info(
                "%s still cannot be opened after %d attempts, retrying every %g s",
                self.source.description,
                self._open_failures,
                interval_s,
            )
            self._next_failure_log_s = now_s + OPEN_FAILURE_LOG_INTERVAL_S

    def _read_until_failure(self) -> None:
        """Read frames until the source fails, the watchdog asks for a reconnect, or the worker stops."""
        while not self.stop_event.is_set() and not self._reconnect_requested.is_set():
            try:
                image = self.source.read()
            except cv2.error as error:
                log.debug("reading %s failed: %s", self.source.description, error)
                image = None
            if image is None or image.size == 0:
                # An empty read: keep trying for a moment; the watchdog decides when the source counts as lost.
                self.stop_event.wait(0.02)
                continue
            self._take_frame(image)

    def _take_frame(self, image: np.ndarray) -> None:
        now_s = time.monotonic()
        fingerprint = frame_fingerprint(image)
        if fingerprint == self._last_fingerprint:
            return
        self._last_fingerprint = fingerprint
        self.frames_read += 1
        with self._condition:
            self._last_fresh_s = now_s
            self._latest = Frame(image, self.frames_read, now_s)
            self._condition.notify_all()
        if self.state is not CaptureState.RUNNING:
            self._set_state(CaptureState.RUNNING, f"reading {self.source.description}")
        self._send_preview(image, now_s)

    def _send_preview(self, image: np.ndarray, now_s: float) -> None:
        if self.on_preview is None or self.timing.preview_fps <= 0 or now_s < self._next_preview_s:
            return
        self._next_preview_s = now_s + 1.0 / self.timing.preview_fps
        width = image.shape[1]
        if self.timing.preview_width_px and width > self.timing.preview_width_px:
            scale = self.timing.preview_width_px / width
            preview = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        else:
            preview = image.copy()
        self.on_preview(preview)

    def _run_watchdog(self) -> None:
        """Report the source lost when no new frame came for lost_after_s, and make the reader reopen it."""
        check_interval_s = min(0.1, self.timing.lost_after_s / 4)
        while not self.stop_event.wait(check_interval_s):
            now_s = time.monotonic()
            with self._condition:
                if not self._is_open:
                    continue  # the reader reports a source it cannot open
                silent_s = now_s - self._last_fresh_s
                open_for_s = now_s - self._opened_s
            if min(silent_s, open_for_s) < self.timing.lost_after_s:
                continue
            if self.frames_read == 0:
                message = (
                    f"{self.source.description} opened but sent no frame in {open_for_s:.1f} s; "
                    "check its cable and power, reconnecting"
                )
            else:
                message = (
                    f"{self.source.description} lost: no new frame for {silent_s:.1f} s; "
                    "check its cable and power, reconnecting"
                )
            self._set_state(CaptureState.LOST, message)
            now_s = time.monotonic()
            if now_s - self._last_reconnect_request_s >= self.timing.lost_after_s:
                self._last_reconnect_request_s = now_s
                self._reconnect_requested.set()
