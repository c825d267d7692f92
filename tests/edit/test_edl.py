"""CMX3600 EDLs: exact source and record timecodes at every rate, read back by us and by OTIO."""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from rushes.domain.timecode import Timecode, day_frames
from rushes.edit.formats.edl import edl_text, read_edl, write_edl
from rushes.edit.otio_convert import from_otio
from rushes.edit.timeline import Event, ImportedEvent, Timeline
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


@pytest.mark.parametrize(("rate", "df"), EVERY_RATE)
def test_every_rate_reads_back_exactly(tmp_path: Path, rate: Fraction, df: bool) -> None:
    timeline = paper_edit(rate, df)
    path = tmp_path / "cut.edl"
    write_edl(timeline, path)
    text = path.read_text()

    assert text.startswith("TITLE: River cut\n")
    assert f"FCM: {'DROP FRAME' if df else 'NON-DROP FRAME'}\n" in text
    event_lines = [line for line in text.splitlines() if re.match(r"^\d{3}  ", line)]
    assert len(event_lines) == 6  # two clips, still, title, voice-over, last clip
    first = event_lines[0].split()
    assert first[-2] == ("01:00:00;00" if df else "01:00:00:00")
    assert first[4] == str(timeline.events[0].source.timecode(17))  # type: ignore[union-attr]
    assert first[4].startswith("10:00:00") and (";" in first[4]) == df
    # Every timecode on a drop-frame list uses ';', none on a non-drop one.
    stamps = [s for line in event_lines for s in line.split()[-2:]]
    assert all((";" in s) == df for s in stamps)

    mine = [e for e in read_edl(path, rate) if e.track == "V"]
    assert_matches(timeline, mine)
    assert mine[0].reel == "A001C003"
    assert mine[0].clip_name == "A001_C003.mov" and mine[0].file_name == "A001_C003.mov"


@pytest.mark.parametrize(("rate", "df"), EVERY_RATE)
def test_every_rate_reads_back_through_otio(rate: Fraction, df: bool) -> None:
    timeline = paper_edit(rate, df)
    read = otio.adapters.read_from_string(edl_text(timeline), "cmx_3600", rate=float(rate))
    video = next(t for t in read.tracks if t.kind == otio.schema.TrackKind.Video)
    # OTIO keeps the first record frame as the track's (negative) window start.
    record_start = -round(video.source_range.start_time.value)
    clips = [c for c in video.find_clips()
             if not isinstance(c.media_reference, otio.schema.GeneratorReference)]
    expected = media_events(timeline)
    assert len(clips) == len(expected)
    for event, clip in zip(expected, clips, strict=True):
        start = round(clip.source_range.start_time.value)
        assert (start, start + round(clip.source_range.duration.value)) == expected_source(event)
        assert record_start + round(video.range_of_child(clip).start_time.value) == (
            timeline.start.frames + event.record_in
        )
        assert clip.metadata["cmx_3600"]["reel"] == _reel_of(event)
    generators = [c for c in video.find_clips()
                  if isinstance(c.media_reference, otio.schema.GeneratorReference)]
    assert [c.media_reference.generator_kind for c in generators] == ["black", "black"]
    # from_otio finds the record start in the track's window and the file in our comment.
    events = [e for e in from_otio(read, rate) if e.track == "V"]
    assert [(e.source_in.frames, e.source_out.frames) for e in events] == [
        expected_source(e) for e in expected]
    assert [e.record_in.frames for e in events] == [
        timeline.start.frames + e.record_in for e in expected]
    assert events[0].file_name == "A001_C003.mov" and events[0].reel == "A001C003"


def _reel_of(event: Event) -> str:
    assert event.source is not None
    return event.source.reel


def test_record_start_and_embedded_source_timecodes_are_honoured(tmp_path: Path) -> None:
    rate = F(25)
    timeline = paper_edit(rate, False, start="00:59:50:00")
    text = edl_text(timeline)
    first = next(line for line in text.splitlines() if line.startswith("001"))
    assert first.split()[4:] == ["10:00:00:17", "10:00:05:15", "00:59:50:00", "00:59:54:23"]
    second = next(line for line in text.splitlines() if line.startswith("002"))
    # B starts at 14:23:11:02; in = 48 s 20 f later, 3 s long.
    assert second.split()[4:6] == ["14:23:59:22", "14:24:02:22"]


