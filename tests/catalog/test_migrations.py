"""Migrations: the same schema on SQLite and PostgreSQL, and the recorded head is Alembic's."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from rushes.catalog import Catalog
from rushes.catalog.db import HEAD_REVISION, MIGRATIONS, current_revision, migrate
from rushes.catalog.schema import metadata


def test_head_revision_constant_matches_the_migration_scripts() -> None:
    assert ScriptDirectory(str(MIGRATIONS)).get_current_head() == HEAD_REVISION


def test_migrated_schema_matches_the_table_definitions(catalog: Catalog) -> None:
    with catalog.read() as conn:
        inspector = sa.inspect(conn)
        assert current_revision(conn) == HEAD_REVISION
        for table in metadata.sorted_tables:
            # PostgreSQL's search indexes are generated tsvector columns of their own.
            columns = {c["name"] for c in inspector.get_columns(table.name)} - {
                "tsv", "grams_tsv"
            }
            assert columns == {c.name for c in table.columns}, table.name


def test_migrating_twice_changes_nothing(catalog: Catalog) -> None:
    migrate(catalog.engine)
    with catalog.read() as conn:
        assert current_revision(conn) == HEAD_REVISION
