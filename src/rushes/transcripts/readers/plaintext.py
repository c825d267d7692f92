"""Plain-text transcripts with timecodes, as typed by loggers or exported by transcription tools.

A segment starts at a line beginning with a time:

- ``[00:01:02] text``, ``(00:01:02) text``, ``00:01:02.500 text``, ``[01:02] text`` (minutes and
  seconds need brackets, so prose starting with "5:30" is not taken for a time);
- ``01:00:10:12 SPEAKER: text`` — a timecode with frames (``;`` before the frames: drop-frame);
  it needs ``rate``, and counts from ``start_timecode`` (the asset's embedded start) when given;
- ``[00:00.000 --> 00:04.000] text`` (Whisper's console output): the end is given;
- a speaker heading with the time and the text on the following lines, as Otter and Rev export:
  ``John Smith  0:03``, ``John Smith (00:01:02):``, ``Speaker 1 [00:00:05]``.

``Name: `` after the time (capitalised words, ``Speaker 1``, ``SPEAKER_00``) gives the speaker.
Lines without a time continue the segment above. A segment ends where the next one starts; a time
with no text only marks the end of the one before. The last segment's end is estimated from its
length (0.4 s a word) with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from rushes.domain.timecode import Timecode, parse_rate, parse_time
from rushes.errors import UsageError
from rushes.transcripts.model import (
    ImportResult,
    Offset,
    Transcript,
    format_seconds,
    join_text,
    media_time,
)
from rushes.transcripts.readers._common import (
    RawCue,
    finalize,
    line_error,
    name_ok,
    parse_clock,
    split_speaker,
    spoken_length,
    words_said,
)

_TC = r"\d{1,2}:\d{1,2}(?::\d{1,2})?(?:[:;]\d{2,3}|[.,]\d{1,9})?"
_LEADING = re.compile(
    rf"^\s*(?:(?P<open>[\[(])\s*(?P<tc>{_TC})(?:\s*(?:-->|-|–|to)\s*(?P<end>{_TC}))?\s*[\])]"
    rf"|(?P<bare>{_TC})(?=\s|$))(?P<rest>.*)$"
)
_HEADING = re.compile(
    rf"^\s*(?P<name>[^\W\d_][^\[\]():]{{0,40}}?)\s*(?:[\[(]\s*(?P<tc>{_TC})\s*[\])]|\s(?P<tc2>{_TC}))"
    r"\s*:?\s*$"
)
_SUSPECT = re.compile(r"^\s*(?:[\[(]\s*\d{1,2}:|\d{1,2}:\d{1,2}:)")
_FRAMES = re.compile(r"^\d{1,2}:\d{1,2}:\d{1,2}[:;]\d{2,3}$")
_SEPARATOR = re.compile(r"^\s*(?:[|–—:]|-(?=\s))?\s*")


@dataclass(slots=True)
class _Entry:
    start: Fraction
    end: Fraction | None
    line: int
    speaker: str | None
    lines: list[str] = field(default_factory=list)


class _Times:
    def __init__(
        self,
        name: str,
        rate: Fraction | None,
        start_timecode: Timecode | None,
        offset: Offset,
    ) -> None:
        self.name = name
        self.offset = offset
        self.start_timecode = start_timecode
        if start_timecode is None and isinstance(offset, Timecode):
            self.start_timecode = offset
        self.rate = rate
        if rate is None and self.start_timecode is not None:
            self.rate = self.start_timecode.rate

    def parse(self, token: str, lineno: int, short_ok: bool) -> Fraction:
        token = token.strip()
        if _FRAMES.match(token):
            if self.rate is None:
                raise line_error(
                    self.name,
                    lineno,
                    f"timecode {token!r} counts frames; give the frame rate to read it",
                )
            try:
                return parse_time(token, self.rate, self.start_timecode)
            except UsageError as e:
                raise line_error(self.name, lineno, str(e)) from None
        if token.count(":") < 2 and not short_ok:
            raise line_error(self.name, lineno, f"bad timecode {token!r}")
        t = parse_clock(token)
        if t is None:
            raise line_error(self.name, lineno, f"bad timecode {token!r}")
        t = media_time(t, self.offset)
        if t < 0:
            raise line_error(self.name, lineno, f"time {token!r} is before the start offset")
        return t


def after_time(rest: str) -> tuple[str | None, str]:
    """What follows a line's time, as (speaker, text): one separator (``- ``, ``|``, ``–``,
    ``:``) dropped, then a ``Name: `` label taken. The writer asks the same question of what
    it is about to write (:func:`rushes.transcripts.writers.write_text`), so that text that
    starts like a separator (a dialogue dash, ``- Where were you?``) reads back as written."""
    rest = _SEPARATOR.sub("", rest, count=1).strip()
    return split_speaker(rest, all_caps=False) if rest else (None, "")


def read_plaintext(
    text: str,
    name: str = "transcript.txt",
    *,
    rate: Fraction | str | int | None = None,
    start_timecode: Timecode | None = None,
    offset: Offset = None,
) -> ImportResult:
    """Read a timecoded plain-text transcript (see the module notes for the forms read)."""
    times = _Times(name, parse_rate(rate) if rate is not None else None, start_timecode, offset)
    warnings: list[str] = []
    entries: list[_Entry] = []
    preamble: list[int] = []

    for i, raw in enumerate(text.removeprefix("\ufeff").split("\n")):
        lineno = i + 1
        s = raw.strip()
        if not s:
            continue
        m = _LEADING.match(s)
        if m and m.group("bare") and m.group("bare").count(":") < 2:
            m = None  # "5:30 is when we met": minutes and seconds need brackets
        if m:
            bracketed = m.group("open") is not None
            start = times.parse(m.group("tc") or m.group("bare"), lineno, bracketed)
            end = times.parse(m.group("end"), lineno, True) if m.group("end") else None
            speaker, body = after_time(m.group("rest"))
            entries.append(_Entry(start, end, lineno, speaker, [body] if body else []))
            continue
        h = _HEADING.match(s)
        if h and name_ok(h.group("name").strip(), all_caps=False):
            start = times.parse(h.group("tc") or h.group("tc2"), lineno, True)
            entries.append(_Entry(start, None, lineno, h.group("name").strip()))
            continue
        if _SUSPECT.match(s):
            token = re.split(r"[\s\])]", s.lstrip("[( "), maxsplit=1)[0]
            raise line_error(name, lineno, f"bad timecode {token!r}")
        if entries:
            entries[-1].lines.append(s)
        else:
            preamble.append(lineno)

    if not entries:
        raise line_error(name, None, "no timecoded lines found (like '[00:01:02] text')")
    if preamble:
        span = (
            f"line {preamble[0]}" if len(preamble) == 1 else f"lines {preamble[0]}–{preamble[-1]}"
        )
        warnings.append(f"{name} {span}: text before the first timecode ignored")

    latest: _Entry | None = None
    for e in entries:
        if latest is not None and e.start < latest.start:
            warnings.append(
                f"segment at line {e.line} starts before the one at line {latest.line}; "
                "segments sorted by start time"
            )
        if latest is None or e.start >= latest.start:
            latest = e
    entries.sort(key=lambda e: e.start)

    cues: list[RawCue] = []
    for k, e in enumerate(entries):
        body = join_text(e.lines)
        if not body:
            continue  # a bare time: marks where the segment before it ends
        end = e.end
        if end is None:
            later = [x.start for x in entries[k + 1 :] if x.start > e.start]
            if later:
                end = later[0]
            else:
                end = e.start + spoken_length(body)
                warnings.append(
                    f"segment at line {e.line}: last segment has no end time; ended "
                    f"{format_seconds(end - e.start)} s after its start ({words_said(body)})"
                )
        cues.append(RawCue(e.start, end, body, str(len(cues) + 1), e.line, e.speaker))

    if not cues:
        raise line_error(name, None, "timecodes found but no text")
    segments = finalize(cues, name, warnings, what="segment")
    return ImportResult(Transcript(segments, None, "text"), warnings)
