"""FCPXML 1.10: structure checked against the DTD's rules, and frame-exact round trips.

The checks below are our own reading of Apple's FCPXML 1.10 DTD for the elements the writer
uses (content order, declared attributes, enumerations, ID references) plus what Final Cut
enforces beyond the DTD: every time on the frame grid of its timebase, a contiguous spine.
They parse with ElementTree, independently of the module's own reader.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rushes.domain.timecode import Timecode, is_drop_frame_rate
from rushes.edit.formats.fcpxml import (
    BASIC_TITLE_UID,
    fcpxml_time,
    parse_fcpxml_time,
    read_fcpxml,
    render_fcpxml,
    write_fcpxml,
)
from rushes.edit.timeline import (
    Event,
    ImportedEvent,
    Source,
    Timeline,
    conform_frames,
    round_half_up,
)
from rushes.errors import UsageError

NTSC24, NTSC30, NTSC60 = Fraction(24000, 1001), Fraction(30000, 1001), Fraction(60000, 1001)

#: Every rate the brief names, drop-frame and not where both exist.
RATES = [
    pytest.param(NTSC24, False, id="23.976"),
    pytest.param(Fraction(24), False, id="24"),
    pytest.param(Fraction(25), False, id="25"),
    pytest.param(NTSC30, True, id="29.97DF"),
    pytest.param(NTSC30, False, id="29.97NDF"),
    pytest.param(Fraction(30), False, id="30"),
    pytest.param(Fraction(50), False, id="50"),
    pytest.param(NTSC60, True, id="59.94DF"),
    pytest.param(NTSC60, False, id="59.94NDF"),
]

# --------------------------------------------------------------------------------------------
# Building timelines


def _tc(text: str, rate: Fraction) -> Timecode:
    return Timecode.parse(text, rate)


def video(
    name: str,
    rate: Fraction,
    start: str,
    *,
    path: str | None = None,
    frames: int = 100_000,
    audio: bool = True,
) -> Source:
    return Source(
        asset_id=f"asset-{name}",
        path=path or f"/media/rushes/{name}.mov",
        name=name,
        reel=name.upper()[:8],
        kind="video",
        rate=rate,
        start=_tc(start, rate),
        duration_frames=frames,
        width=1920,
        height=1080,
        has_video=True,
        has_audio=audio,
        audio_rate=48000 if audio else None,
        audio_channels=2 if audio else None,
    )


def still(name: str, rate: Fraction, path: str | None = None) -> Source:
    """An image as conform makes it: sequence rate, non-drop 00:00:00:00 whatever the cut."""
    return Source(
        asset_id=f"asset-{name}",
        path=path or f"/media/photos/{name}.jpg",
        name=name,
        reel=name.upper()[:8],
        kind="image",
        rate=rate,
        start=Timecode(0, rate),
        width=3000,
        height=2000,
        has_video=True,
    )


class Cut:
    """Events laid end to end the way conform does: record durations from source frames."""

    def __init__(self, rate: Fraction, drop_frame: bool, start: str | None = None) -> None:
        self.rate = rate
        sep = ";" if drop_frame else ":"
        self.start = _tc(start or f"01:00:00{sep}00", rate)
        assert self.start.drop_frame == drop_frame
        self.events: list[Event] = []
        self.position = 0

    def _add(self, event: Event) -> Event:
        self.events.append(event)
        self.position += event.duration
        return event

    def clip(self, source: Source, source_in: int, frames: int, label: str = "") -> Event:
        duration = conform_frames(frames, source.rate, self.rate)
        return self._add(
            Event(
                "clip",
                self.position,
                duration,
                source=source,
                source_in=source_in,
                source_out=source_in + frames,
                label=label,
            )
        )

    def still(self, source: Source, frames: int, label: str = "") -> Event:
        return self._add(Event("still", self.position, frames, source, 0, frames, label=label))

    def title(self, text: str, frames: int, label: str = "") -> Event:
        return self._add(Event("title", self.position, frames, text=text, label=label))

    def voiceover(self, script: str, frames: int, label: str = "") -> Event:
        return self._add(Event("voiceover", self.position, frames, text=script, label=label))

    def note(self, record: int, text: str) -> Event:
        event = Event("note", record, 0, text=text)
        self.events.append(event)
        return event

    def timeline(self, name: str = "Paper edit", notes: tuple[str, ...] = ()) -> Timeline:
        return Timeline(name, self.rate, self.start, tuple(self.events), notes=notes)


def standard_cut(rate: Fraction, drop_frame: bool) -> tuple[Timeline, Source, Source, Source]:
    """Title, clips from a same-rate and an other-rate source, note, still, VO, clip."""
    sep = ";" if drop_frame else ":"
    own = video("interview", rate, f"10:00:00{sep}00")
    if rate == 25:
        other = video("archive", NTSC30, "01:00:00;00")  # 29.97 DF into 25
    else:
        other = video("archive", Fraction(25), "10:00:00:00")
    photo = still("photo", rate)
    cut = Cut(rate, drop_frame)
    nominal = round(rate)
    cut.title("Part one", 2 * nominal, label="Opening title")
    # Crosses 10:01:00, where drop-frame labels skip frame numbers.
    first = cut.clip(own, 59 * nominal, 3 * nominal, label="Interview, answer 1")
    cut.note(first.record_in + nominal, "check the name super here")
    cut.clip(other, round(other.rate) * 7, round(other.rate) * 2, label="Archive")
    cut.still(photo, 3 * nominal, label="Family photo")
    cut.voiceover("And then the river rose.", 4 * nominal, label="Narration 1")
    cut.clip(own, 600 * nominal + 7, nominal + 3)
    return cut.timeline(), own, other, photo


# --------------------------------------------------------------------------------------------
# Our own structural checks (FCPXML 1.10 DTD, for the elements the writer emits)

_TIME = re.compile(r"^(0|[1-9]\d*)(?:/([1-9]\d*))?s$")
_CLIP_ATTRS = {"lane", "offset", "name", "start", "duration", "enabled"}
_CONTENT: dict[str, str] = {
    "fcpxml": r"(import-options )?(resources )?(library )?",
    "resources": r"((asset|effect|format|media|locator) )*",
    "format": "",
    "asset": r"(media-rep )+(metadata )?",
    "media-rep": r"(bookmark )?",
    "effect": "",
    "library": r"((event|smart-collection) )*",
    "event": r"(project )*",
    "project": r"sequence ",
    "sequence": r"(note )?spine (metadata )?",
    "spine": r"((asset-clip|video|title|gap|clip|audio) )*",
    "asset-clip": r"(note )?(conform-rate )?(timeMap )?(marker )*(metadata )?",
    "video": r"(note )?(conform-rate )?(marker )*",
    "gap": r"(note )?(marker )*(metadata )?",
    "title": r"(param )*(text )*(text-style-def )*(note )?(marker )*(metadata )?",
    "text": r"(text-style )*",
    "text-style-def": r"text-style ",
    "text-style": "",
    "conform-rate": "",
    "marker": "",
    "note": "",
}
_ATTRS: dict[str, set[str]] = {
    "fcpxml": {"version"},
    "resources": set(),
    "format": {
        "id",
        "name",
        "frameDuration",
        "fieldOrder",
        "width",
        "height",
        "paspH",
        "paspV",
        "colorSpace",
        "projection",
        "stereoscopic",
    },
    "asset": {
        "id",
        "name",
        "uid",
        "start",
        "duration",
        "hasVideo",
        "format",
        "hasAudio",
        "videoSources",
        "audioSources",
        "audioChannels",
        "audioRate",
    },
    "media-rep": {"kind", "sig", "src", "suggestedFilename"},
    "effect": {"id", "name", "uid", "src"},
    "library": {"location", "colorProcessing"},
    "event": {"name", "uid"},
    "project": {"name", "uid", "id", "modDate"},
    "sequence": {
        "format",
        "duration",
        "tcStart",
        "tcFormat",
        "audioLayout",
        "audioRate",
        "renderFormat",
        "keywords",
    },
    "spine": {"lane", "offset", "name", "format"},
    "asset-clip": _CLIP_ATTRS
    | {
        "ref",
        "srcEnable",
        "audioStart",
        "audioDuration",
        "format",
        "tcStart",
        "tcFormat",
        "modDate",
        "audioRole",
        "videoRole",
    },
    "video": _CLIP_ATTRS | {"ref", "srcID", "role"},
    "title": _CLIP_ATTRS | {"ref", "role"},
    "gap": {"name", "offset", "start", "duration", "enabled"},
    "text": {"display-style", "roll-up-height", "position", "placement", "alignment"},
    "text-style-def": {"id", "name"},
    "text-style": {
        "ref",
        "font",
        "fontSize",
        "fontFace",
        "fontColor",
        "backgroundColor",
        "bold",
        "italic",
        "strokeColor",
        "strokeWidth",
        "alignment",
    },
    "conform-rate": {"scaleEnabled", "srcFrameRate", "frameSampling"},
    "marker": {"start", "duration", "value", "completed", "note"},
    "note": set(),
}
_REQUIRED: dict[str, set[str]] = {
    "format": {"id"},
    "asset": {"id"},
    "media-rep": {"src"},
    "effect": {"id", "uid"},
    "sequence": {"format"},
    "asset-clip": {"ref"},
    "video": {"ref", "duration"},
    "title": {"ref", "duration"},
    "gap": {"duration"},
    "marker": {"start", "value"},
    "text-style-def": {"id"},
}
_ENUMS: dict[str, set[str]] = {
    "tcFormat": {"DF", "NDF"},
    "audioLayout": {"mono", "stereo", "surround"},
    "kind": {"original-media", "proxy-media"},
    "scaleEnabled": {"0", "1"},
    "srcFrameRate": {"23.98", "24", "25", "29.97", "30", "60", "47.95", "48", "50", "59.94"},
    "enabled": {"0", "1"},
}
_SEQUENCE_AUDIO_RATES = {"32k", "44.1k", "48k", "88.2k", "96k", "176.4k", "192k"}
_TIME_ATTRS = {"offset", "start", "duration", "tcStart", "frameDuration"}


def t(value: str) -> Fraction:
    """An FCPXML time as the DTD words it, written reduced (``N/1s`` and ``2/4s`` refused)."""
    m = _TIME.match(value)
    assert m, f"not an FCPXML time: {value!r}"
    numerator, denominator = int(m[1]), int(m[2] or 1)
    assert m[2] != "1" and math.gcd(numerator, denominator) == 1, f"{value} is not reduced"
    return Fraction(numerator, denominator)


def on_grid(time: Fraction, frame: Fraction) -> bool:
    return (time / frame).denominator == 1


def walk(element: ET.Element) -> Iterator[ET.Element]:
    yield element
    for child in element:
        yield from walk(child)


def check_fcpxml(path: Path, timeline: Timeline | None = None) -> ET.Element:
    """Fail unless ``path`` is FCPXML 1.10 that Final Cut and Resolve will take, frame-exact."""
    text = path.read_text(encoding="utf-8")
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n'
    assert text.startswith(head), "no XML declaration and DOCTYPE"
    root = ET.fromstring(text)
    assert root.tag == "fcpxml" and root.get("version") == "1.10"

    ids: dict[str, ET.Element] = {}
    for element in walk(root):
        tag = element.tag
        assert tag in _CONTENT, f"unexpected <{tag}>"
        children = "".join(f"{c.tag} " for c in element)
        assert re.fullmatch(_CONTENT[tag], children), f"<{tag}> children out of order: {children}"
        undeclared = set(element.attrib) - _ATTRS[tag]
        assert not undeclared, f"<{tag}> has undeclared attributes {undeclared}"
        missing = _REQUIRED.get(tag, set()) - set(element.attrib)
        assert not missing, f"<{tag}> lacks required {missing}"
        for name, allowed in _ENUMS.items():
            if name in element.attrib:
                assert element.get(name) in allowed, f"<{tag}> {name}={element.get(name)!r}"
        for name in _TIME_ATTRS & set(element.attrib):
            t(element.attrib[name])
        if tag not in ("note", "text", "text-style"):
            assert not (element.text or "").strip(), f"<{tag}> holds text"
        if "id" in element.attrib:
            assert element.get("id") not in ids, f"duplicate id {element.get('id')}"
            ids[element.attrib["id"]] = element

    def resolve(element: ET.Element, attr: str, tag: str) -> ET.Element:
        target = ids.get(element.get(attr, ""))
        assert target is not None and target.tag == tag, (
            f"<{element.tag}> {attr}={element.get(attr)!r} does not name a <{tag}>"
        )
        return target

    for element in walk(root):
        if "format" in element.attrib:
            resolve(element, "format", "format")
        if element.tag in ("asset-clip", "video"):
            resolve(element, "ref", "asset")
        if element.tag == "title":
            resolve(element, "ref", "effect")
            assert resolve(element, "ref", "effect").get("uid") == BASIC_TITLE_UID
        if element.tag == "text-style" and "ref" in element.attrib:
            resolve(element, "ref", "text-style-def")
        if element.tag == "media-rep":
            assert element.attrib["src"].startswith("file:///")
            assert " " not in element.attrib["src"]

    def frame_of(format_id: str | None, fallback: Fraction) -> Fraction:
        if format_id is None or "frameDuration" not in ids[format_id].attrib:
            return fallback
        return t(ids[format_id].attrib["frameDuration"])

    sequence = root.find("library/event/project/sequence")
    assert sequence is not None
    seq_frame = frame_of(sequence.get("format"), Fraction(0))
    assert seq_frame > 0
    assert sequence.get("audioRate") in _SEQUENCE_AUDIO_RATES
    tc_start = t(sequence.get("tcStart", "0s"))
    assert on_grid(tc_start, seq_frame)

    for asset in root.iter("asset"):
        frame = frame_of(asset.get("format"), seq_frame)
        assert on_grid(t(asset.attrib["start"]), frame), asset.attrib
        assert on_grid(t(asset.attrib["duration"]), frame), asset.attrib

    spine = sequence.find("spine")
    assert spine is not None
    position = tc_start
    for item in spine:
        offset, duration = t(item.attrib["offset"]), t(item.attrib["duration"])
        assert on_grid(offset, seq_frame), f"offset off the frame grid: {item.attrib}"
        assert on_grid(duration, seq_frame), f"duration off the frame grid: {item.attrib}"
        assert duration > 0
        assert offset == position, f"<{item.tag}> at {offset} leaves a hole or overlap"
        position += duration
        local_frame, local_start = seq_frame, t(item.get("start", "0s"))
        if item.tag in ("asset-clip", "video"):
            asset = resolve(item, "ref", "asset")
            local_frame = frame_of(asset.get("format"), seq_frame)
            assert on_grid(local_start, local_frame), item.attrib
            asset_start = t(asset.attrib["start"])
            assert local_start >= asset_start
            if t(asset.attrib["duration"]) > 0:  # stills are 0s: endless
                assert local_start + duration <= asset_start + t(asset.attrib["duration"])
            if item.tag == "asset-clip":
                same_rate = local_frame == seq_frame or asset.get("hasVideo") != "1"
                conform = item.find("conform-rate")
                assert (conform is None) == same_rate
                if conform is not None:
                    assert conform.get("scaleEnabled") == "0"  # real time, as conformed
                    assert Fraction(conform.attrib["srcFrameRate"]) == pytest.approx(
                        1 / local_frame, abs=0.01
                    )
        for marker in item.iter("marker"):
            start = t(marker.attrib["start"])
            assert on_grid(start, local_frame) and on_grid(
                t(marker.attrib["duration"]), local_frame
            )
            assert local_start <= start < local_start + duration
    assert t(sequence.attrib["duration"]) == position - tc_start

    if timeline is not None:
        assert sequence.get("tcFormat") == ("DF" if timeline.drop_frame else "NDF")
        assert seq_frame == 1 / timeline.rate
        assert tc_start == timeline.start.frames / timeline.rate
        assert t(sequence.attrib["duration"]) == timeline.duration / timeline.rate
    return root


def spine_items(root: ET.Element) -> list[ET.Element]:
    spine = root.find("library/event/project/sequence/spine")
    assert spine is not None
    return list(spine)


# --------------------------------------------------------------------------------------------
# Round trips


def expected(timeline: Timeline) -> list[tuple[Timecode, Timecode, Timecode, Timecode]]:
    """What reading back must give: source labels at the source rate, record at sequence's."""
    rows = []
    for e in timeline.events:
        if e.kind in ("clip", "still") and e.source is not None:
            rows.append(
                (
                    e.source.timecode(e.source_in),
                    e.source.timecode(e.source_out),
                    timeline.record_timecode(e.record_in),
                    timeline.record_timecode(e.record_out),
                )
            )
    return rows


