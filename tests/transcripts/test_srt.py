"""SubRip as found in the wild: every quirk read, every repair named, every error located."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from rushes.errors import UsageError
from rushes.transcripts import read_transcript
from rushes.transcripts.readers import read_srt
from rushes.transcripts.readers.srt import escape_text, strip_tags

DATA = Path(__file__).parent / "data"


def texts(srt: str) -> list[str]:
    return [s.text for s in read_srt(srt).transcript.segments]


def test_basic_cues_exact_times() -> None:
    r = read_srt(
        "1\n00:00:01,000 --> 00:00:02,345\nHello.\n\n2\n01:02:03,004 --> 01:02:04,5\nBye.\n"
    )
    a, b = r.transcript.segments
    assert (a.start, a.end, a.text, a.speaker, a.words) == (
        1,
        Fraction(2345, 1000),
        "Hello.",
        None,
        [],
    )
    assert (b.start, b.end) == (3723 + Fraction(4, 1000), 3724 + Fraction(1, 2))
    assert r.warnings == []
    assert r.transcript.source == "srt"


def test_bom_crlf_and_cr_line_endings(tmp_path: Path) -> None:
    body = "1\n00:00:01,000 --> 00:00:02,000\nOne\ntwo\n\n2\n00:00:02,000 --> 00:00:03,000\nThree\n"
    for ending in ("\r\n", "\r"):
        path = tmp_path / "s.srt"
        path.write_bytes(b"\xef\xbb\xbf" + body.replace("\n", ending).encode())
        r = read_transcript(path)
        assert [s.text for s in r.transcript.segments] == ["One two", "Three"]
        assert r.warnings == []


def test_inline_tags_are_stripped() -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\n"
        '{\\an8}<i>In italics</i> and <B>bold</B>, <u>under</u> <font color="#ff0000">red</font>'
        "{\\i1} too<br/>and <s>struck</s>\n"
    )
    assert texts(srt) == ["In italics and bold, under red too and struck"]


def test_text_that_only_looks_like_tags_is_kept() -> None:
    assert texts("1\n00:00:01,000 --> 00:00:02,000\nx < y > z <3 & <laughs>\n") == [
        "x < y > z <3 & <laughs>"
    ]


def test_complete_entities_are_decoded_and_a_bare_ampersand_stays() -> None:
    # Subtitles saved from web players carry entities; an escaped tag stays text.
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nFish &amp; chips, caf&#233; &#x4E2D;&nbsp;AT&T\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\n&lt;i&gt; is &amp;amp; &notanentity; R&D;\n"
    )
    assert texts(srt) == [
        "Fish & chips, café 中 AT&T",
        "<i> is &amp; &notanentity; R&D;",
    ]


def test_numbering_may_be_missing_repeated_or_out_of_sequence() -> None:
    srt = (
        "00:00:01,000 --> 00:00:02,000\nno number\n\n"
        "7\n00:00:02,000 --> 00:00:03,000\nseven\n\n"
        "7\n00:00:03,000 --> 00:00:04,000\nseven again\n\n"
        "2\n00:00:04,000 --> 00:00:05,000\ntwo\n"
    )
    r = read_srt(srt)
    assert [s.text for s in r.transcript.segments] == ["no number", "seven", "seven again", "two"]
    assert r.warnings == []


def test_dot_or_comma_before_milliseconds_hours_optional_and_position_suffix() -> None:
    srt = (
        "1\n00:00:01.500 --> 00:00:02,250 X1:100 X2:600 Y1:10 Y2:50\na\n\n"
        "2\n00:03,000 --> 00:04.000\nb\n"
    )
    segs = read_srt(srt).transcript.segments
    assert [(s.start, s.end) for s in segs] == [
        (Fraction(3, 2), Fraction(9, 4)),
        (Fraction(3), Fraction(4)),
    ]


def test_multi_line_cues_join_with_a_space_but_chinese_lines_join_directly() -> None:
    assert texts("1\n00:00:01,000 --> 00:00:02,000\nWhere were you\non the night?\n") == [
        "Where were you on the night?"
    ]
    assert texts("1\n00:00:01,000 --> 00:00:02,000\n我们在这里，\n今天天气很好。\n") == [
        "我们在这里，今天天气很好。"
    ]


def test_chinese_text_survives_intact() -> None:
    line = "张三：你好！Hello，世界。　全角空格"
    [seg] = read_srt(f"1\n00:00:01,000 --> 00:00:02,000\n{line}\n").transcript.segments
    assert seg.text == line
    assert seg.speaker is None


def test_capitalised_label_becomes_the_speaker() -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nJOHN: I was at home.\nAll night.\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\n<b>DR. JONES</b>: Really?\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\nSPEAKER_01: Yes.\n"
    )
    segs = read_srt(srt).transcript.segments
    assert [(s.speaker, s.text) for s in segs] == [
        ("JOHN", "I was at home. All night."),
        ("DR. JONES", "Really?"),
        ("SPEAKER_01", "Yes."),
    ]


def test_a_name_in_capitalised_words_is_a_speaker() -> None:
    # Two or more words name someone (as rushes' own export writes them); one word must start
    # two cues to count, so "Look: it's gone." stays text.
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nEllen Marsh: Hello.\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\nCallum: Hi.\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\nSpeaker 1: Yes.\n\n"
        "4\n00:00:04,000 --> 00:00:05,000\nCallum: Again.\n\n"
        "5\n00:00:05,000 --> 00:00:06,000\nLook: it's gone.\n"
    )
    segs = read_srt(srt).transcript.segments
    assert [(s.speaker, s.text) for s in segs] == [
        ("Ellen Marsh", "Hello."),
        ("Callum", "Hi."),
        ("Speaker 1", "Yes."),
        ("Callum", "Again."),
        (None, "Look: it's gone."),
    ]


def test_dialogue_dashes_mixed_case_and_two_labels_stay_text() -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\n- Really?\n- Really.\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\nLook: it's gone.\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\nJOHN: Hi.\nMARY: Hello.\n\n"
        "4\n00:00:04,000 --> 00:00:05,000\nSee http://example.org now\n"
    )
    segs = read_srt(srt).transcript.segments
    assert [(s.speaker, s.text) for s in segs] == [
        (None, "- Really? - Really."),
        (None, "Look: it's gone."),
        (None, "JOHN: Hi. MARY: Hello."),
        (None, "See http://example.org now"),
    ]


def test_bad_timestamp_is_an_error_naming_the_line() -> None:
    srt = "1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\n00:01:xx,000 --> 00:01:05,000\nbroken\n"
    with pytest.raises(UsageError) as e:
        read_srt(srt, "subs.srt")
    assert str(e.value) == "subs.srt line 6: bad timestamp '00:01:xx,000'"


def test_out_of_range_end_timestamp_is_an_error() -> None:
    with pytest.raises(UsageError, match=r"^s\.srt line 2: bad timestamp '00:00:61,000'$"):
        read_srt("1\n00:00:01,000 --> 00:00:61,000\nx\n", "s.srt")


def test_wrong_arrow_is_an_error_naming_the_line() -> None:
    with pytest.raises(UsageError, match=r"^s\.srt line 2: bad timing line"):
        read_srt("1\n00:00:01,000 -> 00:00:02,000\nx\n", "s.srt")


def test_end_before_start_is_swapped_with_a_warning() -> None:
    r = read_srt("1\n00:00:01,000 --> 00:00:02,000\na\n\n7\n00:00:05,000 --> 00:00:04,000\nb\n")
    assert [(s.start, s.end) for s in r.transcript.segments] == [(1, 2), (4, 5)]
    assert r.warnings == ["cue 7 (line 5): end 00:00:04.000 before start 00:00:05.000; swapped"]


def test_overlap_trims_the_earlier_cue_with_a_warning() -> None:
    r = read_srt("8\n00:00:01,000 --> 00:00:03,200\na\n\n9\n00:00:03,000 --> 00:00:04,000\nb\n")
    assert [(s.start, s.end) for s in r.transcript.segments] == [(1, 3), (3, 4)]
    assert r.warnings == [
        "cue 9 (line 5) overlaps cue 8 (line 1) by 0.200 s; cue 8 trimmed to end at 00:00:03.000"
    ]


def test_cues_starting_together_are_merged_with_a_warning() -> None:
    r = read_srt("1\n00:00:01,000 --> 00:00:02,000\na\n\n2\n00:00:01,000 --> 00:00:03,000\nb\n")
    [seg] = r.transcript.segments
    assert (seg.start, seg.end, seg.text) == (1, 3, "a b")
    assert r.warnings == ["cue 2 (line 5) starts together with cue 1 (line 1); merged into one"]


def test_out_of_order_cues_are_sorted_with_a_warning() -> None:
    r = read_srt(
        "1\n00:00:05,000 --> 00:00:06,000\nlater\n\n2\n00:00:01,000 --> 00:00:02,000\nsooner\n"
    )
    assert [s.text for s in r.transcript.segments] == ["sooner", "later"]
    assert r.warnings == ["cue 2 (line 5) starts before cue 1 (line 1); cues sorted by start time"]


def test_empty_cue_is_dropped_with_a_warning() -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\na\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\n<i></i>\n\n"
        "4\n00:00:04,000 --> 00:00:05,000\nb\n"
    )
    r = read_srt(srt)
    assert [s.text for s in r.transcript.segments] == ["a", "b"]
    assert r.warnings == [
        "cue 2 (line 5): empty text; dropped",
        "cue 3 (line 8): empty text; dropped",
    ]


def test_text_after_a_blank_line_stays_in_its_cue_with_a_warning() -> None:
    r = read_srt(
        "1\n00:00:01,000 --> 00:00:02,000\nfirst part\n\nsecond part\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nb\n"
    )
    assert [s.text for s in r.transcript.segments] == ["first part second part", "b"]
    assert r.warnings == [
        "cue 1 (line 1): text continues after a blank line (line 5); kept in the cue"
    ]


def test_a_cue_without_its_timing_line_is_named_in_the_warning() -> None:
    r = read_srt(
        "1\n00:00:01,000 --> 00:00:02,000\nGood cue\n\n"
        "2\nThis cue lost its timing line\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\nThird\n"
    )
    assert [s.text for s in r.transcript.segments] == [
        "Good cue This cue lost its timing line", "Third",
    ]
    assert r.warnings == [
        "cue 2 (line 5) has no 'start --> end' line; its text is kept in cue 1 (line 1)"
    ]


def test_no_cues_is_an_error() -> None:
    with pytest.raises(UsageError, match=r"^junk\.srt: no subtitle cues found"):
        read_srt("this is not\na subtitle file\n", "junk.srt")
    with pytest.raises(UsageError, match=r"^e\.srt: no cues with text found"):
        read_srt("1\n00:00:01,000 --> 00:00:02,000\n\n", "e.srt")


def test_messy_sample_file() -> None:
    r = read_transcript(DATA / "messy.srt")
    segs = r.transcript.segments
    assert [(s.start, s.end, s.speaker, s.text) for s in segs] == [
        (1, Fraction(34, 10), None, "Where were you on the night of the ninth?"),
        (Fraction(34, 10), 5, "JOHN", "At home. Alone."),
        (6, 7, None, "- Really? - Really."),
        (8, 9, "MARY", "Nobody saw you."),
    ]
    assert r.warnings == [
        "messy.srt line 1: text before the first cue ignored",
        "cue 7 (line 12): end 00:00:06.000 before start 00:00:07.000; swapped",
        "cue 1 (line 8) overlaps cue 1 (line 3) by 0.100 s; cue 1 trimmed to end at 00:00:03.400",
    ]


def test_chinese_sample_file() -> None:
    r = read_transcript(DATA / "zh.srt")
    assert [s.text for s in r.transcript.segments] == [
        "我们在这里拍摄纪录片，今天天气很好。",
        "张三：你好！Hello, 世界。",
    ]
    assert r.warnings == []


def test_a_cue_of_no_length_is_given_one_with_a_warning() -> None:
    """``00:00:01,000 --> 00:00:01,000`` is shown by no player; its text is kept and given the
    time it takes to say, up to the next cue, rather than dropped."""
    r = read_srt(
        "1\n00:00:01,000 --> 00:00:01,000\n- Where were you?\n- At home.\n\n"
        "2\n00:00:01,500 --> 00:00:03,000\nNext.\n\n"
        "3\n00:00:04,000 --> 00:00:04,000\nLast words here.\n"
    )
    assert [(s.start, s.end) for s in r.transcript.segments] == [
        (1, Fraction(3, 2)), (Fraction(3, 2), 3), (4, Fraction(26, 5)),
    ]
    assert r.warnings == [
        "cue 1 (line 1): no length (starts and ends at 00:00:01.000); ended 0.500 s after its "
        "start, where cue 2 (line 6) starts",
        "cue 3 (line 10): no length (starts and ends at 00:00:04.000); ended 1.200 s after "
        "its start (3 words at 0.4 s)",
    ]


@pytest.mark.parametrize("text", [
    "a < b > c", "<inaudible>", "<i>not italic</i>", "x &amp; y", "Fish & chips",
    "&#233;t&eacute;", "{\\an8}top", "a --> b",
])
def test_escaped_text_reads_back_as_written(text: str) -> None:
    """What the SRT writer escapes, the reader decodes: markup-like text survives."""
    assert strip_tags(escape_text(text)) == text
    assert "<" not in escape_text(text) and ">" not in escape_text(text)
