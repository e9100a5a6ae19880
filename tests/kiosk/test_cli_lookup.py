"""Looking a lot up from typed or pasted text: GS1 data, wrong case, keyboard layouts, label text given to `lineage scan`.

The store is the demo history a new user makes with `lineage demo-data --seed 1`.
Its first received lot has lot number VAL24-00001, and C-041YXPQM3Y7YM5 is
the label of one of its containers.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.scan.keyboard_layouts import LAYOUTS
from tests.helpers import ROOT
from tests.kiosk.scan.keyboards import typed_with

LOT_NUMBER = "VAL24-00001"
LOT_ID = "L-041YXMJRQ303JX"
CONTAINER_LABEL = "C-041YXPQM3Y7YM5"
GS1_TEXT = f"(01)09501101530003(10){LOT_NUMBER}"


def lineage(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("lookup") / "demo.db"
    result = lineage("demo-data", "--db", str(path), "--events", "5000", "--seed", "1")
    assert result.returncode == 0, result.stderr
    return str(path)


@pytest.mark.parametrize(
    "text",
    [
        GS1_TEXT,
        f"(01) 09501101530003 (10) {LOT_NUMBER}",  # spaced as printed under a barcode
        f"https://id.gs1.org/01/09501101530003/10/{LOT_NUMBER}?17=271231",
        f"\x1d0109501101530003\x1d10{LOT_NUMBER}",
    ],
)
def test_timeline_of_gs1_text_by_lot_number(demo_store: str, text: str) -> None:
    result = lineage("timeline", text, "--db", demo_store)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Lot {LOT_ID}\n  found by lot number {LOT_NUMBER}\n")


def test_timeline_of_gs1_without_lot_rejected(demo_store: str) -> None:
    result = lineage("timeline", "(01)09501101530003(17)271231", "--db", demo_store)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("lineage timeline: GS1 data '(01)09501101530003(17)271231' names no lot: ")
    assert "but no BATCH/LOT (10); give the supplier's lot number" in result.stderr


@pytest.mark.parametrize(
    ("typed", "stored"), [(LOT_NUMBER.lower(), LOT_NUMBER), (CONTAINER_LABEL.lower(), CONTAINER_LABEL)]
)
def test_timeline_wrong_case_suggests_id(demo_store: str, typed: str, stored: str) -> None:
    result = lineage("timeline", typed, "--db", demo_store)

    assert result.returncode == 1
    assert result.stdout == ""
    assert f"no lot, container, label or sample has the id '{typed}'; did you mean {stored}?" in result.stderr
    assert "Traceback" not in result.stderr


def test_timeline_garbled_label_names_layout(demo_store: str) -> None:
    # The colons of the label's text as a German keyboard types them.
    result = lineage("timeline", f"PL1ÖCÖC{CONTAINER_LABEL[1:]}", "--db", demo_store)

    assert result.returncode == 1
    assert "looks typed with another keyboard layout" in result.stderr
    assert "set to US English types text like this on a computer set to German" in result.stderr


def test_postgresql_wrong_case_suggests_id(tmp_path: Path) -> None:
    from tests.sync.server.support import Backend, postgres_absent_reason

    if reason := postgres_absent_reason():
        pytest.skip(reason)
    with Backend.make("postgres", tmp_path) as backend:
        written = lineage("demo-data", "--db", backend.target, "--events", "300", "--seed", "1")
        assert written.returncode == 0, written.stderr

        wrong_case = lineage("timeline", LOT_NUMBER.lower(), "--db", backend.target)
        from_gs1 = lineage("timeline", GS1_TEXT, "--db", backend.target)

    assert wrong_case.returncode == 1
    assert f"did you mean {LOT_NUMBER}? Ids and lot numbers are case-sensitive" in wrong_case.stderr
    assert from_gs1.returncode == 0, from_gs1.stderr
    assert f"found by lot number {LOT_NUMBER}" in from_gs1.stdout


def test_timeline_of_undecodable_argument_named(demo_store: str) -> None:
    # Bytes that are not UTF-8 reach Python as lone surrogates, which SQLite cannot store.
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "timeline", b"\xff\xfe", "--db", demo_store],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "has the id '\\udcff\\udcfe', which is not valid UTF-8 text" in result.stderr


@pytest.mark.parametrize(("scanner_layout", "station_layout"), list(itertools.permutations(LAYOUTS, 2)))
def test_timeline_every_layout_pair_named(
    demo_store: str, scanner_layout: str, station_layout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    typed = typed_with(f"PL1:C:{CONTAINER_LABEL}", scanner_layout, station_layout)

    assert main(["timeline", typed, "--db", demo_store]) == 1

    error = capsys.readouterr().err
    assert "looks typed with another keyboard layout" in error
    assert f"set to {scanner_layout} types text like this on a computer set to {station_layout}" in error


def test_scan_of_label_text_points_to_timeline(demo_store: str) -> None:
    label_text = f"PL1:C:{CONTAINER_LABEL}"

    scanned = lineage("scan", label_text)

    assert scanned.returncode == 1
    assert scanned.stderr.startswith(
        f"lineage scan: {label_text}: not found; lineage scan reads image files, folders of images and videos"
    )
    assert f"this is the text of a container label: `lineage timeline '{label_text}'`" in scanned.stderr
    # The command the message gives finds the lot.
    looked_up = lineage("timeline", label_text, "--db", demo_store)
    assert looked_up.returncode == 0, looked_up.stderr
    assert looked_up.stdout.startswith(f"Lot {LOT_ID}\n  found by label {CONTAINER_LABEL}\n")


def test_scan_of_gs1_text_points_to_timeline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", GS1_TEXT]) == 1

    error = capsys.readouterr().err
    assert f"this is GS1 data with the batch/lot number {LOT_NUMBER}: `lineage timeline '{GS1_TEXT}'`" in error


@pytest.mark.parametrize("missing", ["label.png", "PL1:B:OP-0001", "PL1:C:bad id"])
def test_scan_missing_path_lists_inputs(missing: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / missing) if missing == "label.png" else missing

    assert main(["scan", path]) == 1

    error = capsys.readouterr().err
    assert error == (
        f"lineage scan: {path}: not found; lineage scan reads image files, folders of images and videos, "
        "so check the path\n"
    )


def test_garbled_looking_lot_number_found(tmp_path: Path) -> None:
    """'STRAßE-1' is also what a US-English scanner types on a German computer for 'STRA-E/1'."""
    from sync.store import Store
    from tests.helpers import OPERATOR, lot_body

    path = tmp_path / "station.db"
    with Store.open(path, station_id="ST-01") as store:
        store.record(
            "lot_registered",
            lot_body("L-1", {"C-1": 20.0}, lot_number="STRAßE-1"),
            operator_id=OPERATOR,
            check_rules=False,
        )
    found = lineage("timeline", "STRAßE-1", "--db", str(path))
    assert found.returncode == 0, found.stderr
    assert found.stdout.startswith("Lot L-1\n  found by lot number STRAßE-1\n")
    absent = lineage("timeline", "STRAßE-2", "--db", str(path))
    assert absent.returncode == 1
    assert "looks typed with another keyboard layout" in absent.stderr


@pytest.mark.parametrize(
    ("text", "named", "suggested"),
    [
        ("VAL24\u201300001", "'\u2013' (EN DASH) where '-' may be meant", "did you mean VAL24-00001?"),
        ("val24\u201100001", "'\u2011' (NON-BREAKING HYPHEN) where '-' may be meant", "did you mean VAL24-00001?"),
    ],
)
def test_pasted_lookalike_dash_named(demo_store: str, text: str, named: str, suggested: str) -> None:
    result = lineage("timeline", text, "--db", demo_store)
    assert result.returncode == 1
    assert named in result.stderr
    assert suggested in result.stderr


def test_lookalike_dash_in_label_text_named(demo_store: str) -> None:
    result = lineage("timeline", "PL1:C:C\u2011041YXPQM3Y7YM5", "--db", demo_store)
    assert result.returncode == 1
    assert "it contains '\u2011' (NON-BREAKING HYPHEN) where '-' may be meant" in result.stderr