def got(events: list[ImportedEvent]) -> list[tuple[Timecode, Timecode, Timecode, Timecode]]:
    return [(e.source_in, e.source_out, e.record_in, e.record_out) for e in events]


@pytest.mark.parametrize(("rate", "drop_frame"), RATES)
def test_every_rate_writes_valid_fcpxml_and_reads_back_frame_exact(
    tmp_path: Path, rate: Fraction, drop_frame: bool
) -> None:
    timeline, _own, other, _photo = standard_cut(rate, drop_frame)
    path = tmp_path / "cut.fcpxml"
    write_fcpxml(timeline, path)
    root = check_fcpxml(path, timeline)

    tags = [item.tag for item in spine_items(root)]
    assert tags == ["title", "asset-clip", "asset-clip", "video", "gap", "asset-clip"]
    formats = root.findall("resources/format")
    rates = {f.get("frameDuration") for f in formats}
    assert rates == {fcpxml_time(1 / rate), fcpxml_time(1 / other.rate), None}

    events = read_fcpxml(path)
    assert got(events) == expected(timeline)
    assert [e.index for e in events] == [1, 2, 3, 4]
    assert [e.rate for e in events] == [rate, other.rate, rate, rate]
    assert {e.track for e in events} == {"V1"}
    assert [e.file_name for e in events] == [
        "interview.mov",
        "archive.mov",
        "photo.jpg",
        "interview.mov",
    ]
    assert [e.clip_name for e in events] == [
        "Interview, answer 1",
        "Archive",
        "Family photo",
        "interview",
    ]
    assert all(e.reel is None for e in events)
    # The labels print as an editor would type them, drop-frame separator included.
    sep = ";" if drop_frame else ":"
    assert str(events[0].source_in) == f"10:00:59{sep}00"
    assert str(events[0].record_in) == f"01:00:02{sep}00"
    assert events[0].source_out.drop_frame == drop_frame


