"""`lineage timeline`, `verify`, `demo-data`, `import-reference` and `hash-pin`: the records commands."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import peewee
from peewee import PostgresqlDatabase

from kiosk.config import Config, ConfigError
from sync.database import is_postgres_url, open_postgres
from sync.lineage import DEFAULT_DEPTH
from sync.models import Event, database_proxy
from sync.reference import hash_pin, import_reference_rows, load_reference_file
from sync.store import Store


def register(subparsers: Any) -> None:
    """Add the records commands to `lineage`."""
    timeline = subparsers.add_parser(
        "timeline",
        help="print a lot's whole story from any lot number, container id, earlier label or sample id",
    )
    timeline.add_argument("id", help="lot id or supplier lot number, container id or label, or sample id")
    add_db_option(timeline, postgres=True)
    timeline.add_argument("--format", choices=["text", "json"], default="text", help="output format (default text)")
    timeline.add_argument(
        "--depth",
        type=int,
        default=DEFAULT_DEPTH,
        help=f"generations to follow up and down (default {DEFAULT_DEPTH}; more for a full audit)",
    )
    timeline.set_defaults(handler=run_timeline)

    verify = subparsers.add_parser("verify", help="check every station's hash chain and sequence")
    add_db_option(verify, postgres=True)
    verify.set_defaults(handler=run_verify)

    demo = subparsers.add_parser("demo-data", help="write a realistic, deterministic plant history into a store")
    demo.add_argument(
        "--db", required=True, help="store to create or fill, holding no events yet (SQLite file or postgresql:// URL)"
    )
    demo.add_argument("--events", type=int, default=2000, help="number of events to write (default 2000)")
    demo.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same history")
    demo.set_defaults(handler=run_demo_data)

    reference = subparsers.add_parser(
        "import-reference", help="load operators, equipment, methods, rules and grades from a TOML file"
    )
    reference.add_argument("file", help="reference data file (format in docs/reference-data.md)")
    add_db_option(reference)
    reference.set_defaults(handler=run_import_reference)

    pin = subparsers.add_parser(
        "hash-pin", help="print the pin_hash for an operator's PIN (read from the terminal or stdin)"
    )
    pin.set_defaults(handler=run_hash_pin)


def add_db_option(parser: argparse.ArgumentParser, *, postgres: bool = False) -> None:
    """Add --db, the store to use (default: the station's store from the configuration)."""
    target = "station store file or postgresql:// URL" if postgres else "station store file"
    parser.add_argument("--db", default=None, help=f"{target} (default: the configured station store)")


def open_store(args: argparse.Namespace, config: Config) -> Store:
    """Open the store named by --db, else the configured station store."""
    if args.db and is_postgres_url(args.db):
        if args.command == "import-reference":
            instead = f"for a server's PostgreSQL database use `lineage-server --db {args.db} import-reference FILE`"
        else:
            instead = "give --db with the path of a station store"
        raise SystemExit(f"lineage {args.command}: works on a station store, a SQLite file, not {args.db}; {instead}")
    path = Path(args.db) if args.db else config.store_path
    if not path.exists() and args.command != "import-reference":
        if args.db:
            where = "given with --db"
        elif config.source:
            where = f"the db_path of {config.source}"
        else:
            where = "the default"
        raise SystemExit(
            f"lineage {args.command}: no store at {path.absolute()} ({where}); "
            "give --db with the path of a station store (`lineage demo-data --db FILE` makes a demo one)"
        )
    # Tools never move a file aside: a wrong --db path must not turn someone's file into a "damaged store".
    store = Store.open(path, station_id=None if path.exists() else config.station_id, salvage_damaged=False)
    for message in store.startup_report.messages:
        print(message, file=sys.stderr)
    return store


class PostgresRecords:
    """A PostgreSQL database of records (a server's, or demo data) opened for reading only."""

    def __init__(self, db: PostgresqlDatabase):
        self.db = db

    def __enter__(self) -> PostgresRecords:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Read in one read-only transaction: a consistent snapshot that cannot change anything."""
        with self.db.connection_context(), self.db.atomic():
            self.db.execute_sql("SET TRANSACTION READ ONLY")
            yield


def open_records(args: argparse.Namespace, config: Config) -> Store | PostgresRecords:
    """Open --db for reading: a station store file, or a PostgreSQL database named by its URL."""
    if not (args.db and is_postgres_url(args.db)):
        return open_store(args, config)
    db = open_postgres(args.db)
    try:
        db.connect()
        has_records = db.table_exists(Event._meta.table_name)
    except peewee.OperationalError as error:
        raise SystemExit(
            f"lineage {args.command}: cannot read the PostgreSQL database {args.db}: {str(error).strip()}; "
            "check that PostgreSQL runs there and that the database name is right"
        ) from error
    if not has_records:
        db.close()
        raise SystemExit(
            f"lineage {args.command}: the PostgreSQL database {args.db} contains no Powder Lineage records; "
            "check the database name"
        )
    db.close()
    database_proxy.initialize(db)
    return PostgresRecords(db)


def run_timeline(args: argparse.Namespace, config: Config) -> int:
    from kiosk.scan.payloads import RejectedLabelPayload, identifier_in_store
    from sync.report import format_timeline_text
    from sync.timeline import build_timeline

    if args.depth < 1:
        print(f"lineage timeline: --depth must be a whole number of 1 or more, not {args.depth}", file=sys.stderr)
        return 1
    with open_records(args, config) as store, store.reading():
        try:
            identifier = identifier_in_store(args.id)  # a scanned label payload works as the id too
        except RejectedLabelPayload as error:
            print(f"lineage timeline: {error}", file=sys.stderr)
            return 1
        timeline = build_timeline(identifier, max_depth=args.depth)
    if args.format == "json":
        json.dump(timeline, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_timeline_text(timeline, station_zone(config)))
    return 0


def station_zone(config: Config) -> tzinfo | None:
    """Return the configured display zone, or None for the machine's zone."""
    if not config.time_zone:
        return None
    try:
        return ZoneInfo(config.time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(f"time_zone {config.time_zone!r} is not a known IANA zone such as Europe/Berlin") from error


def run_verify(args: argparse.Namespace, config: Config) -> int:
    from sync.verify import verify_chains

    with open_records(args, config) as store, store.reading():
        report = verify_chains()
    for station_id, count in report.stations.items():
        print(f"station {station_id}: {count} {'event' if count == 1 else 'events'} checked")
    if report.ok:
        count = report.events_checked
        print(f"OK: {count} {'event' if count == 1 else 'events'}, every chain intact")
        return 0
    for problem in report.problems:
        print(f"BROKEN: {problem}")
    return 1


def run_demo_data(args: argparse.Namespace, config: Config) -> int:
    from sync.demo import write_demo_history

    if args.events < 1:
        print(f"lineage demo-data: --events must be at least 1, not {args.events}", file=sys.stderr)
        return 2
    progress = _ProgressLine()
    try:
        summary = write_demo_history(args.db, events=args.events, seed=args.seed, progress=progress.show)
    finally:
        # A failure or Ctrl+C must not print its message on the end of the progress line.
        progress.end()
    print(summary)
    return 0


class _ProgressLine:
    """An event count rewritten in place on one line of standard error, ended with a newline however the work ends."""

    def __init__(self) -> None:
        self._is_open = False

    def show(self, done: int, total: int) -> None:
        print(f"\r{done}/{total} events", end="", file=sys.stderr, flush=True)
        self._is_open = True

    def end(self) -> None:
        if self._is_open:
            print(file=sys.stderr, flush=True)
            self._is_open = False


def run_import_reference(args: argparse.Namespace, config: Config) -> int:
    sections = load_reference_file(Path(args.file))
    with open_store(args, config) as store:
        added = store.write(lambda: import_reference_rows(sections))
    print(", ".join(f"{count} {name.replace('_', ' ')}" for name, count in added.items()) + " added")
    return 0


def run_hash_pin(args: argparse.Namespace, config: Config) -> int:
    if not sys.stdin.isatty():
        pin = sys.stdin.readline().strip()
        if not pin:
            print(
                "lineage hash-pin: no PIN was given; type it, or pipe it in: echo 1234 | lineage hash-pin",
                file=sys.stderr,
            )
            return 1
    else:
        # Typed unseen, so a typo would go unnoticed: the PIN is asked twice.
        pin = getpass.getpass("PIN: ")
        if getpass.getpass("PIN again: ") != pin:
            print("lineage hash-pin: the two PINs differ; nothing was printed. Run it again", file=sys.stderr)
            return 1
    try:
        print(hash_pin(pin))
    except ValueError as error:
        print(f"lineage hash-pin: {error}", file=sys.stderr)
        return 1
    return 0
