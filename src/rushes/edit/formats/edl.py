"""CMX3600 edit decision lists: written from a paper edit, read back from an editor's cut.

Written by hand rather than through otio-cmx3600-adapter, whose writer (1.0.0) starts record
timecode at 00:00:00:00 whatever the sequence start, prints every 29.97 time as drop-frame (a
non-drop source at 14:23:11:19 comes out as 14:24:03;15), has no FCM line, prints source times
at the sequence rate and writes only the first track; its reader assumes 24 fps unless told.
The lists written here read back exactly through that adapter (given the rate) and through
:func:`read_edl`, and follow the conventions Premiere, Resolve and Avid read (comments after
the event they describe, 8-character reels, clip names for relinking).

What is written:

- ``TITLE:`` and ``FCM: DROP FRAME`` / ``FCM: NON-DROP FRAME`` (the record labelling). CMX3600
  is ASCII with a title of at most 70 characters: the cut's name is transliterated (accents
  dropped, ``—`` as ``-``, ``«»`` as ``"``; what has no ASCII form, such as Chinese, is left
  out) and cut to 70. Comments (``* FROM CLIP NAME:`` and the rest) keep their UTF-8 text:
  file names must match to relink, and Resolve, Premiere and :func:`read_edl` read UTF-8
  comments (an older list in Latin-1 reads too).
- one event per clip, still, title and voice-over, numbered 001 to 999 in three digits and then
  from 001 again (a list of 1,000 events goes ``999``, ``001``): the event number is a fixed
  three-digit column that readers cut by position (pycmx needs two spaces after it; a fourth
  digit shifts every column), and OpenTimelineIO's reader and :func:`read_edl` only take a
  repeated number for a transition when it follows at once, which these lists never write, so
  a number seen again 999 events later is read as a new event. Record timecodes run from the
  sequence start; drop-frame timecodes use ``;`` before the frames.
- every timecode on the 24-hour clock of SMPTE ST 12: a source recorded across midnight or a
  sequence started at 23:59:59:00 reads ``23:59:59:12 00:00:02:00``, an out label below its in
  label meaning the next day (how CMX systems counted; :func:`read_edl` reads it so when that
  makes a range shorter than 12 hours, and refuses a list written backwards). OpenTimelineIO's
  reader does not wrap: it reads such an event with a negative length.
- reels: the source's reel (≤ 8 of ``A-Z 0-9 _``), made unique within the list (two files that
  both want ``A001C003`` become ``A001C003`` and ``A001C001``; see
  :func:`~rushes.edit.timeline.reel_name`); the full clip name and the file follow as
  ``* FROM CLIP NAME:`` and ``* SOURCE FILE:`` comments, which is what editors relink by.
- channels: ``V``, ``B``/``AA/V`` (picture with mono/stereo sound), ``A``/``AA`` (sound
  only), with an ``AUD 3 4`` line for the third and fourth channels of a source that has them,
  counted over all its audio streams (a camera's four mono tracks are channels 1 to 4); past
  four, a ``* SOURCE AUDIO: N CHANNELS`` comment says what the list cannot carry.
- titles and voice-over placeholders: ``BL`` (black) events carrying ``* TITLE:`` /
  ``* VOICE-OVER:`` comments with their script.
- positioned notes: ``* LOC: <record timecode> YELLOW <text>`` locators on the event they fall
  in; cut-level notes: ``* NOTE:`` comments on the first event.
- ``variant="premiere"``: every media event on reel ``AX`` with the file's name as
  ``* FROM CLIP NAME:`` (Premiere Pro names and relinks EDL clips by it and ignores reels).

Mixed rates: an EDL has one rate (Resolve's manual lists mixed frame rates as unsupported in
EDL), and a CMX3600 reader takes every timecode on an event line at it, wants the source length
to equal the record length unless an ``M2`` motion line says the clip is sped up, and refuses
``;`` at a rate without drop-frame. So a clip whose source runs at another rate than the
sequence (29.97 DF or 50 fps in a 25 fps cut) has its source in written at the sequence rate,
keeping the label's hours, minutes and seconds and scaling its frame number down
(``01:00:01;00`` → ``01:00:01:00``, ``12:00:02:25`` at 50 → ``12:00:02:12`` at 25), and its
source out that plus the record length, as editing applications conform such a clip. No ``M2``
is written: the clip plays at its own speed, and ``M2`` would tell the reader to retime it. The
exact source range at the source's own rate follows in ``* SOURCE RATE: 29.97`` and
``* SOURCE TC: 01:00:01;00 01:00:03;15`` comments, which :func:`read_edl` prefers, so reading
an exported list back gives the frames the cut holds; readers that ignore them (OpenTimelineIO's,
most editors) relink by clip name and take the in point, which is right to the frame where the
two rates share a frame boundary and otherwise within one sequence frame. Record timecodes are
never changed. Lists rushes wrote before carry ``* SOURCE RATE:`` without ``* SOURCE TC:``, with
the event line at the source's rate; they read as they did.

Reading: the rate is the ``rate`` argument, else 29.97 for ``FCM: DROP FRAME`` (59.94 when a
frame field reaches 30); an EDL that says ``NON-DROP FRAME`` does not say its rate, and one must
be given. Events of every channel are returned (``AA/V`` gives ``V``, ``A1`` and ``A2``), black
and bars are left out, and a dissolve's zero-length outgoing line is skipped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import IO, Any, Literal, cast

from rushes.domain.timecode import (
    Timecode,
    day_frames,
    drop_count,
    format_rate,
    is_drop_frame_rate,
    nominal_fps,
    parse_rate,
)
from rushes.edit.otio_convert import RESERVED_REELS, file_name_from_url
from rushes.edit.timeline import Event, ImportedEvent, Timeline, reel_name
from rushes.errors import UsageError
from rushes.outputs import atomic_output

Variant = Literal["cmx3600", "premiere"]
VARIANTS: tuple[str, ...] = ("cmx3600", "premiere")

LOCATOR_COLOUR = "YELLOW"

#: CMX3600 keeps a list's title to 70 characters.
TITLE_LENGTH = 70
#: Event numbers are three digits: 001 to 999, then 001 again.
MAX_EVENT_NUMBER = 999
#: Punctuation that NFKD leaves as it is but has a plain ASCII stand-in.
_ASCII_PUNCTUATION = str.maketrans({
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u00ab": '"', "\u00bb": '"', "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2039": "'", "\u203a": "'", "\u00d7": "x",
    "\u3000": " ",
})


# ---------------------------------------------------------------------------------------------
# Writing


def _one_line(text: str) -> str:
    """EDL comments are single lines: line breaks in a script become `` / ``."""
    return " / ".join(part.strip() for part in text.strip().splitlines() if part.strip())


def ascii_title(name: str) -> str:
    """The ``TITLE:`` of a list: printable ASCII, at most 70 characters, never empty.

    CMX3600 is an ASCII format, and a reader that assumes it shows other bytes garbled;
    accents come off (``Café`` → ``Cafe``), dashes and quotes become ``-`` and ``"``,
    and characters with no ASCII form are left out rather than printed as ``?``."""
    spaced = " ".join(_one_line(name).split())  # tabs and other spaces are spaces
    text = unicodedata.normalize("NFKD", spaced.translate(_ASCII_PUNCTUATION))
    kept = "".join(c for c in text if " " <= c <= "~")
    title = " ".join(kept.split())[:TITLE_LENGTH].rstrip()
    return title or "Untitled"


def event_number(n: int) -> int:
    """The number printed for the ``n``-th event (from 1): 1–999, then 1 again."""
    return (n - 1) % MAX_EVENT_NUMBER + 1


def _reels(timeline: Timeline, variant: Variant) -> dict[str, str]:
    """Each source's reel, unique within the list and never one of the special reels."""
    if variant == "premiere":
        return {s.asset_id: "AX" for s in timeline.sources()}
    taken = set(RESERVED_REELS)
    reels: dict[str, str] = {}
    for source in timeline.sources():
        wanted = (source.reel or source.name).replace(".", "_")
        reels[source.asset_id] = reel_name(wanted, taken)
    return reels


