"""The promise of issue 3 end to end: speech in a clip is transcribed offline on `rushes add`,
and `rushes search` lands on the moment a spoken word was said."""

from __future__ import annotations

from pathlib import Path

import pytest

import mediagen
from asr.speech import concatenated_speech
from cli.runner import rushes, rushes_json

SENTENCE = "The lighthouse keeper walked down to the harbour every morning"


@pytest.mark.slow
def test_a_spoken_word_is_found_within_a_second_of_when_it_was_said(tmp_path: Path) -> None:
    wav = tmp_path / "speech.wav"
    truth = concatenated_speech(wav, [SENTENCE], voice="en-us")
    media = tmp_path / "media"
    media.mkdir()
    clip = media / "keeper.mp4"
    mediagen.run_ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-i", str(wav),
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-shortest", str(clip),
    )
    rushes("init", str(tmp_path), cwd=tmp_path)
    rushes("add", "media", "--workers", "1", cwd=tmp_path)
    shown = rushes_json("transcript", "show", "media/keeper.mp4", cwd=tmp_path)
    heard = {w["text"].lower() for s in shown["segments"] for w in s["words"]}
    said = {t.text: float(t.start) for t in truth}
    candidates = sorted(heard & {"lighthouse", "keeper", "harbour", "morning", "walked"})
    assert candidates, f"recognised only {sorted(heard)}"
    word = candidates[0]
    hits = rushes_json("search", word, cwd=tmp_path)["hits"]
    assert hits, f"search for {word!r} found nothing"
    hit = hits[0]
    assert Path(hit["path"]).name == "keeper.mp4" and hit["source"] == "transcript"
    assert abs(hit["start"] - said[word]) <= 1.0
    assert hit["timecode"].startswith("00:00:0")
