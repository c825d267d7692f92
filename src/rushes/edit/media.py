"""What editing needs to know of an asset: its clock (rate, start timecode), length and streams,
and how a user's in/out points are read against that clock."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sqlalchemy as sa

from rushes.catalog.assets import AssetRow
from rushes.catalog.results import result_of
from rushes.domain import TIMED_KINDS
from rushes.domain.timecode import Timecode, parse_time, timecode_at, to_json_time
from rushes.edit.timeline import round_half_up
from rushes.errors import UsageError
from rushes.media.mixdown import audio_layout
from rushes.present import (
    DEFAULT_TIMECODE_RATE,
    audio_clock,
    media_clock,
    reference_timecode,
    time_reference,
)


@dataclass(frozen=True)
class MediaInfo:
    asset: AssetRow
    rate: Fraction | None
    start: Timecode | None
    duration: Fraction | None
    width: int | None
    height: int | None
    has_video: bool
    has_audio: bool
    audio_rate: int | None
    #: Channels in every audio stream together (a camera's four mono tracks: 4).
    audio_channels: int | None
    #: An audio file's recorded start, exact seconds since midnight (a Broadcast WAV's time
    #: reference); None for video, stills and audio without one.
    reference: Fraction | None = None
    #: The rate a timecode typed for such a file is read at (it has no frames of its own): the
    #: recorder's, from its iXML; else the cut's rate when it goes into a cut, else the
    #: ``sequence_rate`` setting (25 by default).
    timecode_rate: Fraction = DEFAULT_TIMECODE_RATE
    #: Whether those labels are drop-frame; None: as usual at that rate.
    timecode_drop_frame: bool | None = None
    #: Channels of each audio stream in file order: ``(2,)`` for stereo, ``(1, 1, 1, 1)`` for a
    #: camera's four mono tracks; empty where the probe did not list its streams.
    audio_layout: tuple[int, ...] = ()

    @property
    def clock(self) -> tuple[Fraction | None, Timecode | None]:
        """The rate and start timecode that source timecodes of this asset count in: the
        video's own, or for a Broadcast WAV its time reference at ``timecode_rate``."""
        if self.rate is not None:
            return self.rate, self.start
        if self.reference is not None:
            return self.timecode_rate, reference_timecode(
                self.reference, self.timecode_rate, self.timecode_drop_frame
            )
        return None, None

    @property
    def name(self) -> str:
        return (self.asset.path or self.asset.id).rsplit("/", 1)[-1]

    def snap(self, t: Fraction) -> Fraction:
        """The nearest frame boundary (halves up): a clip always starts and ends on a frame."""
        if self.rate is None:
            return t
        return Fraction(round_half_up(t * self.rate)) / self.rate

    def parse(self, text: str, what: str) -> Fraction:
        """A user's in or out point: seconds, ``HH:MM:SS.mmm`` or a source timecode.

        The media's length goes along so that, on a recording that runs past midnight, a
        label earlier than its start timecode reads as the next day's (the clock wraps).
        On a Broadcast WAV a timecode counts from its time reference at ``timecode_rate``
        (``10:00:02:00`` is two seconds into a file stamped 10:00:00:00); on other audio a
        timecode is refused, as there is no clock to read it against."""
        rate, start = self.clock
        try:
            return parse_time(text, rate, start, self.duration)
        except UsageError as exc:
            raise UsageError(f"{what} {text!r}: {exc}") from None

    def check_range(self, start: Fraction, end: Fraction, where: str) -> None:
        if self.duration is not None and start >= self.duration:
            raise UsageError(
                f"{where}: the in point {self.label(start)} is beyond the end of {self.name} "
                f"({self.label(self.duration)})"
            )
        if end <= start:
            raise UsageError(
                f"{where}: the out point {self.label(end)} is not after the in point "
                f"{self.label(start)}"
            )
        if self.duration is not None:
            slack = Fraction(1, 2) / self.rate if self.rate else Fraction(1, 1000)
            if end > self.duration + slack:
                raise UsageError(
                    f"{where}: the out point {self.label(end)} is beyond the end of "
                    f"{self.name} ({self.label(self.duration)})"
                )

    def label(self, t: Fraction) -> str:
        """A time as a person reads it for this asset: its source timecode (on the 24-hour
        clock, so 00:00:02:00 after midnight), else seconds."""
        rate, start = self.clock
        if rate is not None:
            return str(timecode_at(t, rate, start))
        return f"{float(t):.3f}s"

    def time_json(self, t: Fraction) -> dict[str, Any]:
        rate, start = self.clock
        return {
            "seconds": to_json_time(t),
            "timecode": str(timecode_at(t, rate, start)) if rate else None,
        }


def media_info(
    conn: sa.Connection, asset: AssetRow, timecode_rate: Fraction | None = None
) -> MediaInfo:
    """``timecode_rate``: what a Broadcast WAV's timecodes count in when the file does not say
    (see ``MediaInfo``)."""
    probe = result_of(conn, asset.id, "probe") or {}
    rate, start = media_clock(probe)
    tc_rate, tc_drop_frame = audio_clock(probe, timecode_rate)
    duration_text = probe.get("duration")
    duration = Fraction(str(duration_text)) if duration_text else None
    has_video = bool(probe.get("video_codec")) or asset.kind == "image"
    layout = audio_layout(probe) if asset.kind in TIMED_KINDS else ()
    return MediaInfo(
        asset=asset,
        rate=rate if asset.kind == "video" else None,
        start=start if asset.kind == "video" else None,
        duration=duration if asset.kind in TIMED_KINDS else None,
        width=probe.get("width"),
        height=probe.get("height"),
        has_video=has_video,
        has_audio=bool(probe.get("audio_codec")),
        audio_rate=probe.get("audio_sample_rate"),
        audio_channels=sum(layout) if layout else probe.get("audio_channels"),
        reference=time_reference(probe) if asset.kind == "audio" else None,
        timecode_rate=tc_rate,
        timecode_drop_frame=tc_drop_frame,
        audio_layout=layout,
    )
