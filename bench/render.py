"""Review-render benchmark: a 20-item cut rendered, against plainly decoding what it uses.

Generates four 640x360 H.264/AAC sources (testsrc2, smptehdbars, mandelbrot, rgbtestsrc with a
tone; 25 and 29.97 fps; embedded timecode through ``ffmpeg -timecode``), builds a 25 fps cut of
16 clip ranges (2-6 s each, drawn with a fixed seed), two title cards, a still and a voice-over
slate, and renders it with :func:`rushes.edit.render.render_review`. Its CPU (user+system
seconds of the ffmpeg children, from ``RUSAGE_CHILDREN``) is compared with the sum of a plain
decode of each used range (``ffmpeg -ss IN -i FILE -t DUR -f null -``): the least any tool that
shows those frames must spend.

    .venv/bin/python bench/render.py [--seconds 60] [--size 640x360] [--height 360] [--jobs 1 2]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

from rushes.domain.timecode import Timecode
from rushes.edit.render import render_review
from rushes.edit.timeline import Event, Source, Timeline, conform_frames

OUT = Path(__file__).resolve().parent / "out" / "render"
#: (picture, rate, start timecode, tone Hz)
SOURCES = [
    ("testsrc2", "25", "10:00:00:00", 300),
    ("smptehdbars", "30000/1001", "11:00:00;00", 400),
    ("mandelbrot", "25", "12:00:00:00", 500),
    ("rgbtestsrc", "30000/1001", "13:00:00;00", 600),
]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def make_sources(seconds: int, size: str) -> list[Source]:
    """The four sources, generated once into bench/out/render/ (x264 veryfast, like cameras'
    long-GOP files: a seek lands up to one GOP before the in point)."""
    OUT.mkdir(parents=True, exist_ok=True)
    sources = []
    for picture, rate_text, start, tone in SOURCES:
        rate = Fraction(rate_text)
        path = OUT / f"{picture}_{seconds}s_{size}_{rate_text.replace('/', '-')}.mp4"
        if not path.exists():
            subprocess.run(
                ["ffmpeg", "-v", "error", "-y",
                 "-f", "lavfi", "-t", str(seconds), "-i", f"{picture}=size={size}:rate={rate_text}",
                 "-f", "lavfi", "-t", str(seconds),
                 "-i", f"sine=frequency={tone}:sample_rate=48000",
                 "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "50",
                 "-c:a", "aac", "-timecode", start, "-shortest", str(path)],
                check=True,
            )
        width, height = (int(x) for x in size.split("x"))
        sources.append(Source(
            asset_id=path.stem, path=str(path), name=path.name, reel=picture[:8].upper(),
            kind="video", rate=rate, start=Timecode.parse(start, rate),
            duration_frames=int(seconds * rate), width=width, height=height, has_audio=True,
        ))
    return sources


def make_still() -> Source:
    path = OUT / "still.png"
    if not path.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "smptebars=size=1024x768", "-frames:v", "1", "-update", "1", str(path)],
                       check=True)
    rate = Fraction(25)
    return Source(asset_id="still", path=str(path), name=path.name, reel="STILL", kind="image",
                  rate=rate, start=Timecode(0, rate), has_video=True)


def make_cut(sources: list[Source], seconds: int) -> Timeline:
    """16 clip ranges of 2-6 s at random points, two titles, a still and a voice-over slate."""
    rng = random.Random(20240611)
    rate = Fraction(25)
    events: list[Event] = []
    record = 0

    def add(event: Event) -> None:
        nonlocal record
        events.append(event)
        record += event.duration

    still = make_still()
    add(Event("title", record, 75, text="The Flood\nreview cut"))
    for k in range(16):
        if k == 8:
            add(Event("still", record, 100, still, label="The farm, 1962"))
            add(Event("voiceover", record, 125, text="The river rose four metres in one night "
                      "and took the bridge with it."))
        src = sources[k % len(sources)]
        length = int(rng.uniform(2, 6) * src.rate)
        start = rng.randrange(0, int((seconds - 7) * src.rate))
        add(Event("clip", record, conform_frames(length, src.rate, rate), src, start,
                  start + length, label=f"shot {k + 1}"))
    add(Event("title", record, 50, text="End"))
    return Timeline("bench", rate, Timecode.parse("01:00:00:00", rate), tuple(events))


def plain_decode(timeline: Timeline, threads: str | None) -> float:
    """CPU of decoding exactly the clips' used ranges, one ffmpeg per range."""
    before = children_cpu()
    for event in timeline.events:
        if event.kind != "clip" or event.source is None:
            continue
        src = event.source
        extra = ["-threads", threads] if threads else []
        subprocess.run(
            ["ffmpeg", "-v", "error", *extra, "-ss", f"{float(event.source_in / src.rate):.6f}",
             "-i", src.path, "-t", f"{float(event.source_frames / src.rate):.6f}",
             "-f", "null", "-"],
            check=True,
        )
    return children_cpu() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--height", type=int, default=360)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if shutil.which("ffmpeg") is None:
        sys.exit("bench: ffmpeg is not installed (scripts/setup.sh)")
    sources = make_sources(args.seconds, args.size)
    cut = make_cut(sources, args.seconds)
    clips = [e for e in cut.events if e.kind == "clip"]
    used = sum(float(e.source_frames / e.source.rate) for e in clips if e.source is not None)
    print(f"{len(cut.events)} items ({len(clips)} clips, {used:.1f} s of source used), "
          f"running time {float(cut.seconds(cut.duration)):.1f} s, sources {args.size}, "
          f"review height {args.height}")
    decode = plain_decode(cut, None)
    decode_1 = plain_decode(cut, "1")
    print(f"plain decode of the used ranges: {decode:.2f} CPU-s "
          f"({decode_1:.2f} with -threads 1)")
    print()
    print("| jobs | wall s | CPU s | × plain decode | × plain decode -threads 1 | output s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for jobs in args.jobs:
        out = OUT / f"review-{jobs}.mp4"
        stats = render_review(cut, out, height=args.height, jobs=jobs)
        print(f"| {jobs} | {stats.wall_seconds:.2f} | {stats.cpu_seconds:.2f} | "
              f"{stats.cpu_seconds / decode:.2f} | {stats.cpu_seconds / decode_1:.2f} | "
              f"{stats.output_duration:.3f} |")


if __name__ == "__main__":
    main()
