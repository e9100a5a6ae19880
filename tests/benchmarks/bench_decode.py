"""Decoding figures: exact share on the photo corpus per set, wrong texts, false detections, and time per frame.

Run: .venv/bin/python -m tests.benchmarks.bench_decode [--repeats N]
Prints Markdown tables for docs/BENCHMARKS.md. pyzbar alone is measured on
the same images in the same run, as the baseline the chain must not exceed.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import segno
from pyzbar import pyzbar

from kiosk.scan.decoding import DECODE_CHAIN, ZBAR_STEP, decode_image, to_gray
from tests.helpers import QR_CORPUS

# Two copies of one photo whose expected texts disagree; a text matching either is not wrong.
CONFLICTING_EXPECTATIONS = {"zxing-qrcode-2/13.png": "zxingcpp-qrcode-2/13.txt"}
FRAME_SIZES = ((640, 480), (1280, 720), (1920, 1080))

Reader = Callable[[np.ndarray], list[str | None]]


def read_pyzbar(gray: np.ndarray) -> list[str | None]:
    """pyzbar alone, as an application would call it: QR codes, data taken as UTF-8."""
    try:
        symbols = pyzbar.decode(gray, symbols=[pyzbar.ZBarSymbol.QRCODE])
    except ValueError:
        # WORKAROUND: pyzbar 0.1.9 raises on a symbol of unknown orientation (structured-append parts).
        return []
    return [symbol.data.decode("utf-8", "replace") for symbol in symbols]


def read_zxing_only(gray: np.ndarray) -> list[str | None]:
    return [code.text for code in DECODE_CHAIN[0].read(gray)]


def read_chain(gray: np.ndarray) -> list[str | None]:
    return [code.text for code in decode_image(gray)]


def read_chain_then_zbar(gray: np.ndarray) -> list[str | None]:
    return read_chain(gray) or [code.text for code in ZBAR_STEP.read(gray)]


READERS: dict[str, Reader] = {
    "pyzbar alone": read_pyzbar,
    "zxing-cpp alone": read_zxing_only,
    "chain (kiosk)": read_chain,
    "chain, then ZBar": read_chain_then_zbar,
}


def expected_texts(row: dict[str, str]) -> set[str]:
    names = [row["expected_text_file"], CONFLICTING_EXPECTATIONS.get(row["file"])]
    return {(QR_CORPUS / name).read_bytes().decode("utf-8").rstrip("\r\n") for name in names if name}


def read_gray(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise SystemExit(f"{path} is not a readable image")
    return to_gray(image)


def corpus_figures() -> None:
    rows = list(csv.DictReader((QR_CORPUS / "manifest.csv").open(encoding="utf-8", newline="")))
    images = {row["file"]: read_gray(QR_CORPUS / row["file"]) for row in rows}
    print("### Photo corpus\n")
    print("| reader | set | images | exact | exact % | wrong texts | detections on negatives |")
    print("|---|---|---|---|---|---|---|")
    for name, reader in READERS.items():
        per_set: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # images, exact, wrong, false detections
        for row in rows:
            texts = [text.rstrip("\r\n") for text in reader(images[row["file"]]) if text is not None]
            counts = per_set[row["set"]]
            if not row["expected_text_file"]:
                counts[3] += bool(texts)
                continue
            counts[0] += 1
            if expected_texts(row) & set(texts):
                counts[1] += 1
            elif texts:
                counts[2] += 1
        total = [sum(counts[i] for counts in per_set.values()) for i in range(4)]
        for set_name, counts in [*sorted(per_set.items()), ("all", total)]:
            share = f"{100 * counts[1] / counts[0]:.1f}" if counts[0] else "-"
            label = f"**{set_name}**" if set_name == "all" else set_name
            print(f"| {name} | {label} | {counts[0]} | {counts[1]} | {share} | {counts[2]} | {counts[3]} |")
    print()


def backgrounds() -> list[np.ndarray]:
    """Real photographs without a code (the corpus negatives) as frame backgrounds."""
    negatives = sorted((QR_CORPUS / "zxingcpp-falsepositives-1").iterdir())
    images = [cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) for path in negatives]
    return [image for image in images if image is not None and min(image.shape) >= 100]


def label_code(text: str, module_px: int) -> np.ndarray:
    symbol = segno.make_qr(text, error="q")
    matrix = np.array(symbol.matrix, dtype=np.uint8)
    image = np.where(matrix == 1, 20, 235).astype(np.uint8)
    image = np.pad(image, 4, constant_values=235)
    return cv2.resize(image, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)


def make_frames(size: tuple[int, int], backgrounds_gray: list[np.ndarray], *, with_code: bool) -> list[np.ndarray]:
    """One frame per background: the photo scaled to size, with a tilted, slightly blurred label code."""
    width, height = size
    generator = np.random.default_rng(width)
    frames = []
    for index, background in enumerate(backgrounds_gray):
        frame = cv2.resize(background, (width, height), interpolation=cv2.INTER_AREA)
        if with_code:
            code = label_code(f"PL1:C:C-0KZ3M7Q1X{index:04d}", module_px=max(3, height // 160))
            side = code.shape[0]
            top, left = int(generator.integers(0, height - side)), int(generator.integers(0, width - side))
            source = np.array([[0, 0], [side, 0], [side, side], [0, side]], np.float32)
            shrink = side * 0.1
            target = np.array(
                [[left, top], [left + side, top + shrink], [left + side, top + side - shrink], [left, top + side]],
                np.float32,
            )
            warped = cv2.warpPerspective(
                code, cv2.getPerspectiveTransform(source, target), (width, height), borderValue=0
            )
            mask = cv2.warpPerspective(
                np.full_like(code, 255), cv2.getPerspectiveTransform(source, target), (width, height)
            )
            frame = np.where(mask > 0, warped, frame)
            frame = cv2.GaussianBlur(frame, (3, 3), 0)
        frames.append(np.ascontiguousarray(frame))
    return frames


def time_reader(reader: Reader, frames: list[np.ndarray], repeats: int) -> tuple[list[float], int]:
    times_ms, read = [], 0
    for _ in range(repeats):
        for frame in frames:
            started = time.perf_counter()
            texts = reader(frame)
            times_ms.append((time.perf_counter() - started) * 1000)
            read += bool(texts)
    return times_ms, read


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def timing_figures(repeats: int) -> None:
    photos = backgrounds()
    print(f"### Time per frame ({len(photos)} frames per row, {repeats} repeats, gray input)\n")
    print(
        "| frame | code | chain median ms | chain p95 ms | pyzbar median ms | pyzbar p95 ms | median ratio | p95 ratio | frames read (chain / pyzbar) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for size in FRAME_SIZES:
        for with_code in (True, False):
            frames = make_frames(size, photos, with_code=with_code)
            chain_ms, chain_read = time_reader(read_chain, frames, repeats)
            zbar_ms, zbar_read = time_reader(read_pyzbar, frames, repeats)
            print(
                f"| {size[0]}x{size[1]} | {'yes' if with_code else 'no'} | {statistics.median(chain_ms):.2f} | {p95(chain_ms):.2f} "
                f"| {statistics.median(zbar_ms):.2f} | {p95(zbar_ms):.2f} | {statistics.median(chain_ms) / statistics.median(zbar_ms):.2f} "
                f"| {p95(chain_ms) / p95(zbar_ms):.2f} | {chain_read} / {zbar_read} of {len(frames) * repeats} |"
            )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5, help="passes over the frames per timing row (default 5)")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    corpus_figures()
    timing_figures(args.repeats)


if __name__ == "__main__":
    main()
