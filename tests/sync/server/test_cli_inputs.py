"""Wrong paths given to `lineage-server`: one line naming the value and the fix, exit status 1, nothing created."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sync.store import Store
from tests.helpers import ROOT

COMMANDS = {
    "serve": ["--port", "0"],
    "enrol-station": ["enrol-station", "ST-09"],
    "revoke-station": ["revoke-station", "ST-09"],
    "stations": ["stations"],
    "verify": ["verify"],
    "import-reference": ["import-reference", str(ROOT / "assets" / "demo" / "reference.toml")],
}


def server_command(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync.server.cli", *args], capture_output=True, text=True, timeout=60, cwd=cwd
    )


def listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def assert_one_line_error(result: subprocess.CompletedProcess[str], command: str, message: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"lineage-server {command}: "), result.stderr
    assert message in result.stderr


@pytest.fixture
def reference_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reference"
    folder.mkdir()
    (folder / "plant.toml").write_bytes((ROOT / "assets" / "demo" / "reference.toml").read_bytes())
    return folder


def test_reference_folder_named_with_file(tmp_path: Path) -> None:
    # The reported case: the folder of the demo reference file instead of the file, run from the repository.
    db = tmp_path / "server.db"
    result = server_command("--db", str(db), "import-reference", "assets/demo")
    assert_one_line_error(result, "import-reference", "reference file assets/demo is a folder, not a file")
    assert "such as assets/demo/reference.toml" in result.stderr
    assert listing(tmp_path) == []


def test_reference_folder_suggests_toml_file(tmp_path: Path, reference_folder: Path) -> None:
    before = listing(tmp_path)
    result = server_command("--db", str(tmp_path / "server.db"), "import-reference", str(reference_folder))
    assert_one_line_error(result, "import-reference", f"such as {reference_folder / 'plant.toml'}")
    assert listing(tmp_path) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found; check the path"),
        (b"[[operators]\n", "is not valid TOML ("),
        (b"\xff\xfe not text", "is not UTF-8 text; save it as UTF-8"),
        (b'[[operators]]\nbadge_id = "OP-1"\n', "field 'version' is missing"),
    ],
    ids=["missing", "malformed", "binary", "invalid-entry"],
)
def test_bad_reference_file_creates_no_database(tmp_path: Path, content: bytes | None, message: str) -> None:
    reference = tmp_path / "reference.toml"
    if content is not None:
        reference.write_bytes(content)
    before = listing(tmp_path)
    result = server_command("--db", str(tmp_path / "server.db"), "import-reference", str(reference))
    assert_one_line_error(result, "import-reference", message)
    assert str(reference) in result.stderr
    assert listing(tmp_path) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_db_folder_named_for_every_command(tmp_path: Path, command: str) -> None:
    result = server_command("--db", str(tmp_path), *COMMANDS[command])
    assert_one_line_error(result, command, f"--db {tmp_path} is a folder, not a database file")
    assert f"such as {tmp_path / 'lineage-server.db'}" in result.stderr
    assert listing(tmp_path) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_db_not_sqlite_left_untouched(tmp_path: Path, command: str) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n", encoding="utf-8")
    result = server_command("--db", str(notes), *COMMANDS[command])
    assert_one_line_error(result, command, f"--db {notes} is not a SQLite database")
    assert notes.read_text(encoding="utf-8") == "not a database\n"
    assert listing(tmp_path) == ["notes.txt"]


@pytest.mark.parametrize("command", COMMANDS)
def test_db_in_missing_folder(tmp_path: Path, command: str) -> None:
    db = tmp_path / "no-such-folder" / "server.db"
    result = server_command("--db", str(db), *COMMANDS[command])
    if command in ("revoke-station", "stations", "verify"):
        assert_one_line_error(result, command, f"--db {db} not found; check the path")
    else:
        assert_one_line_error(result, command, f"the folder {db.parent} does not exist; create it first")
    assert listing(tmp_path) == []


def test_db_below_a_file(tmp_path: Path) -> None:
    (tmp_path / "server.db").write_bytes(b"")
    db = tmp_path / "server.db" / "inner.db"
    result = server_command("--db", str(db), "enrol-station", "ST-09")
    assert_one_line_error(result, "enrol-station", f"{tmp_path / 'server.db'} is a file, not a folder")
    assert listing(tmp_path) == ["server.db"]


@pytest.mark.parametrize("command", ["revoke-station", "stations", "verify"])
def test_missing_db_not_created_by_readers(tmp_path: Path, command: str) -> None:
    # A mistyped --db must not get an empty new database and report "OK: 0 events".
    db = tmp_path / "sever.db"
    result = server_command("--db", str(db), *COMMANDS[command])
    assert_one_line_error(result, command, f"--db {db} not found; check the path")
    assert listing(tmp_path) == []


def test_empty_db_value(tmp_path: Path) -> None:
    result = server_command("--db", "", "stations", cwd=tmp_path)
    assert_one_line_error(result, "stations", "--db '' is empty; give a SQLite file")
    assert listing(tmp_path) == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://lineage:secret@127.0.0.1:port/lineage", "has an invalid port; use a number up to 65535"),
        ("postgresql://lineage:secret@127.0.0.1:5432/", "names no database; add its name after the host"),
    ],
)
def test_malformed_postgres_url(url: str, message: str) -> None:
    result = server_command("--db", url, "stations")
    assert_one_line_error(result, "stations", message)
    assert "--db postgresql://lineage@127.0.0.1:" in result.stderr
    # The password stays out of the message.
    assert "secret" not in result.stderr


def test_config_folder(tmp_path: Path) -> None:
    (tmp_path / "server.toml").write_text("port = 9001\n", encoding="utf-8")
    result = server_command("--db", str(tmp_path / "server.db"), "--config", str(tmp_path), "stations")
    assert_one_line_error(result, "stations", f"--config {tmp_path} is a folder, not a file")
    assert f"such as {tmp_path / 'server.toml'}" in result.stderr
    assert listing(tmp_path) == ["server.toml"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found; check the path"),
        (b"port = \n", "is not valid TOML ("),
        (b"\xff\xfe", "is not UTF-8 text; save it as UTF-8"),
    ],
    ids=["missing", "malformed", "binary"],
)
def test_bad_config_file_creates_nothing(tmp_path: Path, content: bytes | None, message: str) -> None:
    config = tmp_path / "server.toml"
    if content is not None:
        config.write_bytes(content)
    before = listing(tmp_path)
    result = server_command("--db", str(tmp_path / "server.db"), "--config", str(config), "enrol-station", "ST-09")
    assert_one_line_error(result, "enrol-station", f"--config {config} {message}")
    assert listing(tmp_path) == before


def test_config_db_folder_names_key(tmp_path: Path) -> None:
    config = tmp_path / "server.toml"
    config.write_text(f'db = "{tmp_path}"\n', encoding="utf-8")
    result = server_command("--config", str(config), "enrol-station", "ST-09")
    assert_one_line_error(result, "enrol-station", f"db {tmp_path} in {config} is a folder, not a database file")
    assert listing(tmp_path) == ["server.toml"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found; check the path"),
        ("folder", "is a folder, not a file"),
        (b"abcd", "contains 2 bytes; the key needs at least 32"),
        (b"a", "contains 1 byte; the key needs at least 32"),
    ],
    ids=["missing", "folder", "short", "one-byte"],
)
def test_bad_receipt_key_file_creates_nothing(tmp_path: Path, content: bytes | str | None, message: str) -> None:
    key = tmp_path / "receipt.key"
    if content == "folder":
        key.mkdir()
    elif isinstance(content, bytes):
        key.write_bytes(content)
    before = listing(tmp_path)
    result = server_command("--db", str(tmp_path / "server.db"), "--receipt-key-file", str(key), "--port", "0")
    assert_one_line_error(result, "serve", f"--receipt-key-file {key} {message}")
    # The key is read before the port is bound and the database created.
    assert listing(tmp_path) == before


def test_config_receipt_key_names_key(tmp_path: Path) -> None:
    config = tmp_path / "server.toml"
    config.write_text(f'receipt_key_file = "{tmp_path / "absent.key"}"\n', encoding="utf-8")
    result = server_command("--db", str(tmp_path / "server.db"), "--config", str(config), "--port", "0")
    assert_one_line_error(result, "serve", f"receipt_key_file {tmp_path / 'absent.key'} in {config} not found")
    assert listing(tmp_path) == ["server.toml"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file, so file permissions cannot make one unreadable")
@pytest.mark.parametrize("option", ["--config", "import-reference", "--receipt-key-file"])
def test_unreadable_file_named(tmp_path: Path, option: str) -> None:
    unreadable = tmp_path / "locked.toml"
    unreadable.write_text("port = 9001\n", encoding="utf-8")
    unreadable.chmod(0)
    db = str(tmp_path / "server.db")
    args = {
        "--config": ["--db", db, "--config", str(unreadable), "stations"],
        "import-reference": ["--db", db, "import-reference", str(unreadable)],
        "--receipt-key-file": ["--db", db, "--receipt-key-file", str(unreadable), "--port", "0"],
    }[option]
    result = server_command(*args)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{unreadable} cannot be read: permission denied" in result.stderr
    assert listing(tmp_path) == ["locked.toml"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes any file, so file permissions cannot make one read-only")
def test_read_only_db_named(tmp_path: Path) -> None:
    db = tmp_path / "server.db"
    assert server_command("--db", str(db), "enrol-station", "ST-09").returncode == 0
    db.chmod(0o444)
    result = server_command("--db", str(db), "stations")
    assert_one_line_error(result, "stations", f"--db {db} is read-only (permission denied)")
    db.chmod(0o644)
    tmp_path.chmod(0o555)
    try:
        result = server_command("--db", str(db), "stations")
    finally:
        tmp_path.chmod(0o755)
    assert_one_line_error(result, "stations", f"because its folder {tmp_path} is read-only (permission denied)")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file written by `lineage demo-data`: a station store claimed by ST-01."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "demo-data", "--db", str(path), "--events", "200", "--seed", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return path


def file_contents(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("command", COMMANDS)
def test_demo_store_rejected_unchanged(tmp_path: Path, demo_store: Path, command: str) -> None:
    # Without the check, each command would migrate the server's tables into the store.
    db = tmp_path / "demo.db"
    shutil.copyfile(demo_store, db)
    before = file_contents(tmp_path)
    result = server_command("--db", str(db), *COMMANDS[command])
    assert_one_line_error(result, command, f"--db {db} is station ST-01's store, not a server database; ")
    assert "give the server's database file or a PostgreSQL URL instead" in result.stderr
    assert file_contents(tmp_path) == before


def test_open_station_store_rejected_unchanged(tmp_path: Path) -> None:
    # While a station has its store open, the station id may be only in the -wal file.
    db = tmp_path / "st1.db"
    store = Store.open(db, station_id="ST-07", salvage_damaged=False)
    try:
        before = file_contents(tmp_path)
        assert f"{db.name}-wal" in before
        result = server_command("--db", str(db), "stations")
        after = file_contents(tmp_path)
    finally:
        store.close()
    assert_one_line_error(result, "stations", f"--db {db} is station ST-07's store, not a server database")
    assert sorted(after) == sorted(before)
    # Every reader of a WAL database updates the -shm file (SQLite's shared-memory index, not data).
    assert after[db.name] == before[db.name]
    assert after[f"{db.name}-wal"] == before[f"{db.name}-wal"]


def test_station_store_in_config_named(tmp_path: Path, demo_store: Path) -> None:
    db = tmp_path / "st1.db"
    shutil.copyfile(demo_store, db)
    config = tmp_path / "server.toml"
    config.write_text(f'db = "{db}"\n', encoding="utf-8")
    before = file_contents(tmp_path)
    result = server_command("--config", str(config), "verify")
    assert_one_line_error(result, "verify", f"db {db} in {config} is station ST-01's store")
    assert file_contents(tmp_path) == before


def test_server_db_beside_station_store_served(tmp_path: Path, demo_store: Path) -> None:
    # A server database has the station store's tables too, but records no station id.
    shutil.copyfile(demo_store, tmp_path / "st1.db")
    db = tmp_path / "server.db"
    enrolled = server_command("--db", str(db), "enrol-station", "ST-09")
    assert enrolled.returncode == 0, enrolled.stderr
    result = server_command("--db", str(db), "stations")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ST-09: enrolled, 0 events, "), result.stdout


def test_unreadable_sqlite_db_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "server.db"
    db.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4096)
    result = server_command("--db", str(db), "stations")
    assert_one_line_error(result, "stations", f"--db {db} cannot be read (file is not a database); restore")
    assert db.read_bytes() == b"SQLite format 3\x00" + b"\x07" * 4096
    assert listing(tmp_path) == ["server.db"]
