"""Project speakers: voices found by the speakers analyzer, matched across every asset.

A speaker row holds a voice embedding (float32 bytes) and, once someone gives one, a name.
Each new asset's voice clusters are matched against every speaker of the project, so a voice
named once is named everywhere it speaks. Only machine (``asr:``) transcripts are labelled:
an imported transcript's speaker names were written by a person and are kept as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from rushes.catalog.db import now_ms
from rushes.catalog.schema import search_entries, segments, speakers, transcripts
from rushes.speakers.cluster import MATCH_THRESHOLD, match_project


def display_name(speaker_id: int, name: str | None) -> str:
    """What a speaker is called until someone names it: "Speaker N" (N is its id)."""
    return name or f"Speaker {speaker_id}"


def _vector(blob: bytes) -> npt.NDArray[np.float32]:
    return np.frombuffer(blob, dtype="<f4")


def known_speakers(conn: sa.Connection) -> list[tuple[int, npt.NDArray[np.float32]]]:
    """Every project speaker that has a voice embedding, as (id, vector)."""
    rows = conn.execute(
        sa.select(speakers.c.id, speakers.c.embedding)
        .where(speakers.c.embedding.is_not(None))
        .order_by(speakers.c.id)
    ).all()
    return [(int(i), _vector(blob)) for i, blob in rows]


def _overlap_cluster(start: int, end: int, spans: Sequence[tuple[int, int, int]]) -> int | None:
    """The cluster that covers most of [start, end), or None where no labelled span touches it."""
    totals: dict[int, int] = {}
    for s, e, k in spans:
        if s < end and e > start:
            totals[k] = totals.get(k, 0) + min(e, end) - max(s, start)
    if not totals:
        return None
    return max(sorted(totals), key=lambda k: totals[k])


def assign_speakers(
    conn: sa.Connection,
    asset_id: str,
    result: Mapping[str, Any],
    threshold: float = MATCH_THRESHOLD,
) -> dict[int, int]:
    """File a speakers result: match its clusters to project speakers (creating new ones for
    new voices), set ``segments.speaker_id`` on the asset's ASR transcript segments by time
    overlap, and mirror the display name into ``search_entries.speaker``.

    Re-filing the same result is harmless: its clusters match the speakers the first filing
    created. Returns {cluster k: speaker id}.
    """
    clusters = sorted(result.get("clusters", []), key=lambda c: int(c["k"]))
    cents = np.array([c["centroid"] for c in clusters], dtype=np.float32)
    matched = match_project(cents, known_speakers(conn), threshold) if clusters else []
    ids: dict[int, int] = {}
    for cluster, centroid, speaker_id in zip(clusters, cents, matched, strict=True):
        if speaker_id is None:
            speaker_id = int(conn.execute(
                speakers.insert().values(
                    name=None, embedding=centroid.astype("<f4").tobytes(),
                    created_ms=now_ms(),
                ).returning(speakers.c.id)
            ).scalar_one())
        ids[int(cluster["k"])] = speaker_id
    names = {
        int(i): display_name(int(i), n)
        for i, n in conn.execute(
            sa.select(speakers.c.id, speakers.c.name).where(speakers.c.id.in_(list(ids.values())))
        ).all()
    } if ids else {}
    spans = [
        (int(s["start_us"]), int(s["end_us"]), int(s["cluster"]))
        for s in result.get("segments", [])
        if s.get("cluster") is not None and int(s["cluster"]) in ids
    ]
    rows = conn.execute(
        sa.select(segments.c.id, segments.c.start_us, segments.c.end_us, segments.c.speaker_label)
        .join(transcripts, transcripts.c.id == segments.c.transcript_id)
        .where(transcripts.c.asset_id == asset_id, transcripts.c.source.like("asr:%"))
    ).all()
    updates = []
    for row in rows:
        k = _overlap_cluster(int(row.start_us), int(row.end_us), spans)
        speaker_id = ids[k] if k is not None else None
        updates.append({
            "sid": row.id, "spk": speaker_id,
            "name": names[speaker_id] if speaker_id is not None else row.speaker_label,
        })
    if updates:
        conn.execute(
            segments.update().where(segments.c.id == sa.bindparam("sid"))
            .values(speaker_id=sa.bindparam("spk")),
            updates,
        )
        conn.execute(
            search_entries.update().where(
                search_entries.c.source == "transcript",
                search_entries.c.ref_id == sa.bindparam("sid"),
            ).values(speaker=sa.bindparam("name")),
            updates,
        )
    return ids


def name_speaker(conn: sa.Connection, speaker_id: int, name: str | None) -> int:
    """Name (or, with None, un-name) a voice everywhere it speaks: the speaker row and the
    search index entries of every segment labelled with it. Returns segments relabelled."""
    conn.execute(speakers.update().where(speakers.c.id == speaker_id).values(name=name))
    label = display_name(speaker_id, name)
    ids = sa.select(segments.c.id).where(segments.c.speaker_id == speaker_id)
    return int(conn.execute(
        search_entries.update().where(
            search_entries.c.source == "transcript", search_entries.c.ref_id.in_(ids)
        ).values(speaker=label)
    ).rowcount)
