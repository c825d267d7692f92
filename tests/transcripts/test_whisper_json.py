"""JSON from Whisper, faster-whisper, WhisperX, OpenAI's API and whisper.cpp."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from rushes.errors import UsageError
from rushes.transcripts import Word, read_transcript
from rushes.transcripts.readers import read_whisper_json

DATA = Path(__file__).parent / "data"


def words_of(words: list[Word]) -> list[tuple[Fraction, Fraction, str]]:
    return [(w.start, w.end, w.text) for w in words]


def test_openai_whisper_output_with_exact_decimal_times() -> None:
    doc = {
        "text": " Hello world. Again.",
        "language": "en",
        "segments": [
            {
                "id": 0,
                "start": 0.1,
                "end": 1.3,
                "text": " Hello world.",
                "words": [
                    {"word": " Hello", "start": 0.1, "end": 0.7, "probability": 0.99},
                    {"word": " world.", "start": 0.7, "end": 1.3, "probability": 0.97},
                ],
            },
            {"id": 1, "start": 1.3, "end": 2, "text": " Again."},
        ],
    }
    r = read_whisper_json(json.dumps(doc))
    t = r.transcript
    assert (t.language, t.source) == ("en", "whisper-json")
    a, b = t.segments
    assert (a.start, a.end, a.text) == (Fraction(1, 10), Fraction(13, 10), "Hello world.")
    assert words_of(a.words) == [
        (Fraction(1, 10), Fraction(7, 10), "Hello"),
        (Fraction(7, 10), Fraction(13, 10), "world."),
    ]
    assert (b.start, b.end, b.text, b.words) == (Fraction(13, 10), 2, "Again.", [])
    assert r.warnings == []


def test_faster_whisper_list_of_segments() -> None:
    r = read_transcript(DATA / "faster_whisper.json")
    segs = r.transcript.segments
    assert [(s.start, s.end, s.text) for s in segs] == [
        (0, Fraction(152, 100), "Hello there."),
        (Fraction(152, 100), 3, "General Kenobi."),
    ]
    assert [w.text for w in segs[1].words] == ["General", "Kenobi."]
    assert r.warnings == []


def test_whisperx_sample_interpolates_untimed_words_and_keeps_chinese() -> None:
    r = read_transcript(DATA / "whisperx.json")
    a, b = r.transcript.segments
    assert (a.speaker, a.text) == ("SPEAKER_00", "It was 1987.")
    assert words_of(a.words) == [
        (Fraction(31, 1000), Fraction(1, 5), "It"),
        (Fraction(1, 4), Fraction(1, 2), "was"),
        (Fraction(1, 2), Fraction(12, 5), "1987."),  # interpolated to 2.5, then trimmed
    ]
    assert (b.speaker, b.text) == ("SPEAKER_01", "我记得很清楚。")
    assert [w.text for w in b.words] == ["我", "记得", "很清楚。"]
    assert r.warnings == [
        "segment 1: 1 word(s) without times ('1987.'); times interpolated",
        "segment 2 overlaps segment 1 by 0.100 s; segment 1 trimmed to end at 00:00:02.400",
    ]


def test_runs_of_untimed_words_share_the_gap_between_neighbours() -> None:
    doc = {
        "segments": [
            {
                "start": 10,
                "end": 14,
                "text": "in 1990 or 1991 maybe",
                "words": [
                    {"word": "in"},
                    {"word": "1990", "start": 11, "end": 11.5},
                    {"word": "or"},
                    {"word": "1991"},
                    {"word": "maybe", "start": 13.5, "end": 14},
                ],
            }
        ]
    }
    r = read_whisper_json(json.dumps(doc))
    [seg] = r.transcript.segments
    assert words_of(seg.words) == [
        (10, 11, "in"),
        (11, Fraction(23, 2), "1990"),
        (Fraction(23, 2), Fraction(25, 2), "or"),
        (Fraction(25, 2), Fraction(27, 2), "1991"),
        (Fraction(27, 2), 14, "maybe"),
    ]
    assert r.warnings == [
        "segment 1: 3 word(s) without times ('in', 'or', '1991'); times interpolated"
    ]


def test_top_level_word_segments_are_given_to_segments_by_time() -> None:
    doc = {
        "segments": [
            {"start": 0, "end": 1, "text": "one two"},
            {"start": 1, "end": 2, "text": "three"},
        ],
        "word_segments": [
            {"word": "one", "start": 0, "end": 0.4},
            {"word": "two", "start": 0.5, "end": 0.9},
            {"word": "three", "start": 1.1, "end": 1.8},
        ],
    }
    a, b = read_whisper_json(json.dumps(doc)).transcript.segments
    assert [w.text for w in a.words] == ["one", "two"]
    assert [w.text for w in b.words] == ["three"]


def test_words_only_are_grouped_into_segments_with_a_warning() -> None:
    doc = {
        "words": [
            {"word": "Hi.", "start": 0, "end": 0.5},
            {"word": "How", "start": 0.6, "end": 0.8},
            {"word": "are", "start": 0.8, "end": 1.0},
            {"word": "you", "start": 2.5, "end": 2.9},
        ]
    }
    r = read_whisper_json(json.dumps(doc), "w.json")
    assert [(s.start, s.end, s.text) for s in r.transcript.segments] == [
        (0, Fraction(1, 2), "Hi."),
        (Fraction(3, 5), 1, "How are"),
        (Fraction(5, 2), Fraction(29, 10), "you"),
    ]
    assert r.warnings == [
        "w.json: no segments, only words; grouped 4 words into 3 segments at sentence ends "
        "and pauses"
    ]


def test_segment_text_and_speaker_from_words_when_missing() -> None:
    doc = {
        "segments": [
            {
                "start": 0,
                "end": 1,
                "words": [
                    {"word": " Ja", "start": 0, "end": 0.5, "speaker": "SPEAKER_02"},
                    {"word": " klar.", "start": 0.5, "end": 1, "speaker": "SPEAKER_02"},
                ],
            }
        ]
    }
    [seg] = read_whisper_json(json.dumps(doc)).transcript.segments
    assert (seg.text, seg.speaker) == ("Ja klar.", "SPEAKER_02")


def test_whisper_cpp_output() -> None:
    r = read_transcript(DATA / "whisper_cpp.json")
    assert r.transcript.language == "de"
    assert [(s.start, s.end, s.text) for s in r.transcript.segments] == [
        (0, Fraction(234, 100), "Guten Tag."),
        (Fraction(234, 100), 4, "Wie geht's?"),
    ]


def test_end_before_start_is_swapped_with_a_warning() -> None:
    doc = {"segments": [{"start": 2, "end": 1, "text": "x"}]}
    r = read_whisper_json(json.dumps(doc))
    assert [(s.start, s.end) for s in r.transcript.segments] == [(1, 2)]
    assert r.warnings == ["segment 1: end 00:00:01.000 before start 00:00:02.000; swapped"]


def test_invalid_json_is_an_error_naming_the_line() -> None:
    with pytest.raises(UsageError, match=r"^t\.json line 3: not valid JSON"):
        read_whisper_json('{\n"segments": [\n{"start": 1,, }]}', "t.json")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"segments": [{"start": "soon", "end": 1, "text": "x"}]}, "segment 1: bad 'start' time"),
        ({"segments": [{"end": 1, "text": "x"}]}, "segment 1: no 'start' time"),
        ({"segments": [{"start": -1, "end": 1, "text": "x"}]}, "segment 1: bad 'start' time"),
        ({"text": "hello"}, "not a speech-recognition transcript"),
        ({"segments": []}, "no segments found"),
        ({"segments": [{"start": 0, "end": 1, "text": " "}]}, "no segments with text found"),
        ("just a string", "not a speech-recognition transcript"),
    ],
)
def test_unusable_documents_are_errors(doc: object, message: str) -> None:
    with pytest.raises(UsageError, match=rf"^t\.json: {message}"):
        read_whisper_json(json.dumps(doc), "t.json")


def test_a_whisperx_segment_splits_where_its_words_change_speaker() -> None:
    def word(text: str, start: float, end: float, speaker: str | None) -> dict[str, object]:
        out: dict[str, object] = {"word": text, "start": start, "end": end}
        if speaker:
            out["speaker"] = speaker
        return out

    doc = {"segments": [{
        "start": 0, "end": 4, "text": " Are you ready? Yes I am.", "speaker": "SPEAKER_00",
        "words": [word("Are", 0, 0.3, "SPEAKER_00"), word("you", 0.3, 0.6, None),
                  word("ready?", 0.6, 1, "SPEAKER_00"), word("Yes", 2, 2.5, "SPEAKER_01"),
                  word("I", 2.5, 2.8, None), word("am.", 2.8, 3.5, "SPEAKER_01")],
    }]}
    r = read_whisper_json(json.dumps(doc))
    assert [(s.start, s.end, s.speaker, s.text) for s in r.transcript.segments] == [
        (0, 1, "SPEAKER_00", "Are you ready?"),
        (2, 4, "SPEAKER_01", "Yes I am."),
    ]
    assert [w.text for w in r.transcript.segments[1].words] == ["Yes", "I", "am."]
    assert r.warnings == []


def test_words_outside_their_segment_are_clamped_into_it_with_a_warning() -> None:
    """A word said outside its segment would send a search hit or a selection outside the
    segment that holds it: its times are moved into the segment, and the warning names the
    segment and each word."""
    doc = {"segments": [
        {"start": 1.0, "end": 2.0, "text": " Before during after", "words": [
            {"word": " Before", "start": 0.5, "end": 1.2},
            {"word": " during", "start": 1.2, "end": 1.6},
            {"word": " after", "start": 1.7, "end": 2.6},
        ]},
        {"start": 3.0, "end": 4.0, "text": " Fine.", "words": [
            {"word": " Fine.", "start": 3.0, "end": 4.0},
        ]},
    ]}
    r = read_whisper_json(json.dumps(doc))
    a, b = r.transcript.segments
    assert words_of(a.words) == [
        (1, Fraction(6, 5), "Before"),
        (Fraction(6, 5), Fraction(8, 5), "during"),
        (Fraction(17, 10), 2, "after"),
    ]
    assert words_of(b.words) == [(3, 4, "Fine.")]
    assert r.warnings == [
        "segment 1: 2 word(s) outside its time 00:00:01.000–00:00:02.000 ('Before' at "
        "00:00:00.500–00:00:01.200, 'after' at 00:00:01.700–00:00:02.600); word times "
        "clamped into the segment"
    ]


def test_a_segment_of_no_length_takes_its_words_span_or_a_spoken_length() -> None:
    """Zero-length segments (Whisper leaves them at the end of a file) are shown by no player:
    one with timed words gets their span; one without is ended as long as its words take to
    say (0.4 s a word), but never past the next segment's start. Each is named in a warning."""
    doc = {"segments": [
        {"start": 1.0, "end": 1.0, "text": " Timed words.", "words": [
            {"word": " Timed", "start": 1.0, "end": 1.3},
            {"word": " words.", "start": 1.3, "end": 1.8},
        ]},
        {"start": 2.0, "end": 2.0, "text": " Cut short by the next."},
        {"start": 2.5, "end": 2.5, "text": " Three more words."},
    ]}
    r = read_whisper_json(json.dumps(doc))
    assert [(s.start, s.end, s.text) for s in r.transcript.segments] == [
        (1, Fraction(9, 5), "Timed words."),
        (2, Fraction(5, 2), "Cut short by the next."),
        (Fraction(5, 2), Fraction(37, 10), "Three more words."),
    ]
    assert r.warnings == [
        "segment 1: no length (starts and ends at 00:00:01.000); given its words' span "
        "00:00:01.000–00:00:01.800",
        "segment 2: no length (starts and ends at 00:00:02.000); ended 0.500 s after its "
        "start, where segment 3 starts",
        "segment 3: no length (starts and ends at 00:00:02.500); ended 1.200 s after its "
        "start (3 words at 0.4 s)",
    ]
