"""`lineage-kiosk` as a process: the offscreen demo smoke test, crash exit status, and configuration errors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kiosk.app import parse_size
from kiosk.config import ConfigError
from tests.helpers import ROOT


def kiosk_env(home: Path) -> dict[str, str]:
    """Return an environment with no station configuration, no screen and a private home."""
    env = {key: value for key, value in os.environ.items() if key != "LINEAGE_CONFIG"}
    env.update({"QT_QPA_PLATFORM": "offscreen", "HOME": str(home), "XDG_DATA_HOME": str(home / "data")})
    return env


def run_kiosk(home: Path, *args: str, timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.app", *args],
        cwd=ROOT,
        env=kiosk_env(home),
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


@pytest.mark.slow
def test_demo_runs_offscreen_without_errors(tmp_path: Path) -> None:
    result = run_kiosk(tmp_path, "--demo", "--quit-after", "6")
    log = result.stderr
    assert result.returncode == 0, log
    assert "Ready to scan after" in log
    # The demo video shows operator OP-0001's badge first: a real scan through the real pipeline.
    assert "Operator OP-0001 logged in by badge" in log
    for bad in (" WARNING ", " ERROR ", " CRITICAL ", "Traceback"):
        assert bad not in log, log
    # zxing-cpp's bindings report objects still alive at interpreter exit, such as a window never deleted.
    assert "nanobind" not in log, log
    assert "leaked" not in log, log


def test_bad_setting_exits_with_usage_status(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text('[ui]\nmass_unit = "stone"\n')
    result = run_kiosk(
        tmp_path, "--config", str(config), "--db", str(tmp_path / "s.db"), "--no-camera", "--quit-after", "1"
    )
    assert result.returncode == 2
    assert "ui_mass_unit = 'stone' must be one of kg, g, t, lb" in result.stderr


def test_unknown_setting_named(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text("[ui]\nfont_size = 3\n")
    result = run_kiosk(tmp_path, "--config", str(config), "--quit-after", "1")
    assert result.returncode == 2
    assert "unknown setting 'ui_font_size'" in result.stderr


@pytest.mark.slow
def test_new_store_logged_other_file_rejected(tmp_path: Path) -> None:
    new = tmp_path / "stores" / "s.db"
    created = run_kiosk(tmp_path, "--db", str(new), "--no-camera", "--quit-after", "1")
    assert created.returncode == 0, created.stderr
    assert f"No store at {new}: made a new, empty one for station ST-01" in created.stderr

    notes = tmp_path / "notes.txt"
    notes.write_text("shift notes, not a store")
    rejected = run_kiosk(tmp_path, "--db", str(notes), "--no-camera", "--quit-after", "1")
    assert rejected.returncode == 1
    assert f"{notes} is not a Powder Lineage store (not an SQLite file) and was left as it is" in rejected.stderr
    assert notes.read_text() == "shift notes, not a store"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("notes")) == ["notes.txt"]


CRASHING_APP = textwrap.dedent(
    """
    import sys, threading
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from kiosk.ui.crash import install_crash_handler

    app = QApplication([])
    told = []
    install_crash_handler(app, tell_operator=lambda: told.append(True) or print("operator told", file=sys.stderr))

    def fail():
        raise RuntimeError("a bug in a slot")

    def fail_in_thread():
        threading.Thread(target=lambda: 1 / 0, name="worker").start()

    QTimer.singleShot(0, fail_in_thread if sys.argv[1] == "thread" else fail)
    QTimer.singleShot(20000, app.quit)
    sys.exit(app.exec())
    """
)


@pytest.mark.parametrize(
    ("where", "error"), [("slot", "RuntimeError: a bug in a slot"), ("thread", "ZeroDivisionError")]
)
def test_uncaught_exception_exits_70(tmp_path: Path, where: str, error: str) -> None:
    script = tmp_path / "crash.py"
    script.write_text(CRASHING_APP)
    result = subprocess.run(
        [sys.executable, str(script), where],
        cwd=ROOT,
        env=kiosk_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 70
    assert "Uncaught exception" in result.stderr
    assert error in result.stderr
    assert "operator told" in result.stderr


def test_window_size_parsed() -> None:
    assert parse_size("800x480") == (800, 480)
    for bad in ("800", "x480", "10x10", "800x480x2"):
        with pytest.raises(ConfigError):
            parse_size(bad)
