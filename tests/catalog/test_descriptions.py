"""The metadata search entry follows the probe result: one entry per asset, kept when the words
are the same, replaced when they change, gone when the file says nothing any more."""

from __future__ import annotations

import sqlalchemy as sa

from rushes.catalog import Catalog
from rushes.catalog.assets import add_asset
from rushes.catalog.descriptions import SOURCE, index_description
from rushes.catalog.schema import search_entries

ASSET = "d4" + "0" * 62


def _entries(catalog: Catalog) -> list[tuple[int, str]]:
    with catalog.read() as conn:
        rows = conn.execute(
            sa.select(search_entries.c.id, search_entries.c.text)
            .where(search_entries.c.source == SOURCE).order_by(search_entries.c.id)
        ).all()
    return [(r.id, r.text) for r in rows]


def test_one_entry_kept_replaced_and_removed_with_the_probe(catalog: Catalog) -> None:
    with catalog.write() as conn:
        add_asset(conn, ASSET, "image", "jpeg", 10)
        index_description(conn, ASSET, {"title": "The keeper", "keywords": ["lighthouse"]})
    first = _entries(catalog)
    assert [text for _, text in first] == ["The keeper · lighthouse"]
    with catalog.write() as conn:  # probed again, same words: the very same entry
        index_description(conn, ASSET, {"title": "The keeper", "keywords": ["lighthouse"]})
    assert _entries(catalog) == first
    with catalog.write() as conn:  # the caption was edited in the file
        index_description(conn, ASSET, {"title": "The keeper", "description": "Ellen, 1962"})
    assert [text for _, text in _entries(catalog)] == ["The keeper · Ellen, 1962"]
    with catalog.write() as conn:
        index_description(conn, ASSET, {"title": None, "description": None})
    assert _entries(catalog) == []
