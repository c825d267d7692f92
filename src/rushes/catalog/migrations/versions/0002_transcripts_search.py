"""Transcripts (segments with word times, speakers) and the search index.

Revision ID: 0002_transcripts_search
Revises: 0001_initial
Create Date: 2026-11-24

``search_entries`` holds every searchable piece of text (transcript segments now; notes, tags,
clip labels, text in images and web captures later) with its asset and time range. The text
index over it is the database's own: on SQLite three FTS5 tables kept in step by triggers (words
with unicode61, substrings for unsegmented scripts with trigram, and 1–2 character substrings of
those scripts over the ``grams`` column of character bigrams); on PostgreSQL a generated tsvector
with a GIN index, pg_trgm for substrings, and a generated tsvector of the bigrams with a GIN index.
``grams`` is computed in Python (``rushes.domain.scripts.grams_of``) when a row is inserted.
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0002_transcripts_search"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "speakers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=True),
        sa.Column("embedding", sa.LargeBinary, nullable=True),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "transcripts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "asset_id", sa.String(64),
            sa.ForeignKey("assets.id", ondelete="CASCADE", name="fk_transcripts_asset_id_assets"),
            nullable=False,
        ),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("asset_id", "source", name="uq_transcripts_asset_source"),
    )
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "transcript_id", sa.Integer,
            sa.ForeignKey("transcripts.id", ondelete="CASCADE",
                          name="fk_segments_transcript_id_transcripts"),
            nullable=False,
        ),
        sa.Column(
            "asset_id", sa.String(64),
            sa.ForeignKey("assets.id", ondelete="CASCADE", name="fk_segments_asset_id_assets"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("start_us", sa.BigInteger, nullable=False),
        sa.Column("end_us", sa.BigInteger, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("speaker_label", sa.String(128), nullable=True),
        sa.Column(
            "speaker_id", sa.Integer,
            sa.ForeignKey("speakers.id", ondelete="SET NULL",
                          name="fk_segments_speaker_id_speakers"),
            nullable=True,
        ),
        sa.Column("words", sa.JSON, nullable=False),
    )
    op.create_index("ix_segments_transcript_id", "segments", ["transcript_id"])
    op.create_index("ix_segments_asset_id", "segments", ["asset_id"])
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "asset_id", sa.String(64),
            sa.ForeignKey("assets.id", ondelete="CASCADE",
                          name="fk_search_entries_asset_id_assets"),
            nullable=False,
        ),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("ref_id", sa.Integer, nullable=True),
        sa.Column("start_us", sa.BigInteger, nullable=True),
        sa.Column("end_us", sa.BigInteger, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("speaker", sa.Text, nullable=True),
        sa.Column("grams", sa.Text, nullable=True),
    )
    op.create_index("ix_search_entries_asset_id", "search_entries", ["asset_id"])
    op.create_index("ix_search_entries_source_ref", "search_entries", ["source", "ref_id"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_index()
    else:
        _sqlite_index()


def _sqlite_index() -> None:
    # search_bigram: grams holds only non-ASCII characters and spaces, so the ascii tokenizer
    # makes each bigram (or run-final character) one token, whatever its Unicode category
    # (unicode61 would split at Thai vowel marks and CJK punctuation). prefix='1' indexes each
    # token's first character, so a 1-character query is one index lookup.
    for name, col, options in (
        ("search_fts", "text", "tokenize='unicode61 remove_diacritics 2'"),
        ("search_trigram", "text", "tokenize='trigram'"),
        ("search_bigram", "grams", "tokenize='ascii', prefix='1'"),
    ):
        op.execute(
            f"CREATE VIRTUAL TABLE {name} USING fts5({col}, content='search_entries', "
            f"content_rowid='id', {options})"
        )
        op.execute(
            f"CREATE TRIGGER {name}_ai AFTER INSERT ON search_entries BEGIN "
            f"INSERT INTO {name}(rowid, {col}) VALUES (new.id, new.{col}); END"
        )
        op.execute(
            f"CREATE TRIGGER {name}_ad AFTER DELETE ON search_entries BEGIN "
            f"INSERT INTO {name}({name}, rowid, {col}) VALUES ('delete', old.id, old.{col}); END"
        )
        op.execute(
            f"CREATE TRIGGER {name}_au AFTER UPDATE OF {col} ON search_entries BEGIN "
            f"INSERT INTO {name}({name}, rowid, {col}) VALUES ('delete', old.id, old.{col}); "
            f"INSERT INTO {name}(rowid, {col}) VALUES (new.id, new.{col}); END"
        )


def _latin_folds() -> tuple[str, str]:
    """Accented Latin letters and their plain forms, as unicode61's remove_diacritics folds them
    (written out here so that this step never changes)."""
    src, dst = [], []
    for cp in range(0xC0, 0x250):
        ch = chr(cp)
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
        ).lower()
        if len(plain) == 1 and plain.isascii() and plain.isalpha() and plain != ch:
            src.append(ch)
            dst.append(plain)
    return "".join(src), "".join(dst)


def _postgres_index() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # Index the text tokenised as SQLite's unicode61 does: accents folded, and paths, e-mail
    # addresses and compounds (people/Ai, take_2) split, so both databases find the same rows.
    src, dst = _latin_folds()
    op.execute(
        "CREATE FUNCTION rushes_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        f"AS $$ SELECT translate(regexp_replace(t, '[/._@:+-]+', ' ', 'g'), '{src}', '{dst}') $$"
    )
    op.execute(
        "ALTER TABLE search_entries ADD COLUMN tsv tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', rushes_fold(text))) STORED"
    )
    op.execute("CREATE INDEX ix_search_entries_tsv ON search_entries USING gin (tsv)")
    op.execute(
        "CREATE INDEX ix_search_entries_trgm ON search_entries USING gin (text gin_trgm_ops)"
    )
    # The bigrams as lexemes verbatim (no parser: it would drop or split some of these
    # characters depending on the locale), matched with a tsquery cast from quoted lexemes.
    op.execute(
        "ALTER TABLE search_entries ADD COLUMN grams_tsv tsvector "
        "GENERATED ALWAYS AS (array_to_tsvector(string_to_array(grams, ' '))) STORED"
    )
    op.execute("CREATE INDEX ix_search_entries_grams ON search_entries USING gin (grams_tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for name in ("search_fts", "search_trigram", "search_bigram"):
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {name}")
    for table in ("search_entries", "segments", "transcripts", "speakers"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS rushes_fold(text)")
