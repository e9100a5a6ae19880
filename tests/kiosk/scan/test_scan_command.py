"""`lineage scan`: images, folders and videos through the kiosk's decoder chain, as text or JSON lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import pytest
from PIL import Image

from kiosk.cli import main
from tests.helpers import ROOT
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


def scan_json(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, list[dict[str, Any]], str]:
    status = main(["scan", "--format", "json", *paths])
    captured = capsys.readouterr()
    return status, [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_folder_without_images_fails(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    nested = tmp_path / "nested"
    (nested / "inner").mkdir(parents=True)
    write_image(nested / "inner" / "label.png", "PL1:C:C-1")

    for folder in (empty, nested):
        assert main(["scan", str(folder)]) == 1
        captured = capfd.readouterr()
        assert captured.out == ""
        assert f"lineage scan: {folder}: no images in the folder (subfolders are not searched)" in captured.err


def test_empty_path_argument_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An empty argument must not fall back to the current folder.
    write_image(tmp_path / "label.png", "PL1:C:C-1")
    status, results, error = scan_json(capsys, "")
    assert status == 1
    assert results == [{"path": "", "codes": [], "error": results[0]["error"]}]
    assert "lineage scan: '': an empty path names no file or folder" in error


def test_gif_scanned_alike_alone_and_in_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    still = Image.fromarray(qr_image("PL1:L:L-1"))
    still.save(tmp_path / "still.gif")
    frames = [Image.fromarray(qr_image(text)) for text in ("PL1:S:S-1", "PL1:S:S-2")]
    frames[0].save(tmp_path / "moving.gif", save_all=True, append_images=frames[1:], duration=100)

    _status, from_folder, _error = scan_json(capsys, str(tmp_path))
    _status, one_by_one, _error = scan_json(capsys, str(tmp_path / "moving.gif"), str(tmp_path / "still.gif"))

    assert from_folder == one_by_one
    assert [(Path(result["path"]).name, result["codes"][0]["text"]) for result in from_folder] == [
        ("moving.gif#frame=0", "PL1:S:S-1"),
        ("moving.gif#frame=1", "PL1:S:S-2"),
        ("still.gif", "PL1:L:L-1"),
    ]


def test_png_without_suffix_is_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = write_image(tmp_path / "label.png", "PL1:C:C-9")
    bare = png.rename(tmp_path / "label")

    status, results, _error = scan_json(capsys, str(bare))

    assert status == 0
    assert [result["path"] for result in results] == [str(bare)]
    assert results[0]["codes"][0]["text"] == "PL1:C:C-9"


@pytest.mark.parametrize(("suffix", "image_format"), [(".jpg", "JPEG"), (".png", "PNG"), (".webp", "WebP")])
def test_truncated_image_reported_quietly(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], suffix: str, image_format: str
) -> None:
    whole = tmp_path / f"whole{suffix}"
    assert cv2.imwrite(str(whole), in_frame([qr_image("PL1:C:C-1", scale=4)], size=(320, 240)))
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])

    assert main(["scan", str(cut)]) == 1

    captured = capfd.readouterr()
    assert captured.out == ""
    assert f"lineage scan: {cut}: truncated {image_format} file" in captured.err
    # libjpeg's and libpng's own messages stay off the terminal.
    assert captured.err.count("\n") == 1
    assert "Premature end" not in captured.err


def test_corrupt_and_empty_files_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = write_image(tmp_path / "label.png", "PL1:C:C-1")
    data = bytearray(png.read_bytes())
    data[40:-20] = bytes(len(data) - 60)  # whole chunks, garbage inside
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(bytes(data))
    empty = tmp_path / "empty.png"
    empty.touch()
    empty_video = tmp_path / "empty.mp4"
    empty_video.touch()

    status, _results, error = scan_json(capsys, str(corrupt), str(empty), str(empty_video))

    assert status == 1
    assert f"{corrupt}: corrupt PNG file: OpenCV cannot decode its image data" in error
    assert f"{empty}: empty file (0 bytes)" in error
    assert f"{empty_video}: empty file (0 bytes)" in error


def test_broken_video_lists_formats(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "clip.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(200))

    assert main(["scan", str(broken)]) == 1

    error = capfd.readouterr().err
    assert f"{broken}: not a readable image or video (images: PNG, JPEG, GIF" in error
    assert "videos: MP4, AVI, MKV, MOV" in error
    assert "moov atom" not in error


def test_truncated_video_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    whole = tmp_path / "whole.avi"
    writer = cv2.VideoWriter(str(whole), cv2.VideoWriter.fourcc(*"MJPG"), 5, (320, 240), isColor=False)
    for index in range(10):
        writer.write(in_frame([qr_image(f"PL1:S:S-{index}", scale=3)], size=(320, 240)))
    writer.release()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    status, results, error = scan_json(capsys, str(cut))

    assert status == 1
    assert 0 < len(results) - 1 < 10  # the frames before the cut, then the error line
    assert results[-1]["error"].startswith("truncated or damaged video: it ended after")
    assert "of the 10 frames its header declares" in error


def test_scan_process_exits_cleanly(tmp_path: Path) -> None:
    # As a process: zxing-cpp's bindings report objects still alive at interpreter exit on stderr.
    label = write_image(tmp_path / "label.png", "PL1:C:C-1")
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "scan", str(label), str(ROOT / "assets" / "demo" / "scans.mp4")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "PL1:C:C-1" in result.stdout
    assert "nanobind" not in result.stderr
    assert "leaked" not in result.stderr
