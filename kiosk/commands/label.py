"""`lineage label`: render the label of a container, lot or sample to a file, or send it to the configured printer."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path
from typing import Any

from kiosk.commands.records import add_db_option, open_store
from kiosk.config import Config
from kiosk.labels.content import read_label_content, station_today
from kiosk.labels.errors import InvalidLabelOptions, LabelError
from kiosk.labels.files import file_stem, write_file_atomically
from kiosk.labels.options import LabelOptions, SheetOptions
from kiosk.labels.printers import PrinterError, printer_from_config
from kiosk.labels.render import FORMATS, check_format, render_labels

EXIT_FAILED = 1


def register(subparsers: Any) -> None:
    """Add `lineage label` to the command-line tool."""
    parser = subparsers.add_parser(
        "label",
        help="render the QR label of a container, lot or sample (PNG, SVG, PDF or ZPL), or print it",
        description=(
            "Render the label of each ID (a container id or any of its labels, a lot id or lot number, "
            "or a sample id) from the station store. A container's label carries its current label."
        ),
    )
    parser.add_argument(
        "ids", nargs="+", metavar="ID", help="container, lot or sample id; several for a PDF sheet or a ZPL job"
    )
    add_db_option(parser)

    # What to draw: format, size and resolution default to the label_* settings. Values are
    # checked by the label code, not argparse, so a bad value exits 1 with its reason like any error.
    parser.add_argument(
        "--format", default=None, help=f"output format: {', '.join(FORMATS)} (default: from --out's suffix)"
    )
    parser.add_argument("--size", default=None, help="label size WIDTHxHEIGHT in mm (default: label_size setting)")
    parser.add_argument("--dpi", default=None, help="printer resolution in dots per inch (default: label_dpi setting)")
    parser.add_argument(
        "--error-correction",
        default=None,
        help="QR error correction: M, Q or H (default: label_error_correction setting)",
    )

    # How many and where to.
    parser.add_argument("--copies", default="1", help="labels per id (default 1)")
    parser.add_argument(
        "--sheet", metavar="PAPER", default=None, help="lay the labels out on A4 or Letter sheets (PDF only)"
    )
    parser.add_argument("--out", default=None, help="file to write, or - for standard output")
    parser.add_argument(
        "--print", dest="send", action="store_true", help="send to the configured printer instead of a file"
    )

    parser.set_defaults(handler=run_label)


def run_label(args: argparse.Namespace, config: Config) -> int:
    """Render the labels and write them to --out or send them to the printer; return the exit status."""
    try:
        return _run(args, config)
    except (LabelError, PrinterError) as error:
        print(f"lineage label: {error}", file=sys.stderr)
        return EXIT_FAILED


def _run(args: argparse.Namespace, config: Config) -> int:
    if args.send == bool(args.out):
        print("lineage label: give either --out FILE (or - for standard output) or --print", file=sys.stderr)
        return EXIT_FAILED
    if args.out and args.out != "-":
        # Before the store is opened and the labels drawn, so that a wrong path costs nothing.
        _check_out_path(args.out, example_name=_example_file_name(args))
    printer = printer_from_config(config, default_folder=config.store_path.parent / "labels") if args.send else None
    fmt = _output_format(args, printer.format if printer else None)
    dpi = None if args.dpi is None else _whole_number("--dpi", args.dpi, "dots per inch, such as 203 or 300")
    copies = _whole_number("--copies", args.copies, "labels per id, such as 2")
    options = LabelOptions.from_config(config, size=args.size, dpi=dpi, error_correction=args.error_correction)
    sheet = SheetOptions.from_config(config, paper=args.sheet) if args.sheet else None

    today = station_today(config.time_zone)
    with open_store(args, config) as store, store.reading():
        contents = [
            read_label_content(
                identifier, station_id=config.station_id, today=today, resolver_base=config.label_resolver_base or None
            )
            for identifier in args.ids
        ]
    data = render_labels(contents, options, fmt, copies=copies, sheet=sheet)

    title = contents[0].identifier if len(contents) == 1 else f"{contents[0].identifier}-and-{len(contents) - 1}-more"
    if printer is not None:
        printer.send(data, title=title)
        print(f"sent {len(contents) * copies} label(s) to {printer.description}", file=sys.stderr)
    elif args.out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        _write_file(Path(args.out), data)
        print(
            f"wrote {fmt.upper()} label(s) for {', '.join(c.identifier for c in contents)} to {args.out}",
            file=sys.stderr,
        )
    return 0


def _whole_number(option: str, text: str, meaning: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidLabelOptions(f"{option} {text!r} is not a whole number; give {meaning}") from None


def _output_format(args: argparse.Namespace, printer_format: str | None) -> str:
    requested = None if args.format is None else check_format(args.format)
    if printer_format is not None:
        if requested and requested != printer_format:
            raise LabelError(f"the configured printer takes {printer_format}, not {requested}; leave out --format")
        return printer_format
    if requested:
        return requested
    suffix = Path(args.out).suffix.lstrip(".").lower()
    if suffix in FORMATS:
        return check_format(suffix)
    raise LabelError(f"cannot tell the format from {args.out!r}; give --format {'|'.join(FORMATS)}")


def _example_file_name(args: argparse.Namespace) -> str:
    """Return a file name to suggest for --out: the first id with the --format suffix, or .pdf."""
    fmt = args.format.lower() if args.format and args.format.lower() in FORMATS else "pdf"
    return f"{file_stem(args.ids[0])}.{fmt}"


def _check_out_path(out: str, *, example_name: str) -> None:
    """Raise LabelError when --out names a folder, or a file in a folder that does not exist."""
    path = Path(out)
    if out.endswith(("/", os.sep)) or path.is_dir():
        raise LabelError(
            f"--out {out!r} names a folder, but --out takes a file; give a file in it, such as {path / example_name}"
        )
    folder = path.parent
    if folder.is_dir():
        return
    if folder.exists():
        raise LabelError(f"cannot write {out}: {folder} is a file, not a folder; give a file in an existing folder")
    raise LabelError(
        f"cannot write {out}: the folder {folder} does not exist; create it or give a file in an existing folder"
    )


def _write_file(path: Path, data: bytes) -> None:
    """Write the file whole or not at all (a failed write leaves no half label behind)."""
    try:
        write_file_atomically(path, data, durable=False)
    except IsADirectoryError as error:
        # A folder of that name appeared after the check in _run.
        raise LabelError(f"--out {str(path)!r} names a folder, but --out takes a file; give a file in it") from error
    except FileNotFoundError as error:
        raise LabelError(f"cannot write {path}: the folder {path.parent} does not exist; create it") from error
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise LabelError(f"cannot write {path}: the disk is full; free some space") from error
        raise LabelError(f"cannot write {path}: {error.strerror or error}; check the folder's permissions") from error
