"""Where exports may write: never over a catalogued original, the catalog, a device or a pipe,
never into a folder that does not exist; each refusal is one line and nothing is touched."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

import mediagen
from cli.runner import rushes


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("outputs")
    media = root / "media"
    media.mkdir()
    mediagen.audio_tone(media / "tone.wav", seconds=1)
    (media / "notes.md").write_text("# Day one\n")
    (root / "tone.srt").write_text("1\n00:00:00,000 --> 00:00:00,900\nA tone.\n")
    rushes("init", str(root), cwd=root)
    rushes("-c", "transcribe=false", "add", "media", cwd=root)
    rushes("transcript", "import", "tone.srt", "--asset", "media/tone.wav", cwd=root)
    rushes("cut", "new", "rough", cwd=root)
    rushes("cut", "add", "rough", "media/tone.wav@0-0.5", cwd=root)
    return root


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", [
    ["transcript", "export", "media/tone.wav", "--format", "srt", "-o"],
    ["cut", "export", "rough", "--format", "edl", "-o"],
    ["report", "-o"],
])
@pytest.mark.parametrize("target", ["media/tone.wav", "media/notes.md"])
def test_an_export_never_replaces_a_catalogued_original(
    project: Path, command: list[str], target: str
) -> None:
    before = _digest(project / target)
    proc = rushes(*command, target, cwd=project, check=False)
    assert proc.returncode != 0
    error = proc.stderr.strip()
    assert "\n" not in error and "catalogued original" in error and target in error
    assert _digest(project / target) == before


def test_refusals_name_the_path_and_touch_nothing(project: Path) -> None:
    export = ["transcript", "export", "media/tone.wav", "--format", "srt", "-o"]
    # A folder that does not exist is not made.
    proc = rushes(*export, "no/such/folder/t.srt", cwd=project, check=False)
    assert proc.returncode != 0 and "folder no/such/folder does not exist" in proc.stderr
    assert not (project / "no").exists()
    # No file name at all.
    proc = rushes("report", "-o", "", cwd=project, check=False)
    assert proc.returncode != 0 and "not a file name" in proc.stderr
    # A pipe stays a pipe.
    fifo = project / "pipe.srt"
    os.mkfifo(fifo)
    proc = rushes(*export, str(fifo), cwd=project, check=False)
    assert proc.returncode != 0 and "not a regular file" in proc.stderr
    assert fifo.is_fifo()
    # A symbolic link is not replaced by a file.
    (project / "real.srt").write_text("kept\n")
    (project / "link.srt").symlink_to(project / "real.srt")
    proc = rushes(*export, "link.srt", cwd=project, check=False)
    assert proc.returncode != 0 and "symbolic link" in proc.stderr
    assert (project / "link.srt").is_symlink() and (project / "real.srt").read_text() == "kept\n"
    # The catalog itself.
    catalog = project / ".rushes" / "catalog.db"
    proc = rushes(*export, str(catalog), cwd=project, check=False)
    assert proc.returncode != 0 and "the project's own catalog.db" in proc.stderr
    assert rushes("status", cwd=project).stdout.startswith("2 assets")


def test_an_earlier_export_is_replaced(project: Path) -> None:
    out = project / "tone.srt.out"
    out.write_text("old\n")
    rushes("transcript", "export", "media/tone.wav", "--format", "srt", "-o", str(out),
           cwd=project)
    assert "A tone." in out.read_text()


def test_every_export_gets_the_mode_the_umask_gives(project: Path, tmp_path: Path) -> None:
    """Exports are ordinary files (0644 under the usual umask 022), not owner-only temporaries:
    under umask 027 each new one is 0640; one replacing an old file keeps that file's mode (a
    private 0600 stays private)."""
    out = tmp_path / "exports"
    out.mkdir()
    (out / "rough.edl").write_text("old\n")
    (out / "rough.edl").chmod(0o600)
    commands = {
        f"rough.{ext}": ["cut", "export", "rough", "-o"]
        for ext in ("edl", "xml", "fcpxml", "otio", "otioz", "srt", "md", "docx")
    }
    commands["bundle.otioz"] = ["cut", "export", "rough", "--with-media", "-o"]
    commands["tone.srt"] = ["transcript", "export", "media/tone.wav", "-o"]
    commands["tone.html"] = ["transcript", "export", "media/tone.wav", "-o"]
    commands["report.html"] = ["report", "-o"]
    commands["usage.csv"] = ["cut", "import", str(out / "rough.otio"), "--csv"]
    commands["review.mp4"] = ["cut", "render", "rough", "--height", "120", "-o"]
    old = os.umask(0o027)
    try:
        for name, command in commands.items():
            rushes(*command, str(out / name), cwd=project)
    finally:
        os.umask(old)
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in out.iterdir()}
    assert modes == {name: "0o600" if name == "rough.edl" else "0o640" for name in commands}
