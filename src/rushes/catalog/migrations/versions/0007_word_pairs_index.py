"""A word-pair index for phrases on SQLite: ``search_entries.pairs`` and FTS5 ``search_pairs``.

Revision ID: 0007_word_pairs_index
Revises: 0006_asset_entries_index
Create Date: 2026-11-24

FTS5 finds a phrase by walking the position lists of all its words, so a rare phrase of common
words reads every row that holds both. ``pairs`` holds each text's adjacent word pairs
(``rushes.domain.words.pairs_of``, computed in Python on insert like ``grams``), and
``search_pairs`` indexes them: a two-word phrase is one pair's doclist (at 1,000 hours, phrases
of the commonest words 15 ms → 2 ms at worst; the index is about 60 MB beside the word index's
120 MB, and the pairs text about 130 MB). PostgreSQL gets the column, left empty, so that both
databases have one schema; its GIN index answers phrases by itself.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rushes.domain.words import pairs_of

revision = "0007_word_pairs_index"
down_revision = "0006_asset_entries_index"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    op.add_column("search_entries", sa.Column("pairs", sa.Text, nullable=True))
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    last = 0
    while True:
        rows = conn.exec_driver_sql(
            "SELECT id, text FROM search_entries WHERE id > ? ORDER BY id LIMIT ?",
            (last, _BATCH),
        ).fetchall()
        if not rows:
            break
        conn.exec_driver_sql(
            "UPDATE search_entries SET pairs = ? WHERE id = ?",
            [(pairs_of(text), id_) for id_, text in rows],
        )
        last = rows[-1][0]
    # ascii with '_' as a letter: every pair is one token, and so are the markers "_n", "_u".
    op.execute(
        "CREATE VIRTUAL TABLE search_pairs USING fts5(pairs, content='search_entries', "
        "content_rowid='id', tokenize=\"ascii tokenchars '_'\")"
    )
    op.execute("INSERT INTO search_pairs(search_pairs) VALUES ('rebuild')")
    op.execute(
        "CREATE TRIGGER search_pairs_ai AFTER INSERT ON search_entries BEGIN "
        "INSERT INTO search_pairs(rowid, pairs) VALUES (new.id, new.pairs); END"
    )
    op.execute(
        "CREATE TRIGGER search_pairs_ad AFTER DELETE ON search_entries BEGIN "
        "INSERT INTO search_pairs(search_pairs, rowid, pairs) "
        "VALUES ('delete', old.id, old.pairs); END"
    )
    op.execute(
        "CREATE TRIGGER search_pairs_au AFTER UPDATE OF pairs ON search_entries BEGIN "
        "INSERT INTO search_pairs(search_pairs, rowid, pairs) "
        "VALUES ('delete', old.id, old.pairs); "
        "INSERT INTO search_pairs(rowid, pairs) VALUES (new.id, new.pairs); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS search_pairs_{suffix}")
        op.execute("DROP TABLE IF EXISTS search_pairs")
    op.drop_column("search_entries", "pairs")
