"""Reading editors' timelines back: every format by suffix, files from other tools, bad files."""

from __future__ import annotations

import sys
import types
import zipfile
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from rushes.domain.timecode import Timecode
from rushes.edit.formats.edl import write_edl
from rushes.edit.formats.fcp7 import write_fcp7
from rushes.edit.formats.otio_file import write_otio, write_otioz
from rushes.edit.importers import read_timeline_file
from rushes.edit.timeline import ImportedEvent
from rushes.errors import UsageError
from tests.edit.paper_edits import F, assert_matches, paper_edit

NTSC = F(30000, 1001)


def test_every_written_format_reads_back_the_same(tmp_path: Path) -> None:
    timeline = paper_edit(NTSC, True, start="00:59:58;00")
    writers = {"cut.edl": write_edl, "cut.xml": write_fcp7, "cut.otio": write_otio,
               "cut.otioz": write_otioz}
    picture: dict[str, list[tuple[int, int, int, str | None]]] = {}
    for name, write in writers.items():
        write(timeline, tmp_path / name)
        events = read_timeline_file(tmp_path / name)  # drop-frame EDLs need no rate
        video = [e for e in events if e.track in {"V", "V1"}]
        assert_matches(timeline, video)
        picture[name] = [(e.source_in.frames, e.source_out.frames, e.record_in.frames,
                          e.file_name) for e in video]
    assert len({tuple(v) for v in picture.values()}) == 1


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


AVID_EDL = """TITLE: REEL ONE
FCM: DROP FRAME

001  A001     V     C        01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00
* FROM CLIP NAME:  Anna interview
* FROM CLIP: /Volumes/R/A001_C003.MOV
002  A001     V     C        01:00:02:00 01:00:02:00 01:00:02:00 01:00:02:00
002  B007     V     D    030 05:10:00:00 05:10:04:00 01:00:02:00 01:00:06:00
* FROM CLIP NAME:  Anna interview
* TO CLIP NAME:  Street B
M2   B007       030.0                05:10:00:00
003  BL       V     C        00:00:00:00 00:00:01:00 01:00:06:00 01:00:07:00
004  C003     A     C        00:10:00:00 00:10:01:00 01:00:07:00 01:00:08:00
AUD  3
"""


def test_an_avid_edl_with_a_dissolve_and_strict_drop_frame_labels(tmp_path: Path) -> None:
    events = read_timeline_file(write(tmp_path, "avid.edl", AVID_EDL))
    assert [(e.index, e.track) for e in events] == [(1, "V"), (2, "V"), (4, "A1"), (4, "A3")]
    first, dissolve = events[0], events[1]
    assert first.rate == NTSC and first.source_in.drop_frame  # FCM DROP FRAME, ':' labels
    assert str(first.source_in) == "01:00:00;00"
    assert (first.reel, first.clip_name, first.file_name) == (
        "A001", "Anna interview", "A001_C003.MOV")
    assert dissolve.clip_name == "Street B"  # the incoming side of the dissolve
    assert (dissolve.reel, dissolve.frames) == ("B007", 4 * 30)
    assert str(dissolve.record_out) == "01:00:06;00"


def test_a_drop_frame_edl_at_5994_is_recognised_by_its_frame_numbers(tmp_path: Path) -> None:
    text = ("TITLE: fast\nFCM: DROP FRAME\n\n"
            "001  X        V     C        00:00:00;00 00:00:00;45 01:00:00;00 01:00:00;45\n")
    [event] = read_timeline_file(write(tmp_path, "fast.edl", text))
    assert event.rate == F(60000, 1001) and event.frames == 45


def test_a_non_drop_edl_needs_its_rate(tmp_path: Path) -> None:
    text = ("TITLE: pal\nFCM: NON-DROP FRAME\n\n"
            "001  X        V     C        00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n")
    path = write(tmp_path, "pal.edl", text)
    with pytest.raises(UsageError, match=r"pal\.edl: the EDL does not say its frame rate"):
        read_timeline_file(path)
    [event] = read_timeline_file(path, F(25))
    assert (event.rate, event.frames, event.record_in.frames) == (F(25), 25, 90000)


