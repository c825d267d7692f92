"""Benchmark clips for shot detection, with ground truth known from how they are built.

Each clip is made by ffmpeg from synthetic sources (nothing is downloaded) through the same
generator the tests use, :func:`tests.mediagen.video_transitions`, but at a realistic size and
length and encoded like camera or edit-suite material (x264 with CABAC, B-frames and the
deblocking filter on), since decode cost, which the benchmark compares against, depends on it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from mediagen import video_transitions  # noqa: E402

LIFE = "life=mold=10:ratio=0.3:death_color=#C83232:life_color=#00ff00"

#: Detailed pictures moving fast: scrolling by 2–6 % of the width per frame, and spinning.
FAST = (
    "testsrc2|scroll=h=0.045:v=0.01",
    "smptehdbars|scroll=h=-0.03",
    "cellauto=rule=110|scroll=h=0.06",
    "mandelbrot|rotate=a=t*2.5:fillcolor=gray",
    "testsrc2|rotate=a=-t*3:fillcolor=black,scroll=v=0.02",
    f"{LIFE}|scroll=h=0.05:v=0.05",
)

#: Calmer shots, some of them the same source seen differently (harder cuts).
CALM = (
    "testsrc2",
    "smptehdbars",
    "mandelbrot",
    "rgbtestsrc",
    "cellauto=rule=110",
    LIFE,
    "yuvtestsrc",
    "testsrc2|hflip,hue=h=120",
    "smptebars",
    "gradients=speed=0.02",
)


@dataclass(frozen=True)
class Case:
    """One clip to build: shots (source, seconds), joins between them, and the shots (by index)
    that get a two-frame white flash, placed 40 % into the part of the shot no transition
    touches."""

    name: str
    rate: str
    shots: tuple[tuple[str, float], ...]
    joins: tuple[str, ...]
    flashes: tuple[int, ...] = ()


def _mixed(rate: str, quick: bool) -> Case:
    """Cuts, one-second dissolves, both kinds of fade through black, and flashes inside shots."""
    joins = ("cut", "dissolve", "cut", "fadeblack", "cut", "dip", "dissolve", "cut", "cut",
             "dissolve", "fadeblack", "cut", "dip", "cut")
    n = 7 if quick else len(joins) + 1
    lengths = (3.2, 4.0, 2.6, 3.6, 2.2, 4.4, 3.0, 2.8, 1.6, 3.4, 3.8, 2.4, 3.0, 2.0, 3.5)
    shots = tuple((CALM[i % len(CALM)], lengths[i]) for i in range(n))
    flashes = (0, 3, 7, 12) if not quick else (0, 3)
    return Case(f"mixed-{_rate_name(rate)}", rate, shots, joins[: n - 1], flashes)


def _motion(rate: str, quick: bool) -> Case:
    """Fast scrolls and spins (false cuts bait) joined by cuts and dissolves, with flashes."""
    joins = ("cut", "dissolve", "cut", "cut", "dissolve", "cut", "fadeblack", "cut")
    n = 5 if quick else len(joins) + 1
    lengths = (3.0, 3.6, 2.4, 3.2, 4.0, 2.8, 3.4, 2.6, 3.0)
    shots = tuple(
        ((FAST if i % 3 != 2 else CALM)[i % 6], lengths[i]) for i in range(n)
    )
    flashes = (1, 4) if not quick else (1,)
    return Case(f"motion-{_rate_name(rate)}", rate, shots, joins[: n - 1], flashes)


def _rate_name(rate: str) -> str:
    return f"{float(Fraction(rate)):.2f}".rstrip("0").rstrip(".")


def cases(quick: bool = False) -> list[Case]:
    rates = ("24", "25", "30000/1001")
    return [make(rate, quick) for rate in rates for make in (_mixed, _motion)]


def path_for(case: Case, out_dir: Path, size: str) -> Path:
    return out_dir / f"{case.name}-{size}.mp4"


def build(case: Case, out_dir: Path, size: str, encode: tuple[str, ...]) -> tuple[Path, Any]:
    """Make the clip (or reuse one built with the same recipe) and return it with its truth.

    Truth: ``{"transitions": [...], "flashes": [frame, ...], "frames": n}`` in output frames.
    """
    fps = Fraction(case.rate)
    shots = [(source, round(seconds * fps)) for source, seconds in case.shots]
    plan = video_transitions(
        path_for(case, out_dir, size), shots, case.joins, transition_frames=round(fps),
        dry_run=True,
    )
    overlap = round(fps) * sum(join in {"dissolve", "fadeblack"} for join in case.joins)
    frames = sum(n for _, n in shots) - overlap
    flashes = []
    for k in case.flashes:
        lo = int(str(plan[k - 1]["end_frame"])) if k > 0 else 0
        hi = int(str(plan[k]["start_frame"])) if k < len(plan) else frames
        flashes.append(lo + (hi - lo) * 2 // 5)
    recipe = json.dumps([shots, case.joins, flashes, size, case.rate, encode])
    path = path_for(case, out_dir, size)
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        saved = json.loads(meta.read_text())
        if saved.get("recipe") == recipe:
            return path, saved["truth"]
    transitions = video_transitions(
        path, shots, case.joins, transition_frames=round(fps), flashes=flashes, size=size,
        rate=case.rate, encode=encode,
    )
    truth = {"transitions": transitions, "flashes": flashes, "frames": frames}
    meta.write_text(json.dumps({"recipe": recipe, "truth": truth}))
    return path, truth
