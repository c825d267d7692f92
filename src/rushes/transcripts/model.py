"""The transcript model: segments and words with exact times, and the small helpers around it.

Times are :class:`fractions.Fraction` seconds of media time (0 = the first sample of the asset),
never floats. Files may print times shifted by the asset's embedded start timecode; the
``printed_time`` / ``media_time`` pair converts between the two exactly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from rushes.domain.timecode import Timecode, frame_at, nominal_fps, to_json_time

#: What a writer may shift printed times by: a start timecode (times then follow the timecode
#: labels an editor sees), a plain number of seconds, or nothing.
Offset = Timecode | Fraction | None

MILLISECOND = Fraction(1, 1000)


@dataclass(slots=True)
class Word:
    """One word (or, for unspaced scripts, one token) with its time span."""

    start: Fraction
    end: Fraction
    text: str


@dataclass(slots=True)
class Segment:
    """A cue / utterance: a span of time, its text, who speaks (when known) and word times."""

    start: Fraction
    end: Fraction
    text: str
    speaker: str | None = None
    words: list[Word] = field(default_factory=list)


@dataclass(slots=True)
class Transcript:
    """Segments in time order. ``source`` names the format read (``srt``, ``webvtt``, …)."""

    segments: list[Segment]
    language: str | None = None
    source: str = ""


@dataclass(slots=True)
class ImportResult:
    """A transcript read from a file plus what was repaired or guessed on the way, one line each."""

    transcript: Transcript
    warnings: list[str] = field(default_factory=list)


# --- time ---------------------------------------------------------------------------------------


def round_time(t: Fraction, step: Fraction = MILLISECOND) -> Fraction:
    """``t`` rounded to the nearest multiple of ``step``, halves upward (exact)."""
    return math.floor(t / step + Fraction(1, 2)) * step


def round_times(transcript: Transcript, step: Fraction = MILLISECOND) -> Transcript:
    """A copy of ``transcript`` with every time rounded to ``step`` (what a file can hold)."""
    return replace(
        transcript,
        segments=[
            replace(
                s,
                start=round_time(s.start, step),
                end=round_time(s.end, step),
                words=[
                    Word(round_time(w.start, step), round_time(w.end, step), w.text)
                    for w in s.words
                ],
            )
            for s in transcript.segments
        ],
    )


def format_clock(t: Fraction, sep: str = ".", *, hours: bool = True) -> str:
    """``HH:MM:SS.mmm`` rounded to the millisecond (never ``…:59.1000``); ``sep`` before ms."""
    if t < 0:
        raise ValueError(f"negative time {t}")
    ms = math.floor(t * 1000 + Fraction(1, 2))
    total_s, ms = divmod(ms, 1000)
    h, rem = divmod(total_s, 3600)
    m, s = divmod(rem, 60)
    if hours or h:
        return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"
    return f"{m:02d}:{s:02d}{sep}{ms:03d}"


def format_seconds(t: Fraction) -> str:
    """A duration for messages: ``0.200``."""
    ms = math.floor(abs(t) * 1000 + Fraction(1, 2))
    return f"{'-' if t < 0 else ''}{ms // 1000}.{ms % 1000:03d}"


def _label_count(tc: Timecode) -> int:
    """The timecode label read as a plain count of nominal frames (HH:MM:SS:FF → number).

    Hours go on past 23 (the label is not wrapped to the 24-hour clock): a subtitle file's
    times must keep rising through a recording that runs past midnight."""
    h, m, s, f = (int(x) for x in re.split(r"[:;]", tc.label(wrap=False)))
    return ((h * 3600 + m * 60 + s) * nominal_fps(tc.rate)) + f


def printed_time(t: Fraction, offset: Offset) -> Fraction:
    """The time to print for media time ``t`` in a file shifted by ``offset``.

    With a start :class:`Timecode`, printed times follow the timecode labels: 5 s into a clip
    starting at 01:00:00:00 prints 01:00:05.000 at any rate, 29.97 drop-frame or not (the label's
    HH:MM:SS plus frames/nominal fps, plus the position inside the frame).
    """
    if offset is None:
        return t
    if not isinstance(offset, Timecode):
        return t + offset
    rate = offset.rate
    fps = nominal_fps(rate)
    frame = frame_at(t, rate)
    label = Timecode(frame + offset.frames, rate, offset.drop_frame)
    inside = (t - Fraction(frame) / rate) * rate / fps  # < one nominal frame
    return Fraction(_label_count(label), fps) + inside


def media_time(p: Fraction, offset: Offset) -> Fraction:
    """The inverse of :func:`printed_time`: media time for a printed time (may be negative)."""
    if offset is None:
        return p
    if not isinstance(offset, Timecode):
        return p - offset
    rate = offset.rate
    fps = nominal_fps(rate)
    count = math.floor(p * fps)
    inside = p - Fraction(count, fps)
    if offset.drop_frame:
        drop = 2 * fps // 30
        minutes = count // (fps * 60)
        frames = count - drop * (minutes - minutes // 10)
    else:
        frames = count
    return Fraction(frames - offset.frames) / rate + inside * fps / rate


# --- text ---------------------------------------------------------------------------------------

_CJK_RANGES = (
    (0x2E80, 0x303F),  # radicals, CJK symbols and punctuation
    (0x3040, 0x30FF),  # kana
    (0x3100, 0x31FF),  # bopomofo, kana extensions
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),  # fullwidth forms
    (0x20000, 0x3FFFF),
)


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is of a script written without spaces (Chinese, Japanese)."""
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in _CJK_RANGES)


def has_cjk(text: str) -> bool:
    return any(is_cjk(ch) for ch in text)


_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f]+")
_INVISIBLE = re.compile(r"[\u200b\u200e\u200f\u2066-\u2069\ufeff]")


def clean_text(text: str) -> str:
    """Collapse runs of spaces (ideographic spaces are kept), drop invisible marks, strip."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def join_text(parts: list[str]) -> str:
    """Join lines or fragments with a space, except between two CJK characters (no space there)."""
    out = ""
    for raw in parts:
        part = clean_text(raw)
        if not part:
            continue
        if out and not (is_cjk(out[-1]) and is_cjk(part[0])):
            out += " "
        out += part
    return out


# --- JSON ---------------------------------------------------------------------------------------


def transcript_to_json(transcript: Transcript) -> list[dict[str, Any]]:
    """The ``segments`` list of ``rushes transcript show --json``: seconds as numbers."""
    return [
        {
            "start": to_json_time(s.start),
            "end": to_json_time(s.end),
            "text": s.text,
            "speaker": s.speaker,
            "words": [
                {"start": to_json_time(w.start), "end": to_json_time(w.end), "text": w.text}
                for w in s.words
            ],
        }
        for s in transcript.segments
    ]
