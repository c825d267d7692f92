"""Each location's path with its symbolic links resolved, indexed, so that one file reached by
two paths (a linked folder, a link to a file) is found as the one location it is.

Revision ID: 0009_location_real_paths
Revises: 0008_probe_clock_columns
Create Date: 2026-11-24

Locations are keyed by the absolute path as added. Without the resolved path, adding a folder's
real path after adding it through a link could only recognise each file after hashing it (on
every run), and a file changed in between became a second location; naming such a file by
its other path meant trying every asset of its size. ``real_bytes`` is written with each
location; existing ones are resolved here, as the files are now (a path whose volume is offline
resolves to itself).
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import op

revision = "0009_location_real_paths"
down_revision = "0008_probe_clock_columns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("locations", sa.Column("real_bytes", sa.LargeBinary, nullable=True))
    conn = op.get_bind()
    table = sa.table("locations", sa.column("id"), sa.column("path_bytes"),
                     sa.column("real_bytes", sa.LargeBinary))
    rows = conn.execute(sa.select(table.c.id, table.c.path_bytes)).all()
    for id_, path in rows:
        path = bytes(path)
        try:
            real = os.path.realpath(path)
        except (OSError, ValueError):
            real = path
        conn.execute(table.update().where(table.c.id == id_).values(real_bytes=real))
    op.create_index("ix_locations_real_bytes", "locations", ["real_bytes"])


def downgrade() -> None:
    op.drop_index("ix_locations_real_bytes", table_name="locations")
    op.drop_column("locations", "real_bytes")