def _channels(event: Event) -> str:
    source = event.source
    if event.kind != "clip" or source is None:
        return "V"
    stereo = (source.audio_channels or 2) >= 2
    if not source.has_audio:
        return "V"
    if not source.has_video:
        return "AA" if stereo else "A"
    return "AA/V" if stereo else "B"


def _event_line(number: int, reel: str, channels: str, times: list[Timecode]) -> str:
    """One event line in CMX3600 columns: reel from column 6, source in from column 30.

    ``number`` is printed in three digits, 1 to 999 and then from 1 again (see the module
    docstring), so the reel and the timecodes keep their columns for readers that cut lines
    by position."""
    stamps = " ".join(str(t) for t in times)
    return f"{event_number(number):03d}  {reel:<8} {channels:<5} C        {stamps}"


def at_sequence_rate(tc: Timecode, rate: Fraction, drop_frame: bool) -> Timecode:
    """A source label restated at the sequence rate for an event line: the same hours, minutes
    and seconds, the frame number scaled down (frame 25 of 50 is frame 12 of 25), and at
    drop-frame a skipped number moved on to the first that exists. The label is the one a
    person sees (on the 24-hour clock), so the conversion reads the same to everyone."""
    h, m, s, f = (int(x) for x in re.split(r"[:;]", str(tc)))
    frame = f * nominal_fps(rate) // nominal_fps(tc.rate)
    if drop_frame:
        skipped = drop_count(rate)
        if s == 0 and m % 10 and frame < skipped:
            frame = skipped
    return Timecode.parse(f"{h:02d}:{m:02d}:{s:02d}:{frame:02d}", rate, drop_frame)


