"""Decode a video once and feed every frame consumer that wants it (the orchestrator decodes).

Frames reach consumers as small YUV arrays taken straight from the decoder's planes by strided
slicing: on this hardware a libswscale resize to 64×36 costs as much as decoding the frame, a
strided view costs almost nothing. Consumers wanting a real picture (thumbnails) ask the frame for
one, and only those few frames are scaled. Memory stays flat: one frame at a time is held here.

Passes over every frame skip the decoder's in-loop deblocking filter by default
(``skip_loop_filter``; H.264, HEVC, VP8, VP9): it is 15–20 % of H.264 decode time, and without
it pictures differ from the exact decode by about one level on average (blockier, drifting a
little until the next key frame), which no analysis on a 96-pixel grid or a thumbnail can see.
Which frame is which, and every time, are unchanged. ``exact_pictures=True`` keeps the filter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import av
import numpy as np
from PIL import Image

from rushes.errors import MediaError

#: Target width of the analysis grid; the actual width is the nearest whole-step subsample.
ANALYSIS_WIDTH = 96

_PLANAR_8BIT = {
    "yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "yuv411p", "yuv410p",
    "yuv440p", "yuvj440p",
}
_PLANAR_HIGH = {
    "yuv420p10le": 2, "yuv422p10le": 2, "yuv444p10le": 2,
    "yuv420p12le": 4, "yuv422p12le": 4, "yuv444p12le": 4,
}


@dataclass(frozen=True)
class VideoInfo:
    """What a consumer knows before the first frame arrives."""

    rate: Fraction
    duration: Fraction | None
    frame_count: int | None
    width: int
    height: int


@dataclass
class DecodedFrame:
    """One decoded frame: exact time, a small YUV array for analysis, the full picture on demand.

    ``small`` is ``H × W × 3`` ``uint8`` holding Y, U and V sampled on the same coarse grid
    (about :data:`ANALYSIS_WIDTH` wide, aspect kept). ``time`` is seconds from the start of the
    media as an exact fraction; ``index`` counts decoded frames from 0 (in key-frame-only passes
    it is the index the frame would have in a full pass, estimated from its time).
    """

    index: int
    time: Fraction
    key_frame: bool
    small: np.ndarray
    source: Any = None
    sample_aspect: Fraction = Fraction(1)

    def picture(self, width: int) -> Image.Image:
        """The frame scaled to ``width`` (display aspect kept), as an RGB image."""
        frame = self.source
        if frame is None:
            raise MediaError("frame picture is no longer available")
        display_w = frame.width * self.sample_aspect
        height = max(2, round(width * frame.height / display_w / 2) * 2)
        image: Image.Image = frame.to_image(width=width, height=height)
        return image


class FrameSink(Protocol):
    def feed(self, frame: DecodedFrame) -> None: ...

    def finish(self) -> dict[str, Any]: ...


SinkFactory = Callable[[VideoInfo], FrameSink]


@dataclass(frozen=True)
class _Grid:
    """How to sample one frame layout: per plane, the strides and the output size."""

    dtype: np.dtype[Any]
    shift: int
    h: int
    w: int
    #: Per plane: (rows, samples per row incl. padding, row step, column step).
    planes: tuple[tuple[int, int, int, int], ...]


@lru_cache(maxsize=32)
def _grid(fmt: str, layout: tuple[tuple[int, int, int], ...]) -> _Grid:
    """Sampling geometry for a pixel format and plane layout ((width, height, line size) each).

    Worked out once per layout rather than per frame: per-frame work is then only three strided
    copies into the output.
    """
    size = 1 if fmt in _PLANAR_8BIT else 2
    (yw, yh, _), (cw, _, _) = layout[0], layout[1]
    sub = max(1, yw // max(1, cw))
    step = max(sub, round(yw / ANALYSIS_WIDTH / sub) * sub)
    out_h, out_w = -(-yh // step), -(-yw // step)
    planes = [(yh, layout[0][2] // size, step, step)]
    for pw, ph, line in layout[1:3]:
        sy = max(1, round(step * ph / yh))
        sx = max(1, round(step * pw / yw))
        planes.append((ph, line // size, sy, sx))
        out_h = min(out_h, -(-ph // sy))
        out_w = min(out_w, -(-pw // sx))
    dtype = np.dtype(np.uint8) if size == 1 else np.dtype("<u2")
    return _Grid(dtype, _PLANAR_HIGH.get(fmt, 0), out_h, out_w, tuple(planes))


def small_yuv(frame: Any) -> np.ndarray:
    """Y, U, V on a common coarse grid by strided slicing (no scaling pass)."""
    fmt = frame.format.name
    if fmt in _PLANAR_8BIT or fmt in _PLANAR_HIGH:
        planes = frame.planes
        grid = _grid(fmt, tuple((p.width, p.height, p.line_size) for p in planes[:3]))
        h, w = grid.h, grid.w
        out = np.empty((h, w, 3), np.uint8)
        for c, (plane, (rows, line, sy, sx)) in enumerate(zip(planes, grid.planes, strict=False)):
            full = np.frombuffer(plane, grid.dtype, rows * line).reshape(rows, line)
            view = full[: h * sy : sy, : w * sx : sx]
            if grid.shift:
                out[:, :, c] = view >> grid.shift
            else:
                out[:, :, c] = view
        return out
    # Rare formats (RGB, packed, paletted, 16-bit…): let libswscale do it.
    w = ANALYSIS_WIDTH
    h = max(2, round(w * frame.height / frame.width))
    arr: np.ndarray = frame.reformat(width=w, height=h, format="yuv444p").to_ndarray()
    return np.ascontiguousarray(np.moveaxis(arr.reshape(3, h, w), 0, -1))


def open_video(
    path: Path,
    *,
    threads: int = 1,
    key_frames_only: bool = False,
    exact_pictures: bool | None = None,
) -> tuple[VideoInfo, Iterator[DecodedFrame]]:
    """Open the first video stream of ``path`` and return its info and a frame iterator.

    ``exact_pictures`` (default: only for key-frame passes) keeps the in-loop deblocking filter;
    without it every-frame passes decode about a sixth faster (see the module's notes).
    """
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise MediaError(f"cannot open video: {_reason(exc)}") from None
    streams = [s for s in container.streams.video if not _is_attached_picture(s)]
    if not streams:
        container.close()
        raise MediaError("no video stream")
    stream = streams[0]
    ctx = stream.codec_context
    ctx.thread_count = threads
    ctx.thread_type = "FRAME" if threads > 1 else "SLICE"
    if key_frames_only:
        ctx.skip_frame = "NONKEY"
    if not (key_frames_only if exact_pictures is None else exact_pictures):
        # Applied when PyAV opens the decoder, at the first packet.
        ctx.options = {**ctx.options, "skip_loop_filter": "all"}
    rate = _stream_rate(stream)
    duration = _stream_duration(container, stream)
    frames = stream.frames or (round(duration * rate) if duration is not None else None)
    info = VideoInfo(rate, duration, frames or None, ctx.width, ctx.height)
    start = Fraction(container.start_time or 0, 1_000_000)
    sar = Fraction(ctx.sample_aspect_ratio or 1) or Fraction(1)
    return info, _iterate(container, stream, rate, start, key_frames_only, sar)


def _iterate(
    container: Any,
    stream: Any,
    rate: Fraction,
    start: Fraction,
    key_frames_only: bool,
    sar: Fraction,
) -> Iterator[DecodedFrame]:
    index = 0
    time_base = Fraction(stream.time_base) if stream.time_base is not None else None
    try:
        for frame in container.decode(stream):
            pts = frame.pts
            if pts is None or time_base is None:
                time = Fraction(index) / rate
            else:
                time = pts * time_base - start if start else pts * time_base
                if time < 0:
                    time = Fraction(0)
            if key_frames_only:
                index = round(time * rate)
            yield DecodedFrame(index, time, bool(frame.key_frame), small_yuv(frame), frame, sar)
            index += 1
    except av.FFmpegError as exc:
        if index == 0:
            raise MediaError(f"cannot decode video: {_reason(exc)}") from None
        # A damaged tail: keep what decoded (truncated rushes are common and still useful).
    finally:
        container.close()


def decode_into(
    path: Path,
    factories: Sequence[SinkFactory],
    *,
    every_frame: bool = True,
    threads: int = 1,
    exact_pictures: bool | None = None,
) -> list[dict[str, Any]]:
    """One decode pass over ``path`` feeding a sink made by each factory; returns their results."""
    info, frames = open_video(
        path, threads=threads, key_frames_only=not every_frame, exact_pictures=exact_pictures
    )
    sinks = [factory(info) for factory in factories]
    count = 0
    for frame in frames:
        for sink in sinks:
            sink.feed(frame)
        count += 1
    if count == 0:
        raise MediaError("no frame could be decoded")
    return [sink.finish() for sink in sinks]


def _is_attached_picture(stream: Any) -> bool:
    disposition = getattr(stream, "disposition", None)
    try:
        return bool(disposition and disposition & av.stream.Disposition.attached_pic)
    except (AttributeError, TypeError):
        return False


def _stream_rate(stream: Any) -> Fraction:
    for candidate in (stream.average_rate, stream.base_rate, stream.guessed_rate):
        if candidate:
            return Fraction(candidate)
    return Fraction(25)


def _stream_duration(container: Any, stream: Any) -> Fraction | None:
    if stream.duration is not None and stream.time_base is not None:
        return Fraction(stream.duration) * Fraction(stream.time_base)
    if container.duration is not None:
        return Fraction(container.duration, 1_000_000)
    return None


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).strip().rstrip(".")
