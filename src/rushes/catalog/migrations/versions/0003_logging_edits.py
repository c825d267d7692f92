"""Logging (clips, tags, notes and markers, ratings, bins), paper edits, and web app users.

Revision ID: 0003_logging_edits
Revises: 0002_transcripts_search
Create Date: 2026-11-24

Frame-exact media times (clip in/out, markers, cut ranges) are fraction strings of seconds;
microsecond columns beside them serve ordering and search only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_logging_edits"
down_revision = "0002_transcripts_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clips",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "asset_id",
            sa.String(64),
            sa.ForeignKey("assets.id", ondelete="CASCADE", name="fk_clips_asset_id_assets"),
            nullable=False,
        ),
        sa.Column("in_time", sa.String(64), nullable=False),
        sa.Column("out_time", sa.String(64), nullable=False),
        sa.Column("start_us", sa.BigInteger, nullable=False),
        sa.Column("end_us", sa.BigInteger, nullable=False),
        sa.Column("label", sa.Text, nullable=True),
        sa.Column("rating", sa.Integer, nullable=True),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "asset_id",
            sa.String(64),
            sa.ForeignKey("assets.id", ondelete="CASCADE", name="fk_tags_asset_id_assets"),
            nullable=False,
        ),
        sa.Column(
            "clip_id",
            sa.Integer,
            sa.ForeignKey("clips.id", ondelete="CASCADE", name="fk_tags_clip_id_clips"),
            nullable=True,
        ),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "asset_id",
            sa.String(64),
            sa.ForeignKey("assets.id", ondelete="CASCADE", name="fk_notes_asset_id_assets"),
            nullable=False,
        ),
        sa.Column(
            "clip_id",
            sa.Integer,
            sa.ForeignKey("clips.id", ondelete="CASCADE", name="fk_notes_clip_id_clips"),
            nullable=True,
        ),
        sa.Column("at_time", sa.String(64), nullable=True),
        sa.Column("at_us", sa.BigInteger, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=True),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "ratings",
        sa.Column(
            "asset_id",
            sa.String(64),
            sa.ForeignKey("assets.id", ondelete="CASCADE", name="fk_ratings_asset_id_assets"),
            primary_key=True,
        ),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.create_table(
        "bins",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("name", name="uq_bins_name"),
    )
    op.create_table(
        "bin_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "bin_id",
            sa.Integer,
            sa.ForeignKey("bins.id", ondelete="CASCADE", name="fk_bin_entries_bin_id_bins"),
            nullable=False,
        ),
        sa.Column(
            "asset_id",
            sa.String(64),
            sa.ForeignKey("assets.id", ondelete="CASCADE", name="fk_bin_entries_asset_id_assets"),
            nullable=True,
        ),
        sa.Column(
            "clip_id",
            sa.Integer,
            sa.ForeignKey("clips.id", ondelete="CASCADE", name="fk_bin_entries_clip_id_clips"),
            nullable=True,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
    )
    op.create_table(
        "cuts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("rate", sa.String(32), nullable=False),
        sa.Column("drop_frame", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("start_timecode", sa.String(16), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("name", name="uq_cuts_name"),
    )
    op.create_table(
        "cut_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "cut_id",
            sa.Integer,
            sa.ForeignKey("cuts.id", ondelete="CASCADE", name="fk_cut_items_cut_id_cuts"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column(
            "clip_id",
            sa.Integer,
            sa.ForeignKey("clips.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column(
            "asset_id",
            sa.String(64),
            sa.ForeignKey("assets.id", ondelete="CASCADE", name="fk_cut_items_asset_id_assets"),
            nullable=True,
        ),
        sa.Column("in_time", sa.String(64), nullable=True),
        sa.Column("out_time", sa.String(64), nullable=True),
        sa.Column("duration", sa.String(64), nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("label", sa.Text, nullable=True),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )


def downgrade() -> None:
    op.drop_table("users")
    op.drop_table("cut_items")
    op.drop_table("cuts")
    op.drop_table("bin_entries")
    op.drop_table("bins")
    op.drop_table("ratings")
    op.drop_table("notes")
    op.drop_table("tags")
    op.drop_table("clips")