PREMIERE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE xmeml>
<xmeml version="4">
  <sequence id="sequence-1">
    <name>Edit 3</name>
    <rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate>
    <timecode><rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate>
      <string>10:00:00:00</string><frame>900000</frame><displayformat>NDF</displayformat>
    </timecode>
    <media><video><track>
      <clipitem id="clipitem-1">
        <name>Anna</name><start>0</start><end>-1</end><in>100</in><out>160</out>
        <file id="file-1">
          <name>anna.mov</name><pathurl>file://localhost/D:/Rushes/anna%20cam.mov</pathurl>
          <rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate>
          <timecode><rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate>
            <string>02:00:00:00</string><displayformat>NDF</displayformat>
            <reel><name>CARD01</name></reel></timecode>
        </file>
      </clipitem>
      <transitionitem>
        <start>40</start><end>60</end><alignment>center</alignment>
        <rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate>
      </transitionitem>
      <clipitem id="clipitem-2">
        <name>Anna again</name><start>-1</start><end>100</end><in>300</in><out>350</out>
        <file id="file-1"/>
      </clipitem>
      <clipitem id="clipitem-3">
        <name>Black Video</name><start>100</start><end>125</end><in>0</in><out>25</out>
        <file id="file-2"><name>Black Video</name><mediaSource>Slug</mediaSource></file>
      </clipitem>
      <clipitem id="clipitem-4">
        <name>Muted</name><enabled>FALSE</enabled><start>125</start><end>150</end>
        <in>0</in><out>25</out><file id="file-1"/>
      </clipitem>
      <clipitem id="clipitem-5">
        <name>Nest</name><start>150</start><end>175</end><in>10</in><out>35</out>
        <sequence id="sequence-2">
          <name>Nested</name><rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate>
          <media><video><track>
            <clipitem id="clipitem-6">
              <name>Inner</name><start>0</start><end>20</end><in>0</in><out>20</out>
              <file id="file-3"><name>inner.mxf</name>
                <pathurl>file:///Volumes/X/inner.mxf</pathurl>
                <rate><timebase>50</timebase><ntsc>FALSE</ntsc></rate></file>
              <rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate>
            </clipitem>
          </track></video></media>
        </sequence>
      </clipitem>
    </track></video></media>
  </sequence>
