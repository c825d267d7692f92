"""OpenTimelineIO: the timeline's shape, exact ranges at every rate, .otio and .otioz files."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree

import opentimelineio as otio
import pytest

from rushes.domain.timecode import Timecode
from rushes.edit.formats.edl import read_edl, write_edl
from rushes.edit.formats.otio_file import bundle_names, read_otio, write_otio, write_otioz
from rushes.edit.otio_convert import file_name_from_url, file_url, from_otio, to_otio
from rushes.edit.timeline import Event, Timeline
from rushes.errors import UsageError
from tests.edit.paper_edits import (
    EVERY_RATE,
    RATES,
    F,
    assert_matches,
    expected_source,
    lay_out,
    media,
    media_events,
    paper_edit,
    tc,
)


def test_layout_of_the_timeline() -> None:
    timeline = paper_edit(F(30000, 1001), True)
    result = to_otio(timeline)
    assert result.name == "River cut"
    assert result.global_start_time == otio.opentime.RationalTime(107892, 30000 / 1001)
    meta = result.metadata["rushes"]
    assert (meta["rate"], meta["drop_frame"], meta["start_timecode"]) == (
        "30000/1001", True, "01:00:00;00")
    video, audio = result.tracks
    assert (video.name, video.kind, audio.name, audio.kind) == ("V1", "Video", "A1", "Audio")
    kinds = [type(item).__name__ for item in video]
    assert kinds == ["Clip", "Clip", "Clip", "Clip", "Gap", "Clip"]
    assert [type(item).__name__ for item in audio] == ["Clip", "Gap", "Gap", "Gap", "Clip",
                                                       "Clip"]
    # Both tracks last exactly as long as the cut.
    assert video.duration() == audio.duration() == otio.opentime.RationalTime(
        timeline.duration, 30000 / 1001)

    first = video[0]
    ref = first.media_reference
    assert ref.target_url == "file:///media/card%2001/A001_C003.mov"
    assert ref.available_range == otio.opentime.TimeRange(
        otio.opentime.RationalTime(1078920, 30000 / 1001),  # 10:00:00;00
        otio.opentime.RationalTime(100_000, 30000 / 1001))
    assert first.source_range.start_time.value == 1078920 + 17
    assert first.source_range.duration.value == 123
    assert first.metadata["rushes"]["asset_id"] == "A001_C003.mov-id"
    assert first.metadata["rushes"]["label"] == "Anna on the flood"
    assert first.metadata["cmx_3600"]["reel"] == "A001C003"

    still = video[2]
    assert still.media_reference.target_url.endswith("/dad%201987.jpg")
    assert still.source_range.duration.value == 60
    title = video[3]
    assert isinstance(title.media_reference, otio.schema.GeneratorReference)
    assert title.media_reference.parameters["text"] == "The river\n1987"
    assert title.metadata["rushes"]["kind"] == "title"
    voice = audio[4]
    assert isinstance(voice.media_reference, otio.schema.MissingReference)
    assert voice.metadata["rushes"]["text"] == "He left in the spring."
    [marker] = video.markers
    note = next(e for e in timeline.events if e.kind == "note")
    assert marker.marked_range.start_time.value == note.record_in
    assert marker.metadata["rushes"]["text"] == "music comes in here"


def test_no_audio_track_without_sound() -> None:
    rate = F(25)
    silent = media("mute.mov", rate, Timecode(0, rate), audio=0)
    timeline = lay_out(rate, Timecode.parse("01:00:00:00", rate),
                       Event("clip", 0, 0, silent, 0, 25))
    result = to_otio(timeline)  # held: OTIO drops a temporary timeline's children
    assert [t.name for t in result.tracks] == ["V1"]


@pytest.mark.parametrize(("rate", "df"), EVERY_RATE)
def test_every_rate_round_trips_through_an_otio_file(
    tmp_path: Path, rate: Fraction, df: bool
) -> None:
    timeline = paper_edit(rate, df, start="10:00:00:00")
    path = tmp_path / "cut.otio"
    write_otio(timeline, path)
    read = otio.adapters.read_from_file(str(path))
    assert round(read.global_start_time.value) == timeline.start.frames
    clips = [c for c in read.tracks[0].find_clips()
             if isinstance(c.media_reference, otio.schema.ExternalReference)]
    for event, clip in zip(media_events(timeline), clips, strict=True):
        start = round(clip.source_range.start_time.value)
        assert (start, start + round(clip.source_range.duration.value)) == expected_source(event)
    events = read_otio(path)
    assert_matches(timeline, [e for e in events if e.track == "V1"])
    assert str(events[0].record_in) == ("10:00:00;00" if df else "10:00:00:00")
    assert events[0].source_in.drop_frame == df
    sound = [e for e in events if e.track == "A1"]
    assert [e.source_in.frames for e in sound] == [
        e.source_in.frames for e in events if e.track == "V1" and e.file_name == "A001_C003.mov"]


def test_mixed_rates_keep_source_exact_and_record_conformed() -> None:
    seq = F(24)
    pal = media("pal.mov", F(25), Timecode.parse("10:00:00:00", F(25)))
    fast = media("fast.mov", F(60000, 1001), Timecode.parse("00:00:59;58", F(60000, 1001), True))
    # Eleven short 25 fps clips: at their exact source lengths they would drift by a frame.
    events = [Event("clip", 0, 0, pal, i * 10, i * 10 + 10) for i in range(11)]
    timeline = lay_out(seq, Timecode.parse("01:00:00:00", seq), *events,
                       Event("clip", 0, 0, fast, 0, 11))
    read = otio.adapters.read_from_string(
        otio.adapters.write_to_string(to_otio(timeline), "otio_json"), "otio_json")
    clip = read.tracks[0][0]
    assert clip.source_range.start_time.rate == 25
    assert clip.source_range.duration == otio.opentime.RationalTime(10, 24)  # 9.6 conformed
    imported = [e for e in from_otio(read) if e.track == "V1"]
    assert imported[-1].rate == F(60000, 1001)
    assert str(imported[-1].source_out) == "00:01:00;13"
    assert_matches(timeline, imported)


def _mixed_cut() -> Timeline:
    """The reviewer's cut: a 29.97 DF range and a 25 fps range in a 25 fps sequence.

    75 source frames at 30000/1001 (01:00:01;00-01:00:03;15) last 62.56 sequence frames and
    conform to 63, so the second clip starts at record 01:00:02:13 in every format.
    """
    seq, ntsc = F(25), F(30000, 1001)
    df = media("df2997.mp4", ntsc, Timecode.parse("01:00:00;00", ntsc, True))
    pal = media("p25.mp4", seq, Timecode.parse("10:00:00:00", seq))
    return lay_out(seq, Timecode.parse("01:00:00:00", seq),
                   Event("clip", 0, 0, df, 30, 105), Event("clip", 0, 0, pal, 25, 50),
                   name="mixo")


def _on_the_grid(time: otio.opentime.RationalTime, rate: Fraction) -> int:
    """``time`` as whole sequence frames, failing when it is not exactly one."""
    assert time.rate == float(rate)
    assert time.value == int(time.value)
    return int(time.value)


def test_mixed_rate_clips_sit_on_the_sequence_frame_grid(tmp_path: Path) -> None:
    timeline = _mixed_cut()
    assert [(e.record_in, e.duration) for e in timeline.events] == [(0, 63), (63, 25)]
    path = tmp_path / "mixo.otio"
    write_otio(timeline, path)
    read = otio.adapters.read_from_file(str(path))
    assert read.global_start_time == otio.opentime.RationalTime(90000, 25)
    assert _on_the_grid(read.duration(), timeline.rate) == timeline.duration == 88
    for track in read.tracks:
        assert _on_the_grid(track.duration(), timeline.rate) == 88
        for clip, event in zip(track, timeline.events, strict=True):
            placed = clip.range_in_parent()
            assert _on_the_grid(placed.start_time, timeline.rate) == event.record_in
            assert _on_the_grid(placed.duration, timeline.rate) == event.duration
    # The source side keeps its meaning: the exact first frame at the source's own rate, the
    # media's extent unchanged, and the native range beside it.
    first = read.tracks[0][0]
    ntsc = 30000 / 1001
    assert first.source_range.start_time == otio.opentime.RationalTime(107892 + 30, ntsc)
    assert first.media_reference.available_range == otio.opentime.TimeRange(
        otio.opentime.RationalTime(107892, ntsc), otio.opentime.RationalTime(100_000, ntsc))
    assert len(first.effects) == 0  # a conform, not a speed change
    assert first.metadata["rushes"]["source_range"] == {
        "rate": "30000/1001", "start_frame": 107922, "end_frame": 107997,
        "start_timecode": "01:00:01;00", "end_timecode": "01:00:03;15"}
    # Record times agree with the EDL's, and the source frames read back exactly.
    edl = tmp_path / "mixo.edl"
    write_edl(timeline, edl)
    from_edl = [e for e in read_edl(edl, timeline.rate) if e.track == "V"]
    from_file = [e for e in read_otio(path) if e.track == "V1"]
    assert [(str(e.record_in), str(e.record_out)) for e in from_file] == [
        (str(e.record_in), str(e.record_out)) for e in from_edl] == [
        ("01:00:00:00", "01:00:02:13"), ("01:00:02:13", "01:00:03:13")]
    assert [(str(e.source_in), str(e.source_out)) for e in from_file] == [
        ("01:00:01;00", "01:00:03;15"), ("10:00:01:00", "10:00:02:00")]
    assert_matches(timeline, from_file)


@pytest.mark.parametrize(("rate", "df"), EVERY_RATE)
def test_every_mix_of_rates_keeps_every_item_on_the_grid(rate: Fraction, df: bool) -> None:
    """Clips of every rate in a sequence of each rate, with a still, a title and a voice-over:
    OTIO's own positions are the conform's, however the roundings fall."""
    sources = [media(f"s{i}.mov", other, Timecode.parse("10:00:00:00", other))
               for i, (_, other, _df) in enumerate(RATES)]
    events = [Event("clip", 0, 0, source, 7 * n, 7 * n + 13 + n)
              for n, source in enumerate(sources)]
    still = media("still.jpg", rate, Timecode(0, rate), audio=0, kind="image")
    timeline = lay_out(rate, tc("01:00:00;00", rate, df), *events,
                       Event("still", 0, 37, still, 0, 37), *reversed(events),
                       Event("title", 0, 29, text="Title"),
                       Event("voiceover", 0, 31, text="spoken"), *events)
    result = to_otio(timeline)
    assert _on_the_grid(result.global_start_time, rate) == timeline.start.frames
    for track in result.tracks:
        assert _on_the_grid(track.duration(), rate) == timeline.duration
        for n, event in enumerate(timeline.events):
            placed = track.range_of_child_at_index(n)
            assert _on_the_grid(placed.start_time, rate) == event.record_in
            assert _on_the_grid(placed.duration, rate) == event.duration
    assert_matches(timeline, [e for e in from_otio(result) if e.track == "V1"])


def test_otio_adapters_write_the_sequence_rate_and_record_times() -> None:
    """OTIO's own EDL and FCP7 XML writers, which editors' pipelines use on our file.

    Both take the sequence rate from the first track's duration, so a clip left at its source
    rate made them write 29.97 drop-frame record times for a 25 fps cut. OTIO's EDL writer
    counts record from 00:00:00:00 and prints every timecode at the one rate it writes.
    """
    timeline = _mixed_cut()
    result = to_otio(timeline)
    edl = otio.adapters.write_to_string(result, "cmx_3600")
    records = [line.split()[-2:] for line in edl.splitlines() if re.match(r"^\d{3}  ", line)]
    assert records == [["00:00:00:00", "00:00:02:13"], ["00:00:02:13", "00:00:03:13"]]
    xml = ElementTree.fromstring(otio.adapters.write_to_string(result, "fcp_xml"))
    sequence = xml.find(".//sequence")
    assert sequence is not None
    assert sequence.findtext("./rate/timebase") == "25"
    assert sequence.findtext("./duration") == "88"
    assert sequence.findtext("./timecode/string") == "01:00:00:00"
    items = sequence.findall("./media/video/track/clipitem")
    assert [(i.findtext("start"), i.findtext("end")) for i in items] == [("0", "63"), ("63", "88")]
    # The source in point is the exact frame from the media's start, at the source's rate.
    assert (items[0].findtext("in"), items[0].findtext("rate/timebase")) == ("30", "30")


def test_native_range_only_while_it_still_describes_the_clip() -> None:
    """A clip trimmed in another tool, rushes' metadata carried along unchanged, reads from its
    OTIO range; untouched, the exact source frames come back."""
    timeline = _mixed_cut()
    result = to_otio(timeline)
    clip = result.tracks[0][0]
    first = from_otio(result)[0]
    assert (first.source_in.frames, first.source_out.frames) == (107922, 107997)

    ntsc = 30000 / 1001
    clip.source_range = otio.opentime.TimeRange(  # trimmed by 12 source frames at its head
        otio.opentime.RationalTime(107934, ntsc), otio.opentime.RationalTime(53, 25))
    trimmed = from_otio(result)[0]
    assert (trimmed.source_in.frames, trimmed.record_out.frames - trimmed.record_in.frames) == (
        107934, 53)
    assert trimmed.source_out.frames == 107934 + 64  # 53 frames at 25 are 63.6 at 29.97

    del clip.metadata["rushes"]["source_range"]  # e.g. an older export: the OTIO range
    clip.source_range = otio.opentime.TimeRange(
        otio.opentime.RationalTime(107922, ntsc), otio.opentime.RationalTime(75, ntsc))
    older = from_otio(result)[0]
    assert (older.source_in.frames, older.source_out.frames) == (107922, 107997)


def test_reads_what_otio_adapters_write_for_other_tools(tmp_path: Path) -> None:
    """An OTIO timeline from elsewhere: no rushes metadata, a window on the track."""
    rate = 25.0
    tl = otio.schema.Timeline(name="Editor",
                              global_start_time=otio.opentime.RationalTime(90000, rate))
    track = otio.schema.Track(name="Main", kind=otio.schema.TrackKind.Video)
    ref = otio.schema.ExternalReference(target_url="file:///Volumes/X/My%20Clip.MXF")
    track.append(otio.schema.Clip(name="My Clip", media_reference=ref,
                                  source_range=otio.opentime.TimeRange(
                                      otio.opentime.RationalTime(100, rate),
                                      otio.opentime.RationalTime(50, rate))))
    track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(
        duration=otio.opentime.RationalTime(25, rate))))
    track.append(otio.schema.Clip(name="Black", media_reference=otio.schema.GeneratorReference(
        generator_kind="black"), source_range=otio.opentime.TimeRange(
        duration=otio.opentime.RationalTime(25, rate))))
    offline = otio.schema.Clip(name="Offline shot", source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(7, rate), otio.opentime.RationalTime(5, rate)))
    offline.metadata["cmx_3600"] = {"reel": "TAPE7"}
    track.append(offline)
    tl.tracks.append(track)
    events = from_otio(tl)
    assert [(e.track, e.clip_name, e.file_name, e.reel) for e in events] == [
        ("Main", "My Clip", "My Clip.MXF", None), ("Main", "Offline shot", None, "TAPE7")]
    assert [str(e.record_in) for e in events] == ["01:00:00:00", "01:00:04:00"]
    assert [(e.source_in.frames, e.frames) for e in events] == [(100, 50), (7, 5)]


def test_otioz_without_media_keeps_links_to_the_originals(tmp_path: Path) -> None:
    timeline = paper_edit(F(25), False)
    path = tmp_path / "cut.otioz"
    write_otioz(timeline, path)
    with zipfile.ZipFile(path) as bundle:
        assert sorted(bundle.namelist()) == ["content.otio", "version.txt"]
        content = json.loads(bundle.read("content.otio"))
    assert content["OTIO_SCHEMA"].startswith("Timeline")
    read = otio.adapters.read_from_file(str(path))
    urls = {c.media_reference.target_url for c in read.find_clips()
            if isinstance(c.media_reference, otio.schema.ExternalReference)}
    assert "file:///media/card%2001/A001_C003.mov" in urls
    assert_matches(timeline, [e for e in read_otio(path) if e.track == "V1"])


def _real_sources(folder: Path, timeline: Timeline) -> Timeline:
    """The same cut with its sources pointing at small real files (bundling copies bytes)."""
    moved = []
    for event in timeline.events:
        if event.source is not None:
            target = folder / Path(event.source.path).name
            target.write_bytes(b"media bytes of " + target.name.encode())
            event = replace(event, source=replace(event.source, path=str(target)))
        moved.append(event)
    return replace(timeline, events=tuple(moved))


def test_otioz_with_media_bundles_the_files(tmp_path: Path) -> None:
    (tmp_path / "card").mkdir()
    timeline = _real_sources(tmp_path / "card", paper_edit(F(25), False))
    path = tmp_path / "cut.otioz"
    path.write_bytes(b"an older bundle")  # replaced whole, although OTIO will not overwrite
    write_otioz(timeline, path, media=True)
    with zipfile.ZipFile(path) as bundle:
        names = set(bundle.namelist())
        assert {"media/A001_C003.mov", "media/B002_C011.mov", "media/dad 1987.jpg"} <= names
        assert bundle.read("media/A001_C003.mov") == b"media bytes of A001_C003.mov"
    read = otio.adapters.read_from_file(str(path))
    urls = {c.media_reference.target_url for c in read.find_clips()
            if isinstance(c.media_reference, otio.schema.ExternalReference)}
    assert urls == {"media/A001_C003.mov", "media/B002_C011.mov", "media/dad 1987.jpg"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card", "cut.otioz"]


def test_otioz_with_media_refuses_missing_files_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"A001_C003\.mov is not a file on disk"):
        write_otioz(paper_edit(F(25), False), tmp_path / "cut.otioz", media=True)
    assert list(tmp_path.iterdir()) == []


def test_otioz_with_media_names_apart_two_files_of_one_name(tmp_path: Path) -> None:
    """Cameras restart at C0001 on every card: OTIO's adapter refuses such a bundle, ours names
    the copies after their folders and keeps where each came from."""
    for card in ("c1", "c2"):
        (tmp_path / card).mkdir()
        (tmp_path / card / "clip.mov").write_bytes(card.encode())
    rate = F(25)
    one = replace(media("clip.mov", rate, Timecode(0, rate)), path=str(tmp_path / "c1/clip.mov"))
    two = replace(one, asset_id="two", path=str(tmp_path / "c2/clip.mov"))
    timeline = lay_out(rate, Timecode(0, rate), Event("clip", 0, 0, one, 0, 5),
                       Event("clip", 0, 0, two, 0, 5))
    write_otioz(timeline, tmp_path / "cut.otioz", media=True)
    with zipfile.ZipFile(tmp_path / "cut.otioz") as z:
        assert z.read("media/c1_clip.mov") == b"c1" and z.read("media/c2_clip.mov") == b"c2"
    events = read_otio(tmp_path / "cut.otioz")
    assert [e.file_path for e in events if e.track.startswith("V")] == [
        file_url(str(tmp_path / "c1/clip.mov")), file_url(str(tmp_path / "c2/clip.mov"))]


def test_bundle_names_keep_unique_names_and_tell_clashes_apart() -> None:
    assert bundle_names(["/m/cardA/C0001.MP4", "/m/cardB/C0001.MP4", "/m/x.mov"]) == {
        "/m/cardA/C0001.MP4": "cardA_C0001.MP4", "/m/cardB/C0001.MP4": "cardB_C0001.MP4",
        "/m/x.mov": "x.mov"}
    # Folders that agree are climbed past; a made name that is another file's own is numbered.
    assert bundle_names(["/a/card/C1.MP4", "/b/card/C1.MP4", "/t/a_card_C1.MP4"]) == {
        "/a/card/C1.MP4": "a_card_C1_2.MP4", "/b/card/C1.MP4": "b_card_C1.MP4",
        "/t/a_card_C1.MP4": "a_card_C1.MP4"}
    # Names that differ only in case clash on the file systems editors unpack to.
    names = bundle_names(["/a/CardA/C1.MP4", "/a/carda/c1.mp4"])
    assert len({n.casefold() for n in names.values()}) == 2


def test_file_urls() -> None:
    assert file_url("/a b/Día.mov") == "file:///a%20b/D%C3%ADa.mov"
    assert file_name_from_url("file:///a%20b/D%C3%ADa.mov") == "Día.mov"
    assert file_name_from_url("file://localhost/D:/Rushes/A%201.mov") == "A 1.mov"
    assert file_name_from_url("C:\\Rushes\\B.mov") == "B.mov"
    assert file_name_from_url("media/x.mov") == "x.mov"
