"""Vocabulary benchmark: does listing a film's names make pocketsphinx write them, and what does
it cost the words around them?

Usage::

    .venv/bin/python bench/vocabulary.py [--voices en-us,en,en-gb-x-rp] [--speeds 130,175]
                                         [--jobs N]

Three paragraphs full of a documentary's names (people, a lighthouse, islands, a firm; some in
the CMU dictionary, some not, some in it but rare in the language model) are spoken by espeak-ng
in each voice and speed, and recognised by pocketsphinx (the default ``full`` conditioning) with
no vocabulary and with :data:`NAMES` as ``asr_vocabulary``: the peer is the same engine without
it. Measured: the word error rate (WER) over all words; *names found*: the share of the names'
words in the reference that the alignment matches exactly; and, to see what the boost costs
elsewhere, the WER of bench/asr.py's three paragraphs without names, recognised with the same
vocabulary. RTF is the recogniser's CPU seconds per second of audio; *load* is the engine's
start-up, which with a vocabulary includes one espeak-ng call for the words the dictionary
lacks.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.asr import OUT, PARAGRAPHS, cpu_seconds  # noqa: E402
from tests.asr.speech import espeak, write_wav  # noqa: E402

from rushes.asr import decode_audio, get_engine, pocketsphinx_engine  # noqa: E402
from rushes.asr.metrics import align, normalize_words  # noqa: E402
from rushes.asr.vocabulary import parse_terms, words_of  # noqa: E402

NAMED = [
    "Ellen Marsh kept the light at Harwick Point for forty one years. "
    "Her father Angus Marsh kept it before her, and his mother Morag before him.",
    "Callum Reid runs the ferry from Tobermory to the island of Coll. "
    "In winter the Minch is too rough for the small boats.",
    "The lens was made by Chance Brothers in Smethwick. "
    "Siobhan Mackinnon cleaned the brass with Ellen every spring.",
]
NAMES = ("Ellen Marsh, Harwick Point, Angus Marsh, Morag, Callum Reid, Tobermory, Coll, "
         "the Minch, Chance Brothers, Smethwick, Siobhan Mackinnon")
#: Words of the names that are ordinary English: not counted as names found.
COMMON = {"point", "the", "chance", "brothers"}


@dataclass(frozen=True)
class Row:
    voice: str
    speed: int
    text: str  # named | plain
    vocabulary: bool
    audio_seconds: float
    load_seconds: float
    cpu: float
    errors: int
    ref_words: int
    names_found: int
    names: int


def make(voice: str, speed: int, text: str, paragraphs: list[str]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"vocabulary-{text}-{voice}-{speed}.wav"
    if not path.exists():
        audio, rate = espeak(" ".join(paragraphs), voice=voice, speed=speed)
        write_wav(path, audio, rate)
    return path


def invented(n: int) -> list[str]:
    """``n`` made-up names (seeded), to list beside the real ones: what a long list costs."""
    rng = random.Random(3)
    syllables = ["ka", "lo", "mi", "ru", "zen", "tor", "vash", "quil", "dre", "bo", "nel", "fi"]
    out: dict[str, None] = {}
    while len(out) < n:
        out.setdefault("".join(rng.choice(syllables) for _ in range(3)).capitalize())
    return list(out)


def run(voice: str, speed: int, text: str, vocabulary: bool, path: Path, reference: str,
        extra: int = 0) -> Row:
    t0 = time.perf_counter()
    terms = (*parse_terms(NAMES), *invented(extra)) if vocabulary else ()
    engine = get_engine("pocketsphinx", None, "en", vocabulary=terms)
    load = time.perf_counter() - t0
    audio = decode_audio(path)
    c0 = cpu_seconds()
    segments = engine.transcribe(audio, Fraction(0))
    cpu = cpu_seconds() - c0
    hyp = [p for s in segments for w in s.words for p in normalize_words(w.text)]
    ref = normalize_words(reference)
    alignment = align(ref, hyp)
    names = set(words_of(parse_terms(NAMES))) - COMMON
    named = [i for i, w in enumerate(ref) if w in names]
    matched = {i for i, _ in alignment.matches}
    return Row(voice, speed, text, vocabulary, len(audio) / 16000, load, cpu, alignment.errors,
               len(ref), sum(i in matched for i in named), len(named))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--voices", default="en-us,en,en-gb-x-rp")
    ap.add_argument("--speeds", default="130,175")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--extra", type=int, default=0,
                    help="also list this many invented names (the cost of a long list)")
    ap.add_argument("--weight", type=float, default=pocketsphinx_engine.VOCABULARY_WEIGHT,
                    help="the vocabulary words' language-model weight (to tune the default)")
    args = ap.parse_args()
    # Worker processes are forked from this one, and see the weight set here.
    pocketsphinx_engine.VOCABULARY_WEIGHT = args.weight
    print(f"vocabulary weight {args.weight:g} at most, {args.extra} invented names too\n")
    work = []
    for voice in args.voices.split(","):
        for speed in map(int, args.speeds.split(",")):
            for text, paragraphs in (("named", NAMED), ("plain", PARAGRAPHS)):
                path = make(voice, speed, text, paragraphs)
                for vocabulary in (False, True):
                    work.append((voice, speed, text, vocabulary, path, " ".join(paragraphs),
                                 args.extra))
    with ProcessPoolExecutor(max(1, args.jobs)) as pool:
        rows = [f.result() for f in [pool.submit(run, *w) for w in work]]

    print("| voice | speed | text | vocabulary | WER | names found | RTF | load s |")
    print("|---|---:|---|---|---:|---:|---:|---:|")
    for r in rows:
        found = f"{r.names_found}/{r.names}" if r.text == "named" else "–"
        print(f"| {r.voice} | {r.speed} | {r.text} | {'yes' if r.vocabulary else 'no'} "
              f"| {r.errors / r.ref_words:.3f} | {found} | {r.cpu / r.audio_seconds:.3f} "
              f"| {r.load_seconds:.2f} |")
    print("\nPooled over voices and speeds:\n")
    print("| text | vocabulary | WER | names found | RTF |")
    print("|---|---|---:|---:|---:|")
    for text in ("named", "plain"):
        for vocabulary in (False, True):
            sel = [r for r in rows if r.text == text and r.vocabulary == vocabulary]
            wer = sum(r.errors for r in sel) / sum(r.ref_words for r in sel)
            rtf = sum(r.cpu for r in sel) / sum(r.audio_seconds for r in sel)
            found = (f"{sum(r.names_found for r in sel)}/{sum(r.names for r in sel)}"
                     if text == "named" else "–")
            print(f"| {text} | {'yes' if vocabulary else 'no'} | {wer:.3f} | {found} "
                  f"| {rtf:.3f} |")


if __name__ == "__main__":
    main()
