"""Writers: exact millisecond rounding, start-timecode offsets, documents, and round trips."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rushes.domain.timecode import Timecode
from rushes.errors import UsageError
from rushes.transcripts import (
    Segment,
    Transcript,
    Word,
    format_clock,
    media_time,
    printed_time,
    read_text,
    read_transcript,
    round_times,
    transcript_to_json,
    write_html,
    write_markdown,
    write_srt,
    write_text,
    write_transcript,
    write_webvtt,
)
from rushes.transcripts.writers import LINE_LENGTH, subtitle_cues, wrap_lines

MS = Fraction(1, 1000)
R2997 = Fraction(30000, 1001)


def sample() -> Transcript:
    return Transcript(
        [
            Segment(Fraction(1), Fraction(2500, 1000), "Where were you?", "JOHN"),
            Segment(Fraction(2500, 1000), Fraction(4), "At home & alone <really>.", None),
            Segment(Fraction(4), Fraction(61), "我们在这里拍摄纪录片。", "MARY"),
        ],
        None,
        "srt",
    )


@pytest.mark.parametrize(
    ("t", "text"),
    [
        (Fraction(0), "00:00:00.000"),
        (Fraction(1, 3), "00:00:00.333"),
        (Fraction(2, 3), "00:00:00.667"),
        (Fraction(1, 2000), "00:00:00.001"),  # halves round up
        (Fraction(599994, 10000), "00:00:59.999"),
        (Fraction(599995, 10000), "00:01:00.000"),  # never 00:00:59.1000
        (Fraction(3599999, 1000) + Fraction(6, 10000), "01:00:00.000"),
        (Fraction(360000), "100:00:00.000"),
    ],
)
def test_clock_rounds_to_the_millisecond(t: Fraction, text: str) -> None:
    assert format_clock(t) == text


@settings(deadline=None)  # no timing thresholds: slow machines must not fail
@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=1, max_value=10**6))
def test_clock_never_prints_a_thousandth_millisecond(num: int, den: int) -> None:
    text = format_clock(Fraction(num, den), ",")
    assert len(text.rsplit(",", 1)[1]) == 3
    _, m, s = text.split(",")[0].split(":")
    assert int(m) < 60 and int(s) < 60


def test_srt_output() -> None:
    assert write_srt(sample()) == (
        "1\n00:00:01,000 --> 00:00:02,500\nJOHN: Where were you?\n\n"
        "2\n00:00:02,500 --> 00:00:04,000\nAt home & alone &lt;really&gt;.\n\n"
        "3\n00:00:04,000 --> 00:01:01,000\nMARY: 我们在这里拍摄纪录片。\n"
    )
    assert "JOHN" not in write_srt(sample(), speaker_labels=False)


def test_webvtt_output_uses_voice_tags_and_escapes() -> None:
    t = sample()
    t.language = "en"
    t.segments[0].speaker = "John <Q> Smith"
    assert write_webvtt(t) == (
        "WEBVTT\nLanguage: en\n\n"
        "1\n00:00:01.000 --> 00:00:02.500\n<v John &lt;Q&gt; Smith>Where were you?\n\n"
        "2\n00:00:02.500 --> 00:00:04.000\nAt home &amp; alone &lt;really&gt;.\n\n"
        "3\n00:00:04.000 --> 00:01:01.000\n<v MARY>我们在这里拍摄纪录片。\n"
    )


def test_start_timecode_offset_prints_source_times() -> None:
    start = Timecode.parse("01:00:00:00", Fraction(25))
    t = Transcript([Segment(Fraction(5), Fraction(13, 2), "x")])
    assert "01:00:05,000 --> 01:00:06,500" in write_srt(t, offset=start)
    assert "01:00:05.000 --> 01:00:06.500" in write_webvtt(t, offset=start)
    assert write_text(t, offset=start) == "[01:00:05:00] x\n"
    assert "00:00:15,000 --> 00:00:16,500" in write_srt(t, offset=Fraction(10))


@pytest.mark.parametrize("label", ["01:00:00:00", "01:00:00;00"])
def test_ntsc_offsets_follow_the_timecode_labels(label: str) -> None:
    start = Timecode.parse(label, R2997)
    at_frame_150 = Fraction(150) / R2997  # the frame labelled 01:00:05:00
    t = Transcript([Segment(at_frame_150, at_frame_150 + 1, "x")])
    assert write_srt(t, offset=start).split("\n")[1].startswith("01:00:05,000 --> ")
    assert write_text(t, offset=start) == f"[{start + 150}] x\n"
    assert str(start + 150) in ("01:00:05:00", "01:00:05;00")


@pytest.mark.parametrize(
    "offset",
    [
        None,
        Fraction(7, 2),
        Timecode.parse("10:00:00:00", Fraction(24000, 1001)),
        Timecode.parse("01:00:00:00", R2997),
        Timecode.parse("00:09:59;28", R2997),
        Timecode.parse("01:00:00:00", Fraction(25)),
    ],
)
@settings(deadline=None)
@given(st.fractions(min_value=0, max_value=7200))
def test_printed_and_media_time_are_inverse(
    offset: Timecode | Fraction | None, t: Fraction
) -> None:
    assert media_time(printed_time(t, offset), offset) == t


def test_srt_round_trip() -> None:
    t = sample()
    back = read_text(write_srt(t), "srt").transcript
    assert back == t


def test_srt_round_trip_rounds_to_the_millisecond_and_honours_offsets() -> None:
    t = Transcript(
        [
            Segment(Fraction(1, 3), Fraction(5, 3), "one third", None),
            Segment(Fraction(5, 3), Fraction(7, 3), "DIRECTOR: and two", None),
        ],
        None,
        "srt",
    )
    expected = round_times(t)
    expected.segments[1].speaker, expected.segments[1].text = "DIRECTOR", "and two"
    assert read_text(write_srt(t), "srt").transcript == expected
    for offset in (Timecode.parse("01:00:00:00", Fraction(25)), Fraction(3600)):
        back = read_text(write_srt(t, offset=offset), "srt", offset=offset).transcript
        assert back == expected


@pytest.mark.parametrize("label", ["01:00:00:00", "01:00:00;00"])
def test_srt_round_trip_at_ntsc_offsets_is_within_a_millisecond(label: str) -> None:
    start = Timecode.parse(label, R2997)
    t = sample()
    back = read_text(write_srt(t, offset=start), "srt", offset=start).transcript
    for a, b in zip(back.segments, t.segments, strict=True):
        assert abs(a.start - b.start) <= MS and abs(a.end - b.end) <= MS
        assert (a.text, a.speaker) == (b.text, b.speaker)


def test_webvtt_round_trip_with_speakers_language_and_word_times() -> None:
    t = Transcript(
        [
            Segment(
                Fraction(1),
                Fraction(3),
                "Hello, big world.",
                "Anna Keeper",
                [
                    Word(Fraction(1), Fraction(3, 2), "Hello,"),
                    Word(Fraction(8, 5), Fraction(2), "big"),  # a pause before, and after
                    Word(Fraction(23, 10), Fraction(3), "world."),
                ],
            ),
            Segment(
                Fraction(3),
                Fraction(4),
                "你好世界",
                None,
                [
                    Word(Fraction(31, 10), Fraction(7, 2), "你好"),
                    Word(Fraction(7, 2), Fraction(4), "世界"),
                ],
            ),
            Segment(Fraction(5), Fraction(6), "Tom & Jerry <3", "Bob", []),
        ],
        "en",
        "webvtt",
    )
    vtt = write_webvtt(t, word_timestamps=True)
    assert "Hello,<00:00:01.500> <00:00:01.600>big<00:00:02.000> <00:00:02.300>world." in vtt
    assert read_text(vtt, "vtt").transcript == t
    # without word timestamps the words are not written
    plain = read_text(write_webvtt(t), "vtt").transcript
    assert [s.words for s in plain.segments] == [[], [], []]
    assert [s.text for s in plain.segments] == [s.text for s in t.segments]


def test_webvtt_round_trip_with_offset() -> None:
    start = Timecode.parse("01:00:00:00", Fraction(25))
    t = Transcript(
        [
            Segment(
                Fraction(1),
                Fraction(2),
                "a b",
                "X",
                [Word(Fraction(1), Fraction(3, 2), "a"), Word(Fraction(3, 2), Fraction(2), "b")],
            )
        ],
        None,
        "webvtt",
    )
    vtt = write_webvtt(t, offset=start, word_timestamps=True)
    assert "01:00:01.000 --> 01:00:02.000\n<v X>a <01:00:01.500>b" in vtt
    assert read_text(vtt, "webvtt", offset=start).transcript == t


texts = (
    st.text(alphabet="abcxyz ,.!?你好世界", min_size=1, max_size=30)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


@settings(deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 10**7), st.integers(1, 10**5), texts), min_size=1, max_size=8)
)
def test_srt_and_webvtt_round_trip_any_text(cues: list[tuple[int, int, str]]) -> None:
    segments = []
    at = 0
    for gap, length, text in cues:
        start = at + gap
        segments.append(Segment(Fraction(start, 1000), Fraction(start + length, 1000), text))
        at = start + length
    for fmt, write in (("srt", write_srt), ("webvtt", write_webvtt)):
        back = read_text(write(Transcript(segments, None, fmt)), fmt)
        assert back.transcript == Transcript(segments, None, fmt)
        assert back.warnings == []


markup_texts = (
    st.text(alphabet="abcxyz ,.!?<>&;#/{}\\-–|你好", min_size=1, max_size=30)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


@settings(deadline=None)
@given(st.lists(markup_texts, min_size=1, max_size=6))
def test_text_that_looks_like_markup_or_separators_round_trips(texts: list[str]) -> None:
    """``<inaudible>``, ``a < b > c``, ``&amp;``, ``{\\an8}``, a leading dialogue dash: what a
    player or a reader could take for markup or a separator is written so that it reads back
    as it was, in SRT, WebVTT and plain text."""
    segments = [Segment(Fraction(k), Fraction(k + 1), text) for k, text in enumerate(texts)]
    for fmt, write in (("srt", write_srt), ("webvtt", write_webvtt)):
        back = read_text(write(Transcript(segments, None, fmt)), fmt)
        assert back.transcript == Transcript(segments, None, fmt)
        assert back.warnings == []
    back = read_text(write_text(Transcript(segments)), "text")
    assert [(s.start, s.text) for s in back.transcript.segments] == [
        (s.start, s.text) for s in segments
    ]


def test_srt_and_webvtt_escape_what_players_take_for_tags() -> None:
    t = Transcript([
        Segment(Fraction(1), Fraction(2), "He said <inaudible> then a < b > c."),
        Segment(Fraction(2), Fraction(3), "<i>Literally</i> & x &amp; y --> z"),
    ])
    assert write_srt(t, line_length=None) == (
        "1\n00:00:01,000 --> 00:00:02,000\nHe said &lt;inaudible&gt; then a &lt; b &gt; c.\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\n&lt;i&gt;Literally&lt;/i&gt; & x &amp;amp; y --&gt; z\n"
    )
    assert write_webvtt(t, line_length=None).split("\n\n")[1:] == [
        "1\n00:00:01.000 --> 00:00:02.000\nHe said &lt;inaudible&gt; then a &lt; b &gt; c.",
        "2\n00:00:02.000 --> 00:00:03.000\n&lt;i&gt;Literally&lt;/i&gt; &amp; x &amp;amp; y "
        "--&gt; z\n",
    ]
    for fmt, write in (("srt", write_srt), ("webvtt", write_webvtt)):
        assert read_text(write(t), fmt).transcript.segments == t.segments


def test_plain_text_keeps_a_leading_dialogue_dash() -> None:
    """Two people in one subtitle (``- Where were you?`` / ``- At home.``) come back from a
    plain-text export with their dashes: a reader drops one separator after the time (``00:00:07
    - text``), so the writer writes that separator out where the text starts like one."""
    t = Transcript([
        Segment(Fraction(1), Fraction(2), "- Where were you? - At home."),
        Segment(Fraction(2), Fraction(3), "– ¿Dónde estabas? – En casa.", "ANA"),
        Segment(Fraction(3), Fraction(4), "Plain."),
    ])
    text = write_text(t)
    assert text == (
        "[00:00:01.000]: - Where were you? - At home.\n"
        "[00:00:02.000] ANA: – ¿Dónde estabas? – En casa.\n"
        "[00:00:03.000] Plain.\n"
    )
    back = read_text(text, "text").transcript
    assert [(s.start, s.speaker, s.text) for s in back.segments] == [
        (s.start, s.speaker, s.text) for s in t.segments
    ]


def test_plain_text_output_reads_back() -> None:
    text = write_text(sample())
    assert text == (
        "[00:00:01.000] JOHN: Where were you?\n"
        "[00:00:02.500] At home & alone <really>.\n"
        "[00:00:04.000] MARY: 我们在这里拍摄纪录片。\n"
    )
    back = read_text(text, "text").transcript
    assert [(s.start, s.speaker, s.text) for s in back.segments] == [
        (s.start, s.speaker, s.text) for s in sample().segments
    ]


def document_sample() -> Transcript:
    return Transcript(
        [
            Segment(Fraction(0), Fraction(2), "Hello.", "ANNA"),
            Segment(Fraction(2), Fraction(4), "It's me.", "ANNA"),  # same turn
            Segment(Fraction(4), Fraction(6), "Who *are* you?", "BOB"),
            Segment(Fraction(20), Fraction(22), "Later_on.", "BOB"),  # after a pause
            Segment(Fraction(22), Fraction(23), "我们", None),
            Segment(Fraction(23), Fraction(24), "在这里", None),
        ],
        "en",
        "srt",
    )


def test_markdown_document_has_a_timecode_per_turn() -> None:
    start = Timecode.parse("01:00:00:00", Fraction(25))
    md = write_markdown(document_sample(), offset=start, title="Interview #1")
    assert md == (
        "# Interview \\#1\n\n"
        "**[01:00:00:00] ANNA**  \nHello. It's me.\n\n"
        "**[01:00:04:00] BOB**  \nWho \\*are\\* you?\n\n"
        "**[01:00:20:00] BOB**  \nLater\\_on.\n\n"
        "**[01:00:22:00]**  \n我们在这里\n"
    )
    assert "**[00:00:20] BOB**" in write_markdown(document_sample())


def test_html_document() -> None:
    page = write_html(document_sample(), title="Keeper <1>")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>Keeper &lt;1&gt;</title>" in page
    assert (
        '<p><span class="tc">00:00:00</span><strong class="speaker">ANNA</strong>'
        "Hello. It&#x27;s me.</p>"
    ) in page
    assert '<p><span class="tc">00:00:22</span>我们在这里</p>' in page
    assert page.count("<p>") == 4


def test_long_monologues_get_a_timecode_every_half_minute() -> None:
    t = Transcript(
        [Segment(Fraction(k * 5), Fraction(k * 5 + 5), f"s{k}.", None) for k in range(13)]
    )
    md = write_markdown(t)
    assert [line for line in md.split("\n") if line.startswith("**")] == [
        "**[00:00:00]**  ",
        "**[00:00:30]**  ",
        "**[00:01:00]**  ",
    ]


@pytest.mark.parametrize(
    ("name", "fmt", "head"),
    [
        ("a.srt", "srt", "1\n"),
        ("a.vtt", "webvtt", "WEBVTT"),
        ("a.txt", "text", "[00:00:01.000]"),
        ("a.md", "markdown", "**[00:00:01]"),
        ("a.html", "html", "<!DOCTYPE html>"),
    ],
)
def test_write_transcript_by_extension(tmp_path: Path, name: str, fmt: str, head: str) -> None:
    path = tmp_path / name
    assert write_transcript(sample(), path) == fmt
    assert path.read_text(encoding="utf-8").startswith(head)
    if fmt in ("srt", "webvtt", "text"):
        back = read_transcript(path).transcript
        assert [s.text for s in back.segments] == [s.text for s in sample().segments]


def test_write_transcript_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"cannot write a transcript as '\.docx'"):
        write_transcript(sample(), tmp_path / "a.docx")


def test_json_shape_for_the_cli() -> None:
    t = Transcript(
        [Segment(Fraction(1, 3), Fraction(1), "hi", "A", [Word(Fraction(1, 3), Fraction(1), "hi")])]
    )
    assert transcript_to_json(t) == [
        {
            "start": 0.333333,
            "end": 1.0,
            "text": "hi",
            "speaker": "A",
            "words": [{"start": 0.333333, "end": 1.0, "text": "hi"}],
        }
    ]


def test_a_long_line_wraps_into_two_balanced_lines_and_reads_back() -> None:
    seg = Segment(Fraction(0), Fraction(4),
                  "My father kept this light before me, and his mother before him.",
                  "Ellen Marsh")
    srt = write_srt(Transcript([seg]))
    assert srt == (
        "1\n00:00:00,000 --> 00:00:04,000\n"
        "Ellen Marsh: My father kept this light\nbefore me, and his mother before him.\n"
    )
    assert read_text(srt, "srt").transcript.segments == [seg]
    one_line = write_srt(Transcript([seg]), line_length=None)
    assert one_line.splitlines()[2] == "Ellen Marsh: " + seg.text


def test_a_long_segment_becomes_cues_that_start_on_their_first_word() -> None:
    text = ("Every night for forty one years I have climbed these steps. The lamp was "
            "paraffin then, and the lens turned on a bath of mercury, so smooth that a child "
            "could push it round.")
    tokens = text.split(" ")
    words = [Word(Fraction(k, 2), Fraction(k + 1, 2), t) for k, t in enumerate(tokens)]
    seg = Segment(Fraction(0), Fraction(len(tokens), 2), text, None, words)
    cues = subtitle_cues(seg)
    assert len(cues) == 3
    assert cues[0][2].endswith("these steps.")  # the sentence end in the cue's second half
    assert " ".join(c[2] for c in cues) == text
    for (start, end, cue_text), nxt in zip(cues, [*cues[1:], None], strict=True):
        first = words[tokens.index(cue_text.split(" ")[0])]
        assert start == (seg.start if start == cues[0][0] else first.start)
        assert end == (nxt[0] if nxt else seg.end)
        assert all(len(line) <= LINE_LENGTH for line in wrap_lines(cue_text))
        assert len(wrap_lines(cue_text)) <= 2
    back = read_text(write_webvtt(Transcript([seg])), "webvtt").transcript.segments
    assert [s.text for s in back] == [c[2] for c in cues]


def test_chinese_lines_hold_sixteen_characters() -> None:
    text = "这个透镜是一八九二年在爱丁堡制造的无论有没有人看见我每天早上都擦亮黄铜"  # 36 characters
    seg = Segment(Fraction(0), Fraction(9), text)
    cues = subtitle_cues(seg)
    assert "".join(c[2] for c in cues) == text
    for _, _, cue_text in cues:
        assert all(len(line) <= 16 for line in wrap_lines(cue_text))
    assert [c[0] for c in cues] == sorted({c[0] for c in cues})  # times in proportion


def test_the_speakers_label_counts_in_the_line_it_starts() -> None:
    text = ("Every night for forty one years I have climbed these steps. The lamp was "
            "paraffin then, and the lens turned on a bath of mercury, so smooth that a child "
            "could push it round.")
    srt = write_srt(Transcript([Segment(Fraction(0), Fraction(10), text, "Ellen Marsh")]))
    lines = [x for x in srt.splitlines() if x and "-->" not in x and not x.isdigit()]
    assert all(len(x) <= LINE_LENGTH for x in lines)
    assert [x for x in lines if x.startswith("Ellen Marsh: ")] == lines[::2]  # each cue
    assert [s.text for s in read_text(srt, "srt").transcript.segments] == [
        "Every night for forty one years I have climbed these steps.",
        "The lamp was paraffin then, and the lens turned on a bath of mercury,",
        "so smooth that a child could push it round.",
    ]
