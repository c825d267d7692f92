"""Speech with exactly known word times: each word spoken alone by espeak-ng, trimmed to its
audible part, and joined with chosen gaps.

espeak-ng reports no word timing on its command line, and forced alignment would need a model
of its own; building the audio word by word makes the truth exact by construction (each true
start is the sample where that word's first audible sample was placed). The price is citation
prosody (every word said as if alone), so continuous espeak speech is also used for WER.
Shared by tests/asr and bench/asr.py.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

#: Below this (−60 dBFS) a sample counts as silence when trimming a word: espeak-ng's silence is
#: exact zeros, so this keeps the whole of a soft onset ("h", "f") inside the word.
_THRESHOLD = 0.001


@dataclass(frozen=True)
class TrueWord:
    """A word as placed in the generated audio: exact seconds from the start."""

    text: str
    start: Fraction
    end: Fraction


def espeak(
    text: str, *, voice: str = "en", speed: int = 150
) -> tuple[npt.NDArray[np.float32], int]:
    """``text`` spoken by espeak-ng: (float32 samples, sample rate)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng is not installed (scripts/setup.sh installs it)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "w.wav"
        subprocess.run([exe, "-v", voice, "-s", str(speed), "-w", str(out), text],
                       check=True, capture_output=True)
        return read_wav(out)


def read_wav(path: Path) -> tuple[npt.NDArray[np.float32], int]:
    """A 16-bit mono WAV as float32 samples and its rate."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise ValueError(f"{path}: expected 16-bit mono")
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2")
        return (data.astype(np.float32) / 32768.0), w.getframerate()


def write_wav(path: Path, samples: npt.NDArray[np.float32], rate: int) -> Path:
    """Float samples as a 16-bit mono WAV (exact zeros stay exact zeros: digital silence)."""
    pcm = np.rint(np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def concatenated_speech(
    path: Path,
    sentences: list[str],
    *,
    voice: str = "en",
    speed: int = 150,
    gap: float = 0.12,
    pause: float = 0.6,
    lead: float = 0.5,
) -> list[TrueWord]:
    """Write ``sentences`` to ``path`` (WAV) word by word, ``gap`` seconds between words,
    ``pause`` after each sentence and ``lead`` of silence at both ends; return the true words
    in order with their exact times. Silence is digital (exact zeros)."""
    rate = 0
    pieces: list[npt.NDArray[np.float32]] = []
    truth: list[TrueWord] = []
    position = 0
    for sentence in sentences:
        words = sentence.split()
        for k, word in enumerate(words):
            audio, rate = espeak(word, voice=voice, speed=speed)
            loud = np.flatnonzero(np.abs(audio) >= _THRESHOLD)
            if len(loud) == 0:
                raise ValueError(f"espeak-ng said nothing audible for {word!r}")
            trimmed = audio[loud[0] : loud[-1] + 1]
            if not pieces:
                lead_samples = round(lead * rate)
                pieces.append(np.zeros(lead_samples, np.float32))
                position = lead_samples
            text = word.strip(".,;:!?\"'").lower()
            truth.append(TrueWord(text, Fraction(position, rate),
                                  Fraction(position + len(trimmed), rate)))
            pieces.append(trimmed)
            position += len(trimmed)
            silence = round((pause if k == len(words) - 1 else gap) * rate)
            pieces.append(np.zeros(silence, np.float32))
            position += silence
    pieces.append(np.zeros(round(max(0.0, lead - pause) * rate), np.float32))
    write_wav(path, np.concatenate(pieces), rate)
    return truth
