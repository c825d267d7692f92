"""FCPXML 1.10 for Final Cut Pro and DaVinci Resolve, written and read by our own code.

OpenTimelineIO's FCPXML adapter writes a stale 1.8 and, at 30000/1001, times that do not sit on
the frame grid, which Final Cut refuses. So the document is built here from Apple's 1.10 DTD.

FCPXML counts time as rational seconds (``"1001/30000s"``). Every time written here is a whole
number of frames of the timebase it belongs to: a spine item's ``offset`` and ``duration`` are
sequence frames; an ``asset-clip``'s ``start`` is source frames counted from the asset's
``start`` (its embedded timecode), so Final Cut never snaps an edit and NTSC rates never drift.
A source at another rate keeps its conformed duration in sequence frames and plays in real time
(``conform-rate scaleEnabled="0"``), which is what :mod:`rushes.edit.timeline` assumed when it
conformed the record side.

Reading walks the whole structure an editor may send back (connected clips, secondary
storylines, compound, synchronised and multicam clips, auditions), maps every media item to
sequence time and returns one :class:`~rushes.edit.timeline.ImportedEvent` per visible piece.
Retimed clips (``timeMap``, or a ``conform-rate`` that scales) are read as if at normal speed.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path, PurePosixPath
from typing import IO, cast
from urllib.parse import unquote, urlsplit
from xml.parsers import expat

from rushes.domain.timecode import Timecode, is_drop_frame_rate
from rushes.edit.timeline import (
    Event,
    ImportedEvent,
    Source,
    Timeline,
    round_half_up,
)
from rushes.errors import UsageError
from rushes.outputs import atomic_output

FCPXML_VERSION = "1.10"

#: Final Cut's built-in Basic Title; Resolve maps it to its own text title on import.
BASIC_TITLE_UID = (
    ".../Titles.localized/Bumper:Opener.localized/Basic Title.localized/Basic Title.moti"
)

#: ``conform-rate srcFrameRate`` only takes these names (DTD enumeration).
_CONFORM_RATE_NAMES: dict[Fraction, str] = {
    Fraction(24000, 1001): "23.98",
    Fraction(24): "24",
    Fraction(25): "25",
    Fraction(30000, 1001): "29.97",
    Fraction(30): "30",
    Fraction(48000, 1001): "47.95",
    Fraction(48): "48",
    Fraction(50): "50",
    Fraction(60000, 1001): "59.94",
    Fraction(60): "60",
}

#: ``sequence audioRate`` only takes these names (DTD enumeration).
_AUDIO_RATE_NAMES: dict[int, str] = {
    32000: "32k",
    44100: "44.1k",
    48000: "48k",
    88200: "88.2k",
    96000: "96k",
    176400: "176.4k",
    192000: "192k",
}

#: Final Cut's own names for common progressive formats; other sizes go unnamed (custom).
_FORMAT_SIZE_NAMES: dict[tuple[int, int], str] = {
    (1920, 1080): "1080p",
    (1280, 720): "720p",
    (3840, 2160): "3840x2160p",
    (4096, 2160): "4096x2160p",
}
_FORMAT_RATE_NAMES: dict[Fraction, str] = {
    Fraction(24000, 1001): "2398",
    Fraction(24): "24",
    Fraction(25): "25",
    Fraction(30000, 1001): "2997",
    Fraction(30): "30",
    Fraction(50): "50",
    Fraction(60000, 1001): "5994",
    Fraction(60): "60",
}

#: Characters XML 1.0 cannot carry at all, not even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TIME_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)(?:/(\d+))?s?\s*$")


def fcpxml_time(seconds: Fraction) -> str:
    """Seconds as FCPXML prints them, reduced: ``"0s"``, ``"36000s"``, ``"1001/30000s"``."""
    if seconds.denominator == 1:
        return f"{seconds.numerator}s"
    return f"{seconds.numerator}/{seconds.denominator}s"


def parse_fcpxml_time(text: str) -> Fraction:
    """Read an FCPXML time (``"1001/30000s"``, ``"3600s"``, ``"3603.6s"``); ValueError if not."""
    m = _TIME_RE.match(text)
    if not m:
        raise ValueError(f"not an FCPXML time: {text!r}")
    value = Fraction(m.group(1))
    if m.group(2) is not None:
        denominator = int(m.group(2))
        if denominator == 0:
            raise ValueError(f"not an FCPXML time: {text!r}")
        value /= denominator
    return value


def write_fcpxml(timeline: Timeline, path: Path) -> None:
    """Write ``timeline`` as an FCPXML 1.10 file, whole or not at all."""
    document = render_fcpxml(timeline)
    try:
        with atomic_output(Path(path), "wb") as handle:
            cast("IO[bytes]", handle).write(document.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def render_fcpxml(timeline: Timeline) -> str:
    """The FCPXML 1.10 document for ``timeline`` as text (UTF-8 declared)."""
    root = _Writer(timeline).build()
    ET.indent(root, space="    ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n\n{body}\n'


# --------------------------------------------------------------------------------------------
# Writing


def _clean(text: str) -> str:
    """Text XML can hold: CR/LF made LF, characters XML 1.0 forbids dropped (never escaped)."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _first_line(text: str, limit: int = 80) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _file_url(path: str) -> str:
    """A percent-encoded ``file:///`` URL, as Final Cut and Resolve relink by."""
    return Path(path).expanduser().absolute().as_uri()


