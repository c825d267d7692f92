"""A project that cannot be written from here (a delivered drive, a restored tape mounted
read-only, a colleague's project on a read-only share) is read as usual: ``ls``, ``status``,
``search``, ``show``, ``transcript show`` work, a command that would change it stops in one
line before changing anything, and nothing in ``.rushes`` is written, not even SQLite's
``-wal`` and ``-shm`` files.

Tests run as root, whom a folder's mode does not stop, so the same commands run three ways:
with :func:`os.access` answering "not writable" for the project (any user, root too), under a
real read-only bind mount (root in a mount namespace, where one can be made), and with real
permissions (any user but root, skipped under root like the other permission tests).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import mediagen
from cli.runner import rushes, rushes_json
from rushes.catalog import open_catalog
from rushes.catalog.db import (
    HEAD_REVISION,
    MIGRATIONS,
    ReadOnlyCatalog,
    _known_revisions,
    create_engine,
    read_only_uri,
)
from rushes.catalog.schema import assets
from rushes.errors import RushesError
from rushes.project import MARKER, find_project, init_project

not_as_root = pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads and writes any file"
)

SRT = "1\n00:00:00,000 --> 00:00:00,900\nThe harbour master speaks.\n"


def read_only(root: Path, why: str) -> str:
    """Why a project is read-only, as :attr:`rushes.project.Project.read_only` says it."""
    return f"the project {root} is read-only here ({why})"


def refusal(root: Path, why: str) -> str:
    """The one line that a command that would change a read-only project prints."""
    return f"rushes: error: {read_only(root, why)}: this command would change it"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A project (``film``) with one tiny clip, analysed, with a transcript and a tag; the
    media lives beside it, so that a copy of the project still finds it. Returns the project
    and the clip's asset id."""
    base = tmp_path_factory.mktemp("read_only")
    media = base / "media"
    media.mkdir()
    clip = mediagen.video_testsrc(
        media / "clip.mp4", seconds=1, size="320x240", source="testsrc", audio=False
    )
    (media / "clip.srt").write_text(SRT, encoding="utf-8")
    film = base / "film"
    rushes("init", str(film), cwd=base)
    rushes("add", str(clip), "--workers", "1", cwd=film)
    (asset,) = rushes_json("ls", cwd=film)
    rushes("transcript", "import", str(media / "clip.srt"), "--asset", asset["id"], cwd=film)
    rushes("tag", asset["id"], "harbour", cwd=film)
    return film, asset["id"]


@pytest.fixture
def film(prepared: tuple[Path, str], tmp_path: Path) -> Path:
    """A fresh copy of the prepared project for one test."""
    copy = tmp_path / "film"
    shutil.copytree(prepared[0], copy)
    return copy


@pytest.fixture
def asset_id(prepared: tuple[Path, str]) -> str:
    return prepared[1]


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``.rushes`` with its bytes (None for a folder): what must
    be the same after reading a read-only project."""
    marker = root / MARKER
    return {
        str(p.relative_to(marker)): None if p.is_dir() else p.read_bytes()
        for p in sorted(marker.rglob("*"))
    }


_REAL_ACCESS = os.access


def _deny_writes_under(marker: Path) -> Callable[..., bool]:
    """An :func:`os.access` that says what a read-only mount would: no writing at or under
    ``marker``; every other question goes to the real one."""

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        target = Path(os.fspath(path)).resolve()
        if mode & os.W_OK and (target == marker or marker in target.parents):
            return False
        return _REAL_ACCESS(path, mode, *args, **kwargs)

    return access


#: The real command (``python -m rushes``), in a process whose os.access denies writing the
#: project named by the first argument: the decision a read-only mount would make, as root too.
_DENIED = """
import os, sys
from pathlib import Path
marker = Path(sys.argv[1]).resolve() / ".rushes"
real = os.access
def access(path, mode, *args, **kwargs):
    target = Path(os.fspath(path)).resolve()
    if mode & os.W_OK and (target == marker or marker in target.parents):
        return False
    return real(path, mode, *args, **kwargs)
