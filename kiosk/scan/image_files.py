"""Image and video files as `lineage scan` reads them: the format from the first bytes, damage checks, quiet decoding.

A file is an image when its first bytes are those of an image format OpenCV
decodes, whatever its name, so a PNG saved without an extension is still an
image. A truncated PNG, JPEG, GIF, WebP or BMP is reported as truncated
instead of being decoded into a partial picture. The messages that libjpeg,
libpng and FFmpeg print on the process's standard error go to the log at
DEBUG instead of the user's terminal.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

# Suffixes of image files. A file with another name is an image too when it starts with an image format's signature.
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".pgm", ".ppm", ".pbm", ".pnm"}
)
IMAGE_FORMAT_NAMES = "PNG, JPEG, GIF, WebP, BMP, TIFF, PBM/PGM/PPM"
VIDEO_FORMAT_NAMES = "MP4, AVI, MKV, MOV or another format FFmpeg reads"
# Formats that can hold several frames (animated GIF, multi-page TIFF); each frame is scanned.
MULTI_FRAME_FORMATS = frozenset({"GIF", "TIFF"})

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)
_PNM_MAGIC = frozenset({b"P1", b"P2", b"P3", b"P4", b"P5", b"P6"})
_HEADER_BYTES = 16


class UnreadableFile(Exception):
    """A file contains no image or video that can be scanned; the message gives the cause."""


def sniff_image_format(head: bytes) -> str | None:
    """Return the image format that a file's first bytes announce (PNG, JPEG, ...), or None."""
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[:2] in _PNM_MAGIC and head[2:3].isspace():
        return "PNM"
    return None


def is_image_file(path: Path) -> bool:
    """Check whether a path is a regular file with an image suffix or an image format's first bytes."""
    if not path.is_file():
        return False
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return True
    try:
        with path.open("rb") as file:
            return sniff_image_format(file.read(_HEADER_BYTES)) is not None
    except OSError:
        return False


def list_image_files(folder: Path) -> list[Path]:
    """Return the image files directly in a folder, in name order; subfolders are not searched.

    Raises OSError when the folder cannot be listed.
    """
    return sorted(child for child in folder.iterdir() if is_image_file(child))


def find_truncation(data: bytes, image_format: str) -> str | None:
    """Return why an image file is cut short, or None when it reaches its format's end marker.

    Only the file's structure is walked; damage inside the image data shows
    when decoding fails. Data after the end marker (a motion photo's video,
    say) is allowed.
    """
    if image_format == "JPEG":
        return _jpeg_truncation(data)
    if image_format == "PNG":
        return _png_truncation(data)
    if image_format == "GIF" and not data.rstrip(b"\x00").endswith(b"\x3b"):
        return "it ends before its image data does (no GIF trailer)"
    if image_format == "WebP":
        # The RIFF chunk size (bytes 4 to 8) counts what follows the 8-byte RIFF header.
        return _size_shortfall(data, int.from_bytes(data[4:8], "little") + 8)
    if image_format == "BMP":
        # The file size in the header (bytes 2 to 6); some writers leave it 0.
        return _size_shortfall(data, int.from_bytes(data[2:6], "little"))
    return None


def _size_shortfall(data: bytes, declared: int) -> str | None:
    if len(data) >= declared:
        return None
    return f"it has {len(data)} bytes, but its header declares {declared}"


# In entropy-coded JPEG data a 0xFF byte is followed by 0x00 (a stuffed byte), a restart
# marker (0xD0 to 0xD7) or another 0xFF (fill). Any other byte after 0xFF starts a marker.
_JPEG_MARKER_RE = re.compile(rb"\xff(?![\x00\xd0-\xd7\xff])")


