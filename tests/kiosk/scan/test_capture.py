"""The capture worker: newest frame only, lost and returning cameras, previews, sources."""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.scan.capture import CaptureState, CaptureStatus, CaptureTiming, CaptureWorker
from kiosk.scan.decoding import DecodedCode, decode_image
from kiosk.scan.payloads import ProjectLabel
from kiosk.scan.pipeline import CameraScanner
from kiosk.scan.results import ScanResult
from kiosk.scan.sources import (
    CaptureSettings,
    ImageFolderSource,
    OpenCvSource,
    SourceKind,
    SourceUnavailable,
    parse_source,
)
from tests.helpers import FakeCamera
from tests.kiosk.scan.images import blank_frame, in_frame, qr_image

SIZE = (640, 480)


def noisy_frame(index: int) -> np.ndarray:
    """A frame with sensor-like noise, different at every index."""
    return cv2.cvtColor(blank_frame(SIZE, seed=index), cv2.COLOR_GRAY2BGR)


class StatusLog:
    def __init__(self) -> None:
        self.entries: list[tuple[float, CaptureStatus]] = []
        self._changed = threading.Condition()

    def __call__(self, status: CaptureStatus) -> None:
        with self._changed:
            self.entries.append((time.monotonic(), status))
            self._changed.notify_all()

    def wait_for(self, state: CaptureState, timeout_s: float) -> float:
        """Return when the state was reached; fail after timeout_s."""
        with self._changed:
            found = self._changed.wait_for(lambda: any(s.state is state for _, s in self.entries), timeout=timeout_s)
        assert found, f"capture never reached {state}: {[s.state.value for _, s in self.entries]}"
        return next(at for at, s in self.entries if s.state is state)

    def states(self) -> list[CaptureState]:
        return [status.state for _, status in self.entries]


def test_newest_frame_handed_on() -> None:
    camera = FakeCamera(noisy_frame, interval_s=0.01)
    worker = CaptureWorker(camera)
    worker.start()
    try:
        first = worker.wait_for_frame(0, timeout_s=2.0)
        assert first is not None
        time.sleep(0.2)  # frames arrive meanwhile and no consumer takes them
        newest = worker.wait_for_frame(first.sequence, timeout_s=2.0)
        assert newest is not None
        assert newest.sequence >= first.sequence + 5  # the frames in between were dropped, not queued
        assert worker.wait_for_frame(newest.sequence, timeout_s=1.0).sequence > newest.sequence  # type: ignore[union-attr]
    finally:
        worker.stop()
    assert worker.state is CaptureState.STOPPED


@pytest.mark.allow_warning_logs
def test_unplugged_camera_lost_then_reconnected() -> None:
    camera = FakeCamera(noisy_frame)
    statuses = StatusLog()
    worker = CaptureWorker(camera, timing=CaptureTiming(lost_after_s=2.0, reconnect_interval_s=0.2), on_status=statuses)
    worker.start()
    try:
        statuses.wait_for(CaptureState.RUNNING, timeout_s=2.0)
        unplugged_at = time.monotonic()
        camera.unplug()
        lost_at = statuses.wait_for(CaptureState.LOST, timeout_s=3.0)
        assert lost_at - unplugged_at <= 2.2
        lost_message = next(s.message for _, s in statuses.entries if s.state is CaptureState.LOST)
        assert "fake camera lost: no new frame for" in lost_message
        assert "reconnecting" in lost_message

        statuses.entries.clear()
        opens_before = camera.opens
        camera.plug_in()
        statuses.wait_for(CaptureState.RUNNING, timeout_s=3.0)
        assert camera.opens > opens_before  # the worker opened the camera again
    finally:
        worker.stop()


