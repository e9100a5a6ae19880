"""The demo camera's media: a short looping video of container labels, badges and empty frames.

No Qt here. ``python -m kiosk.ui.demo_media`` writes assets/demo/scans.mp4
again. The frames are drawn here with qrcode and Pillow: a label on a drum,
slightly turned and a little out of focus, so that they decode like a
camera's frames and not like a perfect image. `DEMO_SEQUENCE` lists what the
video shows, in order.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import qrcode
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from kiosk.scan.payloads import format_label_payload

ROOT = Path(__file__).resolve().parents[2]
DEMO_MEDIA = ROOT / "assets" / "demo" / "scans.mp4"
FRAME_SIZE = (640, 480)
FPS = 2.0
# How long each label is held in front of the camera, and the empty pause after it, in frames.
HOLD_FRAMES = 4
PAUSE_FRAMES = 24
# The status lamp's square (left, top, right, bottom) in pixels.
LAMP_BOX = (600, 16, 624, 40)


@dataclass(frozen=True)
class DemoLabel:
    """One label the demo camera shows: the payload and the lines printed beside the code."""

    payload: str
    lines: tuple[str, ...]


DEMO_CONTAINERS = ("C-DEMO-01", "C-DEMO-02", "C-DEMO-03", "C-DEMO-04")
DEMO_SEQUENCE = (
    DemoLabel(format_label_payload("B", "OP-0001"), ("BADGE", "OP-0001", "Alex Moreau")),
    DemoLabel(format_label_payload("C", "C-DEMO-01"), ("C-DEMO-01", "Lot L-DEMO-TI64", "Ti-6Al-4V 25 kg")),
    DemoLabel(format_label_payload("C", "C-DEMO-04"), ("C-DEMO-04", "Lot L-DEMO-RECY", "recovered 10 kg")),
)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:
        return ImageFont.load_default()


def draw_label(label: DemoLabel) -> Image.Image:
    """Draw a sticker: the QR code on the left, the text lines on the right."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, box_size=6, border=4)
    code.add_data(label.payload)
    code.make(fit=True)
    qr_image = code.make_image(fill_color="black", back_color="white").convert("RGB")
    width, height = qr_image.width + 250, max(qr_image.height, 160)
    sticker = Image.new("RGB", (width, height), "white")
    sticker.paste(qr_image, (0, (height - qr_image.height) // 2))
    draw = ImageDraw.Draw(sticker)
    for index, line in enumerate(label.lines):
        draw.text((qr_image.width + 8, 20 + index * 34), line, fill="black", font=_font(22 if index == 0 else 18))
    return sticker


def draw_frame(label: DemoLabel | None, *, rng: random.Random) -> np.ndarray:
    """Draw one camera frame (BGR): a drum surface, and the label held slightly turned when given.

    The same `rng` state gives the same frame, so a label held still compresses to almost nothing.
    """
    background = Image.new("RGB", FRAME_SIZE, (70, 90, 120))
    draw = ImageDraw.Draw(background)
    for x in range(0, FRAME_SIZE[0], 40):
        shade = 80 + (x // 40) % 3 * 12
        draw.rectangle((x, 0, x + 20, FRAME_SIZE[1]), fill=(shade - 10, shade + 5, shade + 35))
    if label is not None:
        sticker = draw_label(label).rotate(rng.uniform(-6, 6), expand=True, fillcolor=(70, 90, 120))
        left = (FRAME_SIZE[0] - sticker.width) // 2 + rng.randint(-20, 20)
        top = (FRAME_SIZE[1] - sticker.height) // 2 + rng.randint(-20, 20)
        background.paste(sticker, (left, top))
    # A little defocus, as a fixed-focus camera gives at arm's length.
    frame = np.asarray(background.filter(ImageFilter.GaussianBlur(0.8)), dtype=np.uint8)
    return cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)


def blink(frame: np.ndarray, index: int) -> np.ndarray:
    """Draw a machine's status lamp in a corner, a different shade in each frame.

    The capture worker takes a frame identical to the previous one for a frozen
    camera, so even a still scene must change a little from frame to frame. A
    small lamp changes few pixels, which keeps the video small.
    """
    lit = frame.copy()
    shade = 120 + (index % 4) * 40
    lit[LAMP_BOX[1] : LAMP_BOX[3], LAMP_BOX[0] : LAMP_BOX[2]] = (0, shade, 255 - shade // 2)
    return lit


def write_demo_media(path: Path, *, seed: int = 7) -> int:
    """Write the demo video to `path`; return the number of frames."""
    rng = random.Random(seed)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), FPS, FRAME_SIZE)
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write {path} with the mp4v codec")
    frames = 0
    empty = draw_frame(None, rng=random.Random(seed))
    try:
        for label in DEMO_SEQUENCE:
            held = draw_frame(label, rng=random.Random(rng.random()))
            for _ in range(HOLD_FRAMES):
                writer.write(blink(held, frames))
                frames += 1
            for _ in range(PAUSE_FRAMES):
                writer.write(blink(empty, frames))
                frames += 1
    finally:
        writer.release()
    return frames


def main() -> None:
    """Write assets/demo/scans.mp4 (or the path given)."""
    parser = argparse.ArgumentParser(description="Write the demo camera's video of labels.")
    parser.add_argument("--out", type=Path, default=DEMO_MEDIA, help=f"output file (default {DEMO_MEDIA})")
    args = parser.parse_args()
    frames = write_demo_media(args.out)
    print(f"wrote {frames} frames to {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
