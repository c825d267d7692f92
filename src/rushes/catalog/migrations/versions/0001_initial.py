"""Initial catalog: assets, locations, jobs, results, problems.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-24

Written out in full rather than from schema.py so that this step never changes after release.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("format", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("added_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_assets_kind", "assets", ["kind"])
    op.create_table(
        "locations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "asset_id", sa.String(64),
            sa.ForeignKey("assets.id", ondelete="CASCADE", name="fk_locations_asset_id_assets"),
            nullable=False,
        ),
        sa.Column("path_bytes", sa.LargeBinary, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("mtime_ns", sa.BigInteger, nullable=False),
        sa.Column("seen_ms", sa.BigInteger, nullable=False),
        sa.Column("verified_ms", sa.BigInteger, nullable=True),
        sa.Column("missing", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("path_bytes", name="uq_locations_path_bytes"),
    )
    op.create_index("ix_locations_asset_id", "locations", ["asset_id"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "asset_id", sa.String(64),
            sa.ForeignKey("assets.id", ondelete="CASCADE", name="fk_jobs_asset_id_assets"),
            nullable=False,
        ),
        sa.Column("analyzer", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("params_hash", sa.String(16), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_expires_ms", sa.BigInteger, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
        sa.UniqueConstraint(
            "asset_id", "analyzer", "version", "params_hash", name="uq_jobs_identity"
        ),
    )
    op.create_index("ix_jobs_asset_id", "jobs", ["asset_id"])
    op.create_index("ix_jobs_state", "jobs", ["state"])
    op.create_table(
        "results",
        sa.Column(
            "asset_id", sa.String(64),
            sa.ForeignKey("assets.id", ondelete="CASCADE", name="fk_results_asset_id_assets"),
            primary_key=True,
        ),
        sa.Column("analyzer", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("params_hash", sa.String(16), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "problems",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("path_bytes", sa.LargeBinary, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("path_bytes", name="uq_problems_path_bytes"),
    )


def downgrade() -> None:
    for table in ("problems", "results", "jobs", "locations", "assets"):
        op.drop_table(table)
