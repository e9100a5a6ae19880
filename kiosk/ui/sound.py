"""The scan sound: a short WAV played without blocking, with the system beep as fallback.

QtMultimedia is not part of PySide6-Essentials, so the WAV is handed to
ALSA's ``aplay`` in a child process. A station without ``aplay`` falls back to
QApplication.beep(), which is silent on many systems.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

# Maximum wait for a stopped player to end.
PLAYER_STOP_WAIT_S = 0.5


class ScanSound:
    """Plays the accepted or rejected sound; a new sound cuts the previous one short. Use on the GUI thread."""

    def __init__(self, *, accepted_wav: Path, rejected_wav: Path, enabled: bool):
        self._files = {True: accepted_wav, False: rejected_wav}
        self._enabled = enabled
        self._player = shutil.which("aplay") if enabled else None
        self._process: subprocess.Popen[bytes] | None = None
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
        self._stop_previous()
        try:
            self._process = subprocess.Popen(
                [self._player, "-q", str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as error:
            log.warning("The scan sound could not be played with %s (%s); using the system beep", self._player, error)
            self._player = None
            QApplication.beep()

    def close(self) -> None:
        """Stop a sound still playing and reap its process; call when the kiosk stops."""
        self._stop_previous()

    def _stop_previous(self) -> None:
        process = self._process
        self._process = None
        if process is None or process.poll() is not None:
            return
        process.kill()
        try:
            process.wait(PLAYER_STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            log.warning("The scan sound player %d did not stop within %.1f s", process.pid, PLAYER_STOP_WAIT_S)
