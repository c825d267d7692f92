"""Transcripts: exact-time segments and words, read from and written to subtitle/transcript files.

Pure library code (no catalog): :func:`read_transcript` turns an SRT, WebVTT, Whisper-family JSON
or timecoded text file into an :class:`ImportResult` (a :class:`Transcript` plus one warning per
repair or guess); the ``write_*`` functions print a transcript as SRT, WebVTT, plain text,
Markdown or HTML, optionally following an asset's start timecode.
"""

from __future__ import annotations

from rushes.transcripts.encoding import DecodedText, decode_bytes
from rushes.transcripts.model import (
    ImportResult,
    Offset,
    Segment,
    Transcript,
    Word,
    format_clock,
    media_time,
    printed_time,
    round_times,
    transcript_to_json,
)
from rushes.transcripts.readers import FORMATS, detect_format, read_text, read_transcript
from rushes.transcripts.writers import (
    WRITER_FORMATS,
    render_transcript,
    write_html,
    write_markdown,
    write_srt,
    write_text,
    write_transcript,
    write_webvtt,
)

__all__ = [
    "FORMATS",
    "WRITER_FORMATS",
    "DecodedText",
    "ImportResult",
    "Offset",
    "Segment",
    "Transcript",
    "Word",
    "decode_bytes",
    "detect_format",
    "format_clock",
    "media_time",
    "printed_time",
    "read_text",
    "read_transcript",
    "render_transcript",
    "round_times",
    "transcript_to_json",
    "write_html",
    "write_markdown",
    "write_srt",
    "write_text",
    "write_transcript",
    "write_webvtt",
]
