"""`lineage`: the command-line tool for a station's records (timeline, verify, demo data, scan, label, sync)."""

from __future__ import annotations

import argparse
import importlib
import logging
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

import peewee

from kiosk.config import ConfigError, load_config
from sync.errors import StoreError, describe_file_error
from sync.records import InvalidEvent
from sync.reference import InvalidReference

log = logging.getLogger(__name__)

# Each module defines register(subparsers); a command's handler is set with
# parser.set_defaults(handler=...) and receives (args, config), returning an exit status.
COMMAND_MODULES = [
    "kiosk.commands.records",
    "kiosk.commands.sync",
    "kiosk.commands.label",
    "kiosk.commands.scan",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """Build the `lineage` argument parser with every command module's subcommands."""
    parser = argparse.ArgumentParser(prog="lineage", description="Powder Lineage records at a station.")
    parser.add_argument("--config", type=str, default=None, help="station configuration file (TOML)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and SQL steps")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `lineage`; return the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        config = load_config(None if args.config is None else Path(args.config))
        return int(args.handler(args, config) or EXIT_OK)
    except (ConfigError, StoreError, InvalidEvent, InvalidReference) as error:
        print(f"lineage {args.command}: {error}", file=sys.stderr)
        return EXIT_FAILED
    except (peewee.DatabaseError, sqlite3.DatabaseError) as error:
        store = getattr(args, "db", None) or config.store_path
        print(
            f"lineage {args.command}: the store {store} could not be read ({error}); it may be damaged. "
            "It was left as it is: start the station app on it to salvage its events, or restore a backup",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"lineage {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:  # a path that is a folder, missing, unreadable, or a full disk
        print(f"lineage {args.command}: {describe_file_error(error)}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
