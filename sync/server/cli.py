"""`lineage-server`: run the central server, enrol and revoke stations, import reference data.

lineage-server --db server.db --host 127.0.0.1 --port 8080
lineage-server --db postgresql://127.0.0.1/lineage --workers 4
lineage-server --db server.db enrol-station ST-01     # prints the station's token once
lineage-server --db server.db revoke-station ST-01
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
import sys
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from sync.database import is_postgres_url
from sync.migrations import SchemaTooNew
from sync.reference import InvalidReference, import_reference_rows, load_reference_file
from sync.server.auth import EnrolmentError, enrol_station, revoke_station
from sync.server.inputs import InvalidInput, check_database_target, read_input_file
from sync.server.settings import SETTINGS_ENV, ServerSettings, host_problem, load_server_config, range_problem
from sync.server.status import station_statuses
from sync.server.storage import (
    ServerStorage,
    StorageBusy,
    StorageUnavailable,
    describe_target,
    load_key_file,
    now_utc_us,
)
from sync.server.text import format_count

log = logging.getLogger(__name__)

DEFAULTS = ServerSettings()
# Settings that have a flag of the same name (dashes for underscores).
FLAG_SETTINGS = (
    "db",
    "host",
    "port",
    "workers",
    "max_clock_drift_s",
    "max_concurrent_batches",
    "queue_wait_s",
    "retry_after_s",
    "pool_size",
    "receipt_key_file",
)
# Commands that read or change what a server database contains: a missing SQLite file is an error
# for them, where serving, enrolling and importing create a new database.
EXISTING_DATABASE_COMMANDS = ("revoke-station", "stations", "verify")
# Singular and plural noun of each reference section, for the counts `import-reference` prints.
Number = TypeVar("Number", int, float)

REFERENCE_NOUNS = {
    "operators": ("operator", "operators"),
    "equipment": ("equipment entry", "equipment entries"),
    "sampling_methods": ("sampling method", "sampling methods"),
    "acceptance_rules": ("acceptance rule", "acceptance rules"),
    "grades": ("grade", "grades"),
}


def whole_number(name: str) -> Callable[[str], int]:
    """Return an argparse type that reads a whole number and checks it against setting ``name``'s range."""
    return _ranged(name, int, "a whole number")


def number(name: str) -> Callable[[str], float]:
    """Return an argparse type that reads a number and checks it against setting ``name``'s range."""
    return _ranged(name, float, "a number")


def _ranged(name: str, convert: Callable[[str], Number], noun: str) -> Callable[[str], Number]:
    def parse(text: str) -> Number:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
        _check_range(name, value)
        return value

    return parse


def _check_range(name: str, value: float) -> None:
    problem = range_problem(name, value)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)


def host_address(text: str) -> str:
    """Check the form of a --host value for argparse; return it unchanged."""
    problem = host_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{problem}; use an address of this machine such as 127.0.0.1, 0.0.0.0 or ::")
    return text


