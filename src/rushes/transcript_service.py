"""Transcripts between files and the catalog: import, show, export — what the CLI and the web app
both call. Times cross here between the library's exact fractions and the catalog's microseconds.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from rushes.catalog import Catalog
from rushes.catalog.assets import AssetRow, list_assets, resolve_asset
from rushes.catalog.results import result_of
from rushes.catalog.transcripts import (
    SegmentRow,
    TranscriptRow,
    WordRow,
    delete_transcript,
    load_transcript,
    store_transcript,
    transcript_language,
    transcript_sources,
)
from rushes.domain import TIMED_KINDS
from rushes.domain.timecode import timecode_at, to_json_time
from rushes.errors import UsageError
from rushes.present import media_clock, media_duration
from rushes.transcripts import (
    Segment,
    Transcript,
    Word,
    format_clock,
    read_transcript,
    render_transcript,
    write_transcript,
)
from rushes.transcripts.writers import LINE_LENGTH

_US = 1_000_000


def _us(t: Fraction) -> int:
    return round(t * _US)


def _fr(us: int) -> Fraction:
    return Fraction(us, _US)


def to_rows(transcript: Transcript) -> list[SegmentRow]:
    return [
        SegmentRow(
            _us(s.start), _us(s.end), s.text, s.speaker,
            tuple(WordRow(_us(w.start), _us(w.end), w.text) for w in s.words),
        )
        for s in transcript.segments
    ]


def from_row(row: TranscriptRow) -> Transcript:
    return Transcript(
        [
            Segment(
                _fr(s.start_us), _fr(s.end_us), s.text, s.speaker,
                [Word(_fr(w.start_us), _fr(w.end_us), w.text) for w in s.words],
            )
            for s in row.segments
        ],
        row.language,
        row.source,
    )


def match_asset(catalog: Catalog, transcript_path: Path) -> AssetRow:
    """The asset whose file name (without extension) the transcript's name starts with:
    ``A001_C003.srt`` and ``A001_C003.en.srt`` both belong to ``A001_C003.mov``; in another
    case only when no name matches exactly."""
    stem = transcript_path.name.split(".")[0]
    with catalog.read() as conn:
        timed = [a for a in list_assets(conn) if a.kind in TIMED_KINDS and a.path]
    named = [(a, Path(str(a.path)).stem.split(".")[0]) for a in timed]
    candidates = [a for a, s in named if s == stem] or [
        # Cards and subtitle tools disagree on case (A001C003.MOV, a001c003.srt).
        a for a, s in named if s.casefold() == stem.casefold()
    ]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise UsageError(
            f"no video or audio asset is named like {transcript_path.name}; give --asset"
        )
    raise UsageError(f"several assets are named like {transcript_path.name}; give --asset")


def _a(kind: str) -> str:
    return ("an " if kind[:1] in "aeiou" else "a ") + kind


def import_transcript(
    catalog: Catalog,
    path: Path,
    asset_ref: str | None,
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    source_timecode: bool = False,
    language: str | None = None,
) -> tuple[AssetRow, int, list[str], str]:
    """Read ``path`` and attach it to the asset; returns (asset, segment count, warnings,
    the source it is kept under).

    With ``source_timecode`` the file's times are source timecode (as NLEs export them: the
    first cue at 01:00:00,000 for a clip that starts at 01:00:00:00) and are shifted to media
    time by the asset's embedded start timecode.
    """
    if not path.is_file():
        raise UsageError(f"no such transcript file: {path}")
    if asset_ref is not None:
        with catalog.read() as conn:
            asset = resolve_asset(conn, asset_ref)
    else:
        asset = match_asset(catalog, path)
    if asset.kind not in TIMED_KINDS:
        raise UsageError(
            f"{asset.path or asset.id} is {_a(asset.kind)}: only video and audio have transcripts"
        )
    with catalog.read() as conn:
        probe = result_of(conn, asset.id, "probe") or {}
    rate, start = media_clock(probe)
    offset = start if source_timecode else None
    if source_timecode and start is None:
        raise UsageError(f"{asset.path} has no embedded start timecode to shift from")
    result = read_transcript(
        path, fmt, encoding=encoding, rate=rate, start_timecode=start, offset=offset
    )
    transcript = result.transcript
    late = _after_the_end(transcript, probe, suggest_timecode=start is not None and offset is None)
    if late:
        result.warnings.append(late)
    language = (language or transcript.language or "").strip().lower() or None
    source = import_source(transcript.source, language)
    with catalog.write() as conn:
        if language is not None:
            # Before transcripts were kept per language, this one was kept as import:FORMAT
            # with its language beside it: replace that too, or search would show it twice.
            unkeyed = import_source(transcript.source, None)
            if transcript_language(conn, asset.id, unkeyed) == language:
                delete_transcript(conn, asset.id, unkeyed)
        store_transcript(conn, asset.id, source, language, to_rows(transcript))
    return asset, len(transcript.segments), result.warnings, source


def _after_the_end(
    transcript: Transcript, probe: dict[str, Any], *, suggest_timecode: bool
) -> str | None:
    """A warning for cues that start after the media ends: a transcript of another clip, or
    times printed in the clip's timecode (an NLE's export) read as media time."""
    duration = media_duration(probe)
    if duration is None:
        return None
    late = [s for s in transcript.segments if s.start >= duration]
    if not late:
        return None
    hint = ("; if its times are the clip's timecode, import with --source-timecode"
            if suggest_timecode else "")
    share = "all" if len(late) == len(transcript.segments) else str(len(late))
    return (
        f"{share} of {len(transcript.segments)} cues start after the media ends at "
        f"{format_clock(duration)} (the first at {format_clock(late[0].start)}){hint}"
    )


def import_source(fmt: str | None, language: str | None) -> str:
    """Where an imported transcript is kept on its asset: one per format and language, so that
    re-importing a corrected SRT replaces the earlier one, while the Chinese subtitles and the
    English ones of the same interview are both kept (``import:srt:zh``, ``import:srt:en``)."""
    return f"import:{fmt or 'file'}" + (f":{language}" if language else "")


def transcript_json(catalog: Catalog, asset_ref: str, source: str | None = None) -> dict[str, Any]:
    """``rushes transcript show --json``: segments and words in seconds, with timecodes."""
    with catalog.read() as conn:
        asset, row = _transcript_of(conn, asset_ref, source)
        probe = result_of(conn, asset.id, "probe") or {}
    rate, start = media_clock(probe)

    def tc(us: int) -> str | None:
        return str(timecode_at(_fr(us), rate, start)) if rate is not None else None

    return {
        "asset": asset.id,
        "path": asset.path,
        "source": row.source,
        "language": row.language,
        "segments": [
            {
                "start": to_json_time(_fr(s.start_us)),
                "end": to_json_time(_fr(s.end_us)),
                "timecode": tc(s.start_us),
                "text": s.text,
                "speaker": s.speaker,
                "words": [
                    {"start": to_json_time(_fr(w.start_us)), "end": to_json_time(_fr(w.end_us)),
                     "text": w.text}
                    for w in s.words
                ],
            }
            for s in row.segments
        ],
    }


def _transcript_of(
    conn: sa.Connection, asset_ref: str, source: str | None
) -> tuple[AssetRow, TranscriptRow]:
    """The asset and its transcript from ``source`` (default: the preferred one)."""
    asset = resolve_asset(conn, asset_ref)
    row = load_transcript(conn, asset.id, source)
    if row is None:
        raise _no_transcript(asset, source, transcript_sources(conn, asset.id))
    return asset, row


def _no_transcript(asset: AssetRow, source: str | None, sources: list[str]) -> UsageError:
    """The error for a transcript that is not there, saying which ones the asset has."""
    if not sources:
        return UsageError(
            f"{asset.path} has no transcript yet; run `rushes transcribe` or "
            "`rushes transcript import FILE`"
        )
    return UsageError(
        f"{asset.path} has no transcript from {source!r}; it has {', '.join(sources)}"
    )


def remove_transcript(
    catalog: Catalog, asset_ref: str, source: str | None
) -> tuple[AssetRow, str]:
    """Delete one of the asset's transcripts (and its search entries): a file attached to the
    wrong asset, or a superseded draft. Without ``source`` the asset must have only one, so
    that nothing is removed by guess. Returns (asset, source removed)."""
    with catalog.write() as conn:
        asset = resolve_asset(conn, asset_ref)
        sources = transcript_sources(conn, asset.id)
        if source is None and len(sources) > 1:
            raise UsageError(
                f"{asset.path} has {len(sources)} transcripts ({', '.join(sources)}); "
                "say which with --source"
            )
        chosen = source if source is not None else next(iter(sources), None)
        if chosen is None or chosen not in sources:
            raise _no_transcript(asset, source, sources)
        delete_transcript(conn, asset.id, chosen)
    return asset, chosen


def export_transcript(
    catalog: Catalog,
    asset_ref: str,
    out: Path | None,
    fmt: str | None,
    *,
    source_timecode: bool = False,
    source: str | None = None,
    line_length: int | None = LINE_LENGTH,
) -> tuple[str, str | None]:
    """Write the asset's transcript (the preferred one, or ``source``) to ``out``, or with
    ``out`` None return its text; with ``source_timecode`` times follow its embedded start.
    Returns (format written, text when ``out`` is None)."""
    with catalog.read() as conn:
        asset, row = _transcript_of(conn, asset_ref, source)
        probe = result_of(conn, asset.id, "probe") or {}
    _, start = media_clock(probe)
    if source_timecode and start is None:
        raise UsageError(f"{asset.path} has no embedded start timecode")
    title = os.path.basename(asset.path or asset.id)
    offset = start if source_timecode else None
    if out is None:
        if fmt is None:
            raise UsageError("give --format to write a transcript to standard output")
        return render_transcript(from_row(row), fmt, offset=offset, title=title,
                                 line_length=line_length)
    written = write_transcript(from_row(row), out, fmt or _format_from(out), offset=offset,
                               title=title, line_length=line_length)
    return written, None


def _format_from(out: Path) -> str | None:
    suffix = out.suffix.lower().lstrip(".")
    return {"vtt": "webvtt", "txt": "text", "md": "markdown", "htm": "html"}.get(
        suffix, suffix or None
    )