def test_drop_frame_labels_skip_at_the_minute() -> None:
    rate = F(30000, 1001)
    text = edl_text(paper_edit(rate, True))
    second = next(line for line in text.splitlines() if line.startswith("002"))
    # In: 14:23:11;02 + 1460 frames. Out, 90 frames on, crosses 14:24:00, where ;00 and ;01
    # do not exist: 8 frames reach 14:24:00;02, 82 more make 2 s 22 f.
    assert second.split()[4:6] == ["14:23:59;22", "14:24:02;24"]


def test_stills_titles_voiceover_and_notes(tmp_path: Path) -> None:
    timeline = paper_edit(F(25), False)
    text = edl_text(timeline)
    blocks = text.split("\n\n")
    still = next(b for b in blocks if b.startswith("003"))
    assert still.split("\n")[0].split()[1:3] == ["DAD1987", "V"]
    assert "* FROM CLIP NAME: dad 1987.jpg" in still
    assert "* SOURCE FILE: /media/card 01/dad 1987.jpg" in still
    title = next(b for b in blocks if b.startswith("004"))
    assert title.split("\n")[0].split()[1:3] == ["BL", "V"]
    assert "* TITLE: The river / 1987" in title
    # The note sits where the title starts (after 123 + 75 + 50 frames).
    assert "* LOC: 01:00:09:23 YELLOW  music comes in here" in title
    voice = next(b for b in blocks if b.startswith("005"))
    assert voice.split("\n")[0].split()[1] == "BL"
    assert "* VOICE-OVER: He left in the spring." in voice
    first = next(b for b in blocks if b.startswith("001"))
    assert first.split("\n")[0].split()[2] == "AA/V"
    assert "* COMMENT: Anna on the flood" in first
    # Black and placeholders are not media: the reader leaves them out.
    assert all(e.reel != "BL" for e in read_edl_text(text, F(25), tmp_path))


def read_edl_text(text: str, rate: Fraction, folder: Path) -> list[ImportedEvent]:
    path = folder / "read.edl"
    path.write_text(text)
    return read_edl(path, rate)


def test_reel_name_collision_is_resolved(tmp_path: Path) -> None:
    rate = F(25)
    one = media("A001_C003.mov", rate, Timecode(0, rate), reel="A001C003")
    two = replace(one, asset_id="other", path="/media/card 02/A001_C003.mov")
    black = media("bl.mov", rate, Timecode(0, rate), reel="BL")
    timeline = lay_out(rate, Timecode.parse("01:00:00:00", rate),
                       Event("clip", 0, 0, one, 0, 25), Event("clip", 0, 0, two, 0, 25),
                       Event("clip", 0, 0, one, 50, 75), Event("clip", 0, 0, black, 0, 25))
    reels = [line.split()[1] for line in edl_text(timeline).splitlines()
             if re.match(r"^\d{3} ", line)]
    assert reels[0] == reels[2] == "A001C003"
    assert reels[1] != reels[0] and len(reels[1]) <= 8
    assert reels[3] not in {"BL", "BLACK", "AX"}  # a file never takes a special reel
    imported = [e for e in read_edl_text(edl_text(timeline), rate, tmp_path) if e.track == "V"]
    assert [e.file_name for e in imported[:2]] == ["A001_C003.mov", "A001_C003.mov"]
    assert imported[0].reel != imported[1].reel


