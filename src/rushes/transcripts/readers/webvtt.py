"""WebVTT (.vtt): the W3C format, plus what YouTube and caption tools write.

Handled: the ``WEBVTT`` line with optional text after it; header metadata lines (``Language: en``
sets the transcript's language, others are ignored); ``NOTE``, ``STYLE`` and ``REGION`` blocks
(skipped); cue identifiers; cue settings after the end time; hours left out (``mm:ss.ttt``);
``<v Name>`` and ``<v.class Name>`` voice tags (→ speaker); ``<c>``, ``<i>``, ``<b>``, ``<u>``,
``<lang>``, ``<ruby>`` tags (stripped; ``<rt>`` annotations dropped); karaoke timestamps
(``<00:00:01.500>``) → word times; HTML entities (``&amp;``, ``&nbsp;``, ``&lrm;``…).
A cue with several voices keeps ``Name: `` labels in its text and has no single speaker.
"""

from __future__ import annotations

import html
import itertools
import re
from fractions import Fraction

from rushes.transcripts.model import (
    ImportResult,
    Offset,
    Transcript,
    Word,
    clean_text,
    format_clock,
    join_text,
)
from rushes.transcripts.readers._common import RawCue, finalize, line_error, parse_clock
from rushes.transcripts.readers.srt import read_timing

_TOKEN = re.compile(r"<([^<>]*)>")
_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_META = re.compile(r"^([A-Za-z][\w-]*)\s*:\s*(.*)$")


def _is_block(first: str, keyword: str) -> bool:
    return first == keyword or first.startswith((keyword + " ", keyword + "\t"))


class _Payload:
    """Walks a cue payload's tags: text pieces split at karaoke timestamps, and voices."""

    def __init__(self, start: Fraction) -> None:
        self.pieces: list[tuple[Fraction, str]] = [(start, "")]
        self.labelled: list[str] = []  # text with "Name: " inserted where the voice changes
        self.voices: list[str] = []
        self.timestamps = 0
        self.bad_timestamps: list[str] = []

    def text(self, s: str) -> None:
        t, prev = self.pieces[-1]
        self.pieces[-1] = (t, prev + s)
        self.labelled.append(s)

    def voice(self, annotation: str) -> None:
        who = clean_text(html.unescape(annotation))
        if who:
            self.voices.append(who)
            self.labelled.append(f"\n{who}: ")

    def timestamp(self, t: Fraction) -> None:
        self.timestamps += 1
        self.pieces.append((t, ""))


def _parse_payload(lines: list[str], start: Fraction) -> _Payload:
    p = _Payload(start)
    in_rt = 0
    for n, raw in enumerate(lines):
        if n:
            p.text("\n")
        pos = 0
        for m in _TOKEN.finditer(raw):
            if m.start() > pos and not in_rt:
                p.text(html.unescape(raw[pos : m.start()]))
            pos = m.end()
            tag = m.group(1).strip()
            head = re.split(r"[\s.]", tag, maxsplit=1)[0].lower()
            if head == "v":
                rest = tag[1:]
                if rest.startswith("."):  # <v.loud Name>: classes, then the name
                    rest = rest.split(None, 1)[1] if len(rest.split(None, 1)) > 1 else ""
                p.voice(rest)
            elif head == "rt":
                in_rt += 1
            elif head == "/rt":
                in_rt = max(0, in_rt - 1)
            elif tag[:1].isdigit():
                t = parse_clock(tag)
                if t is None:
                    p.bad_timestamps.append(tag)
                else:
                    p.timestamp(t)
            # every other tag (c, i, b, u, lang, ruby, closing tags) carries no text
        if pos < len(raw) and not in_rt:
            p.text(html.unescape(raw[pos:]))
    return p


def _words(p: _Payload, start: Fraction, end: Fraction) -> list[Word] | None:
    """Word times from karaoke timestamps; None when they run backwards or leave the cue."""
    times = [t for t, _ in p.pieces]
    if any(b < a for a, b in itertools.pairwise(times)) or times[-1] > end:
        return None
    words: list[Word] = []
    for k, (t, s) in enumerate(p.pieces):
        text = join_text(s.split("\n"))
        if not text:
            continue
        t_end = p.pieces[k + 1][0] if k + 1 < len(p.pieces) else end
        words.append(Word(max(t, start), t_end, text))
    return words


def read_webvtt(text: str, name: str = "captions.vtt", *, offset: Offset = None) -> ImportResult:
    """Read WebVTT text (already decoded, LF line endings) into a transcript."""
    lines = text.removeprefix("\ufeff").split("\n")
    warnings: list[str] = []
    language: str | None = None
    i = 0
    if lines and _HEADER.match(lines[0].rstrip()):
        i = 1
        while i < len(lines) and lines[i].strip() and "-->" not in lines[i]:
            meta = _META.match(lines[i].strip())
            if meta and meta.group(1).lower() == "language" and meta.group(2).strip():
                language = meta.group(2).strip()
            i += 1
    else:
        warnings.append(f"{name} line 1: no WEBVTT header; read as WebVTT anyway")

    cues: list[RawCue] = []
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        first_line = i
        block: list[str] = []
        while i < len(lines) and lines[i].strip():
            block.append(lines[i].rstrip())
            i += 1
        head = block[0].strip()
        if _is_block(head, "NOTE") or head in ("STYLE", "REGION"):
            continue
        if "-->" in block[0]:
            ident, timing_at = None, 0
        elif len(block) > 1 and "-->" in block[1]:
            ident, timing_at = block[0].strip(), 1
        else:
            warnings.append(
                f"{name} line {first_line + 1}: block without a timing line ignored ({head[:40]!r})"
            )
            continue
        lineno = first_line + timing_at + 1
        start_tok, end_tok = read_timing(block[timing_at].strip(), name, lineno)
        start = parse_clock(start_tok)
        if start is None:
            raise line_error(name, lineno, f"bad timestamp {start_tok!r}")
        end = parse_clock(end_tok)
        if end is None:
            raise line_error(name, lineno, f"bad timestamp {end_tok!r}")
        label = ident if ident else str(len(cues) + 1)
        cue = RawCue(start, end, "", label, first_line + 1)
        payload = _parse_payload(block[timing_at + 1 :], start)
        for bad in payload.bad_timestamps:
            warnings.append(f"{cue.name('cue')}: bad inline timestamp <{bad}> ignored")
        distinct = list(dict.fromkeys(payload.voices))
        if len(distinct) > 1:
            cue.text = join_text("".join(payload.labelled).split("\n"))
        else:
            cue.text = join_text("".join(s for _, s in payload.pieces).split("\n"))
            cue.speaker = distinct[0] if distinct else None
        if payload.timestamps:
            words = _words(payload, start, max(start, end))
            if words is None:
                warnings.append(
                    f"{cue.name('cue')}: inline timestamps out of order or outside "
                    f"{format_clock(start)}–{format_clock(end)}; word times dropped"
                )
            else:
                cue.words = words
        cues.append(cue)

    if not cues:
        raise line_error(name, None, "no cues found (no 'start --> end' lines)")
    segments = finalize(cues, name, warnings, offset=offset)
    return ImportResult(Transcript(segments, language, "webvtt"), warnings)