def _jpeg_truncation(data: bytes) -> str | None:
    """Walk the JPEG's marker segments and scans up to its end-of-image marker (FF D9)."""
    position = 2  # after the start-of-image marker
    while position + 1 < len(data):
        if data[position] != 0xFF:
            return None  # not a structure this walk understands; the decoder judges it
        marker = data[position + 1]
        if marker == 0xD9:
            return None
        if marker == 0xFF:
            position += 1
            continue
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            position += 2
            continue
        if position + 4 > len(data):
            break
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker == 0xDA:  # start of scan: entropy-coded data runs up to the next marker
            next_marker = _JPEG_MARKER_RE.search(data, position)
            if next_marker is None:
                break
            position = next_marker.start()
    return "it ends before its image data does (no JPEG end-of-image marker)"


def _png_truncation(data: bytes) -> str | None:
    """Walk the PNG's chunks (length, type, data, CRC) up to its IEND chunk."""
    position = 8  # after the signature
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunk_type = data[position + 4 : position + 8]
        position += 12 + length
        if position > len(data):
            break
        if chunk_type == b"IEND":
            return None
    return "it ends before its image data does (no complete PNG IEND chunk)"


@contextlib.contextmanager
def native_output_to_log(subject: str) -> Iterator[None]:
    """Send what native libraries print on standard error (file descriptor 2) to the log at DEBUG.

    libjpeg ("Premature end of JPEG file"), libpng and FFmpeg ("moov atom not
    found") write there directly, below Python. NOTE: this redirects the
    whole process's descriptor 2 while it runs, so use it only where no other
    thread writes there (the command-line tools, not the station app).
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        # No usable standard error (a closed descriptor): nothing can leak.
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            output = sink.read().decode("utf-8", "replace").strip()
            if output:
                log.debug("native library output while reading %s: %s", subject, output)


def read_image_frames(path: Path) -> list[np.ndarray]:
    """Read an image file as BGR frames: one, or each frame of an animated GIF or multi-page TIFF.

    Raises UnreadableFile for an empty file, a file whose first bytes are no
    image format's, a truncated file and data OpenCV cannot decode.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(f"cannot be read: {error.strerror or error}") from error
    if not data:
        raise UnreadableFile("empty file (0 bytes)")
    image_format = sniff_image_format(data[:_HEADER_BYTES])
    if image_format is None:
        raise UnreadableFile(
            f"not a readable image: its content is in none of the image formats this station reads ({IMAGE_FORMAT_NAMES})"
        )
    truncation = find_truncation(data, image_format)
    if truncation is not None:
        raise UnreadableFile(f"truncated {image_format} file: {truncation}; copy it again from its source")
    frames = _decode(data, image_format, str(path))
    if not frames:
        raise UnreadableFile(f"corrupt {image_format} file: OpenCV cannot decode its image data")
    return frames


def _decode(data: bytes, image_format: str, subject: str) -> list[np.ndarray]:
    buffer = np.frombuffer(data, dtype=np.uint8)
    with native_output_to_log(subject):
        if image_format in MULTI_FRAME_FORMATS:
            ok, frames = cv2.imdecodemulti(buffer, cv2.IMREAD_COLOR)
            return list(frames) if ok else []
        image = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
    return [] if image is None else [image]


def iter_video_frames(path: Path) -> Iterator[np.ndarray]:
    """Yield every frame of a video file as a BGR image.

    Raises UnreadableFile before the first frame when FFmpeg cannot open the
    file or finds no frame in it, and after the last frame read when the
    video ends more than one frame before the count its header declares.
    """
    with native_output_to_log(str(path)):
        capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise UnreadableFile(
                f"not a readable image or video (images: {IMAGE_FORMAT_NAMES}; videos: {VIDEO_FORMAT_NAMES})"
            )
        count = 0
        while True:
            with native_output_to_log(str(path)):
                ok, frame = capture.read()
            if not ok:
                break
            count += 1
            yield frame
        if count == 0:
            raise UnreadableFile("a video with no readable frame; it may be truncated or use a codec FFmpeg lacks")
        # Some containers (MKV, say) only estimate the count from the duration, so one frame short is allowed.
        declared = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        if count < declared - 1:
            raise UnreadableFile(
                f"truncated or damaged video: it ended after {count} of the {declared} frames its header declares"
            )
    finally:
        capture.release()
