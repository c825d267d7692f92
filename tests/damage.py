"""Damaging a SQLite catalog the way a failing disk does, for the tests of what a person sees
when the catalog itself fails: one page of one table overwritten, the rest intact."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def damage_table(db: Path, table: str) -> None:
    """Overwrite the root page of ``table`` in the catalog file ``db``. The schema and the
    migration check still read fine, so the catalog opens; the first read of ``table`` fails
    with "database disk image is malformed"."""
    conn = sqlite3.connect(db)
    try:
        # Every page in the file itself, none left in the write-ahead log.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()[0]
    finally:
        conn.close()
    data = bytearray(db.read_bytes())
    start = (root - 1) * page_size
    data[start:start + page_size] = b"\xa5" * page_size
    db.write_bytes(bytes(data))
