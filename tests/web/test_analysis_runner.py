"""The jobs page's background analysis: ``rushes analyze`` in a child process, one at a time,
carrying the server's ``-c`` settings."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import mediagen
from rushes.catalog import open_catalog
from rushes.catalog.jobs import counts
from rushes.config import load_settings
from rushes.ingest import add_paths
from rushes.project import Project, init_project
from rushes.web.analysis import AnalysisRunner

pytestmark = pytest.mark.slow


def test_runs_pending_analysis_once_at_a_time(tmp_path: Path) -> None:
    root = tmp_path / "p"
    init_project(root, environ={})
    settings = load_settings(root / ".rushes" / "config.toml", {},
                             ["workers=1", "transcribe=false", "analyze=false"])
    project = Project(root.resolve(), settings)
    mediagen.image_png(root / "still.png", size="160x120")
    catalog = open_catalog(project.database_url)
    try:
        add_paths(project, catalog, [root / "still.png"])
        with catalog.read() as conn:
            assert counts(conn)["pending"] > 0
        runner = AnalysisRunner(project)
        command = runner.command()
        assert command[-1] == "analyze"
        assert {"workers=1", "transcribe=false", "analyze=false"} <= set(command)
        assert runner.start() is True
        assert runner.start() is False  # one run at a time
        deadline = time.monotonic() + 120
        while runner.running:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        with catalog.read() as conn:
            done = counts(conn)
        assert done["pending"] == 0 and done["running"] == 0 and done["done"] > 0
    finally:
        catalog.close()
