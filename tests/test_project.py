"""Finding a project: an existing project whose SQLite catalog went missing or was emptied is
refused, never silently given a new, empty catalog; only ``rushes init`` makes one."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.runner import rushes
from rushes.catalog import open_catalog
from rushes.catalog.schema import assets
from rushes.errors import RushesError
from rushes.project import find_project, init_project


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project with one asset row in its catalog."""
    project = init_project(tmp_path / "film", environ={})
    catalog = open_catalog(project.database_url)
    try:
        with catalog.write() as conn:
            conn.execute(assets.insert().values(
                id="ab" * 32, kind="document", format="txt", size=5, added_ms=0))
    finally:
        catalog.close()
    return project.root


def _asset_ids(root: Path) -> list[str]:
    catalog = open_catalog(find_project(root, environ={}).database_url)
    try:
        with catalog.read() as conn:
            return list(conn.execute(assets.select().with_only_columns(assets.c.id)).scalars())
    finally:
        catalog.close()


@pytest.mark.parametrize(("damage", "state"), [("remove", "missing"), ("empty", "empty (0 bytes)")])
def test_a_missing_or_empty_catalog_is_refused(root: Path, damage: str, state: str) -> None:
    db = root / ".rushes" / "catalog.db"
    if damage == "remove":
        db.unlink()
    else:
        db.write_bytes(b"")
    with pytest.raises(RushesError) as refused:
        find_project(root, environ={})
    assert str(refused.value) == (
        f"the catalog {db} is {state}; restore it from a backup, or run "
        f"`rushes init {root}` to start a new one"
    )
    # Refused, not recreated behind the person's back.
    assert (not db.exists()) if damage == "remove" else db.stat().st_size == 0
    # `rushes init` is the way to a new, empty catalog.
    init_project(root, environ={})
    assert _asset_ids(root) == []


def test_init_again_keeps_the_catalog(root: Path) -> None:
    init_project(root, environ={})
    assert _asset_ids(root) == ["ab" * 32]


def test_a_catalog_on_a_server_is_not_looked_for_in_the_folder(root: Path) -> None:
    (root / ".rushes" / "catalog.db").unlink()
    env = {"RUSHES_DATABASE_URL": "postgresql+psycopg://archive@db.invalid/film"}
    project = find_project(root, environ=env)
    assert project.catalog_file is None and project.database_url.startswith("postgresql")


def test_the_command_line_says_so_in_one_line_and_makes_nothing(root: Path) -> None:
    db = root / ".rushes" / "catalog.db"
    db.unlink()
    proc = rushes("--project", str(root), "ls", "--json", cwd=root, check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"rushes: error: the catalog {db} is missing; restore it from a backup, or run "
        f"`rushes init {root}` to start a new one"
    ]
    assert not db.exists()
    made = rushes("init", str(root), cwd=root)
    assert made.stderr.startswith("Made a new, empty catalog in the project: ")
    assert rushes("init", str(root), cwd=root).stderr.startswith("Already a project: ")
    assert rushes("--project", str(root), "ls", "--json", cwd=root).stdout.strip() == "[]"
