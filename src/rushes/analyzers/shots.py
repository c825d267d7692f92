"""The ``shots`` analyzer: shot boundaries (cuts, dissolves, fades) of a video, frame-exact.

It is a :class:`FrameAnalyzer`: the job runner decodes the video once and feeds this sink every
frame's small YUV grid, so shot detection shares its decode with thumbnails and needs nothing from
the probe. The detection itself lives in :mod:`rushes.analyzers.shot_detector`; this module only
adapts it to the analyzer interface and shapes the result.

The result holds exact times only: frame numbers and the rate as a ``"num/den"`` string (the CLI
turns them into seconds and timecodes). Shots tile ``[0, frame_count)``; each transition's
``frame`` is where the next shot starts (for a fade, the darkest frame; for a dissolve, its
middle)::

    {"rate": "30000/1001", "frame_count": 900, "decoded_end": "30030/1001",
     "shots": [{"start_frame": 0, "end_frame": 412}, {"start_frame": 412, "end_frame": 900}],
     "transitions": [{"kind": "cut", "frame": 412, "start_frame": 412, "end_frame": 412}]}

``decoded_end`` (seconds, a rational string) is where the last decoded picture ends. This pass is
the only one that decodes every frame, so it is what tells a file whose header promises more than
its data holds (a copy cut short after a "faststart" index); the ``integrity`` analyzer compares
it with the probed duration. ``undecodable`` (present only when there are any) lists the
stretches ``[from, to]`` whose packets would not decode: the decode skips them and goes on, so
shots after a bad sector are still found, and ``integrity`` reports the file as damaged there.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise
from typing import Any, ClassVar

from rushes.analyzers.base import AnalysisContext, FrameAnalyzer, Result
from rushes.analyzers.shot_detector import ShotDetector, Transition
from rushes.config import Settings
from rushes.media.frames import DecodedFrame, FrameSink, VideoInfo
from rushes.media.probe import format_rational

#: Lost frames this close to the stretch before them are the same damage: a bad run of bytes
#: holds frames of several times when B-frames reorder them.
MERGE_GAP = Fraction(1)


class ShotsSink:
    """Receives decoded frames in order and keeps only the detector's sliding window."""

    def __init__(self, rate: Fraction, sensitivity: float) -> None:
        self.rate = rate
        self.detector = ShotDetector(rate, sensitivity)
        #: How long a frame is shown when the file does not say.
        self.period = 1 / rate if rate > 0 else Fraction(0)
        self.decoded_end: Fraction | None = None
        self.undecodable: list[tuple[Fraction, Fraction]] = []
        self.last_small: Any = None

    def feed(self, frame: DecodedFrame) -> None:
        if frame.damaged is not None:
            start, end = frame.damaged
            if self.undecodable and start - self.undecodable[-1][1] <= MERGE_GAP:
                # B-frames scatter one damaged run of bytes over nearby times: one stretch.
                first, last = self.undecodable[-1]
                self.undecodable[-1] = (first, max(last, end))
            else:
                self.undecodable.append(frame.damaged)
        if frame.index > self.detector.count:
            # Frames lost to a damaged stretch: the last good picture stands in for each, so
            # every frame number after it is still the file's own.
            filler = frame.small if self.last_small is None else self.last_small
            for _ in range(frame.index - self.detector.count):
                self.detector.push(filler)
        self.detector.push(frame.small)
        self.last_small = frame.small
        # The frame's own duration where the file gives one: a screen recording's last frame
        # may be held for seconds, and one frame period would make it look cut short.
        shown = frame.duration or self.period
        end = frame.time + shown
        if self.decoded_end is None or end > self.decoded_end:
            self.decoded_end = end

    def finish(self) -> dict[str, Any]:
        transitions = self.detector.finish()
        # Every frame fed (and every lost one stood in for) was pushed: the count is the file's.
        return shots_result(self.rate, self.detector.count, transitions, self.decoded_end,
                            self.undecodable)


def shots_result(
    rate: Fraction,
    frame_count: int,
    transitions: list[Transition],
    decoded_end: Fraction | None = None,
    undecodable: list[tuple[Fraction, Fraction]] | None = None,
) -> Result:
    """The analyzer's result: shots tiling ``[0, frame_count)`` cut at each transition's frame,
    where the decoded picture ends (when known), and the stretches whose data would not decode
    and were skipped (when any)."""
    bounds = [0, *(t.frame for t in transitions if 0 < t.frame < frame_count), frame_count]
    shots = [{"start_frame": a, "end_frame": b} for a, b in pairwise(bounds) if b > a]
    result: Result = {
        "rate": format_rational(rate),
        "frame_count": frame_count,
        "shots": shots,
        "transitions": [t.as_dict() for t in transitions],
    }
    if decoded_end is not None:
        result["decoded_end"] = format_rational(decoded_end)
    if undecodable:
        result["undecodable"] = [[format_rational(a), format_rational(b)] for a, b in undecodable]
    return result


class ShotsAnalyzer(FrameAnalyzer):
    """Shot boundaries from one streaming pass over every frame (no probe result needed)."""

    name: ClassVar[str] = "shots"
    version: ClassVar[int] = 2
    kinds: ClassVar[frozenset[str]] = frozenset({"video"})
    requires: ClassVar[tuple[str, ...]] = ()
    needs_every_frame: ClassVar[bool] = True

    def params(self, settings: Settings) -> dict[str, Any]:
        return {"sensitivity": settings.shot_sensitivity}

    def open_sink(self, ctx: AnalysisContext, info: VideoInfo) -> FrameSink:
        sensitivity = float(ctx.params.get("sensitivity", ctx.settings.shot_sensitivity))
        return ShotsSink(info.rate, sensitivity)


ANALYZER = ShotsAnalyzer()
