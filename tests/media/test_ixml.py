"""A recorder's iXML: the timecode rate it counted, the take's scene, take, tape, note and
circle, and each channel's name, read from the WAV itself wherever the chunk sits."""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import pytest

import mediagen
from rushes.media.ixml import Ixml, parse_ixml, read_ixml
from rushes.media.probe import probe_media
from rushes.media.wav_header import riff_chunks

REPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<BWFXML><IXML_VERSION>2.10</IXML_VERSION><PROJECT>HARWICK</PROJECT>
<SCENE>12A</SCENE><TAKE>003</TAKE><TAPE>DAY02</TAPE><CIRCLED>TRUE</CIRCLED>
<NOTE>  wild track,
  harbour at dawn </NOTE>
<SPEED><TIMECODE_RATE>30000/1001</TIMECODE_RATE><TIMECODE_FLAG>DF</TIMECODE_FLAG></SPEED>
<TRACK_LIST><TRACK_COUNT>3</TRACK_COUNT>
<TRACK><CHANNEL_INDEX>2</CHANNEL_INDEX><INTERLEAVE_INDEX>2</INTERLEAVE_INDEX>
<NAME>Lav Ellen</NAME></TRACK>
<TRACK><CHANNEL_INDEX>1</CHANNEL_INDEX><INTERLEAVE_INDEX>1</INTERLEAVE_INDEX>
<NAME>Boom</NAME></TRACK>
<TRACK><CHANNEL_INDEX>3</CHANNEL_INDEX><INTERLEAVE_INDEX>3</INTERLEAVE_INDEX></TRACK>
</TRACK_LIST></BWFXML>\x00\x00"""


def test_a_sound_report_s_fields_are_read() -> None:
    assert parse_ixml(REPORT) == Ixml(
        timecode_rate=Fraction(30000, 1001), drop_frame=True, scene="12A", take="003",
        tape="DAY02", note="wild track, harbour at dawn", circled=True,
        tracks=("Boom", "Lav Ellen", ""),
    )


@pytest.mark.parametrize(("body", "expected"), [
    (b"<BWFXML><SPEED><TIMECODE_RATE>24000/1001</TIMECODE_RATE></SPEED></BWFXML>",
     Ixml(timecode_rate=Fraction(24000, 1001))),
    (b"<BWFXML><SPEED><TIMECODE_RATE>23.976</TIMECODE_RATE><TIMECODE_FLAG>NDF"
     b"</TIMECODE_FLAG></SPEED></BWFXML>",
     Ixml(timecode_rate=Fraction(24000, 1001), drop_frame=False)),
    (b"<BWFXML><SPEED><TIMECODE_RATE>25/1</TIMECODE_RATE><TIMECODE_FLAG>DF</TIMECODE_FLAG>"
     b"</SPEED></BWFXML>", Ixml(timecode_rate=Fraction(25), drop_frame=False)),
    (b"<BWFXML><SPEED><TIMECODE_RATE>12.5</TIMECODE_RATE></SPEED></BWFXML>", Ixml()),
    (b"<BWFXML><SPEED><TIMECODE_RATE>1e400</TIMECODE_RATE></SPEED></BWFXML>", Ixml()),
    (b"<BWFXML><CIRCLED>FALSE</CIRCLED><TRACK_LIST><TRACK><NAME>Mix</NAME></TRACK>"
     b"<TRACK><NAME>Boom</NAME></TRACK></TRACK_LIST></BWFXML>",
     Ixml(circled=False, tracks=("Mix", "Boom"))),
])
def test_what_a_recorder_left_out_is_not_made_up(body: bytes, expected: Ixml) -> None:
    assert parse_ixml(body) == expected


@pytest.mark.parametrize("body", [b"", b"<BWFXML><SCENE>", b"<other/>", b"\xff\xfe junk"])
def test_what_is_no_ixml_gives_none(body: bytes) -> None:
    assert parse_ixml(body) is None


def _with_chunk_after_data(wav: Path, body: bytes) -> Path:
    """The iXML appended after the audio, where some recorders and tools write it."""
    body += b" " * (len(body) & 1)
    data = wav.read_bytes() + b"iXML" + struct.pack("<I", len(body)) + body
    wav.write_bytes(data[:4] + struct.pack("<I", len(data) - 8) + data[8:])
    return wav


def test_the_chunk_is_found_before_or_after_the_audio(tmp_path: Path) -> None:
    before = mediagen.audio_bwf(tmp_path / "before.wav", time_reference=0, seconds=0.5,
                                ixml_rate="25")
    assert read_ixml(before) == Ixml(timecode_rate=Fraction(25), drop_frame=False, scene="12A",
                                     take="3")
    after = _with_chunk_after_data(
        mediagen.audio_bwf(tmp_path / "after.wav", time_reference=0, seconds=0.5), REPORT)
    assert read_ixml(after) == parse_ixml(REPORT)
    assert read_ixml(mediagen.audio_tone(tmp_path / "plain.wav", seconds=0.5)) is None
    assert read_ixml(tmp_path / "missing.wav") is None


def test_the_probe_keeps_the_take_and_its_channel_names(tmp_path: Path) -> None:
    wav = _with_chunk_after_data(
        mediagen.audio_bwf(tmp_path / "T003.wav", time_reference=0, seconds=0.5), REPORT)
    out = probe_media(wav, "audio")
    assert (out["scene"], out["take"], out["tape"], out["circled"]) == (
        "12A", "003", "DAY02", True)
    assert out["sound_note"] == "wild track, harbour at dawn"
    assert out["track_names"] == ["Boom", "Lav Ellen", ""]
    # A time reference of midnight is a time reference: the recorder's rate labels it.
    assert (out["time_reference"], out["timecode_rate"], out["drop_frame"]) == (
        0, "30000/1001", True)
    plain = probe_media(mediagen.audio_tone(tmp_path / "plain.wav", seconds=0.5), "audio")
    assert plain["track_names"] is None and plain["scene"] is None


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0" encoding="Shift_JIS"?><BWFXML><SCENE>1</SCENE></BWFXML>',
    b'<?xml version="1.0" encoding="x-nope"?><BWFXML/>',
])
def test_an_encoding_expat_cannot_read_is_no_ixml(body: bytes) -> None:
    assert parse_ixml(body) is None


@pytest.mark.parametrize("text", ["1e-30000000", "1e10000000", "9" * 5000, "25/0"])
def test_a_rate_that_is_no_rate_is_refused_before_it_is_computed(text: str) -> None:
    """``Fraction("1e-30000000")`` runs for minutes: twelve bytes of a file must not."""
    body = f"<BWFXML><SPEED><TIMECODE_RATE>{text}</TIMECODE_RATE></SPEED></BWFXML>".encode()
    assert parse_ixml(body) == Ixml()


def test_a_wrong_data_size_does_not_read_the_audio_as_chunks(tmp_path: Path) -> None:
    """A data size too small, then silence: past the audio the walk stops at the first id that
    is no chunk's, rather than reading megabytes of zeros eight bytes at a time."""
    wav = mediagen.audio_tone(tmp_path / "short.wav", seconds=0.5)
    data = bytearray(wav.read_bytes())
    at = data.index(b"data")
    data[at + 4:at + 8] = struct.pack("<I", 6)
    data += bytes(4 * 1024 * 1024)
    wav.write_bytes(bytes(data))
    assert read_ixml(wav) is None
    walked = [chunk for chunk, _, _ in riff_chunks(wav, past_data=True)]
    assert walked[-1] == b"data"  # the zeros after it are no chunk: the walk ends there
