"""Timecoded plain text: loggers' notes, Otter/Rev exports, Whisper's console output."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from rushes.domain.timecode import Timecode
from rushes.errors import UsageError
from rushes.transcripts import read_transcript
from rushes.transcripts.readers import read_plaintext

DATA = Path(__file__).parent / "data"


def spans(text: str, **kw: object) -> list[tuple[Fraction, Fraction, str | None, str]]:
    r = read_plaintext(text, "t.txt", **kw)  # type: ignore[arg-type]
    return [(s.start, s.end, s.speaker, s.text) for s in r.transcript.segments]


def test_bracketed_parenthesised_and_bare_times() -> None:
    text = (
        "[00:00:01] First.\n"
        "(00:00:02.500) Second.\n"
        "00:00:04,250 Third.\n"
        "[00:05] Fourth, minutes and seconds.\n"
        "00:00:07 - Fifth.\n"
        "[00:00:08]\n"
    )
    assert spans(text) == [
        (1, Fraction(5, 2), None, "First."),
        (Fraction(5, 2), Fraction(17, 4), None, "Second."),
        (Fraction(17, 4), 5, None, "Third."),
        (5, 7, None, "Fourth, minutes and seconds."),
        (7, 8, None, "Fifth."),
    ]


def test_ends_come_from_the_next_start_and_the_last_is_estimated() -> None:
    r = read_plaintext("[00:00:01] One two.\n[00:00:03] Three four five.\n", "t.txt")
    assert [(s.start, s.end) for s in r.transcript.segments] == [
        (1, 3),
        (3, 3 + Fraction(6, 5)),
    ]
    assert r.warnings == [
        "segment at line 2: last segment has no end time; ended 1.200 s after its start "
        "(3 words at 0.4 s)"
    ]


def test_chinese_length_estimate_counts_characters() -> None:
    r = read_plaintext("[00:00:01] 我们在这里拍摄纪录片\n", "t.txt")
    [seg] = r.transcript.segments
    assert seg.text == "我们在这里拍摄纪录片"
    assert seg.end - seg.start == 2  # 10 characters at half a word each, 0.4 s a word


def test_speakers_and_continuation_lines() -> None:
    text = (
        "[00:00:01] JOHN: We drove north.\n"
        "It was cold.\n"
        "[00:00:04] John Smith: Then what?\n"
        "[00:00:06] Speaker 2: Nothing.\n"
        "[00:00:08] SPEAKER_00: Silence.\n"
        "[00:00:09] Look: a bird.\n"
        "[00:00:10] we said: no.\n"
        "[00:00:11]\n"
    )
    assert [(sp, tx) for _, _, sp, tx in spans(text)] == [
        ("JOHN", "We drove north. It was cold."),
        ("John Smith", "Then what?"),
        ("Speaker 2", "Nothing."),
        ("SPEAKER_00", "Silence."),
        ("Look", "a bird."),  # a capitalised word before a colon reads as a name here
        (None, "we said: no."),
    ]


def test_prose_starting_with_a_clock_time_is_text() -> None:
    text = "[00:00:01] We met\n5:30 is when it started.\n[00:00:05]\n"
    assert spans(text) == [(1, 5, None, "We met 5:30 is when it started.")]


def test_frame_timecodes_need_a_rate() -> None:
    with pytest.raises(UsageError) as e:
        read_plaintext("Notes\n01:00:10:12 SPEAKER: text\n", "log.txt")
    assert str(e.value) == (
        "log.txt line 2: timecode '01:00:10:12' counts frames; give the frame rate to read it"
    )


def test_frame_timecodes_with_rate_and_start_timecode() -> None:
    text = "01:00:10:12 SPEAKER: text\n01:00:12:00 more\n01:00:13:00\n"
    assert spans(text, rate=25) == [
        (3610 + Fraction(12, 25), 3612, "SPEAKER", "text"),
        (3612, 3613, None, "more"),
    ]
    start = Timecode.parse("01:00:00:00", Fraction(25))
    assert spans(text, rate=25, start_timecode=start) == [
        (10 + Fraction(12, 25), 12, "SPEAKER", "text"),
        (12, 13, None, "more"),
    ]


def test_drop_frame_timecodes() -> None:
    rate = Fraction(30000, 1001)
    start = Timecode.parse("00:00:59;28", rate)
    # ;29, then 00:01:00;00 and ;01 do not exist: ;02 is two frames after the start
    got = spans("[00:01:00;02] x\n[00:01:01;02]\n", rate="29.97", start_timecode=start)
    assert got == [(Fraction(2) / rate, Fraction(32) / rate, None, "x")]


def test_frame_timecode_before_the_start_is_an_error_naming_the_line() -> None:
    start = Timecode.parse("01:00:00:00", Fraction(25))
    with pytest.raises(UsageError, match=r"^t\.txt line 1: timecode '00:59:59:00' is before"):
        read_plaintext("00:59:59:00 x\n", "t.txt", rate=25, start_timecode=start)


def test_frames_beyond_the_rate_are_an_error() -> None:
    with pytest.raises(UsageError, match=r"^t\.txt line 1: timecode '00:00:01:30' is out of range"):
        read_plaintext("00:00:01:30 x\n", "t.txt", rate=25)


@pytest.mark.parametrize(
    ("line", "token"),
    [
        ("[00:61:02] text", "00:61:02"),
        ("[00:01:xx] text", "00:01:xx"),
        ("00:01:7x text", "00:01:7x"),
    ],
)
def test_bad_timecodes_are_errors_naming_the_line(line: str, token: str) -> None:
    with pytest.raises(UsageError) as e:
        read_plaintext(f"[00:00:01] fine\n{line}\n", "t.txt")
    assert str(e.value) == f"t.txt line 2: bad timecode '{token}'"


def test_whisper_console_output_gives_ends() -> None:
    text = (
        "[00:00.000 --> 00:02.500]  And so my fellow Americans\n"
        "[00:02.500 --> 00:04.000]  ask not\n"
    )
    r = read_plaintext(text, "t.txt")
    assert [(s.start, s.end, s.text) for s in r.transcript.segments] == [
        (0, Fraction(5, 2), "And so my fellow Americans"),
        (Fraction(5, 2), 4, "ask not"),
    ]
    assert r.warnings == []


def test_out_of_order_lines_are_sorted_with_a_warning() -> None:
    r = read_plaintext("[00:00:05] later\n[00:00:01] sooner\n[00:00:09]\n", "t.txt")
    assert [(s.start, s.end, s.text) for s in r.transcript.segments] == [
        (1, 5, "sooner"),
        (5, 9, "later"),
    ]
    assert r.warnings == [
        "segment at line 2 starts before the one at line 1; segments sorted by start time"
    ]


def test_no_timecodes_is_an_error() -> None:
    with pytest.raises(UsageError, match=r"^t\.txt: no timecoded lines found"):
        read_plaintext("Just some notes.\nNothing timed.\n", "t.txt")
    with pytest.raises(UsageError, match=r"^t\.txt: timecodes found but no text"):
        read_plaintext("[00:00:01]\n[00:00:02]\n", "t.txt")


def test_logged_sample_file() -> None:
    r = read_transcript(DATA / "logged.txt")
    assert [(s.start, s.end, s.speaker, s.text) for s in r.transcript.segments] == [
        (1, Fraction(9, 2), "JOHN", "We drove north."),
        (Fraction(9, 2), Fraction(29, 4), None, "The road ended here."),
        (Fraction(29, 4), 10, "Mary", "And then?"),
    ]
    assert r.transcript.source == "text"
    assert r.warnings == []


def test_otter_style_sample_file() -> None:
    r = read_transcript(DATA / "otter.txt")
    assert [(s.start, s.end, s.speaker, s.text) for s in r.transcript.segments] == [
        (3, 9, "Anna Keeper", "The lamp was lit every night. Even in summer."),
        (9, 12, "Bob", "I never saw it."),
        (12, 12 + Fraction(4, 5), "Speaker 1", "That's all."),
    ]
    assert r.warnings == [
        "otter.txt lines 1–2: text before the first timecode ignored",
        "segment at line 11: last segment has no end time; ended 0.800 s after its start "
        "(2 words at 0.4 s)",
    ]
