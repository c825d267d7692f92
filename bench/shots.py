"""Shot-detection benchmark: rushes against PySceneDetect and a plain ffmpeg decode.

Usage::

    .venv/bin/python bench/shots.py [--quick] [--size WxH]

Builds clips with known transitions (bench/cases.py, into bench/out/), then on each clip measures
CPU seconds (user + system, all threads) of:

1. rushes: ``decode_into`` feeding the ``shots`` analyzer's sink (in this process, rusage deltas);
2. PySceneDetect: ``detect(path, AdaptiveDetector())`` with its defaults, in a child process that
   reports the CPU of the detection alone (not its interpreter start or imports);
3. ffmpeg: ``ffmpeg -threads 1 -i FILE -f null -`` (a plain single-thread decode; RUSAGE_CHILDREN).

Scoring: a detection matches a truth cut within ±2 frames, and a gradual truth transition
(dissolve, fade) when its frame lies within the transition's span ±2 frames; each truth matches at
most once; everything else, flashes included, is a false positive. F1 is over all transitions.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from cases import build, cases  # noqa: E402
from rushes.analyzers.shots import ShotsSink  # noqa: E402
from rushes.media.frames import VideoInfo, decode_into  # noqa: E402

#: Camera/edit-suite-like H.264: CABAC, B-frames, deblocking on (x264 defaults at 'veryfast').
ENCODE = ("-preset", "veryfast", "-crf", "18")

PYSCENEDETECT = """
import json, resource, sys
from scenedetect import AdaptiveDetector, detect
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
c0 = cpu()
scenes = detect(sys.argv[1], AdaptiveDetector())
used = cpu() - c0
print(json.dumps({"cpu": used, "cuts": [s[0].frame_num for s in scenes[1:]]}))
"""


def self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_rushes(path: Path, sensitivity: float = 1.0) -> tuple[float, list[dict[str, Any]]]:
    """CPU seconds of a shots pass through the same decode path the job runner uses."""

    def factory(info: VideoInfo) -> ShotsSink:
        return ShotsSink(info.rate, sensitivity)

    c0 = self_cpu()
    result = decode_into(path, [factory])[0]
    return self_cpu() - c0, result["transitions"]


def run_pyscenedetect(path: Path) -> tuple[float, list[int]]:
    proc = subprocess.run(
        [sys.executable, "-c", PYSCENEDETECT, str(path)], capture_output=True, text=True,
        check=True,
    )
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return float(out["cpu"]), [int(f) for f in out["cuts"]]


def run_ffmpeg(path: Path) -> float:
    c0 = children_cpu()
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-threads", "1",
         "-i", str(path), "-f", "null", "-"],
        check=True,
    )
    return children_cpu() - c0


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    kind_ok: int = 0
    flash_fp: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.kind_ok += other.kind_ok
        self.flash_fp += other.flash_fp
        self.misses += other.misses

    @property
    def f1(self) -> float:
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 1.0


def score(found: list[tuple[int, str]], truth: dict[str, Any], tolerance: int = 2) -> Score:
    """Match detections (frame, kind) to truth; ``kind`` is ``?`` for detectors without kinds."""
    result = Score()
    used: set[int] = set()
    for frame, kind in sorted(found):
        best: tuple[int, int] | None = None
        for i, t in enumerate(truth["transitions"]):
            if i in used:
                continue
            if t["kind"] == "cut":
                ok = abs(frame - t["frame"]) <= tolerance
            else:
                ok = t["start_frame"] - tolerance <= frame <= t["end_frame"] + tolerance
            if ok and (best is None or abs(frame - t["frame"]) < best[0]):
                best = (abs(frame - t["frame"]), i)
        if best is None:
            result.fp += 1
            if any(-tolerance <= frame - f <= 2 + tolerance for f in truth["flashes"]):
                result.flash_fp += 1
            result.misses.append(f"extra {kind}@{frame}")
            continue
        used.add(best[1])
        result.tp += 1
        if kind == truth["transitions"][best[1]]["kind"]:
            result.kind_ok += 1
        elif kind != "?":
            result.misses.append(f"{kind}@{frame} is {truth['transitions'][best[1]]['kind']}")
    for i, t in enumerate(truth["transitions"]):
        if i not in used:
            result.fn += 1
            result.misses.append(f"missed {t['kind']}@{t['frame']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter clips at 640x360")
    parser.add_argument("--size", help="frame size, default 1280x720 (640x360 with --quick)")
    parser.add_argument("--no-peer", action="store_true", help="skip PySceneDetect")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses per clip")
    args = parser.parse_args()
    size = args.size or ("640x360" if args.quick else "1280x720")
    out_dir = BENCH / "out"
    out_dir.mkdir(exist_ok=True)

    header = (f"{'clip':<22}{'frames':>7}{'truth':>6}{'F1 rushes':>10}{'kinds':>7}"
              f"{'F1 PySD':>9}{'CPU rushes':>11}{'CPU PySD':>10}{'CPU ffmpeg':>11}"
              f"{'rushes/ffmpeg':>14}{'rushes/PySD':>12}")
    print(f"size {size}; CPU in seconds (user+system)")
    print(header)
    total = {"rushes": 0.0, "pysd": 0.0, "ffmpeg": 0.0, "frames": 0.0}
    mine_all, peer_all = Score(), Score()
    for case in cases(args.quick):
        path, truth = build(case, out_dir, size, ENCODE)
        ff_cpu = run_ffmpeg(path)
        cpu, transitions = run_rushes(path)
        mine = score([(t["frame"], t["kind"]) for t in transitions], truth)
        if args.no_peer:
            peer_cpu, peer = float("nan"), Score()
        else:
            peer_cpu, cuts = run_pyscenedetect(path)
            peer = score([(f, "?") for f in cuts], truth)
        frames = int(truth["frames"])
        mine_all.add(mine)
        peer_all.add(peer)
        total["rushes"] += cpu
        total["pysd"] += peer_cpu
        total["ffmpeg"] += ff_cpu
        total["frames"] += frames
        print(f"{case.name:<22}{frames:>7}{len(truth['transitions']):>6}{mine.f1:>10.3f}"
              f"{mine.kind_ok:>4}/{mine.tp:<2}{peer.f1:>9.3f}{cpu:>11.2f}{peer_cpu:>10.2f}"
              f"{ff_cpu:>11.2f}{cpu / ff_cpu:>14.2f}{cpu / peer_cpu:>12.2f}")
        if args.verbose and (mine.misses or peer.misses):
            print(f"    rushes: {', '.join(mine.misses) or '-'}")
            print(f"    PySD:   {', '.join(peer.misses) or '-'}")
    print(f"{'TOTAL':<22}{round(total['frames']):>7}{mine_all.tp + mine_all.fn:>6}"
          f"{mine_all.f1:>10.3f}{mine_all.kind_ok:>4}/{mine_all.tp:<2}{peer_all.f1:>9.3f}"
          f"{total['rushes']:>11.2f}{total['pysd']:>10.2f}{total['ffmpeg']:>11.2f}"
          f"{total['rushes'] / total['ffmpeg']:>14.2f}{total['rushes'] / total['pysd']:>12.2f}")
    print(f"rushes: {mine_all.tp} found, {mine_all.fp} false ({mine_all.flash_fp} on flashes), "
          f"{mine_all.fn} missed; PySceneDetect: {peer_all.tp} found, {peer_all.fp} false "
          f"({peer_all.flash_fp} on flashes), {peer_all.fn} missed")


if __name__ == "__main__":
    main()