def test_embedded_start_timecode_is_the_asset_start(tmp_path: Path) -> None:
    """10:00:00:00 at 25 is 36000 s; 01:00:00;00 at 29.97 DF is 107892 frames of 1001/30000."""
    pal = video("pal", Fraction(25), "10:00:00:00")
    ntsc = video("ntsc", NTSC30, "01:00:00;00")
    cut = Cut(NTSC30, True)
    cut.clip(ntsc, 30, 60)
    cut.clip(pal, 25, 50)
    path = tmp_path / "starts.fcpxml"
    write_fcpxml(cut.timeline(), path)
    root = check_fcpxml(path, cut.timeline())
    assets = {a.get("name"): a for a in root.iter("asset")}
    assert assets["pal"].get("start") == "36000s"
    assert assets["ntsc"].get("start") == fcpxml_time(Fraction(107892 * 1001, 30000))
    assert assets["ntsc"].get("start") == "8999991/2500s"
    clips = spine_items(root)
    # start = asset start + source in, in the asset's own timebase.
    assert t(clips[0].attrib["start"]) == Fraction((107892 + 30) * 1001, 30000)
    assert clips[0].get("tcFormat") == "DF"
    assert t(clips[1].attrib["start"]) == Fraction(36001)
    assert clips[1].get("tcFormat") == "NDF"
    assert clips[1].get("format") == assets["pal"].get("format")
    conform = clips[1].find("conform-rate")
    assert conform is not None and conform.attrib == {"scaleEnabled": "0", "srcFrameRate": "25"}
    # 50 frames of 25 fps last 60 frames of 29.97 (59.94 rounded), on the sequence grid.
    assert t(clips[1].attrib["duration"]) == Fraction(60 * 1001, 30000)
    events = read_fcpxml(path)
    assert [str(e.source_in) for e in events] == ["01:00:01;00", "10:00:01:00"]
    assert [str(e.source_out) for e in events] == ["01:00:03;00", "10:00:03:00"]
    assert [str(e.record_in) for e in events] == ["01:00:00;00", "01:00:02;00"]


