"""FCP7 XML: rate/ntsc, drop-frame display, start timecodes and exact frames, read back by us and
by OTIO's FCP7 adapter."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from rushes.domain.timecode import Timecode, nominal_fps
from rushes.edit.formats.fcp7 import fcp7_text, pathurl, read_fcp7, write_fcp7
from rushes.edit.otio_convert import from_otio
from rushes.edit.timeline import Event, Timeline
from rushes.errors import UsageError
from tests.edit.paper_edits import (
    EVERY_RATE,
    F,
    assert_matches,
    expected_source,
    lay_out,
    media,
    media_events,
    paper_edit,
)


def rate_of(element: ET.Element) -> tuple[str | None, str | None]:
    return element.findtext("rate/timebase"), element.findtext("rate/ntsc")


@pytest.mark.parametrize(("rate", "df"), EVERY_RATE)
def test_every_rate_writes_rate_timecode_and_reads_back_exactly(
    tmp_path: Path, rate: Fraction, df: bool
) -> None:
    timeline = paper_edit(rate, df)
    path = tmp_path / "cut.xml"
    write_fcp7(timeline, path)
    root = ET.parse(path).getroot()
    assert root.tag == "xmeml" and root.get("version") == "4"
    sequence = root.find("sequence")
    assert sequence is not None
    ntsc = "TRUE" if rate.denominator == 1001 else "FALSE"
    assert rate_of(sequence) == (str(nominal_fps(rate)), ntsc)
    assert sequence.findtext("timecode/string") == ("01:00:00;00" if df else "01:00:00:00")
    assert sequence.findtext("timecode/frame") == str(timeline.start.frames)
    assert sequence.findtext("timecode/displayformat") == ("DF" if df else "NDF")
    assert sequence.findtext("duration") == str(timeline.duration)
    files = {f.findtext("name"): f for f in root.iter("file") if len(f)}
    interview = files["A001_C003.mov"]
    assert interview.findtext("pathurl") == "file://localhost/media/card%2001/A001_C003.mov"
    assert interview.findtext("timecode/string") == ("10:00:00;00" if df else "10:00:00:00")
    assert interview.findtext("timecode/displayformat") == ("DF" if df else "NDF")
    assert interview.findtext("timecode/reel/name") == "A001C003"
    assert rate_of(interview) == (str(nominal_fps(rate)), ntsc)
    assert interview.findtext("media/audio/channelcount") == "2"
    assert files["B002_C011.mov"].find("media/audio") is None

    mine = [e for e in read_fcp7(path) if e.track == "V1"]
    assert_matches(timeline, mine)
    assert mine[0].reel == "A001C003" and mine[0].file_name == "A001_C003.mov"
    assert mine[0].clip_name == "Anna on the flood"
    assert str(mine[1].source_in).startswith("14:23:59")


@pytest.mark.parametrize(("rate", "df"), EVERY_RATE)
def test_every_rate_reads_back_through_otio(rate: Fraction, df: bool) -> None:
    timeline = paper_edit(rate, df)
    read = otio.adapters.read_from_string(fcp7_text(timeline), "fcp_xml")
    assert round(read.global_start_time.value) == timeline.start.frames
    video = next(t for t in read.tracks if t.kind == otio.schema.TrackKind.Video)
    clips = [c for c in video.find_clips()
             if isinstance(c.media_reference, otio.schema.ExternalReference)]
    expected = media_events(timeline)
    assert len(clips) == len(expected)
    for event, clip in zip(expected, clips, strict=True):
        start = round(clip.source_range.start_time.value)
        assert (start, start + round(clip.source_range.duration.value)) == expected_source(event)
        assert round(video.range_of_child(clip).start_time.value) == event.record_in
    titles = [c for c in video.find_clips()
              if isinstance(c.media_reference, otio.schema.GeneratorReference)]
    assert [c.media_reference.generator_kind for c in titles] == ["Text"]
    # And the same through from_otio, which reads what OTIO's adapter put where.
    assert_matches(timeline, [e for e in from_otio(read) if e.track == "V1"])


def test_sound_is_linked_to_picture_on_two_tracks() -> None:
    root = ET.fromstring(fcp7_text(paper_edit(F(25), False)).split("\n", 2)[2])
    audio_tracks = root.findall("sequence/media/audio/track")
    assert len(audio_tracks) == 2
    assert [t.findtext("outputchannelindex") for t in audio_tracks] == ["1", "2"]
    first_picture = root.find("sequence/media/video/track/clipitem")
    assert first_picture is not None
    links = [link.findtext("linkclipref") for link in first_picture.findall("link")]
    first_sounds = [t.find("clipitem") for t in audio_tracks]
    assert links == [first_picture.get("id")] + [c.get("id") for c in first_sounds if c is not None]
    # B has no sound: its clip has no links and no audio clipitems.
    assert sum(1 for t in audio_tracks for _ in t.iter("clipitem")) == 4


def test_titles_voiceover_and_notes() -> None:
    timeline = paper_edit(F(25), False)
    with_notes = Timeline(timeline.name, timeline.rate, timeline.start, timeline.events,
                          notes=("Second assembly",))
    root = ET.fromstring(fcp7_text(with_notes).split("\n", 2)[2])
    generator = root.find("sequence/media/video/track/generatoritem")
    assert generator is not None
    assert generator.findtext("effect/effectid") == "Text"
    assert generator.findtext("effect/parameter/value") == "The river\n1987"
    title = next(e for e in timeline.events if e.kind == "title")
    assert generator.findtext("start") == str(title.record_in)
    assert generator.findtext("end") == str(title.record_out)
    markers = {m.findtext("name"): m for m in root.findall("sequence/marker")}
    voice = next(e for e in timeline.events if e.kind == "voiceover")
    assert markers["VO"].findtext("comment") == "He left in the spring."
    assert (markers["VO"].findtext("in"), markers["VO"].findtext("out")) == (
        str(voice.record_in), str(voice.record_out))
    note = next(e for e in timeline.events if e.kind == "note")
    notes = [m for m in root.findall("sequence/marker") if m.findtext("name") == "Note"]
    assert [(m.findtext("comment"), m.findtext("in")) for m in notes] == [
        ("Second assembly", "0"), ("music comes in here", str(note.record_in))]


def test_each_file_is_written_once_and_referred_to_by_id() -> None:
    root = ET.fromstring(fcp7_text(paper_edit(F(24), False)).split("\n", 2)[2])
    full = [f for f in root.iter("file") if len(f)]
    refs = [f for f in root.iter("file") if not len(f)]
    assert sorted(f.findtext("name") or "" for f in full) == [
        "A001_C003.mov", "B002_C011.mov", "dad 1987.jpg"]
    assert {f.get("id") for f in refs} <= {f.get("id") for f in full}
    assert len({f.get("id") for f in full}) == 3


def test_mixed_rates_keep_clip_rate_and_exact_frames(tmp_path: Path) -> None:
    seq = F(30000, 1001)
    pal = media("pal.mov", F(25), Timecode.parse("10:00:00:00", F(25)))
    film = media("film.mov", F(24000, 1001), Timecode.parse("01:02:03:04", F(24000, 1001)))
    fast = media("fast.mov", F(60000, 1001), Timecode.parse("00:00:59;58", F(60000, 1001), True))
    timeline = lay_out(seq, Timecode.parse("01:00:00;00", seq, True),
                       Event("clip", 0, 0, pal, 24, 75), Event("clip", 0, 0, film, 3, 40),
                       Event("clip", 0, 0, fast, 0, 11))
    path = tmp_path / "mixed.xml"
    write_fcp7(timeline, path)
    root = ET.parse(path).getroot()
    clip = root.find("sequence/media/video/track/clipitem")
    assert clip is not None
    assert rate_of(clip) == ("25", "FALSE")
    assert (clip.findtext("in"), clip.findtext("out")) == ("24", "75")
    assert (clip.findtext("start"), clip.findtext("end")) == ("0", "61")  # 51 × 30/25 ≈ 61.1
    imported = [e for e in read_fcp7(path) if e.track == "V1"]
    assert [e.rate for e in imported] == [F(25), F(24000, 1001), F(60000, 1001)]
    assert str(imported[2].source_out) == "00:01:00;13"
    assert_matches(timeline, imported)


def test_paths_are_percent_encoded_file_urls() -> None:
    assert pathurl("/Volumes/Rushes/Día 2/A 1.mov") == (
        "file://localhost/Volumes/Rushes/D%C3%ADa%202/A%201.mov")


def test_a_rate_fcp7_cannot_say_is_refused(tmp_path: Path) -> None:
    rate = F(25, 2)
    odd = lay_out(rate, Timecode(0, rate),
                  Event("clip", 0, 0, media("a.mov", rate, Timecode(0, rate)), 0, 10))
    with pytest.raises(UsageError, match=r"cannot express a rate of 12\.5"):
        write_fcp7(odd, tmp_path / "odd.xml")
    assert list(tmp_path.iterdir()) == []


def test_control_characters_in_names_and_scripts_keep_the_xml_well_formed(
    tmp_path: Path,
) -> None:
    # A vertical tab or form feed pasted into a script is legal Python text but not XML 1.0:
    # written raw, Premiere and Resolve refuse the whole file.
    timeline = paper_edit(F(25), False)
    events = list(timeline.events)
    events[4] = Event("title", events[4].record_in, events[4].duration,
                      text="The river\x0b1987\x0c")
    dirty = Timeline("River\x01 cut", timeline.rate, timeline.start, tuple(events))
    path = tmp_path / "cut.xml"
    write_fcp7(dirty, path)
    root = ET.parse(path).getroot()
    assert root.findtext("sequence/name") == "River cut"
    assert root.findtext(".//generatoritem/effect/parameter/value") == "The river1987"
    assert_matches(dirty, [e for e in read_fcp7(path) if e.track == "V1"])
