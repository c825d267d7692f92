"""Every audio channel of a source reaches the editor: a camera's four mono tracks (boom and
radio mics) and a recorder's polyphonic WAV are carried through every export, not just the
first stream or pair."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import opentimelineio as otio
import pytest

import mediagen
from cli.runner import rushes, rushes_json


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("multitrack")
    media = root / "media"
    media.mkdir()
    mediagen.video_multitrack(media / "cam.mov", tracks=4, seconds=2)
    mediagen.audio_poly(media / "poly.wav", channels=8, seconds=2)
    mediagen.video_testsrc(media / "stereo.mp4", seconds=2, extra=("-ac", "2"))
    rushes("init", str(root), cwd=root)
    rushes("-c", "transcribe=false", "add", "media", "--workers", "1", cwd=root)
    rushes("cut", "new", "tracks", "--rate", "25", cwd=root)
    rushes("cut", "add", "tracks", "media/cam.mov@0-1", "media/poly.wav@0-1",
           "media/stereo.mp4@0-1", cwd=root)
    return root


def export(project: Path, out: Path) -> Path:
    rushes("cut", "export", "tracks", "-o", str(out), cwd=project)
    return out


def test_edl_names_channels_three_and_four_and_what_it_cannot_carry(
    project: Path, tmp_path: Path
) -> None:
    text = export(project, tmp_path / "tracks.edl").read_text()
    events = text.split("\n\n")
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("001"))
    assert lines[first].split()[2] == "AA/V"
    assert lines[first + 1] == "AUD  3    4"
    second = next(i for i, line in enumerate(lines) if line.startswith("002"))
    assert lines[second].split()[2] == "AA"
    assert lines[second + 1] == "AUD  3    4"
    assert "* SOURCE AUDIO: 8 CHANNELS, THIS EDL CARRIES 1-4" in text
    third = next(i for i, line in enumerate(lines) if line.startswith("003"))
    assert lines[third].split()[2] == "AA/V"
    assert not lines[third + 1].startswith("AUD"), events


def test_fcp7_lays_every_channel_on_its_own_track(project: Path, tmp_path: Path) -> None:
    root = ET.parse(export(project, tmp_path / "tracks.xml")).getroot()
    tracks = root.findall("sequence/media/audio/track")
    assert len(tracks) == 8  # the polyphonic WAV's eight channels are the widest
    assert [t.findtext("outputchannelindex") for t in tracks[:4]] == ["1", "2", "1", "2"]
    cam = [c for t in tracks for c in t.findall("clipitem")
           if c.findtext("name") == "cam.mov"]
    assert [c.findtext("sourcetrack/trackindex") for c in cam] == ["1", "2", "3", "4"]
    files = {f.findtext("name"): f for f in root.iter("file") if len(f)}
    streams = files["cam.mov"].findall("media/audio")
    assert [s.findtext("channelcount") for s in streams] == ["1", "1", "1", "1"]
    assert [s.findtext("audiochannel/sourcechannel") for s in streams] == ["1", "2", "3", "4"]
    # Each mono track is a link group of its own; the picture links to all four.
    video = next(c for c in root.iter("clipitem") if c.findtext("name") == "cam.mov"
                 and c.findtext("sourcetrack/mediatype") == "video")
    groups = [link.findtext("groupindex") for link in video.findall("link")
              if link.findtext("mediatype") == "audio"]
    assert groups == ["1", "2", "3", "4"]
    poly = [c for t in tracks for c in t.findall("clipitem") if c.findtext("name") == "poly.wav"]
    assert len(poly) == 8
    assert [s.findtext("channelcount") for s in files["poly.wav"].findall("media/audio")] == ["8"]
    stereo = [c for t in tracks for c in t.findall("clipitem")
              if c.findtext("name") == "stereo.mp4"]
    assert [c.findtext("sourcetrack/trackindex") for c in stereo] == ["1", "2"]
    # OpenTimelineIO's own FCP7 reader sees the camera's sound on four tracks.
    read = otio.adapters.read_from_file(str(tmp_path / "tracks.xml"), "fcp_xml")
    audio = [t for t in read.tracks if t.kind == otio.schema.TrackKind.Audio]
    with_cam = [t for t in audio if any(c.name == "cam.mov" for c in t.find_clips())]
    assert len(with_cam) == 4


def test_fcpxml_asset_counts_sources_and_channels(project: Path, tmp_path: Path) -> None:
    root = ET.parse(export(project, tmp_path / "tracks.fcpxml")).getroot()
    assets = {a.get("name"): a for a in root.iter("asset")}
    assert (assets["cam.mov"].get("audioSources"), assets["cam.mov"].get("audioChannels")) == (
        "4", "4")
    assert (assets["poly.wav"].get("audioSources"),
            assets["poly.wav"].get("audioChannels")) == ("1", "8")
    assert (assets["stereo.mp4"].get("audioSources"),
            assets["stereo.mp4"].get("audioChannels")) == ("1", "2")


def test_otio_records_the_layout(project: Path, tmp_path: Path) -> None:
    timeline = otio.adapters.read_from_file(str(export(project, tmp_path / "tracks.otio")))
    layouts = {c.name: list(c.media_reference.metadata["rushes"]["audio_layout"])
               for c in timeline.find_clips()}
    assert layouts == {"cam.mov": [1, 1, 1, 1], "poly.wav": [8], "stereo.mp4": [2]}


@pytest.mark.parametrize("suffix", [".xml", ".edl", ".fcpxml"])
def test_reading_the_cut_back_counts_each_edit_once(
    project: Path, tmp_path: Path, suffix: str
) -> None:
    """A clip's picture and its channels are one edit, whatever the format lays them out as."""
    out = export(project, tmp_path / f"tracks{suffix}")
    read = rushes_json("cut", "import", str(out), "--rate", "25", cwd=project)
    assert (read["events"], read["matched"]) == (3, 3)
