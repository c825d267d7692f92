"""Several transcripts on one asset, and speakers named per file: ``transcript
rename-speaker --asset``, ``export --source`` / ``-o -``, ``remove``, and ``transcribe``'s exit
status, through the real command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mediagen
from cli.runner import rushes, rushes_json
from rushes.catalog import open_catalog
from rushes.catalog.assets import resolve_asset
from rushes.catalog.transcripts import SegmentRow, store_transcript

# WhisperX numbers speakers per file: SPEAKER_01 is someone else in each interview.
WHISPERX = {"segments": [
    {"start": 0.5, "end": 1.5, "text": " Good morning.", "speaker": "SPEAKER_00"},
    {"start": 2.0, "end": 3.0, "text": " Number forty two.", "speaker": "SPEAKER_01"},
]}
VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ellen Marsh>The lantern room\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("manage")
    media = root / "media"
    media.mkdir()
    for name, seconds in (("ellen.mov", 4), ("callum.mov", 3)):  # two contents, two assets
        mediagen.video_testsrc(media / name, seconds=seconds)
    rushes("init", str(root), cwd=root)
    rushes("add", "media", "--workers", "1", cwd=root)
    (root / "wx.json").write_text(json.dumps(WHISPERX), encoding="utf-8")
    for name in ("ellen", "callum"):
        rushes("transcript", "import", "wx.json", "--asset", f"media/{name}.mov", cwd=root)
    return root


def speakers(project: Path, asset: str) -> list[str | None]:
    shown = rushes_json("transcript", "show", asset, cwd=project)
    return [s["speaker"] for s in shown["segments"]]


def test_a_speaker_is_renamed_in_one_asset_only_with_asset(project: Path) -> None:
    rushes("transcript", "rename-speaker", "speaker_01", "Callum Reid",
           "--asset", "media/callum.mov", cwd=project)  # the old name ignores case
    assert speakers(project, "media/callum.mov") == ["SPEAKER_00", "Callum Reid"]
    assert speakers(project, "media/ellen.mov") == ["SPEAKER_00", "SPEAKER_01"]
    found = rushes_json("search", "forty speaker:callum*", cwd=project)["hits"]
    assert [Path(h["path"]).name for h in found] == ["callum.mov"]

    empty = rushes("transcript", "rename-speaker", "SPEAKER_00", " ", cwd=project, check=False)
    assert empty.returncode == 2
    assert "a speaker's new name must not be empty" in empty.stderr
    assert speakers(project, "media/ellen.mov")[0] == "SPEAKER_00"

    absent = rushes("transcript", "rename-speaker", "Nobody", "X", "--asset",
                    "media/ellen.mov", cwd=project, check=False)
    assert absent.returncode == 2
    assert "no speaker named 'Nobody' in media/ellen.mov" in absent.stderr


def test_several_transcripts_export_pick_and_remove(project: Path) -> None:
    (project / "ellen.vtt").write_text(VTT, encoding="utf-8")
    rushes("transcript", "import", "ellen.vtt", "--asset", "media/ellen.mov", cwd=project)
    # The newest import is the one shown and exported; --source picks another.
    assert rushes_json("transcript", "show", "media/ellen.mov", cwd=project)["source"] == (
        "import:webvtt"
    )
    out = rushes("transcript", "export", "media/ellen.mov", "--source", "import:whisper-json",
                 "--format", "srt", "-o", "-", cwd=project).stdout
    assert out.startswith("1\n00:00:00,500 --> 00:00:01,500\nSPEAKER_00: Good morning.\n")
    bogus = rushes("transcript", "show", "media/ellen.mov", "--source", "bogus",
                   cwd=project, check=False)
    assert bogus.returncode == 1
    assert bogus.stderr.strip().endswith(
        "has no transcript from 'bogus'; it has import:webvtt, import:whisper-json, "
        "asr:pocketsphinx"
    )

    unsure = rushes("transcript", "remove", "media/ellen.mov", cwd=project, check=False)
    assert unsure.returncode == 1
    assert "has 3 transcripts (import:webvtt, import:whisper-json, asr:pocketsphinx); say " \
        "which with --source" in unsure.stderr
    assert rushes_json("search", "lantern", cwd=project)["hits"]
    rushes("transcript", "remove", "media/ellen.mov", "--source", "import:webvtt", cwd=project)
    assert rushes_json("search", "lantern", cwd=project)["hits"] == []
    assert rushes_json("transcript", "show", "media/ellen.mov", cwd=project)["source"] == (
        "import:whisper-json"
    )
    assert (project / "ellen.vtt").read_text(encoding="utf-8") == VTT  # the file is kept


def test_transcribe_exits_non_zero_when_the_transcription_asked_for_fails(
    project: Path,
) -> None:
    proc = rushes("transcribe", "--language", "zh", "media/callum.mov", cwd=project,
                  check=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert "callum.mov: " in lines[-2] and "zh" in lines[-2]
    assert lines[-1] == "rushes: error: transcription failed for 1 of 1 asset (reasons above)"


def test_subtitles_in_two_languages_are_both_kept(project: Path) -> None:
    (project / "zh.srt").write_text("1\n00:00:00,100 --> 00:00:01,000\n渡轮冬天每周来两次。\n",
                                    encoding="utf-8")
    (project / "en.srt").write_text("1\n00:00:00,100 --> 00:00:01,000\nThe ferry comes.\n",
                                    encoding="utf-8")
    zh = rushes_json("transcript", "import", "zh.srt", "--asset", "media/callum.mov",
                     "--language", "zh", cwd=project)
    en = rushes_json("transcript", "import", "en.srt", "--asset", "media/callum.mov",
                     "--language", "en", cwd=project)
    assert (zh["source"], en["source"]) == ("import:srt:zh", "import:srt:en")
    assert [Path(h["path"]).name for h in rushes_json("search", "渡轮", cwd=project)["hits"]] == [
        "callum.mov"
    ]
    assert rushes_json("search", "ferry", cwd=project)["hits"]


def test_cues_after_the_end_of_the_media_are_warned_of(project: Path) -> None:
    # An NLE's export in the clip's timecode, read as media time: every cue is an hour late.
    (project / "late.srt").write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nIn time.\n\n"
        "2\n01:00:00,400 --> 01:00:01,100\nAn hour late.\n", encoding="utf-8")
    proc = rushes("transcript", "import", "late.srt", "--asset", "media/ellen.mov",
                  cwd=project)
    assert ("warning: 1 of 2 cues start after the media ends at 00:00:04.000 (the first at "
            "01:00:00.400)") in proc.stderr


def test_a_transcript_is_matched_by_name_in_another_case(project: Path) -> None:
    (project / "CALLUM.en.srt").write_text("1\n00:00:00,500 --> 00:00:01,000\nUpper case.\n",
                                           encoding="utf-8")
    imported = rushes_json("transcript", "import", "CALLUM.en.srt", cwd=project)
    assert Path(imported["path"]).name == "callum.mov"


def test_export_wraps_subtitle_lines_unless_told_not_to(project: Path) -> None:
    long = "Every night for forty one years I have climbed these steps to the lamp."
    (project / "long.srt").write_text(f"1\n00:00:00,500 --> 00:00:03,500\n{long}\n",
                                      encoding="utf-8")
    rushes("transcript", "import", "long.srt", "--asset", "media/ellen.mov", "--language",
           "en", cwd=project)
    args = ("transcript", "export", "media/ellen.mov", "--source", "import:srt:en",
            "--format", "srt", "-o", "-")
    wrapped = rushes(*args, cwd=project).stdout.splitlines()
    assert wrapped[2:4] == [
        "Every night for forty one years I", "have climbed these steps to the lamp.",
    ]
    assert rushes(*args, "--line-length", "0", cwd=project).stdout.splitlines()[2] == long


def test_a_transcript_kept_by_format_alone_is_replaced_by_its_language_keyed_import(
    project: Path,
) -> None:
    # A catalog from before sources had languages: import:srt, with language "de" beside it.
    catalog = open_catalog(f"sqlite:///{project / '.rushes' / 'catalog.db'}")
    try:
        with catalog.write() as conn:
            asset = resolve_asset(conn, str(project / "media" / "ellen.mov")).id
            store_transcript(conn, asset, "import:srt", "de", [
                SegmentRow(100_000, 900_000, "Der Leuchtturm."),
            ])
    finally:
        catalog.close()
    (project / "de.srt").write_text("1\n00:00:00,100 --> 00:00:00,900\nDer Leuchtturm.\n",
                                    encoding="utf-8")
    imported = rushes_json("transcript", "import", "de.srt", "--asset", "media/ellen.mov",
                           "--language", "DE", cwd=project)
    assert imported["source"] == "import:srt:de"
    hits = rushes_json("search", "Leuchtturm", cwd=project)["hits"]
    assert [h["transcript"] for h in hits] == ["import:srt:de"]  # not twice
