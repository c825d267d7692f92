"""The length a WAV file's header promises, against the bytes that are really there.

FFmpeg sizes a WAV by its file when the ``data`` chunk claims more than the file holds, so a
recorder's WAV cut short in a copy probes as a shorter, healthy file: nothing downstream can tell
it lost its end. The header still says how long the recording was, so reading the chunk list
(a few hundred bytes at the front; the ``ds64`` of RF64 and BW64 files past 4 GiB) tells
truncation apart from a short take.

A ``data`` size of 0 or 0xFFFFFFFF outside RF64 is a header never finished (a recorder that lost
power writes the audio and not its size): the audio is all there and nothing is promised, so no
length is claimed.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

#: How far into a file the chunk list is followed before ``data`` must have started: a
#: recorder's ``bext``, ``iXML`` and ``junk`` chunks come to a few kilobytes, padding for later
#: metadata to a megabyte at most.
HEADER_LIMIT = 16 * 1024 * 1024

_UNFINISHED = frozenset({0, 0xFFFFFFFF})
#: How many chunks are read after the audio: a recorder's iXML, a ``LIST``, some padding. A
#: ``data`` size that is wrong would otherwise have the audio itself read as chunk headers.
AFTER_DATA_CHUNKS = 64
#: RIFF, and the 64-bit forms whose sizes past 4 GiB are in ``ds64`` (EBU RF64, ITU BW64).
_RIFFS = frozenset({b"RIFF", b"RF64", b"BW64"})


@dataclass(frozen=True)
class WavLength:
    """Seconds of sound the header promises (``stated``) and the file holds (``present``)."""

    stated: Fraction
    present: Fraction


def riff_chunks(path: Path, *, past_data: bool = False) -> Iterator[tuple[bytes, int, int]]:
    """``(chunk id, offset of its body, size)`` of each chunk of a RIFF/RF64/BW64 WAVE file,
    in file order, from one open handle; nothing for a file that is not one. Stops at ``data``
    unless ``past_data`` (recorders may put ``iXML`` after the audio), and where a header runs
    past :data:`HEADER_LIMIT` before ``data`` or past the file's end. The size of an RF64
    ``data`` chunk is the ``ds64``'s."""
    try:
        with path.open("rb") as handle:
            size = path.stat().st_size
            head = handle.read(12)
            if len(head) < 12 or head[8:12] != b"WAVE" or head[:4] not in _RIFFS:
                return
            rf64 = head[:4] != b"RIFF"
            data_size64: int | None = None
            offset = 12
            seen_data = False
            after = 0
            while offset + 8 <= size and (seen_data or offset + 8 <= HEADER_LIMIT):
                handle.seek(offset)
                chunk = handle.read(8)
                if len(chunk) < 8:
                    return
                chunk_id, chunk_size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                if seen_data:
                    after += 1
                    # Past the audio, an id that is no four printable characters is the audio
                    # read as headers (a wrong data size), not a chunk.
                    if after > AFTER_DATA_CHUNKS or not all(32 <= c < 127 for c in chunk_id):
                        return
                if chunk_id == b"ds64":
                    ds64 = handle.read(16)
                    if len(ds64) == 16:
                        data_size64 = struct.unpack("<QQ", ds64)[1]
                    handle.seek(offset + 8)
                elif chunk_id == b"data" and rf64 and chunk_size == 0xFFFFFFFF \
                        and data_size64 is not None:
                    chunk_size = data_size64
                yield chunk_id, offset + 8, chunk_size
                if chunk_id == b"data":
                    # An unfinished size says nothing of where the audio ends (RF64 too, past
                    # it: a ds64 never written says 0).
                    unfinished = chunk_size == 0 or (chunk_size == 0xFFFFFFFF and not rf64)
                    if not past_data or unfinished:
                        return
                    seen_data = True
                offset += 8 + chunk_size + (chunk_size & 1)
    except OSError:
        return


def read_chunk(path: Path, offset: int, size: int) -> bytes | None:
    """The body of a chunk :func:`riff_chunks` found; None if it cannot be read whole."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            body = handle.read(size)
    except OSError:
        return None
    return body if len(body) == size else None


def wav_length(path: Path) -> WavLength | None:
    """The promised and present lengths of a RIFF/RF64 WAVE file of PCM-like data; None where
    the file is not one, its header is unfinished, or its byte rate is unknown."""
    byte_rate: int | None = None
    rf64 = False
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            rf64 = handle.read(4) in _RIFFS - {b"RIFF"}
    except OSError:
        return None
    for chunk_id, offset, chunk_size in riff_chunks(path):
        if chunk_id == b"fmt ":
            fmt = read_chunk(path, offset, 16)
            if fmt is not None:
                byte_rate = struct.unpack("<HHIIHH", fmt)[3] or None
        elif chunk_id == b"data":
            if byte_rate is None or (not rf64 and chunk_size in _UNFINISHED) or (
                rf64 and chunk_size == 0xFFFFFFFF
            ):
                return None
            present = max(0, min(chunk_size, size - offset))
            return WavLength(Fraction(chunk_size, byte_rate), Fraction(present, byte_rate))
    return None
