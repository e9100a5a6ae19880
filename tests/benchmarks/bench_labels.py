"""Time label rendering per format and the print queue's submit, the part a relabel waits for.

    .venv/bin/python tests/benchmarks/bench_labels.py [--repeat 50]

Prints the median and 95th percentile in milliseconds for rendering one
50x25 mm label at 203 dpi in each format, one 62x29 mm label at 300 dpi,
an A4 sheet of 30 labels, and `PrintQueue.submit` (two fsynced files).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.labels.content import make_label_content
from kiosk.labels.options import LabelOptions, SheetOptions
from kiosk.labels.printers import FilePrinter
from kiosk.labels.queue import PrintQueue
from kiosk.labels.render import render_labels
from kiosk.labels.sizes import PAPERS, LabelSize


def measure(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Return the median and 95th percentile of ``repeat`` runs, in milliseconds (after one warm-up run)."""
    action()
    times = []
    for _run in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="runs per measurement (default 50)")
    args = parser.parse_args()

    content = make_label_content(
        "container", "C-0KZ3M7Q1X2ABCD", ["Lot SUP-2024-0815", "Ti-6Al-4V grade 23", "2024-05-01 · ST-01"]
    )
    small = LabelOptions(LabelSize(50, 25), 203)
    large = LabelOptions(LabelSize(62, 29), 300)
    rows: list[tuple[str, tuple[float, float]]] = []
    for fmt in ("png", "svg", "pdf", "zpl"):
        rows.append(
            (
                f"render {fmt}, 50x25 mm, 203 dpi",
                measure(lambda fmt=fmt: render_labels([content], small, fmt), args.repeat),
            )
        )
        rows.append(
            (
                f"render {fmt}, 62x29 mm, 300 dpi",
                measure(lambda fmt=fmt: render_labels([content], large, fmt), args.repeat),
            )
        )
    sheet = SheetOptions(PAPERS["A4"])
    rows.append(
        (
            "render pdf, A4 sheet of 30 labels",
            measure(lambda: render_labels([content] * 30, small, "pdf", sheet=sheet), 10),
        )
    )

    with tempfile.TemporaryDirectory() as folder:
        queue = PrintQueue(Path(folder) / "queue", FilePrinter(Path(folder) / "labels"))
        job = render_labels([content], small, "pdf")
        rows.append(
            (
                "PrintQueue.submit (PDF job, two fsynced files)",
                measure(lambda: queue.submit(job, title="C-1"), args.repeat),
            )
        )

    print(f"{'what':50} {'median ms':>10} {'p95 ms':>8}")
    for name, (median, p95) in rows:
        print(f"{name:50} {median:10.2f} {p95:8.2f}")


if __name__ == "__main__":
    main()
