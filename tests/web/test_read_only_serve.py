"""The web app on a project that cannot be written: browsing and search work, changes are
refused with the one-line reason, and nothing is written into the project."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from rushes.web import create_app
from rushes.web.security import SECRET_FILE, session_secret
from web.conftest import Archive, Server
from web.test_api import client

pytestmark = pytest.mark.slow

WHY = "the project /films/harwick is read-only here (its .rushes is not writable by this user)"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_read_only_project_is_browsed_and_searched_not_changed(
    archive: Archive, run_server: object
) -> None:
    project = dataclasses.replace(archive.project, read_only=WHY)
    catalog_file = archive.project.dir / "catalog.db"
    before = _digest(catalog_file)
    server: Server = run_server(create_app(project, secret="r" * 64))  # type: ignore[operator]
    with client(server) as c:
        assert c.get("/").status_code == 200
        assert c.get(f"/assets/{archive.ids['interview']}").status_code == 200
        found = c.get("/api/search", params={"q": "twice"})
        assert found.status_code == 200 and found.json()["hits"]
        made = c.post("/api/clips", json={
            "asset": archive.ids["interview"], "in": 0.4, "out": 1.0, "label": "nope",
        })
        assert made.status_code == 400
        assert made.json() == {"error": f"{WHY}: this command would change it"}
    assert _digest(catalog_file) == before


def test_the_session_key_of_a_read_only_project_is_never_written(tmp_path: Path) -> None:
    # None kept: a key for this run only, and no file made.
    first = session_secret(tmp_path, keep=False)
    assert len(first) == 64 and first != session_secret(tmp_path, keep=False)
    assert not (tmp_path / SECRET_FILE).exists()
    # A kept key that only its owner can read is used; one others can read is not trusted.
    kept = session_secret(tmp_path)
    assert session_secret(tmp_path, keep=False) == kept
    (tmp_path / SECRET_FILE).chmod(0o644)
    assert session_secret(tmp_path, keep=False) != kept
