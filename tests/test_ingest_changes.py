"""Ingest meeting change: a catalogued original whose bytes changed (a fixity failure, never a
new asset), and a catalog that fails under it (disk full: one line, no traceback)."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

import mediagen
from cli.runner import rushes
from rushes.catalog import Catalog, open_catalog
from rushes.catalog.assets import list_assets, list_problems, locations_of
from rushes.catalog.db import database_failure
from rushes.config import load_settings
from rushes.fixity import verify
from rushes.ingest import add_paths
from rushes.project import Project, init_project


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mediagen.video_testsrc(tmp_path_factory.mktemp("clip") / "clip.mp4", seconds=1)


@pytest.fixture(autouse=True)
def no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests check cataloguing only; analysis has its own tests."""
    monkeypatch.setattr("rushes.analyzers.DEFAULT_ANALYZERS", ())


def _catalogued(catalog: Catalog) -> list[tuple[str, str]]:
    """Every (asset id, location path) in the catalog."""
    with catalog.read() as conn:
        return sorted((loc.asset_id, loc.path) for a in list_assets(conn)
                      for loc in locations_of(conn, a.id))


def _write(path: Path, data: bytes, mtime_s: int) -> None:
    """Rewrite ``path`` in place with a modification time of its own, so that no clock's
    granularity can make it look untouched."""
    path.write_bytes(data)
    os.utime(path, ns=(mtime_s * 10**9, mtime_s * 10**9))