def test_a_faster_source_reads_back_as_the_frames_that_play(tmp_path: Path) -> None:
    """3 frames of 50 fps conform to 2 frames of 25 (0.08 s), which show 4 source frames.

    FCPXML keeps one duration, on the sequence grid; the source out it implies is the real-time
    end, so reading reports what the editor's timeline actually plays.
    """
    fast = video("fast", Fraction(50), "00:00:00:00")
    cut = Cut(Fraction(25), False)
    cut.clip(fast, 100, 3)
    path = tmp_path / "fast.fcpxml"
    write_fcpxml(cut.timeline(), path)
    check_fcpxml(path, cut.timeline())
    (event,) = read_fcpxml(path)
    assert event.source_in.frames == 100
    assert event.frames == 4 == round_half_up(Fraction(2, 25) * 50)
    assert event.record_out.frames - event.record_in.frames == 2


sequence_rates = st.sampled_from(
    [
        (NTSC24, False),
        (Fraction(24), False),
        (Fraction(25), False),
        (NTSC30, True),
        (NTSC30, False),
        (Fraction(30), False),
        (Fraction(50), False),
        (NTSC60, True),
    ]
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rate_df=sequence_rates,
    start=st.integers(0, 23 * 3600 * 24),
    ranges=st.lists(
        st.tuples(st.integers(0, 200_000), st.integers(1, 400)), min_size=1, max_size=6
    ),
)
def test_any_same_rate_cut_round_trips(
    tmp_path: Path,
    rate_df: tuple[Fraction, bool],
    start: int,
    ranges: list[tuple[int, int]],
) -> None:
    rate, drop_frame = rate_df
    source = Source("a", "/m/a.mov", "a", "A", "video", rate, Timecode(start, rate, drop_frame))
    cut = Cut(rate, drop_frame)
    for source_in, frames in ranges:
        cut.clip(source, source_in, frames)
    path = tmp_path / "any.fcpxml"
    write_fcpxml(cut.timeline(), path)
    check_fcpxml(path, cut.timeline())
    assert got(read_fcpxml(path)) == expected(cut.timeline())


