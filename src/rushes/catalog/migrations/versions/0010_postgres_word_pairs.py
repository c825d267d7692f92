"""A word-pair index for phrases on PostgreSQL: GIN over ``rushes_pairs(tsv)``.

Revision ID: 0010_postgres_word_pairs
Revises: 0009_location_real_paths
Create Date: 2026-11-24

PostgreSQL answers a phrase from the ``tsv`` index by fetching every row that holds all its
words and checking their positions there (the index keeps none): at 1,000 hours a rare phrase
of a common and a middling word fetched 1,475 rows to find 123 (12 ms), and a phrase of two
common words walked 53,000 rows (23 ms). ``rushes_pairs(tsv)`` is the tsvector of a text's
adjacent lexemes joined with ``_`` (``harbour_master``), made from the positions in ``tsv``
itself, so ``'harbour_master'`` matches exactly the rows ``'harbour' <-> 'master'`` does, and
its index finds those rows alone (0.2 ms; 3.5 ms for a pair in 3,000 rows).

The SQLite counterpart (0007) stores the pairs that Python computes; here PostgreSQL's own
parser made ``tsv``, so the pairs come from it. An expression index rather than a stored
column: the table stays as it is (a stored column added 170 MB to its 320 MB at 1,000 hours),
and nothing reads the pairs but the index. The index is about 270 MB there (the ``tsv`` index
is 34 MB: most pairs are rare, so it is mostly its list of pairs), built in about a minute;
the function costs ~20 µs per row written.
"""

from __future__ import annotations

from alembic import op

revision = "0010_postgres_word_pairs"
down_revision = "0009_location_real_paths"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Every lexeme at position p paired with every lexeme at p + 1, which is what ``<->``
    # matches (positions past 16,383 all read 16,383, in both). array_to_tsvector drops
    # duplicate pairs.
    op.execute(
        "CREATE FUNCTION rushes_pairs(t tsvector) RETURNS tsvector "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
        "SELECT coalesce(array_to_tsvector(array_agg(a.lexeme || '_' || b.lexeme)), "
        "''::tsvector) "
        "FROM (SELECT u.lexeme, p FROM unnest(t) u, unnest(u.positions) p) a "
        "JOIN (SELECT u.lexeme, p FROM unnest(t) u, unnest(u.positions) p) b ON b.p = a.p + 1 $$"
    )
    op.execute(
        "CREATE INDEX ix_search_entries_pairs ON search_entries USING gin (rushes_pairs(tsv))"
    )
    # Statistics of the pairs now: the search reads a phrase from this index only by them
    # (rushes.search.postgres_backend._rare_pairs), and autovacuum would analyse the table
    # again only after a tenth of it changed. At 1,000 hours about 9 s.
    op.execute("ANALYZE search_entries")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_entries_pairs")
    op.execute("DROP FUNCTION IF EXISTS rushes_pairs(tsvector)")