</xmeml>
"""


def test_a_premiere_xml_with_a_transition_a_generator_and_a_nested_sequence(
    tmp_path: Path,
) -> None:
    events = read_timeline_file(write(tmp_path, "edit.xml", PREMIERE_XML))
    assert [e.clip_name for e in events] == ["Anna", "Anna again", "Inner"]
    anna, again, inner = events
    # The transition cuts at frame 50 (centre of 40-60): Anna ends there, its out less 10.
    assert (anna.record_in.frames, anna.record_out.frames) == (900000, 900050)
    assert (anna.source_in.frames, anna.source_out.frames) == (180000 + 100, 180000 + 150)
    assert (anna.file_name, anna.reel) == ("anna cam.mov", "CARD01")
    # The next clip starts at the cut, 10 frames into its own in point.
    assert (again.record_in.frames, again.source_in.frames) == (900050, 180000 + 310)
    # Inside the nest: frames 10-20 of the inner clip show at 150-160; the file is 50 fps.
    assert (inner.record_in.frames, inner.record_out.frames) == (900150, 900160)
    assert inner.rate == 50 and (inner.source_in.frames, inner.source_out.frames) == (20, 40)
    assert inner.file_name == "inner.mxf"


def test_fcpxml_is_read_by_its_own_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Path] = []
    fake = types.ModuleType("rushes.edit.formats.fcpxml")

    def read_fcpxml(path: Path) -> list[ImportedEvent]:
        seen.append(path)
        return []

    fake.read_fcpxml = read_fcpxml  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "rushes.edit.formats.fcpxml", fake)
    for name in ("a.fcpxml", "b.xml"):
        write(tmp_path, name, '<?xml version="1.0"?>\n<!DOCTYPE fcpxml>\n<fcpxml version="1.10"/>')
        assert read_timeline_file(tmp_path / name) == []
    bundle = tmp_path / "c.fcpxmld"
    bundle.mkdir()
    read_timeline_file(bundle)
    assert seen == [tmp_path / "a.fcpxml", tmp_path / "b.xml", bundle]


BAD_FILES = [
    ("bad_tc.edl", "TITLE: x\nFCM: NON-DROP FRAME\n\n"
     "001  X        V     C        00:00:00:00 00:00:01:99 01:00:00:00 01:00:01:00\n",
     r"bad_tc\.edl line 4: timecode '00:00:01:99' is out of range"),
    ("short.edl", "TITLE: x\nFCM: NON-DROP FRAME\n001  X   V   C   00:00:00:00 00:00:01:00\n",
     r"short\.edl line 3: not an EDL event line"),
    ("backwards.edl", "TITLE: x\nFCM: NON-DROP FRAME\n"
     "001  X        V     C        00:00:01:00 00:00:00:00 01:00:00:00 01:00:01:00\n",
     r"backwards\.edl line 3: an out timecode is before its in"),
    ("letter.edl", "Dear editor,\nhere is the cut.\n", r"letter\.edl line 1: not an EDL"),
    ("empty.edl", "", r"empty\.edl: not an EDL"),
    ("df25.edl", "TITLE: x\nFCM: DROP FRAME\n"
     "001  X        V     C        00:00:00;00 00:00:01;00 01:00:00;00 01:00:01;00\n",
     r"df25\.edl line 3: .*drop-frame.*25"),
    ("broken.xml", '<?xml version="1.0"?>\n<xmeml version="4">\n  <sequence>\n</xmeml>\n',
     r"broken\.xml line 4: not well-formed XML"),
    ("other.xml", '<?xml version="1.0"?>\n<svg/>\n', r"other\.xml: not a timeline XML"),
    ("empty.xml", '<?xml version="1.0"?>\n<xmeml version="4"><project/></xmeml>\n',
     r"empty\.xml: no <sequence>"),
    ("norate.xml", '<xmeml version="4"><sequence><name>S</name></sequence></xmeml>',
     r"norate\.xml: sequence 'S' has no <rate>"),
    ("words.xml", '<xmeml version="4"><sequence><rate><timebase>25</timebase></rate>'
     '<media><video><track><clipitem><start>x</start><end>5</end></clipitem></track></video>'
     '</media></sequence></xmeml>', r"words\.xml: <clipitem> has a <start> that is not a number"),
    ("cut.otio", '{"OTIO_SCHEMA": "Timeline.1", "tracks": ', r"cut\.otio: not a readable"),
    ("cut.otioz", "not a zip at all", r"cut\.otioz: not a readable"),
    ("cut.aaf", "whatever", r"cut\.aaf: unknown timeline file type"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_FILES,
                         ids=[name for name, _, _ in BAD_FILES])
def test_bad_files_are_one_readable_error(tmp_path: Path, name: str, text: str,
                                          message: str) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(UsageError, match=message):
        read_timeline_file(path, F(25) if name.endswith(".edl") else None)


def test_binary_missing_and_folder_inputs(tmp_path: Path) -> None:
    binary = tmp_path / "clip.edl"
    binary.write_bytes(b"\x00\x01\x02TITLE")
    with pytest.raises(UsageError, match=r"clip\.edl: not an EDL \(binary data\)"):
        read_timeline_file(binary)
    with pytest.raises(UsageError, match="no such file"):
        read_timeline_file(tmp_path / "gone.edl")
    (tmp_path / "folder.edl").mkdir()
    with pytest.raises(UsageError, match="is a folder"):
        read_timeline_file(tmp_path / "folder.edl")
    empty_zip = tmp_path / "empty.otioz"
    with zipfile.ZipFile(empty_zip, "w"):
        pass
    with pytest.raises(UsageError, match=r"empty\.otioz: not a readable OpenTimelineIO file"):
        read_timeline_file(empty_zip)


def test_a_latin1_edl_from_an_old_system_still_reads(tmp_path: Path) -> None:
    text = ("TITLE: Caf\xe9\nFCM: NON-DROP FRAME\n\n"
            "001  X        V     C        00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n"
            "* FROM CLIP NAME: Caf\xe9 sc\xe8ne.mov\n")
    path = tmp_path / "old.edl"
    path.write_bytes(text.encode("latin-1"))
    [event] = read_timeline_file(path, F(24))
    assert event.clip_name == "Café scène.mov"
    assert event.record_in == Timecode(86400, F(24))


def test_rate_argument_is_a_fallback_for_otio_files_without_one(tmp_path: Path) -> None:
    tl = otio.schema.Timeline(name="bare")
    track = otio.schema.Track(name="V")
    track.append(otio.schema.Clip(
        name="c", media_reference=otio.schema.ExternalReference(target_url="file:///x/c.mov"),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(10, 25),
                                             otio.opentime.RationalTime(5, 25))))
    tl.tracks.append(track)
    path = tmp_path / "bare.otio"
    otio.adapters.write_to_file(tl, str(path))
    [event] = read_timeline_file(path, F(50))
    assert event.record_out.rate == F(50) and event.record_out.frames == 10
    assert event.rate == F(25) and event.frames == 5
    [alone] = read_timeline_file(path)
    assert alone.record_out.rate == F(25)  # no rate given: the clips' own
    assert isinstance(Fraction(alone.rate), Fraction)


def test_an_otio_clip_without_any_range_is_a_readable_error(tmp_path: Path) -> None:
    tl = otio.schema.Timeline(name="broken")
    track = otio.schema.Track(name="V")
    track.append(otio.schema.Clip(name="no range"))
    tl.tracks.append(track)
    path = tmp_path / "broken.otio"
    otio.adapters.write_to_file(tl, str(path))
    with pytest.raises(UsageError, match=r"broken\.otio: Cannot compute available range"):
        read_timeline_file(path, F(25))
