"""Printers: raw ZPL over TCP to a listener on 127.0.0.1, CUPS through a stand-in `lp`, and a folder."""

from __future__ import annotations

import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.labels.printers import (
    CupsPrinter,
    FilePrinter,
    PrinterFailed,
    PrinterNotConfigured,
    PrinterUnreachable,
    ZplTcpPrinter,
    check_printer_setup,
    printer_from_config,
)
from tests.helpers import FakeZplPrinter

JOB = b"^XA^FO10,10^BQN,2,4,Q,7^FH_^FDQA,PL1:C:C-0001^FS^XZ\n"


def closed_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A listener on 127.0.0.1 that accepts connections but never reads: a printer that hangs."""
    server = socket.create_server(("127.0.0.1", 0))
    open_connections: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _address = server.accept()
            except TimeoutError:
                continue
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            open_connections.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join(2)
    for connection in open_connections:
        connection.close()
    server.close()


def fake_lp(folder: Path, script: str) -> Path:
    """Write an executable stand-in for CUPS's `lp` (a shell script) and return its path."""
    path = folder / "lp"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_zpl_printer_sends_job(fake_zpl_printer: FakeZplPrinter) -> None:
    printer = ZplTcpPrinter("127.0.0.1", fake_zpl_printer.port, timeout_s=2)

    printer.send(JOB, title="C-0001")

    assert fake_zpl_printer.wait_for_jobs(1) == [JOB]


def test_zpl_printer_refused_is_unreachable() -> None:
    port = closed_port()
    printer = ZplTcpPrinter("127.0.0.1", port, timeout_s=2)

    with pytest.raises(PrinterUnreachable, match=f"127.0.0.1:{port} refused the connection"):
        printer.send(JOB, title="C-0001")


def test_zpl_printer_times_out(silent_listener: int) -> None:
    printer = ZplTcpPrinter("127.0.0.1", silent_listener, timeout_s=0.3)

    # A job far larger than the socket buffers: sendall blocks on a printer that does not read.
    with pytest.raises(PrinterUnreachable, match=r"did not respond within 0\.3 s"):
        printer.send(JOB * 400_000, title="big")


@pytest.mark.parametrize(("host", "port", "setting"), [("", 9100, "printer_host"), ("127.0.0.1", 0, "printer_port")])
def test_zpl_printer_settings_checked(host: str, port: int, setting: str) -> None:
    with pytest.raises(PrinterNotConfigured, match=setting):
        ZplTcpPrinter(host, port)


def test_cups_printer_runs_lp(tmp_path: Path) -> None:
    lp = fake_lp(
        tmp_path, f'echo "$@" > {tmp_path}/args\ncat > {tmp_path}/job\necho "request id is zebra-7 (1 file(s))"\n'
    )
    printer = CupsPrinter("zebra", format="zpl", lp_command=str(lp), timeout_s=5)

    printer.send(JOB, title="C-0001")

    assert (tmp_path / "job").read_bytes() == JOB
    assert (tmp_path / "args").read_text().split() == ["-d", "zebra", "-t", "C-0001", "-o", "raw"]


def test_cups_pdf_sent_without_raw(tmp_path: Path) -> None:
    lp = fake_lp(tmp_path, f'echo "$@" > {tmp_path}/args\ncat > /dev/null\n')
    printer = CupsPrinter("office", lp_command=str(lp), timeout_s=5)

    printer.send(b"%PDF-1.4", title="L-0001")

    assert "raw" not in (tmp_path / "args").read_text()


def test_cups_failure_shows_lp_message(tmp_path: Path) -> None:
    lp = fake_lp(tmp_path, 'cat > /dev/null\necho "lp: The printer or class does not exist." >&2\nexit 1\n')
    printer = CupsPrinter("nosuch", lp_command=str(lp), timeout_s=5)

    with pytest.raises(PrinterFailed) as caught:
        printer.send(JOB, title="C-0001")

    message = str(caught.value)
    assert "exit status 1" in message
    assert "The printer or class does not exist" in message
    assert "lpstat -p nosuch" in message
    assert message == (
        "`lp -d nosuch` failed with exit status 1: lp: The printer or class does not exist. "
        "Check the queue with `lpstat -p nosuch`"
    )


def test_cups_missing_lp_explained(tmp_path: Path) -> None:
    printer = CupsPrinter("zebra", lp_command=str(tmp_path / "no-lp-here"), timeout_s=5)

    with pytest.raises(PrinterNotConfigured, match="cups-client"):
        printer.send(JOB, title="C-0001")


def test_cups_hanging_lp_times_out(tmp_path: Path) -> None:
    lp = fake_lp(tmp_path, "exec sleep 5\n")
    printer = CupsPrinter("zebra", lp_command=str(lp), timeout_s=0.3)

    with pytest.raises(PrinterUnreachable, match=r"did not finish within 0\.3 s"):
        printer.send(JOB, title="C-0001")


