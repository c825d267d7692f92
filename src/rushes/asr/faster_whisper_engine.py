"""faster-whisper (Whisper on CTranslate2): the accurate engine, for users who have a model.

rushes never downloads weights (an archive must work in an edit suite with no internet, and a
model silently fetched today may differ tomorrow), so this engine only loads a CTranslate2
Whisper folder the user already has, e.g. one converted with ``ct2-transformers-converter
--copy_files tokenizer.json`` or copied from a machine that has one. The folder must hold
``tokenizer.json``: without it faster-whisper would fetch the tokenizer from the Hugging Face
hub.
"""

from __future__ import annotations

import importlib
from fractions import Fraction
from pathlib import Path
from typing import Any

from rushes.asr.base import (
    Audio,
    Engine,
    RecognizedSegment,
    Word,
    dist_version,
    model_dir,
    seconds,
)
from rushes.errors import UsageError

#: What a CTranslate2 Whisper model folder holds (config.json, model.bin) plus the tokenizer
#: that would otherwise be downloaded.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")


class FasterWhisperEngine(Engine):
    """Whisper through faster-whisper on the CPU with int8 weights.

    ``threads`` is CTranslate2's intra-op thread count; 1 by default because the job system
    already runs one worker per core, and oversubscribed cores make every worker slower.
    """

    name = "faster-whisper"

    def __init__(
        self, model_path: Path | None = None, language: str = "en", *, threads: int = 1,
        beam_size: int = 5, vocabulary: tuple[str, ...] = (),
    ) -> None:
        try:
            fw = importlib.import_module("faster_whisper")
        except ImportError:
            raise UsageError(
                "faster-whisper is not installed: pip install 'rushes[whisper]'"
            ) from None
        if model_path is None:
            raise UsageError(
                "faster-whisper needs a local model folder: --model PATH "
                "(rushes never downloads models)"
            )
        path = model_dir(model_path, self.name, REQUIRED_FILES, "CTranslate2 Whisper model")
        self._path = str(path.resolve())
        self.model_label = self._path
        self._beam_size = beam_size
        # Whisper takes names as hotwords: text put before each window's decoding, which
        # makes their spellings likely without making them be said (unlike a prefix).
        self._hotwords = ", ".join(vocabulary) or None
        # At most 223 tokens of it reach the model (faster-whisper keeps half its prompt
        # length for hotwords): a long list is cut, so the record says how many terms it had.
        self.vocabulary_record = {"vocabulary_terms": len(vocabulary)} if vocabulary else {}
        try:
            self._model: Any = fw.WhisperModel(
                self._path, device="cpu", compute_type="int8", cpu_threads=threads,
                num_workers=1, local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UsageError(f"cannot load Whisper model {self._path!r}: {first}") from None
        multilingual = bool(getattr(self._model.model, "is_multilingual", True))
        self.languages = None if multilingual else frozenset({"en"})
        self.language = self._require_language(
            language, "this Whisper model is English-only; use a multilingual one"
        )
        self.package_version = dist_version("faster-whisper")

    def _recognise(
        self, audio: Audio, offset: Fraction, length: Fraction
    ) -> list[RecognizedSegment]:
        segments, _info = self._model.transcribe(
            audio,
            language=self.language,
            beam_size=self._beam_size,
            hotwords=self._hotwords,
            word_timestamps=True,
            # Each chunk stands alone: carrying text across chunks would make a resumed run
            # differ from an uninterrupted one, and lets one hallucination repeat.
            condition_on_previous_text=False,
            vad_filter=False,
        )
        out: list[RecognizedSegment] = []
        for seg in segments:  # a generator: decoding happens while iterating
            words = [
                Word(offset + min(seconds(w.start), length), offset + min(seconds(w.end), length),
                     str(w.word).strip())
                for w in (seg.words or [])
                if str(w.word).strip()
            ]
            text = str(seg.text).strip()
            if not text:
                continue
            start = words[0].start if words else offset + min(seconds(seg.start), length)
            end = words[-1].end if words else offset + min(seconds(seg.end), length)
            out.append(RecognizedSegment(start, end, text, words))
        return out
