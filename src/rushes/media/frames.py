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

A pass where no consumer needs every frame (thumbnails alone: a resumed job, a changed setting)
seeks instead: each consumer says which time it wants next, and long stretches nobody wants are
skipped by a seek to the key frame before the wanted time. Each consumer still sees exactly the
frames an every-frame pass would have given it there, so its result does not depend on which
other consumers shared the pass.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, cast

import av
import numpy as np
from PIL import Image

from rushes.errors import MediaError

#: How long after a damaged packet a decoder without a key frame to recover at is still
#: taken to be recovering (its lost frames counted; see ``_Video.frames``).
RECOVERY = Fraction(10)

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
    it is the index the frame would have in a full pass, estimated from its time). ``duration``
    is how long the frame is shown, as the file says (None when it does not): where the decoded
    picture ends is what tells a file that stops short of the length its header states.
    """

    index: int
    time: Fraction
    key_frame: bool
    small: np.ndarray
    source: Any = None
    sample_aspect: Fraction = Fraction(1)
    duration: Fraction | None = None
    #: A stretch of data just before this frame that would not decode (its first and last
    #: packet's times, the last one's end): the packets were skipped and decoding went on.
    damaged: tuple[Fraction, Fraction] | None = None

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


class SeekingSink(FrameSink, Protocol):
    """A sink that needs only some stretches of the video, and says which."""

    def wanted(self) -> Fraction | None:
        """The earliest time it still needs frames from (it is fed on from there until it wants
        a later one), or None once it needs no more."""


SinkFactory = Callable[[VideoInfo], FrameSink]

#: A wanted time further than this past the last frame fed is reached by seeking to the key
#: frame before it rather than by decoding on: camera GOPs are ½–2 s long, so such a jump skips
#: whole GOPs.
SEEK_GAP = Fraction(2)


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


class _Video:
    """An open video stream: decodes on from wherever it stands, and seeks to key frames."""

    def __init__(self, path: Path, *, threads: int, exact_pictures: bool) -> None:
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
        if not exact_pictures:
            # Applied when PyAV opens the decoder, at the first packet.
            ctx.options = {**ctx.options, "skip_loop_filter": "all"}
        self.path, self.container, self.stream = path, container, stream
        self.threads, self.exact_pictures = threads, exact_pictures
        self.rate = _stream_rate(stream)
        duration = _stream_duration(container, stream)
        frames = stream.frames or (round(duration * self.rate) if duration is not None else None)
        self.info = VideoInfo(self.rate, duration, frames or None, ctx.width, ctx.height)
        self.start = Fraction(container.start_time or 0, 1_000_000)
        self.time_base = Fraction(stream.time_base) if stream.time_base is not None else None
        self.sar = Fraction(ctx.sample_aspect_ratio or 1) or Fraction(1)

    def frames(self, *, from_start: bool = True) -> Iterator[DecodedFrame]:
        """Frames from the current position on.

        A packet that will not decode (a bad sector's zeros, a damaged stretch) is skipped and
        decoding goes on, so the shots and thumbnails after it are kept. Which frames were lost
        is read from the packets' own times, not from which call failed (a frame-threaded
        decoder reports an error a few packets late, and reorders B-frames): once a decode has
        failed, a packet whose frame never came out by the time a later frame does is a lost
        frame. The first frame after such a loss carries the lost stretch (``damaged``), and
        every index counts the lost frames, so frame numbers stay the file's own. Reading that
        itself fails ends the frames: a cut file's last packet is cut too.

        Some demuxers drop what they cannot read without a word (MPEG-TS loses whole packets to
        a damaged stretch, marking the next one corrupt) and decoders conceal what they can: no
        call fails, and no packet is left waiting. A packet flagged corrupt counts as a failure,
        and from it to the next key frame (which a decoder needs to recover), a gap between two
        frames that came out is lost as well when it is wider than two and a half of the steps
        before it (the frame's own length, or the step between the two frames before: a
        variable frame rate halves its rate without a word); only there, as a variable frame
        rate or a splice leaves gaps of its own elsewhere.

        After a seek (``from_start=False``) indexes come from times. A file none of whose
        packets decode raises, with the decoder's reason.
        """
        index, lost = 0, 0
        failure: BaseException | None = None
        #: The time of the frame before, and the step expected after it, in the stream's time
        #: base.
        previous: tuple[int, int | Fraction] | None = None
        one_frame = (1 / (self.rate * self.time_base)) if self.time_base else None
        #: Where the last packet that failed or came flagged corrupt was, until a key frame
        #: after it comes out (or :data:`RECOVERY` later): a gap meanwhile is damage.
        suspect: int | None = None
        recovery = round(RECOVERY / self.time_base) if self.time_base else 0
        #: (pts, duration) of packets sent whose frame has not come out yet.
        waiting: list[tuple[int, int]] = []
        packets = self.container.demux(self.stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except av.FFmpegError as exc:
                failure = failure or exc
                break  # a damaged tail: keep what decoded (truncated rushes are still useful)
            if packet.pts is not None and self.time_base is not None:
                heapq.heappush(waiting, (packet.pts, packet.duration or 0))
            if packet.is_corrupt:
                failure = failure or MediaError("a packet is damaged")
                suspect = _failed_at(packet, previous, suspect)
            try:
                decoded = packet.decode()
            except av.FFmpegError as exc:
                failure = failure or exc
                suspect = _failed_at(packet, previous, suspect)
                continue
            for frame in decoded:
                pts = frame.pts
                damaged = None
                if pts is None:
                    waiting.clear()  # frames without times: nothing to account by
                elif self.time_base is not None:
                    gone = []
                    while waiting and waiting[0][0] <= pts:
                        item = heapq.heappop(waiting)
                        if item[0] < pts:
                            gone.append(item)
                    # Before any failure, a frame the decoder dropped is its own business (an
                    # edit list's lead-in, an open GOP's leading B-frames): not damage.
                    if failure is not None:
                        gap = previous if suspect is not None else None
                        damaged, missing = self._loss(gone, gap, pts)
                        lost += missing
                    if suspect is not None and pts > suspect and (
                        frame.key_frame or pts > suspect + recovery
                    ):
                        suspect = None
                    # Ticks, not Fractions: this runs for every frame of every video.
                    own = getattr(frame, "duration", None) or 0
                    step: int | Fraction = own if own > 0 else (one_frame or 0)
                    if previous is not None and not damaged and pts > previous[0]:
                        step = max(step, pts - previous[0])
                    previous = (pts, step)
                if pts is None or self.time_base is None:
                    time = Fraction(index) / self.rate
                else:
                    time = self._time(pts)
                number = index + lost if from_start else round(time * self.rate)
                yield DecodedFrame(
                    number, time, bool(frame.key_frame), small_yuv(frame), frame,
                    self.sar, self._shown_for(frame), damaged,
                )
                index += 1
        if index == 0 and from_start and failure is not None:
            raise MediaError(f"cannot decode video: {_reason(failure)}") from None

    def _loss(
        self, gone: list[tuple[int, int]], gap: tuple[int, int | Fraction] | None, pts: int
    ) -> tuple[tuple[Fraction, Fraction] | None, int]:
        """The stretch lost before the frame at ``pts`` and how many frames it held: the
        packets sent that never came out (``gone``), or the frames missing since the frame
        before (``gap``: its time and length), whichever says more."""
        spans = [(p, p + d) for p, d in gone]
        missing = len(gone)
        if gap is not None and gap[1] > 0 and pts - gap[0] > gap[1] * 5 / 2:
            spans.append((gap[0] + round(gap[1]), pts))
            missing = max(missing, round((pts - gap[0]) / gap[1]) - 1)
        if not spans:
            return None, 0
        return (self._time(min(a for a, _ in spans)), self._time(max(b for _, b in spans))), missing

    def _time(self, pts: int) -> Fraction:
        """Seconds from the media's start of a time in the stream's time base."""
        assert self.time_base is not None
        return max(Fraction(0), pts * self.time_base - self.start)

    def _shown_for(self, frame: Any) -> Fraction | None:
        """How long ``frame`` is shown, from the duration the file gives it; None if none."""
        ticks = getattr(frame, "duration", None)
        if not ticks or ticks < 0 or self.time_base is None:
            return None
        return Fraction(ticks) * self.time_base

    def seek(self, time: Fraction) -> None:
        """Go to the last key frame at or before ``time``; raises ``av.FFmpegError`` if the
        format cannot seek."""
        if self.time_base is None:
            raise av.FFmpegError(0, "no time base to seek by")
        self.container.seek(int((time + self.start) / self.time_base), stream=self.stream)

    def close(self) -> None:
        self.container.close()

    def reopened(self) -> _Video:
        """The same video opened again at its start (this one is closed)."""
        self.close()
        return _Video(self.path, threads=self.threads, exact_pictures=self.exact_pictures)


def open_video(
    path: Path, *, threads: int = 1, exact_pictures: bool = False
) -> tuple[VideoInfo, Iterator[DecodedFrame]]:
    """Open the first video stream of ``path`` and return its info and an every-frame iterator.

    ``exact_pictures`` keeps the in-loop deblocking filter; without it passes decode about a
    sixth faster (see the module's notes).
    """
    video = _Video(path, threads=threads, exact_pictures=exact_pictures)

    def every_frame() -> Iterator[DecodedFrame]:
        try:
            yield from video.frames()
        finally:
            video.close()

    return video.info, every_frame()


def decode_into(
    path: Path,
    factories: Sequence[SinkFactory],
    *,
    every_frame: bool = True,
    threads: int = 1,
    exact_pictures: bool = False,
) -> list[dict[str, Any]]:
    """One decode pass over ``path`` feeding a sink made by each factory; returns their results.

    With ``every_frame=False`` every sink must be a :class:`SeekingSink`, and the pass decodes
    only the stretches of frames they want (see :func:`_sought_pass`).
    """
    video = _Video(path, threads=threads, exact_pictures=exact_pictures)
    try:
        sinks = [factory(video.info) for factory in factories]
        if every_frame:
            count = _every_frame_pass(video, sinks)
        else:
            video, count = _sought_pass(video, cast(list[SeekingSink], sinks))
    finally:
        video.close()
    if count == 0:
        raise MediaError("no frame could be decoded")
    return [sink.finish() for sink in sinks]


def _every_frame_pass(video: _Video, sinks: list[FrameSink]) -> int:
    count = 0
    for frame in video.frames():
        for sink in sinks:
            sink.feed(frame)
        count += 1
    return count


def _sought_pass(video: _Video, sinks: list[SeekingSink]) -> tuple[_Video, int]:
    """Feed the sinks the frames they want, seeking over long stretches nobody wants.

    Every sink sees, in order and none twice, exactly the frames an every-frame pass would give
    it from each wanted time on, so its result is the same as in that pass (a job resumed alone
    records what the shared pass would have). That holds because a seek lands on a key frame at
    or before the wanted time and decoding goes on from there; where it does not hold (the seek
    landed on a frame already fed, or past the wanted time, or the format cannot seek), the
    pass stops seeking and decodes straight on. Returns the video, reopened if it had to
    rewind, and how many frames were fed.
    """
    fed, last = 0, None  # last: time of the last frame fed

    def wanted() -> Fraction | None:
        times = [t for s in sinks if (t := s.wanted()) is not None]
        return min(times) if times else None

    seeking, target = True, wanted()
    while target is not None:
        heading, jumped = target, False
        if seeking and target - (last or Fraction(0)) > SEEK_GAP:
            try:
                video.seek(target)
                jumped = True
            except av.FFmpegError:
                seeking = False
        for frame in video.frames(from_start=fed == 0 and not jumped):
            if last is not None and frame.time <= last:
                seeking = False  # landed on a key frame before where we were: long GOPs
                continue
            if jumped and frame.time > target:
                break  # landed past the wanted time: the frames before it are needed
            jumped = False
            for sink in sinks:
                sink.feed(frame)
            fed, last = fed + 1, frame.time
            target = wanted()
            if target is None:
                return video, fed
            if seeking and last >= heading and target - last > SEEK_GAP:
                break  # the next wanted time is far ahead: seek to it
        else:
            return video, fed  # the end of the stream
        if jumped:
            # Start again from the top, feeding nothing already fed, and seek no more.
            seeking = False
            video = video.reopened()
    return video, fed


def _failed_at(packet: Any, previous: tuple[int, Any] | None, suspect: int | None) -> int | None:
    """Where a packet that failed lies: its own time, else the last frame's (a packet without
    a time), else where the last failure was."""
    if packet.pts is not None:
        return int(packet.pts)
    return previous[0] if previous is not None else suspect


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
