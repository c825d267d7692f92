"""Captions of a cut: words moved from source to record time, grouped into readable cues."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import pytest

from rushes.domain.timecode import Timecode
from rushes.edit.formats.captions import (
    caption_cues,
    format_srt,
    kept_words,
    placed_words,
    wrap_lines,
    write_captions,
)
from rushes.edit.timeline import Event, Source, Timeline, Word, conform_frames
from rushes.errors import UsageError
from rushes.transcripts.readers import read_srt, read_transcript, read_webvtt

F = Fraction
PAL = F(25)
NTSC = F(30000, 1001)


def source(name: str, rate: Fraction, start: str, drop: bool = False) -> Source:
    return Source(
        asset_id=name, path=f"/media/{name}", name=name, reel=name[:8].upper(), kind="video",
        rate=rate, start=Timecode.parse(start, rate, drop), has_audio=True,
    )


def words(*items: tuple[str, str, str, str | None]) -> tuple[Word, ...]:
    return tuple(Word(F(a), F(b), text, who) for a, b, text, who in items)


def cut(*specs: tuple[Source | None, int, int, tuple[Word, ...]] | Event,
        rate: Fraction = PAL, start: str = "01:00:00:00") -> Timeline:
    """Events laid end to end from (source, in, out, words) or ready-made events."""
    events = []
    record = 0
    for spec in specs:
        if isinstance(spec, Event):
            event = Event(spec.kind, record, spec.duration, text=spec.text)
        else:
            src, s_in, s_out, ws = spec
            assert src is not None
            length = conform_frames(s_out - s_in, src.rate, rate)
            event = Event("clip", record, length, src, s_in, s_out, label=src.name, words=ws)
        events.append(event)
        record += event.duration
    return Timeline("Test cut", rate, Timecode.parse(start, rate), tuple(events))


A = source("interview_a.mov", PAL, "10:00:00:00")
B = source("street_b.mov", NTSC, "12:00:00;00", drop=True)


def two_events() -> Timeline:
    """2 s of A (source 2.0–4.0 s) at 25 fps, then 60 frames of B at 29.97 (50 frames here)."""
    a_words = words(
        ("1.9", "2.3", "Well,", "Ann"),     # straddles the in point, mostly inside: kept
        ("2.4", "2.8", "hello", "Ann"),
        ("2.9", "3.3", "world.", "Ann"),
        ("3.9", "4.3", "cut", "Ann"),       # straddles the out point, mostly outside: dropped
    )
    b_words = words(
        ("10.5", "10.8", "Again", "Bob"),
        ("10.9", "11.4", "here.", "Bob"),
    )
    return cut((A, 50, 100, a_words), (B, 300, 360, b_words))


def test_words_land_at_record_times_across_events_and_a_rate_change() -> None:
    tl = two_events()
    assert tl.events[1].duration == 50  # 60 frames at 29.97 conform to 50 at 25
    placed = placed_words(tl)
    assert [w.text for w in placed] == ["Well,", "hello", "world.", "Again", "here."]
    # event A: same rate, so record = record_in + (t - 2.0) exactly; the straddler is clamped
    assert placed[0].start == 0 and placed[0].end == F("0.3")
    assert (placed[1].start, placed[1].end) == (F("0.4"), F("0.8"))
    assert (placed[2].start, placed[2].end) == (F("0.9"), F("1.3"))
    # event B: source in 300/29.97 s = 10.01 s, 2.002 s of source on 2.000 s of record
    src_in = F(300) / NTSC
    scale = F(2) / (F(60) / NTSC)
    assert placed[3].start == 2 + (F("10.5") - src_in) * scale
    assert placed[4].end == 2 + (F("11.4") - src_in) * scale
    assert abs(placed[3].start - (2 + F("10.5") - src_in)) < F(1, 50)  # within half a frame


def test_a_word_straddling_an_edit_is_kept_only_when_mostly_inside() -> None:
    event = two_events().events[0]
    assert [w.text for w in kept_words(event)] == ["Well,", "hello", "world."]
    # move the in point so that "Well," is mostly outside: then it goes
    later = cut((A, 53, 100, event.words)).events[0]  # in at 2.12 s: 0.18 of 0.4 s inside
    assert [w.text for w in kept_words(later)][:1] == ["hello"]


def test_cues_break_at_edits_and_speakers_and_read_back_as_srt(tmp_path: Path) -> None:
    out = tmp_path / "cut.srt"
    count = write_captions(two_events(), out, "srt")
    assert count == 2
    text = out.read_text(encoding="utf-8")
    segments = read_srt(text).transcript.segments
    assert [s.text for s in segments] == ["Well, hello world.", "Again here."]
    assert [s.speaker for s in segments] == ["ANN", "BOB"]
    assert segments[0].start == 0
    # the first cue ends with its last word (1.3 s), already longer than the minimum
    assert segments[0].end == F("1.3")
    src_in = F(300) / NTSC
    expected = 2 + (F("10.5") - src_in) * F(2) / (F(60) / NTSC)
    assert abs(segments[1].start - expected) <= F(1, 2000)  # printed to the millisecond


def test_srt_escapes_markup_and_arrows_and_reads_back_as_said(tmp_path: Path) -> None:
    said = words(("0.1", "0.5", "<inaudible>", None), ("0.6", "0.9", "a", None),
                 ("1.0", "1.2", "-->", None), ("1.3", "1.6", "b", None),
                 ("1.7", "2.0", "Fish", None), ("2.1", "2.2", "&", None),
                 ("2.3", "2.6", "&amp;", None), ("2.7", "3.0", "{\\an8}x", None))
    out = tmp_path / "cut.srt"
    write_captions(cut((A, 0, 100, said)), out, "srt")
    text = out.read_text(encoding="utf-8")
    body = [line for line in text.splitlines()[2:] if line]
    assert "&lt;inaudible&gt;" in body[0] and "<inaudible>" not in text
    assert "--&gt;" in text and "->" not in text.replace("--&gt;", "").replace(" --> ", "")
    assert "Fish & &amp;amp; &#123;\\an8}x" in text  # a bare '&' stays bare
    [segment] = read_srt(text).transcript.segments
    assert segment.text == "<inaudible> a --> b Fish & &amp; {\\an8}x"


def test_webvtt_reads_back_with_voices_and_timecode_start(tmp_path: Path) -> None:
    tl = two_events()
    out = tmp_path / "cut.vtt"
    write_captions(tl, out, "webvtt", timecode_start=True)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT")
    assert "01:00:00.000 --> 01:00:01.300" in text
    plain = read_webvtt(text).transcript.segments
    assert plain[0].speaker == "Ann" and plain[1].speaker == "Bob"
    shifted = read_transcript(out, offset=tl.start).transcript.segments
    assert shifted[0].start == 0 and shifted[0].end == F("1.3")
    from_zero = tmp_path / "zero.vtt"
    write_captions(tl, from_zero, "vtt")
    assert "00:00:00.000 --> 00:00:01.300" in from_zero.read_text(encoding="utf-8")


def test_drop_frame_record_start_follows_the_labels(tmp_path: Path) -> None:
    tl = cut((B, 300, 360, words(("10.5", "10.8", "Hi.", None))), rate=NTSC,
             start="00:59:59;28")
    assert tl.drop_frame
    out = tmp_path / "df.srt"
    write_captions(tl, out, "srt", timecode_start=True)
    segments = read_transcript(out, offset=tl.start).transcript.segments
    assert abs(segments[0].start - (F("10.5") - F(300) / NTSC)) <= F(1, 2000)


def test_long_speech_is_split_into_two_line_cues_of_42_characters() -> None:
    text = ("So we drove out to the farm that morning, and nobody there had heard a thing "
            "about the flood warnings, which still surprises me today when I think about it")
    ws = tuple(
        Word(F(k, 3), F(k, 3) + F(1, 4), token, "Ann") for k, token in enumerate(text.split())
    )
    tl = cut((A, 0, 25 * 12, ws))
    cues = caption_cues(tl)
    assert len(cues) >= 2
    assert all(len(c.lines) <= 2 and all(len(line) <= 42 for line in c.lines) for c in cues)
    assert " ".join(c.text for c in cues) == text
    assert all(a.end <= b.start for a, b in itertools.pairwise(cues))
    assert all(c.end - c.start <= 7 for c in cues)


def test_a_pause_starts_a_new_cue_and_short_cues_get_reading_time() -> None:
    tl = cut((A, 0, 250, words(("0.5", "0.7", "Yes.", None), ("4.0", "4.3", "No", None))))
    cues = caption_cues(tl)
    assert [c.text for c in cues] == ["Yes.", "No"]
    assert cues[0].end == F("1.5")  # extended to one second: the next cue is far
    assert cues[1].end == F("5.0")


def test_voiceover_script_is_captioned_over_its_duration() -> None:
    script = "The river rose four metres in a single night and took the bridge with it."
    vo = Event("voiceover", 0, 100, text=script)
    tl = cut((A, 50, 100, words(("2.4", "2.8", "hello", None))), vo)
    cues = caption_cues(tl)
    vo_cues = [c for c in cues if c.voiceover]
    assert vo_cues and all(c.lines[0].startswith("[VO]") for c in vo_cues)
    assert vo_cues[0].start == 2 and vo_cues[-1].end == 6
    assert " ".join(c.text.replace("[VO] ", "") for c in vo_cues) == script
    srt = read_srt(format_srt(cues)).transcript
    assert srt.segments[-1].text.startswith("[VO]")


def test_wrap_lines_balances_and_refuses_what_cannot_fit() -> None:
    lines = wrap_lines(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                        "ten", "eleven"])
    assert lines is not None and len(lines) == 2
    assert abs(len(lines[0]) - len(lines[1])) <= 6
    assert wrap_lines(["short", "line"]) == ["short line"]
    assert wrap_lines(["x" * 50]) is None


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="caption format"):
        write_captions(two_events(), tmp_path / "x.ass", "ass")
    assert list(tmp_path.iterdir()) == []
