"""The scan sound: a short WAV played without blocking, with the system beep as fallback.

QtMultimedia is not part of PySide6-Essentials, so the WAV is handed to
ALSA's ``aplay`` in a QProcess. A station without ``aplay`` falls back to
QApplication.beep(), which is silent on many systems.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from PySide6.QtCore import QObject, QProcess
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)


class ScanSound(QObject):
    """Plays the accepted or rejected sound; a new sound cuts the previous one short."""

    def __init__(self, *, accepted_wav: Path, rejected_wav: Path, enabled: bool, parent: QObject | None = None):
        super().__init__(parent)
        self._files = {True: accepted_wav, False: rejected_wav}
        self._enabled = enabled
        self._player = shutil.which("aplay") if enabled else None
        self._process: QProcess | None = None
        self.played = 0
        if enabled and self._player is None:
            log.info("aplay not found: scans sound with the system beep (install alsa-utils for the WAV sounds)")

    def play(self, *, accepted: bool) -> None:
        """Start the sound for an accepted or rejected scan and return at once."""
        if not self._enabled:
            return
        self.played += 1
        path = self._files[accepted]
        if self._player is None or not path.exists():
            QApplication.beep()
            return
        if self._process is not None and self._process.state() != QProcess.ProcessState.NotRunning:
            self._process.kill()
            self._process.waitForFinished(100)
        process = QProcess(self)
        process.errorOccurred.connect(self._on_player_error)
        process.finished.connect(lambda _code, _status, done=process: self._on_player_finished(done))
        process.start(self._player, ["-q", str(path)])
        self._process = process

    def _on_player_finished(self, process: QProcess) -> None:
        if self._process is process:
            self._process = None
        process.deleteLater()

    def _on_player_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.Crashed:
            return  # killed on purpose by the next sound
        log.warning(
            "The scan sound could not be played with %s (%s); falling back to the system beep", self._player, error
        )
        self._player = None
