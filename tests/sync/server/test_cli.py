"""`lineage-server` administration commands: enrol, replace, revoke, stations, verify."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sync.server.auth import hash_token
from tests.helpers import ROOT


def server_cli(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def test_enrol_prints_token_once(tmp_path: Path) -> None:
    db = tmp_path / "server.db"
    result = server_cli(db, "enrol-station", "ST-07")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("plt_")
    assert len(token) > 40
    assert "shown only once" in result.stderr
    import sqlite3

    stored = sqlite3.connect(db).execute("SELECT token_hash FROM station_account").fetchall()
    # Only the hash is kept, never the token.
    assert stored == [(hash_token(token),)]
    assert token not in db.read_bytes().decode("latin-1")


def test_enrol_twice_needs_replace(tmp_path: Path) -> None:
    db = tmp_path / "server.db"
    first = server_cli(db, "enrol-station", "ST-07").stdout.strip()
    again = server_cli(db, "enrol-station", "ST-07")
    assert again.returncode == 1
    assert "already enrolled" in again.stderr
    assert "--replace" in again.stderr
    replaced = server_cli(db, "enrol-station", "ST-07", "--replace")
    assert replaced.returncode == 0
    assert replaced.stdout.strip() != first


def test_enrol_invalid_station_id(tmp_path: Path) -> None:
    result = server_cli(tmp_path / "server.db", "enrol-station", "bad id!")
    assert result.returncode == 1
    assert "'bad id!' is invalid" in result.stderr


def test_revoke_unknown_station(tmp_path: Path) -> None:
    db = tmp_path / "server.db"
    assert server_cli(db, "enrol-station", "ST-OTHER").returncode == 0
    result = server_cli(db, "revoke-station", "ST-NONE")
    assert result.returncode == 1
    assert "not enrolled" in result.stderr
    server_cli(db, "enrol-station", "ST-08")
    assert server_cli(db, "revoke-station", "ST-08").returncode == 0
    twice = server_cli(db, "revoke-station", "ST-08")
    assert twice.returncode == 1
    assert "already revoked" in twice.stderr


def test_stations_lists_each_state(tmp_path: Path) -> None:
    db = tmp_path / "server.db"
    server_cli(db, "enrol-station", "ST-A")
    server_cli(db, "enrol-station", "ST-B")
    server_cli(db, "revoke-station", "ST-B")
    lines = server_cli(db, "stations").stdout.splitlines()
    assert lines[0].startswith("ST-A: enrolled, 0 events")
    assert lines[1].startswith("ST-B: revoked")


def test_verify_empty_database_ok(tmp_path: Path) -> None:
    db = tmp_path / "server.db"
    assert server_cli(db, "enrol-station", "ST-01").returncode == 0
    result = server_cli(db, "verify")
    assert result.returncode == 0
    assert "OK: 0 events" in result.stdout


def test_unreachable_postgres_clear_message(tmp_path: Path) -> None:
    # Port 9 on loopback has no PostgreSQL: the command fails with a message, not a traceback.
    result = server_cli("postgresql://postgres@127.0.0.1:9/nothing", "stations")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "lineage-server stations:" in result.stderr


def test_bad_receipt_key_file(tmp_path: Path) -> None:
    key = tmp_path / "short.key"
    key.write_text("abcd")
    result = server_cli(tmp_path / "server.db", "--receipt-key-file", str(key), "--port", "0")
    assert result.returncode == 1
    assert "needs at least 32" in result.stderr


def test_config_file_then_flags(tmp_path: Path) -> None:
    from sync.server.cli import build_parser, settings_from_args

    config = tmp_path / "server.toml"
    config.write_text(f'db = "{tmp_path / "from-file.db"}"\nport = 9001\nmax_clock_drift_s = 60\n', encoding="utf-8")
    settings = settings_from_args(build_parser().parse_args(["--config", str(config), "--port", "9002"]))
    assert settings.db == str(tmp_path / "from-file.db")
    # The flag wins over the file; the file wins over the default.
    assert settings.port == 9002
    assert settings.max_clock_drift_s == 60.0
    assert settings.host == "127.0.0.1"


def test_config_file_bad_key_named(tmp_path: Path) -> None:
    config = tmp_path / "server.toml"
    config.write_text("prot = 9001\n", encoding="utf-8")
    result = server_cli(tmp_path / "server.db", "--config", str(config), "stations")
    assert result.returncode == 1
    assert "unknown key 'prot'" in result.stderr
    config.write_text('port = "9001"\n', encoding="utf-8")
    result = server_cli(tmp_path / "server.db", "--config", str(config), "stations")
    assert result.returncode == 1
    assert "port = '9001' must be a whole number" in result.stderr


def test_out_of_range_port_no_traceback(tmp_path: Path) -> None:
    db = tmp_path / "server.db"
    for port in ("99999", "-5"):
        result = server_cli(db, "--port", port)
        assert result.returncode == 2
        assert f"argument --port: {port} is out of range; use 0 to 65535" in result.stderr
        assert "Traceback" not in result.stderr
    assert not db.exists()


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--port", "http", "'http' is not a whole number"),
        ("--workers", "0", "0 is out of range; use 1 or more"),
        ("--max-clock-drift-s", "nan", "nan is not a finite number"),
        ("--max-clock-drift-s", "-1", "-1 is out of range; use 0 or more"),
        ("--max-concurrent-batches", "0", "0 is out of range; use 1 or more"),
        ("--queue-wait-s", "-0.5", "-0.5 is out of range; use 0 or more"),
        ("--retry-after-s", "-1", "-1 is out of range; use 0 or more"),
        ("--pool-size", "0", "0 is out of range; use 1 or more"),
        ("--host", "127.0.0.1.5", "'127.0.0.1.5' is not a valid IPv4 address"),
        ("--host", "::1::2", "'::1::2' is not a valid IPv6 address"),
        ("--host", "bad host", "'bad host' is not a valid host name or address"),
    ],
)
def test_bad_flag_rejected_while_parsing(
    flag: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sync.server.cli import build_parser

    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([flag, value])
    assert exited.value.code == 2
    assert f"argument {flag}: {message}" in capsys.readouterr().err


def test_config_file_range_checked(tmp_path: Path) -> None:
    config = tmp_path / "server.toml"
    config.write_text("port = 70000\n", encoding="utf-8")
    result = server_cli(tmp_path / "server.db", "--config", str(config), "stations")
    assert result.returncode == 1
    assert f"{config}: port: 70000 is out of range; use 0 to 65535" in result.stderr


def test_foreign_host_names_host_flag(tmp_path: Path) -> None:
    # 192.0.2.1 is reserved for documentation (RFC 5737), so no machine has it: bind fails, nothing is sent.
    db = tmp_path / "server.db"
    result = server_cli(db, "--host", "192.0.2.1", "--port", "0")
    assert result.returncode == 1
    assert "cannot listen on --host 192.0.2.1: it is not an address of this machine" in result.stderr
    assert "--port" not in result.stderr
    # The address is checked before the database is made.
    assert not db.exists()


def test_port_in_use_names_port_flag(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = server_cli(tmp_path / "server.db", "--port", str(port))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use; choose another --port" in result.stderr


def test_stations_line_counts_and_flags() -> None:
    from sync.server.cli import station_line

    status = {
        "station_id": "ST-01",
        "enrolled": True,
        "revoked": False,
        "events_held": 1,
        "head_seq": 1,
        "last_seen_at": None,
        "open_gaps": [{"first_seq": 3, "last_seq": 4}],
        "flag_counts": {"gap": 1, "clock_drift": 2},
    }
    assert station_line(status) == (
        "ST-01: enrolled, 1 event, head seq 1, last seen never, open gaps 3-4, flags clock_drift 2, gap 1"
    )
    assert ", 2 events," in station_line({**status, "events_held": 2})


def test_import_reference_counts_each_section(tmp_path: Path) -> None:
    from sync.reference import hash_pin

    reference = tmp_path / "reference.toml"
    reference.write_text(
        f'[[operators]]\nbadge_id = "OP-1"\nversion = 1\nname = "Ana"\nrole = "operator"\npin_hash = "{hash_pin("1234")}"\n'
        '[[equipment]]\nequipment_id = "MILL-1"\nversion = 1\nname = "Mill"\nkind = "mill"\n'
        '[[equipment]]\nequipment_id = "MILL-2"\nversion = 1\nname = "Mill 2"\nkind = "mill"\n',
        encoding="utf-8",
    )
    result = server_cli(tmp_path / "server.db", "import-reference", str(reference))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "1 operator, 2 equipment entries, 0 sampling methods, 0 acceptance rules, 0 grades added"
    )