# --------------------------------------------------------------------------------------------
# Stills, titles, voice-over, notes


def test_titles_stills_voiceover_and_notes_are_present(tmp_path: Path) -> None:
    timeline, _own, _other, _photo = standard_cut(Fraction(25), False)
    timeline = Timeline(
        timeline.name,
        timeline.rate,
        timeline.start,
        timeline.events,
        notes=("Temp music throughout",),
    )
    path = tmp_path / "cut.fcpxml"
    write_fcpxml(timeline, path)
    root = check_fcpxml(path, timeline)
    title, first, _archive, photo, vo, _last = spine_items(root)

    assert title.get("name") == "Opening title"
    assert title.findtext("text/text-style") == "Part one"
    assert title.find("text-style-def/text-style") is not None

    assert photo.tag == "video"
    image = next(a for a in root.iter("asset") if a.get("id") == photo.get("ref"))
    assert image.get("duration") == "0s" and image.get("hasVideo") == "1"
    image_format = next(f for f in root.iter("format") if f.get("id") == image.get("format"))
    assert image_format.get("name") == "FFVideoFormatRateUndefined"
    assert "frameDuration" not in image_format.attrib
    assert t(photo.attrib["duration"]) == 3

    assert vo.tag == "gap" and vo.get("name") == "VO: Narration 1"
    assert vo.findtext("note") == "And then the river rose."
    assert t(vo.attrib["duration"]) == 4
    assert [m.get("value") for m in vo.iter("marker")] == ["VO: Narration 1"]

    # The note sits one second into the first clip, on its source timebase.
    (marker,) = first.findall("marker")
    assert marker.get("value") == "check the name super here"
    assert t(marker.attrib["start"]) == t(first.attrib["start"]) + 1
    assert marker.get("duration") == "1/25s"

    sequence = root.find("library/event/project/sequence")
    assert sequence is not None and sequence.findtext("note") == "Temp music throughout"


def test_notes_at_the_end_and_without_any_item(tmp_path: Path) -> None:
    cut = Cut(NTSC30, False)
    clip = cut.clip(video("a", NTSC30, "00:00:00:00"), 0, 30)
    cut.note(clip.record_out, "ends abruptly")
    path = tmp_path / "end.fcpxml"
    write_fcpxml(cut.timeline(), path)
    root = check_fcpxml(path, cut.timeline())
    (marker,) = root.iter("marker")
    assert marker.get("value") == "ends abruptly"
    assert t(marker.attrib["start"]) == Fraction(29 * 1001, 30000)  # the clip's last frame

    empty = Cut(Fraction(25), False)
    empty.note(0, "nothing cut yet")
    path = tmp_path / "empty.fcpxml"
    write_fcpxml(empty.timeline(), path)
    root = check_fcpxml(path, empty.timeline())
    assert root.findtext("library/event/project/sequence/note") == "nothing cut yet"
    assert read_fcpxml(path) == []


def test_a_hole_becomes_a_gap_and_an_overlap_is_refused(tmp_path: Path) -> None:
    source = video("a", Fraction(25), "00:00:00:00")
    events = (
        Event("clip", 0, 25, source, 0, 25),
        Event("clip", 50, 25, source, 100, 125),
    )
    timeline = Timeline("holes", Fraction(25), Timecode(0, Fraction(25)), events)
    path = tmp_path / "holes.fcpxml"
    write_fcpxml(timeline, path)
    root = check_fcpxml(path, timeline)
    assert [i.tag for i in spine_items(root)] == ["asset-clip", "gap", "asset-clip"]
    assert got(read_fcpxml(path)) == expected(timeline)

    overlapping = Timeline(
        "bad",
        Fraction(25),
        Timecode(0, Fraction(25)),
        (Event("clip", 0, 25, source, 0, 25), Event("clip", 10, 25, source, 0, 25)),
    )
    with pytest.raises(UsageError, match="overlaps"):
        render_fcpxml(overlapping)


# --------------------------------------------------------------------------------------------
# Names, escaping, paths


