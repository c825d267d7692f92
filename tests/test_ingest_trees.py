"""Walking folder trees: linked folders followed once each, folders that cannot be listed and
links that lead nowhere reported, never dropped without a word."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import mediagen
from rushes.catalog import Catalog
from rushes.catalog.assets import list_assets, list_problems, locations_of
from rushes.ingest import add_paths, scan
from rushes.project import Project


@pytest.fixture(autouse=True)
def no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests check cataloguing only; analysis has its own tests."""
    monkeypatch.setattr("rushes.analyzers.DEFAULT_ANALYZERS", ())


def _paths(catalog: Catalog) -> list[str]:
    with catalog.read() as conn:
        return sorted(loc.path for a in list_assets(conn) for loc in locations_of(conn, a.id))


def _note(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{text}\n" * 20)
    return path


def test_linked_folders_in_a_tree_are_followed_once_each(
    project: Project, catalog: Catalog, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    _note(media / "day1" / "log.txt", "day one")
    mediagen.image_png(media / "day1" / "still.png")
    _note(tmp_path / "linked" / "card.txt", "card offloaded elsewhere")
    (media / "card1").symlink_to("../linked", target_is_directory=True)
    (media / "card1 again").symlink_to("../linked", target_is_directory=True)
    (media / "day1" / "up").symlink_to("..", target_is_directory=True)  # a loop
    (media / "day1 alias").symlink_to("day1", target_is_directory=True)
    (media / "Alias first").symlink_to("day1", target_is_directory=True)  # sorts before it

    walked = [found.path for found in scan([media])]
    assert [p.relative_to(media).as_posix() for p in walked] == [
        "card1/card.txt", "day1/log.txt", "day1/still.png",
    ]
    report = add_paths(project, catalog, [media])
    assert (report.added, report.skipped, report.failed) == (3, 0, 0), report.errors
    expected = [str(media / "card1" / "card.txt"), str(media / "day1" / "log.txt"),
                str(media / "day1" / "still.png")]
    assert _paths(catalog) == expected
    # Named directly, the linked folder is the location already catalogued; so is the tree.
    again = add_paths(project, catalog, [tmp_path / "linked", media])
    assert (again.added, again.skipped, again.failed) == (0, 4, 0)
    assert _paths(catalog) == expected


def test_a_folder_that_cannot_be_listed_is_an_error_in_the_report(
    project: Project, catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root may list any folder, so the refusal is made here as the kernel would make it."""
    media = tmp_path / "media"
    _note(media / "a.txt", "readable")
    _note(media / "locked" / "b.txt", "behind a closed door")
    locked = media / "locked"
    real_scandir = os.scandir

    def guarded(path: Any = ".") -> Iterator[os.DirEntry[str]]:
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", guarded)
    report = add_paths(project, catalog, [media])
    assert (report.added, report.failed) == (1, 1)
    assert report.errors == [{
        "path": str(locked),
        "error": "folder could not be read (permission denied); nothing in it was added",
    }]
    with catalog.read() as conn:
        assert [(p.path, p.stage) for p in list_problems(conn)] == [(str(locked), "ingest")]
    # Opened up, a plain add takes its files and forgets the old complaint.
    monkeypatch.setattr(os, "scandir", real_scandir)
    again = add_paths(project, catalog, [media])
    assert (again.added, again.skipped, again.failed) == (1, 1, 0)
    with catalog.read() as conn:
        assert list_problems(conn) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists a folder of mode 000")
def test_a_folder_of_mode_000_is_an_error_in_the_report(
    project: Project, catalog: Catalog, tmp_path: Path
) -> None:
    locked = tmp_path / "media" / "locked"
    _note(locked / "b.txt", "behind a closed door")
    locked.chmod(0)
    try:
        report = add_paths(project, catalog, [tmp_path / "media", locked])
    finally:
        locked.chmod(0o755)
    assert report.failed == 2
    assert {e["path"] for e in report.errors} == {str(locked)}
    assert all("permission denied" in e["error"] for e in report.errors)


def test_a_link_to_nothing_is_named_as_a_broken_link(
    project: Project, catalog: Catalog, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    _note(media / "a.txt", "still here")
    (media / "b.txt").symlink_to("../gone/b.txt")
    (media / "card2").symlink_to("/nonexistent/card2", target_is_directory=True)
    (tmp_path / "lone link.txt").symlink_to("nowhere.txt")
    report = add_paths(project, catalog, [media, tmp_path / "lone link.txt"])
    assert report.added == 1
    assert {e["path"]: e["error"] for e in report.errors} == {
        str(media / "b.txt"): "broken link (to ../gone/b.txt)",
        str(media / "card2"): "broken link (to /nonexistent/card2)",
        str(tmp_path / "lone link.txt"): "broken link (to nowhere.txt)",
    }