@dataclass
class _Written:
    event: Event
    lines: list[str] = field(default_factory=list)


def _media_event(
    event: Event, timeline: Timeline, reel: str, variant: Variant
) -> tuple[str, list[Timecode], list[str]]:
    source = event.source
    assert source is not None
    if event.kind == "still":
        # Stills count in sequence frames from their (usually zero) start label.
        first = Timecode(source.start.frames + event.source_in, timeline.rate,
                         source.start.drop_frame and is_drop_frame_rate(timeline.rate))
        times = [first, first + event.duration]
    else:
        times = [source.timecode(event.source_in), source.timecode(event.source_out)]
    native = times
    mixed = event.kind == "clip" and source.rate != timeline.rate
    if mixed:
        first = at_sequence_rate(times[0], timeline.rate, timeline.drop_frame)
        times = [first, first + event.duration]
    clip_name = Path(source.path).name if variant == "premiere" else source.name
    comments = [f"* FROM CLIP NAME: {clip_name or source.name}"]
    if source.path:
        comments.append(f"* SOURCE FILE: {source.path}")
    if mixed:
        comments.append(f"* SOURCE RATE: {format_rate(source.rate)}")
        comments.append(f"* SOURCE TC: {native[0]} {native[1]}")
    if event.label and event.label != source.name:
        comments.append(f"* COMMENT: {_one_line(event.label)}")
    channels = source.audio_channels or 0
    if event.kind == "clip" and source.has_audio and channels > 2:
        if channels > 4:
            # CMX3600 has no column past the fourth channel: say what the source holds.
            comments.insert(0, f"* SOURCE AUDIO: {channels} CHANNELS, THIS EDL CARRIES 1-4")
        comments.insert(0, "AUD  3    4" if channels >= 4 else "AUD  3")
    return reel, times, comments


def _placeholder_event(event: Event, timeline: Timeline) -> tuple[str, list[Timecode], list[str]]:
    zero = Timecode(0, timeline.rate, timeline.drop_frame)
    tag = "TITLE" if event.kind == "title" else "VOICE-OVER"
    comments = [f"* FROM CLIP NAME: {tag}{': ' + _one_line(event.label) if event.label else ''}"]
    if event.text.strip():
        comments.append(f"* {tag}: {_one_line(event.text)}")
    return "BL", [zero, zero + event.duration], comments


def edl_text(timeline: Timeline, variant: Variant = "cmx3600") -> str:
    """The EDL for ``timeline`` as text (see the module docstring for its layout)."""
    if variant not in VARIANTS:
        raise UsageError(f"unknown EDL variant {variant!r} (one of: {', '.join(VARIANTS)})")
    reels = _reels(timeline, variant)
    written: list[_Written] = []
    playable = [e for e in timeline.events if e.kind != "note" and e.duration > 0]
    for number, event in enumerate(playable, start=1):
        if event.source is not None:
            reel, times, comments = _media_event(
                event, timeline, reels[event.source.asset_id], variant
            )
        else:
            reel, times, comments = _placeholder_event(event, timeline)
        record = [timeline.record_timecode(event.record_in),
                  timeline.record_timecode(event.record_out)]
        line = _event_line(number, reel, _channels(event), times + record)
        written.append(_Written(event, [line, *comments]))
    for note in (e for e in timeline.events if e.kind == "note"):
        target = _event_at(written, note.record_in)
        locator = (f"* LOC: {timeline.record_timecode(note.record_in)} {LOCATOR_COLOUR:<7} "
                   f"{_one_line(note.text or note.label)}")
        if target is None:
            written.append(_Written(note, [locator]))
        else:
            target.lines.append(locator)
    if written and timeline.notes:
        written[0].lines.extend(f"* NOTE: {_one_line(n)}" for n in timeline.notes)
    elif timeline.notes:
        written.append(_Written(Event("note", 0, 0), [f"* NOTE: {_one_line(n)}"
                                                    for n in timeline.notes]))
    title = ascii_title(timeline.name)
    fcm = "DROP FRAME" if timeline.drop_frame else "NON-DROP FRAME"
    body = "\n\n".join("\n".join(w.lines) for w in written)
    return f"TITLE: {title}\nFCM: {fcm}\n\n{body}\n"


