"""Transcript writers: SRT, WebVTT, timecoded plain text, and a readable Markdown/HTML document.

Every writer takes ``offset``: a start :class:`~rushes.domain.timecode.Timecode` (printed times
then follow the asset's timecode labels: 5 s into a clip starting at 01:00:00:00 prints
``01:00:05,000``; the document and plain text print the ``HH:MM:SS:FF`` labels themselves), or a
number of seconds to add. Times are rounded to the millisecond from the exact fractions.
"""

from __future__ import annotations

import html
import itertools
import re
from fractions import Fraction
from pathlib import Path

from rushes.domain.timecode import Timecode, timecode_at
from rushes.errors import UsageError
from rushes.outputs import write_text_atomic
from rushes.transcripts.model import (
    Offset,
    Segment,
    Transcript,
    Word,
    format_clock,
    is_cjk,
    join_text,
    printed_time,
    round_time,
)
from rushes.transcripts.readers.plaintext import after_time
from rushes.transcripts.readers.srt import escape_text as escape_srt

__all__ = [
    "LINE_LENGTH",
    "WRITER_FORMATS",
    "subtitle_cues",
    "wrap_lines",
    "write_html",
    "write_markdown",
    "write_srt",
    "write_text",
    "write_transcript",
    "write_webvtt",
]

