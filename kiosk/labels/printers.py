"""Label printers: ZPL sent raw over TCP, a CUPS queue through `lp`, or files in a folder.

Each printer takes a finished job (bytes in its format) and either returns
once the job is handed over or raises a PrinterError whose message names what
the operator should check. None of them retries; the print queue does.
"""

from __future__ import annotations

import errno
import logging
import socket
import subprocess
from pathlib import Path
from typing import Any, Protocol

from kiosk.labels.files import file_stem, write_file_atomically
from kiosk.labels.render import FORMATS, check_format

log = logging.getLogger(__name__)

PRINTER_KINDS = ("zpl_tcp", "cups", "file")
DEFAULT_ZPL_PORT = 9100


class PrinterError(Exception):
    """A job did not reach the printer; the message names the printer and what to check."""


class PrinterUnreachable(PrinterError):
    """The printer is off, refused the connection or timed out; the same job may work later."""


class PrinterFailed(PrinterError):
    """The printer, CUPS or the disk took the job and failed it."""


class PrinterNotConfigured(PrinterError):
    """The printer settings are incomplete or name something that does not exist (no `lp`, unknown host)."""


class Printer(Protocol):
    """Interface the print queue uses to send jobs."""

    format: str
    description: str

    def send(self, data: bytes, *, title: str) -> None:
        """Hand one job over; raise PrinterError when it does not get through."""


class ZplTcpPrinter:
    """A Zebra printer (or print server) taking raw ZPL on a TCP port, usually 9100."""

    format = "zpl"

    def __init__(self, host: str, port: int = DEFAULT_ZPL_PORT, *, timeout_s: float = 10.0):
        if not host:
            raise PrinterNotConfigured(
                "no printer_host is set for the ZPL printer; set it in the station configuration"
            )
        if not 1 <= port <= 65535:
            raise PrinterNotConfigured(f"printer_port {port} is not a TCP port; use 1 to 65535 (Zebra raw port: 9100)")
        self.host = host
        self.port = port
        self.timeout_s = timeout_s
        self.description = f"ZPL printer at {host}:{port}"

    def send(self, data: bytes, *, title: str) -> None:
        """Open a connection, send the job, close; raises PrinterUnreachable or PrinterNotConfigured."""
        where = f"the label printer at {self.host}:{self.port}"
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout_s) as connection:
                connection.settimeout(self.timeout_s)
                connection.sendall(data)
                connection.shutdown(socket.SHUT_WR)
        except socket.gaierror as error:
            raise PrinterNotConfigured(
                f"printer host {self.host!r} is not known ({error.strerror}); check printer_host"
            ) from error
        except ConnectionRefusedError as error:
            raise PrinterUnreachable(
                f"{where} refused the connection; check that it is switched on and that {self.port} is its raw port"
            ) from error
        except TimeoutError as error:
            raise PrinterUnreachable(
                f"{where} did not respond within {self.timeout_s:g} s; check that it is on and connected"
            ) from error
        except OSError as error:
            raise PrinterUnreachable(
                f"{where} cannot be reached ({error.strerror or error}); check the cable or network"
            ) from error
        log.debug("Sent %d bytes (%s) to %s", len(data), title, self.description)


class CupsPrinter:
    """A CUPS queue fed through `lp`: PDF for office printers, or ZPL to a raw queue."""

    def __init__(self, queue: str, *, format: str = "pdf", lp_command: str = "lp", timeout_s: float = 30.0):
        if not queue:
            raise PrinterNotConfigured(
                "no printer_queue is set for the CUPS printer; set it to the queue name `lpstat -p` lists"
            )
        self.queue = queue
        self.format = check_format(format)
        self.lp_command = lp_command
        self.timeout_s = timeout_s
        self.description = f"CUPS queue {queue}"

    def send(self, data: bytes, *, title: str) -> None:
        """Run `lp -d QUEUE` with the job on its standard input; raises PrinterError on any failure."""
        command = [self.lp_command, "-d", self.queue, "-t", title]
        if self.format == "zpl":
            command += ["-o", "raw"]  # CUPS must pass ZPL through to the printer unfiltered
        try:
            result = subprocess.run(command, input=data, capture_output=True, timeout=self.timeout_s, check=False)
        except FileNotFoundError as error:
            raise PrinterNotConfigured(
                f"the command {self.lp_command!r} is not installed; install the CUPS client "
                "(Debian: apt-get install cups-client) or choose another printer_kind"
            ) from error
        except subprocess.TimeoutExpired as error:
            raise PrinterUnreachable(
                f"`lp` did not finish within {self.timeout_s:g} s for CUPS queue {self.queue}; check that CUPS is running"
            ) from error
        except OSError as error:
            raise PrinterNotConfigured(
                f"the command {self.lp_command!r} cannot be run: {error.strerror or error}"
            ) from error
        if result.returncode != 0:
            # lp ends its messages with a full stop ("The printer or class does not exist.").
            output = (result.stderr or result.stdout).decode("utf-8", "replace").strip().rstrip(".") or "no message"
            raise PrinterFailed(
                f"`lp -d {self.queue}` failed with exit status {result.returncode}: {output}. "
                f"Check the queue with `lpstat -p {self.queue}`"
            )
        log.debug("CUPS queue %s took %s: %s", self.queue, title, result.stdout.decode("utf-8", "replace").strip())


