"""An export never replaces an original that the catalog does not hold: a camera file that
``add`` could not read (the only copy, cut short in transfer), or one not added yet, named as a
media kind that the export is not. A new export of the same kind still replaces the old one."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import mediagen
from cli.runner import rushes
from rushes.catalog import open_catalog
from rushes.errors import UsageError
from rushes.outputs import check_output


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("originals")
    card = root / "card"
    card.mkdir()
    mediagen.video_testsrc(card / "v1.mp4", seconds=2)
    mediagen.truncated_copy(card / "v1.mp4", card / "A001.mp4", fraction=0.3)
    rushes("init", str(root), cwd=root)
    added = rushes("add", "--no-analyze", "card", cwd=root)
    assert "failed 1" in added.stdout  # A001.mp4: truncated
    # Originals on the same drive that were never added.
    mediagen.video_testsrc(root / "B001.mov", seconds=1)
    mediagen.audio_tone(root / "sound.wav", seconds=1)
    mediagen.audio_tone(root / "recorder.mp4", seconds=1)  # sound only, under a video name
    mediagen.image_png(root / "still.jpg")
    (root / "letter.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    rushes("cut", "new", "sel", cwd=root)
    rushes("cut", "add", "sel", "card/v1.mp4@0-1", cwd=root)
    return root


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(project: Path, target: str, *command: str) -> str:
    before = _digest(project / target)
    proc = rushes(*command, target, cwd=project, check=False)
    assert proc.returncode == 1
    error = proc.stderr.strip()
    assert "\n" not in error
    assert error.startswith("rushes: error: refusing to overwrite ")
    assert f"{target}: it looks like an original (" in error  # as given, or made absolute
    assert error.endswith("; choose another name")
    assert _digest(project / target) == before
    assert not list(project.glob(f"**/.{Path(target).name}.*.part"))
    return error


def test_an_export_never_replaces_a_file_add_could_not_read(project: Path) -> None:
    error = _refused(project, "card/A001.mp4", "cut", "export", "sel", "--format", "edl", "-o")
    assert "`rushes add` could not catalogue it: cannot read as audio/video" in error


@pytest.mark.parametrize("target", ["B001.mov", "sound.wav", "still.jpg", "letter.pdf"])
@pytest.mark.parametrize("fmt", ["edl", "fcp7", "srt", "otioz"])
def test_an_export_never_replaces_an_original_not_added_yet(
    project: Path, target: str, fmt: str
) -> None:
    error = _refused(project, target, "cut", "export", "sel", "--format", fmt, "-o")
    assert f"named {Path(target).suffix}" in error


def test_the_report_never_replaces_a_media_original(project: Path) -> None:
    _refused(project, "B001.mov", "report", "-o")


@pytest.mark.parametrize(("fmt", "name"), [
    ("edl", "rough.edl"), ("srt", "rough.srt"), ("docx", "rough.docx"),
    ("markdown", "rough.md"), ("otioz", "rough.otioz"),
])
def test_an_export_replaces_its_own_previous_export(project: Path, fmt: str, name: str) -> None:
    out = project / "exports"
    out.mkdir(exist_ok=True)
    for _ in range(2):
        rushes("cut", "export", "sel", "--format", fmt, "-o", f"exports/{name}", cwd=project)
    assert (out / name).is_file()


def test_a_command_that_knows_its_format_is_refused_before_the_work(project: Path) -> None:
    catalog = open_catalog(f"sqlite:///{project / '.rushes' / 'catalog.db'}")
    try:
        with pytest.raises(UsageError, match="it looks like an original"):
            check_output(project / "B001.mov", catalog, writes="edl")
        with pytest.raises(UsageError, match="could not catalogue it"):
            check_output(project / "card" / "A001.mp4", catalog, writes="mp4")
        # A review render over the last review render, an EDL where none is yet.
        assert check_output(project / "B001.mov", catalog, writes="mp4") == project / "B001.mov"
        new = project / "new.mp4"
        assert check_output(new, catalog, writes="edl") == new
    finally:
        catalog.close()


def test_a_render_never_replaces_a_sound_original(project: Path) -> None:
    """Sound and picture are not one kind: a review render over ``sound.wav`` is refused
    before any rendering, and so is one over a recorder's sound-only ``.mp4``."""
    error = _refused(project, "sound.wav", "cut", "render", "sel", "--height", "120", "-o")
    assert "named .wav: audio; what would replace it is mp4" in error
    error = _refused(project, "recorder.mp4", "cut", "render", "sel", "--height", "120", "-o")
    assert "it holds only audio; what would replace it is mp4" in error


def test_a_render_is_named_as_video_even_where_no_file_is(project: Path) -> None:
    """``cut render`` writes an MP4 whatever the name: a new ``mix.wav`` would be an MP4 that
    players, NLEs and ``rushes add`` take for sound, so the name is refused, one line."""
    proc = rushes("cut", "render", "sel", "--height", "120", "-o", "mix.wav", cwd=project,
                  check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "rushes: error: cannot write mix.wav: a name ending .wav says audio, but what is "
        "written is mp4 (video); name it .mp4"
    )
    assert not (project / "mix.wav").exists()
    assert not list(project.glob(".mix.wav.*"))


def test_a_render_replaces_its_own_previous_render(project: Path) -> None:
    out = project / "exports"
    out.mkdir(exist_ok=True)
    for _ in range(2):
        rushes("cut", "render", "sel", "--height", "120", "-o", "exports/review.mp4", cwd=project)
    assert _digest(out / "review.mp4")
    # A text export over a sound file still is refused, by name and by what it holds.
    catalog = open_catalog(f"sqlite:///{project / '.rushes' / 'catalog.db'}")
    try:
        with pytest.raises(UsageError, match=r"named \.wav: audio; what would replace it is srt"):
            check_output(project / "sound.wav", catalog, writes="srt")
        assert check_output(out / "review.mp4", catalog, writes="mp4") == out / "review.mp4"
        new = project / "new.mov"
        assert check_output(new, catalog, writes="mp4") == new
    finally:
        catalog.close()
