"""`lineage scan`: images, folders and videos through the kiosk's decoder chain, as text or JSON lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import pytest

from kiosk.cli import main
from tests.kiosk.scan.images import blank_frame, in_frame, qr_image


def write_image(path: Path, text_or_bytes: str | bytes, **options: Any) -> Path:
    assert cv2.imwrite(str(path), qr_image(text_or_bytes, **options))
    return path


def test_json_line_per_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    label = write_image(tmp_path / "label.png", "PL1:C:C-0KZ3M7Q1X2ABCD")
    binary = write_image(tmp_path / "binary.png", bytes([0, 1, 2, 0x85, 200, 201, 150]), mode="byte")
    assert main(["scan", "--format", "json", str(label), str(binary)]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["path"] == str(label)
    assert first["codes"][0]["text"] == "PL1:C:C-0KZ3M7Q1X2ABCD"
    assert first["codes"][0]["payload"] == {
        "kind": "container",
        "accepted": True,
        "identifier": "C-0KZ3M7Q1X2ABCD",
        "form": "compact",
    }
    assert "bytes_hex" not in first["codes"][0]
    assert second["codes"][0]["text"] is None
    assert second["codes"][0]["bytes_hex"] == bytes([0, 1, 2, 0x85, 200, 201, 150]).hex()
    assert second["codes"][0]["payload"]["accepted"] is False


def test_folder_scanned_in_name_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_image(tmp_path / "b.png", "PL1:L:L-2")
    write_image(tmp_path / "a.png", "PL1:L:L-1")
    (tmp_path / "notes.txt").write_text("not an image")
    assert main(["scan", "--format", "json", str(tmp_path)]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(result["path"]).name for result in results] == ["a.png", "b.png"]
    assert [result["codes"][0]["text"] for result in results] == ["PL1:L:L-1", "PL1:L:L-2"]


def test_video_scanned_frame_by_frame(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "clip.avi"
    frames = [blank_frame((320, 240)), in_frame([qr_image("PL1:S:S-7", scale=4)], size=(320, 240))]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 5, (320, 240), isColor=False)
    for frame in frames:
        writer.write(frame)
    writer.release()
    assert main(["scan", "--format", "json", str(path)]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [result["path"] for result in results] == [f"{path}#frame=0", f"{path}#frame=1"]
    assert results[0]["codes"] == []
    assert results[1]["codes"][0]["text"] == "PL1:S:S-7"


def test_unreadable_path_fails_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    missing = tmp_path / "missing.png"
    assert main(["scan", str(broken), str(missing)]) == 1
    error = capsys.readouterr().err
    assert f"{broken}: not a readable image" in error
    assert f"{missing}: not found" in error


def test_text_output_names_payload(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_image(tmp_path / "v2.png", "PL2:C:C-1")
    assert main(["scan", str(path)]) == 0
    output = capsys.readouterr().out
    assert f"{path}: 1 code(s)" in output
    assert "label format version 2 is not supported by this station; update Powder Lineage" in output
