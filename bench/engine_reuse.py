"""Engine reuse benchmark: many short clips transcribed one job after another, as a worker
does, with the engine loaded for every job (the peer: rushes before the engine was kept) and
with the engine kept between jobs (``rushes.asr.shared_engine``, what the transcript analyzer
uses now).

Usage::

    .venv/bin/python bench/engine_reuse.py [--clips 20] [--vocabulary]

The clips are bench/asr.py's nine sentences spoken by espeak-ng (``en-us``, 150 words a
minute), 3–5 s each, cycled. Each way runs in a fresh process and transcribes every clip with
``transcribe_file`` (decoding and conditioning included, as a job does); the words must come
out the same both ways. With ``--vocabulary`` the engine is also taught bench/vocabulary.py's
names, which every job had to teach again before.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.asr import OUT, PARAGRAPHS, cpu_seconds  # noqa: E402
from bench.vocabulary import NAMES  # noqa: E402
from tests.asr.speech import espeak, write_wav  # noqa: E402

from rushes.asr import get_engine, shared_engine, transcribe_file  # noqa: E402
from rushes.asr.vocabulary import parse_terms  # noqa: E402


def clips(n: int) -> list[Path]:
    sentences = [s.strip() + "." for p in PARAGRAPHS for s in p.split(".") if s.strip()]
    OUT.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, sentence in enumerate(sentences):
        path = OUT / f"reuse-{i}.wav"
        if not path.exists():
            audio, rate = espeak(sentence, voice="en-us", speed=150)
            write_wav(path, audio, rate)
        paths.append(path)
    return [paths[i % len(paths)] for i in range(n)]


def run(way: str, n: int, vocabulary: bool) -> dict[str, object]:
    """One way, in this process: every clip as a job would transcribe it."""
    terms = parse_terms(NAMES) if vocabulary else ()
    words: list[list[str]] = []
    audio_seconds = 0.0
    c0, t0 = cpu_seconds(), time.perf_counter()
    for path in clips(n):
        if way == "load every job":
            engine = get_engine("pocketsphinx", vocabulary=terms)
        else:
            engine = shared_engine("pocketsphinx", vocabulary=terms)
        found = []
        for chunk, segments in transcribe_file(engine, path):
            audio_seconds += float(chunk.end - chunk.start)
            found += [w.text for s in segments for w in s.words]
        words.append(found)
    return {"way": way, "wall": time.perf_counter() - t0, "cpu": cpu_seconds() - c0,
            "audio": audio_seconds, "words": words}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=20)
    parser.add_argument("--vocabulary", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run(args.one, args.clips, args.vocabulary)))
        return
    clips(args.clips)  # made once, before either way is timed
    rows = []
    for way in ("load every job", "kept"):
        cmd = [sys.executable, __file__, "--one", way, "--clips", str(args.clips)]
        if args.vocabulary:
            cmd.append("--vocabulary")
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    assert rows[0]["words"] == rows[1]["words"], "a kept engine wrote other words"
    audio = float(rows[0]["audio"])  # type: ignore[arg-type]
    label = " with the vocabulary" if args.vocabulary else ""
    print(f"pocketsphinx{label}: {args.clips} clips, {audio:.1f} s of speech\n")
    print("| engine | wall s | CPU s | CPU s per clip | RTF (CPU) |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        cpu = float(row["cpu"])  # type: ignore[arg-type]
        print(f"| {row['way']} | {float(row['wall']):.2f} | {cpu:.2f} | "  # type: ignore[arg-type]
              f"{cpu / args.clips:.3f} | {cpu / audio:.3f} |")
    ratio = float(rows[0]["cpu"]) / float(rows[1]["cpu"])  # type: ignore[arg-type]
    print(f"\nkept ÷ load every job: {ratio:.2f}× less CPU; the same words both ways")


if __name__ == "__main__":
    main()
