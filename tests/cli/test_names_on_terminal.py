"""File names holding newlines and other control characters, through the real ``rushes``
command: human output shows them escaped (one line per entry, nothing sent to drive the
terminal), ``--json`` keeps the exact path."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import mediagen
from cli.runner import rushes, rushes_json

NEWLINE = "two\nlines.txt"
ESCAPE = "esc\x1b[31mred\x07.txt"
STILL = "pic\rture\t1.png"
EMPTY = "empty\n.mp4"

#: What a terminal must never receive from a file name.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("names")
    media = root / "media"
    media.mkdir()
    (media / NEWLINE).write_text("Day one at the river.\n")
    (media / ESCAPE).write_text("Day two at the sea.\n")
    mediagen.image_png(media / STILL)
    (media / EMPTY).write_bytes(b"")
    rushes("init", str(root), cwd=root)
    return root


@pytest.fixture(scope="module")
def added(project: Path) -> tuple[str, str]:
    """``rushes add`` as a person runs it: its stdout and stderr."""
    proc = rushes("add", "media", "--no-analyze", cwd=project, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, proc.stderr


def _lines(text: str) -> list[str]:
    assert not RAW.search(text), repr(text)
    return text.splitlines()


def test_add_ls_show_and_status_print_names_escaped(
    project: Path, added: tuple[str, str]
) -> None:
    media = project / "media"
    stdout, stderr = added
    assert stdout == "added 3, skipped 0, failed 1\n"
    assert f"{media}/empty\\n.mp4: empty file (0 bytes)" in _lines(stderr)

    listed = _lines(rushes("ls", cwd=project).stdout)
    assert len(listed) == 3
    shown = sorted(line[line.index(str(media)):] for line in listed)
    assert shown == sorted([
        f"{media}/two\\nlines.txt", f"{media}/esc\\x1b[31mred\\x07.txt",
        f"{media}/pic\\rture\\t1.png",
    ])
    # --json keeps the exact names.
    assert {r["path"] for r in rushes_json("ls", cwd=project)} == {
        str(media / NEWLINE), str(media / ESCAPE), str(media / STILL)
    }

    show = _lines(rushes("show", str(media / NEWLINE), cwd=project).stdout)
    assert f"       location: {media}/two\\nlines.txt" in show
    located = rushes_json("show", str(media / NEWLINE), cwd=project)["locations"]
    assert [loc["path"] for loc in located] == [str(media / NEWLINE)]

    status = _lines(rushes("status", cwd=project).stdout)
    assert f"  {media}/empty\\n.mp4: [ingest] empty file (0 bytes)" in status
    assert rushes_json("status", cwd=project)["errors"][0]["path"] == str(media / EMPTY)


def test_search_and_errors_print_names_escaped(project: Path, added: object) -> None:
    media = project / "media"
    rushes("tag", str(media / ESCAPE), "riverbank", cwd=project)
    found = _lines(rushes("search", "riverbank", cwd=project).stdout)
    assert found[0] == f"{media}/esc\\x1b[31mred\\x07.txt"
    hits = rushes_json("search", "riverbank", cwd=project)["hits"]
    assert [h["path"] for h in hits] == [str(media / ESCAPE)]

    # A refusal naming the file is still one line.
    proc = rushes("shots", str(media / NEWLINE), cwd=project, check=False)
    assert proc.returncode == 1
    assert _lines(proc.stderr) == [
        f"rushes: error: {media}/two\\nlines.txt is document, not video: it has no shots"
    ]



def test_verify_prints_names_escaped(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (media / NEWLINE).write_text("Day one at the river.\n")
    (media / STILL).write_text("Day two at the sea.\n")
    rushes("init", str(tmp_path), cwd=tmp_path)
    rushes("add", "media", "--no-analyze", cwd=tmp_path)
    (media / NEWLINE).write_text("Day one at the lake.\n")
    (media / STILL).unlink()
    verified = _lines(rushes("verify", cwd=tmp_path, check=False).stdout)
    assert f"  changed: {media}/two\\nlines.txt" in verified
    assert f"  missing: {media}/pic\\rture\\t1.png" in verified
    report = rushes_json("verify", cwd=tmp_path)
    assert (report["changed"], report["missing"]) == ([str(media / NEWLINE)], [str(media / STILL)])


def test_progress_shows_a_name_as_text_never_as_markup(capsys: pytest.CaptureFixture[str]) -> None:
    from rushes.cli.progress import Reporter

    with Reporter("adding", "bars") as bar:
        bar.tick(Path("take[/]\n[bold]2.mov"))
    assert "take[/]\\n[bold]2.mov" in capsys.readouterr().err


def test_printable_shows_undecodable_bytes_and_bidi_overrides_escaped() -> None:
    """A Path or a click argument holds a name's undecodable bytes as lone surrogates, which
    would reach the terminal as raw bytes (0x9b is the 8-bit CSI); a right-to-left override
    would show a name reversed."""
    from rushes.cli.app import printable

    assert printable(Path(os.fsdecode(b"/tmp/caf\xe9\x9b.html"))) == "/tmp/caf\\xe9\\x9b.html"
    assert printable("clip\u202evom.exe") == "clip\\u202evom.exe"
    assert printable("\ud800 café") == "\\ud800 café"
