"""Capture figures: capture-to-scan latency with a video source, and frames decoded per second on one core.

Run: .venv/bin/python -m tests.benchmarks.bench_capture [--seconds N]
A 720p video is written to a temporary folder: a new label every second
over a noisy background. It plays through CameraScanner as a camera would
(paced at its own 30 fps); the latency is from the moment a frame is
captured to the moment its scan is reported.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from kiosk.scan.capture import CaptureState, CaptureStatus
from kiosk.scan.decoding import decode_image
from kiosk.scan.pipeline import CameraScanner
from kiosk.scan.results import ScanResult
from kiosk.scan.sources import CaptureSettings, OpenCvSource, parse_source
from tests.benchmarks.bench_decode import backgrounds, label_code

FPS = 30
SIZE = (1280, 720)


def frame_with_label(background: np.ndarray, index: int, generator: np.random.Generator) -> np.ndarray:
    frame = cv2.resize(background, SIZE, interpolation=cv2.INTER_AREA)
    code = label_code(f"PL1:C:C-0KZ3M7Q1X{index:04d}", module_px=5)
    side = code.shape[0]
    top, left = 200, 300 + (index % 4) * 150
    frame[top : top + side, left : left + side] = code
    noise = np.asarray(generator.integers(0, 6, frame.shape, dtype=np.uint8))
    return cv2.cvtColor(cv2.subtract(frame, noise), cv2.COLOR_GRAY2BGR)


def write_video(path: Path, seconds: int) -> None:
    photos = backgrounds()
    generator = np.random.default_rng(7)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), FPS, SIZE)
    for second in range(seconds):
        for _ in range(FPS):
            writer.write(frame_with_label(photos[second % len(photos)], second, generator))
    writer.release()


def latency_figures(seconds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "labels.avi"
        write_video(path, seconds)
        started = threading.Event()
        scans: list[tuple[float, ScanResult]] = []

        def on_status(status: CaptureStatus) -> None:
            if status.state is CaptureState.RUNNING:
                started.set()

        scanner = CameraScanner(
            OpenCvSource(parse_source(str(path)), CaptureSettings()),
            on_scan=lambda result: scans.append((time.monotonic(), result)),
            on_status=on_status,
            duplicate_window_s=0.5,
        )
        scanner.start()
        started.wait(5)
        time.sleep(seconds - 0.2)
        scanner.stop()

    latencies_ms = [latency * 1000 for latency in scanner.worker.statistics.latencies_s]
    labels = {result.text for _, result in scans}
    frames = scanner.worker.statistics.frames_decoded
    print(f"### Capture to scan, 720p MJPG video at {FPS} fps, {seconds} labels\n")
    print("| figure | value |")
    print("|---|---|")
    print(f"| labels reported | {len(labels)} of {seconds} |")
    print(
        f"| capture-to-scan latency, median / p95 / max | {statistics.median(latencies_ms):.1f} / {statistics.quantiles(latencies_ms, n=20, method='inclusive')[-1]:.1f} / {max(latencies_ms):.1f} ms |"
    )
    print(f"| frames decoded (of about {seconds * FPS} played) | {frames} |")
    print(f"| mean decode time per frame | {1000 * scanner.worker.statistics.decode_time_s / max(frames, 1):.2f} ms |")
    print()


def throughput_figures(seconds: float) -> None:
    photos = backgrounds()
    generator = np.random.default_rng(3)
    with_code = [frame_with_label(photo, index, generator) for index, photo in enumerate(photos)]
    without_code = [cv2.cvtColor(cv2.resize(photo, SIZE), cv2.COLOR_GRAY2BGR) for photo in photos]
    print("### Frames decoded per second, one core, 720p BGR frames\n")
    print("| frames | frames per second |")
    print("|---|---|")
    for name, frames in (("with a code", with_code), ("without a code", without_code)):
        count, deadline = 0, time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            decode_image(frames[count % len(frames)])
            count += 1
        print(f"| {name} | {count / seconds:.0f} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--seconds", type=int, default=10, help="length of the test video, one label per second (default 10)"
    )
    args = parser.parse_args()
    cv2.setNumThreads(1)
    latency_figures(args.seconds)
    throughput_figures(3.0)


if __name__ == "__main__":
    main()
