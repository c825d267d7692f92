"""A Broadcast WAV from a separate sound recorder keeps its ``bext`` start timecode (time
reference) through ``clip add``, ``cut add``, every export and ``cut import``: editing
applications label it at the project's rate and sync the sound by it."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

import mediagen
from cli.runner import rushes, rushes_json
from rushes.catalog.assets import AssetRow
from rushes.present import asset_summary, reference_timecode


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bwf")
    media = root / "media"
    media.mkdir()
    # 10:00:00:00 at 48 kHz (36000 s), and 10:00:00 plus 10 ms (a quarter of a 25 fps frame).
    mediagen.audio_bwf(media / "sound.wav", time_reference=1_728_000_000, seconds=6)
    mediagen.audio_bwf(media / "late.wav", time_reference=1_728_000_480, seconds=3)
    mediagen.audio_tone(media / "plain.wav", seconds=3)
    # A recorder running 23.976 timecode stamped 10:00:00:00: 864,000 frames of 1001/24000 s
    # (36036 s), which at 25 fps would read 10:00:36:00.
    mediagen.audio_bwf(media / "recorder.wav", time_reference=1_729_728_000, seconds=6,
                       ixml_rate="24000/1001")
    rushes("init", str(root), cwd=root)
    rushes("-c", "transcribe=false", "add", "media", "--workers", "1", cwd=root)
    return root


def test_ls_shows_the_time_reference_as_start_timecode(project: Path) -> None:
    rows = {Path(r["path"]).name: r for r in rushes_json("ls", cwd=project)}
    assert rows["sound.wav"]["start_timecode"] == "10:00:00:00"
    assert rows["sound.wav"]["start_seconds"] == 36000.0
    assert rows["late.wav"]["start_timecode"] == "10:00:00:00"  # rounded down to the frame
    assert rows["late.wav"]["start_seconds"] == 36000.01
    assert rows["plain.wav"]["start_timecode"] is None
    assert rows["plain.wav"]["start_seconds"] is None


def test_clip_add_reads_timecode_against_the_time_reference(project: Path) -> None:
    clip = rushes_json("clip", "add", "media/sound.wav", "--in", "10:00:02:00",
                       "--out", "10:00:04:00", cwd=project)
    assert (clip["in"], clip["out"]) == (2.0, 4.0)
    assert (clip["in_timecode"], clip["out_timecode"]) == ("10:00:02:00", "10:00:04:00")
    before = rushes("clip", "add", "media/sound.wav", "--in", "09:59:59:00", "--out",
                    "10:00:01:00", cwd=project, check=False)
    assert before.returncode != 0
    assert "before the media's start timecode 10:00:00:00" in before.stderr


def test_audio_without_a_time_reference_still_refuses_timecode(project: Path) -> None:
    res = rushes("clip", "add", "media/plain.wav", "--in", "00:00:01:00", "--out",
                 "00:00:02:00", cwd=project, check=False)
    assert res.returncode != 0
    assert "needs a frame rate; this media has none" in res.stderr


def test_exports_print_the_sound_file_timecode(project: Path, tmp_path: Path) -> None:
    rushes("cut", "new", "sync", "--rate", "25", cwd=project)
    rushes("cut", "add", "sync", "media/sound.wav@2-4", "media/sound.wav@10:00:05:00-10:00:05:12",
           "media/plain.wav@1-2", cwd=project)
    shown = rushes_json("cut", "show", "sync", cwd=project)
    assert [(i["source_in_timecode"], i["source_out_timecode"]) for i in shown["items"]] == [
        ("10:00:02:00", "10:00:04:00"), ("10:00:05:00", "10:00:05:12"),
        ("00:00:01:00", "00:00:02:00"),
    ]
    edl = tmp_path / "sync.edl"
    rushes("cut", "export", "sync", "-o", str(edl), cwd=project)
    lines = [line.split() for line in edl.read_text().splitlines() if line[:3].isdigit()]
    assert lines[0][4:6] == ["10:00:02:00", "10:00:04:00"]
    assert lines[1][4:6] == ["10:00:05:00", "10:00:05:12"]
    assert lines[2][4:6] == ["00:00:01:00", "00:00:02:00"]  # a WAV without bext: unchanged

    fcpxml = tmp_path / "sync.fcpxml"
    rushes("cut", "export", "sync", "-o", str(fcpxml), cwd=project)
    text = fcpxml.read_text()
    assert 'name="sound.wav" start="36000s"' in text
    assert 'name="plain.wav" start="0s"' in text
    assert 'name="sound.wav" start="36002s" duration="2s"' in text

    otio = tmp_path / "sync.otio"
    rushes("cut", "export", "sync", "-o", str(otio), cwd=project)
    clips = [c for track in json.loads(otio.read_text())["tracks"]["children"]
             for c in track["children"] if c["OTIO_SCHEMA"].startswith("Clip")]
    ref = clips[0]["media_references"]["DEFAULT_MEDIA"]["available_range"]["start_time"]
    assert (ref["value"], ref["rate"]) == (900000.0, 25.0)
    assert clips[0]["source_range"]["start_time"]["value"] == 900050.0

    # Read back, the ranges land on the same seconds of the sound file.
    rushes("cut", "import", str(edl), "--rate", "25", "--as", "sync-back", cwd=project)
    again = rushes_json("cut", "show", "sync-back", cwd=project)
    assert [(i["source_in_timecode"], i["source_out_timecode"]) for i in again["items"]] == [
        ("10:00:02:00", "10:00:04:00"), ("10:00:05:00", "10:00:05:12"),
        ("00:00:01:00", "00:00:02:00"),
    ]


def test_a_recorder_s_own_rate_labels_its_file(project: Path, tmp_path: Path) -> None:
    """The iXML rate is what the recorder's display and the slate showed: the start and a
    typed timecode read at it, whatever the project's rate; exports count at the cut's."""
    row = next(r for r in rushes_json("-c", "sequence_rate=30", "ls", cwd=project)
               if r["path"].endswith("recorder.wav"))
    assert row["start_timecode"] == "10:00:00:00"
    assert row["start_seconds"] == 36036.0
    clip = rushes_json("clip", "add", "media/recorder.wav", "--in", "10:00:02:00",
                       "--out", "10:00:04:00", cwd=project)
    assert (clip["in"], clip["out"]) == (2.002, 4.004)  # 48 and 96 frames of 1001/24000 s
    assert (clip["in_timecode"], clip["out_timecode"]) == ("10:00:02:00", "10:00:04:00")
    rushes("cut", "new", "recorder", "--rate", "24000/1001", cwd=project)
    rushes("cut", "add", "recorder", str(clip["id"]), cwd=project)
    edl = tmp_path / "recorder.edl"
    rushes("cut", "export", "recorder", "-o", str(edl), cwd=project)
    event = next(line.split() for line in edl.read_text().splitlines() if line[:3].isdigit())
    assert event[4:6] == ["10:00:02:00", "10:00:04:00"]


def test_without_a_recorder_rate_the_sequence_rate_setting_labels_it(project: Path) -> None:
    """Every view of a file whose recorder wrote no rate (ls, show, log, notes, clips, the web
    app and the report) counts it at the ``sequence_rate`` setting, not at 25 in some."""
    thirty = ("-c", "sequence_rate=30")
    note = rushes_json(*thirty, "note", "add", "media/sound.wav", "clap", "--at", "2.5",
                       "--json", cwd=project)
    assert note["timecode"] == "10:00:02:15"
    log = rushes_json(*thirty, "log", "media/sound.wav", cwd=project)
    assert [n["timecode"] for n in log["notes"] if n["text"] == "clap"] == ["10:00:02:15"]
    default = rushes_json("log", "media/sound.wav", cwd=project)
    assert [n["timecode"] for n in default["notes"] if n["text"] == "clap"] == ["10:00:02:12"]
    # A clip of its own (tests of this module may run in other processes, each its project).
    rushes(*thirty, "clip", "add", "media/sound.wav", "--in", "2.5", "--out", "3", cwd=project)
    clips = rushes_json(*thirty, "clip", "ls", "media/sound.wav", "--json", cwd=project)
    assert "10:00:02:15" in {c["in_timecode"] for c in clips}
    rushes("bin", "new", "sync-selects", cwd=project)
    rushes("bin", "add", "sync-selects", str(clips[0]["id"]), cwd=project)
    held = rushes_json(*thirty, "bin", "ls", "sync-selects", "--json", cwd=project)
    assert held["items"][0]["in_timecode"] == clips[0]["in_timecode"]
    rushes("cut", "new", "nothing-yet", cwd=project)
    unused = rushes_json(*thirty, "clip", "unused", "nothing-yet", "--json", cwd=project)
    assert {c["in_timecode"] for c in unused if c["path"].endswith("sound.wav")} == {
        c["in_timecode"] for c in clips}
    report = project / "report.html"
    rushes(*thirty, "report", "-o", str(report), cwd=project)
    page = report.read_text(encoding="utf-8")
    # The recorder's take as its sound report gives it (mediagen writes scene 12A, take 3).
    assert "<dt>Take</dt><dd>12A/3</dd>" in page


def test_a_time_reference_between_frames_is_rounded_down(project: Path, tmp_path: Path) -> None:
    rushes("cut", "new", "late", "--rate", "25", cwd=project)
    rushes("cut", "add", "late", "media/late.wav@1-2", cwd=project)
    item = rushes_json("cut", "show", "late", cwd=project)["items"][0]
    assert (item["source_in_timecode"], item["source_out_timecode"]) == (
        "10:00:01:00", "10:00:02:00")



def test_a_probe_made_before_time_references_were_read_still_works() -> None:
    assert reference_timecode(Fraction(3600001, 100), Fraction(25)).label() == "10:00:00:00"
    assert str(reference_timecode(Fraction(36000), Fraction(30000, 1001))) == "10:00:00;01"
    asset = AssetRow("a1", "audio", "wav", 1000, 0, "sound.wav")
    old = {"duration": "3/1", "rate": None, "start_timecode": None}  # probe v1: no such keys
    row = asset_summary(asset, old)
    assert row["start_timecode"] is None and row["start_seconds"] is None
    bwf = {**old, "time_reference": 1_728_000_000, "start_seconds": "36000/1"}
    assert asset_summary(asset, bwf, Fraction(24))["start_timecode"] == "10:00:00:00"
