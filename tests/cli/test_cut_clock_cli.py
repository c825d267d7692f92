"""A cut's clock through the real command: timecode as a 24-hour clock (a source recorded
across midnight, a sequence started at 23:59:59:00), the starts and rates a cut refuses, and
mixed-rate EDLs that OpenTimelineIO's CMX3600 reader takes at the sequence rate."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

import mediagen
from cli.runner import rushes, rushes_json


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("clock")
    media = root / "m"
    media.mkdir()
    mediagen.video_testsrc(media / "midnight.mp4", seconds=6, rate="25", timecode="23:59:59:00",
                           audio=False)
    mediagen.video_testsrc(media / "df2997.mp4", seconds=4, rate="30000/1001",
                           timecode="01:00:00;00", audio=False)
    mediagen.video_testsrc(media / "p50.mp4", seconds=4, rate="50", timecode="12:00:00:00",
                           audio=False)
    rushes("init", str(root), cwd=root)
    rushes("-c", "transcribe=false", "add", "m", "--workers", "1", cwd=root)
    return root


def _error(project: Path, *args: str) -> str:
    """The one-line error of a refused command."""
    proc = rushes(*args, cwd=project, check=False)
    assert proc.returncode != 0, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_a_source_across_midnight_takes_the_next_days_labels(project: Path) -> None:
    by_tc = rushes_json("clip", "add", "m/midnight.mp4", "--in", "23:59:59:12", "--out",
                        "00:00:02:00", cwd=project)
    by_seconds = rushes_json("clip", "add", "m/midnight.mp4", "--in", "0.48", "--out", "3",
                             cwd=project)
    for clip in (by_tc, by_seconds):
        assert (clip["in_timecode"], clip["out_timecode"]) == ("23:59:59:12", "00:00:02:00")
        assert (clip["in"], clip["out"]) == (0.48, 3.0)
    shown = rushes("clip", "ls", "m/midnight.mp4", cwd=project).stdout
    assert "23:59:59:12-00:00:02:00" in shown and "24:" not in shown
    # the file ends at 00:00:05:00: a label it does not reach is still before its start
    line = _error(project, "clip", "add", "m/midnight.mp4", "--in", "23:59:59:12", "--out",
                  "00:00:07:00")
    assert "before the media's start timecode 23:59:59:00" in line
    assert "hours run to 23" in _error(project, "clip", "add", "m/midnight.mp4", "--in",
                                       "23:59:59:12", "--out", "24:00:02:00")


def test_a_cut_started_late_wraps_everywhere_a_label_is_written(
    project: Path, tmp_path: Path
) -> None:
    rushes("cut", "new", "late", "--rate", "25", "--start", "23:59:59:00", cwd=project)
    rushes("cut", "add", "late", "m/midnight.mp4@23:59:59:12-00:00:02:00", cwd=project)
    data = rushes_json("cut", "show", "late", cwd=project)
    [item] = data["items"]
    assert (item["record_in_timecode"], item["record_out_timecode"]) == (
        "23:59:59:00", "00:00:01:13")
    assert (item["source_in_timecode"], item["source_out_timecode"]) == (
        "23:59:59:12", "00:00:02:00")
    assert "24:" not in rushes("cut", "show", "late", cwd=project).stdout
    edl = tmp_path / "late.edl"
    rushes("cut", "export", "late", "-o", str(edl), cwd=project)
    text = edl.read_text()
    assert "001  MIDNIGHT V     C        23:59:59:12 00:00:02:00 23:59:59:00 00:00:01:13" in text
    assert "24:" not in text
    xml = tmp_path / "late.xml"
    rushes("cut", "export", "late", "-o", str(xml), "--format", "fcp7", cwd=project)
    assert "<string>23:59:59:00</string>" in xml.read_text()
    # Read back, each format credits the 2.52 s the cut uses, not a negative day.
    for name, fmt in (("late.edl", "edl"), ("late.xml", "fcp7"), ("late.otio", "otio"),
                      ("late.fcpxml", "fcpxml")):
        target = tmp_path / name
        if not target.exists():
            rushes("cut", "export", "late", "-o", str(target), "--format", fmt, cwd=project)
        used = rushes_json("cut", "import", str(target), "--rate", "25", cwd=project)
        assert [s["total"] for s in used["sources"]] == [2.52], fmt


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("25:00:00:00", "start timecode '25:00:00:00' is out of range: hours run to 23"),
        ("99:00:00:00", "start timecode '99:00:00:00' is out of range: hours run to 23"),
        ("24:00:00:00", "start timecode '24:00:00:00' is out of range: hours run to 23"),
        ("23:60:00:00", "start timecode '23:60:00:00' is out of range at 25 fps"),
        ("23:59:59:25", "start timecode '23:59:59:25' is out of range at 25 fps"),
        ("01:00:00;00", "start timecode '01:00:00;00' is drop-frame, which does not exist at "
                        "25 fps"),
    ],
)
def test_starts_beyond_the_clock_are_refused_by_cut_new_and_set(
    project: Path, start: str, message: str
) -> None:
    name = f"start {start}"
    assert message in _error(project, "cut", "new", name, "--rate", "25", "--start", start)
    rushes("cut", "new", name, "--rate", "25", cwd=project)
    assert message in _error(project, "cut", "set", name, "--start", start)
    assert rushes_json("cut", "show", name, cwd=project)["start_timecode"] == "01:00:00:00"


def test_a_rate_without_timecode_is_refused_naming_the_rates(project: Path) -> None:
    for args in (("cut", "new", "half", "--rate", "12.5"),
                 ("cut", "new", "half", "--rate", "25/2")):
        line = _error(project, *args)
        assert "a rate of 12.5 fps has no timecode" in line
        assert "23.976, 24, 25, 29.97, 30" in line
    rushes("cut", "new", "twelve", "--rate", "12", cwd=project)  # a whole rate counts
    assert "12.5 fps has no timecode" in _error(project, "cut", "set", "twelve", "--rate", "12.5")


@pytest.mark.parametrize(("rate", "lines"), [
    ("25", ["001  DF2997   V     C        01:00:01:00 01:00:03:13 01:00:00:00 01:00:02:13",
            "002  P50      V     C        12:00:02:12 12:00:03:12 01:00:02:13 01:00:03:13"]),
    ("29.97", ["001  DF2997   V     C        01:00:01;00 01:00:03;15 01:00:00;00 01:00:02;15",
               "002  P50      V     C        12:00:02;15 12:00:03;15 01:00:02;15 01:00:03;15"]),
])
def test_mixed_rate_edls_read_through_otio_at_the_cuts_rate(
    project: Path, tmp_path: Path, rate: str, lines: list[str]
) -> None:
    name = f"mixed {rate}"
    start = "01:00:00;00" if rate == "29.97" else "01:00:00:00"
    rushes("cut", "new", name, "--rate", rate, "--start", start, cwd=project)
    rushes("cut", "add", name, "m/df2997.mp4@01:00:01;00-01:00:03;15",
           "m/p50.mp4@12:00:02:25-12:00:03:25", cwd=project)
    edl = tmp_path / "mixed.edl"
    rushes("cut", "export", name, "-o", str(edl), cwd=project)
    text = edl.read_text()
    for line in lines:
        assert line in text
    assert "* SOURCE TC: 12:00:02:25 12:00:03:25" in text  # the 50p clip's own labels
    items = rushes_json("cut", "show", name, cwd=project)["items"]
    fps = 30000 / 1001 if rate == "29.97" else 25.0
    # before: "rate 25 is not a valid drop frame rate", frame 25 at 25 fps, 72 != 74
    read = otio.adapters.read_from_string(text, "cmx_3600", rate=fps)
    video = next(t for t in read.tracks if t.kind == otio.schema.TrackKind.Video)
    clips = video.find_clips()
    assert len(clips) == 2
    for item, clip in zip(items, clips, strict=True):
        record = video.range_of_child(clip)
        assert round(clip.source_range.duration.value) == round(
            (item["record_out"] - item["record_in"]) * fps)
        assert round(record.duration.value) == round(clip.source_range.duration.value)
