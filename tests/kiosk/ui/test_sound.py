"""The scan sound: the WAV goes to aplay without blocking; without aplay the station still runs."""

from __future__ import annotations

import os
import time
import wave
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.ui.sound import ScanSound
from kiosk.ui.sound_files import write_scan_sounds


@pytest.fixture
def fake_aplay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `aplay` on PATH that writes its arguments to a file instead of playing (the speaker is hardware)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "aplay.log"
    script = folder / "aplay"
    script.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log


def test_scan_sounds_played_by_aplay(qapp: QApplication, fake_aplay: Path, tmp_path: Path) -> None:
    accepted, rejected = write_scan_sounds(tmp_path / "sounds")
    sound = ScanSound(accepted_wav=accepted, rejected_wav=rejected, enabled=True)
    sound.play(accepted=True)
    deadline = time.monotonic() + 5
    while not fake_aplay.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    sound.close()
    assert fake_aplay.read_text().split() == ["-q", str(accepted)]
    assert sound.played == 1


def test_sound_off_plays_nothing(qapp: QApplication, fake_aplay: Path, tmp_path: Path) -> None:
    accepted, rejected = write_scan_sounds(tmp_path / "sounds")
    sound = ScanSound(accepted_wav=accepted, rejected_wav=rejected, enabled=False)
    sound.play(accepted=False)
    assert sound.played == 0
    assert not fake_aplay.exists()


def test_sound_files_are_short_wavs(tmp_path: Path) -> None:
    for path in write_scan_sounds(tmp_path):
        with wave.open(str(path)) as audio:
            seconds = audio.getnframes() / audio.getframerate()
        assert 0.1 < seconds < 0.5, f"{path.name} lasts {seconds:.2f} s"
