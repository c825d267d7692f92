"""Fixtures of the search tests: the sample corpus loaded into a catalog, and the SQL a
search runs."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from rushes.catalog import Catalog
from rushes.search import core
from tests.search.corpus import load


@pytest.fixture
def loaded(catalog: Catalog) -> Catalog:
    load(catalog)
    return catalog


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL of each search statement run through ``core.fetch`` during the test."""
    seen: list[str] = []
    fetch = core.fetch

    def recording(conn: sa.Connection, sql: str, params: dict[str, Any]) -> list[Any]:
        seen.append(sql)
        return fetch(conn, sql, params)

    monkeypatch.setattr(core, "fetch", recording)
    return seen
