"""Made test images: QR codes rendered with segno, then inverted, turned, tilted, shrunk or placed in a frame."""

from __future__ import annotations

import io
from typing import Any

import cv2
import numpy as np
import segno
from PIL import Image


def qr_image(content: Any, *, scale: int = 6, border: int = 4, **options: Any) -> np.ndarray:
    """Render a QR code (segno.make_qr arguments) as an 8-bit gray image, dark modules on white."""
    return symbol_image(segno.make_qr(content, **options), scale=scale, border=border)


def symbol_image(symbol: segno.QRCode, *, scale: int = 6, border: int = 4) -> np.ndarray:
    """Render a segno symbol as an 8-bit gray image."""
    buffer = io.BytesIO()
    symbol.save(buffer, kind="png", scale=scale, border=border)
    buffer.seek(0)
    return np.array(Image.open(buffer).convert("L"))


def inverted(image: np.ndarray) -> np.ndarray:
    """Return light modules on a dark ground."""
    return 255 - image


def rotated(image: np.ndarray, degrees: float) -> np.ndarray:
    """Turn the image about its centre on a canvas large enough to hold it, white around it."""
    height, width = image.shape[:2]
    side = int(np.hypot(height, width)) + 2
    canvas = np.full((side, side), 255, np.uint8)
    top, left = (side - height) // 2, (side - width) // 2
    canvas[top : top + height, left : left + width] = image
    matrix = cv2.getRotationMatrix2D((side / 2, side / 2), degrees, 1.0)
    return cv2.warpAffine(canvas, matrix, (side, side), borderValue=255)


def in_perspective(image: np.ndarray, *, tilt: float = 0.25) -> np.ndarray:
    """Tilt the image as if photographed from the side: the right edge shrinks by `tilt` of its height."""
    height, width = image.shape[:2]
    source = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    shrink = tilt * height / 2
    target = np.array([[0, 0], [width, shrink], [width, height - shrink], [0, height]], np.float32)
    matrix = cv2.getPerspectiveTransform(source, target)
    return cv2.warpPerspective(image, matrix, (width, height), borderValue=255)


def in_frame(codes: list[np.ndarray], *, size: tuple[int, int] = (1280, 720), seed: int = 1) -> np.ndarray:
    """Place gray code images side by side on a noisy mid-grey frame of size (width, height)."""
    width, height = size
    generator = np.random.default_rng(seed)
    frame = generator.normal(140, 25, (height, width)).clip(0, 255).astype(np.uint8)
    left = 40
    for code in codes:
        code_height, code_width = code.shape[:2]
        top = (height - code_height) // 2
        frame[top : top + code_height, left : left + code_width] = code
        left += code_width + 40
    return frame


def blank_frame(size: tuple[int, int] = (1280, 720), seed: int = 2) -> np.ndarray:
    """Return a noisy frame with no code in it."""
    return in_frame([], size=size, seed=seed)
