"""Paper edits for the hand-over format tests: every rate, embedded start timecodes, stills,
titles, voice-over and notes, built directly (no catalog, no media files)."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from rushes.domain.timecode import Timecode, nominal_fps
from rushes.edit.timeline import Event, ImportedEvent, Source, Timeline, conform_frames

F = Fraction

#: (id, rate, drop-frame labels): every rate editors meet.
RATES = [
    ("23.976", F(24000, 1001), False),
    ("24", F(24), False),
    ("25", F(25), False),
    ("29.97-NDF", F(30000, 1001), False),
    ("29.97-DF", F(30000, 1001), True),
    ("30", F(30), False),
    ("50", F(50), False),
    ("59.94-NDF", F(60000, 1001), False),
    ("59.94-DF", F(60000, 1001), True),
]
EVERY_RATE = [pytest.param(rate, df, id=name) for name, rate, df in RATES]


def tc(text: str, rate: Fraction, df: bool) -> Timecode:
    return Timecode.parse(text.replace(";", ":") if not df else text, rate, df)


def media(name: str, rate: Fraction, start: Timecode, *, reel: str | None = None,
          audio: int = 2, video: bool = True, kind: str = "video") -> Source:
    return Source(
        asset_id=f"{name}-id", path=f"/media/card 01/{name}", name=name,
        reel=reel or re.sub(r"[^A-Z0-9]", "", name.split(".")[0].upper())[:8], kind=kind,
        rate=rate,
        start=start, duration_frames=100_000, width=1920, height=1080, has_video=video,
        has_audio=audio > 0, audio_rate=48000, audio_channels=audio or None,
    )


def lay_out(rate: Fraction, start: Timecode, *events: Event, name: str = "River cut") -> Timeline:
    """Events end to end from record frame 0, lengths by the conform rule."""
    placed = []
    record = 0
    for e in events:
        if e.kind == "clip" and e.source is not None:
            length = conform_frames(e.source_frames, e.source.rate, rate)
        else:
            length = e.duration
        placed.append(Event(e.kind, record, length, e.source, e.source_in, e.source_out,
                            e.label, e.text))
        record += length
    return Timeline(name, rate, start, tuple(placed))


def paper_edit(rate: Fraction, df: bool, start: str = "01:00:00:00") -> Timeline:
    fps = nominal_fps(rate)
    a = media("A001_C003.mov", rate, tc("10:00:00;00", rate, df))
    b = media("B002_C011.mov", rate, tc("14:23:11;02", rate, df), audio=0)
    still = media("dad 1987.jpg", rate, Timecode(0, rate), audio=0, kind="image")
    # B's range crosses a minute: drop-frame labels skip there.
    b_in = fps * 48 + 20
    return lay_out(
        rate, tc(start, rate, df),
        Event("clip", 0, 0, a, 17, 140, label="Anna on the flood"),
        Event("clip", 0, 0, b, b_in, b_in + 3 * fps),
        Event("still", 0, 2 * fps, still, 0, 2 * fps),
        Event("note", 0, 0, text="music comes in here"),
        Event("title", 0, 3 * fps, text="The river\n1987"),
        Event("voiceover", 0, 2 * fps, text="He left in the spring."),
        Event("clip", 0, 0, a, 1000, 1001),
    )


def media_events(timeline: Timeline) -> list[Event]:
    return [e for e in timeline.events if e.kind in {"clip", "still"}]


def expected_source(event: Event) -> tuple[int, int]:
    assert event.source is not None
    length = event.duration if event.kind == "still" else event.source_frames
    start = event.source.start.frames + event.source_in
    return start, start + length


def assert_matches(timeline: Timeline, imported: list[ImportedEvent]) -> None:
    expected = media_events(timeline)
    assert len(imported) == len(expected)
    for event, got in zip(expected, imported, strict=True):
        assert event.source is not None
        assert (got.source_in.frames, got.source_out.frames) == expected_source(event)
        assert got.record_in.frames == timeline.start.frames + event.record_in
        assert got.record_out.frames == timeline.start.frames + event.record_out
        assert got.record_in.rate == timeline.rate
        assert str(got.record_in) == str(timeline.record_timecode(event.record_in))
        if event.kind == "clip":
            assert str(got.source_in) == str(event.source.timecode(event.source_in))
