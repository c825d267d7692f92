"""Transcripts (segments with word times, speakers) and the search index.

Revision ID: 0002_transcripts_search
Revises: 0001_initial
Create Date: 2026-11-24

``search_entries`` holds every searchable piece of text (transcript segments now; notes, tags,
clip labels, text in images and web captures later) with its asset and time range. The text
index over it is the database's own: on SQLite two FTS5 tables kept in step by triggers (words
with unicode61, substrings for unsegmented scripts with trigram); on PostgreSQL a generated
tsvector with a GIN index, plus pg_trgm for substrings.
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
    )
    op.create_index("ix_search_entries_asset_id", "search_entries", ["asset_id"])
    op.create_index("ix_search_entries_source_ref", "search_entries", ["source", "ref_id"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_index()
    else:
        _sqlite_index()


def _sqlite_index() -> None:
    for name, tokenizer in (("search_fts", "unicode61 remove_diacritics 2"),
                            ("search_trigram", "trigram")):
        op.execute(
            f"CREATE VIRTUAL TABLE {name} USING fts5(text, content='search_entries', "
            f"content_rowid='id', tokenize='{tokenizer}')"
        )
        op.execute(
            f"CREATE TRIGGER {name}_ai AFTER INSERT ON search_entries BEGIN "
            f"INSERT INTO {name}(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute(
            f"CREATE TRIGGER {name}_ad AFTER DELETE ON search_entries BEGIN "
            f"INSERT INTO {name}({name}, rowid, text) VALUES ('delete', old.id, old.text); END"
        )
        op.execute(
            f"CREATE TRIGGER {name}_au AFTER UPDATE OF text ON search_entries BEGIN "
            f"INSERT INTO {name}({name}, rowid, text) VALUES ('delete', old.id, old.text); "
            f"INSERT INTO {name}(rowid, text) VALUES (new.id, new.text); END"
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


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for name in ("search_fts", "search_trigram"):
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {name}")
    for table in ("search_entries", "segments", "transcripts", "speakers"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS rushes_fold(text)")
