"""Prefix indexes in SQLite's word index, so ``interv*`` is one index lookup.

Revision ID: 0004_word_prefix_index
Revises: 0003_logging_edits
Create Date: 2026-11-24

Without them FTS5 answers a prefix by merging the doclists of every word that starts with it:
1.1 ms for a 4-letter prefix and 20–80 ms for a 1–2 letter one at 1,000 hours, against
0.1–0.7 ms with them, for a word index about four times the size (30 → 120 MB at 1,000 hours;
the trigram index beside it is 185 MB). FTS5 options cannot be altered, so the table is
created again and rebuilt from ``search_entries`` (its content table: no text is copied).
PostgreSQL answers prefixes from its GIN index and needs nothing.
"""

from __future__ import annotations

from alembic import op

revision = "0004_word_prefix_index"
down_revision = "0003_logging_edits"
branch_labels = None
depends_on = None

_TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"


def _recreate(prefix: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("search_fts_ai", "search_fts_ad", "search_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(text, content='search_entries', "
        f"content_rowid='id', {_TOKENIZE}{prefix})"
    )
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    op.execute(
        "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_entries BEGIN "
        "INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_entries BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_au AFTER UPDATE OF text ON search_entries BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, old.text); "
        "INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text); END"
    )


def upgrade() -> None:
    _recreate(", prefix='1 2 3 4'")


def downgrade() -> None:
    _recreate("")
