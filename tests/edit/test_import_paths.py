"""`rushes cut import` credits each use to the file the timeline names, not to another of the
same name: cameras restart at C0001 on every card, so same-named files are the usual case.

The project holds four tiny clips: ``cardA/C0001.MP4`` and ``cardB/C0001.MP4`` (same name, same
timecode: only their paths tell them apart) and ``cardC/C0002.MP4`` and ``cardD/C0002.MP4`` (same
name, timecodes an hour apart: the timecode tells them apart). Each is a different picture:
files of identical content are one asset.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import opentimelineio as otio
import pytest

import mediagen
from cli.runner import rushes, rushes_json
from rushes.edit.importers import local_path


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cards")
    clips = [("cardA", "C0001", "testsrc", "11:00:00:00"),
             ("cardB", "C0001", "smptebars", "11:00:00:00"),
             ("cardC", "C0002", "testsrc2", "11:00:00:00"),
             ("cardD", "C0002", "rgbtestsrc", "12:00:00:00")]
    for card, clip, source, tc in clips:
        (root / "m" / card).mkdir(parents=True)
        mediagen.video_testsrc(root / "m" / card / f"{clip}.MP4", seconds=2, source=source,
                               timecode=tc, audio=False)
    rushes("init", str(root), cwd=root)
    rushes("-c", "transcribe=false", "add", "m", "--workers", "1", cwd=root)
    rushes("cut", "new", "cards", "--rate", "25", cwd=root)
    rushes("cut", "add", "cards", "m/cardA/C0001.MP4@1-1.4", "m/cardB/C0001.MP4@0.4-1.4",
           cwd=root)
    return root


def _uses(report: dict[str, Any]) -> dict[str, list[str]]:
    """Each credited file (relative to the project) → how each of its uses was matched."""
    return {s["path"].split("/m/", 1)[1]: [u["matched_by"] for u in s["uses"]]
            for s in report["sources"]}


def _reader_keeps_paths() -> None:
    """These tests need the readers to keep each event's full path or URL (the
    ``ImportedEvent.file_path`` change to the format readers); say so rather than fail
    obscurely where they do not yet."""
    from rushes.edit.timeline import ImportedEvent

    if "file_path" not in ImportedEvent.__dataclass_fields__:
        pytest.fail("the timeline readers do not keep media paths (ImportedEvent.file_path)")


@pytest.mark.parametrize("ext", ["edl", "otio", "fcpxml", "xml"])
def test_every_format_credits_the_card_its_path_names(
    project: Path, tmp_path: Path, ext: str
) -> None:
    _reader_keeps_paths()
    out = tmp_path / f"cards.{ext}"
    rushes("cut", "export", "cards", "-o", str(out), cwd=project)
    report = rushes_json("cut", "import", str(out), "--rate", "25", cwd=project)
    assert _uses(report) == {"cardA/C0001.MP4": ["path"], "cardB/C0001.MP4": ["path"]}
    durations = {s["path"].split("/m/", 1)[1]: s["total"] for s in report["sources"]}
    assert durations == {"cardA/C0001.MP4": 0.4, "cardB/C0001.MP4": 1.0}
    assert report["unmatched"] == [] and report["matched"] == 2


def test_a_timeline_from_another_machine_is_matched_by_its_folders(
    project: Path, tmp_path: Path
) -> None:
    """The editor's media root differs (``/Volumes/RAID/film``), and on Windows the separators
    too: the folders above the file still say which card it came from."""
    _reader_keeps_paths()
    edl = tmp_path / "cards.edl"
    rushes("cut", "export", "cards", "-o", str(edl), cwd=project)
    text = edl.read_text()
    moved = tmp_path / "moved.edl"
    moved.write_text(text.replace(f"{project}/m/cardA/", "/Volumes/RAID/film/m/cardA/")
                     .replace(f"{project}/m/cardB/", "D:\\film\\cardB\\"))
    assert str(project) not in moved.read_text()
    report = rushes_json("cut", "import", str(moved), "--rate", "25", cwd=project)
    assert _uses(report) == {"cardA/C0001.MP4": ["folders"], "cardB/C0001.MP4": ["folders"]}


def test_a_relative_path_is_read_from_the_project_or_the_timelines_folder(
    project: Path, tmp_path: Path
) -> None:
    _reader_keeps_paths()
    edl = tmp_path / "cards.edl"
    rushes("cut", "export", "cards", "-o", str(edl), cwd=project)
    relative = edl.read_text().replace(f"{project}/", "")
    (tmp_path / "rel.edl").write_text(relative)
    report = rushes_json("cut", "import", str(tmp_path / "rel.edl"), "--rate", "25",
                         cwd=project)
    assert _uses(report) == {"cardA/C0001.MP4": ["path"], "cardB/C0001.MP4": ["path"]}
    # Beside the media, a path relative to the timeline's own folder.
    beside = project / "m" / "beside.edl"
    beside.write_text(relative.replace("m/card", "card"))
    try:
        report = rushes_json("cut", "import", str(beside), "--rate", "25", cwd=tmp_path,
                             env={"RUSHES_PROJECT": str(project)})
    finally:
        beside.unlink()
    assert _uses(report) == {"cardA/C0001.MP4": ["path"], "cardB/C0001.MP4": ["path"]}


def test_otioz_with_media_bundles_same_named_files_and_reads_back(
    project: Path, tmp_path: Path
) -> None:
    """OTIO's otioz adapter refuses two files of one name; the bundle is made anyway, its copies
    named apart, and reading it back still credits each card."""
    bundle = tmp_path / "cards.otioz"
    proc = rushes("cut", "export", "cards", "-o", str(bundle), "--with-media", cwd=project,
                  check=False)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(bundle) as z:
        media = sorted(n for n in z.namelist() if n.startswith("media/"))
        assert len(media) == 2 and len({n.casefold() for n in media}) == 2
        for card in ("cardA", "cardB"):
            (name,) = [n for n in media if card in n]
            assert z.read(name) == (project / "m" / card / "C0001.MP4").read_bytes()
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    timeline = otio.adapters.read_from_file(str(bundle), extract_to_directory=str(unpacked))
    targets = sorted(c.media_reference.target_url for c in timeline.find_clips())
    assert targets == media and all((unpacked / t).is_file() for t in targets)
    _reader_keeps_paths()
    report = rushes_json("cut", "import", str(bundle), cwd=project)
    assert set(_uses(report)) == {"cardA/C0001.MP4", "cardB/C0001.MP4"}


def _edl(tmp_path: Path, name: str, events: list[tuple[str, str, str, str | None]]) -> Path:
    """An EDL of (reel, source in, source out, clip name) events, with no file paths: what an
    editing application that keeps only names writes."""
    lines = ["TITLE: names only", "FCM: NON-DROP FRAME", ""]
    record = 90000  # 01:00:00:00 at 25
    for n, (reel, a, b, clip) in enumerate(events, 1):
        frames = _frames(b) - _frames(a)
        lines.append(f"{n:03d}  {reel:8} V     C        {a} {b} "
                     f"{_tc(record)} {_tc(record + frames)}")
        if clip:
            lines.append(f"* FROM CLIP NAME: {clip}")
        lines.append("")
        record += frames
    path = tmp_path / name
    path.write_text("\n".join(lines))
    return path


def _frames(tc: str) -> int:
    h, m, s, f = (int(x) for x in tc.split(":"))
    return ((h * 60 + m) * 60 + s) * 25 + f


def _tc(frames: int) -> str:
    s, f = divmod(frames, 25)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}:{f:02d}"


def test_a_name_two_files_share_is_reported_ambiguous_not_guessed(
    project: Path, tmp_path: Path
) -> None:
    """Same name, same timecode, no path: nothing tells cardA's C0001 from cardB's, so neither
    is credited, and one warning line names the candidates."""
    edl = _edl(tmp_path, "names.edl", [("C0001", "11:00:01:00", "11:00:01:12", "C0001.MP4"),
                                       ("C0001", "11:00:00:12", "11:00:01:12", "C0001.MP4")])
    proc = rushes("cut", "import", str(edl), "--rate", "25", "--json", cwd=project)
    report = json.loads(proc.stdout)
    assert report["sources"] == [] and report["matched"] == 0
    assert {u["index"] for u in report["unmatched"]} == {1, 2}
    for u in report["unmatched"]:
        assert u["ambiguous"] and u["name"] == "C0001.MP4"
        assert [c.split("/m/", 1)[1] for c in u["candidates"]] == [
            "cardA/C0001.MP4", "cardB/C0001.MP4"]
    (warning,) = proc.stderr.strip().splitlines()
    assert re.search(r"^warning: events 1, 2: C0001\.MP4 could be any of 2 catalogued files "
                     r"\(.*/m/cardA/C0001\.MP4; .*/m/cardB/C0001\.MP4\)", warning), warning
    text = rushes("cut", "import", str(edl), "--rate", "25", cwd=project)
    assert text.stdout.splitlines() == [f"{edl}: 0 of 2 events matched, 2 ambiguous"]
    assert text.stderr.strip() == warning


def test_timecode_tells_same_named_files_apart(project: Path, tmp_path: Path) -> None:
    """cardC's and cardD's C0002 start an hour apart: the event's source timecode lies in one
    file only, by clip name or (with no names at all) by reel."""
    edl = _edl(tmp_path, "tc.edl", [("C0002", "12:00:00:10", "12:00:01:00", "C0002.MP4"),
                                    ("C0002", "11:00:00:05", "11:00:00:20", None),
                                    ("C0002", "13:00:00:00", "13:00:00:10", None)])
    report = rushes_json("cut", "import", str(edl), "--rate", "25", cwd=project)
    assert _uses(report) == {"cardD/C0002.MP4": ["clip name and timecode"],
                             "cardC/C0002.MP4": ["reel and timecode"]}
    (use,) = next(s for s in report["sources"] if "cardD" in s["path"])["uses"]
    assert (use["in_timecode"], use["out_timecode"]) == ("12:00:00:10", "12:00:01:00")
    # Neither file holds 13:00:00:00: not credited to either.
    (third,) = report["unmatched"]
    assert third["index"] == 3 and third["ambiguous"]


def test_local_paths_from_every_way_a_timeline_writes_them() -> None:
    assert local_path("file://localhost/tmp/a%20b.MP4") == "/tmp/a b.MP4"
    assert local_path("file:///tmp/a%20b.MP4") == "/tmp/a b.MP4"
    assert local_path("file://localhost/D:/Rushes/A%201.mov") == "D:/Rushes/A 1.mov"
    assert local_path("file://server/share/x.mov") == "//server/share/x.mov"
    assert local_path("/Volumes/R/100%.mov") == "/Volumes/R/100%.mov"  # EDL comments: paths
    assert local_path("D:\\Rushes\\x.mov") == "D:\\Rushes\\x.mov"
    assert local_path("Take: 2.mov") == "Take: 2.mov"
    assert local_path("https://example.org/x.mov") is None
    assert local_path("  ") is None and local_path(None) is None
