"""Transcript readers: one module per format, and :func:`read_transcript` that picks one.

The format is told from the content first (files are misnamed: a ``.txt`` holding SRT is common),
then from the extension: ``WEBVTT`` header → webvtt; JSON → whisper-json; ``[time --> time]``
lines (Whisper's console output) → text; ``start --> end`` lines → srt (webvtt for ``.vtt``);
lines starting with a time → text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from fractions import Fraction
from pathlib import Path

from rushes.domain.timecode import Timecode
from rushes.errors import UsageError
from rushes.transcripts.encoding import decode_bytes
from rushes.transcripts.model import ImportResult, Offset
from rushes.transcripts.readers.plaintext import read_plaintext
from rushes.transcripts.readers.srt import read_srt
from rushes.transcripts.readers.webvtt import read_webvtt
from rushes.transcripts.readers.whisper_json import read_whisper_json

__all__ = [
    "FORMATS",
    "detect_format",
    "normalize_format",
    "read_plaintext",
    "read_srt",
    "read_text",
    "read_transcript",
    "read_webvtt",
    "read_whisper_json",
]

#: Format names, as ``Transcript.source`` reports them.
FORMATS = ("srt", "webvtt", "whisper-json", "text")

_ALIASES = {
    "srt": "srt",
    "subrip": "srt",
    "vtt": "webvtt",
    "webvtt": "webvtt",
    "json": "whisper-json",
    "whisper": "whisper-json",
    "whisper-json": "whisper-json",
    "whisperx": "whisper-json",
    "text": "text",
    "txt": "text",
    "plain": "text",
    "plaintext": "text",
}
_EXTENSIONS = {".srt": "srt", ".vtt": "webvtt", ".json": "whisper-json", ".txt": "text"}

_ARROW_LINE = re.compile(r"^\s*\S+\s*-->\s*\S+", re.MULTILINE)
_BRACKET_ARROW = re.compile(r"^\s*\[\s*[\d:.,]+\s*-->\s*[\d:.,]+\s*\]", re.MULTILINE)
_TIMED_LINE = re.compile(
    r"^\s*(?:[\[(]\s*\d{1,2}:\d{1,2}|\d{1,2}:\d{1,2}:\d{1,2})|\s\(?\d{1,2}:\d{2}(?::\d{2})?\)?:?\s*$",
    re.MULTILINE,
)


def normalize_format(format: str) -> str:
    """The canonical name for a format name or alias (``vtt`` → ``webvtt``), or a UsageError."""
    key = format.strip().lower()
    if key not in _ALIASES:
        raise UsageError(f"unknown transcript format {format!r} (known: {', '.join(FORMATS)})")
    return _ALIASES[key]


def detect_format(text: str, name: str = "") -> str | None:
    """Guess the format of decoded text, the file name's extension breaking ties; None if unsure."""
    ext = _EXTENSIONS.get(Path(name).suffix.lower()) if name else None
    head = text.lstrip("\ufeff \t\n")
    if head.startswith("WEBVTT"):
        return "webvtt"
    if head[:1] in ("{", "["):
        try:
            json.loads(head)
        except ValueError:
            pass
        else:
            return "whisper-json"
    if _BRACKET_ARROW.search(text):
        return "text"
    if _ARROW_LINE.search(text):
        return "webvtt" if ext == "webvtt" else "srt"
    if ext == "whisper-json":
        return ext  # invalid JSON: let the JSON reader say where
    if _TIMED_LINE.search(text):
        return "text"
    return ext


def read_text(
    text: str,
    format: str,
    name: str = "transcript",
    *,
    rate: Fraction | str | int | None = None,
    start_timecode: Timecode | None = None,
    offset: Offset = None,
) -> ImportResult:
    """Read already-decoded text in a known format (canonical name or alias)."""
    fmt = normalize_format(format)
    if fmt == "srt":
        return read_srt(text, name, offset=offset)
    if fmt == "webvtt":
        return read_webvtt(text, name, offset=offset)
    if fmt == "whisper-json":
        return read_whisper_json(text, name, offset=offset)
    return read_plaintext(text, name, rate=rate, start_timecode=start_timecode, offset=offset)


def read_transcript(
    path: Path,
    format: str | None = None,
    *,
    encoding: str | None = None,
    rate: Fraction | str | int | None = None,
    start_timecode: Timecode | None = None,
    offset: Offset = None,
) -> ImportResult:
    """Read a subtitle or transcript file into exact-time segments, with warnings for repairs.

    ``format``: ``srt``, ``webvtt``, ``whisper-json`` or ``text`` (aliases: vtt, json, txt…);
    detected from the content and extension when None. ``encoding`` forces a text encoding
    instead of detecting it. ``rate`` and ``start_timecode`` read plain-text timecodes with frames
    (``01:00:10:12``), which count from ``start_timecode``. ``offset`` undoes the shift a writer
    applied: the times in the file were printed from that start timecode (or that many seconds).
    Raises :class:`rushes.errors.UsageError` naming the file (and line) when it cannot be read.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror or e}") from None
    name = path.name
    decoded = decode_bytes(data, name, encoding)
    fmt = normalize_format(format) if format else detect_format(decoded.text, name)
    if fmt is None:
        raise UsageError(
            f"{name}: cannot tell the transcript format (expected SRT, WebVTT, Whisper JSON or "
            "timecoded text); name it explicitly"
        )
    # Composed (NFC) text: files from Mac tools carry decomposed accents (e + U+0301), which the
    # word index folds but highlights and word times compare character by character.
    text = unicodedata.normalize("NFC", decoded.text)
    result = read_text(text, fmt, name, rate=rate, start_timecode=start_timecode, offset=offset)
    result.warnings[:0] = decoded.warnings
    return result
