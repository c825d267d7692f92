"""The transcript analyzer: offline speech to text with word times, resumable by chunks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import mediagen
from rushes.analyzers.base import AnalysisContext, AssetView
from rushes.analyzers.transcript import ANALYZER
from rushes.asr.base import Engine
from rushes.config import load_settings

TEXT = (
    "The lighthouse keeper walked down to the harbour every morning. "
    "The names of the children were never published."
)


@pytest.fixture(scope="module")
def speech_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mediagen.video_with_speech(tmp_path_factory.mktemp("speech") / "speech.mp4", TEXT)


def _ctx(clip: Path, tmp_path: Path, chunk_seconds: int = 30) -> AnalysisContext:
    settings = load_settings(environ={})
    params: dict[str, Any] = {**ANALYZER.params(settings), "chunk_seconds": chunk_seconds}
    out = tmp_path / "out"
    out.mkdir(parents=True, exist_ok=True)
    view = AssetView("f" * 64, "video", "mp4", clip, {"probe": {"audio_streams": 1}})
    return AnalysisContext(view, settings, params, out, tmp_path / "checkpoints")


def test_speech_is_transcribed_offline_with_word_times(speech_clip: Path, tmp_path: Path) -> None:
    result = ANALYZER.run(_ctx(speech_clip, tmp_path))
    assert result["source"] == "asr:pocketsphinx"
    words = [w for seg in result["segments"] for w in seg["words"]]
    found = {text.lower() for _, _, text in words}
    assert len(found & {"lighthouse", "keeper", "harbour", "children", "names", "morning"}) >= 2
    starts = [s for s, _, _ in words]
    assert starts == sorted(starts) and all(e >= s for s, e, _ in words)
    assert all(isinstance(v, int) for s, e, _ in words for v in (s, e))  # exact microseconds


def test_a_killed_transcription_resumes_after_the_last_chunk(
    speech_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = ANALYZER.run(_ctx(speech_clip, tmp_path / "whole", chunk_seconds=2))
    calls: list[Any] = []

    import rushes.analyzers.transcript as module

    original = module.transcribe_file

    def dying(engine: Engine, path: Path, **kwargs: Any):  # type: ignore[no-untyped-def]
        for i, item in enumerate(original(engine, path, **kwargs)):
            calls.append(item[0].start)
            if i == 1:
                raise KeyboardInterrupt  # killed while the second chunk is transcribed
            yield item

    monkeypatch.setattr(module, "transcribe_file", dying)
    ctx = _ctx(speech_clip, tmp_path / "killed", chunk_seconds=2)
    with pytest.raises(KeyboardInterrupt):
        ANALYZER.run(ctx)
    assert ctx.checkpoint_dir is not None
    assert len(list(ctx.checkpoint_dir.glob("chunk-*.json"))) == 1
    monkeypatch.setattr(module, "transcribe_file", original)
    resumed_from: list[Any] = []

    def watching(engine: Engine, path: Path, **kwargs: Any):  # type: ignore[no-untyped-def]
        resumed_from.append(kwargs["start"])
        yield from original(engine, path, **kwargs)

    monkeypatch.setattr(module, "transcribe_file", watching)
    again = ANALYZER.run(ctx)
    assert resumed_from == [calls[1]]  # resumed exactly where the saved chunk ended
    boundary = round(calls[1] * 1_000_000)

    def words(result: dict[str, Any]) -> list[list[Any]]:
        return [w for seg in result["segments"] for w in seg["words"]]

    # The saved chunk is reused as it was; later chunks are new work, nothing is doubled.
    before = [w for w in words(again) if w[0] < boundary]
    assert before == [w for w in words(whole) if w[0] < boundary]
    starts = [w[0] for w in words(again)]
    assert starts == sorted(starts)
    # Audio decoded after a seek may differ by a sample or two, so later words may differ a bit.
    assert abs(len(words(again)) - len(words(whole))) <= 3


def test_language_the_engine_cannot_do_is_one_clear_error(
    speech_clip: Path, tmp_path: Path
) -> None:
    from rushes.errors import UsageError

    ctx = _ctx(speech_clip, tmp_path)
    ctx = AnalysisContext(ctx.asset, ctx.settings, {**ctx.params, "language": "zh"},
                          ctx.output_dir, ctx.checkpoint_dir)
    with pytest.raises(UsageError, match="zh"):
        ANALYZER.run(ctx)
