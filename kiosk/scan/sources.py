"""Frame sources for the capture worker: camera index, V4L2 device path, video file, image folder, stream URL."""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from kiosk.scan.image_files import IMAGE_FORMAT_NAMES, list_image_files

log = logging.getLogger(__name__)

_STREAM_URL_RE = re.compile(r"^(rtsp|rtsps|rtmp|http|https|udp|tcp|srt)://", re.IGNORECASE)


class SourceKind(StrEnum):
    """The kinds of frame source."""

    CAMERA_INDEX = "camera index"
    DEVICE_PATH = "device path"
    VIDEO_FILE = "video file"
    IMAGE_FOLDER = "image folder"
    STREAM_URL = "stream URL"


class SourceUnavailable(OSError):
    """A frame source cannot be opened now; the message names it and says what to check."""


@dataclass(frozen=True)
class CaptureSettings:
    """What the capture worker asks of a source; 0 or "" leaves the source's own default."""

    width_px: int = 1280
    height_px: int = 720
    fps: float = 30.0
    pixel_format: str = "MJPG"  # a V4L2 FOURCC such as MJPG or YUYV


@dataclass(frozen=True)
class SourceSpec:
    """A parsed camera_source value."""

    kind: SourceKind
    value: str

    def describe(self) -> str:
        """Return the source as an operator reads it, e.g. "camera 0" or "video file demo.mp4"."""
        if self.kind is SourceKind.CAMERA_INDEX:
            return f"camera {self.value}"
        return f"{self.kind.value} {self.value}"


def parse_source(value: str | int) -> SourceSpec:
    """Tell what a camera_source value names; raise ValueError for an empty value or a path that does not exist.

    A number is a camera index, /dev/... a V4L2 device (which may be
    unplugged now), a URL with a streaming scheme a network stream, a folder
    an image folder (one image per frame, in name order), another file a video.
    """
    text = str(value).strip()
    if not text:
        raise ValueError(
            "camera_source is empty; set a camera index (0), a /dev/video path, a video file, an image folder or a stream URL"
        )
    if text.isdigit():
        return SourceSpec(SourceKind.CAMERA_INDEX, text)
    if text.startswith("/dev/"):
        return SourceSpec(SourceKind.DEVICE_PATH, text)
    if _STREAM_URL_RE.match(text):
        return SourceSpec(SourceKind.STREAM_URL, text)
    path = Path(text).expanduser()
    if path.is_dir():
        return SourceSpec(SourceKind.IMAGE_FOLDER, str(path))
    if path.is_file():
        return SourceSpec(SourceKind.VIDEO_FILE, str(path))
    raise ValueError(f"camera_source {text!r} is not a camera index, device, stream URL, folder or existing file")


class FrameSource(Protocol):
    """A source of BGR frames; read() returns None when no frame came (the worker counts that as a failure)."""

    description: str

    def open(self) -> None: ...

    def read(self) -> np.ndarray | None: ...

    def close(self) -> None: ...


def missing_device_problem(spec: SourceSpec) -> str | None:
    """Return why a camera index or device path names no device at all, or None when its device exists.

    A camera index N is the V4L2 device /dev/videoN, which is checked on Linux only.
    """
    if spec.kind is SourceKind.DEVICE_PATH and not Path(spec.value).exists():
        return f"no camera at {spec.value}; plug it in or set camera_source to another device"
    if spec.kind is SourceKind.CAMERA_INDEX and sys.platform.startswith("linux"):
        device = Path(f"/dev/video{int(spec.value)}")
        if not device.exists():
            return f"{spec.describe()} could not be opened: there is no {device}; plug a camera in or set camera_source"
    return None


def quiet_opencv_log() -> None:
    """Show only OpenCV's own errors on stderr, not its warnings, unless $OPENCV_LOG_LEVEL or DEBUG logging is set.

    OpenCV prints a warning such as "can't open camera by index" for every failed
    open, once a second while the capture worker retries. The worker reports the
    failure itself, once.
    """
    if os.environ.get("OPENCV_LOG_LEVEL") or log.isEnabledFor(logging.DEBUG):
        return
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)


