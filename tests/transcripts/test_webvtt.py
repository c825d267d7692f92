"""WebVTT: header, blocks, settings, voices, tags, entities and karaoke word times."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from rushes.errors import UsageError
from rushes.transcripts import read_transcript
from rushes.transcripts.readers import read_webvtt

DATA = Path(__file__).parent / "data"


def test_header_text_metadata_and_blocks_are_skipped() -> None:
    vtt = (
        "WEBVTT - a title\nKind: captions\nLanguage: zh-Hans\n\n"
        "NOTE this is a comment\nover two lines\n\n"
        "NOTE\nanother\n\n"
        "STYLE\n::cue { color: red }\n\n"
        "REGION\nid:fred width:40%\n\n"
        "00:00:01.000 --> 00:00:02.000\n你好\n"
    )
    r = read_webvtt(vtt)
    assert [s.text for s in r.transcript.segments] == ["你好"]
    assert r.transcript.language == "zh-Hans"
    assert r.transcript.source == "webvtt"
    assert r.warnings == []


def test_cue_right_after_the_header_line() -> None:
    r = read_webvtt("WEBVTT\n00:00:01.000 --> 00:00:02.000\nx\n")
    assert [(s.start, s.text) for s in r.transcript.segments] == [(1, "x")]


def test_identifiers_settings_and_optional_hours() -> None:
    vtt = (
        "WEBVTT\n\n"
        "intro\n00:01.000 --> 00:02.500 align:start position:10% line:0\nOne\n\n"
        "2\n01:00:00.000 --> 01:00:01.000 vertical:rl\nTwo\n"
    )
    segs = read_webvtt(vtt).transcript.segments
    assert [(s.start, s.end, s.text) for s in segs] == [
        (1, Fraction(5, 2), "One"),
        (3600, 3601, "Two"),
    ]


def test_voice_tags_give_the_speaker() -> None:
    vtt = (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:02.000\n<v Mary Jane>Hi there</v>\n\n"
        "00:00:02.000 --> 00:00:03.000\n<v.loud.first John>Hello!\n\n"
        "00:00:03.000 --> 00:00:04.000\n<v Mary Jane>Line one\n<v Mary Jane>line two\n"
    )
    segs = read_webvtt(vtt).transcript.segments
    assert [(s.speaker, s.text) for s in segs] == [
        ("Mary Jane", "Hi there"),
        ("John", "Hello!"),
        ("Mary Jane", "Line one line two"),
    ]


def test_two_voices_in_one_cue_keep_labels_in_the_text() -> None:
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ann>Hi\n<v Bob>Hello\n"
    [seg] = read_webvtt(vtt).transcript.segments
    assert (seg.speaker, seg.text) == (None, "Ann: Hi Bob: Hello")


def test_styling_tags_ruby_and_entities() -> None:
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n"
        "<c.yellow.bg_blue>Tom</c> &amp; <i>Jerry</i> &lt;3&gt; <b>x</b>&nbsp;<u>y</u>&lrm;"
        " <lang fr>oui</lang> <ruby>漢<rt>kan</rt></ruby>字\n"
    )
    [seg] = read_webvtt(vtt).transcript.segments
    assert seg.text == "Tom & Jerry <3> x y oui 漢字"


def test_karaoke_timestamps_become_word_times() -> None:
    vtt = (
        "WEBVTT\n\n00:00:05.000 --> 00:00:07.000\n"
        "<c>Three</c><00:00:05.600><c> ships</c><00:00:06.200><c> went</c>\n"
    )
    [seg] = read_webvtt(vtt).transcript.segments
    assert seg.text == "Three ships went"
    assert [(w.start, w.end, w.text) for w in seg.words] == [
        (5, Fraction(28, 5), "Three"),
        (Fraction(28, 5), Fraction(31, 5), "ships"),
        (Fraction(31, 5), 7, "went"),
    ]


def test_karaoke_timestamps_for_chinese_characters() -> None:
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n你<00:00:01.500>好<00:00:02.000>世界\n"
    [seg] = read_webvtt(vtt).transcript.segments
    assert seg.text == "你好世界"
    assert [w.text for w in seg.words] == ["你", "好", "世界"]


def test_karaoke_timestamps_out_of_order_drop_words_with_a_warning() -> None:
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\na<00:00:02.500>b<00:00:02.000>c\n"
    r = read_webvtt(vtt)
    [seg] = r.transcript.segments
    assert (seg.text, seg.words) == ("abc", [])
    assert r.warnings == [
        "cue 1 (line 3): inline timestamps out of order or outside "
        "00:00:01.000–00:00:03.000; word times dropped"
    ]


def test_missing_header_is_read_with_a_warning() -> None:
    r = read_webvtt("00:00:01.000 --> 00:00:02.000\nx\n", "c.vtt")
    assert [s.text for s in r.transcript.segments] == ["x"]
    assert r.warnings == ["c.vtt line 1: no WEBVTT header; read as WebVTT anyway"]


def test_block_without_timing_is_ignored_with_a_warning() -> None:
    r = read_webvtt("WEBVTT\n\nstray words\n\n00:00:01.000 --> 00:00:02.000\nx\n", "c.vtt")
    assert [s.text for s in r.transcript.segments] == ["x"]
    assert r.warnings == ["c.vtt line 3: block without a timing line ignored ('stray words')"]


def test_bad_timestamp_is_an_error_naming_the_line() -> None:
    with pytest.raises(UsageError) as e:
        read_webvtt("WEBVTT\n\nNOTE hi\n\nid\n00:00:01.000 --> 00:0x:02.000\nx\n", "c.vtt")
    assert str(e.value) == "c.vtt line 6: bad timestamp '00:0x:02.000'"


def test_repairs_are_named() -> None:
    vtt = (
        "WEBVTT\n\n"
        "a\n00:00:01.000 --> 00:00:03.000\none\n\n"
        "b\n00:00:02.500 --> 00:00:04.000\ntwo\n\n"
        "c\n00:00:06.000 --> 00:00:05.000\nthree\n\n"
        "d\n00:00:07.000 --> 00:00:08.000\n<i></i>\n"
    )
    r = read_webvtt(vtt)
    assert [(s.start, s.end) for s in r.transcript.segments] == [
        (1, Fraction(5, 2)),
        (Fraction(5, 2), 4),
        (5, 6),
    ]
    assert r.warnings == [
        "cue c (line 11): end 00:00:05.000 before start 00:00:06.000; swapped",
        "cue d (line 15): empty text; dropped",
        "cue b (line 7) overlaps cue a (line 3) by 0.500 s; cue a trimmed to end at 00:00:02.500",
    ]


def test_header_only_is_an_error() -> None:
    with pytest.raises(UsageError, match=r"^e\.vtt: no cues found"):
        read_webvtt("WEBVTT\n\nNOTE nothing here\n", "e.vtt")


def test_sample_file() -> None:
    r = read_transcript(DATA / "captions.vtt")
    t = r.transcript
    assert t.language == "en"
    assert [(s.start, s.end, s.speaker, s.text) for s in t.segments] == [
        (1, 3, "Anna Keeper", "The lamp was lit & the fog came in."),
        (3, 5, "Bob", "I <never> saw it."),
        (5, 7, None, "Three ships went down."),
    ]
    assert [w.text for w in t.segments[2].words] == ["Three", "ships", "went down."]
    assert r.warnings == []
