"""`lineage sync`: send this station's outbox to the central server and pull other stations' events."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import Any

from kiosk.config import Config, ConfigError
from sync.urls import server_url_problem


def register(subparsers: Any) -> None:
    """Add `lineage sync` to `lineage`."""
    sync = subparsers.add_parser("sync", help="send pending events to the server and pull other stations' events")
    sync.add_argument(
        "--once", action="store_true", help="one round (push everything, pull, reference data), then exit"
    )
    sync.add_argument("--db", default=None, help="station store file (default: the configured station store)")
    sync.add_argument("--server", default=None, help="server base URL (overrides [sync] server_url)")
    sync.add_argument("--token", default=None, help="station token (overrides [sync] token)")
    sync.add_argument(
        "--ca-bundle", default=None, help="CA bundle for the server's TLS certificate (overrides [sync] ca_bundle)"
    )
    sync.add_argument("--status", action="store_true", help="print the outbox status and rejected events, send nothing")
    sync.set_defaults(handler=run_sync)


def settings_from_config(config: Config, args: argparse.Namespace) -> Any:
    """Return the SyncSettings of the configuration, with command-line overrides."""
    from sync.client import SyncSettings

    server_url = args.server or config.sync_server_url
    token = args.token or config.sync_token
    if not server_url:
        raise ConfigError(
            "no sync server configured; set [sync] server_url in the station configuration or pass --server URL"
        )
    if not token:
        raise ConfigError(
            "no station token configured; set [sync] token (from `lineage-server enrol-station`) or pass --token"
        )
    return SyncSettings(
        server_url=server_url,
        token=token,
        ca_bundle=args.ca_bundle or config.sync_ca_bundle,
        connect_timeout_s=config.sync_connect_timeout_s,
        read_timeout_s=config.sync_read_timeout_s,
        batch_size=config.sync_batch_size,
        interval_s=config.sync_interval_s,
        backoff_max_s=config.sync_backoff_max_s,
    )


def open_station_store(args: argparse.Namespace, config: Config) -> Any:
    """Open the store named by --db, else the configured one, creating it for a new station.

    A new station may sync before it records anything, to pull the events and
    reference data of the others.
    """
    from sync.store import Store

    path = Path(args.db) if args.db else config.store_path
    is_new = not path.exists()
    store = Store.open(path, station_id=config.station_id if is_new else None)
    if is_new:
        # Said aloud: a mistyped path must not pass for the station's real store.
        print(f"No store at {path.absolute()}: made a new, empty one for station {config.station_id}.", file=sys.stderr)
    for message in store.startup_report.messages:
        print(message, file=sys.stderr)
    return store


def run_sync(args: argparse.Namespace, config: Config) -> int:
    from sync.client import SyncClient, SyncError

    if args.server:
        problem = server_url_problem(args.server)
        if problem is not None:
            raise ConfigError(f"--server is invalid: {problem}")
    if args.status:
        from sync.client import SyncSettings

        settings = SyncSettings(server_url=args.server or config.sync_server_url or "-", token="-")
    else:
        settings = settings_from_config(config, args)
    with open_station_store(args, config) as store:
        client = SyncClient(store, settings)
        if args.status:
            return print_status(client)
        if not args.once:
            return run_forever(client)
        try:
            report = client.sync_once()
        except SyncError as error:
            status = client.status()
            print(f"lineage sync: {error}", file=sys.stderr)
            waiting = (
                "1 event still waiting; it stays"
                if status.waiting == 1
                else f"{status.waiting} events still waiting; they stay"
            )
            print(f"{waiting} in the outbox and will be sent next time.", file=sys.stderr)
            return 1
        print(report.summary())
        status = client.status()
        _print_problems(client, status)
        return 0 if status.receipt_problem is None else 1


def print_status(client: Any) -> int:
    """Print waiting and rejected counts, the last success and each rejected event."""
    status = client.status()
    print(f"waiting: {status.waiting}, rejected: {status.rejected}, last success: {status.last_success_at or 'never'}")
    _print_problems(client, status)
    return 0


def _print_problems(client: Any, status: Any) -> None:
    for event in client.rejected_events():
        print(f"REJECTED {event['event_id']} seq {event['seq']} {event['kind']}: {event['reason']}")
    if status.rejected and not status.receipt_problem:
        # With a receipt problem the store itself is in doubt: its advice below comes first.
        print("Record a correction for each rejected event (it stays in the records with its reason).")
    for station, missing in status.open_gaps.items():
        print(f"GAP: {missing} {'event' if missing == 1 else 'events'} of station {station} not yet received here")
    if status.receipt_problem:
        print(f"RECEIPT: {status.receipt_problem}", file=sys.stderr)


def status_line(status: Any) -> str:
    """Return the line `lineage sync` prints for a SyncStatus: state, counts and the last error."""
    state = "online" if status.online else "offline"
    error = f", last error: {status.last_error}" if status.last_error else ""
    return f"{state}, {status.waiting} waiting, {status.rejected} rejected{error}"


class StatusPrinter:
    """Prints a status line when it differs from the line printed before, so retries print nothing new."""

    def __init__(self) -> None:
        self._last_line: str | None = None

    def __call__(self, status: Any) -> None:
        line = status_line(status)
        if line == self._last_line:
            return
        self._last_line = line
        print(line, flush=True)


def run_forever(client: Any) -> int:
    """Sync in the background until Ctrl-C, printing each status change."""
    stop = threading.Event()
    client.start(on_status=StatusPrinter())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        client.stop()
    return 0