def test_special_characters_survive(tmp_path: Path) -> None:
    odd_path = '/media/Rushes & Co/Café <day 2> "best" it\'s #1?.mov'
    source = video("Café & <Co>", Fraction(25), "00:00:00:00", path=odd_path)
    photo = still("Zoë's photo", Fraction(25), path="/media/Fotos/Zoë & Ünal 50%.jpg")
    cut = Cut(Fraction(25), False)
    cut.title('Act 1 — «Rivière» & <more>\nsecond line "quoted"', 50, label="Act 1 & <2>")
    cut.clip(source, 10, 40, label='Interview: "yes" & <no> 日本語 🎬')
    cut.still(photo, 50)
    cut.voiceover('She said: "it\'s <fine> & well"\x01\x0b', 30)
    cut.note(60, "Fix <this> & 'that'\nline two")
    timeline = cut.timeline(name='Cut "one" & <two>')
    path = tmp_path / "odd name & co.fcpxml"
    write_fcpxml(timeline, path)
    root = check_fcpxml(path, timeline)

    title, clip, _image, vo = spine_items(root)
    assert title.findtext("text/text-style") == ('Act 1 — «Rivière» & <more>\nsecond line "quoted"')
    assert title.get("name") == "Act 1 & <2>"
    assert clip.get("name") == 'Interview: "yes" & <no> 日本語 🎬'
    assert vo.findtext("note") == 'She said: "it\'s <fine> & well"'  # control chars dropped
    (marker,) = clip.iter("marker")
    assert marker.get("value") == "Fix <this> & 'that'\nline two"
    project = root.find("library/event/project")
    assert project is not None and project.get("name") == 'Cut "one" & <two>'

    sources = [rep.attrib["src"] for rep in root.iter("media-rep")]
    assert [unquote(urlsplit(s).path) for s in sources] == [odd_path, photo.path]
    assert all(re.fullmatch(r"file:///[A-Za-z0-9/%._~-]+", s) for s in sources)

    events = read_fcpxml(path)
    assert [e.file_name for e in events] == [
        'Café <day 2> "best" it\'s #1?.mov',
        "Zoë & Ünal 50%.jpg",
    ]
    assert events[0].clip_name == 'Interview: "yes" & <no> 日本語 🎬'
    assert got(events) == expected(timeline)


# --------------------------------------------------------------------------------------------
# Files: atomic writes, bundles, errors


def test_a_failed_write_leaves_the_old_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "cut.fcpxml"
    path.write_text("previous export")
    broken = Timeline("broken", Fraction(25), Timecode(0, Fraction(25)), (Event("clip", 0, 25),))
    with pytest.raises(UsageError, match="no source media"):
        write_fcpxml(broken, path)
    assert path.read_text() == "previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["cut.fcpxml"]


def test_a_bundle_is_read_through_its_info_file(tmp_path: Path) -> None:
    timeline, *_ = standard_cut(NTSC24, False)
    bundle = tmp_path / "Cut.fcpxmld"
    bundle.mkdir()
    write_fcpxml(timeline, bundle / "Info.fcpxml")
    assert got(read_fcpxml(bundle)) == expected(timeline)

    empty = tmp_path / "Empty.fcpxmld"
    empty.mkdir()
    with pytest.raises(UsageError, match=r"Empty\.fcpxmld.*Info\.fcpxml"):
        read_fcpxml(empty)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('<?xml version="1.0"?>\n<fcpxml version="1.10">\n  <resources>\n', r"line 4"),
        ("<fcpxml version=\"1.10\">\n<library>\n<event name='a & b'/>", r"line 3"),
        ("\x00\x01binary", r"line 1"),
        ("", r"line 1"),
        ("<xmeml version='5'><sequence/></xmeml>", r"line 1: not FCPXML"),
    ],
    ids=["truncated", "bare-ampersand", "binary", "empty", "other-xml"],
)
def test_unreadable_files_name_the_file_and_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "broken export.fcpxml"
    path.write_bytes(content.encode("utf-8"))
    with pytest.raises(UsageError, match=message) as caught:
        read_fcpxml(path)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_bad_values_name_the_line(tmp_path: Path) -> None:
    timeline, *_ = standard_cut(Fraction(25), False)
    good = render_fcpxml(timeline)
    lines = good.splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "<asset-clip" in line)

    bad_time = tmp_path / "bad-time.fcpxml"
    bad_time.write_text(
        "\n".join(
            re.sub(r'offset="[^"]+"', 'offset="soon"', line) if i == number else line
            for i, line in enumerate(lines, 1)
        )
    )
    with pytest.raises(UsageError, match=rf'line {number}: <asset-clip> offset="soon"'):
        read_fcpxml(bad_time)

    bad_ref = tmp_path / "bad-ref.fcpxml"
    bad_ref.write_text(
        "\n".join(
            re.sub(r'ref="[^"]+"', 'ref="r99"', line) if i == number else line
            for i, line in enumerate(lines, 1)
        )
    )
    with pytest.raises(UsageError, match=rf'line {number}: <asset-clip> ref="r99" names no'):
        read_fcpxml(bad_ref)

    with pytest.raises(UsageError, match="cannot read"):
        read_fcpxml(tmp_path / "missing.fcpxml")

    no_project = tmp_path / "no-project.fcpxml"
    no_project.write_text('<fcpxml version="1.10"><resources/></fcpxml>')
    with pytest.raises(UsageError, match="no project"):
        read_fcpxml(no_project)


