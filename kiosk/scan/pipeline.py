"""The scan pipeline: camera frames and wedge keys in, ScanResults out, through one payload parser.

``CameraScanner`` runs the capture worker and a decode thread; ``WedgeScanner``
turns key events into scans. Both produce ScanResult, suppress duplicates
within ``scan_duplicate_window_s`` and report through callbacks, so the UI
treats a handheld scan and a camera scan alike.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from kiosk.scan.capture import CaptureStatus, CaptureTiming, CaptureWorker
from kiosk.scan.decoding import DecodedCode, decode_image
from kiosk.scan.keyboard_layouts import LayoutMismatch, detect_layout_mismatch, is_layout_sensitive, translate
from kiosk.scan.payloads import Payload, RejectedPayload, escape_for_message, parse_payload
from kiosk.scan.results import DuplicateFilter, ScanResult, ScanSource, duplicate_key
from kiosk.scan.sources import CaptureSettings, FrameSource, open_source, parse_source
from kiosk.scan.wedge import IncompleteScan, TypedKeys, WedgeDecoder, WedgeScan, WedgeSettings

log = logging.getLogger(__name__)


def code_payload(code: DecodedCode) -> Payload:
    """Parse a decoded code's text, rejecting structured-append parts and binary data first."""
    if code.is_structured_append_part:
        shown = escape_for_message(code.text) if code.text is not None else f"{len(code.raw)} bytes"
        return RejectedPayload(
            code.text or "",
            f"this code ({shown}) is one part of a multi-part (structured append) code and names nothing on its own; "
            "scan a Powder Lineage label",
        )
    if code.text is None:
        return RejectedPayload(
            "",
            f"the code holds {len(code.raw)} bytes of binary data ({code.binary_reason}); it is not a label this station reads",
        )
    return parse_payload(code.text, symbology_identifier=code.symbology_identifier)


def scan_result_for_code(code: DecodedCode, *, source: ScanSource, time_utc: datetime | None = None) -> ScanResult:
    """Make the ScanResult of one decoded code."""
    return ScanResult(source, code.text, code_payload(code), time_utc or datetime.now(UTC), code)


@dataclass
class ScanStatistics:
    """Counts and timings of the decode thread, for the benchmark and the station's status page."""

    frames_decoded: int = 0
    decode_time_s: float = 0.0
    latencies_s: list[float] = field(default_factory=list)


class ScanWorker:
    """Decodes the newest frame of a CaptureWorker in its own thread and reports new scans.

    ``on_scan(ScanResult)`` is called from the worker thread for each code not
    seen within the duplicate window. An unexpected error while decoding one
    frame is logged with its traceback and the worker goes on with the next.
    """

    def __init__(
        self,
        capture: CaptureWorker,
        *,
        on_scan: Callable[[ScanResult], None],
        duplicates: DuplicateFilter,
        decode: Callable[[np.ndarray], list[DecodedCode]] = decode_image,
    ) -> None:
        self.capture = capture
        self.on_scan = on_scan
        self.duplicates = duplicates
        self.decode = decode
        self.statistics = ScanStatistics()
        self._thread = threading.Thread(target=self._run, name="scan-decoder", daemon=True)

    def start(self) -> None:
        """Start decoding in the worker thread."""
        self._thread.start()

    def join(self, timeout_s: float = 5.0) -> None:
        """Wait for the worker thread to end (stop the capture worker first)."""
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        sequence = 0
        while not self.capture.stop_event.is_set():
            frame = self.capture.wait_for_frame(sequence, timeout_s=0.5)
            if frame is None:
                continue
            sequence = frame.sequence
            started_s = time.monotonic()
            try:
                codes = self.decode(frame.image)
            except Exception:
                log.exception("decoding frame %d failed; going on with the next frame", frame.sequence)
                continue
            finished_s = time.monotonic()
            self.statistics.frames_decoded += 1
            self.statistics.decode_time_s += finished_s - started_s
            captured_utc = datetime.now(UTC) - timedelta(seconds=finished_s - frame.captured_s)
            for code in codes:
                if self.duplicates.should_report(duplicate_key(code.text, code.raw), finished_s):
                    self.statistics.latencies_s.append(finished_s - frame.captured_s)
                    self._report(scan_result_for_code(code, source=ScanSource.CAMERA, time_utc=captured_utc))

    def _report(self, result: ScanResult) -> None:
        try:
            self.on_scan(result)
        except Exception:
            # A failing receiver must not end the camera: the next scan gets its own try.
            log.exception("handling the scan of %s failed", escape_for_message(result.text or ""))


