"""Final Cut Pro 7 XML (xmeml version 4): the timeline format Premiere Pro and Resolve both read.

Written directly with ElementTree rather than through otio-fcp-adapter, because that adapter
(1.0.0) ignores drop-frame when it writes a timecode (every ``displayformat`` is NDF unless
metadata from an earlier read says otherwise), guesses a file's streams from its extension,
writes no links between a clip's picture and sound, and places clips at float positions that
drift for sources at another rate. What is written here:

- ``<rate><timebase>30</timebase><ntsc>TRUE</ntsc></rate>`` for 29.97 (``timebase`` is the
  nominal rate, ``ntsc`` says ×1000/1001); rates that are neither whole nor ×1000/1001 cannot be
  said in this format and are refused.
- the sequence's ``<timecode>`` is the record start (``<frame>`` its frame count,
  ``<displayformat>`` DF or NDF, ``<string>`` with ``;`` for drop-frame); clip ``start``/``end``
  count sequence frames from it.
- each file once (``<file id>``, later uses refer to the id) with ``pathurl``
  (``file://localhost/…``, percent-encoded), duration, its own rate, its embedded start
  ``<timecode>`` with reel, and the streams it has; clip ``in``/``out`` count frames from the
  media's first frame at the clip's ``<rate>``, which is the source's own (mixed rates stay
  exact).
- picture on V1; sound on A1 … An, one track per channel of the file (a stereo file: A1 and A2;
  a camera's four mono tracks: A1 to A4), all linked to the picture.
- titles as FCP7 ``Text`` generators; voice-over placeholders and notes as sequence markers
  (a voice-over marker spans its length); cut-level notes as markers at the start.

Reading (:func:`read_fcp7`) follows the same rules, dereferences ``id`` references, inherits
rates from enclosing elements, resolves ``-1`` edges from transitions, and looks inside nested
sequences.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import quote

from rushes.domain.timecode import Timecode, is_drop_frame_rate, nominal_fps
from rushes.edit.otio_convert import file_name_from_url
from rushes.edit.timeline import Event, ImportedEvent, Source, Timeline
from rushes.errors import UsageError
from rushes.outputs import atomic_output

XMEML_VERSION = "4"


def pathurl(path: str) -> str:
    """A file URL the way FCP7 and Premiere write it: ``file://localhost/abs%20path``."""
    absolute = str(Path(path).absolute()).replace("\\", "/")
    if not absolute.startswith("/"):
        absolute = "/" + absolute  # a Windows drive path
    return "file://localhost" + quote(absolute, safe="/:")


#: Characters XML 1.0 cannot carry at all, not even escaped (ElementTree writes them raw).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _sub(parent: ET.Element, tag: str, text: object = None, **attrib: str) -> ET.Element:
    """A child element; text XML cannot hold is dropped, or the whole file would not parse."""
    element = ET.SubElement(parent, tag, {k: _NOT_XML.sub("", v) for k, v in attrib.items()})
    if text is not None:
        element.text = _NOT_XML.sub("", str(text))
    return element


def _rate(parent: ET.Element, rate: Fraction) -> None:
    ntsc = rate.denominator == 1001
    if not (rate.denominator == 1 or ntsc):
        raise UsageError(f"FCP7 XML cannot express a rate of {float(rate):g} fps")
    element = _sub(parent, "rate")
    _sub(element, "timebase", nominal_fps(rate))
    _sub(element, "ntsc", "TRUE" if ntsc else "FALSE")


def _timecode(parent: ET.Element, tc: Timecode, reel: str | None = None) -> None:
    element = _sub(parent, "timecode")
    _rate(element, tc.rate)
    _sub(element, "string", tc)
    _sub(element, "frame", tc.frames)
    _sub(element, "displayformat", "DF" if tc.drop_frame else "NDF")
    if reel:
        _sub(_sub(element, "reel"), "name", reel)


def _picture_format(parent: ET.Element, rate: Fraction, width: int | None,
                    height: int | None) -> None:
    chars = _sub(parent, "samplecharacteristics")
    _rate(chars, rate)
    if width and height:
        _sub(chars, "width", width)
        _sub(chars, "height", height)
    _sub(chars, "anamorphic", "FALSE")
    _sub(chars, "pixelaspectratio", "square")
    _sub(chars, "fielddominance", "none")


def _sound_format(parent: ET.Element, sample_rate: int) -> None:
    chars = _sub(parent, "samplecharacteristics")
    _sub(chars, "depth", 16)
    _sub(chars, "samplerate", sample_rate)