def test_time_strings() -> None:
    assert fcpxml_time(Fraction(0)) == "0s"
    assert fcpxml_time(Fraction(3600)) == "3600s"
    assert fcpxml_time(Fraction(2002, 60000)) == "1001/30000s"
    assert parse_fcpxml_time("100/2400s") == Fraction(1, 24)
    assert parse_fcpxml_time("3603.6s") == Fraction(18018, 5)
    assert parse_fcpxml_time("3600/1s") == 3600
    for bad in ("", "s", "1/0s", "abc", "1//2s"):
        with pytest.raises(ValueError):
            parse_fcpxml_time(bad)


# --------------------------------------------------------------------------------------------
# Reading what Final Cut itself writes

_FROM_FINAL_CUT = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE fcpxml>

<fcpxml version="1.10">
    <resources>
        <format id="r1" name="FFVideoFormat1080p25" frameDuration="100/2500s" width="1920"
                height="1080"/>
        <asset id="r2" name="A" start="0s" duration="100s" hasVideo="1" format="r1"
               hasAudio="1" audioSources="1" audioChannels="2" audioRate="48000">
            <media-rep kind="original-media" src="file:///Volumes/Rushes/A%20one.mov"/>
        </asset>
        <asset id="r3" name="B" start="3600s" duration="100s" hasVideo="1" format="r1">
            <media-rep kind="original-media" src="file:///Volumes/Rushes/B.mov"/>
        </asset>
        <asset id="r5" name="music" start="0s" duration="300s" hasAudio="1" audioSources="1"
               audioChannels="2" audioRate="48000">
            <media-rep kind="original-media" src="file:///Volumes/Music/score.wav"/>
        </asset>
        <effect id="r6" name="Cross Dissolve" uid="FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265"/>
        <media id="r4" name="Compound">
            <sequence format="r1" tcStart="0s" duration="20s">
                <spine>
                    <asset-clip ref="r3" offset="0s" start="3610s" duration="10s" name="B in"/>
                    <asset-clip ref="r2" offset="10s" start="50s" duration="10s" name="A in"/>
                </spine>
            </sequence>
        </media>
    </resources>
    <library>
        <event name="Edit">
            <project name="Cut 3">
                <sequence format="r1" duration="30s" tcStart="3600s" tcFormat="NDF">
                    <spine>
                        <asset-clip ref="r2" offset="3600s" name="A1" start="10s"
                                    duration="10s" tcFormat="NDF">
                            <asset-clip ref="r3" lane="1" offset="12s" name="B over"
                                        start="3620s" duration="2s"/>
                            <asset-clip ref="r5" lane="-1" offset="10s" name="score"
                                        start="1s" duration="4s"/>
                        </asset-clip>
                        <transition offset="3609s" duration="2s">
                            <filter-video ref="r6" name="Cross Dissolve"/>
                        </transition>
                        <ref-clip ref="r4" offset="3610s" name="Compound" start="5s"
                                  duration="10s"/>
                        <clip offset="3620s" name="synced" start="30s" duration="5s"
                              tcFormat="NDF">
                            <video ref="r2" offset="30s" start="30s" duration="5s"/>
                            <audio ref="r2" lane="-1" offset="30s" start="30s"
                                   duration="5s"/>
                        </clip>
                        <audition offset="3625s">
                            <asset-clip ref="r2" name="pick" start="70s" duration="5s"/>
                            <asset-clip ref="r3" name="alternative" start="3600s"
                                        duration="5s"/>
                        </audition>
                    </spine>
                </sequence>
            </project>
        </event>
    </library>
</fcpxml>
"""


def test_reads_connected_compound_synced_and_audition_clips(tmp_path: Path) -> None:
    path = tmp_path / "from-fcp.fcpxml"
    path.write_text(_FROM_FINAL_CUT)
    events = read_fcpxml(path)

    def row(e: ImportedEvent) -> tuple[str, str, str, str, str, str | None, str | None]:
        return (
            e.track,
            str(e.source_in),
            str(e.source_out),
            str(e.record_in),
            str(e.record_out),
            e.clip_name,
            e.file_name,
        )

    assert [row(e) for e in events] == [
        ("V1", "00:00:10:00", "00:00:20:00", "01:00:00:00", "01:00:10:00", "A1", "A one.mov"),
        ("A2", "00:00:01:00", "00:00:05:00", "01:00:00:00", "01:00:04:00", "score", "score.wav"),
        ("V2", "01:00:20:00", "01:00:22:00", "01:00:02:00", "01:00:04:00", "B over", "B.mov"),
        # The compound clip shows 5-15 s of its own timeline: half of each clip inside.
        ("V1", "01:00:15:00", "01:00:20:00", "01:00:10:00", "01:00:15:00", "B in", "B.mov"),
        ("V1", "00:00:50:00", "00:00:55:00", "01:00:15:00", "01:00:20:00", "A in", "A one.mov"),
        # The synchronised clip's audio is the same range of the same file: listed once.
        ("V1", "00:00:30:00", "00:00:35:00", "01:00:20:00", "01:00:25:00", "A", "A one.mov"),
        ("V1", "00:01:10:00", "00:01:15:00", "01:00:25:00", "01:00:30:00", "pick", "A one.mov"),
    ]
    assert [e.index for e in events] == list(range(1, 8))
    assert all(e.rate == 25 for e in events)


def test_opentimelineio_reads_the_same_clips(tmp_path: Path) -> None:
    """An independent reader: OpenTimelineIO's FCPXML adapter (a dev dependency). It is stale:
    it crashes on titles, gaps and stills, and reads 30000/1001 as 29 frames a second, so this
    cross-check is a 25 fps cut of clips only: source starts, durations and places on the
    sequence (whose positions it counts from 00:00:00:00, so from the 01:00:00:00 start here)
    must read the same."""
    otio = pytest.importorskip("opentimelineio")
    rate = Fraction(25)
    own = video("interview", rate, "10:00:00:00")
    cut = Cut(rate, False)
    nominal = round(rate)
    cut.clip(own, 59 * nominal, 3 * nominal, label="answer one")
    cut.clip(own, 600 * nominal + 7, nominal + 3, label="answer two")
    path = tmp_path / "cut.fcpxml"
    write_fcpxml(cut.timeline(), path)
    read = otio.adapters.read_from_file(str(path), adapter_name="fcpx_xml")
    clips = list(read.find_clips())
    assert [c.name for c in clips] == ["answer one", "answer two"]
    for clip, event in zip(clips, cut.events, strict=True):
        start = clip.source_range.start_time
        assert round(start.value * rate / start.rate) == own.start.frames + event.source_in
        assert round(clip.source_range.duration.to_seconds() * rate) == event.duration
        placed = round(clip.range_in_parent().start_time.to_seconds() * rate)
        assert placed - cut.start.frames == event.record_in


def test_drop_frame_labels_only_where_they_exist(tmp_path: Path) -> None:
    """A 29.97 DF sequence holding a 25 fps clip: the clip's labels stay non-drop."""
    cut = Cut(NTSC30, True)
    cut.clip(video("pal", Fraction(25), "10:00:00:00"), 0, 25)
    path = tmp_path / "df.fcpxml"
    write_fcpxml(cut.timeline(), path)
    (event,) = read_fcpxml(path)
    assert event.record_in.drop_frame and not event.source_in.drop_frame
    assert is_drop_frame_rate(event.record_in.rate) and event.rate == 25