os.access = access
from rushes.cli.main import main
main(sys.argv[2:])
"""


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RUSHES_PROGRESS": "none"}
    env.pop("RUSHES_PROJECT", None)
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600
    )


def denied(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-c", _DENIED, str(root), *args], cwd=root)


def _refused(proc: subprocess.CompletedProcess[str], line: str) -> None:
    assert (proc.returncode, proc.stdout) == (1, ""), proc.stderr
    assert proc.stderr.strip().splitlines() == [line]


def _reads_work(run: Callable[..., subprocess.CompletedProcess[str]], asset_id: str) -> None:
    """The reading commands of the CLI contract, and what they find."""

    def as_json(*args: str) -> object:
        proc = run(*args, "--json")
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    listed = as_json("ls")
    assert isinstance(listed, list) and [a["id"] for a in listed] == [asset_id]
    status = as_json("status")
    assert isinstance(status, dict) and status["assets"] == {"video": 1}
    assert status["jobs"]["pending"] == 0 and status["jobs"]["failed"] == 0
    hits = as_json("search", "harbour")
    assert isinstance(hits, dict)
    assert {h["source"] for h in hits["hits"]} == {"transcript", "tag"}
    shown = as_json("transcript", "show", asset_id[:12])
    assert isinstance(shown, dict)
    assert shown["segments"][0]["text"] == "The harbour master speaks."
    proc = run("show", asset_id[:12])
    assert proc.returncode == 0 and asset_id in proc.stdout
    checked = as_json("verify")
    assert isinstance(checked, dict) and (checked["checked"], checked["ok"]) == (1, 1)


# --- the command line, with os.access saying "not writable" (as root too) ----------------------


def test_reading_commands_work_and_change_nothing(film: Path, asset_id: str) -> None:
    before = snapshot(film)
    _reads_work(lambda *args: denied(film, *args), asset_id)
    assert snapshot(film) == before


def test_commands_that_write_stop_in_one_line_and_change_nothing(
    film: Path, asset_id: str, tmp_path: Path
) -> None:
    before = snapshot(film)
    why = f"{film / MARKER} is not writable by this user"
    line = refusal(film, why)
    clip = mediagen.video_testsrc(
        tmp_path / "new.mp4", seconds=1, size="320x240", source="testsrc", audio=False
    )
    for args in (
        ("add", str(clip)),
        ("add", "--no-analyze", str(clip)),
        ("tag", asset_id[:12], "boats"),
        ("note", "add", asset_id[:12], "a note"),
        ("analyze",),
        ("transcript", "remove", asset_id[:12]),
        ("config", "set", "workers", "2"),
        ("init", str(film)),
    ):
        _refused(denied(film, *args), line)
    _refused(
        denied(film, "report"),
        f"rushes: error: {read_only(film, why)}: write the report elsewhere with -o FILE",
    )
    assert snapshot(film) == before
    # Written outside the project, a report (or an export) is a reading command.
    out = tmp_path / "report.html"
    assert denied(film, "report", "-o", str(out)).returncode == 0 and out.stat().st_size
    exported = tmp_path / "clip.srt"
    proc = denied(film, "transcript", "export", asset_id[:12], "-o", str(exported))
    assert proc.returncode == 0, proc.stderr
    assert "The harbour master speaks." in exported.read_text(encoding="utf-8")
    assert snapshot(film) == before


def test_a_writable_project_is_not_read_only(film: Path) -> None:
    assert find_project(film, environ={}).read_only is None


# --- deciding, and opening the catalog read-only ----------------------------------------------


def test_the_folder_or_the_catalog_file_makes_a_project_read_only(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = (film / MARKER).resolve()
    monkeypatch.setattr(os, "access", _deny_writes_under(marker))
    project = find_project(film, environ={})
    assert project.read_only == read_only(film, f"{marker} is not writable by this user")
    with pytest.raises(RushesError) as refused:
        project.check_writable()
    assert str(refused.value) == f"{project.read_only}: this command would change it"
    with pytest.raises(RushesError, match=r"this command would change it$"):
        init_project(film, environ={})
    # Only the catalog file: the same, naming the file.
    monkeypatch.setattr(os, "access", _deny_writes_under(marker / "catalog.db"))
    assert find_project(film, environ={}).read_only == read_only(
        film, f"{marker / 'catalog.db'} is not writable by this user"
    )


def _wal_files(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-")}


@pytest.mark.parametrize(
    ("wal", "shm", "query"),
    [
        (None, False, "mode=ro&immutable=1"),  # closed cleanly: the usual archive
        (b"", False, "mode=ro&immutable=1"),  # an empty WAL adds nothing
        (None, True, "mode=ro&immutable=1"),  # an index without a WAL has nothing to index
        (b"", True, "mode=ro"),  # someone has it open: read through their index
        (b"frames", True, "mode=ro"),
    ],
)
def test_how_a_read_only_catalog_is_opened(
    tmp_path: Path, wal: bytes | None, shm: bool, query: str
) -> None:
    db = tmp_path / "a dir?#%" / "catalog.db"
    db.parent.mkdir()
    db.write_bytes(b"")
    if wal is not None:
        Path(f"{db}-wal").write_bytes(wal)
    if shm:
        Path(f"{db}-shm").write_bytes(b"")
    quoted = urllib.parse.quote(str(tmp_path))
    assert read_only_uri(db) == f"file:{quoted}/a%20dir%3F%23%25/catalog.db?{query}"


def test_a_wal_left_by_a_writer_that_stopped_is_refused_in_one_line(film: Path) -> None:
    """Its committed changes are only in the -wal; without a -shm they cannot be read here,
    and reading the catalog file alone would quietly show the catalog as it was before."""
    db = film / MARKER / "catalog.db"
    # What a crash leaves: a -wal with the change (and a -shm, gone here: a copy without it).
    crash = (
        "import os, sqlite3, sys\n"
        "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "conn.execute('PRAGMA wal_autocheckpoint=0')\n"
        "conn.execute('UPDATE assets SET size = size + 1')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", crash, str(db)], check=True)
    assert Path(f"{db}-wal").stat().st_size > 0
    Path(f"{db}-shm").unlink()
    before = snapshot(film)
    with pytest.raises(RushesError) as refused:
        open_catalog(f"sqlite:///{db}", read_only="read-only here")
    assert str(refused.value) == (
        f"the catalog {db} has changes in catalog.db-wal that it can only take in where it can "
        "be written (its last writer stopped without closing it): open the project once "
        "where it is writable, then read it here"
    )
    assert snapshot(film) == before


def test_a_read_only_catalog_reads_a_live_writers_changes(film: Path) -> None:
    """Someone with write permission has the catalog open: its -wal and -shm are there, and
    the read-only open reads through them, seeing what it committed and making nothing."""
    db = film / MARKER / "catalog.db"
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE assets SET size = 4242")
        made = _wal_files(db)
        assert made == {"catalog.db-wal", "catalog.db-shm"}
        catalog = open_catalog(f"sqlite:///{db}", read_only="read-only here")
        try:
            with catalog.read() as conn:
                assert conn.execute(assets.select()).one().size == 4242
        finally:
            catalog.close()
        assert _wal_files(db) == made
    finally:
        writer.close()


def test_a_read_only_catalog_refuses_writes_before_writing(film: Path) -> None:
    db = film / MARKER / "catalog.db"
    before = snapshot(film)
    catalog = open_catalog(f"sqlite:///{db}", read_only="the project is read-only here (why)")
    try:
        assert catalog.read_only == "the project is read-only here (why)"
        with catalog.read() as conn:
            assert conn.execute(assets.select()).one().kind == "video"
        with pytest.raises(ReadOnlyCatalog) as refused, catalog.write() as conn:
            conn.execute(assets.delete())
        assert str(refused.value) == (
            "the project is read-only here (why): this command would change it"
        )
    finally:
        catalog.close()
    assert snapshot(film) == before  # no -wal, no -shm, the same bytes


def _at_revision(db: Path, revision: str) -> None:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = ?", (revision,))
    finally:
        engine.dispose()


def test_an_old_catalog_is_not_migrated_by_a_read_only_open(film: Path) -> None:
    db = film / MARKER / "catalog.db"
    _at_revision(db, "0001_initial")  # a label is all the check reads
    before = snapshot(film)
    with pytest.raises(RushesError) as refused:
        open_catalog(f"sqlite:///{db}", read_only="read-only here")
    assert str(refused.value) == (
        f"the catalog at sqlite:///{db} needs upgrading (schema 0001_initial, this rushes "
        f"reads {HEAD_REVISION}), which only a writable open does: run any command once "
        "where the project can be written"
    )
    assert snapshot(film) == before


def test_a_catalog_from_a_newer_rushes_is_one_line_either_way(film: Path) -> None:
    db = film / MARKER / "catalog.db"
    _at_revision(db, "9999_from_the_future")
    expected = (
        f"the catalog at sqlite:///{db} was made by a newer rushes (schema "
        "9999_from_the_future): upgrade rushes to read it"
    )
    for read_only in (None, "read-only here"):
        with pytest.raises(RushesError) as refused:
            open_catalog(f"sqlite:///{db}", read_only=read_only)
        assert str(refused.value) == expected


def test_each_migration_script_is_named_after_its_revision() -> None:
    """Old and newer catalogs are told apart by the scripts' names, without Alembic."""
    from alembic.script import ScriptDirectory

    revisions = {s.revision for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    assert _known_revisions() == revisions


@pytest.mark.postgres
def test_a_read_only_catalog_on_a_server_refuses_writes(postgres_url: str) -> None:
    open_catalog(postgres_url).close()  # made and migrated by a writable open
    catalog = open_catalog(postgres_url, read_only="the project is read-only here (why)")
    try:
        with catalog.read() as conn:
            assert conn.execute(assets.select()).all() == []
        with pytest.raises(ReadOnlyCatalog), catalog.write():
            pass
    finally:
        catalog.close()


# --- a real read-only mount (root, in a mount namespace of its own) ---------------------------


_MOUNT = (
    'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && cd "$2" && shift 2 && exec "$@"'
)


def _can_mount_read_only(tmp: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    (tmp / "src").mkdir()
    (tmp / "dst").mkdir()
    probe = _run(
        ["unshare", "-m", "sh", "-c", _MOUNT, "sh", str(tmp / "src"), str(tmp / "dst"), "true"],
        cwd=tmp,
    )
    return probe.returncode == 0


@pytest.fixture
def mounted(film: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where ``film`` is seen read-only, for commands run through :func:`on_mount`."""
    if not _can_mount_read_only(tmp_path_factory.mktemp("probe")):
        pytest.skip("needs a mount namespace for a read-only bind mount (root, CAP_SYS_ADMIN)")
    target = tmp_path_factory.mktemp("mnt")
    yield target


def on_mount(film: Path, target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run(
        ["unshare", "-m", "sh", "-c", _MOUNT, "sh", str(film), str(target), sys.executable,
         "-m", "rushes", *args],
        cwd=film,
    )


def test_on_a_read_only_mount(
    film: Path, mounted: Path, asset_id: str, tmp_path: Path
) -> None:
    before = snapshot(film)
    _reads_work(lambda *args: on_mount(film, mounted, *args), asset_id)
    line = refusal(mounted, f"{mounted / MARKER} is on a read-only file system")
    (new := tmp_path / "new.txt").write_text("Day two.\n")
    _refused(on_mount(film, mounted, "tag", asset_id[:12], "boats"), line)
    _refused(on_mount(film, mounted, "add", "--no-analyze", str(new)), line)
    _refused(on_mount(film, mounted, "config", "set", "workers", "2"), line)
    assert snapshot(film) == before


# --- real permissions (any user but root) ------------------------------------------------------


@not_as_root
@pytest.mark.parametrize("folder_too", [True, False])
def test_with_real_permissions(
    film: Path, asset_id: str, folder_too: bool, tmp_path: Path
) -> None:
    marker, db = film / MARKER, film / MARKER / "catalog.db"
    db.chmod(0o444)
    if folder_too:
        marker.chmod(0o555)
    try:
        before = snapshot(film)
        _reads_work(lambda *args: rushes(*args, cwd=film, check=False), asset_id)
        unwritable = marker if folder_too else db
        line = refusal(film, f"{unwritable} is not writable by this user")
        (new := tmp_path / "new.txt").write_text("Day two.\n")
        _refused(rushes("tag", asset_id[:12], "boats", cwd=film, check=False), line)
        _refused(rushes("add", "--no-analyze", str(new), cwd=film, check=False), line)
        # Not even SQLite's -wal and -shm: left behind by this user, they would stop the
        # catalog's owner from writing it.
        assert snapshot(film) == before
    finally:
        marker.chmod(0o755)
        db.chmod(0o644)
