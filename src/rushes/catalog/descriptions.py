"""A file's own words (title, caption, keywords, sound report) as its ``metadata`` search entry.

Filed from the probe result in the transaction that stores it (:mod:`rushes.jobs.stores`), so a
file probed again replaces its entry rather than adding a second one, and a probe killed before
it commits leaves the old entry as it was. The entry is untimed: it describes the whole file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from rushes.catalog.logs import index_entry
from rushes.catalog.schema import search_entries
from rushes.media.description import searchable_text

SOURCE = "metadata"


def index_description(conn: sa.Connection, asset_id: str, probe: Mapping[str, Any]) -> None:
    """Make the asset findable by what its probe result says in words, and by nothing older."""
    text = searchable_text(probe)
    mine = (search_entries.c.asset_id == asset_id, search_entries.c.source == SOURCE)
    current = conn.execute(sa.select(search_entries.c.text).where(*mine)).scalars().all()
    if current == ([text] if text else []):
        return  # unchanged: keep the entry (and its place among the newest) as it is
    conn.execute(search_entries.delete().where(*mine))
    if text:
        index_entry(conn, SOURCE, None, asset_id, text)
