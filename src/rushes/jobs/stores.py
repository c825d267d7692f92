"""Filing analyzer results into the catalog's queryable tables.

Most results are read whole from the results table. Some must also be queried piece by piece
(a transcript's segments are what search finds), so when an analyzer declares ``stores``, the
runner files its result here in the same transaction that marks the job done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from rushes.catalog.descriptions import index_description
from rushes.catalog.results import result_of
from rushes.catalog.speakers import assign_speakers
from rushes.catalog.transcripts import SegmentRow, WordRow, store_transcript

Store = Callable[[sa.Connection, str, str, dict[str, Any]], None]


def _store_transcript(conn: sa.Connection, asset_id: str, analyzer: str,
                      data: dict[str, Any]) -> None:
    """A transcript result: {"source", "language", "segments": [{"start_us", "end_us", "text",
    "speaker", "words": [[start_us, end_us, text], …]}]}."""
    rows = [
        SegmentRow(
            int(seg["start_us"]), int(seg["end_us"]), str(seg["text"]), seg.get("speaker"),
            tuple(WordRow(int(s), int(e), str(t)) for s, e, t in seg.get("words", [])),
        )
        for seg in data.get("segments", [])
    ]
    store_transcript(conn, asset_id, str(data.get("source") or f"asr:{analyzer}"),
                     data.get("language"), rows)
    # A re-run transcript has new segments: label them with the voices already found.
    voices = result_of(conn, asset_id, "speakers")
    if voices is not None:
        assign_speakers(conn, asset_id, voices)


def _store_speakers(conn: sa.Connection, asset_id: str, analyzer: str,
                    data: dict[str, Any]) -> None:
    """A speakers result: voice clusters matched to project speakers, segments labelled."""
    assign_speakers(conn, asset_id, data)


def _store_probe(conn: sa.Connection, asset_id: str, analyzer: str,
                 data: dict[str, Any]) -> None:
    """A probe result: the file's own words (title, caption, keywords, sound report) become its
    metadata search entry."""
    index_description(conn, asset_id, data)


STORES: dict[str, Store] = {
    "transcript": _store_transcript, "speakers": _store_speakers, "probe": _store_probe,
}


def file_result(conn: sa.Connection, kind: str, asset_id: str, analyzer: str,
                data: dict[str, Any]) -> None:
    STORES[kind](conn, asset_id, analyzer, data)
