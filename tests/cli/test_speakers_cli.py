"""Speaker labels end to end: two synthetic voices in one clip get two labels through the job
queue; naming a voice once names it in transcripts and search."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.runner import rushes, rushes_json

pytest.importorskip("resemblyzer")

from speakers.test_embed import TURNS, VOICES, _say


@pytest.mark.slow
def test_two_voices_get_two_labels_and_a_name_sticks(tmp_path: Path) -> None:
    import numpy as np

    from asr.speech import write_wav

    pieces = []
    rate = 22050
    for i, text in enumerate(TURNS[:4]):
        audio, rate = _say(text, *VOICES[i % 2])
        pieces += [audio, np.zeros(rate, np.float32)]  # a second's pause between turns
    media = tmp_path / "media"
    media.mkdir()
    write_wav(media / "dialogue.wav", np.concatenate(pieces), rate)
    env = {"RUSHES_SPEAKER_LABELS": "true"}
    rushes("init", str(tmp_path), cwd=tmp_path)
    rushes("add", "media", "--workers", "1", cwd=tmp_path, env=env)
    shown = rushes_json("transcript", "show", "media/dialogue.wav", cwd=tmp_path)
    labels = [s["speaker"] for s in shown["segments"]]
    assert len(set(labels) - {None}) == 2, labels
    first = labels[0]
    assert first is not None and first.startswith("Speaker ")
    rushes("transcript", "rename-speaker", first, "Ellen Marsh", cwd=tmp_path)
    renamed = rushes_json("transcript", "show", "media/dialogue.wav", cwd=tmp_path)
    assert renamed["segments"][0]["speaker"] == "Ellen Marsh"
    hits = rushes_json("search", "speaker:\"Ellen Marsh\"", cwd=tmp_path)["hits"]
    assert hits and all(h["speaker"] == "Ellen Marsh" for h in hits)
