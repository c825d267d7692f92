"""Each asset's frame rate and embedded start timecode as columns of its probe result.

Revision ID: 0008_probe_clock_columns
Revises: 0007_word_pairs_index
Create Date: 2026-11-24

Every search hit shows a timecode, so a page of hits reads the rate and start timecode of its
assets. Read out of the probe document, that meant parsing each document twice, and on
PostgreSQL, whose ``json`` column is text, the whole ~900-byte document each time: 0.5 ms for
the 20 assets of a rare word at 1,000 hours, 1.4 ms for 50. ``media_rate`` and
``media_start_tc`` are generated from the document like ``created_day`` (0005): stored on
PostgreSQL, virtual on SQLite (whose ALTER TABLE can add no stored column, and whose own JSON
reader costs little), NULL for other analyzers' results. Not in ``rushes.catalog.schema``, as
nothing writes them.
"""

from __future__ import annotations

from alembic import op

revision = "0008_probe_clock_columns"
down_revision = "0007_word_pairs_index"
branch_labels = None
depends_on = None

#: column name → the probe document's key
_COLUMNS = {"media_rate": "rate", "media_start_tc": "start_timecode"}


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for column, key in _COLUMNS.items():
        if postgres:
            op.execute(
                f"ALTER TABLE results ADD COLUMN {column} text GENERATED ALWAYS AS "
                f"(CASE WHEN analyzer = 'probe' THEN data ->> '{key}' END) STORED"
            )
        else:
            op.execute(
                f"ALTER TABLE results ADD COLUMN {column} TEXT GENERATED ALWAYS AS "
                f"(CASE WHEN analyzer = 'probe' THEN CAST(json_extract(data, '$.{key}') AS TEXT) "
                "END) VIRTUAL"
            )


def downgrade() -> None:
    for column in _COLUMNS:
        op.execute(f"ALTER TABLE results DROP COLUMN {column}")
