"""SubRip (.srt) as found in the wild.

Tolerated: a BOM, CRLF or CR line endings, missing, repeated or out-of-order cue numbers, ``,`` or
``.`` before the milliseconds, a missing hours field, SRT position suffixes (``X1:… Y1:…``),
inline tags (``<i>``, ``<b>``, ``<u>``, ``<s>``, ``<font …>``, ``<br>``) and ASS override tags
(``{\\an8}``), which are stripped. Lines of a cue are joined with a space (none between two
Chinese or Japanese characters). A first line starting with a label in capitals
(``JOHN: Hello``, ``Ellen Marsh: Hello``; see :func:`_speakers`) gives the speaker; dialogue
dashes (``- Hi.``) stay in the text. Other ``<text>`` (``<laughs>``, ``<3``) is kept. SRT is not
HTML, but subtitles taken from web players carry entities (``Fish &amp; chips``): complete
ones (``&amp;``, ``&#233;``, with their ``;``) are decoded, a bare ``&`` stays.
"""

from __future__ import annotations

import html
import html.entities
import re
from collections import Counter

from rushes.transcripts.model import ImportResult, Offset, Transcript, clean_text, join_text
from rushes.transcripts.readers._common import (
    RawCue,
    finalize,
    line_error,
    name_ok,
    parse_clock,
    split_speaker,
)

_NUMBER = re.compile(r"^\d+$")
_ALMOST_TIMING = re.compile(r"^\d{1,2}:\d{1,2}:\d{1,2}([.,:]\d+)?\s*(?:-+>|[–—=]+>|-{1,2}\s)")
_TAG = re.compile(r"</?(?:i|b|u|s|font|span)(?:\s[^<>]*)?>|\{\\[^{}]*\}", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ENTITY_NAME = r"(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
_ENTITY = re.compile("&" + _ENTITY_NAME)


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
    """Drop the tags players honour in SRT; other ``<text>`` is text (``<3``, ``<laughs>``).
    Entities are decoded after, so ``&lt;i&gt;`` stays the text ``<i>``."""
    text = _TAG.sub("", _BREAK.sub(" ", line))
    return _ENTITY.sub(_entity, text)


#: What :func:`escape_text` writes as an entity: ``<`` and ``>`` (players take ``<…>`` for a tag
#: and drop it), an ``&`` that would start an entity, and a ``{`` that would start an ASS
#: override (``{\\an8}``).
_MARKUP = re.compile(r"[<>]|&(?=" + _ENTITY_NAME + r")|\{(?=\\)")
_MARKUP_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "{": "&#123;"}


def escape_text(text: str) -> str:
    """Text for an SRT cue that players and :func:`strip_tags` show as it is: a literal
    ``<inaudible>`` or ``a < b > c`` would otherwise be taken for a tag and vanish. A bare
    ``&`` (``Fish & chips``) stays bare: readers keep it, and a player that shows entities
    as written would show ``&amp;``. The ``-->`` of a text becomes ``--&gt;``, which no
    reader takes for a timing line."""
    return _MARKUP.sub(lambda m: _MARKUP_ENTITIES[m.group()], text)


def _entity(m: re.Match[str]) -> str:
    """A known entity decoded, anything else as written (``&notanentity;``: html.unescape would
    read its ``&not`` as ¬, as HTML5 does for old pages)."""
    token = m.group()
    if token[1] == "#" or token[1:] in html.entities.html5:
        return html.unescape(token)
    return token


def _speakers(bodies: list[list[str]]) -> list[str | None]:
    """Each cue's speaker, from a label at the start of its first line.

    A label in capitals (``JOHN:``, ``SPEAKER_01:``) is a speaker wherever it appears. A label
    in capitalised words is one when it names someone plausibly: two to four words
    (``Ellen Marsh:``, ``Speaker 1:``, as rushes' own SRT export writes them), or one word that
    starts at least two cues (``Ellen:``), so that ``Look: it's gone.`` stays text. A cue with
    labels on several lines keeps them all as text: its speaker is unclear.
    """
    firsts = [split_speaker(b[0], all_caps=False)[0] if b else None for b in bodies]
    recurring = Counter(f for f in firsts if f is not None)

    def clear(label: str | None) -> bool:
        return label is not None and (
            name_ok(label, all_caps=True) or len(label.split()) > 1 or recurring[label] > 1
        )

    out: list[str | None] = []
    for body, first in zip(bodies, firsts, strict=True):
        others = any(clear(split_speaker(x, all_caps=False)[0]) for x in body[1:])
        out.append(first if clear(first) and not others else None)
    return out


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

    bodies: list[list[str]] = []

    def close() -> None:
        nonlocal cur
        if cur is None:
            return
        body = [clean_text(strip_tags(x)) for x in cur_lines]
        bodies.append([x for x in body if x])
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
        elif blank_after_text and _NUMBER.match(s) and i + 1 < n and lines[i + 1].strip():
            # A cue number, then text, but no timing line: that cue lost its times.
            warnings.append(
                f"cue {s} (line {lineno}) has no 'start --> end' line; its text is kept in "
                f"{cur.name('cue')}"
            )
            continued = True
            blank_after_text = False
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
    for cue, body, speaker in zip(cues, bodies, _speakers(bodies), strict=True):
        if speaker is not None:
            body[0] = split_speaker(body[0], all_caps=False)[1]
        cue.text = join_text(body)
        cue.speaker = speaker

    if not cues:
        raise line_error(name, None, "no subtitle cues found (no 'start --> end' lines)")
    if preamble:
        span = (
            f"line {preamble[0]}" if len(preamble) == 1 else f"lines {preamble[0]}–{preamble[-1]}"
        )
        warnings.insert(0, f"{name} {span}: text before the first cue ignored")
    segments = finalize(cues, name, warnings, offset=offset)
    return ImportResult(Transcript(segments, None, "srt"), warnings)
