"""Decoding subtitle files: BOMs, UTF-16, GB18030/GBK, Windows-1252, and line endings."""

from __future__ import annotations

from pathlib import Path

import pytest

from rushes.errors import UsageError
from rushes.transcripts import decode_bytes, read_transcript

SRT_ZH = "1\n00:00:01,000 --> 00:00:02,000\n我们在这里拍摄纪录片。\n"


def test_utf8_without_bom_is_read_silently() -> None:
    d = decode_bytes("héllo 你好".encode())
    assert (d.text, d.encoding, d.warnings) == ("héllo 你好", "utf-8", [])


def test_utf8_bom_is_dropped() -> None:
    d = decode_bytes(b"\xef\xbb\xbf1\n")
    assert d.text == "1\n"
    assert d.warnings == []


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_bom(codec: str) -> None:
    data = ("\ufeff" + SRT_ZH).encode(codec)
    d = decode_bytes(data, "subs.srt")
    assert d.text == SRT_ZH
    assert d.encoding == codec
    assert d.warnings == []


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_guessed_with_a_warning(codec: str) -> None:
    d = decode_bytes("1\n00:00:01,000 --> 00:00:02,000\nHello\n".encode(codec), "subs.srt")
    assert d.encoding == codec
    assert d.text.startswith("1\n00:00:01,000")
    assert d.warnings == [f"subs.srt: no byte-order mark; read as {codec.upper()} (guessed)"]


@pytest.mark.parametrize("codec", ["gb18030", "gbk", "gb2312"])
def test_chinese_legacy_encodings_are_read_as_gb18030(codec: str) -> None:
    d = decode_bytes(SRT_ZH.encode(codec), "zh.srt")
    assert d.text == SRT_ZH
    assert d.encoding == "gb18030"
    assert d.warnings == ["zh.srt: not UTF-8; read as GB18030 (guessed from its Chinese text)"]


def test_western_legacy_text_falls_back_to_cp1252() -> None:
    text = "Café “déjà vu” — été, naïve.\n"
    d = decode_bytes(text.encode("cp1252"), "fr.srt")
    assert d.text == text
    assert d.encoding == "cp1252"
    assert d.warnings == ["fr.srt: not UTF-8; read as CP1252 (guessed)"]


def test_crlf_and_cr_line_endings_become_lf() -> None:
    assert decode_bytes(b"a\r\nb\r\n").text == "a\nb\n"
    assert decode_bytes(b"a\rb\r").text == "a\nb\n"
    assert decode_bytes(b"a\r\n\r\nb").text.split("\n") == ["a", "", "b"]


def test_forced_encoding_is_strict() -> None:
    assert decode_bytes("你好".encode("gb18030"), encoding="gb18030").text == "你好"
    with pytest.raises(UsageError, match=r"x\.srt: not utf-8"):
        decode_bytes("你好".encode("gb18030"), "x.srt", encoding="utf-8")
    with pytest.raises(UsageError, match="unknown text encoding"):
        decode_bytes(b"", encoding="klingon")


def test_truncated_utf16_is_repaired_with_a_warning() -> None:
    data = ("\ufeffHello").encode("utf-16-le") + b"\x00"  # odd length: a half character
    d = decode_bytes(data, "cut.srt")
    assert d.text.startswith("Hello")
    assert len(d.warnings) == 1
    assert "undecodable" in d.warnings[0]


@pytest.mark.parametrize(
    ("codec", "bom"),
    [("utf-16-le", True), ("utf-16-be", True), ("utf-8", True), ("gb18030", False)],
)
def test_files_in_every_encoding_read_the_same(tmp_path: Path, codec: str, bom: bool) -> None:
    text = SRT_ZH.replace("\n", "\r\n")
    data = (("\ufeff" if bom else "") + text).encode(codec)
    path = tmp_path / "zh.srt"
    path.write_bytes(data)
    result = read_transcript(path)
    [seg] = result.transcript.segments
    assert seg.text == "我们在这里拍摄纪录片。"
    assert (seg.start, seg.end) == (1, 2)
