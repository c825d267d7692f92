"""PocketSphinx: the engine that always works offline, with the English model in its wheel.

It is far less accurate than Whisper, but it needs nothing beyond ``pip install``, runs several
times faster than real time on one core, and its word times come straight from the decoder's
frame alignment (100 frames a second), so a found word lands within a frame or two of where it
was said. A user with a PocketSphinx model for another language points ``model_path`` at it.
"""

from __future__ import annotations

import importlib
import math
import warnings
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

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
from rushes.asr.vocabulary import espeak_pronunciations, is_latin, words_of
from rushes.errors import UsageError

#: Decoder frames per second (``-frate``, the default; 160-sample hop at 16 kHz).
FRAME_RATE = 100
#: The base of the language model's log probabilities (pocketsphinx's logmath default).
LOG_BASE = 1.0001
#: The language of the model inside the wheel.
BUILTIN_LANGUAGES = frozenset({"en"})
#: How much likelier than an average word of the language model a vocabulary word is made at
#: most (``ngram_model_add_word``'s weight: the word's probability is weight ÷ the model's
#: words; 1 in 70 or so here). Set on bench/vocabulary.py: names found 0/90 → 48/90 at 100, 54
#: at 1,000, 59 at 10,000, while the word error of speech without the names went 0.562 →
#: 0.569, 0.576, 0.587; 300 was worse on both than 1,000 (measured before words already as
#: likely were left out: since, 0.581 at 1,000).
VOCABULARY_WEIGHT = 1000.0
#: The most of the model's probability a whole vocabulary takes: a long list shares it, each
#: word weighing less. Left at 1,000 each, 1,000 invented names listed took 14 times the whole
#: model and made a fifth of the words written names nobody said. 0.25 keeps the 17 words of
#: bench/vocabulary.py at their full weight.
VOCABULARY_SHARE = 0.25
#: Marks a vocabulary word's own entry in the dictionary and language model: the plain
#: spelling may already be there, rare, and an entry's probability cannot be raised in place.
VOCABULARY_MARK = "#v"


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
    """``read(2)`` → ``read``: the suffix only names which dictionary pronunciation matched;
    ``harwick#v`` → ``harwick``: the mark only names a vocabulary entry. Lower case, as every
    word the model writes (a name in capitals among lower-case words would tell the reader
    which words came from the vocabulary, not which are names)."""
    if word.endswith(")") and "(" in word:
        word = word[: word.rindex("(")]
    return word.removesuffix(VOCABULARY_MARK)


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


def _variant(word: str, index: int) -> str:
    """The dictionary's name of ``word``'s pronunciation number ``index`` (from 0)."""
    return word if index == 0 else f"{word}({index + 1})"


class PocketsphinxEngine(Engine):
    """PocketSphinx 5 with the wheel's US English model, or the model folder given.

    Single-threaded by construction (the decoder has no threads), so one engine per worker
    process. Each :meth:`transcribe` call is one utterance: the caller's chunks are already cut
    at pauses, which is also where the decoder's language model expects sentence breaks.
    """

    name = "pocketsphinx"

    def __init__(
        self, model_path: Path | None = None, language: str = "en",
        vocabulary: tuple[str, ...] = (),
    ) -> None:
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
        if vocabulary:
            self.vocabulary_record = self._teach(words_of(vocabulary), builtin=model_path is None)

    def _teach(self, words: list[str], *, builtin: bool) -> dict[str, Any]:
        """Add each word to the dictionary and the language model under its own entry, with
        its dictionary pronunciations or, for a word the dictionary lacks, espeak-ng's; then
        decode with that model. Returns the record of it: how many words were taught, and
        those skipped.

        espeak-ng's pronunciations are ARPAbet, the phones of the wheel's model; a user's model
        may have others, and a word whose phones it lacks is left out rather than failing the
        whole transcription."""
        decoder = self._decoder
        prons: dict[str, list[str]] = {}
        for word in words:
            # Every pronunciation the dictionary has: word, word(2), word(3)…
            while (phones := decoder.lookup_word(_variant(word, len(prons.get(word, ()))))):
                prons.setdefault(word, []).append(phones)
        # Words outside the dictionary, in the Latin script the English model can say: from
        # espeak-ng. Others cannot be learnt (a name in Chinese characters, a word espeak-ng
        # gives no sound ARPAbet has) and are listed in the transcript's engine record.
        unknown = [w for w in words if w not in prons and (not builtin or is_latin(w))]
        prons.update((w, [" ".join(p)]) for w, p in espeak_pronunciations(unknown).items())
        skipped = [w for w in words if w not in prons]
        # The model in use, changed in place: decoding with it as a second search (add_lm,
        # activate_search) raised the word error of speech without any of the words from
        # 0.562 to 0.579 (bench/vocabulary.py), even with nothing added.
        lm = decoder.get_lm()
        # How many words the model holds, from the probability it gives a probe added at
        # weight 1 (1 ÷ that count): the probe has no pronunciation, so it is never heard.
        lm.add_word(VOCABULARY_MARK, 1.0)
        uniform = LOG_BASE ** lm.prob([VOCABULARY_MARK])
        weight = min(VOCABULARY_WEIGHT, VOCABULARY_SHARE / (uniform * max(1, len(prons))))
        boosted = math.log(weight * uniform) / math.log(LOG_BASE)
        taught = 0
        last: tuple[str, str] | None = None
        for word, phones_list in prons.items():
            if lm.prob([word]) >= boosted:
                continue  # as likely already ("the", "point"): an entry would change nothing
            entry = word + VOCABULARY_MARK
            # The language model first: adding to the dictionary adds to the model too, at
            # the weight of an average word, and a second add leaves that weight.
            lm.add_word(entry, weight)
            try:
                for i, phones in enumerate(phones_list):
                    decoder.add_word(_variant(entry, i), phones, False)
            except RuntimeError:
                if builtin:
                    raise
                skipped.append(word)  # a phone the user's model lacks
                continue
            taught += 1
            last = (_variant(entry, len(phones_list)), phones_list[-1])
        if last is not None:
            # The search takes in the new words only on an add that asks it to (asking on
            # every add rebuilt it each time: 0.13 s a word); the last pronunciation added
            # once more, as one more variant of its word, asks once.
            decoder.add_word(*last, True)
        return {"vocabulary_words": taught, "vocabulary_skipped": skipped}

    def _recognise(
        self, audio: Audio, offset: Fraction, length: Fraction
    ) -> list[RecognizedSegment]:
        decoder = self._decoder
        # A new stream resets the front end's noise estimate (remove_noise), which otherwise
        # carries from one utterance to the next: the same chunk then decoded differently after
        # another file, or after the chunk before it, so a resumed transcription differed from
        # an unbroken one. pocketsphinx 5 calls this deprecated and unnecessary; it is neither.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            decoder.start_stream()
        decoder.start_utt()
        try:
            # full_utt: the whole chunk at once, so cepstral mean is estimated over all of it
            decoder.process_raw(to_pcm16(audio), full_utt=True)
        finally:
            decoder.end_utt()  # never left mid-utterance: the next start_utt would fail
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

