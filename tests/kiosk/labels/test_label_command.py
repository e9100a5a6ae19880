"""`lineage label` run as a user runs it: files in each format, sheets, printing, and clear errors."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from sync.reference import import_reference_rows, load_reference_file
from sync.store import Store
from tests.helpers import DEMO_REFERENCE, OPERATOR, ROOT, FakeZplPrinter, lot_body
from tests.kiosk.labels.support import decode_texts, qr_payload, rasterise_pdf, rasterise_svg, read_zpl


def lineage(*args: str, cwd: Path, config: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "LINEAGE_CONFIG": str(config) if config else "", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True, cwd=cwd, env=env, timeout=60)


@pytest.fixture
def store_path(store_tmpdir: Path) -> Path:
    """A closed station store with lot L-1 (lot number ACME-77) and containers C-1 and C-2."""
    path = store_tmpdir / "station.db"
    with Store.open(path, station_id="ST-01") as store:
        sections = load_reference_file(DEMO_REFERENCE)
        store.write(lambda: import_reference_rows(sections))
        store.record(
            "lot_registered", lot_body("L-1", {"C-1": 30.0, "C-2": 30.0}, lot_number="ACME-77"), operator_id=OPERATOR
        )
    return path


def test_label_each_format_decodes(store_path: Path, tmp_path: Path) -> None:
    for fmt in ("png", "svg", "pdf", "zpl"):
        out = tmp_path / f"c1.{fmt}"
        result = lineage(
            "label", "C-1", "--db", str(store_path), "--size", "62x29", "--dpi", "300", "--out", str(out), cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr.decode()
        data = out.read_bytes()
        if fmt == "png":
            image = Image.open(out)
            assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
            assert decode_texts(image) == ["PL1:C:C-1"]
        elif fmt == "svg":
            assert decode_texts(rasterise_svg(data, 300, tmp_path)) == ["PL1:C:C-1"]
        elif fmt == "pdf":
            assert decode_texts(rasterise_pdf(data, 300, tmp_path)[0]) == ["PL1:C:C-1"]
        else:
            assert qr_payload(read_zpl(data)[0].qr_fields[0]) == "PL1:C:C-1"


def test_label_sheet_to_stdout(store_path: Path, tmp_path: Path) -> None:
    result = lineage(
        "label",
        "C-1",
        "C-2",
        "ACME-77",
        "--db",
        str(store_path),
        "--format",
        "pdf",
        "--sheet",
        "Letter",
        "--out",
        "-",
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stderr.decode()
    page = rasterise_pdf(result.stdout, 203, tmp_path)[0]
    assert sorted(text or "" for text in decode_texts(page)) == ["PL1:C:C-1", "PL1:C:C-2", "PL1:L:L-1"]


def test_label_print_to_zpl_printer(store_path: Path, tmp_path: Path, fake_zpl_printer: FakeZplPrinter) -> None:
    config = tmp_path / "station.toml"
    config.write_text(f'[printer]\nkind = "zpl_tcp"\nhost = "127.0.0.1"\nport = {fake_zpl_printer.port}\n')

    result = lineage("label", "C-2", "--db", str(store_path), "--print", "--copies", "2", cwd=tmp_path, config=config)

    assert result.returncode == 0, result.stderr.decode()
    assert f"sent 2 label(s) to ZPL printer at 127.0.0.1:{fake_zpl_printer.port}" in result.stderr.decode()
    label = read_zpl(fake_zpl_printer.wait_for_jobs(1)[0])[0]
    assert qr_payload(label.qr_fields[0]) == "PL1:C:C-2"
    assert label.copies == 2


def test_weak_correction_setting_same_reason(store_path: Path, tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text('[label]\nerror_correction = "L"\n')

    result = lineage("label", "C-1", "--db", str(store_path), "--out", "x.png", cwd=tmp_path, config=config)

    assert result.returncode == 1
    assert "QR error correction L (7 % recovery) is too weak for dusty, scuffed labels" in result.stderr.decode()


def test_label_file_respects_umask(store_path: Path, tmp_path: Path) -> None:
    # A spooler or share running as another user must be able to read the label.
    out = tmp_path / "c1.pdf"
    previous = os.umask(0o022)
    try:
        result = lineage("label", "C-1", "--db", str(store_path), "--out", str(out), cwd=tmp_path)
    finally:
        os.umask(previous)

    assert result.returncode == 0, result.stderr.decode()
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_label_takes_scanned_payload(store_path: Path, tmp_path: Path) -> None:
    for scanned in ("PL1:C:C-2", "https://lineage.plant.example/pl1/c/C-2"):
        out = tmp_path / "scanned.png"
        result = lineage("label", scanned, "--db", str(store_path), "--out", str(out), cwd=tmp_path)
        assert result.returncode == 0, result.stderr.decode()
        assert decode_texts(Image.open(out)) == ["PL1:C:C-2"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["C-404", "--out", "x.png"], "no lot, container, label or sample has the id 'C-404'"),
        (["C-1", "--out", "x.png", "--size", "30x20"], "not one of this station's label stocks"),
        (["C-1", "--out", "x.png", "--dpi", "20"], "20 dpi is out of range"),
        (["C-1", "--out", "x.zpl", "--dpi", "250"], "250 dpi is none of 152, 203, 300, 600"),
        (["C-1", "--out", "x.label"], "cannot tell the format"),
        (["C-1"], "give either --out FILE"),
        (["C-1", "C-2", "--out", "x.png"], "PNG files contain one label each"),
        (["C-1", "--copies", "2", "--out", "x.svg"], "SVG files contain one label each"),
        (["C-1", "--out", "x.png", "--sheet", "A4"], "sheets of labels are made as PDF only"),
        (["C-1", "--out", "no/such/folder/x.png"], "cannot write no/such/folder/x.png: the folder no/such/folder does"),
        (
            ["C-1", "--out", "new/"],
            "--out 'new/' names a folder, but --out takes a file; give a file in it, such as new/C-1.pdf",
        ),
        (["C-1", "--out", "x.png", "--error-correction", "L"], "L (7 % recovery) is too weak for dusty, scuffed"),
        (["C-1", "--out", "x.png", "--error-correction", "Z"], "QR error correction 'Z' is unknown; use M, Q or H"),
        (["C-1", "--out", "x.png", "--dpi", "abc"], "--dpi 'abc' is not a whole number; give dots per inch"),
        (["C-1", "--out", "x.pdf", "--copies", "two"], "--copies 'two' is not a whole number"),
        (["C-1", "--out", "x.png", "--format", "bmp"], "label format 'bmp' is unknown; use one of png, svg, pdf, zpl"),
        (["PL1:B:OP-0001", "--out", "x.png"], "'PL1:B:OP-0001' is an operator badge, not a container, lot or sample"),
        (["PL2:C:C-1", "--out", "x.png"], "label format version 2 is not supported by this station"),
    ],
)
def test_label_errors_explained(store_path: Path, tmp_path: Path, arguments: list[str], message: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    result = lineage("label", *arguments, "--db", str(store_path), cwd=work)

    assert result.returncode == 1
    assert message in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()
    assert [path.name for path in work.iterdir()] == []


def test_label_out_folder_named(store_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "labels"
    folder.mkdir()
    cases = [
        # No suffix to read a format from: the folder is named before the format is asked for.
        (["--out", str(folder)], f"give a file in it, such as {folder / 'C-1.pdf'}"),
        (["--out", str(folder), "--format", "png"], f"give a file in it, such as {folder / 'C-1.png'}"),
        (["--out", f"{folder}/", "--format", "ZPL"], f"give a file in it, such as {folder / 'C-1.zpl'}"),
    ]
    for arguments, example in cases:
        result = lineage("label", "C-1", "--db", str(store_path), *arguments, cwd=tmp_path)
        stderr = result.stderr.decode()
        assert result.returncode == 1, stderr
        assert f"lineage label: --out '{arguments[1]}' names a folder, but --out takes a file" in stderr
        assert example in stderr
        assert "Traceback" not in stderr
    assert list(folder.iterdir()) == []


def test_label_out_under_a_file(store_path: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "notafolder"
    blocker.write_text("a file")

    result = lineage("label", "C-1", "--db", str(store_path), "--out", f"{blocker}/c1.png", cwd=tmp_path)

    assert result.returncode == 1
    assert f"cannot write {blocker}/c1.png: {blocker} is a file, not a folder" in result.stderr.decode()
    assert blocker.read_text() == "a file"
