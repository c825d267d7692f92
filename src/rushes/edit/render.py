"""The review cut: a paper edit rendered by ffmpeg into one small H.264/AAC file to watch.

It is for checking a cut, not for delivery: each clip carries its file name and running source
timecode burnt in, so a note like "tighten the end of the second interview shot" can be found
in the NLE; stills are held, titles are cards, voice-over placeholders are slates showing the
script over silence.

How it is made, and why:

- **A few events per ffmpeg, then one join.** Consecutive events are rendered by one ffmpeg
  process (at most ``BATCH_EVENTS``: each process start costs about as much as decoding a few
  seconds of 360p video, and each open input holds a decoder), joined inside it by the concat
  filter, encoded with the same H.264 settings at the same size and rate, with uncompressed
  audio. The parts are then joined by the concat demuxer, copying the video and encoding the
  audio to AAC once; a cut that fits in one part is written straight as the MP4. Parts run in
  parallel on several cores, and audio stays sample-exact: AAC parts joined end to end would
  each add their encoder padding and drift.
- **Only the used range is decoded.** ``-ss`` before ``-i`` seeks to the keyframe before the in
  point; ffmpeg then drops the frames before it, and a ``trim`` by frame count (with
  ``-frames:v`` on the output as well) stops at the out point. The
  seek aims half a frame early, so rounding of a 1001-rate time to microseconds can never drop
  the first wanted frame, and the audio trims that half frame back off so it starts exactly at
  the in point.
- **Timecode is counted at the source's rate.** The picture is first made constant-rate at the
  source rate, the timecode is drawn (ffmpeg counts it per frame from the in point's label), and
  only then is it conformed to the sequence rate by the ``fps`` filter, so the burnt-in label is
  the source frame shown.
- **Lengths are the timeline's.** Each event has exactly the event's frames (the last frame is
  held if the media ends early) and the matching number of audio samples (silence padded), so the
  review cut's running time is the sequence's.
- x264 ``ultrafast`` at CRF 23 with one thread per process: the cheapest encode that still looks
  right at review size, which keeps the render within about twice the cost of just decoding the
  used material (see bench/README.md).
"""

from __future__ import annotations

import contextlib
import glob
import math
import os
import resource
import shutil
import subprocess
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from rushes.edit.timeline import Event, Source, Timeline
from rushes.errors import MediaError, RushesError, UsageError
from rushes.media.ffmpeg import ToolNotFound, last_error_line, media_arg, run_tool, tool_path
from rushes.media.mixdown import every_channel, mix_layout, mixes_streams
from rushes.media.probe import (
    ffprobe_json,
    is_attached_picture,
    parse_rational,
    rotation_of,
    stream_duration,
)

__all__ = [
    "FONT_CANDIDATES",
    "RenderStats",
    "drawtext_escape",
    "find_font",
    "render_review",
    "review_size",
]

#: Where DejaVu Sans lives on the systems rushes runs on (Debian/Ubuntu first).
FONT_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf"),
    Path("/usr/local/share/fonts/DejaVuSans.ttf"),
    Path("/opt/homebrew/share/fonts/DejaVuSans.ttf"),
    Path("/Library/Fonts/DejaVuSans.ttf"),
)

AUDIO_RATE = 48000
#: Video settings shared by every part: the concat demuxer copies them, so they must match.
_VIDEO_CODEC = ("-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", "-pix_fmt", "yuv420p")
_SEGMENT_AUDIO = ("-c:a", "pcm_s16le", "-ar", str(AUDIO_RATE), "-ac", "2")
_FINAL_AUDIO = ("-c:a", "aac", "-b:a", "160k")
#: Most events one ffmpeg process renders: fewer processes cost less (each start costs about
#: as much as decoding a few seconds of 360p video), more would keep more decoders open at once.
BATCH_EVENTS = 8
#: Seconds without any progress after which an ffmpeg run is taken to be stuck and stopped.
STALL_SECONDS = 60.0
#: Share of the progress bar given to the final join (copying video, encoding audio).
_JOIN_SHARE = 0.03
_CARD_BLACK = "black"
_SLATE_BLUE = "0x101a2e"
_AUDIO_GREY = "0x202020"


