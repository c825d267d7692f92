"""What every reader shares: clock timestamps, speaker labels, and the repair pass over cues.

Repair policy (what a subtitle editor's "fix common errors" does, always with a warning):
empty cue → dropped; end before start → swapped; out of time order → sorted; two cues starting
together → merged; overlap → the earlier cue is trimmed to end where the later one starts;
no length (ends where it starts) → given the time its words take to say (0.4 s a word), up to
where the next cue starts: its text stays findable and on screen, never dropped.
An unreadable timestamp is an error naming the line, and so is a file without a single cue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from rushes.errors import UsageError
from rushes.transcripts.model import (
    Offset,
    Segment,
    Word,
    format_clock,
    format_seconds,
    is_cjk,
    join_text,
    media_time,
)

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,9}))?$")


def parse_clock(token: str) -> Fraction | None:
    """``HH:MM:SS,mmm`` / ``HH:MM:SS.mmm`` / ``MM:SS.mmm`` as exact seconds; None if malformed."""
    m = _CLOCK.match(token.strip())
    if not m:
        return None
    hh, mm, ss, frac = m.groups()
    if int(mm) > 59 or int(ss) > 59:
        return None
    t = Fraction(int(hh or 0) * 3600 + int(mm) * 60 + int(ss))
    if frac:
        t += Fraction(int(frac), 10 ** len(frac))
    return t


#: How long a word takes to say, for a cue whose file gives it no length.
WORD_SECONDS = Fraction(2, 5)


def _estimate_words(text: str) -> Fraction:
    """Spoken length in words: spaced words, plus a half for each Chinese/Japanese character."""
    cjk = sum(1 for ch in text if is_cjk(ch))
    spaced = len("".join(" " if is_cjk(ch) else ch for ch in text).split())
    return max(Fraction(1), spaced + Fraction(cjk, 2))


def spoken_length(text: str) -> Fraction:
    """About how long ``text`` takes to say (0.4 s a word), where a file gives no end."""
    return _estimate_words(text) * WORD_SECONDS


def words_said(text: str) -> str:
    """How :func:`spoken_length` counted, for the warning: ``3 words at 0.4 s``."""
    words = _estimate_words(text)
    shown = str(words) if words.denominator == 1 else f"{float(words):.1f}"
    return f"{shown} words at 0.4 s"


def line_error(name: str, line: int | None, message: str) -> UsageError:
    where = f"{name} line {line}" if line is not None else name
    return UsageError(f"{where}: {message}")


_LABEL = re.compile(r"^(?:>>\s*)?([^\W\d_][\w.'\- ]{0,39}?)\s*:\s+(\S.*)$")


def name_ok(name: str, all_caps: bool) -> bool:
    words = name.split()
    if not words or len(words) > 4:
        return False
    if all_caps:
        return name.upper() == name and any(c.isalpha() for c in name)
    return all(w[0].isupper() or w[0].isdigit() for w in words)


def split_speaker(line: str, *, all_caps: bool) -> tuple[str | None, str]:
    """``("JOHN", "Hello.")`` for ``"JOHN: Hello."``; ``(None, line)`` when no clear label.

    A clear label is 1–4 words before a colon at the start of the line: in capitals
    (``JOHN``, ``DR. JONES``, ``SPEAKER_00``) or, with ``all_caps=False``, capitalised words
    (``John Smith``, ``Speaker 1``).
    """
    m = _LABEL.match(line.strip())
    if m and name_ok(m.group(1), all_caps):
        return m.group(1).strip(), m.group(2)
    return None, line


@dataclass(slots=True)
class RawCue:
    """A cue as read, before repairs: ``label`` and ``line`` name it in messages."""

    start: Fraction
    end: Fraction
    text: str
    label: str
    line: int | None = None
    speaker: str | None = None
    words: list[Word] = field(default_factory=list)

    def name(self, what: str) -> str:
        if self.line is None:
            return f"{what} {self.label}"
        return f"{what} {self.label} (line {self.line})"


def _clamp_words(cue: RawCue) -> None:
    for w in cue.words:
        w.start = min(max(w.start, cue.start), cue.end)
        w.end = min(max(w.end, w.start), cue.end)


def finalize(
    cues: list[RawCue],
    name: str,
    warnings: list[str],
    *,
    offset: Offset = None,
    what: str = "cue",
) -> list[Segment]:
    """Undo ``offset``, repair the cues (with a warning each) and return them as segments."""
    if offset is not None:
        for c in cues:
            start, end = media_time(c.start, offset), media_time(c.end, offset)
            if start < 0 or end < 0:
                raise line_error(
                    name,
                    c.line,
                    f"{what} {c.label} at {format_clock(c.start)} is before the start offset",
                )
            c.start, c.end = start, end
            for w in c.words:
                w.start = max(Fraction(0), media_time(w.start, offset))
                w.end = max(Fraction(0), media_time(w.end, offset))

    kept: list[RawCue] = []
    for c in cues:
        if not c.text.strip():
            warnings.append(f"{c.name(what)}: empty text; dropped")
            continue
        if c.end < c.start:
            warnings.append(
                f"{c.name(what)}: end {format_clock(c.end)} before start "
                f"{format_clock(c.start)}; swapped"
            )
            c.start, c.end = c.end, c.start
        kept.append(c)
    if not kept:
        raise UsageError(f"{name}: no {what}s with text found")

    latest: RawCue | None = None
    for c in kept:
        if latest is not None and c.start < latest.start:
            warnings.append(
                f"{c.name(what)} starts before {latest.name(what)}; {what}s sorted by start time"
            )
        if latest is None or c.start >= latest.start:
            latest = c
    kept.sort(key=lambda c: c.start)

    out: list[RawCue] = []
    for c in kept:
        prev = out[-1] if out else None
        if prev is not None and c.start == prev.start:
            warnings.append(
                f"{c.name(what)} starts together with {prev.name(what)}; merged into one"
            )
            prev.end = max(prev.end, c.end)
            prev.text = join_text([prev.text, c.text])
            if prev.speaker != c.speaker:
                prev.speaker = None
            prev.words = sorted(prev.words + c.words, key=lambda w: w.start)
            continue
        if prev is not None and c.start < prev.end:
            warnings.append(
                f"{c.name(what)} overlaps {prev.name(what)} by "
                f"{format_seconds(prev.end - c.start)} s; {what} {prev.label} trimmed to end at "
                f"{format_clock(c.start)}"
            )
            prev.end = c.start
            _clamp_words(prev)
        out.append(c)

    for k, c in enumerate(out):
        if c.end == c.start:
            _give_length(c, out[k + 1] if k + 1 < len(out) else None, warnings, what)
    return [Segment(c.start, c.end, c.text, c.speaker, c.words) for c in out]


def _give_length(cue: RawCue, after: RawCue | None, warnings: list[str], what: str) -> None:
    """A cue that ends where it starts is shown by no player and found by no time range: it is
    ended when its words would be said, or where the next cue starts if that is sooner."""
    end = cue.start + spoken_length(cue.text)
    how = f" ({words_said(cue.text)})"
    if after is not None and after.start < end:
        end = after.start
        how = f", where {after.name(what)} starts"
    warnings.append(
        f"{cue.name(what)}: no length (starts and ends at {format_clock(cue.start)}); ended "
        f"{format_seconds(end - cue.start)} s after its start{how}"
    )
    cue.end = end
