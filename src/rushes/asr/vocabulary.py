"""A project's vocabulary: the names and words its speech engines must know.

Documentary speech is full of the words a general model knows least and an editor searches for
most: the subject's name, the village, the ship. PocketSphinx's English language model has no
"Harwick" at all, so it can never write it, and holds "Callum" so rarely that it writes
"Caitlin"; a word the engine never writes is a moment no search can find. The user lists the
terms once (the ``asr_vocabulary`` setting) and each engine uses them its own way:
PocketSphinx adds them to its dictionary and language model (:mod:`rushes.asr.pocketsphinx_engine`),
faster-whisper takes them as hotwords, and Vosk, whose compiled decoding graph cannot learn a
word, says so.

Pronunciations of words outside the dictionary come from espeak-ng (already a dependency for
speech in tests and the sample), as IPA mapped to the ARPAbet phones of the CMU models.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable

from rushes.domain.words import WORD_RE
from rushes.errors import UsageError

#: Most terms a vocabulary may hold, and the longest term: a list past these is a file pasted
#: by mistake, not names to listen for.
MAX_TERMS = 1000
MAX_TERM_CHARS = 100

_SEPARATORS = re.compile(r"[,;\n\r]+")
#: A word of a term: a word as search reads one (letters and digits), with inner apostrophes
#: (O'Hare); hyphens and spaces separate words, as the CMU dictionary spells them.
_WORD = re.compile(rf"{WORD_RE.pattern}(?:['’]{WORD_RE.pattern})*")


def parse_terms(text: str) -> tuple[str, ...]:
    """The terms of a vocabulary setting: separated by commas, semicolons or new lines, blanks
    squeezed, duplicates (ignoring case) dropped, in the order given."""
    out: list[str] = []
    seen: set[str] = set()
    for raw in _SEPARATORS.split(text):
        term = " ".join(raw.split())
        if not term or term.casefold() in seen:
            continue
        if len(term) > MAX_TERM_CHARS:
            raise ValueError(f"a term is longer than {MAX_TERM_CHARS} characters: {term[:40]!r}…")
        if not _WORD.search(term):
            raise ValueError(f"{term!r} has no letters or digits")
        seen.add(term.casefold())
        out.append(term)
    if len(out) > MAX_TERMS:
        raise ValueError(f"{len(out)} terms; at most {MAX_TERMS}")
    return tuple(out)


def setting_text(text: str) -> str:
    """The setting's stored form: its terms joined by ", " (so that the same list typed with
    other separators or spacing is the same job parameter, not a new transcription)."""
    return ", ".join(parse_terms(text))


def words_of(terms: Iterable[str]) -> list[str]:
    """The distinct words of ``terms``, lower case (as the CMU dictionary spells them), in
    order."""
    out: dict[str, None] = {}
    for term in terms:
        for match in _WORD.finditer(term):
            out.setdefault(match.group().replace("’", "'").lower())
    return list(out)


# --- pronunciations ---------------------------------------------------------------------------

#: espeak-ng's IPA (``--ipa``, American voice) → ARPAbet, the phone set of the CMU dictionary
#: and of PocketSphinx's English acoustic model. Longest symbols first; stress and length
#: marks carry no phone. Checked against the CMU dictionary (tests/asr/test_vocabulary.py).
_IPA_TO_ARPABET: dict[str, tuple[str, ...]] = {
    # An r-coloured vowel followed by espeak-ng's linking ɹ is one ER, as the dictionary has it.
    "ɜːɹ": ("ER",), "ɚɹ": ("ER",), "ɝɹ": ("ER",),
    "tʃ": ("CH",), "dʒ": ("JH",), "eɪ": ("EY",), "aɪ": ("AY",), "aʊ": ("AW",), "ɔɪ": ("OY",),
    "oʊ": ("OW",), "əʊ": ("OW",), "n̩": ("AH", "N"), "l̩": ("AH", "L"), "m̩": ("AH", "M"),
    "iː": ("IY",), "uː": ("UW",), "ɑː": ("AA",), "ɔː": ("AO",), "ɜː": ("ER",),
    "i": ("IY",), "ɪ": ("IH",), "ᵻ": ("IH",), "e": ("EH",), "ɛ": ("EH",), "æ": ("AE",),
    "a": ("AE",), "ɑ": ("AA",), "ɒ": ("AA",), "ɔ": ("AO",), "o": ("OW",), "ʊ": ("UH",),
    "u": ("UW",), "ʌ": ("AH",), "ə": ("AH",), "ɐ": ("AH",), "ɚ": ("ER",), "ɜ": ("ER",),
    "ɝ": ("ER",), "p": ("P",), "b": ("B",), "t": ("T",), "d": ("D",), "k": ("K",),
    "g": ("G",), "ɡ": ("G",), "f": ("F",), "v": ("V",), "θ": ("TH",), "ð": ("DH",),
    "s": ("S",), "z": ("Z",), "ʃ": ("SH",), "ʒ": ("ZH",), "h": ("HH",), "x": ("K",),
    "ç": ("HH",), "m": ("M",), "n": ("N",), "ŋ": ("NG",), "l": ("L",), "ɫ": ("L",),
    "ɹ": ("R",), "r": ("R",), "ɾ": ("T",), "ʔ": ("T",), "w": ("W",), "j": ("Y",),
    # Welsh "ll" (Llanelli, Machynlleth): no English phone; a fricative then the lateral.
    "ɬ": ("TH", "L"),
}
_LONGEST = max(map(len, _IPA_TO_ARPABET))
#: Marks that carry no phone: primary and secondary stress, length, syllable break, the
#: zero-width joiner espeak-ng puts inside some r-coloured vowels, and word spaces.
_SILENT = set("ˈˌːˑ.‍ -")


def ipa_to_arpabet(ipa: str) -> list[str]:
    """ARPAbet phones of one word's IPA; a symbol with no ARPAbet equivalent is a ValueError
    (a pronunciation missing a phone would teach the decoder a wrong word)."""
    phones: list[str] = []
    i = 0
    while i < len(ipa):
        if ipa[i] in _SILENT:
            i += 1
            continue
        for size in range(_LONGEST, 0, -1):
            found = _IPA_TO_ARPABET.get(ipa[i:i + size])
            if found is not None:
                phones.extend(found)
                i += size
                break
        else:
            raise ValueError(f"no ARPAbet phone for {ipa[i]!r} in {ipa!r}")
    return phones


def espeak_pronunciations(words: list[str], voice: str = "en-us") -> dict[str, list[str]]:
    """ARPAbet pronunciations of ``words`` from espeak-ng (one call for all of them); a word
    whose IPA holds a sound ARPAbet has not is left out."""
    if not words:
        return {}
    program = shutil.which("espeak-ng")
    if program is None:
        raise UsageError("espeak-ng is not installed (scripts/setup.sh installs it): it gives "
                         "the pronunciations of asr_vocabulary words the dictionary lacks")
    lines = _espeak_ipa(program, voice, words)
    if len(lines) != len(words):
        # Each word alone: espeak-ng read some line as more than one (or none).
        lines = [" ".join(_espeak_ipa(program, voice, [word])) for word in words]
    out: dict[str, list[str]] = {}
    for word, ipa in zip(words, lines, strict=True):
        try:
            phones = ipa_to_arpabet(ipa)
        except ValueError:
            continue
        if phones:  # espeak-ng said nothing for it (a lone ʻokina, an Arabic-Indic digit)
            out[word] = phones
    return out


def is_latin(word: str) -> bool:
    """Whether ``word`` is written in Latin letters and ASCII digits (and apostrophes): what an
    English model can learn. espeak-ng reads 北京 as "Chinese letter, Chinese letter"."""
    return all(
        ch in "'0123456789" or (ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN"))
        for ch in word
    )


def _espeak_ipa(program: str, voice: str, words: list[str]) -> list[str]:
    """espeak-ng's IPA of ``words``, one line each. Text from standard input without
    ``--stdin``: with it, espeak-ng joins the lines into one sentence."""
    done = subprocess.run(
        [program, "-q", "--ipa", "-v", voice],
        input="\n".join(words) + "\n", capture_output=True, text=True, check=False, timeout=60,
    )
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[0]
        raise UsageError(f"espeak-ng could not pronounce the vocabulary: {first}")
    return [line.strip() for line in done.stdout.splitlines() if line.strip()]
