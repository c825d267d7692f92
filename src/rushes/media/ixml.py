"""What a sound recorder wrote about a take in its WAV's iXML chunk (iXML 1.x–3.x).

Recorders from Sound Devices, Zaxcom, Zoom (F series), Aaton and Sonosax write it beside the
``bext`` chunk: the timecode rate their display and the slate counted (``<SPEED>``), the
scene, take, tape (the day's roll), the sound recordist's note and circled takes, and the name
of each channel (``<TRACK_LIST>``: "Boom", "Lav Ellen"). The sound report is made from the
same fields, and an editor looks for a take by them.

Read here rather than through exiftool: exiftool keeps only the first of several ``<TRACK>``
elements and gives ``24000/1001`` as a rounded decimal. The chunk is at most
:data:`MAX_IXML` bytes (recorders write a few kilobytes); anything that does not parse gives
no iXML rather than an error, as the file's sound is unaffected.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from rushes.domain.timecode import has_timecode, is_drop_frame_rate, snap_rate
from rushes.media.wav_header import read_chunk, riff_chunks

#: The largest iXML chunk read: far above what any recorder writes, far below harm.
MAX_IXML = 1024 * 1024
_RATE = re.compile(r"\d{1,6}(\.\d{1,6})?(/\d{1,6})?")
#: The fastest timecode a recorder's iXML may name (SMPTE ST 12-3 counts up to 120 fps).
MAX_TIMECODE_RATE = 120


@dataclass(frozen=True)
class Ixml:
    #: The timecode rate the recorder counted (``24000/1001``); None where it did not say, or
    #: names a rate timecode cannot count.
    timecode_rate: Fraction | None = None
    #: ``DF``/``NDF`` as said; None where it did not say (a rate's usual labelling).
    drop_frame: bool | None = None
    scene: str | None = None
    take: str | None = None
    tape: str | None = None
    note: str | None = None
    circled: bool | None = None
    #: Each channel's name in interleave order ("" where a channel has none); empty where the
    #: recorder listed no tracks.
    tracks: tuple[str, ...] = ()


def read_ixml(path: Path) -> Ixml | None:
    """The iXML of the WAV at ``path``; None where it has none (or is no WAV)."""
    for chunk_id, offset, size in riff_chunks(path, past_data=True):
        if chunk_id == b"iXML" and 0 < size <= MAX_IXML:
            body = read_chunk(path, offset, size)
            return parse_ixml(body) if body is not None else None
    return None


def parse_ixml(body: bytes) -> Ixml | None:
    """The fields of an iXML document; None where it is not one."""
    try:
        root = ET.fromstring(body.rstrip(b"\x00 \r\n\t"))
    except (ET.ParseError, ValueError, LookupError, RecursionError):
        # Malformed, or declared in an encoding expat cannot read (Shift_JIS, an unknown one).
        return None
    if root.tag.upper() != "BWFXML":
        return None
    speed = root.find("SPEED")
    rate = _rate(_text(speed, "TIMECODE_RATE")) if speed is not None else None
    flag = (_text(speed, "TIMECODE_FLAG") or "").upper() if speed is not None else ""
    drop_frame = None
    if rate is not None and flag in {"DF", "NDF"}:
        drop_frame = flag == "DF" and is_drop_frame_rate(rate)
    circled = _text(root, "CIRCLED")
    return Ixml(
        timecode_rate=rate,
        drop_frame=drop_frame,
        scene=_text(root, "SCENE"),
        take=_text(root, "TAKE"),
        tape=_text(root, "TAPE"),
        note=_text(root, "NOTE"),
        circled=None if circled is None else circled.upper() == "TRUE",
        tracks=_tracks(root),
    )


def _text(parent: ET.Element | None, tag: str) -> str | None:
    element = parent.find(tag) if parent is not None else None
    text = " ".join((element.text or "").split()) if element is not None else ""
    return text or None


def _rate(text: str | None) -> Fraction | None:
    """``24000/1001``, ``25/1``, ``25`` or ``23.976`` as an exact rate timecode can count.
    Anything else is no rate, read by a pattern first: ``Fraction("1e-30000000")`` would take
    minutes, from twelve bytes of a file."""
    if not text or not _RATE.fullmatch(text.replace(" ", "")):
        return None
    try:
        rate = snap_rate(Fraction(text.replace(" ", "")).limit_denominator(1001))
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    if not 0 < rate <= MAX_TIMECODE_RATE or not has_timecode(rate):
        return None
    return rate


def _tracks(root: ET.Element) -> tuple[str, ...]:
    """Channel names by ``INTERLEAVE_INDEX`` (1-based; in listed order where it is missing)."""
    listed = root.find("TRACK_LIST")
    if listed is None:
        return ()
    named: dict[int, str] = {}
    for n, track in enumerate(listed.findall("TRACK"), start=1):
        index = _text(track, "INTERLEAVE_INDEX") or _text(track, "CHANNEL_INDEX")
        try:
            at = int(index) if index else n
        except ValueError:
            at = n
        if 1 <= at <= 1024:
            named.setdefault(at, _text(track, "NAME") or "")
    if not named:
        return ()
    return tuple(named.get(i, "") for i in range(1, max(named) + 1))
