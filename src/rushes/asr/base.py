"""What a speech-to-text engine is: 16 kHz mono float audio in, exactly timed words out.

Every engine (pocketsphinx, faster-whisper, vosk) sits behind :class:`Engine` so the transcript
analyzer, the benchmark and the tests never know which one ran. Times leave an engine as
:class:`~fractions.Fraction` seconds with the chunk's offset already added: an engine's own clock
(100 frames a second for pocketsphinx, float seconds for the others) is converted once, here, and
never rounded again downstream, because a transcript word has to land on the right frame of a
29.97 fps edit.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple

import numpy as np
import numpy.typing as npt

from rushes.errors import UsageError

#: The one sample rate every engine is fed (what all three were trained on).
SAMPLE_RATE = 16_000

Audio = npt.NDArray[np.float32]


class Word(NamedTuple):
    """One recognised word: a plain ``(start, end, text)`` tuple with names."""

    start: Fraction
    end: Fraction
    text: str


@dataclass(frozen=True)
class RecognizedSegment:
    """A stretch of speech (a phrase between pauses, or the engine's own segment).

    ``start``/``end`` are seconds from the start of the file; ``words`` may be empty when an
    engine gives no word times, but every engine here does.
    """

    start: Fraction
    end: Fraction
    text: str
    words: list[Word] = field(default_factory=list)

    def to_result(self) -> dict[str, Any]:
        """JSON-able form with exact times as ``"num/den"`` strings (the analyzers' convention),
        so a checkpointed chunk reloads to the very same Fractions."""
        return {
            "start": _frac_str(self.start),
            "end": _frac_str(self.end),
            "text": self.text,
            "words": [[_frac_str(w.start), _frac_str(w.end), w.text] for w in self.words],
        }

    @classmethod
    def from_result(cls, data: Mapping[str, Any]) -> RecognizedSegment:
        """The inverse of :meth:`to_result`."""
        return cls(
            Fraction(data["start"]),
            Fraction(data["end"]),
            str(data["text"]),
            [Word(Fraction(s), Fraction(e), str(t)) for s, e, t in data["words"]],
        )


def _frac_str(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def seconds(value: float, *, resolution: int = 1000) -> Fraction:
    """A float time from an engine as an exact Fraction on a ``1/resolution`` s grid.

    Whisper and vosk report floats that are really multiples of 10 or 20 ms; snapping to the
    millisecond keeps that precision without dragging binary-float noise (0.1 is not 1/10)
    into every later computation.
    """
    return Fraction(round(value * resolution), resolution)


def primary_language(language: str) -> str:
    """``"en-GB"``, ``"en_us"`` and ``"EN"`` all mean the model language ``"en"``."""
    return language.strip().replace("_", "-").split("-")[0].lower()


def group_words(
    words: Sequence[Word],
    *,
    pause: Fraction = Fraction(2, 5),
    max_seconds: Fraction = Fraction(10),
) -> list[RecognizedSegment]:
    """Split a word stream into segments at pauses of at least ``pause`` seconds, and before a
    segment would run past ``max_seconds``.

    Engines without their own segmentation (pocketsphinx, vosk) use this so segments read like
    caption lines: a search hit shows a phrase, not a 30-second chunk.
    """
    segments: list[RecognizedSegment] = []
    current: list[Word] = []

    def flush() -> None:
        if current:
            segments.append(
                RecognizedSegment(
                    current[0].start,
                    current[-1].end,
                    " ".join(w.text for w in current),
                    list(current),
                )
            )
            current.clear()

    for word in words:
        if current and (
            word.start - current[-1].end >= pause or word.end - current[0].start > max_seconds
        ):
            flush()
        current.append(word)
    flush()
    return segments


class Engine(ABC):
    """A loaded speech recogniser. Construct through :func:`rushes.asr.get_engine`.

    Loading a model is the expensive part (hundreds of ms to seconds), so an engine is made once
    per worker and :meth:`transcribe` is called once per chunk; it keeps no state between calls,
    so chunks may come in any order and a resumed run gives the same words.
    """

    name: ClassVar[str]
    #: Primary language subtags the loaded model can do, or ``None`` for "whatever the user's
    #: model is" (a multilingual Whisper, or a model folder we cannot inspect for its language).
    languages: frozenset[str] | None = None

    def supports(self, language: str) -> bool:
        """Whether this engine, with its model, can transcribe ``language`` (BCP 47-ish)."""
        return self.languages is None or primary_language(language) in self.languages

    def _require_language(self, language: str, hint: str) -> str:
        """The primary subtag of ``language``, or a one-line :class:`UsageError` with ``hint``."""
        if not self.supports(language):
            raise UsageError(f"{self.name} has no model for {language!r} here; {hint}")
        return primary_language(language)

    #: What identifies the loaded model ("builtin:en-us", a resolved folder path) and the
    #: engine package's version; set by each engine's constructor.
    model_label: str
    package_version: str
    language: str

    def transcribe(self, audio: Audio, offset: Fraction) -> list[RecognizedSegment]:
        """Recognise ``audio`` (float32, mono, 16 kHz, roughly −1…1) that starts ``offset``
        seconds into the file; returned times include ``offset``."""
        check_audio(audio)
        if len(audio) == 0:
            return []
        return self._recognise(audio, offset, Fraction(len(audio), SAMPLE_RATE))

    @abstractmethod
    def _recognise(
        self, audio: Audio, offset: Fraction, length: Fraction
    ) -> list[RecognizedSegment]:
        """The engine's own work on checked, non-empty audio ``length`` seconds long."""

    #: What the engine made of the vocabulary, kept with the transcript (empty: none given):
    #: words learnt and skipped (pocketsphinx), hotword terms (faster-whisper).
    vocabulary_record: Mapping[str, Any] = MappingProxyType({})

    def identity(self) -> dict[str, Any]:
        """What decides this engine's output (engine, model, package version, vocabulary):
        kept with the transcript, so that it says what made it."""
        return {"engine": self.name, "model": self.model_label,
                "version": self.package_version, "language": self.language,
                **self.vocabulary_record}


def check_audio(audio: Audio) -> Audio:
    """``audio`` as a 1-D float32 array, or ``ValueError``: a stereo or int16 array passed by
    mistake would otherwise be recognised as noise without any error."""
    if audio.ndim != 1:
        raise ValueError(f"expected mono audio (1-D array), got shape {audio.shape}")
    if audio.dtype != np.float32:
        raise ValueError(f"expected float32 samples, got {audio.dtype}")
    return audio


def to_pcm16(audio: Audio) -> bytes:
    """Little-endian 16-bit PCM for decoders that take bytes (pocketsphinx, vosk); clipped,
    rounded (not truncated, which would add a DC offset of half a step)."""
    scaled = np.clip(audio, -1.0, 1.0) * 32767.0
    return bytes(np.rint(scaled).astype("<i2").tobytes())


def model_dir(path: Path | str, engine: str, required: Iterable[str], what: str) -> Path:
    """``path`` as an existing model folder holding every file in ``required`` (relative paths,
    any ``a|b`` alternative), or a :class:`UsageError` naming the path and what is missing."""
    p = Path(path).expanduser()
    if not p.exists():
        raise UsageError(f"{engine} model folder {str(p)!r} does not exist")
    if not p.is_dir():
        raise UsageError(f"{engine} model {str(p)!r} is not a folder; give the {what} folder")
    for req in required:
        options = req.split("|")
        if not any((p / o).exists() for o in options):
            raise UsageError(
                f"{str(p)!r} is not a {what} folder (no {' or '.join(options)} in it)"
            )
    return p


def dist_version(package: str) -> str:
    """The installed version of ``package`` (part of an engine's identity), or ``"unknown"``."""
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"
