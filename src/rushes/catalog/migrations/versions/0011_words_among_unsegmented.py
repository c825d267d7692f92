"""Latin words and numbers written among Chinese, Japanese or Thai are words of their own.

Revision ID: 0011_words_among_unsegmented
Revises: 0010_postgres_word_pairs
Create Date: 2026-11-24

Both tokenizers took a run of CJK characters and the Latin letters or digits touching it for
one token: ``我们用iPhone拍摄`` was the single word ``我们用iphone拍摄``, and ``1989年6月4日``
the word ``1989年6月4日``, so neither ``iPhone`` nor ``1989`` found them. Word search never
looks for these scripts (a term holding one is a substring, answered by the trigram and bigram
indexes), so the word index now reads each text with its unsegmented runs taken out
(``rushes.domain.scripts.word_text_of``).

- SQLite: the text with its runs taken out is stored in ``word_text`` (NULL for a text with
  none, which the index reads as it is), and ``search_fts`` reads the view ``search_words``
  (``coalesce(word_text, text)``), so that ``rebuild`` and ``integrity-check`` see what the
  triggers indexed. The pairs of those rows are made again from ``word_text``.
- PostgreSQL: ``rushes_fold``, which ``tsv`` is made with, takes the runs out as well; the
  rows that hold one are written again, so that their ``tsv`` (and the pair index over it)
  follows.

The rows concerned are those with bigrams (``grams``): a text has bigrams exactly when it has
an unsegmented run. A later change to ``rushes.domain.scripts.UNSEGMENTED`` needs a migration
of its own, to make ``rushes_fold`` and the stored texts again.
"""

from __future__ import annotations

from importlib import import_module

import sqlalchemy as sa
from alembic import op

from rushes.domain.scripts import UNSEGMENTED, word_text_of
from rushes.domain.words import pairs_of

revision = "0011_words_among_unsegmented"
down_revision = "0010_postgres_word_pairs"
branch_labels = None
depends_on = None

_BATCH = 5000

_RANGES = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in UNSEGMENTED)

_TOKENIZE = "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4'"


def _rewrite_sqlite(words_of: bool) -> None:
    """Set ``word_text`` (or clear it, going down) and the pairs of every row with bigrams."""
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.exec_driver_sql(
            "SELECT id, text FROM search_entries WHERE grams IS NOT NULL AND id > ? "
            "ORDER BY id LIMIT ?",
            (last, _BATCH),
        ).fetchall()
        if not rows:
            break
        updates = []
        for id_, text in rows:
            words = word_text_of(text) if words_of else None
            updates.append((words, pairs_of(text if words is None else words), id_))
        conn.exec_driver_sql(
            "UPDATE search_entries SET word_text = ?, pairs = ? WHERE id = ?", updates
        )
        last = rows[-1][0]


def _recreate_word_index(content: str, column: str, columns: str) -> None:
    """``search_fts`` again over ``content``, indexing ``column`` of each new or old row, and
    again when ``columns`` change."""
    for trigger in ("search_fts_ai", "search_fts_ad", "search_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute(
        f"CREATE VIRTUAL TABLE search_fts USING fts5(text, content='{content}', "
        f"content_rowid='id', {_TOKENIZE})"
    )
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    new, old = (column.format(row=row) for row in ("new", "old"))
    op.execute(
        "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_entries BEGIN "
        f"INSERT INTO search_fts(rowid, text) VALUES (new.id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_entries BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER search_fts_au AFTER UPDATE OF {columns} ON search_entries BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO search_fts(rowid, text) VALUES (new.id, {new}); END"
    )


def _fold_function(pattern: str) -> str:
    """``rushes_fold`` as migration 0002 made it, with ``pattern`` as the characters that
    become a space."""
    src, dst = _latin_folds()
    return (
        "CREATE OR REPLACE FUNCTION rushes_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE "
        f"PARALLEL SAFE AS $$ SELECT translate(regexp_replace(t, '{pattern}', ' ', 'g'), "
        f"'{src}', '{dst}') $$"
    )


def _latin_folds() -> tuple[str, str]:
    module = import_module("rushes.catalog.migrations.versions.0002_transcripts_search")
    folds: tuple[str, str] = module._latin_folds()
    return folds


def _refold_postgres(pattern: str) -> None:
    op.execute(_fold_function(pattern))
    # A stored generated column is made again whenever its row is written.
    op.execute("UPDATE search_entries SET text = text WHERE grams IS NOT NULL")
    op.execute("ANALYZE search_entries")


def upgrade() -> None:
    op.add_column("search_entries", sa.Column("word_text", sa.Text, nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _refold_postgres(f"[/._@:+{_RANGES}-]+")
        return
    _rewrite_sqlite(words_of=True)
    op.execute(
        "CREATE VIEW search_words AS "
        "SELECT id, coalesce(word_text, text) AS text FROM search_entries"
    )
    _recreate_word_index(
        "search_words", "coalesce({row}.word_text, {row}.text)", "text, word_text"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _refold_postgres("[/._@:+-]+")
    else:
        _rewrite_sqlite(words_of=False)
        _recreate_word_index("search_entries", "{row}.text", "text")
        op.execute("DROP VIEW IF EXISTS search_words")
    op.drop_column("search_entries", "word_text")
