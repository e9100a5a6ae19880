"""`lineage scan`: decode QR codes in image files, folders or videos with the kiosk's own pipeline."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kiosk.config import Config
from kiosk.scan.decoding import DecodedCode, decode_image
from kiosk.scan.payloads import escape_for_message, payload_as_dict
from kiosk.scan.pipeline import code_payload
from kiosk.scan.sources import IMAGE_SUFFIXES

EXIT_FAILED = 1


def register(subparsers: Any) -> None:
    """Add `lineage scan` to the command-line tool."""
    parser = subparsers.add_parser(
        "scan",
        help="decode the QR codes in image files, folders or videos as the kiosk does",
        description=(
            "Decode every QR code in each image (a folder: every image in it, in name order; a video: every "
            "frame) with the decoder chain and payload parser the kiosk uses."
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="image file, folder of images, or video file")
    parser.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text (default), or json: one object per image per line with path and codes",
    )
    parser.set_defaults(handler=run_scan)


def code_as_dict(code: DecodedCode) -> dict[str, Any]:
    """Return one decoded code as JSON-ready data, with its parsed payload."""
    data: dict[str, Any] = {
        "text": code.text,
        "decoder": code.decoder,
        "symbology_identifier": code.symbology_identifier,
        "charset": code.charset,
        "flags": list(code.flags),
        "position": [list(point) for point in code.position],
        "payload": payload_as_dict(code_payload(code)),
    }
    if code.text is None:
        data["bytes_hex"] = code.raw.hex()
        data["binary_reason"] = code.binary_reason
    return data


def iter_images(path: Path) -> Iterator[tuple[str, np.ndarray | None, str | None]]:
    """Yield (name, image or None, error or None) for a file, each image of a folder, or each frame of a video."""
    if path.is_dir():
        images = sorted(child for child in path.iterdir() if child.suffix.lower() in IMAGE_SUFFIXES)
        for child in images:
            yield from iter_images(child)
        return
    if not path.exists():
        yield str(path), None, "not found"
        return
    if path.suffix.lower() in IMAGE_SUFFIXES:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        yield str(path), image, None if image is not None else "not a readable image"
        return
    yield from _video_frames(path)


def _video_frames(path: Path) -> Iterator[tuple[str, np.ndarray | None, str | None]]:
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        yield str(path), None, "not a readable image or video"
        return
    try:
        index = 0
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            yield f"{path}#frame={index}", frame, None
            index += 1
    finally:
        capture.release()


def run_scan(args: argparse.Namespace, config: Config) -> int:
    """Decode each PATH and print the codes; exit 1 when any path could not be read."""
    failed = False
    for argument in args.paths:
        for name, image, error in iter_images(Path(argument)):
            if image is None:
                failed = True
                _print_error(args.format, name, error or "unreadable")
                continue
            codes = decode_image(image)
            if args.format == "json":
                print(json.dumps({"path": name, "codes": [code_as_dict(code) for code in codes]}, ensure_ascii=False))
            else:
                _print_text(name, codes)
    return EXIT_FAILED if failed else 0


def _print_error(output_format: str, name: str, error: str) -> None:
    if output_format == "json":
        print(json.dumps({"path": name, "codes": [], "error": error}, ensure_ascii=False))
    print(f"lineage scan: {name}: {error}", file=sys.stderr)


def _print_text(name: str, codes: list[DecodedCode]) -> None:
    print(f"{name}: {len(codes)} code(s)")
    for code in codes:
        shown = (
            escape_for_message(code.text, max_characters=80) if code.text is not None else f"<{len(code.raw)} bytes>"
        )
        payload = code_payload(code)
        verdict = payload.kind if payload.accepted else f"rejected: {payload_as_dict(payload)['reason']}"
        print(f"  {shown} [{code.decoder}] -> {verdict}")
