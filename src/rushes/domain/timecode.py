"""Exact media time: rational frame rates, timecode parsing and printing.

Every time in rushes is a :class:`fractions.Fraction` of seconds or an integer frame count at an
exact rational rate. Floats appear only at the edges (JSON output), because a float rounded early
is how 29.97 material drifts by a frame an hour in other tools.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

from rushes.errors import UsageError

#: Rates that editors meet, by the names people type.
_RATE_NAMES: dict[str, Fraction] = {
    "23.976": Fraction(24000, 1001),
    "23.98": Fraction(24000, 1001),
    "29.97": Fraction(30000, 1001),
    "47.952": Fraction(48000, 1001),
    "59.94": Fraction(60000, 1001),
    "119.88": Fraction(120000, 1001),
}


def parse_rate(text: str | int | float | Fraction) -> Fraction:
    """Read a frame rate as an exact fraction: ``"30000/1001"``, ``"29.97"``, ``25``."""
    if isinstance(text, Fraction):
        rate = text
    elif isinstance(text, int):
        rate = Fraction(text)
    elif isinstance(text, float):
        if not math.isfinite(text):
            raise UsageError(f"not a frame rate: {text!r}")
        rate = snap_rate(Fraction(text).limit_denominator(1001))
    else:
        s = text.strip()
        if s in _RATE_NAMES:
            rate = _RATE_NAMES[s]
        else:
            try:
                rate = Fraction(s)
            except (ValueError, ZeroDivisionError):
                raise UsageError(f"not a frame rate: {text!r}") from None
            if "/" not in s:
                rate = snap_rate(rate)
    if rate <= 0:
        raise UsageError(f"not a frame rate: {text!r}")
    return rate


def snap_rate(rate: Fraction) -> Fraction:
    """Replace a rounded NTSC rate (29.97, 23.976…) by its exact value N*1000/1001."""
    for base in (24, 30, 48, 60, 120):
        ntsc = Fraction(base * 1000, 1001)
        if rate != ntsc and abs(rate - ntsc) < Fraction(1, 200):
            return ntsc
    return rate


def is_drop_frame_rate(rate: Fraction) -> bool:
    """Drop-frame timecode exists only for the 30000/1001 family (29.97, 59.94, 119.88)."""
    return rate.denominator == 1001 and rate.numerator % 30000 == 0


def nominal_fps(rate: Fraction) -> int:
    """Frames counted per timecode second: 30 for 29.97, 24 for 23.976, 25 for 25."""
    return round(rate)


#: Rates a person is offered when a rate has no timecode (see :func:`check_timecode_rate`).
TIMECODE_RATES = "23.976, 24, 25, 29.97, 30, 47.952, 48, 50, 59.94, 60, 119.88, 120"


def has_timecode(rate: Fraction) -> bool:
    """Whether SMPTE timecode can count ``rate``: a whole number of frames a second, or an NTSC
    rate N×1000/1001 counted as N (23.976 as 24, 29.97 as 30)."""
    return rate.denominator == 1 or (rate.denominator == 1001 and rate.numerator % 1000 == 0)


def check_timecode_rate(rate: Fraction) -> Fraction:
    """``rate`` if a sequence can run at it and be labelled with timecode, else one line why.

    A timecode label counts whole frames within each second, so 12.5 fps has none (it would be
    labelled as 12 and drift a frame every two seconds); no editing application offers it for
    a sequence with timecode (Resolve and Final Cut Pro list whole and NTSC rates only)."""
    if not has_timecode(rate):
        raise UsageError(
            f"a rate of {format_rate(rate)} fps has no timecode (a label counts whole frames "
            f"each second); use {TIMECODE_RATES}, another whole number or N×1000/1001"
        )
    return rate


def parse_sequence_rate(text: str | int | float | Fraction) -> Fraction:
    """A cut's rate as typed (``25``, ``29.97``, ``30000/1001``): exact, and one timecode counts."""
    return check_timecode_rate(parse_rate(text))


