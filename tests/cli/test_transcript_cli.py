"""``rushes transcript import/show/export/rename-speaker`` through the real command."""

from __future__ import annotations

from pathlib import Path

import pytest

import mediagen
from cli.runner import rushes, rushes_json

SRT = (
    "\ufeff1\r\n00:00:01,000 --> 00:00:02,500\r\nELLEN: <i>The names</i> of the children\r\n\r\n"
    "7\r\n00:00:02,400 --> 00:00:04,000\r\nwere never published.\r\n"
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("transcripts")
    media = root / "media"
    media.mkdir()
    mediagen.video_testsrc(media / "A001_C003.mov", seconds=5, rate="25",
                           timecode="01:00:00:00")
    rushes("init", str(root), cwd=root)
    rushes("add", "media", "--workers", "1", cwd=root)
    return root


def test_import_matches_by_name_repairs_with_warning_and_shows(project: Path) -> None:
    (project / "A001_C003.en.srt").write_text(SRT, encoding="utf-8", newline="")
    proc = rushes("transcript", "import", "A001_C003.en.srt", "--json", cwd=project)
    assert "cue 7 (line 5) overlaps cue 1" in proc.stderr
    shown = rushes_json("transcript", "show", "media/A001_C003.mov", cwd=project)
    assert shown["source"] == "import:srt"
    first, second = shown["segments"]
    assert (first["start"], first["end"], first["speaker"]) == (1.0, 2.4, "ELLEN")
    assert first["text"] == "The names of the children"
    assert first["timecode"] == "01:00:01:00"  # the embedded start timecode is honoured
    assert second["start"] == 2.4 and second["speaker"] is None


def test_export_follows_source_timecode_when_asked(project: Path, tmp_path: Path) -> None:
    (project / "A001_C003.en.srt").write_text(SRT, encoding="utf-8", newline="")
    rushes("transcript", "import", "A001_C003.en.srt", cwd=project)
    out = tmp_path / "t.srt"
    rushes("transcript", "export", "media/A001_C003.mov", "-o", str(out), cwd=project)
    assert "00:00:01,000 --> 00:00:02,400" in out.read_text()
    rushes("transcript", "export", "media/A001_C003.mov", "-o", str(out),
           "--source-timecode", cwd=project)
    assert "01:00:01,000 --> 01:00:02,400" in out.read_text()


def test_rename_speaker_and_errors(project: Path) -> None:
    (project / "A001_C003.en.srt").write_text(SRT, encoding="utf-8", newline="")
    rushes("transcript", "import", "A001_C003.en.srt", cwd=project)
    rushes("transcript", "rename-speaker", "ELLEN", "Ellen Marsh", cwd=project)
    shown = rushes_json("transcript", "show", "media/A001_C003.mov", cwd=project)
    assert shown["segments"][0]["speaker"] == "Ellen Marsh"
    bad = project / "broken.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:xx,000\nhello\n")
    proc = rushes("transcript", "import", str(bad), "--asset", "media/A001_C003.mov",
                  cwd=project, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "rushes: error: broken.srt line 2: bad timestamp '00:00:xx,000'"


def test_a_transcript_goes_only_on_video_or_audio(project: Path) -> None:
    mediagen.image_png(project / "media" / "still.png")
    rushes("add", "media/still.png", cwd=project)
    (project / "still.srt").write_text(SRT, encoding="utf-8", newline="")
    proc = rushes("transcript", "import", "still.srt", "--asset", "media/still.png",
                  cwd=project, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().endswith(
        "still.png is an image: only video and audio have transcripts"
    )
    assert "\n" not in proc.stderr.strip()