@dataclass(frozen=True, slots=True)
class RenderStats:
    """What a render produced and what it cost."""

    output: Path
    #: Sequence frames rendered and the cut's running time they make (exact).
    frames: int
    duration: Fraction
    #: The running time ffprobe reads from the written file, in seconds.
    output_duration: float
    width: int
    height: int
    rate: Fraction
    #: Events rendered (notes take no time) and the ffmpeg runs that rendered them.
    items: int
    parts: int
    #: User + system CPU seconds of the ffmpeg/ffprobe processes this render ran.
    cpu_seconds: float
    wall_seconds: float
    size_bytes: int


# --- small helpers ------------------------------------------------------------------------------


def find_font(candidates: Sequence[Path] = FONT_CANDIDATES) -> Path:
    """DejaVu Sans, which every burn-in and card is drawn with, or an error saying what to add."""
    for path in candidates:
        if path.is_file():
            return path
    fc_match = shutil.which("fc-match")
    if fc_match is not None:
        try:
            found = subprocess.run(
                [fc_match, "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True,
                timeout=10, check=False, stdin=subprocess.DEVNULL,
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            found = ""
        if found and Path(found).name == "DejaVuSans.ttf" and Path(found).is_file():
            return Path(found)
    raise ToolNotFound(
        "the review render needs the DejaVu Sans font (DejaVuSans.ttf), which is not installed "
        "(Debian/Ubuntu: apt install fonts-dejavu-core)"
    )


def drawtext_escape(text: str) -> str:
    """``text`` as a literal option value inside an ffmpeg filter graph.

    Two parsers read it: the filter's option parser (``:`` ends a value, ``'`` quotes, ``\\``
    escapes) and then, outside it, the graph parser (``,`` ``;`` ``[`` ``]`` separate filters
    and links, and it too reads ``'`` and ``\\``). So the value is escaped for the first and the
    result again for the second. ``%`` needs nothing here because literal text is drawn with
    ``expansion=none``.
    """
    value = text.replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\:")
    return "".join("\\" + ch if ch in "\\'[],;" else ch for ch in value)


def review_size(timeline: Timeline, height: int) -> tuple[int, int]:
    """The review frame: ``height`` (made even) and the sequence's aspect, width even too."""
    if height < 16:
        raise UsageError(f"review height {height} is too small (at least 16 pixels)")
    h = height + height % 2
    aspect = Fraction(timeline.width, timeline.height) if timeline.height else Fraction(16, 9)
    w = max(2, 2 * round(h * aspect / 2))
    return w, h


def _even(value: Fraction) -> int:
    return max(2, 2 * math.floor(value / 2 + Fraction(1, 2)))


def _samples(frames: int, rate: Fraction) -> int:
    """Audio samples in ``frames`` at ``rate``: rounded down, so audio never outlasts picture."""
    return math.floor(Fraction(frames) * AUDIO_RATE / rate)


def _seconds_arg(value: Fraction) -> str:
    return f"{float(value):.6f}"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- what each input is -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Media:
    """What a render needs to know of an input file, from one ffprobe per file."""

    path: Path
    width: int | None
    height: int | None
    has_audio: bool
    #: Length of the picture (or of the sound, for audio files) in seconds, when known.
    duration: Fraction | None = None
    #: Square pixels: the decoded frame is ``width`` × ``height`` as it stands.
    square: bool = True
    #: The frame rate when the stream says it is constant (nominal and average rates agree).
    constant_rate: Fraction | None = None
    #: Channels of each audio stream, in file order (a recorder's poly WAV: ``(8,)``; a
    #: camera's mono tracks: ``(1, 1, 1, 1)``).
    audio_layout: tuple[int, ...] = ()


def _describe(path: Path, what: str) -> _Media:
    try:
        data = ffprobe_json(path)
    except MediaError as e:
        raise MediaError(f"{what}: cannot read {path}: {e}") from None
    streams: list[dict[str, Any]] = list(data.get("streams") or [])
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not is_attached_picture(s)), None)
    sound = next((s for s in streams if s.get("codec_type") == "audio"), None)
    timed = video if video is not None else sound
    duration = stream_duration(timed) if timed is not None else None
    if duration is None:
        duration = parse_rational((data.get("format") or {}).get("duration"))
    width = height = None
    square = True
    constant_rate = None
    if video is not None and video.get("width") and video.get("height"):
        w, h = Fraction(int(video["width"])), Fraction(int(video["height"]))
        sar = parse_rational(video.get("sample_aspect_ratio"))
        if sar is not None and sar > 0 and sar != 1:
            w *= sar
            square = False
        if rotation_of(video) in (90, 270):
            w, h = h, w
        width, height = max(1, round(w)), max(1, round(h))
        nominal = parse_rational(video.get("r_frame_rate"))
        if nominal is not None and nominal == parse_rational(video.get("avg_frame_rate")):
            constant_rate = nominal
    layout = mix_layout(streams, codec_key="codec_name")
    return _Media(path, width, height, sound is not None, duration, square, constant_rate,
                  layout)