def _marker(parent: ET.Element, name: str, comment: str, start: int, end: int = -1) -> None:
    element = _sub(parent, "marker")
    _sub(element, "name", name)
    _sub(element, "comment", comment)
    _sub(element, "in", start)
    _sub(element, "out", end)


@dataclass
class _Placed:
    """One clipitem placed on a track, before its links are known."""

    element: ET.Element
    track_kind: str
    track_index: int
    clip_index: int


class _Writer:
    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.ids: dict[str, int] = {}
        self.files: dict[str, str] = {}
        self.sequence_frames = timeline.duration
        self.tracks: dict[tuple[str, int], ET.Element] = {}

    def next_id(self, tag: str) -> str:
        self.ids[tag] = self.ids.get(tag, 0) + 1
        return f"{tag}-{self.ids[tag]}"

    def file_element(self, parent: ET.Element, event: Event) -> None:
        source = event.source
        assert source is not None
        if source.asset_id in self.files:
            _sub(parent, "file", id=self.files[source.asset_id])
            return
        file_id = self.next_id("file")
        self.files[source.asset_id] = file_id
        element = _sub(parent, "file", id=file_id)
        _sub(element, "name", source.name)
        _sub(element, "pathurl", pathurl(source.path))
        rate = self.timeline.rate if event.kind == "still" else source.rate
        _rate(element, rate)
        _sub(element, "duration", self._file_frames(source))
        start = Timecode(source.start.frames, rate, source.start.drop_frame
                         and is_drop_frame_rate(rate))
        _timecode(element, start, source.reel)
        media = _sub(element, "media")
        if source.has_video or event.kind == "still":
            _picture_format(_sub(media, "video"), rate, source.width, source.height)
        if source.has_audio:
            # One <audio> per stream of the file; where there are several (a camera's mono
            # tracks), each names the file-wide channels it holds, which clip items count as
            # their ``trackindex``.
            layout = source.audio_streams
            channel = 0
            for count in layout:
                audio = _sub(media, "audio")
                _sound_format(audio, source.audio_rate or self.timeline.audio_rate)
                _sub(audio, "channelcount", count)
                for _ in range(count if sum(layout) > 2 else 0):
                    channel += 1
                    _sub(_sub(audio, "audiochannel"), "sourcechannel", channel)

    def _file_frames(self, source: Source) -> int:
        if source.duration_frames is not None:
            return source.duration_frames
        used = [max(e.source_out, e.source_in + e.duration) if e.kind == "still" else e.source_out
                for e in self.timeline.events
                if e.source is not None and e.source.asset_id == source.asset_id]
        return max(used, default=1)

    def track(self, kind: str, index: int) -> ET.Element:
        key = (kind, index)
        if key not in self.tracks:
            self.tracks[key] = ET.Element("track")
        return self.tracks[key]

    def clip_item(self, event: Event, kind: str, index: int) -> _Placed:
        source = event.source
        assert source is not None
        track = self.track(kind, index)
        element = _sub(track, "clipitem", id=self.next_id("clipitem"))
        _sub(element, "name", event.label or source.name)
        _sub(element, "enabled", "TRUE")
        _sub(element, "duration", self._file_frames(source))
        if event.kind == "still":
            _rate(element, self.timeline.rate)
            src_in, src_out = event.source_in, event.source_in + event.duration
        else:
            _rate(element, source.rate)
            src_in, src_out = event.source_in, event.source_out
        _sub(element, "start", event.record_in)
        _sub(element, "end", event.record_out)
        _sub(element, "in", src_in)
        _sub(element, "out", src_out)
        self.file_element(element, event)
        sourcetrack = _sub(element, "sourcetrack")
        _sub(sourcetrack, "mediatype", "video" if kind == "video" else "audio")
        _sub(sourcetrack, "trackindex", index)
        if event.text.strip():
            _sub(_sub(element, "comments"), "mastercomment1", event.text.strip())
        clip_index = sum(1 for child in track if child.tag in {"clipitem", "generatoritem"})
        return _Placed(element, kind, index, clip_index)

    def title(self, event: Event) -> None:
        rate = self.timeline.rate
        track = self.track("video", 1)
        element = _sub(track, "generatoritem", id=self.next_id("generatoritem"))
        _sub(element, "name", event.label or event.text.strip().split("\n", 1)[0] or "Title")
        _sub(element, "enabled", "TRUE")
        _sub(element, "duration", event.duration)
        _rate(element, rate)
        _sub(element, "start", event.record_in)
        _sub(element, "end", event.record_out)
        _sub(element, "in", 0)
        _sub(element, "out", event.duration)
        effect = _sub(element, "effect")
        _sub(effect, "name", "Text")
        _sub(effect, "effectid", "Text")
        _sub(effect, "effectcategory", "Text")
        _sub(effect, "effecttype", "generator")
        _sub(effect, "mediatype", "video")
        parameter = _sub(effect, "parameter")
        _sub(parameter, "parameterid", "str")
        _sub(parameter, "name", "Text")
        _sub(parameter, "value", event.text)

    def media(self, event: Event) -> None:
        source = event.source
        assert source is not None
        placed: list[_Placed] = []
        if event.kind == "still" or source.has_video:
            placed.append(self.clip_item(event, "video", 1))
        # Every channel of the file is one clip item on its own track (A1 … An), as FCP7 and
        # Premiere lay out a camera's or a recorder's tracks; a stereo stream's two channels
        # share a link group, every other channel (a mono track, a poly WAV's microphones) is
        # a group of its own.
        groups: list[int] = []
        if event.kind == "clip" and source.has_audio:
            group = 0
            for count in source.audio_streams:
                for channel in range(count):
                    group += 1 if channel == 0 or count != 2 else 0
                    groups.append(group)
            placed += [self.clip_item(event, "audio", i) for i in range(1, len(groups) + 1)]
        if len(placed) > 1:
            for item in placed:
                for other in placed:
                    link = _sub(item.element, "link")
                    _sub(link, "linkclipref", other.element.get("id"))
                    _sub(link, "mediatype", other.track_kind)
                    _sub(link, "trackindex", other.track_index)
                    _sub(link, "clipindex", other.clip_index)
                    if other.track_kind == "audio":
                        _sub(link, "groupindex", groups[other.track_index - 1])

    def build(self) -> ET.Element:
        tl = self.timeline
        root = ET.Element("xmeml", version=XMEML_VERSION)
        sequence = _sub(root, "sequence", id="sequence-1")
        _sub(sequence, "name", tl.name)
        _sub(sequence, "duration", tl.duration)
        _rate(sequence, tl.rate)
        _timecode(sequence, tl.start)
        _sub(sequence, "in", -1)
        _sub(sequence, "out", -1)
        markers: list[tuple[str, str, int, int]] = [("Note", n, 0, -1) for n in tl.notes]
        self.track("video", 1)
        for event in tl.events:
            if event.kind in {"clip", "still"}:
                self.media(event)
            elif event.kind == "title":
                self.title(event)
            elif event.kind == "voiceover":
                name = f"VO: {event.label}" if event.label else "VO"
                markers.append((name, event.text, event.record_in, event.record_out))
            else:
                markers.append((event.label or "Note", event.text, event.record_in, -1))
        media = _sub(sequence, "media")
        video = _sub(media, "video")
        _picture_format(_sub(video, "format"), tl.rate, tl.width, tl.height)
        audio = _sub(media, "audio")
        _sub(audio, "numOutputChannels", 2)
        _sound_format(_sub(audio, "format"), tl.audio_rate)
        for (kind, index), track in sorted(self.tracks.items()):
            _sub(track, "enabled", "TRUE")
            _sub(track, "locked", "FALSE")
            if kind == "audio":
                # Odd tracks to the left output, even to the right: the sequence has two.
                _sub(track, "outputchannelindex", (index - 1) % 2 + 1)
            (video if kind == "video" else audio).append(track)
        for name, comment, start, end in markers:
            _marker(sequence, name, comment, start, end)
        return root