@pytest.mark.allow_warning_logs
def test_frozen_camera_counts_as_lost() -> None:
    # The driver keeps "succeeding" with the same frame: that is a lost camera too.
    camera = FakeCamera(noisy_frame)
    statuses = StatusLog()
    worker = CaptureWorker(camera, timing=CaptureTiming(lost_after_s=1.0), on_status=statuses)
    worker.start()
    try:
        statuses.wait_for(CaptureState.RUNNING, timeout_s=2.0)
        frozen_at = time.monotonic()
        camera.freeze()
        lost_at = statuses.wait_for(CaptureState.LOST, timeout_s=2.0)
        assert 0.9 <= lost_at - frozen_at <= 1.3
        camera.freeze(False)
        statuses.entries.clear()
        statuses.wait_for(CaptureState.RUNNING, timeout_s=2.0)
    finally:
        worker.stop()


@pytest.mark.allow_warning_logs
def test_empty_frames_count_as_lost() -> None:
    camera = FakeCamera(lambda index: np.zeros((0, 0, 3), np.uint8) if index >= 5 else noisy_frame(index))
    statuses = StatusLog()
    worker = CaptureWorker(camera, timing=CaptureTiming(lost_after_s=1.0), on_status=statuses)
    worker.start()
    try:
        statuses.wait_for(CaptureState.LOST, timeout_s=3.0)
        assert worker.frames_read == 5
    finally:
        worker.stop()


@pytest.mark.allow_warning_logs
def test_stale_frame_video_reported_lost(tmp_path: Path) -> None:
    # Ten changing frames, then the same frame for 3 s: a video whose picture freezes.
    path = tmp_path / "stale.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 20, SIZE)
    for index in range(10):
        writer.write(noisy_frame(index))
    for _ in range(60):
        writer.write(noisy_frame(99))
    writer.release()
    source = OpenCvSource(parse_source(str(path)), CaptureSettings())
    statuses = StatusLog()
    worker = CaptureWorker(source, timing=CaptureTiming(lost_after_s=1.0), on_status=statuses)
    worker.start()
    try:
        running_at = statuses.wait_for(CaptureState.RUNNING, timeout_s=2.0)
        lost_at = statuses.wait_for(CaptureState.LOST, timeout_s=3.0)
        # The picture freezes after 0.55 s of play; lost 1 s later.
        assert 1.3 <= lost_at - running_at <= 2.0
        assert 9 <= worker.frames_read <= 12
    finally:
        worker.stop()


def test_preview_copies_at_limited_rate() -> None:
    camera = FakeCamera(noisy_frame, interval_s=0.005)
    previews: list[np.ndarray] = []
    worker = CaptureWorker(
        camera, timing=CaptureTiming(preview_fps=5.0, preview_width_px=320), on_preview=previews.append
    )
    worker.start()
    try:
        first = worker.wait_for_frame(0, timeout_s=2.0)
        time.sleep(1.0)
        latest = worker.wait_for_frame(0, timeout_s=1.0)
    finally:
        worker.stop()
    assert first is not None and latest is not None
    assert 3 <= len(previews) <= 7  # 5 per second over about 1 s
    assert worker.frames_read > 3 * len(previews)
    assert previews[-1].shape == (240, 320, 3)
    assert not np.shares_memory(previews[-1], latest.image)


def test_swapped_label_registered_promptly() -> None:
    swap_at = {"time_s": float("inf")}
    label_a = in_frame([qr_image("PL1:C:C-AAAA", scale=5)], size=SIZE)
    label_b = in_frame([qr_image("PL1:C:C-BBBB", scale=5)], size=SIZE)

    def frame_for(index: int) -> np.ndarray:
        image = label_b if time.monotonic() >= swap_at["time_s"] else label_a
        noise = np.random.default_rng(index).integers(0, 3, image.shape, dtype=np.uint8)
        return cv2.cvtColor(cv2.subtract(image, noise), cv2.COLOR_GRAY2BGR)

    def slow_decode(image: np.ndarray) -> list[DecodedCode]:
        time.sleep(0.15)  # a slow frame: several newer frames arrive meanwhile
        return decode_image(image)

    results: list[tuple[float, ScanResult]] = []
    scanner = CameraScanner(
        FakeCamera(frame_for, interval_s=0.01), on_scan=lambda r: results.append((time.monotonic(), r))
    )
    scanner.worker.decode = slow_decode
    scanner.start()
    try:
        deadline = time.monotonic() + 3.0
        while not results and time.monotonic() < deadline:
            time.sleep(0.02)
        swap_at["time_s"] = time.monotonic()
        time.sleep(1.2)
    finally:
        scanner.stop()
    texts = [result.text for _, result in results]
    assert texts == ["PL1:C:C-AAAA", "PL1:C:C-BBBB"]
    b_at = results[1][0]
    assert b_at - swap_at["time_s"] < 1.0
    assert isinstance(results[1][1].payload, ProjectLabel)
    assert scanner.worker.statistics.frames_decoded >= 5