def test_premiere_variant_uses_ax_reels_and_file_names(tmp_path: Path) -> None:
    rate = F(24000, 1001)
    four = media("Zoom F8 take 3.wav", rate, Timecode(0, rate), video=False, audio=4,
                 kind="audio")
    named = replace(media("A001_C003.mov", rate, Timecode(0, rate)), name="Interview Anna")
    timeline = lay_out(rate, Timecode.parse("01:00:00:00", rate),
                       Event("clip", 0, 0, named, 0, 48), Event("clip", 0, 0, four, 0, 48),
                       Event("title", 0, 24, text="Intro"))
    text = edl_text(timeline, "premiere")
    lines = text.splitlines()
    events = [line.split() for line in lines if re.match(r"^\d{3} ", line)]
    assert [(e[1], e[2]) for e in events] == [("AX", "AA/V"), ("AX", "AA"), ("BL", "V")]
    assert "* FROM CLIP NAME: A001_C003.mov" in lines  # the file's name, not the display name
    assert "* FROM CLIP NAME: Zoom F8 take 3.wav" in lines
    assert lines[lines.index(next(x for x in lines if x.startswith("002"))) + 1] == "AUD  3    4"
    standard = edl_text(timeline)
    assert "* FROM CLIP NAME: Interview Anna" in standard.splitlines()
    imported = read_edl_text(text, rate, tmp_path)
    assert {e.track for e in imported if e.index == 2} == {"A1", "A2", "A3", "A4"}
    assert all(e.reel is None for e in imported)  # AX names no reel


def _event_fields(text: str, number: str) -> list[str]:
    return next(line for line in text.splitlines() if line.startswith(number + " ")).split()


def _otio_media_clips(text: str, rate: Fraction) -> list[otio.schema.Clip]:
    """The media clips of the list as OpenTimelineIO's reference CMX3600 reader reads it at the
    sequence rate, which raises on a label the rate cannot have or a source length that is not
    the record length."""
    read = otio.adapters.read_from_string(text, "cmx_3600", rate=float(rate))
    video = next(t for t in read.tracks if t.kind == otio.schema.TrackKind.Video)
    return [c for c in video.find_clips()
            if not isinstance(c.media_reference, otio.schema.GeneratorReference)]


def test_mixed_rates_restate_the_source_at_the_sequence_rate(tmp_path: Path) -> None:
    seq = F(24)
    pal = media("pal.mov", F(25), Timecode.parse("10:00:00:00", F(25)))
    ntsc = media("ntsc.mov", F(30000, 1001), Timecode.parse("14:23:11;02", F(30000, 1001)))
    fast = media("fast.mov", F(60000, 1001), Timecode.parse("00:00:59;58", F(60000, 1001), True))
    timeline = lay_out(seq, Timecode.parse("01:00:00:00", seq),
                       Event("clip", 0, 0, pal, 24, 24 + 51),
                       Event("clip", 0, 0, ntsc, 5, 5 + 37),
                       Event("clip", 0, 0, fast, 0, 11))
    path = tmp_path / "mixed.edl"
    write_edl(timeline, path)
    text = path.read_text()
    # 10:00:00:24 exists only at 25 fps: frame 24 of 25 is frame 23 of 24, and the source
    # length is the record length (51 frames at 25 → 49 at 24).
    assert _event_fields(text, "001")[4:] == [
        "10:00:00:23", "10:00:03:00", "01:00:00:00", "01:00:02:01"]
    assert "* SOURCE RATE: 25\n* SOURCE TC: 10:00:00:24 10:00:03:00" in text
    assert "* SOURCE RATE: 29.97\n* SOURCE TC: 14:23:11;07 14:23:12;14" in text
    # 59.94 DF 00:00:59;58 → frame 58 of 60 is 23 of 24; 11 frames make 4 at 24
    assert _event_fields(text, "003")[4:6] == ["00:00:59:23", "00:01:00:03"]
    assert "* SOURCE RATE: 59.94\n* SOURCE TC: 00:00:59;58 00:01:00;13" in text
    assert "M2" not in text  # the clips play at their own speed
    # rushes reads the exact ranges back from the comments ...
    imported = [e for e in read_edl(path, seq) if e.track == "V"]
    assert [e.rate for e in imported] == [F(25), F(30000, 1001), F(60000, 1001)]
    assert_matches(timeline, imported)
    # ... and OpenTimelineIO reads the list at 24 with every record range unchanged.
    clips = _otio_media_clips(text, seq)
    assert [round(c.source_range.duration.value) for c in clips] == [
        e.duration for e in media_events(timeline)]


