"""Transcripts in the catalog: segments with word times and speakers, mirrored into the search
index in the same transaction so search never sees half a transcript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from rushes.catalog.db import now_ms
from rushes.catalog.schema import search_entries, segments, speakers, transcripts
from rushes.domain.scripts import grams_of

#: Human-made transcripts are preferred over machine ones when an asset has both.
_PREFERENCE = ("import:", "asr:")


@dataclass(frozen=True)
class WordRow:
    start_us: int
    end_us: int
    text: str


@dataclass(frozen=True)
class SegmentRow:
    start_us: int
    end_us: int
    text: str
    speaker: str | None = None
    words: Sequence[WordRow] = field(default_factory=tuple)
    speaker_id: int | None = None


@dataclass(frozen=True)
class TranscriptRow:
    id: int
    asset_id: str
    source: str
    language: str | None
    segments: list[SegmentRow]


def store_transcript(
    conn: sa.Connection,
    asset_id: str,
    source: str,
    language: str | None,
    rows: Sequence[SegmentRow],
) -> int:
    """Replace the asset's transcript from ``source``; returns the transcript id."""
    delete_transcript(conn, asset_id, source)
    transcript_id = conn.execute(
        transcripts.insert().values(
            asset_id=asset_id, source=source, language=language, created_ms=now_ms()
        ).returning(transcripts.c.id)
    ).scalar_one()
    names = _speaker_names(conn, [r.speaker_id for r in rows if r.speaker_id is not None])
    for seq, row in enumerate(rows):
        segment_id = conn.execute(
            segments.insert().values(
                transcript_id=transcript_id, asset_id=asset_id, seq=seq,
                start_us=row.start_us, end_us=row.end_us, text=row.text,
                speaker_label=row.speaker, speaker_id=row.speaker_id,
                words=[[w.start_us, w.end_us, w.text] for w in row.words],
            ).returning(segments.c.id)
        ).scalar_one()
        conn.execute(
            search_entries.insert().values(
                asset_id=asset_id, source="transcript", ref_id=segment_id,
                start_us=row.start_us, end_us=row.end_us, text=row.text,
                grams=grams_of(row.text),
                speaker=names.get(row.speaker_id) if row.speaker_id else row.speaker,
            )
        )
    return int(transcript_id)


def delete_transcript(conn: sa.Connection, asset_id: str, source: str) -> None:
    old = sa.select(segments.c.id).join(transcripts).where(
        transcripts.c.asset_id == asset_id, transcripts.c.source == source
    )
    conn.execute(
        search_entries.delete().where(
            search_entries.c.source == "transcript", search_entries.c.ref_id.in_(old)
        )
    )
    conn.execute(
        transcripts.delete().where(
            transcripts.c.asset_id == asset_id, transcripts.c.source == source
        )
    )


def _speaker_names(conn: sa.Connection, ids: Sequence[int]) -> dict[int | None, str]:
    if not ids:
        return {}
    rows = conn.execute(
        sa.select(speakers.c.id, speakers.c.name).where(speakers.c.id.in_(set(ids)))
    ).all()
    return {i: name or f"Speaker {i}" for i, name in rows}


def transcript_language(conn: sa.Connection, asset_id: str, source: str) -> str | None:
    """The language recorded with the asset's transcript from ``source`` (None: none, or no
    such transcript)."""
    return conn.execute(
        sa.select(transcripts.c.language).where(
            transcripts.c.asset_id == asset_id, transcripts.c.source == source
        )
    ).scalar_one_or_none()


def transcript_sources(conn: sa.Connection, asset_id: str) -> list[str]:
    """The asset's transcripts, preferred first: imported before machine ones (a person wrote
    them), and among each the newest (a team re-imports a corrected file in another format)."""
    rows = conn.execute(
        sa.select(transcripts.c.source, transcripts.c.created_ms)
        .where(transcripts.c.asset_id == asset_id)
    ).all()
    return [s for s, _ in sorted(rows, key=lambda r: (
        next((i for i, p in enumerate(_PREFERENCE) if r[0].startswith(p)), len(_PREFERENCE)),
        -r[1], r[0],
    ))]


