"""`lineage timeline`, `import-reference` and `hash-pin` run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.cli import main
from sync.errors import StorageFull
from sync.reference import check_pin
from sync.store import Store
from tests.helpers import DEMO_REFERENCE, OPERATOR, ROOT, lot_body, transformation_body


def lineage(*args: str, stdin: str | None = None, env_home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = None
    if env_home is not None:
        import os

        env = {**os.environ, "HOME": str(env_home), "XDG_DATA_HOME": str(env_home / "data"), "LINEAGE_CONFIG": ""}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


@pytest.fixture
def small_store(store_tmpdir: Path) -> Path:
    path = store_tmpdir / "station.db"
    assert lineage("import-reference", str(DEMO_REFERENCE), "--db", str(path)).returncode == 0
    with Store.open(path) as store:
        store.record("lot_registered", lot_body("L-1", {"C-1": 30.0}, lot_number="ACME-77"), operator_id=OPERATOR)
        store.record("lot_registered", lot_body("L-2", {"C-2": 10.0}, origin="recycled"), operator_id=OPERATOR)
        store.record(
            "transformation",
            transformation_body(
                "blending", [("C-1", "L-1", 30.0), ("C-2", "L-2", 10.0)], [("C-3", "L-3", 40.0, True)], new_lots=["L-3"]
            ),
            operator_id=OPERATOR,
        )
    return path


def test_timeline_json_keys_and_lineage(small_store: Path) -> None:
    result = lineage("timeline", "C-3", "--db", str(small_store), "--format", "json")
    assert result.returncode == 0, result.stderr
    timeline = json.loads(result.stdout)
    for key in ("identity", "events", "upstream", "downstream", "exposure", "samples", "decisions"):
        assert key in timeline
    assert timeline["identity"]["lot_id"] == "L-3"
    assert {lot["lot_id"]: lot["share_of_this_lot"] for lot in timeline["upstream"]} == {"L-1": 0.75, "L-2": 0.25}


def test_timeline_text_by_supplier_lot_number(small_store: Path) -> None:
    result = lineage("timeline", "ACME-77", "--db", str(small_store))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Lot L-1\n  found by lot number ACME-77")
    assert "gen 1: L-3 (blending, made here, lot number L-3) 75.0 % from this lot" in result.stdout


def test_timeline_unknown_id_message(small_store: Path) -> None:
    result = lineage("timeline", "NOPE-1", "--db", str(small_store))
    assert result.returncode == 1
    assert "no lot, container, label or sample has the id 'NOPE-1'" in result.stderr


def test_timeline_takes_scanned_payload(small_store: Path) -> None:
    for scanned in ("PL1:L:L-3", "https://labels.example.com/pl1/c/C-3"):
        result = lineage("timeline", scanned, "--db", str(small_store))
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Lot L-3\n")

    badge = lineage("timeline", "PL1:B:OP-0001", "--db", str(small_store))
    assert badge.returncode == 1
    assert "'PL1:B:OP-0001' is an operator badge, not a container, lot or sample label" in badge.stderr


def test_timeline_missing_store_message(tmp_path: Path) -> None:
    result = lineage("timeline", "L-1", "--db", str(tmp_path / "absent.db"))
    assert result.returncode == 1
    assert f"no store at {tmp_path / 'absent.db'}" in result.stderr
    assert not (tmp_path / "absent.db").exists()


def test_timeline_uses_configured_store(small_store: Path, tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text(f'station_id = "ST-01"\ndb_path = "{small_store}"\n')
    result = lineage("--config", str(config), "timeline", "L-1")
    assert result.returncode == 0, result.stderr
    assert "Lot L-1" in result.stdout


def test_timeline_times_in_station_zone(small_store: Path, tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text(f'time_zone = "Asia/Kolkata"\ndb_path = "{small_store}"\n')
    result = lineage("--config", str(config), "timeline", "L-3")
    assert result.returncode == 0, result.stderr
    assert " +0530  ST-01#3  OP-0001  blending on BLEND-01" in result.stdout


def test_config_unknown_zone_named(small_store: Path, tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text(f'time_zone = "Mars/Olympus"\ndb_path = "{small_store}"\n')
    result = lineage("--config", str(config), "timeline", "L-3")
    assert result.returncode == 1
    assert "time_zone 'Mars/Olympus' is not a known IANA zone" in result.stderr


def test_config_wrong_type_named(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text("station_id = 7\n")
    result = lineage("--config", str(config), "verify")
    assert result.returncode == 1
    assert "setting station_id = 7 must be a string" in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[operators]]\nbadge_id = "OP-9"\nversion = 1\nname = "X"\nrole = "boss"\npin_hash = "pbkdf2_sha256$1$00$00"\n',
            "role 'boss' must be one of operator, supervisor, quality",
        ),
        (
            '[[operators]]\nbadge_id = "OP-9"\nversion = 1\nname = "X"\nrole = "operator"\npin_hash = "1234"\n',
            "pin_hash must be made by `lineage hash-pin`",
        ),
        ('[[grades]]\ngrade_id = "G"\nversion = 0\nname = "X"\n', "version 0 must be a whole number of 1 or more"),
        (
            '[[grades]]\ngrade_id = "G"\nversion = 1\nname = "X"\nrh_limit_pct = -3\n',
            "rh_limit_pct -3 must be a positive number",
        ),
        ('[[gardes]]\ngrade_id = "G"\n', "unknown section 'gardes'"),
        ('[[grades]]\ngrade_id = "G"\nversion = 1\n', "field 'name' is missing"),
        ("[[grades]\n", "is not valid TOML"),
    ],
)
def test_import_reference_rejects_bad_entry(tmp_path: Path, text: str, message: str) -> None:
    reference = tmp_path / "reference.toml"
    reference.write_text(text)
    result = lineage("import-reference", str(reference), "--db", str(tmp_path / "s.db"))
    assert result.returncode == 1
    assert message in result.stderr


def test_import_reference_refuses_changed_version(small_store: Path, tmp_path: Path) -> None:
    changed = DEMO_REFERENCE.read_text().replace("max_open_minutes = 30", "max_open_minutes = 45")
    reference = tmp_path / "reference.toml"
    reference.write_text(changed)
    result = lineage("import-reference", str(reference), "--db", str(small_store))
    assert result.returncode == 1
    assert "grades TI64-G23 version 1 already exists with a different max_open_minutes" in result.stderr


def test_hash_pin_from_stdin() -> None:
    result = lineage("hash-pin", stdin="4821\n")
    assert result.returncode == 0, result.stderr
    assert check_pin("4821", result.stdout.strip())
    assert not check_pin("4822", result.stdout.strip())
    assert lineage("hash-pin", stdin="12\n").returncode == 1


def test_demo_progress_line_ended_on_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def write_until_disk_full(target: object, *, events: int, seed: int, progress: Callable[[int, int], None]) -> str:
        progress(10_000, events)
        raise StorageFull("the disk holding demo.db is full; free some space")

    monkeypatch.setattr("sync.demo.write_demo_history", write_until_disk_full)

    status = main(["demo-data", "--db", str(tmp_path / "demo.db"), "--events", "50000"])

    assert status == 1
    assert capsys.readouterr().err == (
        "\r10000/50000 events\nlineage demo-data: the disk holding demo.db is full; free some space\n"
    )


@pytest.mark.parametrize("command", [["timeline", "L-1"], ["verify"], ["import-reference", str(DEMO_REFERENCE)]])
def test_folder_as_store_rejected(tmp_path: Path, command: list[str]) -> None:
    folder = tmp_path / "stores"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    result = lineage(*command, "--db", str(folder))
    assert result.returncode == 1
    assert f"{folder} is a folder, not a store file" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stores"]
    assert (folder / "notes.txt").read_text() == "keep me"


def test_timeline_depth_below_one_rejected(small_store: Path) -> None:
    result = lineage("timeline", "L-3", "--db", str(small_store), "--depth", "-1")
    assert result.returncode == 1
    assert "--depth must be a whole number of 1 or more, not -1" in result.stderr


def test_timeline_text_lists_earlier_labels(small_store: Path) -> None:
    with Store.open(small_store) as store:
        store.record(
            "container_relabelled",
            {"container_id": "C-3", "old_label": "C-3", "new_label": "C-3B", "reason": "scuffed"},
            operator_id=OPERATOR,
        )
    result = lineage("timeline", "C-3B", "--db", str(small_store))
    assert result.returncode == 0, result.stderr
    assert "C-3 label C-3B (earlier labels: C-3): 40 kg" in result.stdout


def run_hash_pin_in_terminal(first: str, second: str) -> tuple[int, str]:
    """Run `lineage hash-pin` on a pseudo-terminal, type the two PINs at its prompts; return exit status and output."""
    import os
    import pty
    import select

    pid, terminal = pty.fork()
    if pid == 0:  # the child: its controlling terminal is the pseudo-terminal, as in an interactive shell
        try:
            os.chdir(ROOT)
            os.execv(sys.executable, [sys.executable, "-m", "kiosk.cli", "hash-pin"])
        finally:
            os._exit(127)
    # Each answer waits for its own prompt: getpass discards input typed before it prompts.
    pending = [(b"PIN: ", first), (b"PIN again: ", second)]
    output = b""
    searched_from = 0
    while True:
        ready, _, _ = select.select([terminal], [], [], 30)
        assert ready, f"lineage hash-pin stopped answering; output so far: {output!r}"
        try:
            chunk = os.read(terminal, 1024)
        except OSError:  # the child has exited and closed the terminal
            break
        if not chunk:
            break
        output += chunk
        if pending and pending[0][0] in output[searched_from:]:
            prompt, answer = pending.pop(0)
            searched_from = output.index(prompt, searched_from) + len(prompt)
            os.write(terminal, answer.encode() + b"\n")
    os.close(terminal)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


def test_hash_pin_asks_twice_on_terminal() -> None:
    status, output = run_hash_pin_in_terminal("4821", "4821")
    assert status == 0, output
    assert "PIN: " in output
    assert "PIN again: " in output
    assert check_pin("4821", output.strip().splitlines()[-1].strip())


def test_hash_pin_mismatch_rejected() -> None:
    status, output = run_hash_pin_in_terminal("4821", "4812")
    assert status == 1
    assert "lineage hash-pin: the two PINs differ; nothing was printed. Run it again" in output
    assert "pbkdf2_sha256" not in output


@pytest.mark.parametrize(
    "command",
    [
        ["import-reference", "{folder}", "--db", "{tmp}/station.db"],
        ["--config", "{folder}", "timeline", "L-1"],
        ["--config", "{folder}", "verify"],
        ["--config", "{folder}", "sync", "--once"],
    ],
)
def test_folder_given_for_a_file_is_named(tmp_path: Path, command: list[str]) -> None:
    folder = tmp_path / "settings"
    folder.mkdir()
    result = lineage(*(part.format(folder=folder, tmp=tmp_path) for part in command))
    assert result.returncode == 1
    assert f"{folder} is a folder, not a file; give the path of the file" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings"]


def test_relative_db_path_read_from_the_config_folder(small_store: Path) -> None:
    config = small_store.parent / "station.toml"
    config.write_text(f'db_path = "{small_store.name}"\n')
    result = lineage("--config", str(config), "timeline", "L-1")  # run from the repository's folder
    assert result.returncode == 0, result.stderr
    assert "Lot L-1" in result.stdout


def test_missing_configured_store_named_with_its_setting(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text('db_path = "st1.db"\n')
    result = lineage("--config", str(config), "timeline", "L-1")
    assert result.returncode == 1
    assert f"no store at {tmp_path / 'st1.db'} (the db_path of {config})" in result.stderr


def test_hash_pin_with_nothing_piped_in() -> None:
    result = lineage("hash-pin", stdin="")
    assert result.returncode == 1
    assert "no PIN was given" in result.stderr


def test_verify_counts_one_event_in_the_singular(tmp_path: Path) -> None:
    path = tmp_path / "one.db"
    with Store.open(path, station_id="ST-01") as store:
        store.record("lot_registered", lot_body("L-1", {"C-1": 30.0}), operator_id=OPERATOR, check_rules=False)
    result = lineage("verify", "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "station ST-01: 1 event checked\nOK: 1 event, every chain intact\n"


def test_timeline_and_verify_read_a_postgresql_database(tmp_path: Path) -> None:
    from tests.sync.server.support import Backend, postgres_absent_reason

    if reason := postgres_absent_reason():
        pytest.skip(reason)
    with Backend.make("postgres", tmp_path) as backend:
        written = lineage("demo-data", "--db", backend.target, "--events", "300")
        assert written.returncode == 0, written.stderr
        assert f"--db {backend.target}`" in written.stdout  # its suggested lookups work as printed
        timeline = lineage("timeline", "VAL24-00001", "--db", backend.target)
        assert timeline.returncode == 0, timeline.stderr
        assert "VAL24-00001" in timeline.stdout
        verify = lineage("verify", "--db", backend.target)
        assert verify.returncode == 0, verify.stderr
        assert "OK: 300 events, every chain intact" in verify.stdout
        rejected = lineage("import-reference", str(DEMO_REFERENCE), "--db", backend.target)
        assert rejected.returncode == 1
        assert f"use `lineage-server --db {backend.target} import-reference FILE`" in rejected.stderr
        label = lineage("label", "VAL24-00001", "--db", backend.target, "--format", "png", "--out", "-")
        assert label.returncode == 1
        assert "works on a station store, a SQLite file" in label.stderr
        assert "lineage-server" not in label.stderr
        stored = backend.query("SELECT count(*) FROM event")[0][0]
    assert stored == 300  # reading changed nothing


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://postgres@127.0.0.1:5432", "names no database; add its name after the host"),
        ("postgresql://postgres@127.0.0.1:port/x", "has an invalid port; write it as a number"),
    ],
)
@pytest.mark.parametrize("command", [["timeline", "L-1"], ["verify"], ["demo-data", "--events", "10"]])
def test_malformed_postgresql_url_named(command: list[str], url: str, message: str) -> None:
    result = lineage(*command, "--db", url)
    assert result.returncode == 1
    assert f"PostgreSQL URL {url!r} {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_absent_postgresql_database_named() -> None:
    from tests.sync.server.support import postgres_absent_reason

    if reason := postgres_absent_reason():
        pytest.skip(reason)
    url = "postgresql://postgres@127.0.0.1:5432/lineage_no_such_database"
    result = lineage("timeline", "L-1", "--db", url)
    assert result.returncode == 1
    assert f"cannot read the PostgreSQL database {url}" in result.stderr
    assert "Traceback" not in result.stderr
