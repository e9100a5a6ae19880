"""`lineage scan`: decode QR codes in image files, folders or videos with the kiosk's own pipeline."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.config import Config
from kiosk.scan.decoding import DecodedCode, decode_image
from kiosk.scan.image_files import (
    UnreadableFile,
    is_image_file,
    iter_video_frames,
    list_image_files,
    read_image_frames,
)
from kiosk.scan.payloads import (
    Gs1Data,
    LabelKind,
    ProjectLabel,
    escape_for_message,
    parse_payload,
    payload_as_dict,
)
from kiosk.scan.pipeline import code_payload

EXIT_FAILED = 1
EMPTY_PATH_ERROR = "an empty path names no file or folder; give an image, a folder or a video"
MISSING_PATH_ERROR = "not found; lineage scan reads image files, folders of images and videos, so check the path"


def register(subparsers: Any) -> None:
    """Add `lineage scan` to the command-line tool."""
    parser = subparsers.add_parser(
        "scan",
        help="decode the QR codes in image files, folders or videos as the kiosk does",
        description=(
            "Decode every QR code in each image (a folder: every image directly in it, in name order; a video, "
            "animated GIF or multi-page TIFF: every frame) with the decoder chain and payload parser the kiosk "
            "uses. Exits 1 when any PATH is missing, unreadable, damaged or holds no image."
        ),
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="image file, folder of images (not its subfolders), or video file"
    )
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
    """Yield (name, image or None, error or None) for a file, each image of a folder, or each frame of a video.

    A folder gives the image files directly in it (subfolders are not
    searched); a path that gives no image at all yields one error.
    """
    if path.is_dir():
        yield from _folder_images(path)
        return
    if not path.exists():
        yield str(path), None, "not found"
        return
    try:
        if is_image_file(path):
            yield from _image_frames(path)
        elif path.stat().st_size == 0:
            yield str(path), None, "empty file (0 bytes)"
        else:
            yield from _video_frames(path)
    except UnreadableFile as error:
        yield str(path), None, str(error)


def _folder_images(folder: Path) -> Iterator[tuple[str, np.ndarray | None, str | None]]:
    try:
        images = list_image_files(folder)
    except OSError as error:
        yield str(folder), None, f"the folder cannot be listed: {error.strerror or error}"
        return
    if not images:
        yield str(folder), None, "no images in the folder (subfolders are not searched)"
        return
    for child in images:
        yield from iter_images(child)


def _image_frames(path: Path) -> Iterator[tuple[str, np.ndarray | None, str | None]]:
    frames = read_image_frames(path)
    if len(frames) == 1:
        yield str(path), frames[0], None
        return
    for index, frame in enumerate(frames):
        yield f"{path}#frame={index}", frame, None


def _video_frames(path: Path) -> Iterator[tuple[str, np.ndarray | None, str | None]]:
    for index, frame in enumerate(iter_video_frames(path)):
        yield f"{path}#frame={index}", frame, None


def run_scan(args: argparse.Namespace, config: Config) -> int:
    """Decode each PATH and print the codes; return 1 when any path or image could not be read."""
    failed = False
    for argument in args.paths:
        if not argument:
            # Path("") is the current folder, which an empty argument (an unset variable, say) never means.
            failed = True
            _print_error(args.format, argument, EMPTY_PATH_ERROR)
            continue
        if not Path(argument).exists():
            # Checked on the argument as typed: Path() would turn the "//" of a label's https address into "/".
            failed = True
            _print_error(args.format, argument, missing_path_error(argument))
            continue
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


def missing_path_error(argument: str) -> str:
    """Return the error for a path that does not exist, with the `lineage timeline` command when it is label text."""
    payload = parse_payload(argument)
    if isinstance(payload, ProjectLabel) and payload.label_kind is not LabelKind.OPERATOR_BADGE:
        described = f"the text of a {payload.label_kind.value} label"
    elif isinstance(payload, Gs1Data) and payload.batch_lot is not None and argument.isprintable():
        described = f"GS1 data with the batch/lot number {payload.batch_lot}"
    else:
        return MISSING_PATH_ERROR
    return (
        f"not found; lineage scan reads image files, folders of images and videos, and this is {described}: "
        f"`lineage timeline {_shell_quoted(argument)}` looks up a label's text"
    )


def _shell_quoted(text: str) -> str:
    # shlex.quote leaves text such as PL1:C:C-1 bare. Quoting it anyway shows where the argument ends.
    return shlex.quote(text) if "'" in text else f"'{text}'"


def _print_error(output_format: str, name: str, error: str) -> None:
    if output_format == "json":
        print(json.dumps({"path": name, "codes": [], "error": error}, ensure_ascii=False))
    print(f"lineage scan: {name or repr(name)}: {error}", file=sys.stderr)


def _print_text(name: str, codes: list[DecodedCode]) -> None:
    print(f"{name}: {len(codes)} code(s)")
    for code in codes:
        shown = (
            escape_for_message(code.text, max_characters=80) if code.text is not None else f"<{len(code.raw)} bytes>"
        )
        payload = code_payload(code)
        verdict = payload.kind if payload.accepted else f"rejected: {payload_as_dict(payload)['reason']}"
        print(f"  {shown} [{code.decoder}] -> {verdict}")