def test_a_changed_original_is_reported_and_stays_with_its_asset(
    project: Project, catalog: Catalog, clip: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "card"
    folder.mkdir()
    original = folder / "A001.mp4"
    shutil.copy(clip, original)
    assert add_paths(project, catalog, [folder]).added == 1
    catalogued = _catalogued(catalog)
    [(asset_id, _)] = catalogued

    damaged = bytearray(clip.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    _write(original, bytes(damaged), 2_000_000_000)
    assert [c["path"] for c in verify(catalog).changed] == [str(original)]

    report = add_paths(project, catalog, [folder])
    assert (report.added, report.skipped, report.failed) == (0, 0, 1)
    [error] = report.errors
    assert error["path"] == str(original)
    assert error["error"].startswith(
        f"content changed since it was catalogued as asset {asset_id[:12]}; `rushes verify`")
    assert "\n" not in error["error"]
    # Nothing moved: the asset keeps its location, so verify still raises the alarm.
    assert _catalogued(catalog) == catalogued
    assert [c["path"] for c in verify(catalog).changed] == [str(original)]
    with catalog.read() as conn:
        assert [(p.path, p.stage) for p in list_problems(conn)] == [(str(original), "fixity")]

    # Killed while hashing, and run again: still nothing new.
    def killed(path: Path, threads: int = 1) -> str:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr("rushes.ingest.hash_file", killed)
        with pytest.raises(KeyboardInterrupt):
            add_paths(project, catalog, [folder])
    again = add_paths(project, catalog, [folder])
    assert (again.added, again.skipped, again.failed) == (0, 0, 1)
    assert _catalogued(catalog) == catalogued

    # Restored from a backup (a new modification time): fine again, and the alarm is over.
    _write(original, clip.read_bytes(), 3_000_000_000)
    restored = add_paths(project, catalog, [folder])
    assert (restored.added, restored.skipped, restored.failed, restored.errors) == (0, 1, 0, [])
    assert _catalogued(catalog) == catalogued
    with catalog.read() as conn:
        assert list_problems(conn) == []
    checked = verify(catalog)
    assert (checked.ok, checked.changed) == (1, [])


def test_a_restore_that_keeps_the_old_time_is_cleared_by_verify(
    project: Project, catalog: Catalog, clip: Path, tmp_path: Path
) -> None:
    """Restored with its original time (cp -p), the file looks untouched to add, which does
    not hash it again: the alarm stays until verify has read the bytes."""
    original = tmp_path / "A002.mp4"
    shutil.copy(clip, original)
    add_paths(project, catalog, [original])
    first = original.stat().st_mtime_ns
    _write(original, clip.read_bytes()[:-1] + b"\x00", 2_000_000_000)
    assert add_paths(project, catalog, [original]).failed == 1
    original.write_bytes(clip.read_bytes())
    os.utime(original, ns=(first, first))
    report = add_paths(project, catalog, [original])
    assert (report.skipped, report.failed) == (1, 0)
    with catalog.read() as conn:
        assert [p.stage for p in list_problems(conn)] == ["fixity"]
    assert verify(catalog).ok == 1
    with catalog.read() as conn:
        assert list_problems(conn) == []


def test_a_catalogued_file_emptied_is_a_changed_original(
    project: Project, catalog: Catalog, clip: Path, tmp_path: Path
) -> None:
    original = tmp_path / "A003.mp4"
    shutil.copy(clip, original)
    add_paths(project, catalog, [original])
    catalogued = _catalogued(catalog)
    _write(original, b"", 2_000_000_000)
    report = add_paths(project, catalog, [original])
    assert report.failed == 1 and "content changed" in report.errors[0]["error"]
    assert _catalogued(catalog) == catalogued


def test_a_changed_file_through_a_link_is_reported_against_the_stored_path(
    project: Project, catalog: Catalog, clip: Path, tmp_path: Path
) -> None:
    real = tmp_path / "card"
    real.mkdir()
    shutil.copy(clip, real / "B001.mp4")
    (tmp_path / "footage").symlink_to(real, target_is_directory=True)
    add_paths(project, catalog, [real])
    catalogued = _catalogued(catalog)
    _write(real / "B001.mp4", clip.read_bytes() + b"\x00", 2_000_000_000)
    report = add_paths(project, catalog, [tmp_path / "footage"])
    assert report.failed == 1
    assert report.errors[0]["path"] == str(tmp_path / "footage" / "B001.mp4")
    assert _catalogued(catalog) == catalogued
    with catalog.read() as conn:
        assert [p.path for p in list_problems(conn)] == [str(real / "B001.mp4")]


def _documents(folder: Path, count: int) -> Path:
    folder.mkdir()
    for i in range(count):
        (folder / f"d{i:03d}.txt").write_text(f"Field notes, day {i}: the ferry was late.\n")
    return folder


#: Caps the catalog at the pages it has when opened: SQLite's real "database or disk is full"
#: (SQLITE_FULL) once ingest needs one more page, as on a full disk.
_FULL_DISK = textwrap.dedent("""
    import sys
    import sqlalchemy as sa
    from sqlalchemy.pool import Pool

    @sa.event.listens_for(Pool, "connect")
    def _cap(dbapi_conn, _record):
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    from rushes.cli.main import main
    main(sys.argv[1:])
""")


def test_a_catalog_that_fills_up_stops_add_with_one_line(tmp_path: Path) -> None:
    rushes("init", str(tmp_path / "p"), cwd=tmp_path)
    docs = _documents(tmp_path / "docs", 200)
    env = {**os.environ, "RUSHES_PROGRESS": "none"}
    args = ["--project", str(tmp_path / "p"), "add", "--no-analyze", str(docs)]
    proc = subprocess.run([sys.executable, "-c", _FULL_DISK, *args], capture_output=True,
                          text=True, env=env, check=False, timeout=600, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"rushes: error: the catalog at sqlite:///{tmp_path / 'p' / '.rushes' / 'catalog.db'} "
        "failed: database or disk is full"
    ]
    debug = subprocess.run([sys.executable, "-c", _FULL_DISK, "--debug", *args],
                           capture_output=True, text=True, env=env, check=False, timeout=600,
                           cwd=tmp_path)
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_a_failing_catalog_is_not_logged_as_a_file_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    init_project(tmp_path / "p", environ={})
    project = Project((tmp_path / "p").resolve(),
                      load_settings(tmp_path / "p" / ".rushes" / "config.toml", {}))
    catalog = open_catalog(project.database_url)
    try:
        catalog.engine.dispose()

        @sa.event.listens_for(catalog.engine, "connect")
        def _cap(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

        docs = _documents(tmp_path / "docs", 200)
        with caplog.at_level(logging.DEBUG), pytest.raises(sa.exc.OperationalError) as failed:
            add_paths(project, catalog, [docs])
        assert database_failure(failed.value) == "database or disk is full"
        assert [r for r in caplog.records if r.name.startswith("rushes")] == []
    finally:
        catalog.close()


def test_an_internal_error_keeps_its_traceback_for_debug_only(
    project: Project, catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(path: Path) -> object:
        raise ValueError("a bug in identify")

    monkeypatch.setattr("rushes.ingest.identify", broken)
    docs = _documents(tmp_path / "docs", 2)
    with caplog.at_level(logging.DEBUG, logger="rushes.ingest"):
        report = add_paths(project, catalog, [docs])
    assert report.failed == 2
    assert {e["error"] for e in report.errors} == {"internal error: ValueError: a bug in identify"}
    logged = [r for r in caplog.records if r.name == "rushes.ingest"]
    assert len(logged) == 2 and all(r.exc_info for r in logged)
    assert {r.levelno for r in logged} == {logging.DEBUG}
