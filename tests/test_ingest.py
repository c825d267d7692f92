"""Ingest on SQLite and PostgreSQL: identity by content, kind by content, every bad input."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import mediagen
from rushes.catalog import Catalog
from rushes.catalog.assets import (
    count_by_kind,
    list_assets,
    list_problems,
    locations_of,
    resolve_asset,
)
from rushes.ingest import add_paths
from rushes.project import Project


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mediagen.video_testsrc(tmp_path_factory.mktemp("clip") / "clip.mp4", seconds=1)


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mediagen.image_png(tmp_path_factory.mktemp("still") / "still.png")


@pytest.fixture
def no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ingest tests check cataloguing only; analysis has its own tests."""
    monkeypatch.setattr("rushes.analyzers.DEFAULT_ANALYZERS", ())


pytestmark = pytest.mark.usefixtures("no_analysis")


def test_identical_copies_are_one_asset_with_two_locations(
    project: Project, catalog: Catalog, clip: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(clip, folder / "A001.mp4")
    shutil.copy(clip, folder / "backup of A001.mp4")
    report = add_paths(project, catalog, [folder])
    assert (report.added, report.failed) == (2, 0)
    with catalog.read() as conn:
        assets = list_assets(conn)
        assert len(assets) == 1
        paths = sorted(Path(loc.path).name for loc in locations_of(conn, assets[0].id))
    assert paths == ["A001.mp4", "backup of A001.mp4"]


def test_unchanged_file_is_not_hashed_again(
    project: Project, catalog: Catalog, clip: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "A002.mp4"
    shutil.copy(clip, target)
    add_paths(project, catalog, [target])
    hashed: list[Path] = []
    import rushes.ingest

    real = rushes.ingest.hash_file
    monkeypatch.setattr(rushes.ingest, "hash_file", lambda p, t=1: hashed.append(p) or real(p, t))
    report = add_paths(project, catalog, [target])
    assert (report.added, report.skipped) == (0, 1) and hashed == []
    # A touched file (new mtime) is hashed again, but it is the same asset.
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    report = add_paths(project, catalog, [target])
    assert hashed == [target] and report.skipped == 1
    with catalog.read() as conn:
        assert len(list_assets(conn)) == 1


def test_kind_is_decided_by_content_not_extension(
    project: Project, catalog: Catalog, clip: Path, still: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "misnamed"
    folder.mkdir()
    shutil.copy(still, folder / "image named.mp4")
    shutil.copy(clip, folder / "video named.jpg")
    mediagen.audio_tone(folder / "tone.mp4", seconds=0.5)
    (folder / "notes named.mov").write_text("Interview log: Ai at 10:02, the river at 10:15.\n")
    report = add_paths(project, catalog, [folder])
    assert report.failed == 0 and report.added == 4
    with catalog.read() as conn:
        kinds = {Path(a.path or "").name: a.kind for a in list_assets(conn)}
    assert kinds == {
        "image named.mp4": "image",
        "video named.jpg": "video",
        "tone.mp4": "audio",
        "notes named.mov": "document",
    }
    # A misleading name is reported against its path, though the file is catalogued.
    messages = {Path(e["path"]).name: e["error"] for e in report.errors}
    assert "named .mov but the content is text" in messages["notes named.mov"]
    assert "catalogued as image" in messages["image named.mp4"]


def test_bad_inputs_each_get_one_readable_line_and_the_rest_goes_on(
    project: Project, catalog: Catalog, clip: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.mp4").write_bytes(b"")
    mediagen.truncated_copy(clip, folder / "truncated.mp4", 0.3)
    (folder / "random.jpg").write_bytes(os.urandom(4096))
    names = ["with space.mp4", "it's \"quoted\".mp4", "-starts-with-dash.mp4"]
    for i, name in enumerate(names):
        data = clip.read_bytes() + bytes([i])  # distinct content, still a valid MP4
        (folder / name).write_bytes(data)
    raw = os.fsencode(str(folder)) + b"/caf\xe9-latin1.mp4"  # not valid UTF-8
    with open(raw, "wb") as f:
        f.write(clip.read_bytes() + b"\xff")
    report = add_paths(project, catalog, [folder])
    errors = {Path(e["path"]).name: e["error"] for e in report.errors}
    assert report.failed == 3 and report.added == 4, report.errors
    assert errors["empty.mp4"] == "empty file (0 bytes)"
    assert "truncated or corrupt" in errors["truncated.mp4"]
    assert errors["random.jpg"].startswith("unrecognised content")
    for message in errors.values():
        assert "\n" not in message and "Traceback" not in message
    with catalog.read() as conn:
        problems = {Path(p.path).name: p.error for p in list_problems(conn)}
        catalogued = sorted(Path(a.path or "").name for a in list_assets(conn))
    assert problems == errors  # recorded against their paths for `rushes status`
    assert "caf\\xe9-latin1.mp4" in catalogued  # undecodable byte shown, not lost
    assert set(names) <= set(catalogued)
    # Re-running adds nothing twice and keeps the record of what failed.
    again = add_paths(project, catalog, [folder])
    assert (again.added, again.skipped, again.failed) == (0, 4, 3)
    with catalog.read() as conn:
        assert sum(count_by_kind(conn).values()) == 4


def test_unreadable_and_vanishing_files(
    project: Project, catalog: Catalog, clip: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "perm"
    folder.mkdir()
    locked = folder / "locked.mp4"
    shutil.copy(clip, locked)
    vanishing = folder / "vanishing.mp4"
    vanishing.write_bytes(clip.read_bytes() + b"\x01")
    fine = folder / "fine.mp4"
    fine.write_bytes(clip.read_bytes() + b"\x02")
    real_open = Path.open

    def guarded_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.name == "locked.mp4":
            raise PermissionError(13, "Permission denied", str(self))
        if self.name == "vanishing.mp4":
            self.unlink()  # gone between the scan and the hash
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", guarded_open)
    report = add_paths(project, catalog, [folder])
    errors = {Path(e["path"]).name: e["error"] for e in report.errors}
    assert errors == {
        "locked.mp4": "permission denied",
        "vanishing.mp4": "vanished before it could be read",
    }
    assert report.added == 1


def test_missing_argument_path_is_reported(project: Project, catalog: Catalog,
                                           tmp_path: Path) -> None:
    report = add_paths(project, catalog, [tmp_path / "nope"])
    assert report.failed == 1
    assert report.errors[0]["error"] == "no such file or folder"


def test_a_file_reached_through_a_link_is_the_location_already_catalogued(
    project: Project, catalog: Catalog, clip: Path, still: Path, tmp_path: Path,
) -> None:
    footage = tmp_path / "footage"
    footage.mkdir()
    shutil.copy(clip, footage / "A001.mp4")
    shutil.copy(still, footage / "still.png")
    (footage / "zz link to A001.mp4").symlink_to("A001.mp4")  # inside the folder it links to
    (tmp_path / "link to footage").symlink_to(footage, target_is_directory=True)
    (tmp_path / "link to A001.mp4").symlink_to(footage / "A001.mp4")

    def locations() -> list[tuple[str, str]]:
        with catalog.read() as conn:
            return sorted(
                (loc.asset_id, loc.path) for a in list_assets(conn)
                for loc in locations_of(conn, a.id)
            )

    first = add_paths(project, catalog, [footage])
    assert (first.added, first.skipped, first.failed) == (2, 1, 0)
    expected = locations()
    assert {p for _, p in expected} == {str(footage / "A001.mp4"), str(footage / "still.png")}
    # Through a linked folder, and through a link to one file: already catalogued, as a plain
    # re-add says, and the paths first added stay the ones stored.
    links = [tmp_path / "link to footage", tmp_path / "link to A001.mp4"]
    again = add_paths(project, catalog, links)
    assert (again.added, again.skipped, again.failed) == (0, 4, 0)
    assert locations() == expected
    # The asset is found by either path.
    with catalog.read() as conn:
        by_link = resolve_asset(conn, str(tmp_path / "link to footage" / "still.png"))
        assert by_link.path == str(footage / "still.png")
    # A run killed part-way and run again duplicates nothing.
    (footage / "A001.mp4").touch()  # changed mtime: hashed again, through the link
    seen: list[Path] = []

    def killed(path: Path) -> None:
        seen.append(path)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        add_paths(project, catalog, [tmp_path / "link to footage", footage], on_file=killed)
    rerun = add_paths(project, catalog, [tmp_path / "link to footage", footage])
    assert (rerun.added, rerun.skipped, rerun.failed) == (0, 6, 0)
    assert locations() == expected


def test_a_link_added_first_keeps_its_path_when_the_real_file_is_added(
    project: Project, catalog: Catalog, clip: Path, tmp_path: Path
) -> None:
    real = tmp_path / "card"
    real.mkdir()
    shutil.copy(clip, real / "B001.mp4")
    (tmp_path / "link to card").symlink_to(real, target_is_directory=True)
    first = add_paths(project, catalog, [tmp_path / "link to card"])
    assert first.added == 1
    again = add_paths(project, catalog, [real])
    assert (again.added, again.skipped, again.failed) == (0, 1, 0)
    with catalog.read() as conn:
        (asset,) = list_assets(conn)
        paths = [loc.path for loc in locations_of(conn, asset.id)]
        assert resolve_asset(conn, str(real / "B001.mp4")).id == asset.id
    assert paths == [str(tmp_path / "link to card" / "B001.mp4")]


def test_a_folder_added_through_a_link_is_not_hashed_again_by_its_real_path(
    project: Project, catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once catalogued through a link, an unchanged file reached by its real path is the
    location already there, found before hashing (the module's promise: an unchanged file is
    not hashed again); changed, it is reported by either path and stays one location, with
    the asset it was catalogued as."""
    import rushes.ingest as ingest

    real = tmp_path / "card"
    real.mkdir()
    (real / "a.txt").write_text("first take\n" * 40)
    (tmp_path / "footage").symlink_to(real, target_is_directory=True)
    add_paths(project, catalog, [tmp_path / "footage"])
    hashed: list[Path] = []
    original = ingest.hash_file
    monkeypatch.setattr(ingest, "hash_file",
                        lambda path, threads=1: (hashed.append(path), original(path, threads))[1])
    for _ in range(2):
        report = add_paths(project, catalog, [real])
        assert (report.added, report.skipped, report.failed) == (0, 1, 0)
    assert hashed == []
    with catalog.read() as conn:
        before = [(loc.asset_id, loc.path) for a in list_assets(conn)
                  for loc in locations_of(conn, a.id)]
    (real / "a.txt").write_text("second take, replaced\n" * 40)
    os.utime(real / "a.txt", ns=(1, 1))  # a different time, however coarse the clock
    for path in (real, tmp_path / "footage"):
        report = add_paths(project, catalog, [path])
        assert (report.added, report.skipped, report.failed) == (0, 0, 1)
        assert "content changed" in report.errors[0]["error"]
    with catalog.read() as conn:
        found = [(loc.asset_id, loc.path) for a in list_assets(conn)
                 for loc in locations_of(conn, a.id)]
    assert found == before and [p for _, p in found] == [str(tmp_path / "footage" / "a.txt")]
    assert len(hashed) == 2


def test_naming_a_file_by_another_path_is_a_few_lookups(
    catalog: Catalog, tmp_path: Path
) -> None:
    """resolve_asset finds a file named through a link by its resolved path in the index,
    instead of trying every asset of the same size (an image sequence's frames all have one)."""
    import sqlalchemy as sa

    from rushes.catalog.schema import assets, locations
    from rushes.errors import UsageError

    with catalog.write() as conn:
        conn.execute(assets.insert(), [
            {"id": f"{i:064x}", "kind": "image", "format": "dpx", "size": 1234, "added_ms": 0}
            for i in range(300)])
        conn.execute(locations.insert(), [
            {"asset_id": f"{i:064x}", "path_bytes": f"/scan/f{i:05d}.dpx".encode(),
             "path": f"/scan/f{i:05d}.dpx", "size": 1234, "mtime_ns": 0, "seen_ms": 0}
            for i in range(300)])
    frame = tmp_path / "f99999.dpx"
    frame.write_bytes(b"x" * 1234)
    statements: list[str] = []
    sa.event.listen(catalog.engine, "before_cursor_execute",
                    lambda *args: statements.append(args[2]))
    with catalog.read() as conn, pytest.raises(UsageError, match="no asset"):
        resolve_asset(conn, str(frame))
    assert len(statements) < 10, statements
