"""Captions of a cut (SRT, WebVTT) in record time, from the transcript words of its clips.

A transcript's cues belong to the source; a cut plays pieces of many sources, so its captions
are rebuilt from the words: each word is moved from source time to record time, words cut off
by an edit are dropped (or kept whole when most of the word is inside), and the words are
grouped again into cues that read well on screen. The grouping follows common subtitling
practice: at most two lines of 42 characters, a new cue at each edit, at each change of
speaker, after a long pause and, where it keeps cues reasonably full, at the end of a sentence;
a cue stays up at least long enough to be read when the next one leaves room.

Voice-over placeholders are captioned with their script, marked ``[VO]``, spread over the
event's duration, so a review screening shows what the narration will say.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import IO, Literal, cast

from rushes.edit.timeline import Event, Timeline, Word
from rushes.errors import UsageError
from rushes.outputs import atomic_output
from rushes.transcripts.model import Offset, clean_text, format_clock, join_text, printed_time
from rushes.transcripts.readers.srt import escape_text as escape_srt

__all__ = [
    "CaptionFormat",
    "Cue",
    "PlacedWord",
    "caption_cues",
    "format_srt",
    "format_webvtt",
    "kept_words",
    "placed_words",
    "wrap_lines",
    "write_captions",
]

CaptionFormat = Literal["srt", "webvtt"]

#: Characters a line may hold and lines a cue may have (broadcast and streaming guidelines).
MAX_CHARS = 42
MAX_LINES = 2
#: Longest a cue stays up, and the shortest it should (extended only into free time).
MAX_CUE = Fraction(7)
MIN_CUE = Fraction(1)
#: A silence this long between two words starts a new cue: text should not hang over a pause.
PAUSE = Fraction(3, 2)
#: The shortest timing a file can hold; a cue is never shorter than this.
_MILLISECOND = Fraction(1, 1000)
_SENTENCE_END = re.compile(r"[.?!…。？！][\"'”’)\]]*$")
_CLAUSE_END = re.compile(r"[,;:，、；：][\"'”’)\]]*$")
_FORMATS: dict[str, CaptionFormat] = {"srt": "srt", "webvtt": "webvtt", "vtt": "webvtt"}


@dataclass(frozen=True, slots=True)
class PlacedWord:
    """A transcript word on the record side: seconds from the sequence start."""

    start: Fraction
    end: Fraction
    text: str
    speaker: str | None
    event: int


@dataclass(frozen=True, slots=True)
class Cue:
    """One caption: record seconds from the sequence start, its lines, and who speaks."""

    start: Fraction
    end: Fraction
    lines: tuple[str, ...]
    speaker: str | None = None
    voiceover: bool = False

    @property
    def text(self) -> str:
        return join_text(list(self.lines))


# --- words into record time ---------------------------------------------------------------------


def kept_words(event: Event) -> list[Word]:
    """The event's words that are heard in the cut, in source order.

    A word straddling the source in or out point is kept only when most of it is inside: a
    word whose first syllable is cut off is better left out than shown and not heard.
    """
    if event.kind != "clip" or event.source is None:
        return []
    lo = event.source.seconds(event.source_in)
    hi = event.source.seconds(event.source_out)
    kept = []
    for word in sorted(event.words, key=lambda w: (w.start, w.end)):
        if not clean_text(word.text):
            continue
        length = word.end - word.start
        if length <= 0:
            if lo <= word.start < hi:
                kept.append(word)
            continue
        inside = min(word.end, hi) - max(word.start, lo)
        if 2 * inside > length:
            kept.append(word)
    return kept


def placed_words(timeline: Timeline) -> list[PlacedWord]:
    """Every kept word of every clip, moved to record time and held inside its event.

    Record time is the event's record in plus the word's offset from the source in. When the
    source and sequence rates differ, the record duration is the conformed (rounded) one, so the
    offset is scaled by record length over source length: a word at the source out lands on the
    record out, and nothing drifts by more than the half frame the conform allows.
    """
    placed: list[PlacedWord] = []
    for index, event in enumerate(timeline.events):
        if event.source is None or event.source_frames <= 0 or event.duration <= 0:
            continue
        src_in = event.source.seconds(event.source_in)
        src_len = event.source.seconds(event.source_out) - src_in
        rec_in = timeline.seconds(event.record_in)
        rec_out = timeline.seconds(event.record_out)
        scale = (rec_out - rec_in) / src_len
        for word in kept_words(event):
            start, end = (min(max(rec_in + (t - src_in) * scale, rec_in), rec_out)
                          for t in (word.start, word.end))
            placed.append(PlacedWord(start, end, clean_text(word.text), word.speaker, index))
    return placed


# --- lines --------------------------------------------------------------------------------------


def wrap_lines(words: Sequence[str], max_chars: int = MAX_CHARS,
               max_lines: int = MAX_LINES) -> list[str] | None:
    """The fewest lines (at most ``max_lines``, each at most ``max_chars``) holding ``words``.

    Among layouts with that many lines, the one whose longest line is shortest: balanced lines
    are read faster than a full line over a stub. Ties go to a break after punctuation, then
    to the shorter top line. None when the words do not fit.
    """
    items = tuple(words)
    if not items:
        return []

    @cache
    def best(start: int, lines: int) -> tuple[int, int, tuple[str, ...]] | None:
        """(longest line, penalty, lines) for items[start:] in exactly ``lines`` lines."""
        if lines == 1:
            line = join_text(list(items[start:]))
            return (len(line), 0, (line,)) if len(line) <= max_chars else None
        found: tuple[int, int, tuple[str, ...]] | None = None
        for stop in range(start + 1, len(items) - lines + 2):
            head = join_text(list(items[start:stop]))
            if len(head) > max_chars:
                break
            rest = best(stop, lines - 1)
            if rest is None:
                continue
            penalty = rest[1] + (0 if _CLAUSE_END.search(head) or _SENTENCE_END.search(head)
                                 else 1)
            candidate = (max(len(head), rest[0]), penalty, (head, *rest[2]))
            if found is None or candidate[:2] < found[:2] or (
                candidate[:2] == found[:2] and len(head) < len(found[2][0])
            ):
                found = candidate
        return found

    for count in range(1, min(max_lines, len(items)) + 1):
        layout = best(0, count)
        if layout is not None:
            return list(layout[2])
    return None


def _force_lines(words: Sequence[str], max_chars: int, max_lines: int) -> list[str]:
    """Lines for words that do not fit (one very long word): greedy, the last line taking the
    rest, so nothing said is ever dropped from the captions."""
    lines: list[str] = []
    current: list[str] = []
    for word in words:
        if current and len(join_text([*current, word])) > max_chars and len(lines) < max_lines - 1:
            lines.append(join_text(current))
            current = []
        current.append(word)
    if current:
        lines.append(join_text(current))
    return lines


# --- cues ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Group:
    words: list[PlacedWord]
    label: str  # text before the first word (a speaker label), counted in the line length


def _clause_break(group: _Group, capacity: int) -> int:
    """How many of the group's words to keep in a full cue: up to the last comma or full stop
    lying past half the capacity, or all of them when there is none."""
    for k in range(len(group.words) - 1, 0, -1):
        head = join_text([group.label, *(w.text for w in group.words[:k])])
        if 2 * len(head) < capacity:
            break
        text = group.words[k - 1].text
        if _CLAUSE_END.search(text) or _SENTENCE_END.search(text):
            return k
    return len(group.words)


def _speech_groups(
    words: list[PlacedWord], max_chars: int, max_lines: int, label_speakers: bool
) -> list[_Group]:
    """Words into cue-sized runs, breaking at edits, speakers, pauses, length and sentences."""
    groups: list[_Group] = []
    current: _Group | None = None
    previous_speaker: str | None = None

    def label_for(word: PlacedWord) -> str:
        if label_speakers and word.speaker and word.speaker != previous_speaker:
            return f"{word.speaker.upper()}:"
        return ""

    for word in words:
        if current is not None:
            last = current.words[-1]
            first = current.words[0]
            texts = [current.label, *(w.text for w in current.words), word.text]
            if (
                word.event != last.event
                or word.speaker != last.speaker
                or word.start - last.end >= PAUSE
                or word.end - first.start > MAX_CUE
            ):
                groups.append(current)
                previous_speaker = last.speaker
                current = None
            elif wrap_lines([t for t in texts if t], max_chars, max_lines) is None:
                # full: end the cue at its last clause break if that keeps it mostly full
                keep = _clause_break(current, max_chars * max_lines)
                groups.append(_Group(current.words[:keep], current.label))
                previous_speaker = last.speaker
                current = _Group(current.words[keep:], "") if keep < len(current.words) else None
        if current is None:
            current = _Group([word], label_for(word))
        else:
            current.words.append(word)
        text = join_text([current.label, *(w.text for w in current.words)])
        if _SENTENCE_END.search(word.text) and len(text) >= max_chars // 2:
            groups.append(current)
            previous_speaker = word.speaker
            current = None
    if current is not None:
        groups.append(current)
    return groups


def _voiceover_cues(timeline: Timeline, event: Event, max_chars: int,
                    max_lines: int) -> list[Cue]:
    """The script of a voice-over placeholder as ``[VO]`` cues sharing its duration by length."""
    words = clean_text(event.text).split()
    if not words or event.duration <= 0:
        return []
    chunks: list[list[str]] = []
    current: list[str] = []
    for word in words:
        if current and wrap_lines(["[VO]", *current, word], max_chars, max_lines) is None:
            chunks.append(current)
            current = []
        current.append(word)
    chunks.append(current)
    start = timeline.seconds(event.record_in)
    length = timeline.seconds(event.duration)
    weights = [len(join_text(chunk)) + 1 for chunk in chunks]
    total = sum(weights)
    cues = []
    done = 0
    for chunk, weight in zip(chunks, weights, strict=True):
        lines = (wrap_lines(["[VO]", *chunk], max_chars, max_lines)
                 or _force_lines(["[VO]", *chunk], max_chars, max_lines))
        cue_start = start + length * done / total
        done += weight
        cues.append(Cue(cue_start, start + length * done / total, tuple(lines), voiceover=True))
    return cues


def caption_cues(
    timeline: Timeline,
    *,
    max_chars: int = MAX_CHARS,
    max_lines: int = MAX_LINES,
    label_speakers: bool = False,
) -> list[Cue]:
    """The captions of the cut in record seconds (0 = the first frame of the sequence), in order.

    ``label_speakers`` puts ``NAME:`` before the first cue of each speaker's turn, counted in
    the line length (for formats without a voice tag, such as SRT).
    """
    cues: list[Cue] = []
    for group in _speech_groups(placed_words(timeline), max_chars, max_lines, label_speakers):
        texts = [t for t in (group.label, *(w.text for w in group.words)) if t]
        lines = wrap_lines(texts, max_chars, max_lines) or _force_lines(texts, max_chars,
                                                                         max_lines)
        cues.append(Cue(group.words[0].start, max(w.end for w in group.words), tuple(lines),
                        group.words[0].speaker))
    for event in timeline.events:
        if event.kind == "voiceover":
            cues.extend(_voiceover_cues(timeline, event, max_chars, max_lines))
    cues.sort(key=lambda c: (c.start, c.end))
    return _settle(cues, timeline.seconds(timeline.duration))


def _settle(cues: list[Cue], end_of_cut: Fraction) -> list[Cue]:
    """Give short cues reading time where the next cue leaves room, and never overlap."""
    settled = []
    for k, cue in enumerate(cues):
        limit = cues[k + 1].start if k + 1 < len(cues) else max(end_of_cut, cue.end)
        end = min(max(cue.end, cue.start + MIN_CUE), limit)
        if end <= cue.start:  # the next cue starts with this one: keep the words' own end
            end = max(cue.end, cue.start + _MILLISECOND)
        settled.append(Cue(cue.start, end, cue.lines, cue.speaker, cue.voiceover))
    return settled


# --- files --------------------------------------------------------------------------------------


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def format_srt(cues: Sequence[Cue], offset: Offset = None) -> str:
    """SubRip text: numbered cues, ``HH:MM:SS,mmm``, each line of the cue on its own line.

    Each line is escaped as the transcript SRT writer escapes it
    (:func:`~rushes.transcripts.readers.srt.escape_text`): players take ``<inaudible>`` for a
    tag and show nothing, so ``<``, ``>``, an ``&`` that would start an entity and ``{\\``
    become entities, and ``-->`` becomes ``--&gt;``, which no reader takes for a timing line
    and every reader shows as ``-->``. Lines are wrapped before they are escaped: an entity is
    one character on screen."""
    out = []
    for n, cue in enumerate(cues, 1):
        start = format_clock(printed_time(cue.start, offset), ",")
        end = format_clock(printed_time(cue.end, offset), ",")
        body = "\n".join(escape_srt(line) for line in cue.lines)
        out.append(f"{n}\n{start} --> {end}\n{body}\n")
    return "\n".join(out)


def format_webvtt(cues: Sequence[Cue], offset: Offset = None) -> str:
    """WebVTT text: ``<v Speaker>`` voice tags (players may show or style them)."""
    out = ["WEBVTT\n"]
    for n, cue in enumerate(cues, 1):
        start = format_clock(printed_time(cue.start, offset), ".")
        end = format_clock(printed_time(cue.end, offset), ".")
        lines = [_vtt_escape(line.replace("-->", "->")) for line in cue.lines]
        if cue.speaker:
            lines[0] = f"<v {_vtt_escape(cue.speaker)}>{lines[0]}"
        body = "\n".join(lines)
        out.append(f"{n}\n{start} --> {end}\n{body}\n")
    return "\n".join(out)


def write_captions(
    timeline: Timeline,
    path: Path,
    fmt: str = "srt",
    *,
    timecode_start: bool = False,
) -> int:
    """Write the cut's captions to ``path`` (``srt`` or ``webvtt``/``vtt``); returns the cue count.

    Times count from 0 by default, as players expect of a sidecar file. ``timecode_start``
    prints them from the sequence's start timecode instead (01:00:00:00 → ``01:00:00,000``,
    following the labels for drop-frame), as an editing application expects on import.
    """
    kind = _FORMATS.get(fmt.strip().lower())
    if kind is None:
        raise UsageError(f"unknown caption format {fmt!r} (known: srt, webvtt)")
    offset: Offset = timeline.start if timecode_start else None
    if kind == "srt":
        cues = caption_cues(timeline, label_speakers=True)
        text = format_srt(cues, offset)
    else:
        cues = caption_cues(timeline)
        text = format_webvtt(cues, offset)
    try:
        with atomic_output(Path(path), "w") as handle:
            cast(IO[str], handle).write(text)
    except OSError as e:
        raise UsageError(f"cannot write captions to {path}: {e.strerror or e}") from None
    return len(cues)
