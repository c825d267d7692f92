"""Transcripts in the catalog: segments with word times and speakers, mirrored into the search
index in the same transaction so search never sees half a transcript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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


def transcript_sources(conn: sa.Connection, asset_id: str) -> list[str]:
    rows = conn.execute(
        sa.select(transcripts.c.source).where(transcripts.c.asset_id == asset_id)
    ).scalars().all()
    return sorted(rows, key=lambda s: (
        next((i for i, p in enumerate(_PREFERENCE) if s.startswith(p)), len(_PREFERENCE)), s
    ))


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


def rename_speaker(conn: sa.Connection, old: str, new: str) -> int:
    """Rename a voice across the project: by speaker name, or by an imported label."""
    changed = conn.execute(
        speakers.update().where(speakers.c.name == old).values(name=new)
    ).rowcount
    changed += conn.execute(
        segments.update().where(segments.c.speaker_label == old).values(speaker_label=new)
    ).rowcount
    conn.execute(
        search_entries.update().where(search_entries.c.speaker == old).values(speaker=new)
    )
    return int(changed)