def fcp7_text(timeline: Timeline) -> str:
    """The FCP7 XML document for ``timeline``."""
    root = _Writer(timeline).build()
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n{body}\n'


def write_fcp7(timeline: Timeline, path: Path, **_options: Any) -> None:
    """Write ``timeline`` as FCP7 XML for Premiere Pro, Resolve and Final Cut Pro 7."""
    text = fcp7_text(timeline)
    with atomic_output(Path(path)) as handle:
        cast("IO[str]", handle).write(text)


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class _Clock:
    rate: Fraction
    start: int
    drop_frame: bool


class _Reader:
    def __init__(self, path: Path, root: ET.Element) -> None:
        self.path = path
        self.by_id: dict[tuple[str, str], ET.Element] = {}
        for element in root.iter():
            element_id = element.get("id")
            if element_id and len(element):
                self.by_id.setdefault((element.tag, element_id), element)

    def fail(self, message: str) -> UsageError:
        return UsageError(f"{self.path.name}: {message}")

    def deref(self, element: ET.Element | None) -> ET.Element | None:
        if element is None or len(element) or not element.get("id"):
            return element
        return self.by_id.get((element.tag, element.get("id", "")), element)

    def integer(self, element: ET.Element, tag: str) -> int:
        child = element.find(tag)
        try:
            return int(float((child.text or "").strip())) if child is not None else -1
        except ValueError:
            raise self.fail(f"<{element.tag}> has a <{tag}> that is not a number") from None

    def rate_of(self, *elements: ET.Element | None) -> Fraction | None:
        """The first ``<rate>`` among ``elements`` (innermost first): FCP7 inheritance."""
        for element in elements:
            if element is None:
                continue
            timebase = element.find("rate/timebase")
            if timebase is not None and (timebase.text or "").strip():
                ntsc = (element.findtext("rate/ntsc") or "").strip().upper() == "TRUE"
                try:
                    base = Fraction((timebase.text or "").strip())
                except ValueError:
                    raise self.fail(f"<{element.tag}> has a bad <timebase>") from None
                return base * 1000 / 1001 if ntsc else base
        return None

    def timecode_of(self, element: ET.Element | None, rate: Fraction) -> tuple[int, bool]:
        """Frame count and drop-frame labelling of an element's ``<timecode>`` (0 if none)."""
        tc = element.find("timecode") if element is not None else None
        if tc is None:
            return 0, False
        tc_rate = self.rate_of(tc) or rate
        df = (tc.findtext("displayformat") or "").strip().upper() == "DF"
        frame = tc.findtext("frame")
        if frame is not None and frame.strip():
            frames = int(frame.strip())
        else:
            text = (tc.findtext("string") or "").strip()
            try:
                parsed = Timecode.parse(text, tc_rate, df if ";" not in text else None)
            except UsageError as exc:
                raise self.fail(str(exc)) from None
            frames, df = parsed.frames, parsed.drop_frame
        if tc_rate != rate:
            frames = round(Fraction(frames) * rate / tc_rate)
        return frames, df and is_drop_frame_rate(rate)

    def sequences(self, root: ET.Element) -> list[ET.Element]:
        """Top-level sequences: those not nested inside a clip."""
        found: list[ET.Element] = []

        def walk(element: ET.Element) -> None:
            for child in element:
                if child.tag == "sequence":
                    found.append(self.deref(child) or child)
                elif child.tag not in {"clipitem", "generatoritem", "file"}:
                    walk(child)

        walk(root)
        unique = {id(s): s for s in found}
        return list(unique.values())

    def read(self, root: ET.Element) -> list[ImportedEvent]:
        if root.tag != "xmeml":
            raise self.fail(f"not an FCP7 XML file (its root is <{root.tag}>, not <xmeml>)")
        sequences = self.sequences(root)
        if not sequences:
            raise self.fail("no <sequence> in this FCP7 XML file")
        events: list[ImportedEvent] = []
        # A clip's picture and each of its sound channels are clip items of their own; they
        # are one edit, as an EDL's ``AA/V`` event is, so they share its number.
        edits: dict[tuple[object, ...], int] = {}
        for sequence in sequences:
            rate = self.rate_of(sequence)
            if rate is None:
                raise self.fail(f"sequence {sequence.findtext('name')!r} has no <rate>")
            start, df = self.timecode_of(sequence, rate)
            clock = _Clock(rate, start, df)
            prefix = f"{sequence.findtext('name')}/" if len(sequences) > 1 else ""
            for track_name, clip, record_in, record_out, src_shift in self.clips(sequence, rate):
                event = self.imported(clip, prefix + track_name, clock, record_in, record_out,
                                      src_shift, len(edits) + 1)
                if event is None:
                    continue
                edit = (prefix, event.file_path or event.file_name, event.record_in.frames,
                        event.record_out.frames, event.source_in.frames, event.source_out.frames)
                events.append(replace(event, index=edits.setdefault(edit, event.index)))
        return events

    def clips(self, sequence: ET.Element, rate: Fraction
              ) -> Iterator[tuple[str, ET.Element, int, int, tuple[int, int]]]:
        """(track, clipitem, record in, record out, (in shift, out shift)) of a sequence."""
        for kind, letter in (("video", "V"), ("audio", "A")):
            tracks = sequence.findall(f"media/{kind}/track")
            for number, track in enumerate(tracks, start=1):
                if (track.findtext("enabled") or "TRUE").strip().upper() == "FALSE":
                    continue
                yield from self.track_clips(f"{letter}{number}", track, rate)

    def track_clips(self, name: str, track: ET.Element, rate: Fraction
                    ) -> Iterator[tuple[str, ET.Element, int, int, tuple[int, int]]]:
        items = [self.deref(c) or c for c in track
                 if c.tag in {"clipitem", "generatoritem", "transitionitem"}]
        for i, item in enumerate(items):
            if item.tag != "clipitem":
                continue
            if (item.findtext("enabled") or "TRUE").strip().upper() == "FALSE":
                continue
            start, end = self.integer(item, "start"), self.integer(item, "end")
            head = tail = 0
            if start < 0:
                cut, t_start = self.cut_point(items, i - 1)
                head, start = cut - t_start, cut
            if end < 0:
                cut, t_start = self.cut_point(items, i + 1)
                tail, end = self.integer(items[i + 1], "end") - cut, cut
            nested = self.deref(item.find("sequence"))
            if nested is not None:
                yield from self.nested(name, item, nested, start, end, rate)
            elif end > start:
                yield name, item, start, end, (head, tail)

    def cut_point(self, items: list[ET.Element], index: int) -> tuple[int, int]:
        """Where a transition cuts from one clip to the next, and where it starts."""
        if not 0 <= index < len(items) or items[index].tag != "transitionitem":
            raise self.fail("a clip edge of -1 without a transition next to it")
        transition = items[index]
        start, end = self.integer(transition, "start"), self.integer(transition, "end")
        alignment = (transition.findtext("alignment") or "center").strip().lower()
        if alignment.startswith("end"):
            return end, start
        if alignment.startswith("start"):
            return start, start
        return (start + end) // 2, start

    def nested(self, name: str, item: ET.Element, nested: ET.Element, start: int, end: int,
               rate: Fraction) -> Iterator[tuple[str, ET.Element, int, int, tuple[int, int]]]:
        """Clips of a nested sequence, cut to the window the outer clip shows of it."""
        inner_rate = self.rate_of(nested) or rate
        scale = rate / inner_rate
        window_in = round(self.integer(item, "in") * scale)
        for _track, clip, r_in, r_out, (head, tail) in self.clips(nested, inner_rate):
            a, b = round(r_in * scale), round(r_out * scale)
            lo, hi = max(a, window_in), min(b, window_in + end - start)
            if hi <= lo:
                continue
            # Shifts are handed on in this (outer) sequence's frames.
            shift = (round(head * scale) + lo - a, round(tail * scale) + b - hi)
            yield name, clip, start + lo - window_in, start + hi - window_in, shift

    def imported(self, clip: ET.Element, track: str, clock: _Clock, record_in: int,
                 record_out: int, shift: tuple[int, int], index: int) -> ImportedEvent | None:
        file = self.deref(clip.find("file"))
        url = (file.findtext("pathurl") or "").strip() if file is not None else ""
        if file is None or (not url and file.find("mediaSource") is not None):
            return None  # no file, or a generator (Premiere writes black video as a "Slug")
        file_rate = self.rate_of(file)
        clip_rate = self.rate_of(clip, file) or clock.rate
        media_rate = file_rate or clip_rate
        tc_start, df = self.timecode_of(file, media_rate)
        src_in, src_out = self.integer(clip, "in"), self.integer(clip, "out")
        if src_in < 0 or src_out < 0:
            raise self.fail(f"clip {clip.findtext('name')!r} has no <in>/<out>")
        # ``shift`` is in sequence frames (transitions, nesting); in/out count at the clip rate.
        src_in += round(Fraction(shift[0]) * clip_rate / clock.rate)
        src_out -= round(Fraction(shift[1]) * clip_rate / clock.rate)
        if clip_rate != media_rate:
            src_in = round(Fraction(src_in) * media_rate / clip_rate)
            src_out = round(Fraction(src_out) * media_rate / clip_rate)
        file_name = file_name_from_url(url) if url else (file.findtext("name") or "").strip()
        reel = (file.findtext("timecode/reel/name") or "").strip()
        return ImportedEvent(
            index=index, track=track, rate=media_rate,
            source_in=Timecode(tc_start + src_in, media_rate, df),
            source_out=Timecode(tc_start + src_out, media_rate, df),
            record_in=Timecode(clock.start + record_in, clock.rate, clock.drop_frame),
            record_out=Timecode(clock.start + record_out, clock.rate, clock.drop_frame),
            reel=reel or None,
            clip_name=(clip.findtext("name") or "").strip() or None,
            file_name=file_name or None,
            file_path=url or None,
        )


def read_fcp7(path: Path) -> list[ImportedEvent]:
    """The media clips of every track of an FCP7 XML file, as events."""
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise UsageError(
            f"{path.name} line {line}: not well-formed XML (column {column})"
        ) from None
    return _Reader(path, root).read(root)
