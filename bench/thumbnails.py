"""Thumbnails benchmark: the thumbnails analyzer run alone against ffmpeg seeking per frame.

Usage::

    .venv/bin/python bench/thumbnails.py [--minutes 10] [--size 1280x720]

Thumbnails share the shots analyzer's every-frame decode during ingest, so they cost nothing
extra there. They run alone when a job is resumed or a thumbnail setting changes, and then the
pass seeks to the frames it wants. On one clip per GOP length (1 s and 10 s key-frame spacing,
H.264 like a camera's; 13 s longer than the minutes asked for, so that the poster and filmstrip
times fall between key frames), this measures wall seconds of:

1. rushes: ``thumbnails`` run alone (poster + 10-frame filmstrip, scaled and written as JPEG);
2. ffmpeg: one ``ffmpeg -ss T -i FILE -frames:v 1 -vf scale=W:-2 OUT.jpg`` per picture (11),
   the way most asset managers make a filmstrip;
3. for scale, the every-frame pass that ingest shares with shots (thumbnails' sink alone).

Both make the same pictures at the same times; the ratio printed is ffmpeg ÷ rushes.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from fractions import Fraction
from pathlib import Path

BENCH = Path(__file__).resolve().parent

from rushes.analyzers import get_analyzer  # noqa: E402
from rushes.analyzers.base import AnalysisContext, AssetView, FrameAnalyzer  # noqa: E402
from rushes.config import load_settings  # noqa: E402
from rushes.media.frames import decode_into  # noqa: E402

OUT = BENCH / "out" / "thumbnails"


def clip(minutes: float, size: str, gop: int) -> Path:
    path = OUT / f"clip-{size}-{minutes:g}m13s-g{gop}.mp4"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "lavfi",
             "-i", f"testsrc2=size={size}:rate=25:duration={minutes * 60 + 13:g}",
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-g", str(gop),
             "-pix_fmt", "yuv420p", str(path)],
            check=True,
        )
    return path


def context(path: Path, out: Path) -> AnalysisContext:
    return AnalysisContext(
        asset=AssetView(id="bench", kind="video", format="mp4", path=path),
        settings=load_settings(environ={}), params={}, output_dir=out,
    )


def timed_rushes(path: Path) -> tuple[float, dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        out = get_analyzer("thumbnails").run(context(path, Path(tmp)))
        return time.perf_counter() - t, out


def timed_every_frame(path: Path) -> float:
    analyzer = get_analyzer("thumbnails")
    assert isinstance(analyzer, FrameAnalyzer)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = context(path, Path(tmp))
        t = time.perf_counter()
        decode_into(path, [lambda info: analyzer.open_sink(ctx, info)])
        return time.perf_counter() - t


def timed_ffmpeg(path: Path, times: list[Fraction], width: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        for i, at in enumerate(times):
            subprocess.run(
                ["ffmpeg", "-v", "error", "-y", "-ss", f"{float(at):.3f}", "-i", str(path),
                 "-frames:v", "1", "-vf", f"scale={width}:-2", f"{tmp}/{i}.jpg"],
                check=True,
            )
        return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--every-frame", action="store_true",
                        help="also time the every-frame pass (as long as decoding the clip)")
    args = parser.parse_args()
    print(f"{args.minutes:g}-minute (+13 s) H.264 clips at {args.size}, 25 fps; "
          "wall seconds, best of 3\n")
    print("| key frames | rushes alone | ffmpeg -ss ×11 | ÷ rushes | every-frame pass |")
    print("|---|---:|---:|---:|---:|")
    for gop in (25, 250):
        path = clip(args.minutes, args.size, gop)
        runs = [timed_rushes(path) for _ in range(3)]
        ours, out = min(r[0] for r in runs), runs[0][1]
        times = [Fraction(str(out["poster_time"]))]
        times += [Fraction(str(t)) for t in out["filmstrip_times"]]  # type: ignore[attr-defined]
        theirs = min(timed_ffmpeg(path, times, 160) for _ in range(3))
        every = f"{timed_every_frame(path):.1f}" if args.every_frame else "–"
        print(f"| every {gop / 25:g} s | {ours:.2f} | {theirs:.2f} | {theirs / ours:.1f}× "
              f"| {every} |")


if __name__ == "__main__":
    main()