def _is_still(source: Source) -> bool:
    return source.kind == "image"


def _is_audio_only(source: Source) -> bool:
    return source.kind == "audio" or (not source.has_video and source.has_audio)


@dataclass(slots=True)
class _Host:
    """A spine item a note's marker can sit on, and the local timebase its markers use."""

    element: ET.Element
    record_in: int
    record_out: int
    local_start: Fraction
    local_rate: Fraction


@dataclass(slots=True)
class _Writer:
    timeline: Timeline
    _next_id: int = 0
    _formats: dict[tuple[Fraction | None, int | None, int | None], str] = field(
        default_factory=dict
    )
    _format_elements: list[ET.Element] = field(default_factory=list)
    _asset_ids: dict[str, str] = field(default_factory=dict)
    _asset_formats: dict[str, str | None] = field(default_factory=dict)
    _asset_elements: list[ET.Element] = field(default_factory=list)
    _effect_elements: list[ET.Element] = field(default_factory=list)
    _title_effect: str | None = None
    _styles: int = 0

    @property
    def rate(self) -> Fraction:
        return self.timeline.rate

    def build(self) -> ET.Element:
        tl = self.timeline
        root = ET.Element("fcpxml", version=FCPXML_VERSION)
        resources = ET.SubElement(root, "resources")
        sequence_format = self._format(tl.rate, tl.width, tl.height)
        for source in tl.sources():
            self._asset(source)

        spine = ET.Element("spine")
        hosts, length = self._spine(spine)
        orphans = self._markers(hosts)

        resources.extend(self._format_elements + self._asset_elements + self._effect_elements)
        library = ET.SubElement(root, "library")
        name = _clean(tl.name) or "Untitled"
        event = ET.SubElement(library, "event", name=name)
        project = ET.SubElement(event, "project", name=name)
        sequence = ET.SubElement(
            project,
            "sequence",
            format=sequence_format,
            duration=self._seq_time(length),
            tcStart=fcpxml_time(tl.start.seconds()),
            tcFormat="DF" if tl.drop_frame else "NDF",
            audioLayout="stereo",
        )
        if tl.audio_rate in _AUDIO_RATE_NAMES:
            sequence.set("audioRate", _AUDIO_RATE_NAMES[tl.audio_rate])
        notes = [_clean(n) for n in (*tl.notes, *orphans) if _clean(n).strip()]
        if notes:
            ET.SubElement(sequence, "note").text = "\n\n".join(notes)
        sequence.append(spine)
        return root

    # resources ------------------------------------------------------------------------------

    def _id(self) -> str:
        self._next_id += 1
        return f"r{self._next_id}"

    def _format(self, rate: Fraction | None, width: int | None, height: int | None) -> str:
        """One ``<format>`` per distinct rate and size; ``rate=None`` is a still's format."""
        key = (rate, width, height)
        if key in self._formats:
            return self._formats[key]
        fid = self._id()
        element = ET.Element("format", id=fid)
        if rate is None:
            element.set("name", "FFVideoFormatRateUndefined")
        else:
            size_name = _FORMAT_SIZE_NAMES.get((width or 0, height or 0))
            rate_name = _FORMAT_RATE_NAMES.get(rate)
            if size_name and rate_name:
                element.set("name", f"FFVideoFormat{size_name}{rate_name}")
            element.set("frameDuration", fcpxml_time(1 / rate))
        if width and height:
            element.set("width", str(width))
            element.set("height", str(height))
        self._formats[key] = fid
        self._format_elements.append(element)
        return fid

    def _used_frames(self, source: Source) -> int:
        """Source frames the cut reaches into, counting a conformed clip's real-time end."""
        used = 0
        for e in self.timeline.events:
            if e.source is not None and e.source.asset_id == source.asset_id:
                played = math.ceil(e.duration * source.rate / self.rate)
                used = max(used, e.source_out, e.source_in + played)
        return used

    def _asset(self, source: Source) -> None:
        tl = self.timeline
        rid = self._id()
        element = ET.Element("asset", id=rid, name=_clean(source.name) or Path(source.path).name)
        element.set("start", fcpxml_time(source.start.frames / source.rate))
        format_id: str | None = None
        if _is_still(source):
            format_id = self._format(None, source.width or tl.width, source.height or tl.height)
            element.set("duration", "0s")
            element.set("hasVideo", "1")
            element.set("format", format_id)
            element.set("videoSources", "1")
        else:
            frames = max(source.duration_frames or 0, self._used_frames(source))
            element.set("duration", fcpxml_time(frames / source.rate))
            if not _is_audio_only(source):
                format_id = self._format(
                    source.rate, source.width or tl.width, source.height or tl.height
                )
                element.set("hasVideo", "1")
                element.set("format", format_id)
                element.set("videoSources", "1")
            if source.has_audio or _is_audio_only(source):
                element.set("hasAudio", "1")
                # Every stream is a source (a camera's four mono tracks: four); the channels
                # are all of them together. An asset-clip then carries all of them.
                element.set("audioSources", str(len(source.audio_streams)))
                element.set("audioChannels", str(source.audio_channels or 2))
                element.set("audioRate", str(source.audio_rate or tl.audio_rate))
        ET.SubElement(element, "media-rep", kind="original-media", src=_file_url(source.path))
        self._asset_ids[source.asset_id] = rid
        self._asset_formats[source.asset_id] = format_id
        self._asset_elements.append(element)

    def _title_effect_id(self) -> str:
        if self._title_effect is None:
            self._title_effect = self._id()
            self._effect_elements.append(
                ET.Element("effect", id=self._title_effect, name="Basic Title", uid=BASIC_TITLE_UID)
            )
        return self._title_effect

    # spine ----------------------------------------------------------------------------------

    def _seq_time(self, frames: int) -> str:
        return fcpxml_time(frames / self.rate)

    def _offset(self, record_frame: int) -> str:
        return self._seq_time(self.timeline.start.frames + record_frame)

    def _spine(self, spine: ET.Element) -> tuple[list[_Host], int]:
        """Fill the primary storyline; holes between events become gaps, overlaps are refused."""
        items = sorted(
            (e for e in self.timeline.events if e.kind != "note"), key=lambda e: e.record_in
        )
        hosts: list[_Host] = []
        position = 0
        for event in items:
            where = f"record {self.timeline.record_timecode(event.record_in)}"
            if event.duration <= 0:
                raise UsageError(f"FCPXML: {event.kind} at {where} has no duration")
            if event.record_in < position:
                raise UsageError(
                    f"FCPXML: {event.kind} at {where} overlaps the item before it; "
                    "the primary storyline holds one item at a time"
                )
            if event.record_in > position:
                hosts.append(self._gap(spine, position, event.record_in - position, "Gap"))
            hosts.append(self._item(spine, event, where))
            position = event.record_out
        return hosts, position

    def _item(self, spine: ET.Element, event: Event, where: str) -> _Host:
        source = event.source
        if event.kind == "title":
            return self._title(spine, event)
        if event.kind == "voiceover" and source is None:
            return self._voiceover(spine, event)
        if source is None:
            raise UsageError(f"FCPXML: {event.kind} at {where} has no source media")
        if event.kind == "still" and _is_still(source):
            return self._clip(spine, event, source, "video")
        return self._clip(spine, event, source, "asset-clip")

    def _clip(self, spine: ET.Element, event: Event, source: Source, tag: str) -> _Host:
        start = (source.start.frames + event.source_in) / source.rate
        element = ET.SubElement(
            spine,
            tag,
            ref=self._asset_ids[source.asset_id],
            offset=self._offset(event.record_in),
            name=_clean(event.label) or _clean(source.name) or Path(source.path).name,
            start=fcpxml_time(start),
            duration=self._seq_time(event.duration),
        )
        if tag == "asset-clip":
            format_id = self._asset_formats[source.asset_id]
            if format_id is not None:
                element.set("format", format_id)
            element.set("tcFormat", "DF" if source.start.drop_frame else "NDF")
        if _clean(event.text).strip():
            ET.SubElement(element, "note").text = _clean(event.text)
        mixed = source.rate != self.rate and not _is_audio_only(source) and not _is_still(source)
        if tag == "asset-clip" and mixed:
            # Real-time playback, frames sampled: the rate the conform rule assumed.
            conform = ET.SubElement(element, "conform-rate", scaleEnabled="0")
            if source.rate in _CONFORM_RATE_NAMES:
                conform.set("srcFrameRate", _CONFORM_RATE_NAMES[source.rate])
        return _Host(element, event.record_in, event.record_out, start, source.rate)

    def _title(self, spine: ET.Element, event: Event) -> _Host:
        body = _clean(event.text) or _clean(event.label) or "Title"
        element = ET.SubElement(
            spine,
            "title",
            ref=self._title_effect_id(),
            offset=self._offset(event.record_in),
            name=_first_line(_clean(event.label) or body) or "Title",
            duration=self._seq_time(event.duration),
        )
        self._styles += 1
        style_id = f"ts{self._styles}"
        text = ET.SubElement(element, "text")
        ET.SubElement(text, "text-style", ref=style_id).text = body
        definition = ET.SubElement(element, "text-style-def", id=style_id)
        ET.SubElement(
            definition,
            "text-style",
            font="Helvetica",
            fontSize="63",
            fontFace="Regular",
            fontColor="1 1 1 1",
            alignment="center",
        )
        return _Host(element, event.record_in, event.record_out, Fraction(0), self.rate)

    def _gap(self, spine: ET.Element, record_in: int, duration: int, name: str) -> _Host:
        element = ET.SubElement(
            spine,
            "gap",
            name=name,
            offset=self._offset(record_in),
            duration=self._seq_time(duration),
        )
        return _Host(element, record_in, record_in + duration, Fraction(0), self.rate)

    def _voiceover(self, spine: ET.Element, event: Event) -> _Host:
        """A named gap holding the script: narration is recorded later, in the editor's room."""
        script = _clean(event.text)
        name = "VO: " + (_first_line(_clean(event.label)) or _first_line(script) or "narration")
        host = self._gap(spine, event.record_in, event.duration, name)
        if script.strip():
            ET.SubElement(host.element, "note").text = script
        ET.SubElement(host.element, "marker", start="0s", duration=self._seq_time(1), value=name)
        return host

    def _markers(self, hosts: list[_Host]) -> list[str]:
        """Put each note on the spine item under its record point; return those with none."""
        orphans: list[str] = []
        for event in self.timeline.events:
            if event.kind != "note":
                continue
            value = _clean(event.text).strip() or _clean(event.label).strip() or "Note"
            host = _host_at(hosts, event.record_in)
            if host is None:
                orphans.append(value)
                continue
            record = min(max(event.record_in, host.record_in), host.record_out - 1)
            # On the host's own frame grid: source frames for a clip at another rate.
            local_frames = round_half_up((record - host.record_in) * host.local_rate / self.rate)
            local_length = math.floor(
                (host.record_out - host.record_in) * host.local_rate / self.rate
            )
            local_frames = max(0, min(local_frames, local_length - 1))
            marker = ET.SubElement(
                host.element,
                "marker",
                start=fcpxml_time(host.local_start + local_frames / host.local_rate),
                duration=fcpxml_time(1 / host.local_rate),
                value=value,
            )
            if event.label.strip() and _clean(event.text).strip():
                marker.set("value", _clean(event.label).strip())
                marker.set("note", _clean(event.text))
        return orphans