def test_parse_source_kinds(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"")
    assert parse_source(0).kind is SourceKind.CAMERA_INDEX
    assert parse_source("2").describe() == "camera 2"
    assert parse_source("/dev/video0").kind is SourceKind.DEVICE_PATH
    assert parse_source("rtsp://127.0.0.1:8554/cam").kind is SourceKind.STREAM_URL
    assert parse_source(str(tmp_path)).kind is SourceKind.IMAGE_FOLDER
    assert parse_source(str(video)).kind is SourceKind.VIDEO_FILE
    with pytest.raises(ValueError, match="camera_source is empty"):
        parse_source(" ")
    with pytest.raises(ValueError, match="is not a camera index"):
        parse_source(str(tmp_path / "missing.mp4"))


def test_image_folder_plays_in_order(tmp_path: Path) -> None:
    for index, text in enumerate(["PL1:C:C-1", "PL1:C:C-2"]):
        cv2.imwrite(str(tmp_path / f"{index}.png"), qr_image(text))
    source = ImageFolderSource(tmp_path, CaptureSettings(fps=100))
    source.open()
    texts = []
    for _ in range(3):
        frame = source.read()
        assert frame is not None
        texts.append(decode_image(frame)[0].text)
    assert texts == ["PL1:C:C-1", "PL1:C:C-2", "PL1:C:C-1"]


def test_empty_folder_cannot_open(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailable, match="holds no image"):
        ImageFolderSource(tmp_path, CaptureSettings()).open()


def test_missing_device_cannot_open() -> None:
    source = OpenCvSource(parse_source("/dev/video-not-there"), CaptureSettings())
    with pytest.raises(SourceUnavailable) as caught:
        source.open()
    assert str(caught.value) == "no camera at /dev/video-not-there; plug it in or set camera_source to another device"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="camera indexes map to /dev/video<N> on Linux only")
def test_missing_camera_index_named() -> None:
    index = next(n for n in range(90, 100) if not Path(f"/dev/video{n}").exists())
    source = OpenCvSource(parse_source(str(index)), CaptureSettings())
    with pytest.raises(SourceUnavailable) as caught:
        source.open()
    assert str(caught.value) == (
        f"camera {index} could not be opened: there is no /dev/video{index}; plug a camera in or set camera_source"
    )


def test_file_that_is_no_video_named(tmp_path: Path) -> None:
    notes = tmp_path / "README.md"
    notes.write_text("# not a video\n")
    spec = parse_source(str(notes))
    with pytest.raises(SourceUnavailable) as caught:
        OpenCvSource(spec, CaptureSettings()).open()
    assert str(caught.value).endswith(
        "could not be opened; check that it is a video file (MP4, AVI, MKV) that OpenCV can read"
    )
    assert "plugged in" not in str(caught.value)


def test_opencv_open_warnings_kept_quiet(capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # /dev/null exists but is no camera: OpenCV itself warns "can't be used to capture by name" at its default level.
    monkeypatch.delenv("OPENCV_LOG_LEVEL", raising=False)
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_WARNING)
    source = OpenCvSource(parse_source("/dev/null"), CaptureSettings())
    for _ in range(3):
        with pytest.raises(SourceUnavailable, match="device path /dev/null could not be opened; check that it is"):
            source.open()
    assert "WARN" not in capfd.readouterr().err


