"""Transcripts stored, replaced and read back on SQLite and PostgreSQL, mirrored into search."""

from __future__ import annotations

import sqlalchemy as sa

from rushes.catalog import Catalog
from rushes.catalog.assets import add_asset
from rushes.catalog.schema import search_entries
from rushes.catalog.transcripts import (
    SegmentRow,
    WordRow,
    load_transcript,
    rename_speaker,
    store_transcript,
)

ASSET = "a" * 64


def _segments(text: str) -> list[SegmentRow]:
    return [
        SegmentRow(1_000_000, 2_500_000, text, "ELLEN",
                   (WordRow(1_000_000, 1_400_000, text.split()[0]),)),
        SegmentRow(2_500_000, 4_000_000, "我们的孩子的名字", None, ()),
    ]


def test_store_replace_and_prefer_imported(catalog: Catalog) -> None:
    with catalog.write() as conn:
        add_asset(conn, ASSET, "video", "mp4", 10)
        store_transcript(conn, ASSET, "asr:pocketsphinx", "en", _segments("machine words"))
        store_transcript(conn, ASSET, "import:srt", "en", _segments("human words"))
        store_transcript(conn, ASSET, "import:srt", "en", _segments("human words again"))
    with catalog.read() as conn:
        preferred = load_transcript(conn, ASSET)
        machine = load_transcript(conn, ASSET, "asr:pocketsphinx")
        texts = sorted(conn.execute(sa.select(search_entries.c.text)).scalars())
    assert preferred is not None and preferred.source == "import:srt"
    assert preferred.segments[0].text == "human words again"
    assert preferred.segments[0].words == (WordRow(1_000_000, 1_400_000, "human"),)
    assert preferred.segments[1].text == "我们的孩子的名字"
    assert machine is not None and machine.segments[0].text == "machine words"
    # The replaced transcript left nothing behind in the search index.
    assert texts == ["human words again", "machine words", "我们的孩子的名字", "我们的孩子的名字"]


def test_rename_speaker_everywhere(catalog: Catalog) -> None:
    with catalog.write() as conn:
        add_asset(conn, ASSET, "video", "mp4", 10)
        store_transcript(conn, ASSET, "import:vtt", None, _segments("hello there"))
        assert rename_speaker(conn, "ELLEN", "Ellen Marsh") == 1
    with catalog.read() as conn:
        t = load_transcript(conn, ASSET)
        speakers = set(conn.execute(sa.select(search_entries.c.speaker)).scalars())
    assert t is not None and t.segments[0].speaker == "Ellen Marsh"
    assert speakers == {"Ellen Marsh", None}


def test_rename_ignores_the_case_of_ascii_letters_alike_on_both_databases(
    catalog: Catalog,
) -> None:
    # SQLite's lower() folds ASCII letters only; PostgreSQL's would fold É too, unless told.
    with catalog.write() as conn:
        add_asset(conn, ASSET, "video", "mp4", 10)
        store_transcript(conn, ASSET, "import:vtt", None, [
            SegmentRow(0, 1_000_000, "Bonjour.", "ÉLISE"),
            SegmentRow(1_000_000, 2_000_000, "Salut.", "JOSH"),
        ])
        assert rename_speaker(conn, "élise", "Élise Martin") == 0
        assert rename_speaker(conn, "josh", "Josh Reid") == 1
        assert rename_speaker(conn, "ÉLISE", "Élise Martin") == 1
