"""A paper edit as editing applications see it: a sequence of events at an exact frame rate.

This is the one shape every exporter writes and every importer reads back. Building it
(:mod:`rushes.edit.conform`) is where a cut's items meet the catalog: clip ranges become source
frames at the source's own rate, and record durations become frames at the sequence rate by the
rounding rule below. Exporters never round again; they only print these integers.

Conform rule (mixed rates): a source range keeps its exact source frames; its length on the
record side is ``round_half_up(source_frames × sequence_rate / source_rate)`` sequence frames,
at least one. Real time is kept to within half a sequence frame per event and never accumulates,
because each event's record in is the sum of the rounded durations before it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Literal

from rushes.domain.timecode import Timecode, format_rate

EventKind = Literal["clip", "still", "title", "voiceover", "note"]


def round_half_up(value: Fraction) -> int:
    """The rounding every conform uses: halves go up, so the rule reads the same to everyone."""
    return math.floor(value + Fraction(1, 2))


def conform_frames(source_frames: int, source_rate: Fraction, sequence_rate: Fraction) -> int:
    """Sequence frames that a range of ``source_frames`` at ``source_rate`` occupies."""
    if source_rate == sequence_rate:
        return source_frames
    return max(1, round_half_up(Fraction(source_frames) * sequence_rate / source_rate))


def seconds_to_frames(seconds: Fraction, rate: Fraction) -> int:
    """A duration in seconds (stills, titles, voice-over) as whole frames, at least one."""
    return max(1, round_half_up(seconds * rate))


@dataclass(frozen=True, slots=True)
class Word:
    """A transcript word inside an event's source range, in source media seconds (0 = start)."""

    start: Fraction
    end: Fraction
    text: str
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """A catalogued media file, described the way an editing application must relink it.

    ``start`` is the embedded start timecode at ``rate`` (00:00:00:00 when the file has none);
    every source timecode an exporter prints is ``start + frame``. ``rate`` is the video rate;
    audio-only files and stills take the sequence rate, so their timecode counts in its frames.
    """

    asset_id: str
    path: str
    name: str
    reel: str
    kind: str
    rate: Fraction
    start: Timecode
    duration_frames: int | None = None
    width: int | None = None
    height: int | None = None
    has_video: bool = True
    has_audio: bool = False
    audio_rate: int | None = None
    #: Channels in all its audio streams together.
    audio_channels: int | None = None
    #: Channels of each audio stream, in file order (``(1, 1, 1, 1)``: four mono tracks).
    audio_layout: tuple[int, ...] = ()
    #: A browser-friendly copy in the cache (H.264/AAC), when the proxy analyzer made one.
    proxy: str | None = None

    @property
    def audio_streams(self) -> tuple[int, ...]:
        """Channels per audio stream, as exporters lay them out; a source probed before
        layouts were read counts as one stream of its channels (two when unknown)."""
        return self.audio_layout or (self.audio_channels or 2,)

    def timecode(self, frame: int) -> Timecode:
        """The source timecode label of a frame counted from the media's first frame."""
        return Timecode(self.start.frames + frame, self.rate, self.start.drop_frame)

    def seconds(self, frame: int) -> Fraction:
        """Media time (seconds from the first frame) of a source frame."""
        return Fraction(frame) / self.rate


@dataclass(frozen=True, slots=True)
class Event:
    """One item of the sequence, in order, with its place on the record side.

    ``clip``: a range of a video or audio source; ``still``: an image held for ``duration``;
    ``title``: a card showing ``text``; ``voiceover``: a placeholder for narration still to be
    recorded, ``text`` being its script; ``note``: a comment between items (no duration).
    ``source_in``/``source_out`` are source frames from the media start, out exclusive.
    """

    kind: EventKind
    record_in: int
    duration: int
    source: Source | None = None
    source_in: int = 0
    source_out: int = 0
    label: str = ""
    text: str = ""
    item_id: int | None = None
    clip_id: int | None = None
    words: tuple[Word, ...] = ()

    @property
    def record_out(self) -> int:
        return self.record_in + self.duration

    @property
    def source_frames(self) -> int:
        return self.source_out - self.source_in


@dataclass(frozen=True, slots=True)
class Timeline:
    """A whole cut: name, sequence rate, drop-frame labelling, record start and events."""

    name: str
    rate: Fraction
    start: Timecode
    events: tuple[Event, ...]
    width: int = 1920
    height: int = 1080
    audio_rate: int = 48000
    notes: tuple[str, ...] = field(default=())

    @property
    def drop_frame(self) -> bool:
        return self.start.drop_frame

    @property
    def duration(self) -> int:
        """Running time in sequence frames (notes take none)."""
        return max((e.record_out for e in self.events), default=0)

    def record_timecode(self, frame: int) -> Timecode:
        """The record (sequence) timecode of a frame counted from the sequence start."""
        return Timecode(self.start.frames + frame, self.rate, self.start.drop_frame)

    def seconds(self, frames: int) -> Fraction:
        return Fraction(frames) / self.rate

    def sources(self) -> list[Source]:
        """Each source once, in order of first use."""
        seen: dict[str, Source] = {}
        for event in self.events:
            if event.source is not None and event.source.asset_id not in seen:
                seen[event.source.asset_id] = event.source
        return list(seen.values())

    def describe_rate(self) -> str:
        return f"{format_rate(self.rate)}{' DF' if self.drop_frame else ''}"


@dataclass(frozen=True, slots=True)
class ImportedEvent:
    """One event read back from an editor's timeline file, before matching it to an asset.

    Source timecodes are absolute labels (as printed in the file) at ``rate``; ``source_out``
    and ``record_out`` are exclusive. Whatever names the file gives (reel, clip, file) are kept
    so matching can try each.
    """

    index: int
    track: str
    rate: Fraction
    source_in: Timecode
    source_out: Timecode
    record_in: Timecode
    record_out: Timecode
    reel: str | None = None
    clip_name: str | None = None
    file_name: str | None = None
    #: The media's full path or URL as the file gives it (an EDL's ``* SOURCE FILE:``, a
    #: ``pathurl``, a media-rep ``src``, a ``target_url``): what tells ``cardA/C0001.MP4``
    #: from ``cardB/C0001.MP4``. See :func:`rushes.edit.importers.source_path`.
    file_path: str | None = None

    @property
    def frames(self) -> int:
        return self.source_out.frames - self.source_in.frames


_REEL_CHARS = re.compile(r"[^A-Z0-9_]")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def reel_name(file_name: str, taken: set[str] | None = None) -> str:
    """A CMX3600 reel name (≤ 8 of ``A-Z 0-9 _``) from a file name, unique among ``taken``.

    Editors relink by the full file name carried in EDL comments; the reel is only a tag, but
    it must be stable (the same file gets the same reel in every export), unique in a list and
    still say something: a name that fits keeps its underscores (``A001``, ``ROLL_3``); a longer
    one drops them first, so camera names keep roll and clip (``A001_C002_harbour.mp4`` →
    ``A001C002``), and a clash ends in ``_N`` (``A001C0_1``), which cannot be mistaken for
    another camera clip number.
    """
    stem = Path(file_name).stem.upper().replace(" ", "_").replace("-", "_")
    kept = _REEL_CHARS.sub("", stem)
    base = (kept if len(kept) <= 8 else _NOT_ALNUM.sub("", stem)) or "AX"
    name = base[:8]
    if taken is None:
        return name
    n = 1
    while name in taken:
        suffix = f"_{n}"
        name = base[: 8 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name
