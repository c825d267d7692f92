"""A catalog that fails under the web app (a damaged file, a server gone) answers 503 with the
reason, as a page or as JSON, the way the command line says it; not a bare 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from damage import damage_table
from rushes.catalog import open_catalog
from rushes.catalog.assets import list_assets
from rushes.config import load_settings
from rushes.edit import service
from rushes.ingest import add_paths
from rushes.project import Project, init_project
from rushes.web import create_app


@pytest.fixture
def damaged(tmp_path: Path) -> Project:
    env = {"RUSHES_PROGRESS": "none"}
    init_project(tmp_path, environ=env)
    project = Project(tmp_path.resolve(), load_settings(tmp_path / ".rushes" / "config.toml", env))
    (tmp_path / "notes.txt").write_text("The ferry leaves at dawn.\n")
    catalog = open_catalog(project.database_url)
    try:
        add_paths(project, catalog, [tmp_path / "notes.txt"])
        with catalog.read() as conn:
            asset = list_assets(conn)[0].id
        service.add_note(catalog, asset, "The ferry leaves at dawn.")
    finally:
        catalog.close()
    damage_table(tmp_path / ".rushes" / "catalog.db", "search_entries")
    return project


def test_a_damaged_catalog_is_a_503_with_its_reason(damaged: Project, run_server: Any) -> None:
    server = run_server(create_app(damaged, secret="d" * 64))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        api = client.get("/api/search", params={"q": "ferry"})
        assert api.status_code == 503
        assert api.json()["error"] == "the catalog failed: database disk image is malformed"
        page = client.get("/search", params={"q": "ferry"}, headers={"Accept": "text/html"})
        assert page.status_code == 503
        assert "database disk image is malformed" in page.text
        # What the damage does not reach still answers.
        assert client.get("/api/assets").status_code == 200
