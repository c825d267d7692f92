"""Fixity (verify) and relinking moved files, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fixtures.counting_analyzer import ByteCount
from rushes.catalog import Catalog
from rushes.catalog.assets import list_assets, list_problems, locations_of
from rushes.catalog.results import result_of
from rushes.fixity import relink, verify
from rushes.ingest import add_paths
from rushes.jobs.executors import InlineExecutor
from rushes.project import Project


@pytest.fixture(autouse=True)
def counting_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rushes.analyzers.DEFAULT_ANALYZERS", ("fixtures.counting_analyzer",))
    ByteCount.runs.clear()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    (folder / "day1").mkdir(parents=True)
    (folder / "day1" / "log.txt").write_text("Day one: the river, the school.\n")
    (folder / "day1" / "letter.txt").write_text("Dear editor,\n")
    return folder


def test_verify_catches_a_changed_byte_and_a_missing_file(
    project: Project, catalog: Catalog, archive: Path
) -> None:
    add_paths(project, catalog, [archive])
    clean = verify(catalog)
    assert (clean.checked, clean.ok, clean.changed, clean.missing) == (2, 2, [], [])
    log = archive / "day1" / "log.txt"
    data = bytearray(log.read_bytes())
    data[4] ^= 0x01  # one flipped bit
    log.write_bytes(bytes(data))
    (archive / "day1" / "letter.txt").unlink()
    report = verify(catalog).to_json()
    assert report["checked"] == 2 and report["ok"] == 0
    assert report["changed"] == [str(log)]
    assert report["missing"] == [str(archive / "day1" / "letter.txt")]
    with catalog.read() as conn:
        problems = {p.stage: p.error for p in list_problems(conn)}
    assert problems["fixity"].startswith("content changed since it was catalogued")
    # Put right (a restored backup), the file verifies and the problem is gone.
    data[4] ^= 0x01
    log.write_bytes(bytes(data))
    assert verify(catalog).to_json()["changed"] == []
    with catalog.read() as conn:
        assert "fixity" not in {p.stage for p in list_problems(conn)}


def test_moved_file_is_relinked_and_keeps_everything_attached(
    project: Project, catalog: Catalog, archive: Path, tmp_path: Path
) -> None:
    add_paths(project, catalog, [archive])
    InlineExecutor().run(project, catalog)
    with catalog.read() as conn:
        (asset,) = [a for a in list_assets(conn) if (a.path or "").endswith("log.txt")]
        before = result_of(conn, asset.id, "bytecount")
    assert before is not None
    runs = len(ByteCount.runs)
    moved = tmp_path / "elsewhere" / "renamed log.txt"
    moved.parent.mkdir()
    shutil.move(archive / "day1" / "log.txt", moved)
    report = relink(catalog, [tmp_path / "elsewhere"])
    assert report.relinked == [
        {"asset": asset.id, "from": str(archive / "day1" / "log.txt"), "to": str(moved)}
    ]
    assert report.still_missing == []
    with catalog.read() as conn:
        assert [loc.path for loc in locations_of(conn, asset.id)] == [str(moved)]
        assert result_of(conn, asset.id, "bytecount") == before
    # Nothing was re-analysed: identity is the content, not the path.
    add_paths(project, catalog, [moved])
    InlineExecutor().run(project, catalog)
    assert len(ByteCount.runs) == runs


def test_adding_a_moved_file_attaches_it_to_the_same_asset(
    project: Project, catalog: Catalog, archive: Path, tmp_path: Path
) -> None:
    add_paths(project, catalog, [archive])
    target = tmp_path / "copy.txt"
    shutil.copy(archive / "day1" / "letter.txt", target)
    report = add_paths(project, catalog, [target])
    assert report.added == 1
    with catalog.read() as conn:
        assert len(list_assets(conn)) == 2