def test_file_printer_numbers_repeats(tmp_path: Path) -> None:
    (tmp_path / "labels").mkdir()
    printer = FilePrinter(tmp_path / "labels", format="zpl")

    printer.send(b"one", title="C-0001")
    printer.send(b"two", title="C-0001")

    assert (tmp_path / "labels" / "C-0001.zpl").read_bytes() == b"one"
    assert (tmp_path / "labels" / "C-0001-2.zpl").read_bytes() == b"two"
    assert sorted(path.name for path in (tmp_path / "labels").iterdir()) == ["C-0001-2.zpl", "C-0001.zpl"]


def test_file_printer_folder_is_file(tmp_path: Path) -> None:
    blocker = tmp_path / "labels"
    blocker.write_text("a file where the folder should be")

    # A configured printer_folder is named as the setting; the default folder is named as a folder.
    with pytest.raises(PrinterNotConfigured, match=f"printer_folder '{blocker}' is a file, not a folder; set"):
        FilePrinter(blocker).send(b"%PDF", title="C-0001")
    with pytest.raises(PrinterNotConfigured, match=f"the label folder {blocker} is a file, not a folder; move"):
        FilePrinter(blocker, create_folder=True).send(b"%PDF", title="C-0001")


def test_printer_setup_check_sends_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "notadb.db"
    blocker.write_text("a file where the folder should be")
    default_folder = tmp_path / "labels"

    with pytest.raises(PrinterNotConfigured, match=f"printer_folder '{blocker}' is a file"):
        check_printer_setup(FilePrinter(blocker))
    check_printer_setup(FilePrinter(default_folder, create_folder=True))

    assert blocker.read_text() == "a file where the folder should be"
    # The station's own default folder is created by the check, and stays empty.
    assert list(default_folder.iterdir()) == []


def test_file_printer_missing_folder_reported(tmp_path: Path) -> None:
    # An unmounted share: creating the folder would fill the mount point instead.
    share = tmp_path / "mnt" / "share" / "labels"
    printer = FilePrinter(share)

    with pytest.raises(PrinterUnreachable, match=f"the label folder {share} does not exist; check that its share"):
        printer.send(b"%PDF", title="C-0001")

    assert not (tmp_path / "mnt").exists()


def test_file_printer_creates_default_folder(tmp_path: Path) -> None:
    config_file = tmp_path / "station.toml"
    config_file.write_text('[printer]\nkind = "file"\n')
    printer = printer_from_config(load_config(config_file), default_folder=tmp_path / "labels")
    assert isinstance(printer, FilePrinter)

    printer.send(b"%PDF", title="C-0001")

    assert (tmp_path / "labels" / "C-0001.pdf").read_bytes() == b"%PDF"
    nested = FilePrinter(tmp_path / "data" / "labels", create_folder=True)
    with pytest.raises(PrinterUnreachable, match="does not exist"):
        nested.send(b"%PDF", title="C-0001")  # only the last folder is created


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_file_printer_respects_umask(tmp_path: Path, umask: int) -> None:
    printer = FilePrinter(tmp_path, format="zpl")
    previous = os.umask(umask)
    try:
        printer.send(b"^XA^XZ", title="C-0001")
    finally:
        os.umask(previous)

    assert stat.S_IMODE((tmp_path / "C-0001.zpl").stat().st_mode) == 0o666 & ~umask


def test_printer_from_config_kinds(tmp_path: Path) -> None:
    config_file = tmp_path / "station.toml"
    config_file.write_text('[printer]\nkind = "zpl_tcp"\nhost = "127.0.0.1"\nport = 9101\n')

    printer = printer_from_config(load_config(config_file), default_folder=tmp_path)

    assert isinstance(printer, ZplTcpPrinter)
    assert printer.format == "zpl"
    assert printer.description == "ZPL printer at 127.0.0.1:9101"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[printer]\nkind = "carrier-pigeon"\n', "printer_kind 'carrier-pigeon' is unknown"),
        ('[printer]\nkind = "cups"\n', "no printer_queue"),
        ('[printer]\nkind = "file"\nformat = "bmp"\n', "printer_format 'bmp' is unknown"),
        ('[printer]\nkind = "zpl_tcp"\nhost = "127.0.0.1"\nformat = "pdf"\n', "does not suit a ZPL printer"),
    ],
)
def test_printer_from_config_rejects(tmp_path: Path, toml: str, message: str) -> None:
    config_file = tmp_path / "station.toml"
    config_file.write_text(toml)

    with pytest.raises(PrinterNotConfigured, match=message):
        printer_from_config(load_config(config_file), default_folder=tmp_path)