@pytest.mark.parametrize(
    ("seq", "seq_df", "start", "clips", "lines"),
    [
        # a 25 fps cut holding a 29.97 DF clip (01:00:01;00-01:00:03;15) and a 50p clip whose
        # labels reach frame 25 and beyond
        (F(25), False, "01:00:00:00",
         [(F(30000, 1001), "01:00:00;00", True, 30, 105), (F(50), "12:00:00:00", False, 125, 175)],
         [["01:00:01:00", "01:00:03:13", "01:00:00:00", "01:00:02:13"],
          ["12:00:02:12", "12:00:03:12", "01:00:02:13", "01:00:03:13"]]),
        # a 25p clip in a 29.97 DF cut: 60 frames at 25 are 72 at 29.97 (2.4 s), not 74
        (F(30000, 1001), True, "01:00:00;00",
         [(F(25), "10:00:00:00", False, 37, 97)],
         [["10:00:01;14", "10:00:03;26", "01:00:00;00", "01:00:02;12"]]),
    ],
)
def test_mixed_rate_lists_read_through_otio_at_the_sequence_rate(
    tmp_path: Path, seq: Fraction, seq_df: bool, start: str,
    clips: list[tuple[Fraction, str, bool, int, int]], lines: list[list[str]],
) -> None:
    events = []
    for n, (rate, tc_text, df, s_in, s_out) in enumerate(clips):
        source = media(f"clip{n}.mov", rate, Timecode.parse(tc_text, rate, df))
        events.append(Event("clip", 0, 0, source, s_in, s_out))
    timeline = lay_out(seq, Timecode.parse(start, seq, seq_df), *events)
    text = edl_text(timeline)
    assert [_event_fields(text, f"{n:03d}")[4:] for n in range(1, len(lines) + 1)] == lines
    read = _otio_media_clips(text, seq)  # raised before: ';' at 25, frame 25, 72 != 74
    expected = media_events(timeline)
    assert [round(c.source_range.duration.value) for c in read] == [e.duration for e in expected]
    assert_matches(timeline, [e for e in read_edl_text(text, seq, tmp_path) if e.track == "V"])


def test_a_list_across_midnight_wraps_to_00_and_reads_back(tmp_path: Path) -> None:
    rate = F(25)
    late = media("midnight.mp4", rate, Timecode.parse("23:59:59:00", rate), audio=0)
    timeline = lay_out(rate, Timecode.parse("23:59:59:00", rate),
                       Event("clip", 0, 0, late, 12, 75), Event("clip", 0, 0, late, 100, 110))
    text = edl_text(timeline)
    assert "24:" not in text
    assert _event_fields(text, "001")[4:] == [
        "23:59:59:12", "00:00:02:00", "23:59:59:00", "00:00:01:13"]
    assert _event_fields(text, "002")[4:] == [
        "00:00:03:00", "00:00:03:10", "00:00:01:13", "00:00:01:23"]
    imported = read_edl_text(text, rate, tmp_path)
    assert [e.frames for e in imported] == [63, 10]  # not a negative range
    day = day_frames(rate)
    for event, got in zip(media_events(timeline), imported, strict=True):
        # a label names a frame of the 24-hour clock: the same frame of the day
        source_in, source_out = expected_source(event)
        assert got.source_in.frames == source_in % day
        assert got.source_out.frames - got.source_in.frames == source_out - source_in
        assert got.record_in.frames == (timeline.start.frames + event.record_in) % day
        assert got.record_out.frames - got.record_in.frames == event.duration


