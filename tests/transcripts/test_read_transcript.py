"""read_transcript: format from content then extension, encodings, and errors about the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from rushes.errors import UsageError
from rushes.transcripts import detect_format, read_transcript

SRT = "1\n00:00:01,000 --> 00:00:02,000\nHello\n"
VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello\n"
JSON = '{"segments": [{"start": 1, "end": 2, "text": "Hello"}]}'
TEXT = "[00:00:01] Hello\n[00:00:02]\n"
WHISPER_CONSOLE = "[00:01.000 --> 00:02.000]  Hello\n"


@pytest.mark.parametrize(
    ("text", "name", "fmt"),
    [
        (SRT, "a.srt", "srt"),
        (SRT, "a.txt", "srt"),  # misnamed files are read by what they hold
        (SRT, "a", "srt"),
        (VTT, "a.srt", "webvtt"),
        ("\ufeff" + VTT, "a.vtt", "webvtt"),
        ("00:00:01.000 --> 00:00:02.000\nHello\n", "a.vtt", "webvtt"),  # no header
        (JSON, "a.json", "whisper-json"),
        (JSON, "a.txt", "whisper-json"),
        ("[" + JSON + "]", "a", "whisper-json"),
        ("{broken", "a.json", "whisper-json"),
        (TEXT, "a.txt", "text"),
        (TEXT, "a.srt", "text"),
        (WHISPER_CONSOLE, "a.log", "text"),
        ("Anna  0:03\nHi.\n", "a.doc", "text"),
        ("no times here", "a.txt", "text"),
        ("no times here", "a", None),
    ],
)
def test_detect_format(text: str, name: str, fmt: str | None) -> None:
    assert detect_format(text, name) == fmt


def test_every_format_reads_from_a_file(tmp_path: Path) -> None:
    for name, text, fmt in [
        ("a.srt", SRT, "srt"),
        ("b.vtt", VTT, "webvtt"),
        ("c.json", JSON, "whisper-json"),
        ("d.txt", TEXT, "text"),
    ]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = read_transcript(path)
        assert result.transcript.source == fmt
        assert [(s.start, s.end, s.text) for s in result.transcript.segments] == [(1, 2, "Hello")]


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-8"])
def test_every_format_in_utf16_with_crlf_or_cr(tmp_path: Path, codec: str, ending: str) -> None:
    for name, text in [("a.srt", SRT), ("b.vtt", VTT), ("c.json", JSON), ("d.txt", TEXT)]:
        path = tmp_path / name
        path.write_bytes(("\ufeff" + text.replace("\n", ending)).encode(codec))
        result = read_transcript(path)
        assert [(s.start, s.end, s.text) for s in result.transcript.segments] == [(1, 2, "Hello")]
        assert result.warnings == []


def test_format_can_be_named_with_aliases(tmp_path: Path) -> None:
    path = tmp_path / "x.dat"
    path.write_text(VTT.removeprefix("WEBVTT\n\n"), encoding="utf-8")
    assert read_transcript(path, "vtt").transcript.source == "webvtt"
    assert read_transcript(path, "SRT").transcript.source == "srt"
    with pytest.raises(UsageError, match="unknown transcript format 'docx'"):
        read_transcript(path, "docx")


def test_encoding_warnings_come_first(tmp_path: Path) -> None:
    path = tmp_path / "zh.srt"
    path.write_bytes(
        ("1\n00:00:01,000 --> 00:00:03,000\n你好\n\n2\n00:00:02,000 --> 00:00:04,000\n世界\n")
        .replace("\n", "\r\n")
        .encode("gbk")
    )
    r = read_transcript(path)
    assert [s.text for s in r.transcript.segments] == ["你好", "世界"]
    assert r.warnings == [
        "zh.srt: not UTF-8; read as GB18030 (guessed from its Chinese text)",
        "cue 2 (line 5) overlaps cue 1 (line 1) by 1.000 s; cue 1 trimmed to end at 00:00:02.000",
    ]


def test_forced_encoding(tmp_path: Path) -> None:
    path = tmp_path / "a.srt"
    path.write_bytes(SRT.replace("Hello", "Grüße").encode("latin-1"))
    r = read_transcript(path, encoding="latin-1")
    assert r.transcript.segments[0].text == "Grüße"
    assert r.warnings == []


def test_unknown_content_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "notes"
    path.write_text("Nothing timed in here.\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"^notes: cannot tell the transcript format"):
        read_transcript(path)


def test_binary_garbage_is_an_error_not_a_partial_import(tmp_path: Path) -> None:
    path = tmp_path / "garbage.srt"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(UsageError, match=r"^garbage\.srt"):
        read_transcript(path)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"cannot read .*nope\.srt"):
        read_transcript(tmp_path / "nope.srt")


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.srt"
    path.write_bytes(b"")
    with pytest.raises(UsageError, match=r"^empty\.srt: no subtitle cues found"):
        read_transcript(path)


def test_decomposed_accents_are_read_composed(tmp_path: Path) -> None:
    # Mac tools write NFD (e + U+0301); highlights and word times compare composed text.
    path = tmp_path / "nfd.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nMontre\u0301al, cafe\u0301\n",
                    encoding="utf-8")
    [seg] = read_transcript(path).transcript.segments
    assert seg.text == "Montr\u00e9al, caf\u00e9"
