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
    join_text,
    printed_time,
    round_time,
)

__all__ = [
    "WRITER_FORMATS",
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


# --- SRT ----------------------------------------------------------------------------------------


def write_srt(transcript: Transcript, *, offset: Offset = None, speaker_labels: bool = True) -> str:
    """SubRip text: numbered cues, ``HH:MM:SS,mmm``, one text line, ``NAME: `` before the text."""
    out: list[str] = []
    for n, seg in enumerate(_cues(transcript), 1):
        text = seg.text.replace("-->", "->").replace("\n", " ")
        if speaker_labels and seg.speaker:
            text = f"{seg.speaker}: {text}"
        out.append(
            f"{n}\n{_clock(seg.start, offset, ',')} --> {_clock(seg.end, offset, ',')}\n{text}\n"
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
) -> str:
    """WebVTT text: ``<v Speaker>`` voice tags, ``Language:`` in the header when known.

    ``word_timestamps`` adds karaoke-style ``<00:00:01.500>`` tags from the word times (read
    back as words); cues whose words cannot be placed in the text are written without them.
    """
    header = "WEBVTT"
    if transcript.language:
        header += f"\nLanguage: {transcript.language}"
    out = [header + "\n"]
    for n, seg in enumerate(_cues(transcript), 1):
        body = _karaoke(seg, offset) if word_timestamps else None
        if body is None:
            body = _vtt_escape(seg.text)
        body = body.replace("\n", " ")
        if seg.speaker:
            body = f"<v {_vtt_escape(seg.speaker)}>{body}"
        out.append(
            f"{n}\n{_clock(seg.start, offset, '.')} --> {_clock(seg.end, offset, '.')}\n{body}\n"
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
        who = f"{seg.speaker}: " if seg.speaker else ""
        lines.append(f"[{when}] {who}{seg.text}")
    return "\n".join(lines) + ("\n" if lines else "")


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
) -> str:
    """Write ``transcript`` to ``path`` as UTF-8 (format from the extension unless named).

    Returns the canonical format name written.
    """
    path = Path(path)
    fmt, text = render_transcript(
        transcript, format or _EXTENSIONS.get(path.suffix.lower(), ""), offset=offset,
        title=title, shown_as=format or path.suffix or path.name,
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
) -> tuple[str, str]:
    """``transcript`` as text in ``format`` (a name or alias); returns (canonical name, text).
    ``shown_as`` is what the error names when the format is unknown."""
    fmt = _ALIASES.get(format.strip().lower(), format.strip().lower())
    if fmt == "srt":
        text = write_srt(transcript, offset=offset)
    elif fmt == "webvtt":
        text = write_webvtt(transcript, offset=offset)
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
