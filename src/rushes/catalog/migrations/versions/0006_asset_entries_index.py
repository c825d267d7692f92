"""The asset index of ``search_entries`` ends with the entry id, so the first and last entry of
an asset are each one index seek.

Revision ID: 0006_asset_entries_index
Revises: 0005_probe_date_index
Create Date: 2026-11-24

A search whose filters keep a few assets walks each stretch of their entries newest first
(``rushes.search.core.entry_ranges``), and finds the stretches from each asset's lowest and
highest entry id. SQLite's index on ``asset_id`` already ends with the rowid; PostgreSQL's
entries for one asset are in heap order, so ``min(id)`` there either read every entry of the
asset from the heap or, as the planner preferred, walked the primary key from the start until
it met the asset (3.5 s per search at 1,000 hours). With ``(asset_id, id)`` it is an
index-only seek on both databases, and the index still serves the foreign key.
"""

from __future__ import annotations

from alembic import op

revision = "0006_asset_entries_index"
down_revision = "0005_probe_date_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_search_entries_asset_id", table_name="search_entries")
    op.create_index("ix_search_entries_asset_entry", "search_entries", ["asset_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_search_entries_asset_entry", table_name="search_entries")
    op.create_index("ix_search_entries_asset_id", "search_entries", ["asset_id"])
