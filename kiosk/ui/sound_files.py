"""The scan sounds, synthesised: ``python -m kiosk.ui.sound_files`` writes assets/sounds/*.wav again.

No Qt here. Accepted is two short rising beeps; rejected is one longer low
buzz, so an operator can tell them apart without looking, even in a noisy hall.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

SOUNDS = Path(__file__).resolve().parents[2] / "assets" / "sounds"
SAMPLE_RATE_HZ = 22_050
# Fade in and out over a few milliseconds so the tones do not click.
FADE_S = 0.005


def tone(frequency_hz: float, duration_s: float, *, volume: float = 0.5, square: bool = False) -> list[float]:
    """Return samples (-1 to 1) of a sine or square tone with short fades."""
    count = int(duration_s * SAMPLE_RATE_HZ)
    fade = max(int(FADE_S * SAMPLE_RATE_HZ), 1)
    samples = []
    for index in range(count):
        phase = 2 * math.pi * frequency_hz * index / SAMPLE_RATE_HZ
        sine = math.sin(phase)
        value = _square(sine) if square else sine
        envelope = min(1.0, index / fade, (count - 1 - index) / fade)
        samples.append(value * volume * envelope)
    return samples


def _square(sine: float) -> float:
    # A square wave sounds louder than a sine of the same amplitude, so it is scaled down.
    return (1.0 if sine >= 0 else -1.0) * 0.6


def silence(duration_s: float) -> list[float]:
    """Return silent samples."""
    return [0.0] * int(duration_s * SAMPLE_RATE_HZ)


def write_wav(path: Path, samples: list[float]) -> None:
    """Write 16-bit mono PCM."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE_HZ)
        out.writeframes(b"".join(struct.pack("<h", round(sample * 32767)) for sample in samples))


def write_scan_sounds(folder: Path = SOUNDS) -> list[Path]:
    """Write scan-accepted.wav and scan-rejected.wav into `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    accepted = folder / "scan-accepted.wav"
    rejected = folder / "scan-rejected.wav"
    write_wav(accepted, tone(1320, 0.07) + silence(0.03) + tone(1760, 0.09))
    write_wav(rejected, tone(220, 0.35, square=True))
    return [accepted, rejected]


if __name__ == "__main__":
    for written in write_scan_sounds():
        print(f"wrote {written} ({written.stat().st_size} bytes)")
