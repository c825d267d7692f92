"""Real voice embeddings: two espeak-ng voices taking turns in one clip are told apart.

Needs resemblyzer (``scripts/setup.sh --speakers``); the clustering and matching tests in
test_cluster.py run without it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

pytest.importorskip("resemblyzer")

from asr.speech import read_wav, write_wav
from rushes.analyzers.base import AnalysisContext, AssetView
from rushes.analyzers.speakers import ANALYZER
from rushes.config import load_settings
from rushes.speakers.embed import embed_segments

#: A low male voice and a high female variant: different speakers to the encoder.
VOICES = (("en-us", 30), ("en-us+f3", 80))
TURNS = [
    "The harbour was quiet when we arrived that morning",
    "Did you know any of the fishermen at the time",
    "I remember the boats coming in one after another",
    "What happened to the fleet after the factory closed",
    "My uncle worked on the trawlers for twenty years",
    "Where did the families go when the work stopped",
    "Most of them moved away to the city in the end",
    "Do you ever go back to visit the old house",
]


def _say(text: str, voice: str, pitch: int) -> tuple[npt.NDArray[np.float32], int]:
    exe = shutil.which("espeak-ng")
    if exe is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "w.wav"
        subprocess.run([exe, "-v", voice, "-p", str(pitch), "-w", str(out), text],
                       check=True, capture_output=True)
        return read_wav(out)


@pytest.fixture(scope="module")
def dialogue(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, list[tuple[int, int]], list[int | None]]:
    """A WAV of the two voices alternating turn by turn, plus one short "yes" (too short to
    embed); returns (path, segment times in µs, true voice per segment or None)."""
    pieces: list[npt.NDArray[np.float32]] = []
    segments: list[tuple[int, int]] = []
    truth: list[int | None] = []
    rate = 22050
    position = 0

    def place(audio: npt.NDArray[np.float32], who: int | None) -> None:
        nonlocal position
        segments.append((position * 1_000_000 // rate, (position + len(audio)) * 1_000_000 // rate))
        truth.append(who)
        pieces.extend([audio, np.zeros(rate // 2, np.float32)])
        position += len(audio) + rate // 2

    pieces.append(np.zeros(rate // 2, np.float32))
    position = rate // 2
    for i, text in enumerate(TURNS):
        audio, rate = _say(text, *VOICES[i % 2])
        place(audio, i % 2)
    yes, _ = _say("yes", *VOICES[0])
    place(yes[: int(0.5 * rate)], None)
    path = write_wav(tmp_path_factory.mktemp("speakers") / "dialogue.wav",
                     np.concatenate(pieces), rate)
    return path, segments, truth


def _agreement(labels: list[int | None], truth: list[int | None]) -> float:
    """Share of the true-voice segments labelled consistently, under the best relabelling."""
    pairs = [(k, t) for k, t in zip(labels, truth, strict=True) if t is not None]
    same = sum(k == t for k, t in pairs)
    swapped = sum(k is not None and k == 1 - t for k, t in pairs)
    return max(same, swapped) / len(pairs)


def test_embeddings_unit_rows_and_short_segment_skipped(
    dialogue: tuple[Path, list[tuple[int, int]], list[int | None]],
) -> None:
    path, segments, _ = dialogue
    vectors = embed_segments(path, segments)
    assert vectors.shape == (len(segments), 256) and vectors.dtype == np.float32
    norms = np.linalg.norm(vectors, axis=1)
    assert np.allclose(norms[:-1], 1.0, atol=1e-4)
    assert norms[-1] == 0.0  # the half-second "yes"


def test_two_voices_get_two_clusters_with_the_turns_right(
    dialogue: tuple[Path, list[tuple[int, int]], list[int | None]], tmp_path: Path,
) -> None:
    path, segments, truth = dialogue
    settings = load_settings(environ={})
    transcript: dict[str, Any] = {"segments": [
        {"start_us": s, "end_us": e, "text": "", "speaker": None, "words": []}
        for s, e in segments
    ]}
    view = AssetView("c" * 64, "audio", "wav", path, {"transcript": transcript})
    assert ANALYZER.applies(view)
    ctx = AnalysisContext(view, settings, ANALYZER.params(settings), tmp_path)
    result = ANALYZER.run(ctx)
    labels = [s["cluster"] for s in result["segments"]]
    assert [(s["start_us"], s["end_us"]) for s in result["segments"]] == segments
    assert labels[-1] is None
    assert sorted(c["k"] for c in result["clusters"]) == [0, 1]
    assert all(len(c["centroid"]) == 256 for c in result["clusters"])
    assert _agreement(labels, truth) >= 0.8