def _host_at(hosts: list[_Host], record: int) -> _Host | None:
    for host in hosts:
        if host.record_in <= record < host.record_out:
            return host
    if hosts and record >= hosts[-1].record_out:
        return hosts[-1]
    if hosts and record < hosts[0].record_in:
        return hosts[0]
    return None


# --------------------------------------------------------------------------------------------
# Reading


@dataclass(slots=True)
class _Node:
    """An element with the line it starts on, so every error can say where."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node] = field(default_factory=list)

    def child(self, tag: str) -> _Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def iter(self, tag: str) -> Iterator[_Node]:
        if self.tag == tag:
            yield self
        for c in self.children:
            yield from c.iter(tag)


def _document(path: Path) -> Path:
    """The XML file itself: a ``.fcpxmld`` bundle keeps it as ``Info.fcpxml``."""
    if path.is_dir():
        inner = path / "Info.fcpxml"
        if not inner.is_file():
            raise UsageError(f"{path}: an FCPXML bundle must contain Info.fcpxml")
        return inner
    return path


def _parse(path: Path) -> _Node:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    parser = expat.ParserCreate()
    stack: list[_Node] = []
    roots: list[_Node] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = _Node(tag, attrs, parser.CurrentLineNumber)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        message = expat.ErrorString(exc.code) or "not XML"
        raise UsageError(
            f"{path}: line {exc.lineno}, column {exc.offset + 1}: unreadable FCPXML ({message})"
        ) from None
    root = roots[0]
    if root.tag != "fcpxml":
        raise UsageError(f"{path}: line {root.line}: not FCPXML (root element <{root.tag}>)")
    return root


def read_fcpxml(path: Path) -> list[ImportedEvent]:
    """The media events of the first project in an FCPXML file or ``.fcpxmld`` bundle.

    Source timecodes are at each asset's own rate (the sequence rate for stills and audio),
    record timecodes at the sequence rate; events come in record order, numbered from 1.
    """
    file = _document(Path(path))
    try:
        return _Reader(file, _parse(file)).read()
    except RecursionError:
        raise UsageError(f"{file}: FCPXML nested too deeply to read") from None


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a container's local time sits: sequence time = local time + ``shift``.

    ``lo``/``hi`` bound what is visible (a compound clip shows only its trimmed range);
    ``lane`` is the connection to the primary storyline; ``drop_frame`` the tcFormat in force.
    """

    shift: Fraction
    lo: Fraction
    hi: Fraction
    lane: int
    drop_frame: bool