def build_parser() -> argparse.ArgumentParser:
    """Build the `lineage-server` argument parser; numeric flags are range-checked while parsing."""
    parser = argparse.ArgumentParser(prog="lineage-server", description="Powder Lineage central server.")
    parser.add_argument("--db", default=None, help=f"SQLite file or postgresql:// URL (default {DEFAULTS.db})")
    parser.add_argument(
        "--host", type=host_address, default=None, help=f"address to listen on (default {DEFAULTS.host})"
    )
    parser.add_argument(
        "--port",
        type=whole_number("port"),
        default=None,
        help=f"TCP port, 0 to 65535; 0 picks a free one (default {DEFAULTS.port})",
    )
    parser.add_argument(
        "--workers",
        type=whole_number("workers"),
        default=None,
        help="worker processes, 1 or more; more than 1 needs PostgreSQL (default 1)",
    )
    parser.add_argument(
        "--max-clock-drift-s",
        type=number("max_clock_drift_s"),
        default=None,
        help=f"flag a station clock off by more than this many seconds (default {DEFAULTS.max_clock_drift_s:g})",
    )
    parser.add_argument(
        "--max-concurrent-batches",
        type=whole_number("max_concurrent_batches"),
        default=None,
        help=f"batches one worker stores at once; others wait, then get 503 (default {DEFAULTS.max_concurrent_batches})",
    )
    parser.add_argument(
        "--queue-wait-s",
        type=number("queue_wait_s"),
        default=None,
        help=f"seconds a batch waits for a free slot before 503 (default {DEFAULTS.queue_wait_s:g})",
    )
    parser.add_argument(
        "--retry-after-s",
        type=whole_number("retry_after_s"),
        default=None,
        help=f"Retry-After seconds sent with 429 and 503 (default {DEFAULTS.retry_after_s})",
    )
    parser.add_argument(
        "--pool-size",
        type=whole_number("pool_size"),
        default=None,
        help=f"PostgreSQL connections per worker (default {DEFAULTS.pool_size})",
    )
    parser.add_argument(
        "--receipt-key-file",
        default=None,
        help="file with the receipt signing key (32+ bytes, hex or raw); default: a key kept in the database",
    )
    parser.add_argument(
        "--config",
        default=None,
        help="server configuration file (TOML, keys as the flags: db, port, ...); flags override it",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step (DEBUG)")
    add_commands(parser)
    return parser


def add_commands(parser: argparse.ArgumentParser) -> None:
    """Add the administration commands; without one, `lineage-server` serves."""
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("serve", help="run the server (the default)")
    enrol = commands.add_parser("enrol-station", help="enrol a station and print its new token once")
    enrol.add_argument("station_id", metavar="NAME")
    enrol.add_argument("--replace", action="store_true", help="issue a new token for an enrolled station")
    revoke = commands.add_parser("revoke-station", help="revoke a station's token (its events stay)")
    revoke.add_argument("station_id", metavar="NAME")
    commands.add_parser("stations", help="print every station's sync status")
    commands.add_parser("verify", help="check every station's hash chain and that each event arrived once")
    reference = commands.add_parser("import-reference", help="load reference data (TOML) that stations pull")
    reference.add_argument("file")


def settings_from_args(args: argparse.Namespace, *, config: dict[str, Any] | None = None) -> ServerSettings:
    """Return the server settings: the defaults, then the --config file, then the flags given.

    ``config`` is the --config file as `load_server_config` returns it; it is read here when None.
    """
    if config is None:
        config = load_server_config(Path(args.config)) if args.config else {}
    values = dict(config)
    for name in FLAG_SETTINGS:
        given = getattr(args, name)
        if given is not None:
            values[name] = given
    if args.verbose:
        values["log_level"] = "debug"
    return replace(DEFAULTS, **values)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `lineage-server`; return the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s",
    )
    command = args.command or "serve"
    try:
        config = load_server_config(Path(args.config)) if args.config else {}
        settings = settings_from_args(args, config=config)
        check_inputs(command, args, settings, config)
        if command == "serve":
            return serve(settings)
        return run_admin(command, args, settings)
    except (StorageUnavailable, StorageBusy, EnrolmentError, InvalidReference, SchemaTooNew, ValueError) as error:
        print(f"lineage-server {command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def check_inputs(command: str, args: argparse.Namespace, settings: ServerSettings, config: dict[str, Any]) -> None:
    """Check the database and the receipt key file before anything is opened or created.

    Raises InvalidInput naming the flag or --config key that gave the value.
    """
    check_database_target(
        settings.db,
        describe_setting("db", settings.db, args=args, config=config),
        must_exist=command in EXISTING_DATABASE_COMMANDS,
    )
    if command == "serve" and settings.receipt_key_file:
        label = describe_setting("receipt_key_file", settings.receipt_key_file, args=args, config=config)
        load_key_file(Path(settings.receipt_key_file), label=label)


def describe_setting(name: str, value: str, *, args: argparse.Namespace, config: dict[str, Any]) -> str:
    """Name a setting's value as the user gave it: ``--db VALUE``, or ``db VALUE in FILE`` from the --config file.

    A PostgreSQL URL is shown without its password.
    """
    displayed = describe_target(value) if is_postgres_url(value) else value or "''"
    if getattr(args, name) is None and name in config:
        return f"{name} {displayed} in {args.config}"
    return f"--{name.replace('_', '-')} {displayed}"


def load_reference(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Read and validate a reference TOML file; raise InvalidInput or InvalidReference naming the problem."""
    raw = read_input_file(path, f"reference file {path}", suffix=".toml")
    try:
        tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput(f"reference file {path} is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"reference file {path} is not valid TOML ({error}); correct the file") from None
    return load_reference_file(path)


def run_admin(command: str, args: argparse.Namespace, settings: ServerSettings) -> int:
    """Run an administration command against the database, migrating it first."""
    # Read before the database is opened, so a wrong file leaves no new database behind.
    sections = load_reference(Path(args.file)) if command == "import-reference" else {}
    storage = ServerStorage.open(settings.db, checkpoints=False)
    try:
        storage.migrate()
        if command == "enrol-station":
            token = storage.write(lambda: enrol_station(args.station_id, now_us=now_utc_us(), replace=args.replace))
            print(token)
            print(
                f"Station {args.station_id} enrolled. Put this token in its configuration ([sync] token); "
                "it is shown only once.",
                file=sys.stderr,
            )
        elif command == "revoke-station":
            storage.write(lambda: revoke_station(args.station_id, now_us=now_utc_us()))
            print(f"Station {args.station_id} revoked; its token no longer works.")
        elif command == "stations":
            for status in storage.read(lambda: station_statuses(None)):
                print(station_line(status))
        elif command == "verify":
            return run_verify(storage)
        elif command == "import-reference":
            added = storage.write(lambda: import_reference_rows(sections), lock=True)
            print(", ".join(format_count(count, *REFERENCE_NOUNS[name]) for name, count in added.items()) + " added")
    finally:
        storage.close()
    return 0


def station_line(status: dict[str, Any]) -> str:
    """Return one line of `lineage-server stations` for a station status as `station_statuses` returns it."""
    state = "not enrolled"
    if status["enrolled"]:
        state = "revoked" if status["revoked"] else "enrolled"
    held = status["events_held"]
    gaps = ", ".join(f"{gap['first_seq']}-{gap['last_seq']}" for gap in status["open_gaps"]) or "none"
    flags = ", ".join(f"{code} {count}" for code, count in sorted(status["flag_counts"].items())) or "none"
    return (
        f"{status['station_id']}: {state}, {format_count(held, 'event')}, "
        f"head seq {status['head_seq']}, last seen {status['last_seen_at'] or 'never'}, "
        f"open gaps {gaps}, flags {flags}"
    )


def run_verify(storage: ServerStorage) -> int:
    """Print each station's chain check; return 0 when every chain is intact and every event arrived once."""
    from peewee import fn

    from sync.models import Event
    from sync.server.tables import Arrival
    from sync.verify import verify_chains

    def check() -> tuple[Any, int, int, int]:
        report = verify_chains()
        events = Event.select().count()
        arrivals = Arrival.select().count()
        distinct = Arrival.select(fn.COUNT(Arrival.event_id.distinct())).scalar() or 0
        return report, events, arrivals, int(distinct)

    report, events, arrivals, distinct = storage.read(check)
    for station_id, count in report.stations.items():
        print(f"station {station_id}: {format_count(count, 'event')} checked")
    problems = [f"BROKEN: {problem}" for problem in report.problems]
    if arrivals != events or distinct != arrivals:
        problems.append(
            f"BROKEN: {format_count(events, 'event')} but {format_count(arrivals, 'arrival row')} ({distinct} distinct)"
        )
    if not problems:
        print(f"OK: {format_count(report.events_checked, 'event')}, every chain intact, each event stored once")
        return 0
    print("\n".join(problems))
    return 1


def serve(settings: ServerSettings) -> int:
    """Bind the address, migrate the database and run the workers until stopped."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    if settings.workers < 1:
        raise ValueError(f"--workers {settings.workers} is invalid; use 1 or more")
    if settings.workers > 1 and not is_postgres_url(settings.db):
        raise ValueError(
            f"--workers {settings.workers} needs a PostgreSQL database: SQLite allows one writing process. "
            "Use --db postgresql://... or --workers 1"
        )
    # Bound before the database is touched, so a wrong --host or --port leaves no new database
    # behind. Connections are refused until uvicorn listens, after the migration.
    sock = bind_socket(settings.host, settings.port)
    try:
        storage = ServerStorage.open(settings.db)
        try:
            storage.migrate()
            storage.ensure_receipt_key(settings.receipt_key_file or None)
        finally:
            storage.close()
    except BaseException:
        sock.close()
        raise
    host, port = sock.getsockname()[:2]
    os.environ[SETTINGS_ENV] = settings.to_env()
    config = uvicorn.Config(
        "sync.server.app:create_app_from_env",
        factory=True,
        workers=settings.workers,
        log_level=settings.log_level,
        access_log=settings.log_level == "debug",
        timeout_graceful_shutdown=10,
    )
    log.info("Serving %s with %s", describe_target(settings.db), format_count(settings.workers, "worker"))
    # Tests and scripts read this line to learn the port chosen for --port 0.
    print(f"lineage-server listening on http://{host}:{port}", flush=True)
    if settings.workers == 1:
        uvicorn.Server(config).run(sockets=[sock])
    else:
        Multiprocess(config, sockets=[sock]).run()
    return 0


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind and return the listening socket that every worker shares."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP given explicitly: asyncio turns on TCP_NODELAY for accepted
    # connections only when the listening socket's proto is TCP. Without it,
    # a kept-alive connection waits about 40 ms per response (Nagle's algorithm
    # against the client's delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except (socket.gaierror, UnicodeError) as error:
        # A host name that cannot be resolved (gaierror) or encoded (UnicodeError, e.g. a label over 63 characters).
        sock.close()
        reason = error.strerror if isinstance(error, socket.gaierror) else str(error)
        raise ValueError(
            f"cannot listen on --host {host}: the name cannot be resolved ({reason}); "
            "use an address of this machine such as 127.0.0.1, 0.0.0.0 or ::"
        ) from error
    except OSError as error:
        sock.close()
        raise ValueError(bind_error_message(host, port, error)) from error
    sock.set_inheritable(True)
    return sock


def bind_error_message(host: str, port: int, error: OSError) -> str:
    """Return the message for a failed bind, naming the flag to change."""
    if error.errno == errno.EADDRINUSE:
        return f"cannot listen on {host}:{port}: the port is already in use; choose another --port or stop the program using it"
    if error.errno == errno.EADDRNOTAVAIL:
        return (
            f"cannot listen on --host {host}: it is not an address of this machine; "
            "choose another --host such as 127.0.0.1, 0.0.0.0 or ::"
        )
    if error.errno == errno.EACCES:
        return f"cannot listen on port {port}: {error.strerror}; ports below 1024 need root, choose a --port of 1024 or more"
    return f"cannot listen on {host}:{port}: {error.strerror}; check --host and --port"


if __name__ == "__main__":
    sys.exit(main())