@pytest.mark.allow_warning_logs
def test_missing_camera_reported_once(caplog: pytest.LogCaptureFixture) -> None:
    # A camera that never opened is "unavailable", never "lost", and its retries add no messages.
    caplog.set_level(logging.INFO, logger="kiosk.scan.capture")
    source = OpenCvSource(parse_source("/dev/video-not-there"), CaptureSettings())
    statuses = StatusLog()
    worker = CaptureWorker(
        source, timing=CaptureTiming(lost_after_s=0.3, reconnect_interval_s=0.05), on_status=statuses
    )
    worker.start()
    try:
        statuses.wait_for(CaptureState.UNAVAILABLE, timeout_s=2.0)
        time.sleep(1.0)  # about 20 more failed opens
    finally:
        worker.stop()
    assert statuses.states() == [CaptureState.CONNECTING, CaptureState.UNAVAILABLE, CaptureState.STOPPED]
    unavailable = statuses.entries[1][1]
    assert unavailable.message == (
        "no camera at /dev/video-not-there; plug it in or set camera_source to another device, retrying every 0.05 s"
    )
    warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [record.getMessage() for record in warnings] == [unavailable.message]
    assert not [record for record in caplog.records if "still cannot be opened" in record.getMessage()]


@pytest.mark.allow_warning_logs
def test_camera_plugged_in_later_runs() -> None:
    camera = FakeCamera(noisy_frame)
    camera.unplug()
    statuses = StatusLog()
    worker = CaptureWorker(
        camera, timing=CaptureTiming(lost_after_s=0.5, reconnect_interval_s=0.05), on_status=statuses
    )
    worker.start()
    try:
        statuses.wait_for(CaptureState.UNAVAILABLE, timeout_s=2.0)
        time.sleep(0.8)  # longer than lost_after_s: a camera that never opened is not "lost"
        camera.plug_in()
        statuses.wait_for(CaptureState.RUNNING, timeout_s=2.0)
    finally:
        worker.stop()
    assert statuses.states() == [
        CaptureState.CONNECTING,
        CaptureState.UNAVAILABLE,
        CaptureState.RUNNING,
        CaptureState.STOPPED,
    ]
    assert statuses.entries[1][1].message == "fake camera is unplugged, retrying every 0.05 s"


@pytest.mark.allow_warning_logs
def test_silent_camera_not_called_lost_frames() -> None:
    # Opened, but no frame ever came: the message states that instead of "no new frame".
    camera = FakeCamera(lambda index: None)
    statuses = StatusLog()
    worker = CaptureWorker(camera, timing=CaptureTiming(lost_after_s=0.3), on_status=statuses)
    worker.start()
    try:
        statuses.wait_for(CaptureState.LOST, timeout_s=2.0)
    finally:
        worker.stop()
    lost = next(status for _, status in statuses.entries if status.state is CaptureState.LOST)
    assert lost.message.startswith("fake camera opened but sent no frame in 0.")
    assert lost.message.endswith("s; check its cable and power, reconnecting")


@pytest.mark.allow_warning_logs
def test_failing_receiver_keeps_camera_running() -> None:
    labels = [in_frame([qr_image(f"PL1:C:C-{index}", scale=5)], size=SIZE) for index in range(2)]
    received: list[str | None] = []

    def on_scan(result: ScanResult) -> None:
        received.append(result.text)
        if len(received) == 1:
            raise RuntimeError("receiver bug")

    camera = FakeCamera(
        lambda index: cv2.cvtColor(labels[min(index // 20, 1)], cv2.COLOR_GRAY2BGR) ^ np.uint8(index % 2)
    )
    scanner = CameraScanner(camera, on_scan=on_scan)
    scanner.start()
    try:
        deadline = time.monotonic() + 5.0
        while len(received) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        scanner.stop()
    assert received == ["PL1:C:C-0", "PL1:C:C-1"]