def test_an_audio_only_source_plays_on_the_sequence_grid(tmp_path: Path) -> None:
    """Audio files count timecode in sequence frames; the asset has no video format."""
    music = Source(
        "music",
        "/media/score.wav",
        "score",
        "SCORE",
        "audio",
        NTSC30,
        Timecode(0, NTSC30, True),
        9000,
        has_video=False,
        has_audio=True,
        audio_rate=48000,
        audio_channels=2,
    )
    cut = Cut(NTSC30, True)
    cut.clip(music, 300, 90)
    path = tmp_path / "music.fcpxml"
    write_fcpxml(cut.timeline(), path)
    root = check_fcpxml(path, cut.timeline())
    (asset,) = root.iter("asset")
    assert "format" not in asset.attrib and asset.get("hasAudio") == "1"
    assert asset.get("hasVideo") is None
    (event,) = read_fcpxml(path)
    assert event.track == "A1"
    assert got([event]) == expected(cut.timeline())


@pytest.mark.parametrize(
    ("pattern", "replacement", "complaint"),
    [
        (r'(<asset-clip [^>]*?offset=")[^"]+"', r'\g<1>1/7s"', "offset off the frame grid"),
        (r'(<asset-clip [^>]*?duration=")(\d+)/(\d+)s"', r'\g<1>\2/\3s" enabled="2"', "enabled"),
        (r'(<asset-clip [^>]*?start=")[^"]+"', r'\g<1>2/4s"', "reduced"),
        (r'(<asset-clip ref=")r\d+"', r'\g<1>r404"', "does not name"),
        (r"(<asset-clip [^>]*>)", r'\1<marker start="0s" value="x"/><note>n</note>', "order"),
        (r'tcFormat="NDF"', 'tcFormat="ND"', "tcFormat"),
        (r"<!DOCTYPE fcpxml>\n", "", "DOCTYPE"),
    ],
    ids=["off-grid", "bad-enum", "unreduced", "dangling-ref", "note-after-marker", "tc", "doctype"],
)
def test_the_structure_checks_reject_what_final_cut_would(
    tmp_path: Path, pattern: str, replacement: str, complaint: str
) -> None:
    """The checker above is only worth something if it fails on broken documents."""
    timeline, *_ = standard_cut(Fraction(25), False)
    text = render_fcpxml(timeline)
    broken = re.sub(pattern, replacement, text, count=1)
    assert broken != text
    path = tmp_path / "broken.fcpxml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(AssertionError, match=complaint):
        check_fcpxml(path, timeline)


def test_odd_files_and_destinations_give_one_line_errors(tmp_path: Path) -> None:
    timeline, *_ = standard_cut(Fraction(25), False)
    with pytest.raises(UsageError, match=r"cannot write .*no-such-folder"):
        write_fcpxml(timeline, tmp_path / "no-such-folder" / "cut.fcpxml")

    text = render_fcpxml(timeline)
    lane = tmp_path / "lane.fcpxml"
    lane.write_text(text.replace("<asset-clip ", '<asset-clip lane="top" ', 1))
    with pytest.raises(UsageError, match=r'line \d+: <asset-clip> lane="top"'):
        read_fcpxml(lane)

    deep = tmp_path / "deep.fcpxml"
    nested = '<clip offset="0s" duration="1s">' * 5000 + "</clip>" * 5000
    deep.write_text(
        '<fcpxml version="1.10"><resources><format id="r1" frameDuration="1/25s"/></resources>'
        f'<project><sequence format="r1"><spine>{nested}</spine></sequence></project></fcpxml>'
    )
    with pytest.raises(UsageError, match="nested too deeply"):
        read_fcpxml(deep)
