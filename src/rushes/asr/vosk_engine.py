"""Vosk (Kaldi): a middle ground between PocketSphinx and Whisper, for users who have a model.

Vosk models (tens of MB for the small ones, many languages) must be downloaded by the user;
rushes only loads a folder given to it and never calls Vosk's own downloader.
"""

from __future__ import annotations

import importlib
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

from rushes.asr.base import (
    Audio,
    Engine,
    RecognizedSegment,
    Word,
    dist_version,
    group_words,
    model_dir,
    primary_language,
    seconds,
    to_pcm16,
)
from rushes.errors import UsageError

#: Files that make a folder a Vosk model: the acoustic model (newer layout ``am/``, older at
#: the top) and the feature configuration.
REQUIRED_FILES = ("am/final.mdl|final.mdl", "conf/mfcc.conf|mfcc.conf")
#: Samples fed to the recogniser per call: 0.5 s, its usual streaming block.
_BLOCK = 8000


class VoskEngine(Engine):
    """Vosk's ``KaldiRecognizer`` with word times; Kaldi decodes on one thread."""

    name = "vosk"

    def __init__(
        self, model_path: Path | None = None, language: str = "en",
        vocabulary: tuple[str, ...] = (),
    ) -> None:
        if vocabulary:
            # A Vosk model's words are compiled into its decoding graph; a grammar would only
            # narrow recognition to the listed words, not add them.
            raise UsageError(
                "vosk cannot learn new words (asr_vocabulary): its model's words are fixed; "
                "clear asr_vocabulary, or use pocketsphinx or faster-whisper"
            )
        try:
            vosk = importlib.import_module("vosk")
        except ImportError:
            raise UsageError("vosk is not installed: pip install 'rushes[vosk]'") from None
        if model_path is None:
            raise UsageError("vosk needs a local model folder: --model PATH "
                             "(rushes never downloads models)")
        path = model_dir(model_path, self.name, REQUIRED_FILES, "Vosk model")
        self._path = str(path.resolve())
        self.model_label = self._path
        vosk.SetLogLevel(-1)
        try:
            self._model: Any = vosk.Model(self._path)
        except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
            raise UsageError(f"cannot load Vosk model {self._path!r}: {exc}") from None
        self._vosk = vosk
        # A Vosk folder does not declare its language; trust the one asked for.
        self.languages = None
        self.language = primary_language(language)
        self.package_version = dist_version("vosk")

    def _recognise(
        self, audio: Audio, offset: Fraction, length: Fraction
    ) -> list[RecognizedSegment]:
        rec = self._vosk.KaldiRecognizer(self._model, 16000)
        rec.SetWords(True)
        pcm = to_pcm16(audio)
        results: list[str] = []
        for i in range(0, len(pcm), _BLOCK * 2):
            if rec.AcceptWaveform(pcm[i : i + _BLOCK * 2]):
                results.append(rec.Result())
        results.append(rec.FinalResult())
        words: list[Word] = []
        for blob in results:
            for w in json.loads(blob).get("result", []):
                text = str(w.get("word", "")).strip()
                if text and text != "[unk]":
                    words.append(Word(offset + min(seconds(float(w["start"])), length),
                                      offset + min(seconds(float(w["end"])), length), text))
        return group_words(words)