def day_frames(rate: Fraction, drop_frame: bool = False) -> int:
    """Frames in a timecode day, after which labels wrap to 00:00:00:00 (SMPTE ST 12 is a
    24-hour clock): 2,160,000 at 25; 2,589,408 at 29.97 drop-frame, which skips two frame
    numbers in 9 minutes of every 10."""
    per_hour = nominal_fps(rate) * 3600 - (drop_count(rate) * 54 if drop_frame else 0)
    return 24 * per_hour


@dataclass(frozen=True, slots=True)
class Timecode:
    """A SMPTE timecode label: a frame count at a rate, printed with or without drop-frame."""

    frames: int
    rate: Fraction
    drop_frame: bool = False

    def __post_init__(self) -> None:
        if self.drop_frame and not is_drop_frame_rate(self.rate):
            raise UsageError(f"drop-frame timecode does not exist at {format_rate(self.rate)} fps")

    @classmethod
    def parse(
        cls, text: str, rate: Fraction, drop_frame: bool | None = None, *, within_day: bool = False
    ) -> Timecode:
        """Parse ``HH:MM:SS:FF`` or ``HH:MM:SS;FF`` (``;`` or ``,`` before frames: drop-frame).

        ``within_day``: refuse hours past 23, as SMPTE timecode has none; a person typing
        ``25:00:00:00`` has made a mistake. Labels read from files are left as they are, so a
        list another tool wrote with ``24:00:01:00`` still reads (as the next day's label)."""
        m = _TC_RE.match(text.strip())
        if not m:
            raise UsageError(f"not a timecode: {text!r} (expected HH:MM:SS:FF)")
        hh, mm, ss, sep, ff = m.groups()
        h, mi, s, f = int(hh), int(mm), int(ss), int(ff)
        df = sep in ";," if drop_frame is None else drop_frame
        fps = nominal_fps(rate)
        if df and not is_drop_frame_rate(rate):
            raise UsageError(
                f"timecode {text!r} is drop-frame, which does not exist at {format_rate(rate)} fps"
            )
        if mi > 59 or s > 59 or f >= fps:
            raise UsageError(
                f"timecode {text!r} is out of range at {format_rate(rate)} fps (minutes and "
                f"seconds run to 59, frames to {fps - 1:02d})"
            )
        if within_day and h > 23:
            raise UsageError(
                f"timecode {text!r} is out of range: hours run to 23 (timecode is a 24-hour "
                "clock: 23:59:59 is followed by 00:00:00)"
            )
        if df:
            drop = drop_count(rate)
            if s == 0 and mi % 10 != 0 and f < drop:
                raise UsageError(f"timecode {text!r} does not exist in drop-frame (frames skipped)")
            total_minutes = 60 * h + mi
            frames = (
                ((h * 3600 + mi * 60 + s) * fps + f)
                - drop * (total_minutes - total_minutes // 10)
            )
        else:
            frames = (h * 3600 + mi * 60 + s) * fps + f
        return cls(frames, rate, df)

    def __str__(self) -> str:
        return self.label()

    def label(self, *, wrap: bool = True) -> str:
        """The label as SMPTE ST 12 prints it: a 24-hour clock, so the frame after 23:59:59:24
        is 00:00:00:00 (a source recorded across midnight, a sequence started late at night).
        ``wrap=False`` keeps counting hours (24:00:00:00), for lengths and for arithmetic on
        printed labels that must stay in order."""
        drop = drop_count(self.rate) if self.drop_frame else 0
        frames = self.frames % day_frames(self.rate, self.drop_frame) if wrap else self.frames
        return format_frames(frames, nominal_fps(self.rate), drop)

    def seconds(self) -> Fraction:
        """Elapsed real time since 00:00:00:00 (drop-frame labels track the wall clock)."""
        return self.frames / self.rate

    def __add__(self, frames: int) -> Timecode:
        return Timecode(self.frames + frames, self.rate, self.drop_frame)


def format_frames(frames: int, fps: int, drop: int) -> str:
    """The label of a frame count at ``fps`` frames per timecode second; ``drop``: the frame
    numbers skipped each minute (drop-frame, printed with ``;``), 0 for none."""
    sign = "-" if frames < 0 else ""
    frames = abs(frames)
    if drop:
        per_10min = fps * 600 - drop * 9
        per_min = fps * 60 - drop
        tens, rem = divmod(frames, per_10min)
        if rem > drop:
            frames += drop * 9 * tens + drop * ((rem - drop) // per_min)
        else:
            frames += drop * 9 * tens
    total_s, ff = divmod(frames, fps)
    sep = ";" if drop else ":"
    return f"{sign}{total_s // 3600:02d}:{total_s // 60 % 60:02d}:{total_s % 60:02d}{sep}{ff:02d}"


@dataclass(frozen=True, slots=True)
class TimecodeClock:
    """Labels media times (µs) of one source as timecodes: its rate, from its embedded start.

    What ``str(start + frames)`` gives, with the rate's numbers worked out once: a page of
    search hits labels two times a hit, and building a :class:`Timecode` for each took twice
    as long as the label itself."""

    numerator: int
    denominator: int  # the rate's, times 10⁶ (µs)
    base: int  # the start's frame count
    fps: int
    drop: int
    day: int  # frames in a timecode day, where labels wrap

    @classmethod
    def of(cls, rate: Fraction, start: Timecode | None = None) -> TimecodeClock:
        df = start is not None and start.drop_frame
        drop = drop_count(rate) if df else 0
        base = start.frames if start is not None else 0
        return cls(rate.numerator, rate.denominator * 1_000_000, base, nominal_fps(rate), drop,
                   day_frames(rate, df))

    def label(self, us: int) -> str:
        """The timecode of the frame showing at ``us`` µs: floor(us · rate / 10⁶) past the start,
        on the 24-hour clock (a recording that runs past midnight reads 00:00:… after it)."""
        frames = (self.base + us * self.numerator // self.denominator) % self.day
        return format_frames(frames, self.fps, self.drop)


_TC_RE = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})([:;.,])(\d{2,3})$")
_CLOCK_RE = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")


def drop_count(rate: Fraction) -> int:
    """Frame numbers dropped each minute: 2 at 29.97, 4 at 59.94, 8 at 119.88."""
    return 2 * nominal_fps(rate) // 30


def format_rate(rate: Fraction) -> str:
    """A rate for people: ``29.97`` for 30000/1001, ``25`` for 25."""
    if rate.denominator == 1:
        return str(rate.numerator)
    return f"{float(rate):.3f}".rstrip("0").rstrip(".")


def parse_time(
    text: str,
    rate: Fraction | None = None,
    start: Timecode | None = None,
    duration: Fraction | None = None,
) -> Fraction:
    """Read a user time: seconds (``12.5``), ``HH:MM:SS.mmm`` or a timecode ``HH:MM:SS:FF``.

    A timecode names a frame of the source, so it is taken relative to the source's embedded
    start timecode when there is one (``start``); clock and seconds forms are media time from 0.
    Timecode is a 24-hour clock, so on a recording that runs past midnight (``duration`` long)
    a label earlier than the start is the next day's: 00:00:02:00 on a file starting at
    23:59:59:00 is three seconds in. A label earlier than the start that the media does not
    reach is refused.
    """
    s = text.strip()
    if not s:
        raise UsageError("empty time")
    try:
        value = Fraction(s)
    except (ValueError, ZeroDivisionError):
        pass
    else:
        if value < 0:
            raise UsageError(f"negative time: {text!r}")
        return value
    tc_match = _TC_RE.match(s)
    # ``HH:MM:SS.mmm`` is the clock form (its fraction is of a second, not a frame count), even
    # though Timecode.parse also reads a '.' before the frames for metadata written that way.
    if tc_match and tc_match.group(4) != ".":
        if rate is None:
            raise UsageError(f"timecode {text!r} needs a frame rate; this media has none")
        typed_df = tc_match.group(4) in ";,"
        df = start.drop_frame if start is not None and not typed_df else None
        tc = Timecode.parse(s, rate, df, within_day=True)
        frames = tc.frames - (start.frames if start is not None else 0)
        if frames < 0 and start is not None:
            frames %= day_frames(rate, start.drop_frame)  # the next day's label
            if duration is None or Fraction(frames) / rate > duration + Fraction(1, 2) / rate:
                raise UsageError(
                    f"timecode {text!r} is before the media's start timecode {start}"
                )
        return Fraction(frames) / rate
    m = _CLOCK_RE.match(s)
    if m:
        hh, mm, ss = m.groups()
        if int(mm) > 59 or Fraction(ss) >= 60:
            raise UsageError(f"time {text!r} is out of range")
        return Fraction(int(hh or 0) * 3600 + int(mm) * 60) + Fraction(ss)
    raise UsageError(f"not a time: {text!r} (use seconds, HH:MM:SS.mmm or HH:MM:SS:FF)")


def parse_start(text: str, rate: Fraction, drop_frame: bool | None = None) -> Timecode:
    """A sequence's record start as a person types it, held to what ``clip add`` holds a source
    timecode to: a label of the 24-hour clock (no ``25:00:00:00``, no minute 60, no frame 25 at
    25 fps) and ``;`` only at a rate that has drop-frame. ``drop_frame`` (from
    ``--drop-frame/--non-drop-frame`` or the cut's labelling) decides at 29.97 and 59.94; it
    cannot make a ``;`` acceptable at 25, where the typed label names a frame that no 25 fps
    clock shows."""
    m = _TC_RE.match(text.strip())
    try:
        if m and m.group(4) in ";," and not is_drop_frame_rate(rate):
            raise UsageError(
                f"timecode {text!r} is drop-frame, which does not exist at {format_rate(rate)} fps"
            )
        return Timecode.parse(text, rate, drop_frame, within_day=True)
    except UsageError as exc:
        raise UsageError(f"start {exc}") from None


#: The longest a title, voice-over or still may last: a timecode day (labels wrap at 24 hours).
MAX_DURATION = Fraction(24 * 3600)


def check_duration(seconds: Fraction, text: str) -> Fraction:
    """``seconds`` if it is a length a cut item may have: above zero, at most a timecode day."""
    if seconds <= 0:
        raise UsageError(f"a duration must be above zero, not {text!r}")
    if seconds > MAX_DURATION:
        raise UsageError(
            f"a duration must be at most 24 hours (86400 seconds, a timecode day), not {text!r}"
        )
    return seconds


def parse_duration(text: str) -> Fraction:
    """A length typed in seconds (``4``, ``2.5``, ``1/3``): finite, above zero, at most 24 hours."""
    try:
        seconds = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise UsageError(
            f"not a duration in seconds: {text!r} (a number above zero, at most 86400)"
        ) from None
    return check_duration(seconds, text)


def frame_at(seconds: Fraction, rate: Fraction) -> int:
    """The frame shown at a moment: the last frame that started at or before it."""
    return math.floor(seconds * rate)


def timecode_at(
    seconds: Fraction, rate: Fraction, start: Timecode | None = None, drop_frame: bool = False
) -> Timecode:
    """The timecode label of the frame shown at ``seconds`` into the media."""
    frames = frame_at(seconds, rate) + (start.frames if start is not None else 0)
    df = start.drop_frame if start is not None else drop_frame
    return Timecode(frames, rate, df)


def to_json_time(value: Fraction) -> float:
    """Seconds for JSON: rounded to the microsecond so output stays readable and stable."""
    return round(float(value), 6)
