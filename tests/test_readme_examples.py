"""The README's command-line examples on the demo history run as written."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

DEMO_STORE = "/tmp/demo.db"
COMMANDS = ("lineage timeline", "lineage label", "lineage verify", "lineage scan")


def readme_examples() -> list[list[str]]:
    examples = []
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        command = line.strip().split("  #")[0].strip()
        if command.startswith(COMMANDS):
            examples.append(shlex.split(command))
    return examples


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    command = ["demo-data", "--db", str(folder / "demo.db"), "--events", "5000", "--seed", "1"]
    result = subprocess.run([sys.executable, "-m", "kiosk.cli", *command], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return folder


def test_readme_has_examples() -> None:
    names = {" ".join(example[:2]) for example in readme_examples()}
    assert names == set(COMMANDS)


@pytest.mark.parametrize("example", readme_examples(), ids=" ".join)
def test_readme_example_runs(example: list[str], demo_folder: Path) -> None:
    args = [str(demo_folder / "demo.db") if arg == DEMO_STORE else arg for arg in example[1:]]
    # Paths in the examples are relative to the repository; outputs go to the demo folder.
    args = [str(ROOT / arg) if arg.startswith("assets/") else arg for arg in args]
    if "--db" not in args and args[0] in ("timeline", "label", "verify"):
        pytest.skip("the example uses the configured station store")
    if args[0] == "scan" and not (demo_folder / "label.png").exists():
        label = ["label", "VAL24-00001-D01", "--db", str(demo_folder / "demo.db"), "--out", "label.png"]
        subprocess.run([sys.executable, "-m", "kiosk.cli", *label], cwd=demo_folder, check=True, capture_output=True)
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True, cwd=demo_folder, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