def _event_at(written: list[_Written], frame: int) -> _Written | None:
    """The event a note at ``frame`` belongs to: the one playing then, else the last before."""
    before = None
    for w in written:
        if w.event.record_in <= frame < w.event.record_out:
            return w
        if w.event.record_in <= frame:
            before = w
    return before if before is not None else (written[0] if written else None)


def write_edl(timeline: Timeline, path: Path, *, variant: Variant = "cmx3600",
              **_options: Any) -> None:
    """Write ``timeline`` as a CMX3600 EDL (``variant="premiere"`` for Premiere Pro)."""
    text = edl_text(timeline, variant)
    with atomic_output(Path(path)) as handle:
        cast("IO[str]", handle).write(text)


# ---------------------------------------------------------------------------------------------
# Reading

_EVENT_RE = re.compile(r"^(\d+)\s+(\S+)\s+(\S+)\s+(C|D|W\d{3}|KB|KO|K)\s*(\d+)?\s+"
                       r"(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", re.IGNORECASE)
_COMMENT_RES = {
    "clip_name": re.compile(r"^\*?\s*FROM CLIP NAME:\s*(.*)$", re.IGNORECASE),
    "to_clip_name": re.compile(r"^\*?\s*TO CLIP NAME:\s*(.*)$", re.IGNORECASE),
    "file": re.compile(r"^\*?\s*(?:SOURCE FILE|FROM CLIP|FROM FILE|TO CLIP|TO FILE):\s*(.*)$",
                       re.IGNORECASE),
    "rate": re.compile(r"^\*?\s*SOURCE RATE:\s*(.*)$", re.IGNORECASE),
    "source_tc": re.compile(r"^\*?\s*SOURCE TC:\s*(\S+\s+\S+)\s*$", re.IGNORECASE),
    "aud": re.compile(r"^AUD\s+([34])(?:\s+([34]))?\s*$", re.IGNORECASE),
}
#: CMX3600 channel shorthands and the tracks they stand for (as OpenTimelineIO reads them).
_CHANNEL_TRACKS = {
    "V": ["V"], "A": ["A1"], "A1": ["A1"], "AA": ["A1", "A2"], "B": ["V", "A1"],
    "A2/V": ["V", "A2"], "AA/V": ["V", "A1", "A2"], "A1/V": ["V", "A1"],
}
_NO_MEDIA_REELS = {"BL", "BLK", "BLACK", "BARS"}
_FRAME_FIELD = re.compile(r"[:;.,](\d{2,3})$")