def test_notes_of_a_cut_and_a_note_only_list() -> None:
    rate = F(25)
    a = media("a.mov", rate, Timecode(0, rate))
    base = lay_out(rate, Timecode.parse("01:00:00:00", rate), Event("clip", 0, 0, a, 0, 25),
                   Event("note", 0, 0, text="end note"))
    with_notes = Timeline(base.name, base.rate, base.start, base.events, notes=("Rough cut 2",))
    text = edl_text(with_notes)
    assert "* NOTE: Rough cut 2" in text
    assert "* LOC: 01:00:01:00 YELLOW  end note" in text  # after the last event, on it
    only = Timeline("Notes", rate, base.start, (Event("note", 0, 0, text="nothing yet"),))
    assert "* LOC: 01:00:00:00 YELLOW  nothing yet" in edl_text(only)


def test_past_999_events_numbers_wrap_to_001_in_three_digits(tmp_path: Path) -> None:
    rate = F(25)
    a = media("a.mov", rate, Timecode(0, rate))
    timeline = lay_out(rate, Timecode.parse("01:00:00:00", rate),
                       *[Event("clip", 0, 0, a, i, i + 1) for i in range(1001)])
    text = edl_text(timeline)
    lines = [line for line in text.splitlines() if line[:1].isdigit()]
    # CMX3600 event numbers are a three-digit column: 999 is followed by 001 again, and every
    # line keeps the reel at column 6 and the source in at column 30 (pycmx, a column reader,
    # wants two spaces after the number).
    assert [line[:5] for line in lines[997:]] == ["998  ", "999  ", "001  ", "002  "]
    assert all(re.match(r"^\d{3}  \S", line) for line in lines)
    assert {line.index("A      ") for line in lines} == {5}
    assert {re.search(r"\d\d:\d\d:", line).start() for line in lines} == {29}  # type: ignore[union-attr]
    imported = read_edl_text(text, rate, tmp_path)
    assert len(imported) == 3003  # V, A1, A2 each
    assert_matches(timeline, [e for e in imported if e.track == "V"])
    read = otio.adapters.read_from_string(text, "cmx_3600", rate=25)
    video = next(t for t in read.tracks if t.kind == otio.schema.TrackKind.Video)
    assert len(video.find_clips()) == 1001
    assert round(video.duration().value) == 1001


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("Rough cut — «Café» 東京", 'Rough cut - "Cafe"'),
        ("Ōtsuka’s ﬁlm…\tpart 2", "Otsuka's film... part 2"),
        ("東京", "Untitled"),
        ("A" * 80 + " the end", "A" * 70),
        ("x" * 69 + " é", "x" * 69),
    ],
)
def test_title_is_ascii_and_at_most_70_characters(tmp_path: Path, name: str, title: str) -> None:
    timeline = replace(paper_edit(F(25), False), name=name)
    path = tmp_path / "cut.edl"
    write_edl(timeline, path)
    first = path.read_bytes().split(b"\n")[0]
    assert first == f"TITLE: {title}".encode("ascii")
    assert len(first) <= len("TITLE: ") + 70
    # the name survives where a reader looks for it; OpenTimelineIO reads the list
    read = otio.adapters.read_from_string(path.read_text(), "cmx_3600", rate=25)
    assert read.name == title


def test_clip_name_comments_keep_their_utf8_text(tmp_path: Path) -> None:
    rate = F(25)
    named = media("Café 東京.mov", rate, Timecode(0, rate))
    timeline = lay_out(rate, Timecode.parse("01:00:00:00", rate),
                       Event("clip", 0, 0, named, 0, 25), name="Café")
    path = tmp_path / "cut.edl"
    write_edl(timeline, path)
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("TITLE: Cafe\n")
    assert "* FROM CLIP NAME: Café 東京.mov" in text
    assert read_edl(path, rate)[0].clip_name == "Café 東京.mov"


def test_write_replaces_a_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "cut.edl"
    path.write_text("old contents that are longer than nothing\n" * 100)
    write_edl(paper_edit(F(25), False), path)
    assert path.read_text().startswith("TITLE: River cut")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.edl"]
    with pytest.raises(UsageError, match="variant"):
        write_edl(paper_edit(F(25), False), tmp_path / "x.edl", variant="avid")  # type: ignore[arg-type]
    assert not (tmp_path / "x.edl").exists()
