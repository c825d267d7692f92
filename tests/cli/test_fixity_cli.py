"""``rushes verify`` keeps what it cannot read apart from what changed, and ``--strict`` makes
any trouble an exit 1; ``relink`` and ``init`` refuse folders they cannot use in one line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cli.runner import rushes, rushes_json

not_as_root = pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads and writes any file"
)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    media = tmp_path / "media"
    media.mkdir()
    (media / "log.txt").write_text("Day one: the river.\n")
    (media / "letter.txt").write_text("Dear editor,\n")
    (media / "notes.txt").write_text("Call the school.\n")
    rushes("init", str(tmp_path), cwd=tmp_path)
    rushes("add", "--no-analyze", "media", cwd=tmp_path)
    return tmp_path


def _strict(root: Path, *args: str) -> tuple[int, str, str]:
    proc = rushes("verify", "--strict", *args, cwd=root, check=False)
    return proc.returncode, proc.stdout, proc.stderr.strip()


def test_a_file_that_cannot_be_read_is_unreadable_not_changed(archive: Path) -> None:
    media = archive / "media"
    (media / "log.txt").unlink()
    (media / "log.txt").mkdir()  # a folder now where the file was: it cannot be hashed
    (media / "letter.txt").write_text("Dear editor, changed.\n")
    report = rushes_json("verify", cwd=archive)
    assert report["checked"] == 3 and report["ok"] == 1
    assert report["changed"] == [str(media / "letter.txt")]
    assert report["missing"] == []
    assert report["unreadable"] == [str(media / "log.txt")]
    details = {d["path"]: d["status"] for d in report["details"]}
    assert details[str(media / "log.txt")] == "unreadable"
    text = rushes("verify", cwd=archive).stdout
    assert "checked 3: 1 ok, 1 changed, 0 missing, 1 unreadable" in text
    assert f"  unreadable: {media / 'log.txt'} (" in text
    assert f"  changed: {media / 'log.txt'}" not in text
    # --strict: the JSON in full, then one line and exit 1.
    code, out, err = _strict(archive, "--json")
    assert code == 1 and json.loads(out)["unreadable"] == [str(media / "log.txt")]
    assert err == "rushes: error: fixity check failed: 1 changed, 0 missing, 1 unreadable"


@not_as_root
def test_a_file_without_read_permission_is_unreadable(archive: Path) -> None:
    log = archive / "media" / "log.txt"
    log.chmod(0)
    try:
        report = rushes_json("verify", cwd=archive)
    finally:
        log.chmod(0o644)
    assert report["unreadable"] == [str(log)] and report["changed"] == []


def test_strict_passes_a_clean_archive_and_fails_a_missing_file(archive: Path) -> None:
    assert _strict(archive)[0] == 0
    (archive / "media" / "notes.txt").unlink()
    code, out, err = _strict(archive)
    assert "0 changed, 1 missing, 0 unreadable" in out
    assert code == 1
    assert err == "rushes: error: fixity check failed: 0 changed, 1 missing, 0 unreadable"
    # Without --strict the report is the result (scripts parse the JSON): exit 0.
    assert rushes("verify", "--json", cwd=archive).returncode == 0


def test_relink_refuses_a_search_folder_that_does_not_exist(archive: Path) -> None:
    (archive / "media" / "notes.txt").rename(archive / "notes.txt")
    proc = rushes("relink", str(archive / "no-such-drive"), "--json", cwd=archive, check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip() == (
        f"rushes: error: cannot search {archive / 'no-such-drive'}: no such folder"
    )
    # Nothing was done: the file is still lost, not marked found or given up on.
    assert rushes_json("relink", str(archive), cwd=archive)["relinked"][0]["to"] == str(
        archive / "notes.txt"
    )


def test_init_where_no_folder_can_be_made_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder\n")
    proc = rushes("init", "afile/project", cwd=tmp_path, check=False)
    assert proc.returncode == 1
    error = proc.stderr.strip()
    assert "\n" not in error
    assert error.startswith("rushes: error: cannot make a project in afile/project: ")


@not_as_root
def test_init_in_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "rodir"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        proc = rushes("init", "rodir", cwd=tmp_path, check=False)
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 1
    error = proc.stderr.strip()
    assert "\n" not in error
    assert error.startswith("rushes: error: cannot make a project in rodir: Permission denied (")
    assert error.endswith("rodir/.rushes)")
