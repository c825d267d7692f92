"""Where exports may write: never over a catalogued original, the catalog, a device or a pipe,
never into a folder that does not exist; each refusal is one line and nothing is touched."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import mediagen
from cli.runner import rushes
from rushes.errors import UsageError
from rushes.outputs import atomic_output


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


#: Every command that writes its file through ``atomic_output``, by the name it is given.
WRITERS = {
    ".edl": ["cut", "export", "rough", "-o"],
    ".xml": ["cut", "export", "rough", "-o"],
    ".fcpxml": ["cut", "export", "rough", "-o"],
    ".otio": ["cut", "export", "rough", "-o"],
    ".otioz": ["cut", "export", "rough", "-o"],
    ".srt": ["cut", "export", "rough", "-o"],
    ".docx": ["cut", "export", "rough", "-o"],
    ".vtt": ["transcript", "export", "media/tone.wav", "-o"],
    ".html": ["report", "-o"],
    ".csv": ["cut", "import", "{edl}", "--rate", "25", "--csv"],
}


@pytest.mark.parametrize("where", ["sys", "long"])
@pytest.mark.parametrize("ext", list(WRITERS))
def test_a_target_that_cannot_be_written_is_one_line_and_leaves_nothing(
    project: Path, tmp_path: Path, ext: str, where: str
) -> None:
    """A virtual file system (``/sys``: no files may be made there, even by root) and a name
    longer than the file system takes: ``cannot write FILE: reason``, naming the file as given
    (not the temporary one), the usual exit status of an error, no traceback, nothing left."""
    folder = tmp_path / "out"
    folder.mkdir()
    target = "/sys/x" + ext if where == "sys" else str(folder / ("a" * 300 + ext))
    edl = tmp_path / "rough.edl"
    rushes("cut", "export", "rough", "-o", str(edl), cwd=project)
    command = [str(edl) if part == "{edl}" else part for part in WRITERS[ext]]
    proc = rushes(*command, target, cwd=project, check=False)
    error = proc.stderr.strip()
    assert proc.returncode == 1, error
    assert error.startswith(f"rushes: error: cannot write {target}: ") and "\n" not in error
    reason = error.rsplit(": ", 1)[1]
    assert reason in {"Permission denied", "Operation not permitted", "File name too long"}
    assert ".part" not in error and "internal error" not in error
    assert list(folder.iterdir()) == []


def test_otioz_with_media_that_cannot_be_written_is_one_line(project: Path) -> None:
    proc = rushes("cut", "export", "rough", "--with-media", "-o", "/sys/x.otioz", cwd=project,
                  check=False)
    assert proc.returncode == 1 and "internal error" not in proc.stderr
    assert proc.stderr.strip().startswith("rushes: error: cannot write /sys/x.otioz: ")


def test_a_name_near_the_file_systems_limit_can_be_written(
    project: Path, tmp_path: Path
) -> None:
    """The temporary file beside the target is named after it: a target name that fits must
    not fail because the temporary name would not."""
    name = "a" * (255 - len(".edl")) + ".edl"
    proc = rushes("cut", "export", "rough", "-o", str(tmp_path / name), cwd=project)
    assert proc.returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == [name]
    assert (tmp_path / name).read_text().startswith("TITLE: rough")


TEXT_FORMATS = ["edl", "edl-premiere", "fcp7", "fcpxml", "otio", "srt", "webvtt", "markdown"]


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_dash_sends_a_text_export_to_standard_output(
    project: Path, tmp_path: Path, fmt: str
) -> None:
    """``-o -`` prints exactly what the file would hold, and makes no file named ``-``."""
    written = tmp_path / "cut.out"
    rushes("cut", "export", "rough", "--format", fmt, "-o", str(written), cwd=project)
    proc = subprocess.run(
        [sys.executable, "-m", "rushes", "cut", "export", "rough", "--format", fmt, "-o", "-"],
        cwd=project, capture_output=True, check=False,
        env={**os.environ, "RUSHES_PROGRESS": "none"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == written.read_bytes() and proc.stderr == b""
    if fmt != "srt":  # a cut without speech has empty captions
        assert proc.stdout
    assert not (project / "-").exists()


BINARY = "is not text and cannot go to standard output; give -o a file"


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "docx"], f"docx {BINARY}"),
    (["--format", "otioz"], f"otioz {BINARY}"),
    (["--format", "otioz", "--with-media"], f"otioz {BINARY}"),
    ([], "give --format to write a cut to standard output (-o -)"),
], ids=["docx", "otioz", "otioz-with-media", "no-format"])
def test_dash_refuses_binary_formats_and_a_missing_format(
    project: Path, args: list[str], message: str
) -> None:
    proc = rushes("cut", "export", "rough", *args, "-o", "-", cwd=project, check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip() == f"rushes: error: {message}"
    assert not (project / "-").exists()


def test_dot_slash_dash_still_names_a_file(project: Path, tmp_path: Path) -> None:
    rushes("cut", "export", "rough", "--format", "edl", "-o", "./-", cwd=tmp_path,
           env={"RUSHES_PROJECT": str(project)})
    assert (tmp_path / "-").read_text().startswith("TITLE: rough")


def test_atomic_output_names_the_target_whatever_step_fails(tmp_path: Path) -> None:
    """Failures of the write itself (the temporary file, a full disk, the rename) are one
    ``cannot write FILE`` line; an error of the caller's own (a source it could not read)
    stays its own. Nothing is left behind either way."""
    too_long = tmp_path / ("b" * 300 + ".edl")
    with pytest.raises(UsageError, match=r"^cannot write .*bbb\.edl: File name too long$"), \
            atomic_output(too_long) as handle:
        handle.write("never")  # type: ignore[call-overload]
    full = tmp_path / "full.edl"
    with pytest.raises(UsageError, match=r"^cannot write .*/full\.edl: No space left"), \
            atomic_output(full):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    source = tmp_path / "source.mov"
    with pytest.raises(FileNotFoundError) as caught, atomic_output(full):
        source.read_bytes()
    assert caught.value.filename == str(source)
    assert list(tmp_path.iterdir()) == []