#: Format names the writers know, and the extensions that select them.
WRITER_FORMATS = ("srt", "webvtt", "text", "markdown", "html")
_EXTENSIONS = {
    ".srt": "srt",
    ".vtt": "webvtt",
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
_ALIASES = {"vtt": "webvtt", "txt": "text", "md": "markdown", "htm": "html"}


def _clock(t: Fraction, offset: Offset, sep: str) -> str:
    return format_clock(printed_time(t, offset), sep)


def _label(t: Fraction, offset: Offset) -> str:
    """A paragraph's time for people: the timecode label, or ``HH:MM:SS``."""
    if isinstance(offset, Timecode):
        return str(timecode_at(t, offset.rate, offset))
    p = printed_time(t, offset)
    whole = int(p)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _cues(transcript: Transcript) -> list[Segment]:
    return [s for s in transcript.segments if s.text.strip()]


# --- subtitle lines -----------------------------------------------------------------------------

#: Characters a subtitle line holds (Netflix's and the BBC's 42 for Latin scripts); a cue holds
#: two lines. A CJK character counts as 42/16 of one, as those guides give Chinese and Japanese
#: 16 a line.
LINE_LENGTH = 42
MAX_LINES = 2
_WIDE = Fraction(42, 16)
_SENTENCE_END = ".?!…。？！"


def _widths(text: str) -> list[Fraction]:
    """Width of ``text[:i]`` for every i, so that any span's width is one subtraction."""
    out = [Fraction(0)]
    for c in text:
        out.append(out[-1] + (_WIDE if is_cjk(c) else 1))
    return out


def _break_points(text: str) -> list[tuple[int, int]]:
    """Where a line may break, as (end of the left part, start of the right part): at a space,
    or between two CJK characters. Never at a space between two CJK characters: a reader joins
    such lines without one, and the text would change."""
    out: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if ch == " ":
            if 0 < i < len(text) - 1 and not (is_cjk(text[i - 1]) and is_cjk(text[i + 1])):
                out.append((i, i + 1))
        elif i > 0 and is_cjk(ch) and is_cjk(text[i - 1]):
            out.append((i, i))
    return out


def _best_break(
    w: list[Fraction], points: list[tuple[int, int]], start: int, end: int,
    lead: Fraction = Fraction(0),
) -> tuple[Fraction, int, int] | None:
    """The break of ``[start, end)`` that makes its longer line shortest: (that width, a, b).
    ``lead`` is the width of what goes before the first line (a speaker's label)."""
    best: tuple[Fraction, int, int] | None = None
    for a, b in points:
        if start < a and b < end:
            longer = max(lead + w[a] - w[start], w[end] - w[b])
            if best is None or longer < best[0] or (longer == best[0] and a > best[1]):
                best = (longer, a, b)
    return best


def _fits(w: list[Fraction], points: list[tuple[int, int]], start: int, end: int,
          line_length: int, lead: Fraction) -> bool:
    """Whether ``[start, end)``, after ``lead``, fits in two lines."""
    width = lead + w[end] - w[start]
    if width <= line_length:
        return True
    if width > line_length * MAX_LINES + 1:  # two full lines and the space between them
        return False
    best = _best_break(w, points, start, end, lead)
    return best is not None and best[0] <= line_length


def wrap_lines(text: str, line_length: int | None = LINE_LENGTH) -> list[str]:
    """A cue's text as one line, or two of balanced length when it is longer than a line (the
    break that makes the longer line shortest). A word longer than a line is not cut."""
    w = _widths(text)
    if line_length is None or w[-1] <= line_length:
        return [text]
    best = _best_break(w, _break_points(text), 0, len(text))
    if best is None:
        return [text]
    _, a, b = best
    return [text[:a], text[b:]]


def _chunks(text: str, line_length: int, lead: Fraction) -> list[tuple[int, int]]:
    """Spans of ``text`` that each fit in two lines after ``lead``, broken at the last point
    that fits, or at a sentence end in the second half of the cue when there is one."""
    w = _widths(text)
    points = _break_points(text)
    spans: list[tuple[int, int]] = []
    start = 0
    while not _fits(w, points, start, len(text), line_length, lead):
        after = [(a, b) for a, b in points if a > start]
        if not after:
            break
        near = [(a, b) for a, b in after if w[a] - w[start] <= line_length * MAX_LINES + 1]
        fits = [(a, b) for a, b in near if _fits(w, near, start, a, line_length, lead)]
        a, b = fits[-1] if fits else after[0]
        ends = [(x, y) for x, y in fits
                if text[x - 1] in _SENTENCE_END and w[x] - w[start] >= line_length]
        if ends:
            a, b = ends[-1]
        spans.append((start, a))
        start = b
    spans.append((start, len(text)))
    return spans


def subtitle_cues(
    seg: Segment, line_length: int | None = LINE_LENGTH, label: str = ""
) -> list[tuple[Fraction, Fraction, str]]:
    """The segment as subtitle cues of at most two lines, each after ``label`` (``"Ellen Marsh:
    "``, which SRT writes on every cue): (start, end, text). A long segment is cut at word
    boundaries; each cue starts when its first word is said (from the word times, else in
    proportion to the characters), and runs until the next one starts."""
    text = seg.text.replace("\n", " ")
    if line_length is None:
        return [(seg.start, seg.end, text)]
    spans = _chunks(text, line_length, _widths(label)[-1])
    if len(spans) == 1:
        return [(seg.start, seg.end, text)]
    starts = [seg.start] + [_time_at(seg, text, a) for a, _ in spans[1:]]
    if any(b <= a for a, b in itertools.pairwise([*starts, seg.end])):
        starts = [seg.start] + [_share(seg, text, a) for a, _ in spans[1:]]
    ends = [*starts[1:], seg.end]
    return [(t0, t1, text[a:b]) for (a, b), t0, t1 in zip(spans, starts, ends, strict=True)]


def _share(seg: Segment, text: str, at: int) -> Fraction:
    return seg.start + (seg.end - seg.start) * Fraction(at, max(len(text), 1))


def _time_at(seg: Segment, text: str, at: int) -> Fraction:
    """When the word at character ``at`` is said: its start from the word times when the words
    can be found in the text in order, else the time in proportion to the characters."""
    pos = 0
    for w in seg.words:
        found = text.find(w.text, pos) if w.text else -1
        if found < 0:
            break
        if found >= at:
            return w.start
        pos = found + len(w.text)
    return _share(seg, text, at)


# --- SRT ----------------------------------------------------------------------------------------


def write_srt(
    transcript: Transcript,
    *,
    offset: Offset = None,
    speaker_labels: bool = True,
    line_length: int | None = LINE_LENGTH,
) -> str:
    """SubRip text: numbered cues, ``HH:MM:SS,mmm``, ``NAME: `` before the text, lines wrapped
    as :func:`subtitle_cues` does (``line_length`` None: one line a segment). Text that a
    player would take for markup (``<inaudible>``, ``a < b``) is written as entities, which
    rushes' reader and the common players decode (:func:`~rushes.transcripts.readers.srt.
    escape_text`)."""
    out: list[str] = []
    n = 0
    for seg in _cues(transcript):
        label = f"{seg.speaker}: " if speaker_labels and seg.speaker else ""
        for start, end, text in subtitle_cues(seg, line_length, label):
            n += 1
            # Wrapped as shown, then escaped: an entity is one character on screen.
            lines = "\n".join(escape_srt(x) for x in wrap_lines(label + text, line_length))
            out.append(
                f"{n}\n{_clock(start, offset, ',')} --> {_clock(end, offset, ',')}\n{lines}\n"
            )
    return "\n".join(out)


# --- WebVTT -------------------------------------------------------------------------------------


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _karaoke(seg: Segment, offset: Offset) -> str | None:
    """The cue text with ``<time>`` before each word (and after it when a pause follows)."""
    words = seg.words
    if not words:
        return None
    starts = [round_time(w.start) for w in words]
    if any(b < a for a, b in itertools.pairwise(starts)):
        return None
    if starts[0] < round_time(seg.start) or round_time(words[-1].end) > round_time(seg.end):
        return None
    text = seg.text
    spans: list[tuple[int, int]] = []
    pos = 0
    for w in words:
        at = text.find(w.text, pos)
        if at < 0 or not w.text:
            return None
        spans.append((at, at + len(w.text)))
        pos = at + len(w.text)
    parts: list[str] = []
    pos = 0
    for k, (w, (at, stop)) in enumerate(zip(words, spans, strict=True)):
        parts.append(_vtt_escape(text[pos:at]))
        if k or round_time(w.start) > round_time(seg.start):
            parts.append(f"<{_clock(w.start, offset, '.')}>")
        parts.append(_vtt_escape(w.text))
        pos = stop
        nxt: Word | None = words[k + 1] if k + 1 < len(words) else None
        until = nxt.start if nxt is not None else seg.end
        between = text[stop : spans[k + 1][0]] if k + 1 < len(words) else text[stop:]
        # a pause after the word: an end tag, unless text (punctuation) would land after it
        if round_time(w.end) < round_time(until) and not between.strip():
            parts.append(f"<{_clock(w.end, offset, '.')}>")
    parts.append(_vtt_escape(text[pos:]))
    return "".join(parts)


def write_webvtt(
    transcript: Transcript,
    *,
    offset: Offset = None,
    word_timestamps: bool = False,
    line_length: int | None = LINE_LENGTH,
) -> str:
    """WebVTT text: ``<v Speaker>`` voice tags, ``Language:`` in the header when known, lines
    wrapped as :func:`subtitle_cues` does (``line_length`` None: one line a segment).

    ``word_timestamps`` adds karaoke-style ``<00:00:01.500>`` tags from the word times (read
    back as words); cues whose words cannot be placed in the text are written without them.
    """
    header = "WEBVTT"
    if transcript.language:
        header += f"\nLanguage: {transcript.language}"
    out = [header + "\n"]
    n = 0
    for seg in _cues(transcript):
        karaoke = _karaoke(seg, offset) if word_timestamps else None
        if karaoke is not None:  # word times tag the whole segment: one cue, one line
            cues = [(seg.start, seg.end, [karaoke.replace("\n", " ")])]
        else:
            cues = [(a, b, [_vtt_escape(x) for x in wrap_lines(text, line_length)])
                    for a, b, text in subtitle_cues(seg, line_length)]
        for start, end, lines in cues:
            if seg.speaker:
                lines[0] = f"<v {_vtt_escape(seg.speaker)}>{lines[0]}"
            n += 1
            body = "\n".join(lines)
            out.append(
                f"{n}\n{_clock(start, offset, '.')} --> {_clock(end, offset, '.')}\n{body}\n"
            )
    return "\n".join(out)


# --- plain text ---------------------------------------------------------------------------------


def write_text(transcript: Transcript, *, offset: Offset = None) -> str:
    """One line a segment: ``[HH:MM:SS.mmm] Speaker: text`` (``[HH:MM:SS:FF]`` with a timecode)."""
    lines = []
    for seg in _cues(transcript):
        when = (
            _label(seg.start, offset)
            if isinstance(offset, Timecode)
            else _clock(seg.start, offset, ".")
        )
        lines.append(f"[{when}]{_text_after_time(seg.speaker, seg.text)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _text_after_time(speaker: str | None, text: str) -> str:
    """`` Speaker: text`` as it follows the time, read back as the same speaker and text.

    A reader drops one separator after a time (``00:00:07 - text``, as loggers type), so a
    line starting with a dialogue dash (``- Where were you? - At home.``, two people in one
    subtitle) would lose it; such a line gets the separator written out (``[…]: - Where…``).
    """
    body = (f"{speaker}: " if speaker else "") + text
    if after_time(" " + body) != (speaker, text) and after_time(": " + body) == (speaker, text):
        return ": " + body
    return " " + body


# --- readable document --------------------------------------------------------------------------


def _paragraphs(
    transcript: Transcript, gap: Fraction, longest: Fraction
) -> list[tuple[Fraction, str | None, str]]:
    """Speaker turns: a new paragraph when the speaker changes, after a pause, or when long."""
    paras: list[tuple[Fraction, str | None, list[str]]] = []
    prev_end: Fraction | None = None
    for seg in _cues(transcript):
        if (
            paras
            and paras[-1][1] == seg.speaker
            and prev_end is not None
            and seg.start - prev_end < gap
            and seg.start - paras[-1][0] < longest
        ):
            paras[-1][2].append(seg.text)
        else:
            paras.append((seg.start, seg.speaker, [seg.text]))
        prev_end = seg.end
    return [(start, who, join_text(texts)) for start, who, texts in paras]


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md_escape(text: str) -> str:
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"^(\d+)\. ", r"\1\\. ", re.sub(r"^([-+]) ", r"\\\1 ", text))


def write_markdown(
    transcript: Transcript,
    *,
    offset: Offset = None,
    title: str | None = None,
    paragraph_gap: Fraction = Fraction(2),
    max_paragraph: Fraction = Fraction(30),
) -> str:
    """A readable script: a bold timecode (and speaker) before each paragraph."""
    out: list[str] = []
    if title:
        out.append(f"# {_md_escape(title)}\n")
    for start, who, text in _paragraphs(transcript, paragraph_gap, max_paragraph):
        head = f"**[{_label(start, offset)}]" + (f" {_md_escape(who)}" if who else "") + "**"
        out.append(f"{head}  \n{_md_escape(text)}\n")
    return "\n".join(out)


_CSS = (
    "body{font-family:Georgia,serif;max-width:42em;margin:2em auto;line-height:1.5}"
    ".tc{font-family:monospace;color:#666;margin-right:.5em}.speaker{margin-right:.5em}"
)


def write_html(
    transcript: Transcript,
    *,
    offset: Offset = None,
    title: str | None = None,
    paragraph_gap: Fraction = Fraction(2),
    max_paragraph: Fraction = Fraction(30),
) -> str:
    """A standalone HTML page of the script, one ``<p>`` per paragraph with its timecode."""
    esc = html.escape
    lang = f' lang="{esc(transcript.language)}"' if transcript.language else ""
    head_title = esc(title or "Transcript")
    body: list[str] = []
    if title:
        body.append(f"<h1>{esc(title)}</h1>")
    for start, who, text in _paragraphs(transcript, paragraph_gap, max_paragraph):
        speaker = f'<strong class="speaker">{esc(who)}</strong>' if who else ""
        body.append(
            f'<p><span class="tc">{esc(_label(start, offset))}</span>{speaker}{esc(text)}</p>'
        )
    return (
        f'<!DOCTYPE html>\n<html{lang}>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{head_title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


# --- dispatch -----------------------------------------------------------------------------------


def write_transcript(
    transcript: Transcript,
    path: Path,
    format: str | None = None,
    *,
    offset: Offset = None,
    title: str | None = None,
    line_length: int | None = LINE_LENGTH,
) -> str:
    """Write ``transcript`` to ``path`` as UTF-8 (format from the extension unless named).

    Returns the canonical format name written.
    """
    path = Path(path)
    fmt, text = render_transcript(
        transcript, format or _EXTENSIONS.get(path.suffix.lower(), ""), offset=offset,
        title=title, shown_as=format or path.suffix or path.name, line_length=line_length,
    )
    try:
        write_text_atomic(path, text)
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror or e}") from None
    return fmt


def render_transcript(
    transcript: Transcript,
    format: str,
    *,
    offset: Offset = None,
    title: str | None = None,
    shown_as: str | None = None,
    line_length: int | None = LINE_LENGTH,
) -> tuple[str, str]:
    """``transcript`` as text in ``format`` (a name or alias); returns (canonical name, text).
    ``shown_as`` is what the error names when the format is unknown; ``line_length`` wraps
    subtitle formats (None: one line a segment)."""
    fmt = _ALIASES.get(format.strip().lower(), format.strip().lower())
    if fmt == "srt":
        text = write_srt(transcript, offset=offset, line_length=line_length)
    elif fmt == "webvtt":
        text = write_webvtt(transcript, offset=offset, line_length=line_length)
    elif fmt == "text":
        text = write_text(transcript, offset=offset)
    elif fmt == "markdown":
        text = write_markdown(transcript, offset=offset, title=title)
    elif fmt == "html":
        text = write_html(transcript, offset=offset, title=title)
    else:
        raise UsageError(
            f"cannot write a transcript as {shown_as or format!r} "
            f"(known: {', '.join(WRITER_FORMATS)})"
        )
    return fmt, text