def _input_file(source: Source) -> Path:
    """The proxy when there is one on disk (small, quick to decode), else the original."""
    if source.proxy and Path(source.proxy).is_file():
        return Path(source.proxy)
    return Path(source.path)


def _shown_name(source: Source) -> str:
    return source.name or Path(source.path).name or source.asset_id


def _item_name(number: int, event: Event) -> str:
    name = event.label or (event.source.name if event.source is not None else event.kind)
    return f"item {number} ({name})"


# --- filter graphs ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Look:
    """Sizes and the font shared by every part."""

    width: int
    height: int
    rate: Fraction
    font: str  # already escaped for the graph
    #: The sequence's start timecode, written into the MP4 (a ``tmcd`` track) so an editor who
    #: imports the review cut sees record timecode.
    start: str = "00:00:00:00"

    @property
    def small(self) -> int:
        return max(10, self.height // 20)

    def text(self, text: str, *, size: int, x: str, y: str, box: bool = False,
             color: str = "white") -> str:
        extra = ":box=1:boxcolor=black@0.55:boxborderw=4" if box else ""
        return (
            f"drawtext=fontfile={self.font}:expansion=none:text={drawtext_escape(text)}"
            f":fontsize={size}:fontcolor={color}:x={x}:y={y}{extra}"
        )

    def fit(self, media: _Media) -> str:
        """Scale into the frame keeping the picture's shape, centred on black, square pixels
        (nothing to do for a picture already of the frame's size, such as a proxy at 360)."""
        if media.square and (media.width, media.height) == (self.width, self.height):
            return "setsar=1"
        if media.width and media.height:
            scale = min(Fraction(self.width, media.width), Fraction(self.height, media.height))
            sw = min(self.width, _even(media.width * scale))
            sh = min(self.height, _even(media.height * scale))
        else:
            sw, sh = self.width, self.height
        return (f"scale={sw}:{sh},setsar=1,"
                f"pad={self.width}:{self.height}:(ow-iw)/2:(oh-ih)/2:black")

    def lines(self, lines: Sequence[str], *, size: int, top: int, spacing: float = 1.35,
              color: str = "white") -> list[str]:
        step = round(size * spacing)
        return [self.text(line, size=size, x="(w-text_w)/2", y=str(top + k * step), color=color)
                for k, line in enumerate(lines) if line.strip()]  # drawtext refuses empty text

    def wrap(self, text: str, size: int, max_lines: int) -> list[str]:
        """Lines of ``text`` that fit the frame at ``size`` (DejaVu Sans is about 0.55 em wide)."""
        width = max(8, int(self.width * 0.9 / (size * 0.56)))
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            lines += textwrap.wrap(paragraph, width) or ([""] if paragraph == "" else [])
        while lines and not lines[-1]:
            lines.pop()
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = textwrap.shorten(lines[-1] + " …", width, placeholder=" …")
        return lines


def _end_video(look: _Look, frames: int) -> str:
    """Conform, fix the format, hold the last frame if the input ends early, cut to length."""
    return (f"fps={look.rate},format=yuv420p,tpad=stop_mode=clone:stop=-1,"
            f"trim=end_frame={frames},setpts=PTS-STARTPTS")


def _end_audio(frames: int, rate: Fraction) -> str:
    return (f"aresample={AUDIO_RATE},aformat=sample_fmts=s16:channel_layouts=stereo,"
            f"apad,atrim=end_sample={_samples(frames, rate)},asetpts=PTS-STARTPTS")


def _silence(frames: int, rate: Fraction) -> str:
    return f"anullsrc=r={AUDIO_RATE}:cl=stereo,{_end_audio(frames, rate)}"


#: A piece's filter chains given the index of its first input: (video chain, audio chain),
#: each complete from its input link or source filter to just before the output label.
_Chains = Callable[[int], tuple[str, str]]


@dataclass(slots=True)
class _Piece:
    """One event as ffmpeg inputs and filter chains, with what names it in messages."""

    number: int
    what: str
    frames: int
    inputs: list[list[str]]
    chains: _Chains
    file: str = ""
    hide: tuple[str, ...] = ()
    #: Its sound mixes several streams, which waits on each to give sound or end: its input is
    #: read for the range only (``-t``), and the part is not cut by ``-frames:v``, which would
    #: end it with every picture out before the mix's first sound.
    mixes: bool = False


def _clip_piece(number: int, what: str, event: Event, source: Source, media: _Media,
                look: _Look) -> _Piece:
    """The used range of a clip, burnt in and conformed (grey with the labels for sound only)."""
    rate = source.rate
    frames = event.duration
    seek: list[str] = []
    half = Fraction(0)
    if event.source_in > 0:
        half = Fraction(1, 2) / rate
        seek = ["-ss", _seconds_arg(Fraction(event.source_in) / rate - half)]
    name_tag = look.text(_shown_name(source), size=look.small, x="8", y="8", box=True)
    timecode = str(source.timecode(event.source_in))
    # tc24hmax: ffmpeg counts on past 23:59:59:FF (24:00:00:00) unless told that timecode is
    # a 24-hour clock, as the source's own labels are.
    tc_tag = (
        f"drawtext=fontfile={look.font}:timecode={drawtext_escape(timecode)}:rate={rate}"
        ":tc24hmax=1"
        f":fontsize={look.small}:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=4"
        f":x=(w-text_w)/2:y=h-text_h-10"
    )
    is_video = source.has_video and media.width is not None
    trim = f"atrim=start={float(half):.9f}," if half else ""
    # the timecode counts frames, so they must come at the source rate; a stream that says it
    # is constant at that rate already does
    steady = "" if media.constant_rate == rate else f"fps={rate},"

    def chains(i: int) -> tuple[str, str]:
        if is_video:
            video = (f"[{i}:v:0]setpts=PTS-STARTPTS,{steady}{look.fit(media)},{name_tag},"
                     f"{tc_tag},{_end_video(look, frames)}")
        else:
            video = (f"color=c={_AUDIO_GREY}:s={look.width}x{look.height}:r={rate},"
                     f"{name_tag},{tc_tag},{_end_video(look, frames)}")
        sound = every_channel(i, media.audio_layout, pad=True) if media.has_audio else ""
        if sound:
            audio = f"{sound}{trim}asetpts=PTS-STARTPTS,{_end_audio(frames, look.rate)}"
        else:
            audio = _silence(frames, look.rate)
        return video, audio

    path = os.fspath(media.path)
    mixes = media.has_audio and mixes_streams(media.audio_layout)
    if mixes:
        # A track with nothing left in the range ends only where the file does: the range
        # (and a second) is read alone, so every track ends there.
        span = Fraction(event.source_out - event.source_in) / rate + half + 1
        seek = [*seek, "-t", _seconds_arg(span)]
    inputs = [["-threads", "1", *seek, "-i", media_arg(media.path)]]
    return _Piece(number, what, frames, inputs, chains, path, (media_arg(media.path), path),
                  mixes)


def _still_piece(number: int, what: str, event: Event, source: Source, media: _Media,
                 look: _Look) -> _Piece:
    """An image held: scaled and labelled once, then the one frame repeated."""
    frames = event.duration
    name_tag = look.text(_shown_name(source), size=look.small, x="8", y="8", box=True)
    rate = look.rate

    def chains(i: int) -> tuple[str, str]:
        video = (f"[{i}:v:0]{look.fit(media)},{name_tag},format=yuv420p,"
                 f"loop=loop=-1:size=1,settb=expr={rate.denominator}/{rate.numerator},"
                 f"setpts=N,{_end_video(look, frames)}")
        return video, _silence(frames, rate)

    path = os.fspath(media.path)
    inputs = [["-threads", "1", "-i", media_arg(media.path)]]
    return _Piece(number, what, frames, inputs, chains, path, (media_arg(media.path), path))


def _card_piece(number: int, what: str, event: Event, look: _Look) -> _Piece:
    """A title card (text on black) or a voice-over slate (label and script), over silence."""
    if event.kind == "title":
        size = max(12, look.height // 10)
        lines = look.wrap(event.text, size, max_lines=5)
        step = round(size * 1.35)
        top = (look.height - step * len(lines)) // 2
        tags = look.lines(lines, size=size, top=top)
        color = _CARD_BLACK
    else:
        head = max(12, look.height // 12)
        size = max(10, look.height // 20)
        top = look.height // 6
        body_top = top + round(head * 2)
        room = max(1, (look.height - body_top - look.height // 12) // round(size * 1.35))
        tags = look.lines(["VOICE-OVER"], size=head, top=top, color="0xffd75e")
        tags += look.lines(look.wrap(event.text, size, max_lines=room), size=size, top=body_top)
        color = _SLATE_BLUE
    frames = event.duration
    video = ",".join([f"color=c={color}:s={look.width}x{look.height}:r={look.rate}", *tags,
                      _end_video(look, frames)])
    audio = _silence(frames, look.rate)
    return _Piece(number, what, frames, [], lambda _: (video, audio))


@dataclass(slots=True)
class _Batch:
    """Consecutive pieces rendered by one ffmpeg process into one file."""

    pieces: list[_Piece]
    path: Path
    final: bool  # the whole cut: written straight as the MP4, with AAC and the index up front
    done: int = 0

    @property
    def frames(self) -> int:
        return sum(p.frames for p in self.pieces)

    @property
    def what(self) -> str:
        first, last = self.pieces[0], self.pieces[-1]
        if first is last:
            return first.what
        return f"items {first.number}–{last.number}"

    def args(self, look: _Look) -> list[str]:
        inputs: list[str] = []
        links: list[str] = []
        joins = ""
        index = 0
        for k, piece in enumerate(self.pieces):
            video, audio = piece.chains(index)
            index += len(piece.inputs)
            for group in piece.inputs:
                inputs += group
            links += [f"{video}[v{k}]", f"{audio}[a{k}]"]
            joins += f"[v{k}][a{k}]"
        graph = ";".join([*links, f"{joins}concat=n={len(self.pieces)}:v=1:a=1[v][a]"])
        gop = str(max(1, 2 * round(look.rate)))
        tail = ([*_FINAL_AUDIO, "-timecode", look.start, "-movflags", "+faststart", "-f", "mp4"]
                if self.final
                else [*_SEGMENT_AUDIO, "-f", "mov"])
        return [
            "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats",
            "-progress", "pipe:1", "-filter_complex_threads", "1",
            *inputs,
            "-filter_complex", graph, "-map", "[v]", "-map", "[a]",
            *([] if any(p.mixes for p in self.pieces) else ["-frames:v", str(self.frames)]),
            *_VIDEO_CODEC, "-threads", "1", "-g", gop,
            *tail, media_arg(self.path),
        ]


# --- running ffmpeg -----------------------------------------------------------------------------


def _run_ffmpeg(
    args: list[str],
    on_progress: Callable[[dict[str, str]], None],
    cancel: threading.Event,
    workdir: Path,
) -> str | None:
    """Run ffmpeg with ``-progress pipe:1``; None on success, else why not, in one line.

    stderr goes to a file, not a pipe: a damaged source can print more errors than a pipe
    holds, and ffmpeg would then stall waiting for a reader. A watchdog stops ffmpeg when the
    render is cancelled, and when its output has not moved for ``STALL_SECONDS`` (some broken
    inputs send ffmpeg into a loop that neither ends nor reports).
    """
    exe = tool_path("ffmpeg")
    stall = STALL_SECONDS
    with tempfile.TemporaryFile(dir=workdir) as err:
        try:
            proc = subprocess.Popen(
                [exe, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                text=True, encoding="utf-8", errors="replace",
            )
        except OSError as e:
            return f"ffmpeg could not start: {e.strerror or e}"
        moved = time.monotonic()
        stalled = False
        finished = threading.Event()

        def watch() -> None:
            nonlocal stalled
            while not finished.wait(0.25):
                if cancel.is_set():
                    proc.kill()
                    return
                if time.monotonic() - moved > stall:
                    stalled = True
                    proc.kill()
                    return

        watcher = threading.Thread(target=watch, name="ffmpeg-watchdog", daemon=True)
        watcher.start()
        block: dict[str, str] = {}
        mark: tuple[str | None, str | None] = (None, None)
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                key, sep, value = line.strip().partition("=")
                if not sep:
                    continue
                block[key] = value
                if key == "progress":
                    now = (block.get("frame"), block.get("out_time_us"))
                    if now != mark:
                        mark, moved = now, time.monotonic()
                    on_progress(block)
                    block = {}
        finally:
            proc.stdout.close()
            code = proc.wait()
            finished.set()
            watcher.join()
        if cancel.is_set():
            return "cancelled"
        if stalled:
            return f"ffmpeg made no progress for {stall:g} s and was stopped"
        if code != 0:
            err.seek(0)
            return last_error_line(err.read().decode("utf-8", errors="replace"))
    return None


class _Progress:
    """Turns batch frame counts and the join's output time into one rising fraction."""

    def __init__(self, total_frames: int, report: Callable[[float], None] | None,
                 join: bool) -> None:
        self.total = max(1, total_frames)
        self.report = report
        self.share = _JOIN_SHARE if join else 0.0
        self.frames = 0
        self.join = 0.0
        self.last = -1.0
        self.lock = threading.Lock()

    def batch(self, batch: _Batch, frames: int) -> None:
        with self.lock:
            frames = min(max(frames, batch.done), batch.frames)
            self.frames += frames - batch.done
            batch.done = frames
            self._emit()

    def joined(self, fraction: float) -> None:
        with self.lock:
            self.join = max(self.join, min(1.0, fraction))
            self._emit()

    def finish(self) -> None:
        with self.lock:
            self._emit(1.0)

    def _emit(self, value: float | None = None) -> None:
        if value is None:
            value = (1 - self.share) * self.frames / self.total + self.share * self.join
            value = min(value, 0.999)
        if self.report is not None and value > self.last:
            self.last = value
            self.report(value)


# --- the render ---------------------------------------------------------------------------------


def _plan(timeline: Timeline, look: _Look) -> list[_Piece]:
    """One piece per event with a duration; every input checked before any work starts."""
    described: dict[Path, _Media] = {}
    pieces: list[_Piece] = []
    for number, event in enumerate(timeline.events, 1):
        if event.kind == "note" or event.duration <= 0:
            continue
        what = _item_name(number, event)
        if event.kind in ("clip", "still"):
            source = event.source
            if source is None:
                raise UsageError(f"{what}: has no source file")
            path = _input_file(source)
            if not path.is_file():
                raise UsageError(f"{what}: source file not found: {path}")
            if path not in described:
                described[path] = _describe(path, what)
            media = described[path]
            if event.kind == "clip":
                _check_range(what, event, source, media)
                pieces.append(_clip_piece(number, what, event, source, media, look))
            else:
                pieces.append(_still_piece(number, what, event, source, media, look))
        elif event.kind in ("title", "voiceover"):
            pieces.append(_card_piece(number, what, event, look))
        else:
            raise UsageError(f"{what}: cannot render an event of kind {event.kind!r}")
    return pieces


def _check_range(what: str, event: Event, source: Source, media: _Media) -> None:
    """Refuse an in point at or past the end of the media: ffmpeg would give no picture for it,
    and a range without a single frame makes the join of several items hang."""
    if media.duration is None or media.duration <= 0:
        return
    if source.seconds(event.source_in) >= media.duration:
        length = media.duration * source.rate
        raise MediaError(
            f"{what}: in point {source.timecode(event.source_in)} is past the end of "
            f"{media.path}, which ends at {source.timecode(math.ceil(length))}"
        )


def _batches(pieces: list[_Piece], workdir: Path) -> list[_Batch]:
    """Consecutive runs of at most BATCH_EVENTS pieces, of near-equal size; a cut that fits in
    one is written straight as the final file."""
    count = max(1, math.ceil(len(pieces) / BATCH_EVENTS))
    if count == 1:
        return [_Batch(pieces, workdir / "review.mp4", final=True)]
    batches = []
    start = 0
    for k in range(count):
        stop = start + (len(pieces) - start) // (count - k)
        batches.append(_Batch(pieces[start:stop], workdir / f"part{k:05d}.mov", final=False))
        start = stop
    return batches


def _run_batch(batch: _Batch, look: _Look, workdir: Path, cancel: threading.Event,
               seen: Callable[[int], None]) -> str | None:
    """Render one batch; None when it worked, else why not (one line), or "cancelled"."""
    encoded = 0

    def on_block(block: dict[str, str]) -> None:
        nonlocal encoded
        frame = block.get("frame", "")
        if frame.isdigit():
            encoded = int(frame)
            seen(encoded)

    error = _run_ffmpeg(batch.args(look), on_block, cancel, workdir)
    if error is not None:
        for piece in batch.pieces:
            for h in piece.hide:
                error = error.replace(h, "the file")
        return error
    if encoded < batch.frames:
        # a range that gave no picture at all (the held last frame fills any other shortfall)
        return "no picture in the used range (is the in point past the end of the media?)"
    return None


def _failure(batch: _Batch, error: str, look: _Look, workdir: Path) -> MediaError:
    """The error to report for a failed batch, naming the one item at fault.

    One ffmpeg renders several items, so its message does not say which; each item is then
    tried alone (only on this failure path) to find the one that fails.
    """
    pieces = batch.pieces
    if len(pieces) > 1:
        for k, piece in enumerate(pieces):
            alone = _Batch([piece], workdir / f"check{k:05d}.mov", final=False)
            why = _run_batch(alone, look, workdir, threading.Event(), lambda _: None)
            if why is not None:
                pieces, error = [piece], why
                break
    if len(pieces) == 1:
        on = f" on {pieces[0].file}" if pieces[0].file else ""
        return MediaError(f"{pieces[0].what}: ffmpeg failed{on}: {error}")
    return MediaError(f"{batch.what}: ffmpeg failed: {error}")


def _render_batches(batches: list[_Batch], look: _Look, progress: _Progress, jobs: int,
                    workdir: Path) -> None:
    cancel = threading.Event()

    def run(batch: _Batch) -> None:
        error = _run_batch(batch, look, workdir, cancel,
                           lambda frames: progress.batch(batch, frames))
        if error == "cancelled":
            return
        if error is not None:
            cancel.set()
            raise _failure(batch, error, look, workdir)
        progress.batch(batch, batch.frames)

    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="review-render") as pool:
        futures: list[Future[None]] = [pool.submit(run, b) for b in batches]
        _, pending = wait(futures, return_when=FIRST_EXCEPTION)
        failed = next((f for f in futures
                       if f.done() and not f.cancelled() and f.exception() is not None), None)
        if failed is not None:
            cancel.set()
            for f in pending:
                f.cancel()
            wait(pending)
            exc = failed.exception()
            assert exc is not None
            raise exc


def _join(batches: list[_Batch], target: Path, look: _Look, progress: _Progress,
          workdir: Path) -> None:
    """Concatenate the parts: video copied, audio encoded to AAC once, index up front."""
    listing = workdir / "parts.txt"
    listing.write_text(
        "ffconcat version 1.0\n" + "".join(f"file '{b.path.name}'\n" for b in batches),
        encoding="utf-8",
    )
    total_us = float(sum(b.frames for b in batches) / look.rate) * 1e6

    def seen(block: dict[str, str]) -> None:
        value = block.get("out_time_us", "")
        if value.lstrip("-").isdigit() and total_us > 0:
            progress.joined(max(0, int(value)) / total_us)

    args = [
        "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats",
        "-progress", "pipe:1",
        "-f", "concat", "-safe", "0", "-i", media_arg(listing),
        "-map", "0:v", "-map", "0:a", "-c:v", "copy", *_FINAL_AUDIO,
        "-timecode", look.start, "-movflags", "+faststart", "-f", "mp4", media_arg(target),
    ]
    error = _run_ffmpeg(args, seen, threading.Event(), workdir)
    if error is not None:
        raise MediaError(f"review render: ffmpeg could not join the parts: {error}")


def _probe_duration(path: Path) -> float:
    out = run_tool("ffprobe", ["-v", "error", "-show_entries", "format=duration",
                               "-of", "default=noprint_wrappers=1:nokey=1", media_arg(path)])
    try:
        return float(out.strip())
    except ValueError:
        return 0.0


def _remove_stale_workdirs(directory: Path, name: str, older_than: float = 60.0) -> None:
    """Clear the work folders of earlier renders of the same file that were killed (a killed
    render cannot remove its own); a folder touched in the last minute may be a render still
    running beside this one, and is left."""
    now = time.time()
    for stale in directory.glob(f".{glob.escape(name)}.*.render"):
        with contextlib.suppress(OSError):
            if stale.is_dir() and now - stale.stat().st_mtime > older_than:
                shutil.rmtree(stale, ignore_errors=True)


#: The names a review cut may be written under: it is always an MP4.
REVIEW_SUFFIXES = frozenset({".mp4", ".m4v"})


def render_review(
    timeline: Timeline,
    output: Path,
    *,
    height: int = 360,
    progress: Callable[[float], None] | None = None,
    jobs: int | None = None,
) -> RenderStats:
    """Render ``timeline`` as a review cut (H.264/AAC MP4, ``height`` lines) at ``output``.

    The file appears whole or not at all: work happens in a hidden folder beside ``output``,
    removed afterwards, and the finished file is renamed into place. ``progress`` is called
    with a rising fraction, ending at 1.0. ``jobs`` parts are rendered at once (default: the
    CPU count, at most 4; each ffmpeg runs on one thread). Raises :class:`UsageError` for a
    missing source file or an empty cut and :class:`MediaError` when ffmpeg fails, each naming
    the item and the file.
    """
    output = Path(output)
    if output.suffix.lower() not in REVIEW_SUFFIXES:
        # The bytes are MP4 whatever the name says; a player or an editor trusts the name.
        raise UsageError(f"a review cut is an MP4 (H.264 and AAC): name it .mp4, "
                         f"not {output.name}")
    width, height = review_size(timeline, height)
    if not any(e.kind != "note" and e.duration > 0 for e in timeline.events):
        raise UsageError(f"cut {timeline.name!r} has nothing to render")
    directory = output.parent if str(output.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"cannot write the review cut to {output}: no folder {directory}")
    tool_path("ffmpeg")
    look = _Look(width, height, timeline.rate, drawtext_escape(os.fspath(find_font())),
                 str(timeline.start))
    workers = max(1, jobs if jobs is not None else min(4, os.cpu_count() or 1))

    started = time.monotonic()
    cpu_before = _children_cpu()
    _remove_stale_workdirs(directory, output.name)
    try:
        workdir = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".render",
                                        dir=directory))
    except OSError as e:
        raise UsageError(f"cannot write the review cut to {output}: {e.strerror or e}") from None
    try:
        pieces = _plan(timeline, look)
        batches = _batches(pieces, workdir)
        frames = sum(b.frames for b in batches)
        meter = _Progress(frames, progress, join=len(batches) > 1)
        _render_batches(batches, look, meter, workers, workdir)
        if len(batches) == 1:
            partial = batches[0].path
        else:
            partial = workdir / "review.mp4"
            _join(batches, partial, look, meter, workdir)
        output_duration = _probe_duration(partial)
        size = partial.stat().st_size
        try:
            os.replace(partial, output)
        except OSError as e:
            raise UsageError(
                f"cannot write the review cut to {output}: {e.strerror or e}"
            ) from None
    except RushesError:
        raise
    except OSError as e:
        raise MediaError(f"review render failed: {e.strerror or e}") from None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    meter.finish()
    return RenderStats(
        output=output,
        frames=frames,
        duration=timeline.seconds(frames),
        output_duration=output_duration,
        width=width,
        height=height,
        rate=timeline.rate,
        items=len(pieces),
        parts=len(batches),
        cpu_seconds=_children_cpu() - cpu_before,
        wall_seconds=time.monotonic() - started,
        size_bytes=size,
    )