class OpenCvSource:
    """A camera, V4L2 device, video file or stream read with cv2.VideoCapture.

    Video files play at their own frame rate and start again at the end, so a
    demo video behaves like a camera that never runs out.
    """

    def __init__(self, spec: SourceSpec, settings: CaptureSettings) -> None:
        self.spec = spec
        self.settings = settings
        self.description = spec.describe()
        self._capture: cv2.VideoCapture | None = None
        self._frame_interval_s = 0.0
        self._next_frame_s = 0.0

    def open(self) -> None:
        """Open the source and apply the capture settings; raise SourceUnavailable when it cannot be opened."""
        self.close()
        quiet_opencv_log()
        missing = missing_device_problem(self.spec)
        if missing is not None:
            # Checked first: OpenCV would only print its own warning for every attempt.
            raise SourceUnavailable(missing)
        if self.spec.kind is SourceKind.CAMERA_INDEX:
            capture = cv2.VideoCapture(int(self.spec.value))
        elif self.spec.kind is SourceKind.DEVICE_PATH:
            capture = cv2.VideoCapture(self.spec.value, cv2.CAP_V4L2)
        else:
            capture = cv2.VideoCapture(self.spec.value)
        if not capture.isOpened():
            capture.release()
            if self.spec.kind is SourceKind.VIDEO_FILE:
                advice = "check that it is a video file (MP4, AVI, MKV) that OpenCV can read"
            elif self.spec.kind is SourceKind.STREAM_URL:
                advice = "check the address and that the camera or stream server is on the network"
            else:
                advice = "check that it is plugged in and not used by another program"
            raise SourceUnavailable(f"{self.description} could not be opened; {advice}")
        if self.spec.kind in (SourceKind.CAMERA_INDEX, SourceKind.DEVICE_PATH):
            self._apply_camera_settings(capture)
        if self.spec.kind is SourceKind.VIDEO_FILE:
            file_fps = capture.get(cv2.CAP_PROP_FPS)
            self._frame_interval_s = 1.0 / file_fps if file_fps and file_fps > 0 else 1.0 / max(self.settings.fps, 1.0)
        self._next_frame_s = time.monotonic()
        self._capture = capture
        log.info("opened %s", self.description)

    def _apply_camera_settings(self, capture: cv2.VideoCapture) -> None:
        settings = self.settings
        if settings.pixel_format:
            capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*settings.pixel_format[:4].ljust(4)))
        if settings.width_px:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, settings.width_px)
        if settings.height_px:
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, settings.height_px)
        if settings.fps:
            capture.set(cv2.CAP_PROP_FPS, settings.fps)
        # Keep the driver's queue short: a frame that waited in it is stale.
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        actual = (
            capture.get(cv2.CAP_PROP_FRAME_WIDTH),
            capture.get(cv2.CAP_PROP_FRAME_HEIGHT),
            capture.get(cv2.CAP_PROP_FPS),
        )
        log.info("%s delivers %.0fx%.0f at %.1f fps", self.description, *actual)

    def read(self) -> np.ndarray | None:
        """Return the next frame, or None when the source delivered none."""
        if self._capture is None:
            return None
        if self._frame_interval_s:
            self._wait_for_frame_time()
        ok, frame = self._capture.read()
        if not ok and self.spec.kind is SourceKind.VIDEO_FILE:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
        return frame if ok else None

    def _wait_for_frame_time(self) -> None:
        self._next_frame_s += self._frame_interval_s
        delay_s = self._next_frame_s - time.monotonic()
        if delay_s > 0:
            time.sleep(delay_s)
        else:
            self._next_frame_s = time.monotonic()

    def close(self) -> None:
        """Release the source; safe to call when it is not open."""
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class ImageFolderSource:
    """A folder of images played as frames in name order at ``settings.fps``, starting again after the last.

    The folder is listed again at each pass, so images added while it plays
    are picked up; a folder with no image counts as a source that cannot be opened.
    """

    def __init__(self, folder: Path, settings: CaptureSettings) -> None:
        self.folder = folder
        self.description = f"image folder {folder}"
        self._interval_s = 1.0 / max(settings.fps, 0.1)
        self._paths: list[Path] = []
        self._index = 0
        self._next_frame_s = 0.0

    def _list_images(self) -> list[Path]:
        try:
            return list_image_files(self.folder)
        except OSError as error:
            raise SourceUnavailable(f"{self.description} cannot be read: {error.strerror}") from error

    def open(self) -> None:
        """List the folder; raise SourceUnavailable when it is missing or holds no image."""
        self._paths = self._list_images()
        if not self._paths:
            raise SourceUnavailable(f"{self.description} holds no image ({IMAGE_FORMAT_NAMES})")
        self._index = 0
        self._next_frame_s = time.monotonic()

    def read(self) -> np.ndarray | None:
        """Return the next image as a BGR frame, or None when it cannot be read."""
        if not self._paths:
            return None
        self._next_frame_s += self._interval_s
        delay_s = self._next_frame_s - time.monotonic()
        if delay_s > 0:
            time.sleep(delay_s)
        path = self._paths[self._index]
        self._index += 1
        if self._index >= len(self._paths):
            self._index = 0
            self._paths = self._list_images() or self._paths
        return cv2.imread(str(path), cv2.IMREAD_COLOR)

    def close(self) -> None:
        """Forget the listing."""
        self._paths = []


def open_source(spec: SourceSpec, settings: CaptureSettings) -> FrameSource:
    """Return the FrameSource for a spec (not yet opened)."""
    if spec.kind is SourceKind.IMAGE_FOLDER:
        return ImageFolderSource(Path(spec.value), settings)
    return OpenCvSource(spec, settings)
