"""The decoder chain on the photo corpus: exact texts, no wrong text, nothing read from the negative images."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from kiosk.cli import main
from tests.helpers import QR_CORPUS

pytestmark = pytest.mark.skipif(
    not (QR_CORPUS / "manifest.csv").exists(), reason=f"photo corpus not found at {QR_CORPUS}"
)

# Two copies of one photo whose expected texts disagree ("aerial photograph"
# against "aerial photography"); a text matching either copy's is no wrong text.
CONFLICTING_EXPECTATIONS = {"zxing-qrcode-2/13.png": "zxingcpp-qrcode-2/13.txt"}


def expected_texts(row: dict[str, str]) -> set[str]:
    texts = set()
    for name in filter(None, [row["expected_text_file"], CONFLICTING_EXPECTATIONS.get(row["file"])]):
        # Compare after stripping trailing CR/LF only: some source files end with a newline the code lacks.
        texts.add((QR_CORPUS / name).read_bytes().decode("utf-8").rstrip("\r\n"))
    return texts


def scan_corpus(capsys: pytest.CaptureFixture[str]) -> tuple[list[dict[str, str]], dict[str, dict]]:
    rows = list(csv.DictReader((QR_CORPUS / "manifest.csv").open(encoding="utf-8", newline="")))
    paths = [str(QR_CORPUS / row["file"]) for row in rows]
    assert main(["scan", "--format", "json", *paths]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_file = {str(Path(result["path"]).relative_to(QR_CORPUS)): result for result in results}
    return rows, by_file


def test_corpus_meets_decoding_targets(capsys: pytest.CaptureFixture[str]) -> None:
    rows, results = scan_corpus(capsys)
    exact, wrong, false_detections, positives = [], [], [], 0
    for row in rows:
        texts = [code["text"].rstrip("\r\n") for code in results[row["file"]]["codes"] if code["text"] is not None]
        if not row["expected_text_file"]:
            if results[row["file"]]["codes"]:
                false_detections.append(row["file"])
            continue
        positives += 1
        expected = expected_texts(row)
        if expected & set(texts):
            exact.append(row["file"])
        elif texts:
            wrong.append((row["file"], texts))
    assert wrong == []
    assert false_detections == []
    assert len(exact) / positives >= 0.98, f"{len(exact)} of {positives} exact"


def test_corpus_json_has_required_fields(capsys: pytest.CaptureFixture[str]) -> None:
    path = QR_CORPUS / "zxingcpp-qrcode-2" / "gs1-figure-4.15.1-2.png"
    assert main(["scan", "--format", "json", str(path)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["path"] == str(path)
    code = result["codes"][0]
    assert "\x1d" in code["text"]  # GS1 group separators stay group separators
    assert code["symbology_identifier"] == "]Q3"
    assert code["payload"]["kind"] == "gs1"
