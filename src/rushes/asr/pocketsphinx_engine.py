"""PocketSphinx: the engine that always works offline, with the English model in its wheel.

It is far less accurate than Whisper, but it needs nothing beyond ``pip install``, runs several
times faster than real time on one core, and its word times come straight from the decoder's
frame alignment (100 frames a second), so a found word lands within a frame or two of where it
was said. A user with a PocketSphinx model for another language points ``model_path`` at it.
"""

from __future__ import annotations

import importlib
from fractions import Fraction
from pathlib import Path
from types import ModuleType

from rushes.asr.base import (
    Audio,
    Engine,
    RecognizedSegment,
    Word,
    dist_version,
    group_words,
    model_dir,
    to_pcm16,
)
from rushes.errors import UsageError

#: Decoder frames per second (``-frate``, the default; 160-sample hop at 16 kHz).
FRAME_RATE = 100
#: The language of the model inside the wheel.
BUILTIN_LANGUAGES = frozenset({"en"})


def _import() -> ModuleType:
    try:
        return importlib.import_module("pocketsphinx")
    except ImportError:
        raise UsageError("pocketsphinx is not installed: pip install pocketsphinx==5.1.1") from None


def is_filler(word: str) -> bool:
    """Sentence markers, silence and noise words (``<s>``, ``<sil>``, ``[NOISE]``,
    ``++BREATH++``): decoder bookkeeping, not speech."""
    return word.startswith(("<", "[", "+")) or not word


def clean_word(word: str) -> str:
    """``read(2)`` → ``read``: the suffix only names which dictionary pronunciation matched."""
    if word.endswith(")") and "(" in word:
        return word[: word.rindex("(")]
    return word


def _find_model(path: Path) -> tuple[Path, Path, Path]:
    """(acoustic model folder, dictionary, language model) inside a user's model folder, laid
    out as CMU Sphinx distributes them: a folder holding ``mdef`` (itself or one level down), a
    ``.dict``/``.dic`` file and a ``.lm.bin``/``.lm``/``.lm.gz`` file."""
    p = model_dir(path, "pocketsphinx", [], "PocketSphinx model")
    hmms = [p] if (p / "mdef").exists() else sorted(d.parent for d in p.glob("*/mdef"))
    dicts = sorted([*p.glob("*.dict"), *p.glob("*.dic")])
    lms = sorted(
        f for f in [*p.glob("*.lm.bin"), *p.glob("*.lm"), *p.glob("*.lm.gz")]
        if "phone" not in f.name  # en-us-phone.lm.bin is the phoneme LM, not words
    )
    missing = [what for what, found in
               (("acoustic model (mdef)", hmms), ("dictionary (.dict)", dicts),
                ("language model (.lm.bin)", lms)) if not found]
    if missing:
        raise UsageError(f"{str(p)!r} is not a PocketSphinx model folder (no {', '.join(missing)})")
    return hmms[0], dicts[0], lms[0]


class PocketsphinxEngine(Engine):
    """PocketSphinx 5 with the wheel's US English model, or the model folder given.

    Single-threaded by construction (the decoder has no threads), so one engine per worker
    process. Each :meth:`transcribe` call is one utterance: the caller's chunks are already cut
    at pauses, which is also where the decoder's language model expects sentence breaks.
    """

    name = "pocketsphinx"

    def __init__(self, model_path: Path | None = None, language: str = "en") -> None:
        ps = _import()
        if model_path is None:
            base = Path(ps.get_model_path()) / "en-us"
            hmm, dic, lm = base / "en-us", base / "cmudict-en-us.dict", base / "en-us.lm.bin"
            self.languages = BUILTIN_LANGUAGES
            self.model_label = "builtin:en-us"
        else:
            hmm, dic, lm = _find_model(model_path)
            # A user's model folder does not say its language; trust the language they asked for.
            self.languages = None
            self.model_label = str(Path(model_path).expanduser().resolve())
        self.language = self._require_language(
            language, "use faster-whisper with --model PATH (a local Whisper model folder)"
        )
        self.package_version = dist_version("pocketsphinx")
        self._decoder = ps.Decoder(
            hmm=str(hmm), dict=str(dic), lm=str(lm), samprate=16000, frate=FRAME_RATE,
            loglevel="FATAL",
        )

    def _recognise(
        self, audio: Audio, offset: Fraction, length: Fraction
    ) -> list[RecognizedSegment]:
        decoder = self._decoder
        decoder.start_utt()
        # full_utt: the whole chunk at once, so cepstral mean is estimated over all of it
        decoder.process_raw(to_pcm16(audio), full_utt=True)
        decoder.end_utt()
        words: list[Word] = []
        # No hypothesis at all (a few milliseconds of audio: a truncated file's last chunk)
        # gives None rather than an empty segmentation.
        for seg in decoder.seg() or ():
            text = str(seg.word)
            if is_filler(text):
                continue
            start = Fraction(int(seg.start_frame), FRAME_RATE)
            # end_frame is the last frame of the word, inclusive
            end = min(Fraction(int(seg.end_frame) + 1, FRAME_RATE), length)
            words.append(Word(offset + min(start, length), offset + end, clean_word(text)))
        return group_words(words)

