"""How far a file's data really reaches, read from its packets without decoding them.

A container states a length in its header or index (an MP4's ``moov``, a Matroska segment's
duration), and ffprobe reports that length whether or not the data behind it is there: a copy cut
short after a "faststart" index probes as the full clip. Reading every packet header (demuxing,
no decoding) finds where the data actually stops. It reads the whole file, so it is used where a
cheap sign says something is wrong (the decode pass ended early) and for audio, whose files are
small next to video.

Times are seconds from the container's start, exact, as :mod:`rushes.media.frames` gives frame
times, so the two compare directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from rushes.errors import MediaError
from rushes.media.frames import _is_attached_picture, _reason

#: Formats whose stated length comes from a header or an index written for the whole file, so
#: that data ending well before it means the file is incomplete. Elsewhere the length is worked
#: out from the data itself (MPEG-TS from its last timestamps: a cut file states a shorter
#: length) or guessed from the bit rate (raw AAC, MP3 without a Xing header, raw H.264), and a
#: shortfall says nothing.
STATED_LENGTH_FORMATS = frozenset({
    "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "mxf", "avi", "asf", "flv",
    "flac", "wav", "w64", "aiff", "caf",
})


def states_its_length(container: str | None) -> bool:
    """Whether ffprobe's ``format_name`` (``"mov,mp4,m4a,3gp,3g2,mj2"``) is a format whose
    duration is stated up front (see :data:`STATED_LENGTH_FORMATS`)."""
    return bool(container) and bool(set(str(container).split(",")) & STATED_LENGTH_FORMATS)


@dataclass(frozen=True)
class Extent:
    """Where the packets of a file's audio and video streams end.

    ``video`` and ``audio`` are the latest end (a packet's time plus its duration) over the
    streams of that type, None when the file has no such stream or none of its packets carry a
    time. ``video_stated`` is the length the video stream itself states (an MP4 track's header),
    None where only the file as a whole states one (Matroska): then it is the longest stream's.
    Reading that ends on an error counts as the end: a cut file's last packet is cut too.
    """

    video: Fraction | None
    audio: Fraction | None
    video_stated: Fraction | None = None

    @property
    def end(self) -> Fraction | None:
        """Where the last audio or video data ends."""
        ends = [t for t in (self.video, self.audio) if t is not None]
        return max(ends) if ends else None


def scan_extent(path: Path) -> Extent:
    """Read every audio and video packet of ``path`` (no decoding) and say where each type ends.

    Memory stays flat: one packet at a time. Cover art (an attached picture) is not video.
    """
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise MediaError(f"cannot open media: {_reason(exc)}") from None
    try:
        streams = [
            s for s in container.streams
            if s.type in {"video", "audio"} and not _is_attached_picture(s)
        ]
        if not streams:
            return Extent(None, None)
        start = Fraction(container.start_time or 0, 1_000_000)
        bases = {s.index: Fraction(s.time_base) for s in streams if s.time_base is not None}
        kinds = {s.index: s.type for s in streams}
        stated = [
            s.duration * bases[s.index] for s in streams
            if s.type == "video" and s.duration and s.index in bases
        ]
        # The latest end per stream in its own ticks (integers: a long WAV is a million
        # packets), made seconds once at the end.
        ticks: dict[int, int] = {}
        try:
            for packet in container.demux(*streams):
                index = packet.stream_index
                if packet.pts is None or index not in bases:
                    continue  # the flush packet at the end, or a stream without timestamps
                end = packet.pts + max(0, packet.duration or 0)
                if end > ticks.get(index, end - 1):
                    ticks[index] = end
        except (av.FFmpegError, OSError):
            pass  # a damaged or cut tail: the packets read so far are where the data ends
        ends: dict[str, Fraction] = {}
        for index, tick in ticks.items():
            seconds, kind = tick * bases[index] - start, kinds[index]
            if kind not in ends or seconds > ends[kind]:
                ends[kind] = seconds
        return Extent(ends.get("video"), ends.get("audio"), max(stated) if stated else None)
    finally:
        container.close()

