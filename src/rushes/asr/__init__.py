"""Offline speech to text: engines behind one interface, chunked audio, and a driver loop.

Typical use (the transcript analyzer does this, checkpointing after each chunk)::

    engine = get_engine("pocketsphinx")               # or "faster-whisper", model_path=...
    for chunk, segments in transcribe_file(engine, path):
        save(chunk.index, chunk.end, [s.to_result() for s in segments])

Engines: ``pocketsphinx`` (default; English model inside its wheel, works with nothing else
installed), ``faster-whisper`` and ``vosk`` (only with a model folder the user already has;
rushes never downloads weights).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

from rushes.asr.audio import (
    DEFAULT_CONDITIONING,
    Chunk,
    Conditioning,
    condition,
    decode_audio,
    iter_chunks,
)
from rushes.asr.base import SAMPLE_RATE, Engine, RecognizedSegment, Word, primary_language
from rushes.errors import UsageError

__all__ = [
    "DEFAULT_CONDITIONING",
    "DEFAULT_ENGINE",
    "ENGINES",
    "SAMPLE_RATE",
    "Chunk",
    "Conditioning",
    "Engine",
    "RecognizedSegment",
    "Word",
    "condition",
    "decode_audio",
    "forget_engine",
    "get_engine",
    "iter_chunks",
    "primary_language",
    "shared_engine",
    "transcribe_file",
]

DEFAULT_ENGINE = "pocketsphinx"


def _pocketsphinx(
    model_path: Path | None, language: str, threads: int, vocabulary: tuple[str, ...]
) -> Engine:
    from rushes.asr.pocketsphinx_engine import PocketsphinxEngine

    # A single-threaded decoder: threads unused.
    return PocketsphinxEngine(model_path, language, vocabulary)


def _faster_whisper(
    model_path: Path | None, language: str, threads: int, vocabulary: tuple[str, ...]
) -> Engine:
    from rushes.asr.faster_whisper_engine import FasterWhisperEngine

    return FasterWhisperEngine(model_path, language, threads=threads, vocabulary=vocabulary)


def _vosk(
    model_path: Path | None, language: str, threads: int, vocabulary: tuple[str, ...]
) -> Engine:
    from rushes.asr.vosk_engine import VoskEngine

    return VoskEngine(model_path, language, vocabulary)  # Kaldi decodes on one thread


#: Engine name → factory (model folder, language, threads, vocabulary terms). Engine modules
#: are imported on use, so a missing optional package only matters to the engine that needs it.
ENGINES: dict[str, Callable[[Path | None, str, int, tuple[str, ...]], Engine]] = {
    "pocketsphinx": _pocketsphinx,
    "faster-whisper": _faster_whisper,
    "vosk": _vosk,
}
_ALIASES = {
    "whisper": "faster-whisper", "faster_whisper": "faster-whisper", "sphinx": "pocketsphinx",
}


def get_engine(
    name: str, model_path: Path | str | None = None, language: str = "en", *, threads: int = 1,
    vocabulary: tuple[str, ...] = (),
) -> Engine:
    """Load the engine ``name`` with its model, ready to transcribe ``language``, listening
    for the names and words of ``vocabulary`` (see :mod:`rushes.asr.vocabulary`).

    Every way this can fail for a reason the user can fix (unknown engine, package not
    installed, model folder missing or incomplete, language the model cannot do) is a one-line
    :class:`~rushes.errors.UsageError` saying what to do. ``threads`` bounds the engine's own
    CPU threads (only faster-whisper has any); keep 1 when several workers share the cores.
    """
    if threads < 1:
        raise UsageError(f"threads must be at least 1, got {threads}")
    key = _ALIASES.get(name.strip().lower(), name.strip().lower())
    factory = ENGINES.get(key)
    if factory is None:
        raise UsageError(f"unknown speech engine {name!r}; choose from {', '.join(ENGINES)}")
    return factory(
        Path(model_path) if model_path is not None else None, language, threads, vocabulary
    )


def shared_engine(
    name: str, model_path: str | None = None, language: str = "en", *, threads: int = 1,
    vocabulary: tuple[str, ...] = (),
) -> Engine:
    """:func:`get_engine`, but the engine last asked for in this process is kept loaded for the
    next call with the same arguments.

    An analysis worker runs one transcription job after another, nearly always with the same
    engine, model and vocabulary: loading pocketsphinx's model and teaching it the vocabulary
    took 0.3 s a job (about a quarter of the work on a 5 s clip), and a Whisper or Kaldi
    model takes seconds. One engine is kept, not several, and it is let go before another is
    loaded, because a Whisper model holds gigabytes; a worker lives for one run, so a model
    folder changed on disk is read again by the next run. Engines are safe to reuse: each
    ``transcribe`` call is a whole utterance, and the same file gives the same words on a fresh
    engine and on one that has transcribed others (``tests/asr/test_asr.py``). A caller whose
    transcription failed calls :func:`forget_engine`, so that an engine left in a bad state
    does not fail every later job of the run.
    """
    global _kept
    key = (name, model_path, language, threads, vocabulary)
    if _kept is not None and _kept[0] == key:
        return _kept[1]
    _kept = None
    engine = get_engine(name, model_path, language, threads=threads, vocabulary=vocabulary)
    _kept = (key, engine)
    return engine


def forget_engine() -> None:
    """Let go of the engine :func:`shared_engine` kept: the next call loads a fresh one."""
    global _kept
    _kept = None


_kept: tuple[tuple[object, ...], Engine] | None = None


def transcribe_file(
    engine: Engine,
    path: Path,
    *,
    chunk_seconds: float = 30.0,
    search_seconds: float = 5.0,
    start: Fraction = Fraction(0),
    conditioning: Conditioning = DEFAULT_CONDITIONING,
) -> Iterator[tuple[Chunk, list[RecognizedSegment]]]:
    """Transcribe ``path`` chunk by chunk, yielding each chunk with its segments (file times).

    Yielding per chunk is what makes transcription resumable: the caller stores each chunk's
    segments and ``chunk.end``, and after a crash passes that as ``start``.
    """
    for chunk in iter_chunks(
        path, chunk_seconds, search_seconds=search_seconds, start=start,
        conditioning=conditioning,
    ):
        yield chunk, engine.transcribe(chunk.audio, chunk.start)
