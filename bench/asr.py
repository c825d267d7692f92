"""Speech-to-text benchmark: accuracy, word timing and speed of each engine, with and without
audio conditioning, on espeak-ng speech of known text.

Usage::

    .venv/bin/python bench/asr.py [--quick] [--voices en-us,en,en-gb-x-rp] [--speeds 130,175]
                                  [--whisper-model DIR] [--vosk-model DIR] [--jobs N]

Two kinds of audio per voice and speed, written to bench/out/asr/:

* ``continuous``: the paragraphs spoken by espeak-ng in one go (natural prosody; WER only);
* ``words``: each word spoken alone, trimmed, and joined with 0.12 s gaps and 0.6 s pauses
  between sentences (tests/asr/speech.py), so every word's true start is exact; the timing
  error is |recognised start − true start| over recognised words matched to reference words by
  the WER alignment (exact matches only); bias is the median signed error (negative:
  recognised early).

Silence in both is digital (exact zeros), as espeak-ng writes it. Conditions (see
rushes.asr.audio): ``off`` (ffmpeg's default resampler, nothing else), ``soxr`` (the soxr
resampler only), ``+norm`` (soxr and peak normalisation), ``+dither`` (soxr and a −60 dBFS
noise floor), ``full`` (all three: the default). RTF is the recogniser's CPU seconds (user +
system, in this process, decode excluded) per second of audio; pocketsphinx and vosk are
single-threaded, faster-whisper runs with one thread.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.asr.speech import TrueWord, concatenated_speech, espeak, write_wav  # noqa: E402

from rushes.asr import Conditioning, Engine, decode_audio, get_engine  # noqa: E402
from rushes.asr.metrics import align, normalize_words  # noqa: E402

OUT = ROOT / "bench" / "out" / "asr"

#: Three paragraphs of plain documentary-ish English, without digits (spelled numbers would be
#: scored against the engine's own spelling) and with spellings that agree in US dictionaries.
PARAGRAPHS = [
    "The old lighthouse keeper walked down to the harbor every morning. "
    "He counted the boats and wrote their names in a small book. "
    "Nobody asked him to do it, but he kept the book for forty years.",
    "When the factory closed, half of the town lost their jobs in a single week. "
    "Families moved away to find work in the city. "
    "The school was too big for the children who were left.",
    "We spent the summer reading letters that had never been sent. "
    "Most of them were written at night, by a woman who could not sleep. "
    "She wanted her sister to know that she was sorry.",
]

CONDITIONS: dict[str, Conditioning] = {
    "off": Conditioning.off(),
    "soxr": Conditioning(normalize=False, dither_db=None),
    "+norm": Conditioning(dither_db=None),
    "+dither": Conditioning(normalize=False),
    "full": Conditioning(),
}


@dataclass(frozen=True)
class Case:
    engine: str
    model: str | None
    voice: str
    speed: int
    kind: str  # continuous | words
    condition: str


@dataclass(frozen=True)
class Row:
    case: Case
    audio_seconds: float
    cpu: float
    wer: float
    ref_words: int
    #: signed: recognised start − true start, per matched word
    start_errors_ms: list[float]


def sentences(paragraphs: list[str]) -> list[str]:
    return [s.strip() + "." for p in paragraphs for s in p.split(".") if s.strip()]


def make_audio(
    voice: str, speed: int, paragraphs: list[str]
) -> dict[str, tuple[Path, list[TrueWord] | None]]:
    """The two WAVs for one voice and speed (cached in bench/out/asr/ by name)."""
    OUT.mkdir(parents=True, exist_ok=True)
    tag = f"{voice}-{speed}-{len(paragraphs)}p"
    cont = OUT / f"continuous-{tag}.wav"
    if not cont.exists():
        audio, rate = espeak(" ".join(paragraphs), voice=voice, speed=speed)
        write_wav(cont, audio, rate)
    words = OUT / f"words-{tag}.wav"
    truth = concatenated_speech(words, sentences(paragraphs), voice=voice, speed=speed)
    return {"continuous": (cont, None), "words": (words, truth)}


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


_ENGINES: dict[tuple[str, str | None], Engine] = {}


def run_case(case: Case, path: Path, truth: list[TrueWord] | None, reference: str) -> Row:
    """Transcribe one file under one condition, in whichever process runs it."""
    key = (case.engine, case.model)
    if key not in _ENGINES:
        _ENGINES[key] = get_engine(case.engine, case.model, "en")
    engine = _ENGINES[key]
    audio = decode_audio(path, conditioning=CONDITIONS[case.condition])
    c0 = cpu_seconds()
    segments = engine.transcribe(audio, Fraction(0))
    cpu = cpu_seconds() - c0
    hyp_words = [w for s in segments for w in s.words]
    hyp_norm: list[str] = []
    hyp_starts: list[Fraction] = []
    for w in hyp_words:
        for part in normalize_words(w.text):  # whisper's "harbor." → "harbor"
            hyp_norm.append(part)
            hyp_starts.append(w.start)
    ref = normalize_words(reference)
    alignment = align(ref, hyp_norm)
    errors: list[float] = []
    if truth is not None:
        assert [t.text for t in truth] == ref, "truth words differ from the reference text"
        errors = [float(hyp_starts[j] - truth[i].start) * 1000 for i, j in alignment.matches]
    return Row(case, len(audio) / 16000, cpu, alignment.wer, len(ref), errors)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def fmt_timing(signed: list[float]) -> tuple[str, str, str, str]:
    """(median |error|, p90 |error|, median signed error, count) as table cells."""
    if not signed:
        return "–", "–", "–", "–"
    errors = [abs(e) for e in signed]
    return (f"{statistics.median(errors):.0f}", f"{percentile(errors, 0.9):.0f}",
            f"{statistics.median(signed):+.0f}", str(len(errors)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--voices", default="en-us,en,en-gb-x-rp")
    ap.add_argument("--speeds", default="130,175")
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--whisper-model", type=Path)
    ap.add_argument("--vosk-model", type=Path)
    ap.add_argument("--quick", action="store_true", help="one paragraph, voice en-us, speed 150")
    ap.add_argument("--jobs", type=int, default=1, help="parallel processes (CPU stays per case)")
    args = ap.parse_args()

    paragraphs = PARAGRAPHS[:1] if args.quick else PARAGRAPHS
    voices = ["en-us"] if args.quick else args.voices.split(",")
    speeds = [150] if args.quick else [int(s) for s in args.speeds.split(",")]
    conditions = args.conditions.split(",")
    engines: list[tuple[str, str | None]] = [("pocketsphinx", None)]
    if args.whisper_model:
        engines.append(("faster-whisper", str(args.whisper_model)))
    if args.vosk_model:
        engines.append(("vosk", str(args.vosk_model)))
    reference = " ".join(paragraphs)

    t0 = time.monotonic()
    work = []
    for voice in voices:
        for speed in speeds:
            for kind, (path, truth) in make_audio(voice, speed, paragraphs).items():
                for engine, model in engines:
                    for cond in conditions:
                        work.append((Case(engine, model, voice, speed, kind, cond), path, truth))
    print(f"{len(work)} runs; audio in {OUT.relative_to(ROOT)}", file=sys.stderr)
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_case, c, p, t, reference) for c, p, t in work]
            rows = [f.result() for f in futures]
    else:
        rows = [run_case(c, p, t, reference) for c, p, t in work]

    print(f"{len(normalize_words(reference))} reference words per file; "
          f"{time.monotonic() - t0:.0f} s wall\n")
    print("| engine | voice | speed | audio | condition | audio s | RTF | WER "
          "| start err median ms | p90 ms | bias ms | matched |")
    print("|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        c = r.case
        med, p90, bias, n = fmt_timing(r.start_errors_ms)
        print(f"| {c.engine} | {c.voice} | {c.speed} | {c.kind} | {c.condition} "
              f"| {r.audio_seconds:.1f} | {r.cpu / r.audio_seconds:.3f} | {r.wer:.3f} "
              f"| {med} | {p90} | {bias} | {n} |")

    print("\nSummary over voices and speeds (WER: all reference words pooled; timing: all "
          "matched words pooled)\n")
    print("| engine | audio | condition | WER | RTF | start err median ms | p90 ms | bias ms "
          "| matched |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for engine, _model in engines:
        for kind in ("continuous", "words"):
            for cond in conditions:
                sel = [r for r in rows if r.case.engine == engine and r.case.kind == kind
                       and r.case.condition == cond]
                if not sel:
                    continue
                wer = sum(r.wer * r.ref_words for r in sel) / sum(r.ref_words for r in sel)
                rtf = sum(r.cpu for r in sel) / sum(r.audio_seconds for r in sel)
                med, p90, bias, n = fmt_timing([e for r in sel for e in r.start_errors_ms])
                print(f"| {engine} | {kind} | {cond} | {wer:.3f} | {rtf:.3f} | {med} | {p90} "
                      f"| {bias} | {n} |")


if __name__ == "__main__":
    main()