def load_transcript(
    conn: sa.Connection, asset_id: str, source: str | None = None
) -> TranscriptRow | None:
    """The asset's transcript from ``source``, or the preferred one (imported before ASR)."""
    if source is None:
        sources = transcript_sources(conn, asset_id)
        if not sources:
            return None
        source = sources[0]
    head = conn.execute(
        sa.select(transcripts).where(
            transcripts.c.asset_id == asset_id, transcripts.c.source == source
        )
    ).first()
    if head is None:
        return None
    rows = conn.execute(
        sa.select(segments, speakers.c.name.label("speaker_name"))
        .outerjoin(speakers, speakers.c.id == segments.c.speaker_id)
        .where(segments.c.transcript_id == head.id)
        .order_by(segments.c.seq)
    ).all()
    out = [
        SegmentRow(
            r.start_us, r.end_us, r.text,
            r.speaker_name or (f"Speaker {r.speaker_id}" if r.speaker_id else r.speaker_label),
            tuple(WordRow(int(s), int(e), str(t)) for s, e, t in r.words),
            r.speaker_id,
        )
        for r in rows
    ]
    return TranscriptRow(head.id, asset_id, head.source, head.language, out)


def rename_speaker(conn: sa.Connection, old: str, new: str, asset_id: str | None = None) -> int:
    """Rename a voice: by speaker name or by an imported label, ignoring case (the ``speaker:``
    filter ignores it too). Returns segments and voices renamed.

    Across the project by default, since a named voice is one person everywhere. With
    ``asset_id`` only that asset's imported labels: tools such as WhisperX number speakers
    per file, so ``SPEAKER_01`` is a different person in each interview. A recognised voice
    cannot be renamed in one asset alone; :func:`recognised_voice_in` tells the caller so.
    """
    def same(column: sa.ColumnElement[str | None]) -> sa.ColumnElement[bool]:
        return _ascii_lower(conn, column) == _ascii_lower(conn, sa.literal(old))

    changed = 0
    if asset_id is None:
        voices = speakers.update().where(same(speakers.c.name)).values(name=new)
        changed += conn.execute(voices).rowcount
    labelled = segments.update().where(same(segments.c.speaker_label))
    entries = search_entries.update().where(
        search_entries.c.source == "transcript", same(search_entries.c.speaker)
    )
    if asset_id is not None:
        labelled = labelled.where(segments.c.asset_id == asset_id, segments.c.speaker_id.is_(None))
        entries = entries.where(
            search_entries.c.asset_id == asset_id,
            search_entries.c.ref_id.in_(
                sa.select(segments.c.id).where(
                    segments.c.asset_id == asset_id, segments.c.speaker_id.is_(None)
                )
            ),
        )
    changed += conn.execute(labelled.values(speaker_label=new)).rowcount
    conn.execute(entries.values(speaker=new))
    return int(changed)


def recognised_voice_in(conn: sa.Connection, name: str, asset_id: str) -> bool:
    """Whether a voice recognised in the asset is called ``name`` (ignoring case)."""
    return conn.execute(
        sa.select(segments.c.id).join(speakers, speakers.c.id == segments.c.speaker_id).where(
            segments.c.asset_id == asset_id,
            _ascii_lower(conn, speakers.c.name) == _ascii_lower(conn, sa.literal(name)),
        ).limit(1)
    ).first() is not None


def _ascii_lower(conn: sa.Connection, value: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """lower() of ASCII letters only, on either database: SQLite's lower() folds nothing else,
    and PostgreSQL's does under the "C" collation, so a rename finds the same speakers on both
    (as the search's speaker filter does)."""
    if conn.dialect.name == "postgresql":
        return sa.func.lower(value.collate("C"))
    return sa.func.lower(value)
