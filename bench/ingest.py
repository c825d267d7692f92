"""Ingest benchmark: a folder of generated clips added with 1 and 2 workers.

Reports wall time, CPU-seconds (this process's children: the ``rushes`` command and its worker
processes, ffprobe and exiftool), CPU-seconds per media-minute, and the ratio to a plain
single-thread ``ffmpeg -f null`` decode of the same files — the floor for any tool that looks
at every frame.

    .venv/bin/python bench/ingest.py [--clips 6] [--seconds 30] [--size 640x360]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out" / "ingest"
SOURCES = ["testsrc2", "smptehdbars", "mandelbrot", "rgbtestsrc", "yuvtestsrc", "testsrc"]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def make_clips(n: int, seconds: int, size: str) -> list[Path]:
    """Clips of three shots each (two hard cuts), H.264/AAC at 25 and 29.97 fps."""
    OUT.mkdir(parents=True, exist_ok=True)
    clips = []
    for i in range(n):
        rate = "25" if i % 2 == 0 else "30000/1001"
        path = OUT / f"clip{i:02d}_{seconds}s_{size}_{rate.replace('/', '-')}.mp4"
        clips.append(path)
        if path.exists():
            continue
        third = seconds / 3
        args: list[str] = []
        for k in range(3):
            src = SOURCES[(i + k) % len(SOURCES)]
            args += ["-f", "lavfi", "-t", f"{third}", "-i", f"{src}=size={size}:rate={rate}"]
        args += ["-f", "lavfi", "-t", str(seconds), "-i", "sine=frequency=300"]
        graph = "".join(f"[{k}:v]format=yuv420p,setsar=1[v{k}];" for k in range(3))
        graph += "[v0][v1][v2]concat=n=3:v=1:a=0[v]"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", *args, "-filter_complex", graph, "-map", "[v]",
             "-map", "3:a", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-r", rate, "-shortest", str(path)],
            check=True,
        )
    return clips


def plain_decode(clips: list[Path]) -> float:
    before = children_cpu()
    for clip in clips:
        subprocess.run(
            ["ffmpeg", "-v", "error", "-threads", "1", "-i", str(clip), "-f", "null", "-"],
            check=True,
        )
    return children_cpu() - before


def media_minutes(clips: list[Path]) -> float:
    total = 0.0
    for clip in clips:
        out = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
             str(clip)],
            check=True, capture_output=True, text=True,
        ).stdout
        total += float(out.strip())
    return total / 60


def ingest(clips: list[Path], workers: int) -> tuple[float, float]:
    rushes = [sys.executable, "-m", "rushes"]
    env = {**os.environ, "RUSHES_PROGRESS": "none"}
    with tempfile.TemporaryDirectory(prefix="rushes-bench-") as tmp:
        project = Path(tmp) / "project"
        subprocess.run([*rushes, "init", str(project)], check=True, env=env,
                       capture_output=True)
        before_cpu, before_wall = children_cpu(), time.perf_counter()
        subprocess.run(
            [*rushes, "--project", str(project), "add", str(OUT), "--workers", str(workers)],
            check=True, env=env, capture_output=True,
        )
        return time.perf_counter() - before_wall, children_cpu() - before_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--size", default="640x360")
    args = parser.parse_args()
    if shutil.which("ffmpeg") is None:
        sys.exit("bench: ffmpeg is not installed (scripts/setup.sh)")
    for stale in OUT.glob("*.mp4"):
        if f"_{args.seconds}s_{args.size}_" not in stale.name:
            stale.unlink()
    clips = make_clips(args.clips, args.seconds, args.size)
    minutes = media_minutes(clips)
    decode = plain_decode(clips)
    print(f"{len(clips)} clips, {minutes:.1f} media-minutes at {args.size}, {os.cpu_count()} cores")
    print(f"plain decode (ffmpeg -threads 1 -f null): {decode:.2f} CPU-s, "
          f"{decode / minutes:.2f} CPU-s per media-minute")
    print()
    print("| workers | wall s | CPU s | CPU-s per media-minute | × plain decode |")
    print("|---:|---:|---:|---:|---:|")
    for workers in (1, 2):
        wall, cpu = ingest(clips, workers)
        print(f"| {workers} | {wall:.2f} | {cpu:.2f} | {cpu / minutes:.2f} | {cpu / decode:.2f} |")


if __name__ == "__main__":
    main()
