"""Filing speaker results on SQLite and PostgreSQL: project speakers, segment labels, search."""

from __future__ import annotations

from typing import Any

import numpy as np
import sqlalchemy as sa

from rushes.catalog import Catalog
from rushes.catalog.assets import add_asset
from rushes.catalog.schema import search_entries, segments, speakers, transcripts
from rushes.catalog.speakers import assign_speakers, name_speaker
from rushes.catalog.transcripts import SegmentRow, load_transcript, store_transcript

FIRST, SECOND = "a" * 64, "b" * 64
DIM = 256
_rng = np.random.default_rng(0)
ELLEN, TOM = (v / np.linalg.norm(v) for v in _rng.standard_normal((2, DIM)))


def _near(voice: np.ndarray[Any, Any]) -> list[float]:
    v = voice + 0.01 * _rng.standard_normal(DIM)
    return [float(x) for x in v / np.linalg.norm(v)]


def _asr(conn: sa.Connection, asset: str) -> None:
    store_transcript(conn, asset, "asr:pocketsphinx", "en", [
        SegmentRow(0, 2_000_000, "where were you that night"),
        SegmentRow(2_000_000, 5_000_000, "at the harbour with my brother"),
        SegmentRow(5_000_000, 5_400_000, "and"),
        SegmentRow(5_400_000, 8_000_000, "did anyone see you there"),
    ])


def _result(first: list[float], second: list[float]) -> dict[str, Any]:
    return {
        "segments": [
            {"start_us": 0, "end_us": 2_000_000, "cluster": 0},
            {"start_us": 2_000_000, "end_us": 5_000_000, "cluster": 1},
            {"start_us": 5_000_000, "end_us": 5_400_000, "cluster": None},
            {"start_us": 5_400_000, "end_us": 8_000_000, "cluster": 0},
        ],
        "clusters": [{"k": 0, "centroid": first}, {"k": 1, "centroid": second}],
    }


def _labels(conn: sa.Connection, asset: str, source: str) -> list[tuple[Any, ...]]:
    rows = conn.execute(
        sa.select(segments.c.speaker_id, segments.c.speaker_label, search_entries.c.speaker)
        .join(transcripts, transcripts.c.id == segments.c.transcript_id)
        .join(search_entries, sa.and_(search_entries.c.ref_id == segments.c.id,
                                      search_entries.c.source == "transcript"))
        .where(transcripts.c.asset_id == asset, transcripts.c.source == source)
        .order_by(segments.c.seq)
    ).all()
    return [tuple(r) for r in rows]


def test_assign_label_match_and_name(catalog: Catalog) -> None:
    with catalog.write() as conn:
        add_asset(conn, FIRST, "video", "mp4", 10)
        add_asset(conn, SECOND, "audio", "wav", 10)
        _asr(conn, FIRST)
        store_transcript(conn, FIRST, "import:srt", "en", [
            SegmentRow(0, 2_000_000, "where were you that night", "INTERVIEWER"),
            SegmentRow(2_000_000, 5_000_000, "at the harbour with my brother", "ELLEN"),
        ])
        ids = assign_speakers(conn, FIRST, _result(_near(TOM), _near(ELLEN)))
    tom, ellen = ids[0], ids[1]
    assert tom != ellen
    with catalog.read() as conn:
        asr = _labels(conn, FIRST, "asr:pocketsphinx")
        imported = _labels(conn, FIRST, "import:srt")
        stored = dict(conn.execute(sa.select(speakers.c.id, speakers.c.embedding)).all())
    assert asr == [
        (tom, None, f"Speaker {tom}"),
        (ellen, None, f"Speaker {ellen}"),
        (None, None, None),  # too short to embed: no label
        (tom, None, f"Speaker {tom}"),
    ]
    # A person's names in an imported transcript are kept as written.
    assert imported == [(None, "INTERVIEWER", "INTERVIEWER"), (None, "ELLEN", "ELLEN")]
    assert np.frombuffer(stored[ellen], "<f4").shape == (DIM,)

    # Naming a voice once names it everywhere, including assets filed later.
    with catalog.write() as conn:
        assert name_speaker(conn, ellen, "Ellen Marsh") == 1
        _asr(conn, SECOND)
        new_voice = _rng.standard_normal(DIM)
        again = assign_speakers(
            conn, SECOND, _result(_near(ELLEN), [float(x) for x in new_voice]))
    assert again[0] == ellen and again[1] not in (tom, ellen)
    with catalog.read() as conn:
        second = _labels(conn, SECOND, "asr:pocketsphinx")
        first = _labels(conn, FIRST, "asr:pocketsphinx")
        transcript = load_transcript(conn, SECOND, "asr:pocketsphinx")
        count = conn.execute(sa.select(sa.func.count()).select_from(speakers)).scalar_one()
    assert second[0] == (ellen, None, "Ellen Marsh")
    assert second[1] == (again[1], None, f"Speaker {again[1]}")
    assert first[1] == (ellen, None, "Ellen Marsh")
    assert transcript is not None and transcript.segments[0].speaker == "Ellen Marsh"
    assert count == 3


def test_refiling_is_idempotent(catalog: Catalog) -> None:
    result = _result(_near(TOM), _near(ELLEN))
    with catalog.write() as conn:
        add_asset(conn, FIRST, "video", "mp4", 10)
        _asr(conn, FIRST)
        first = assign_speakers(conn, FIRST, result)
        second = assign_speakers(conn, FIRST, result)
        count = conn.execute(sa.select(sa.func.count()).select_from(speakers)).scalar_one()
    assert first == second and count == 2


def test_empty_result_clears_nothing_it_should_not(catalog: Catalog) -> None:
    with catalog.write() as conn:
        add_asset(conn, FIRST, "video", "mp4", 10)
        _asr(conn, FIRST)
        assert assign_speakers(conn, FIRST, {"segments": [], "clusters": []}) == {}
        labels = _labels(conn, FIRST, "asr:pocketsphinx")
    assert all(row == (None, None, None) for row in labels)
