"""SubRip (.srt) as found in the wild.

Tolerated: a BOM, CRLF or CR line endings, missing, repeated or out-of-order cue numbers, ``,`` or
``.`` before the milliseconds, a missing hours field, SRT position suffixes (``X1:… Y1:…``),
inline tags (``<i>``, ``<b>``, ``<u>``, ``<s>``, ``<font …>``, ``<br>``) and ASS override tags
(``{\\an8}``), which are stripped. Lines of a cue are joined with a space (none between two
Chinese or Japanese characters). A first line starting with a label in capitals
(``JOHN: Hello``) gives the speaker; dialogue dashes (``- Hi.``) stay in the text. Other
``<text>`` (``<laughs>``, ``<3``) is kept, and HTML entities are not decoded: SRT is not HTML.
"""

from __future__ import annotations

import re

from rushes.transcripts.model import ImportResult, Offset, Transcript, clean_text, join_text
from rushes.transcripts.readers._common import (
    RawCue,
    finalize,
    line_error,
    parse_clock,
    split_speaker,
)

_NUMBER = re.compile(r"^\d+$")
_ALMOST_TIMING = re.compile(r"^\d{1,2}:\d{1,2}:\d{1,2}([.,:]\d+)?\s*(?:-+>|[–—=]+>|-{1,2}\s)")
_TAG = re.compile(r"</?(?:i|b|u|s|font|span)(?:\s[^<>]*)?>|\{\\[^{}]*\}", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def is_timing_line(line: str) -> bool:
    return "-->" in line or bool(_ALMOST_TIMING.match(line))


def read_timing(line: str, name: str, lineno: int) -> tuple[str, str]:
    """The start and end tokens of a ``start --> end [settings]`` line, or an error."""
    if "-->" not in line:
        raise line_error(name, lineno, f"bad timing line {line!r} (expected 'start --> end')")
    left, _, right = line.partition("-->")
    start_tok = left.strip()
    end_tok = right.strip().split()[0] if right.strip() else ""
    return start_tok, end_tok


def strip_tags(line: str) -> str:
    """Drop the tags players honour in SRT; other ``<text>`` is text (``<3``, ``<laughs>``)."""
    return _TAG.sub("", _BREAK.sub(" ", line))


def read_srt(text: str, name: str = "subtitles.srt", *, offset: Offset = None) -> ImportResult:
    """Read SRT text (already decoded, LF line endings) into a transcript."""
    lines = text.removeprefix("\ufeff").split("\n")
    warnings: list[str] = []
    cues: list[RawCue] = []
    preamble: list[int] = []

    cur: RawCue | None = None
    cur_lines: list[str] = []
    blank_after_text = False
    continued = False
    number: str | None = None

    def close() -> None:
        nonlocal cur
        if cur is None:
            return
        body = [clean_text(strip_tags(x)) for x in cur_lines]
        body = [x for x in body if x]
        speaker = None
        if body:
            speaker, first = split_speaker(body[0], all_caps=True)
            if speaker is not None and any(
                split_speaker(x, all_caps=True)[0] is not None for x in body[1:]
            ):
                speaker = None  # several labelled speakers in one cue: keep the labels as text
            elif speaker is not None:
                body[0] = first
        cur.text = join_text(body)
        cur.speaker = speaker
        cues.append(cur)
        cur = None

    i = 0
    n = len(lines)
    while i < n:
        s = lines[i].strip()
        lineno = i + 1
        if not s:
            if cur is not None and cur_lines:
                blank_after_text = True
            i += 1
            continue
        if _NUMBER.match(s) and i + 1 < n and is_timing_line(lines[i + 1].strip()):
            number = s
            i += 1
            continue
        if is_timing_line(s):
            close()
            start_tok, end_tok = read_timing(s, name, lineno)
            start = parse_clock(start_tok)
            if start is None:
                raise line_error(name, lineno, f"bad timestamp {start_tok!r}")
            end = parse_clock(end_tok)
            if end is None:
                raise line_error(name, lineno, f"bad timestamp {end_tok!r}")
            label = number if number is not None else str(len(cues) + 1)
            cur = RawCue(start, end, "", label, lineno - (1 if number is not None else 0))
            cur_lines = []
            blank_after_text = False
            continued = False
            number = None
            i += 1
            continue
        # a text line
        if cur is None:
            preamble.append(lineno)
        else:
            if blank_after_text and not continued:
                warnings.append(
                    f"{cur.name('cue')}: text continues after a blank line (line {lineno}); "
                    "kept in the cue"
                )
                continued = True
            blank_after_text = False
            cur_lines.append(lines[i])
        i += 1
    close()

    if not cues:
        raise line_error(name, None, "no subtitle cues found (no 'start --> end' lines)")
    if preamble:
        span = (
            f"line {preamble[0]}" if len(preamble) == 1 else f"lines {preamble[0]}–{preamble[-1]}"
        )
        warnings.insert(0, f"{name} {span}: text before the first cue ignored")
    segments = finalize(cues, name, warnings, offset=offset)
    return ImportResult(Transcript(segments, None, "srt"), warnings)