class CameraScanner:
    """A capture worker and its decode thread, started and stopped together."""

    def __init__(
        self,
        source: FrameSource,
        *,
        on_scan: Callable[[ScanResult], None],
        on_status: Callable[[CaptureStatus], None] | None = None,
        on_preview: Callable[[np.ndarray], None] | None = None,
        timing: CaptureTiming | None = None,
        duplicate_window_s: float = 2.0,
    ) -> None:
        self.capture = CaptureWorker(source, timing=timing, on_status=on_status, on_preview=on_preview)
        self.worker = ScanWorker(self.capture, on_scan=on_scan, duplicates=DuplicateFilter(duplicate_window_s))

    def start(self) -> None:
        """Start capturing and decoding."""
        self.capture.start()
        self.worker.start()

    def stop(self) -> None:
        """Stop both threads and wait for them."""
        self.capture.stop()
        self.worker.join()


def build_camera_scanner(config: Any, *, on_scan: Callable[[ScanResult], None], **callbacks: Any) -> CameraScanner:
    """Make a CameraScanner from the station configuration (camera_*, preview_*, scan_* settings).

    Raises ValueError naming camera_source when it names nothing usable.
    """
    spec = parse_source(config.camera_source)
    settings = CaptureSettings(
        width_px=config.camera_width_px,
        height_px=config.camera_height_px,
        fps=config.camera_fps,
        pixel_format=config.camera_pixel_format,
    )
    timing = CaptureTiming(
        lost_after_s=config.camera_lost_after_s,
        reconnect_interval_s=config.camera_reconnect_interval_s,
        preview_fps=config.preview_fps,
        preview_width_px=config.preview_width_px,
    )
    return CameraScanner(
        open_source(spec, settings),
        on_scan=on_scan,
        timing=timing,
        duplicate_window_s=config.scan_duplicate_window_s,
        **callbacks,
    )


def wedge_settings_from_config(config: Any) -> WedgeSettings:
    """Make WedgeSettings from the station configuration (wedge_* settings)."""
    return WedgeSettings(
        prefix=config.wedge_prefix,
        suffix=config.wedge_suffix,
        max_interkey_ms=config.wedge_max_interkey_ms,
        max_pause_ms=config.wedge_max_pause_ms,
        min_length=config.wedge_min_length,
        group_separator_keys=tuple(config.wedge_group_separator_keys),
        group_separator_substitutes=tuple(config.wedge_group_separator_substitutes),
    )


class WedgeScanner:
    """Turns a handheld scanner's key events into ScanResults; typed keys come back for the focused widget.

    Once a scan shows a keyboard-layout mismatch, later scans that the
    mismatch would change are rejected too, because a Y/Z swap in a plain lot
    number cannot be seen in the scan itself. The mismatch is cleared by a scan
    that is acceptable as received and not when mapped. Not thread-safe: feed
    it from the UI thread.
    """

    def __init__(self, settings: WedgeSettings | None = None, *, duplicate_window_s: float = 2.0) -> None:
        self.decoder = WedgeDecoder(settings or WedgeSettings())
        self.duplicates = DuplicateFilter(duplicate_window_s)
        self.layout_mismatch: LayoutMismatch | None = None

    def feed(self, key: str, time_s: float) -> list[ScanResult | TypedKeys]:
        """Take one key event (see WedgeDecoder.feed); return new scans and keys to pass on."""
        return self._handle(self.decoder.feed(key, time_s), time_s)

    def poll(self, now_s: float) -> list[ScanResult | TypedKeys]:
        """Close scans or typed keys whose silence has lasted long enough; call from a timer."""
        return self._handle(self.decoder.poll(now_s), now_s)

    def _handle(self, events: list[Any], now_s: float) -> list[ScanResult | TypedKeys]:
        results: list[ScanResult | TypedKeys] = []
        for event in events:
            if isinstance(event, TypedKeys):
                results.append(event)
            elif isinstance(event, IncompleteScan):
                results.append(ScanResult(ScanSource.WEDGE, event.text, RejectedPayload(event.text, event.reason)))
            elif isinstance(event, WedgeScan) and self.duplicates.should_report(duplicate_key(event.text), now_s):
                results.append(ScanResult(ScanSource.WEDGE, event.text, self._payload(event.text)))
        return results

    def _payload(self, text: str) -> Payload:
        mismatch = detect_layout_mismatch(text)
        if mismatch is not None:
            log.warning(
                "wedge scan %s looks typed in the wrong keyboard layout: %s",
                escape_for_message(text),
                mismatch.message(),
            )
            self.layout_mismatch = mismatch
            return RejectedPayload(text, mismatch.message())
        payload = parse_payload(text)
        if self.layout_mismatch is not None and is_layout_sensitive(text, self.layout_mismatch):
            if payload.accepted and not parse_payload(self._meant(text)).accepted:
                log.info("wedge scan %s arrived in the right layout; layout mismatch cleared", escape_for_message(text))
                self.layout_mismatch = None
                return payload
            return RejectedPayload(text, self.layout_mismatch.message())
        return payload

    def _meant(self, text: str) -> str:
        assert self.layout_mismatch is not None
        return translate(text, self.layout_mismatch.scanner_layout, self.layout_mismatch.station_layout)