_MEDIA_ITEMS = frozenset({"asset-clip", "video", "audio"})
_CLIP_ITEMS = frozenset(
    {
        "asset-clip",
        "video",
        "audio",
        "clip",
        "sync-clip",
        "ref-clip",
        "mc-clip",
        "title",
        "gap",
        "audition",
    }
)
_FAR = Fraction(10**12)


@dataclass(slots=True)
class _Found:
    event: ImportedEvent
    key: tuple[str, int, int, int, int]


class _Reader:
    def __init__(self, file: Path, root: _Node) -> None:
        self.file = file
        self.root = root
        resources = root.child("resources")
        self.resources: dict[str, _Node] = {}
        for node in resources.children if resources is not None else []:
            if "id" in node.attrs:
                self.resources[node.attrs["id"]] = node
        self.found: list[_Found] = []
        self.open_media: set[str] = set()
        self.seq_rate = Fraction(25)
        self.seq_drop = False

    def error(self, node: _Node, message: str) -> UsageError:
        return UsageError(f"{self.file}: line {node.line}: {message}")

    def time(self, node: _Node, name: str, default: Fraction | None = None) -> Fraction:
        value = node.attrs.get(name)
        if value is None:
            if default is None:
                raise self.error(node, f"<{node.tag}> has no {name}")
            return default
        try:
            return parse_fcpxml_time(value)
        except ValueError:
            raise self.error(node, f'<{node.tag}> {name}="{value}" is not an FCPXML time') from None

    def resource(self, node: _Node, attr: str, kinds: Iterable[str]) -> _Node:
        ref = node.attrs.get(attr)
        found = self.resources.get(ref) if ref is not None else None
        kinds = tuple(kinds)
        if found is None or found.tag not in kinds:
            raise self.error(
                node, f'<{node.tag}> {attr}="{ref or ""}" names no <{"/".join(kinds)}> resource'
            )
        return found

    def lane(self, node: _Node) -> int:
        value = node.attrs.get("lane", "0")
        try:
            return int(value)
        except ValueError:
            raise self.error(node, f'<{node.tag}> lane="{value}" is not a whole number') from None

    def format_rate(self, fmt: _Node) -> Fraction | None:
        if "frameDuration" not in fmt.attrs:
            return None
        frame = self.time(fmt, "frameDuration")
        if frame <= 0:
            raise self.error(
                fmt,
                f'<format> frameDuration="{fmt.attrs["frameDuration"]}" is not a frame duration',
            )
        return 1 / frame

    # walking --------------------------------------------------------------------------------

    def read(self) -> list[ImportedEvent]:
        sequence = next(
            (s for p in self.root.iter("project") for s in p.children if s.tag == "sequence"),
            None,
        )
        if sequence is None:
            raise UsageError(f"{self.file}: no project (timeline) in this FCPXML file")
        rate = self.format_rate(self.resource(sequence, "format", ("format",)))
        if rate is None:
            raise self.error(sequence, "the sequence's <format> has no frameDuration")
        self.seq_rate = rate
        self.seq_drop = sequence.attrs.get("tcFormat") == "DF" and is_drop_frame_rate(rate)
        spine = sequence.child("spine")
        if spine is None:
            raise self.error(sequence, "<sequence> has no <spine>")
        # The sequence's tcFormat labels the record side only; a source takes drop-frame from
        # its own (or its enclosing clip's) tcFormat, so stills read back non-drop as conformed.
        place = _Place(Fraction(0), -_FAR, _FAR, 0, False)
        self.spine(spine, place, self.time(sequence, "tcStart", Fraction(0)))

        seen: set[tuple[str, int, int, int, int]] = set()
        unique = []
        for found in self.found:
            if found.key not in seen:
                seen.add(found.key)
                unique.append(found.event)
        unique.sort(key=lambda e: e.record_in.frames)
        return [replace(e, index=i) for i, e in enumerate(unique, start=1)]

    def spine(self, spine: _Node, place: _Place, first: Fraction) -> None:
        """A storyline: items follow each other, each at its offset (or where the last ended)."""
        lane = place.lane or self.lane(spine)
        inner = replace(
            place, shift=place.shift + self.time(spine, "offset", Fraction(0)), lane=lane
        )
        self.sequence_of(spine.children, inner, first)

    def sequence_of(self, items: list[_Node], place: _Place, first: Fraction) -> None:
        position = first
        for child in items:
            if child.tag in _CLIP_ITEMS:
                position = self.item(child, place, position)

    def item(self, node: _Node, place: _Place, default_offset: Fraction) -> Fraction:
        """Map one clip item (and what it holds) to sequence time; return its end, local."""
        if node.tag == "audition":
            pick = next((c for c in node.children if c.tag in _CLIP_ITEMS), None)
            offset = self.time(node, "offset", default_offset)
            lane = self.lane(node)
            if pick is None:
                return offset
            return self.item(pick, replace(place, lane=place.lane or lane), offset)
        offset = self.time(node, "offset", default_offset)
        start = self.time(node, "start", Fraction(0))
        if node.tag == "asset-clip" and "duration" not in node.attrs:
            asset = self.resource(node, "ref", ("asset",))
            duration = self.time(asset, "duration", Fraction(0)) - (
                start - self.time(asset, "start", Fraction(0))
            )
        else:
            duration = self.time(node, "duration")
        lane = place.lane or self.lane(node)
        tc_format = node.attrs.get("tcFormat")
        drop = place.drop_frame if tc_format is None else tc_format == "DF"
        begin = place.shift + offset
        shift = place.shift + offset - start
        inside = _Place(shift, max(place.lo, begin), min(place.hi, begin + duration), lane, drop)
        anchored = _Place(shift, place.lo, place.hi, lane, drop)

        if node.tag in _MEDIA_ITEMS:
            resource = self.resource(node, "ref", ("asset", "effect", "media"))
            if resource.tag == "asset":
                self.emit(node, resource, inside)
        if node.tag in ("clip", "sync-clip"):
            for child in node.children:
                if child.tag == "spine":
                    self.spine(child, inside, Fraction(0))
                elif child.tag in _CLIP_ITEMS:
                    self.item(child, inside, start)
        else:
            for child in node.children:
                if child.tag == "spine":
                    self.spine(child, anchored, Fraction(0))
                elif child.tag in _CLIP_ITEMS:
                    self.item(child, anchored, start)
        if node.tag == "ref-clip":
            self.compound(node, inside)
        elif node.tag == "mc-clip":
            self.multicam(node, inside)
        return offset + duration

    def compound(self, node: _Node, place: _Place) -> None:
        media = self.resource(node, "ref", ("media",))
        sequence = media.child("sequence")
        spine = sequence.child("spine") if sequence is not None else None
        if sequence is None or spine is None:
            return
        media_id = media.attrs["id"]
        if media_id in self.open_media:
            raise self.error(node, f'compound clip "{media_id}" contains itself')
        self.open_media.add(media_id)
        self.spine(spine, place, self.time(sequence, "tcStart", Fraction(0)))
        self.open_media.discard(media_id)

    def multicam(self, node: _Node, place: _Place) -> None:
        media = self.resource(node, "ref", ("media",))
        multicam = media.child("multicam")
        if multicam is None:
            return
        angles = {a.attrs.get("angleID", ""): a for a in multicam.children if a.tag == "mc-angle"}
        active = [
            s.attrs.get("angleID", "")
            for s in node.children
            if s.tag == "mc-source" and s.attrs.get("srcEnable", "all") != "none"
        ]
        if not active and angles:
            active = [next(iter(angles))]
        for angle_id in dict.fromkeys(active):
            if angle_id in angles:
                self.sequence_of(angles[angle_id].children, place, Fraction(0))

    def emit(self, node: _Node, asset: _Node, place: _Place) -> None:
        if place.hi <= place.lo:
            return
        fmt = self.resources.get(asset.attrs.get("format", ""))
        rate = (self.format_rate(fmt) if fmt is not None else None) or self.seq_rate
        source_drop = place.drop_frame and is_drop_frame_rate(rate)
        local_in, local_out = place.lo - place.shift, place.hi - place.shift
        source_in = round_half_up(local_in * rate)
        source_out = round_half_up(local_out * rate)
        record_in = round_half_up(place.lo * self.seq_rate)
        record_out = round_half_up(place.hi * self.seq_rate)
        audio = node.tag == "audio" or asset.attrs.get("hasVideo", "0") != "1"
        if audio:
            track = f"A{abs(place.lane) + 1}"
        else:
            track = f"V{place.lane + 1}" if place.lane >= 0 else f"V{place.lane}"
        event = ImportedEvent(
            index=0,
            track=track,
            rate=rate,
            source_in=Timecode(source_in, rate, source_drop),
            source_out=Timecode(source_out, rate, source_drop),
            record_in=Timecode(record_in, self.seq_rate, self.seq_drop),
            record_out=Timecode(record_out, self.seq_rate, self.seq_drop),
            reel=None,
            clip_name=node.attrs.get("name") or asset.attrs.get("name"),
            file_name=_media_file_name(asset),
            file_path=_media_file_path(asset),
        )
        key = (asset.attrs.get("id", ""), source_in, source_out, record_in, record_out)
        self.found.append(_Found(event, key))


def _media_file_name(asset: _Node) -> str | None:
    src = _media_file_path(asset)
    return PurePosixPath(unquote(urlsplit(src).path)).name or None if src else None


def _media_file_path(asset: _Node) -> str | None:
    """The ``src`` URL of the asset's original media (else its first local one)."""
    reps = [c for c in asset.children if c.tag == "media-rep"]
    reps.sort(key=lambda r: r.attrs.get("kind", "original-media") != "original-media")
    for rep in reps:
        src = rep.attrs.get("src", "")
        parts = urlsplit(src)
        if parts.scheme not in ("", "file"):
            continue
        if PurePosixPath(unquote(parts.path)).name:
            return src
    return None
