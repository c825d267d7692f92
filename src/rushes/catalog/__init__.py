"""The catalog: the only package that speaks SQL. Same schema on SQLite and PostgreSQL."""

from rushes.catalog.db import Catalog, now_ms, open_catalog

__all__ = ["Catalog", "now_ms", "open_catalog"]