@dataclass
class _Pending:
    line_no: int
    number: int
    reel: str
    channels: str
    times: list[str]
    comments: dict[str, str] = field(default_factory=dict)
    extra_tracks: list[str] = field(default_factory=list)
    source_df: bool = False


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data:
        raise UsageError(f"{path.name}: not an EDL (binary data)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # older Avid lists: any byte is a character


def _edl_rate(path: Path, lines: list[str], rate: Fraction | None, drop: bool | None) -> Fraction:
    if rate is not None:
        return rate
    if drop:
        highest = 0
        for line in lines:
            if _EVENT_RE.match(line.strip()):
                for word in line.split()[-4:]:
                    m = _FRAME_FIELD.search(word)
                    highest = max(highest, int(m.group(1)) if m else 0)
        return Fraction(60000, 1001) if highest >= 30 else Fraction(30000, 1001)
    raise UsageError(
        f"{path.name}: the EDL does not say its frame rate (FCM: NON-DROP FRAME fits 23.976, "
        "24, 25, 30, 50…); give the rate"
    )


def read_edl(path: Path, rate: Fraction | None = None) -> list[ImportedEvent]:
    """The media events of a CMX3600 EDL (rules in the module docstring)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    lines = _decode(path, data).splitlines()
    pending: list[_Pending] = []
    record_df: bool | None = None
    current_df = False
    seen_header = False
    for n, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        upper = line.upper()
        if upper.startswith("TITLE:"):
            seen_header = True
        elif upper.startswith("FCM:"):
            current_df = "NON" not in upper and "DROP" in upper
            if record_df is None:
                record_df = current_df
            seen_header = True
        elif line[0].isdigit():
            m = _EVENT_RE.match(line)
            if not m:
                raise UsageError(f"{path.name} line {n}: not an EDL event line: {line!r}")
            pending.append(_Pending(n, int(m.group(1)), m.group(2).upper(), m.group(3).upper(),
                                    [m.group(6), m.group(7), m.group(8), m.group(9)],
                                    source_df=current_df))
        elif pending:
            _comment(pending[-1], line)
        elif not (line.startswith(("*", ">>>", "SPLIT")) or seen_header):
            raise UsageError(f"{path.name} line {n}: not an EDL (unexpected {line[:40]!r})")
    if not pending and not seen_header:
        raise UsageError(f"{path.name}: not an EDL (no TITLE, FCM or event lines)")
    edl_rate = _edl_rate(path, lines, rate, record_df)
    events: list[ImportedEvent] = []
    for p in pending:
        events.extend(_events_of(path, p, edl_rate, bool(record_df)))
    return events


def _comment(event: _Pending, line: str) -> None:
    for key, pattern in _COMMENT_RES.items():
        m = pattern.match(line)
        if not m:
            continue
        if key == "aud":
            event.extra_tracks += [f"A{g}" for g in m.groups() if g]
        elif key not in event.comments:
            event.comments[key] = m.group(1).strip()
        return


def _timecode(path: Path, n: int, text: str, rate: Fraction, df: bool) -> Timecode:
    try:
        if text.isdigit():  # some lists give plain frame counts
            return Timecode(int(text), rate, False)
        typed_df = ";" in text or "," in text
        return Timecode.parse(text, rate, typed_df or (df and is_drop_frame_rate(rate)))
    except UsageError as exc:
        raise UsageError(f"{path.name} line {n}: {exc}") from None


def _next_day(tc_in: Timecode, tc_out: Timecode) -> Timecode:
    """An out label below its in label is past midnight: timecode is a 24-hour clock, so
    ``23:59:59:12 00:00:02:00`` is a range of 2 s 13 frames, not a negative one. Only a range
    shorter than half a day is read so; ``00:00:01:00 00:00:00:00`` is a list written
    backwards (23 h 59 min 59 s is no event), and it is returned as it is, to be refused."""
    if tc_out.frames >= tc_in.frames:
        return tc_out
    day = day_frames(tc_out.rate, tc_out.drop_frame)
    if tc_out.frames + day - tc_in.frames >= day // 2:
        return tc_out
    return Timecode(tc_out.frames + day, tc_out.rate, tc_out.drop_frame)


def _events_of(path: Path, p: _Pending, edl_rate: Fraction, record_df: bool) -> list[ImportedEvent]:
    if p.reel in _NO_MEDIA_REELS:
        return []
    source_rate = edl_rate
    if "rate" in p.comments:
        try:
            source_rate = parse_rate(p.comments["rate"])
        except UsageError as exc:
            raise UsageError(f"{path.name} event {p.number}: SOURCE RATE {exc}") from None
    source_times, source_df = p.times[:2], p.source_df
    if "source_tc" in p.comments and "rate" in p.comments:
        # The exact range at the source's rate (the event line restates it at the list's);
        # its labels say drop-frame by their ';', whatever the FCM line says of the record.
        source_times, source_df = p.comments["source_tc"].split(), False
    s_in, s_out = (_timecode(path, p.line_no, t, source_rate, source_df) for t in source_times)
    r_in, r_out = (_timecode(path, p.line_no, t, edl_rate, record_df) for t in p.times[2:])
    s_out, r_out = _next_day(s_in, s_out), _next_day(r_in, r_out)
    if r_out.frames < r_in.frames or s_out.frames < s_in.frames:
        raise UsageError(f"{path.name} line {p.line_no}: an out timecode is before its in")
    if r_out.frames == r_in.frames:
        return []  # the outgoing side of a dissolve, or an empty edit
    clip_name = p.comments.get("to_clip_name") or p.comments.get("clip_name")
    file_text = p.comments.get("file")
    file_name = file_name_from_url(file_text) if file_text else None
    tracks = _CHANNEL_TRACKS.get(p.channels, [p.channels]) + p.extra_tracks
    return [
        ImportedEvent(
            index=p.number, track=track, rate=source_rate,
            source_in=s_in, source_out=s_out, record_in=r_in, record_out=r_out,
            reel=None if p.reel == "AX" else p.reel,
            clip_name=clip_name or None, file_name=file_name or None,
            file_path=file_text or None,
        )
        for track in tracks
    ]