class FilePrinter:
    """Writes each job as a file in a folder: for office workflows, a shared folder, or a station without a printer.

    Files get the permissions the process's umask gives (0644 under umask
    022), so a spooler or a share running as another user can read them. A
    missing folder is reported, not created, because a share that is not
    mounted would otherwise fill its mount point. Only with
    ``create_folder`` (the station's own default folder) is the last folder
    of the path created, and its parent must exist.
    """

    def __init__(self, folder: Path, *, format: str = "pdf", create_folder: bool = False):
        self.folder = Path(folder)
        self.format = check_format(format)
        self.create_folder = create_folder
        self.description = f"folder {self.folder}"

    def send(self, data: bytes, *, title: str) -> None:
        """Write the job atomically as ``<title>.<format>`` (numbered when taken).

        Raises PrinterUnreachable when the folder does not exist,
        PrinterNotConfigured when the path is not a folder, and PrinterFailed
        when the file cannot be written.
        """
        self.check_folder()
        try:
            path = self._free_path(title)
            write_file_atomically(path, data)
        except OSError as error:
            if error.errno == errno.ENOSPC:
                raise PrinterFailed(f"the disk holding {self.folder} is full; free some space") from error
            raise PrinterFailed(
                f"cannot write the label to {self.folder}: {error.strerror or error}; check the folder's permissions"
            ) from error
        log.info("Wrote label %s to %s", title, path)

    def check_folder(self) -> None:
        """Raise PrinterUnreachable when the folder is missing, PrinterNotConfigured when it is a file.

        With ``create_folder``, a missing folder is created first.
        """
        if self.create_folder and not self.folder.exists():
            try:
                self.folder.mkdir()
            except FileNotFoundError:
                pass  # reported below as a missing folder
            except OSError as error:
                raise PrinterFailed(
                    f"cannot create the label folder {self.folder}: {error.strerror or error}"
                ) from error
        if self.folder.is_dir():
            return
        if self.folder.exists() and self.create_folder:
            raise PrinterNotConfigured(
                f"the label folder {self.folder} is a file, not a folder; "
                "move the file away, or set printer_folder to a folder"
            )
        if self.folder.exists():
            raise PrinterNotConfigured(
                f"printer_folder {str(self.folder)!r} is a file, not a folder; set printer_folder to a folder, "
                "or leave it empty for <data dir>/labels"
            )
        raise PrinterUnreachable(
            f"the label folder {self.folder} does not exist; check that its share is mounted, or create the folder"
        )

    def _free_path(self, title: str) -> Path:
        stem = file_stem(title)
        path = self.folder / f"{stem}.{self.format}"
        number = 2
        while path.exists():
            path = self.folder / f"{stem}-{number}.{self.format}"
            number += 1
        return path


def check_printer_setup(printer: Printer) -> None:
    """Raise PrinterError when the printer's settings cannot work, without sending a job.

    Only the file printer's folder is checked. Reaching a ZPL printer or CUPS
    would delay the start for a printer that may be switched on later.
    """
    if isinstance(printer, FilePrinter):
        printer.check_folder()


def printer_from_config(config: Any, *, default_folder: Path) -> Printer:
    """Build the printer the ``printer_*`` settings describe; raises PrinterNotConfigured naming the setting."""
    kind = config.printer_kind
    fmt = config.printer_format
    if fmt and fmt not in FORMATS:
        raise PrinterNotConfigured(f"printer_format {fmt!r} is unknown; use one of {', '.join(FORMATS)}")
    if kind == "zpl_tcp":
        if fmt and fmt != "zpl":
            raise PrinterNotConfigured(f"printer_format {fmt!r} does not suit a ZPL printer; leave it empty or set zpl")
        return ZplTcpPrinter(config.printer_host, config.printer_port, timeout_s=config.printer_timeout_s)
    if kind == "cups":
        return CupsPrinter(
            config.printer_queue,
            format=fmt or "pdf",
            lp_command=config.printer_lp_command,
            timeout_s=config.printer_timeout_s,
        )
    if kind == "file":
        if config.printer_folder:
            return FilePrinter(Path(config.printer_folder), format=fmt or "pdf")
        return FilePrinter(default_folder, format=fmt or "pdf", create_folder=True)
    raise PrinterNotConfigured(f"printer_kind {kind!r} is unknown; use one of {', '.join(PRINTER_KINDS)}")
