"""The review render: a real ffmpeg render of a small cut, checked with ffprobe and pixels."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import time
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from mediagen import audio_poly, audio_tone, image_png, video_testsrc, video_tracks
from rushes.domain.timecode import Timecode
from rushes.edit import render
from rushes.edit.render import (
    RenderStats,
    drawtext_escape,
    find_font,
    render_review,
    review_size,
)
from rushes.edit.timeline import Event, Source, Timeline, conform_frames
from rushes.errors import MediaError, UsageError
from rushes.media.ffmpeg import ToolNotFound

F = Fraction
PAL = F(25)
NTSC = F(30000, 1001)
HEIGHT = 180  # 320x180 at the default 16:9 sequence


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A flat grey 25 fps clip (so burnt-in text stands out) and a 29.97 DF testsrc2 clip."""
    folder = tmp_path_factory.mktemp("render-media")
    grey = video_testsrc(folder / "grey.mp4", source="color=c=0x808080", rate="25",
                         timecode="10:00:00:00")
    bars = video_testsrc(folder / "bars.mp4", rate="30000/1001", timecode="12:00:00;00")
    return {"grey": grey, "bars": bars}


def source(path: Path, rate: Fraction, start: str) -> Source:
    return Source(asset_id=path.stem, path=str(path), name=path.name, reel=path.stem.upper(),
                  kind="video", rate=rate, start=Timecode.parse(start, rate), has_audio=True)


def sequence(items: list[tuple[str, object]], rate: Fraction = PAL) -> Timeline:
    """Events end to end from ("title"|"voiceover", (text, frames)) or ("clip", (src, in, out))."""
    events: list[Event] = []
    record = 0
    for kind, spec in items:
        if kind == "clip":
            src, s_in, s_out = spec  # type: ignore[misc]
            length = conform_frames(s_out - s_in, src.rate, rate)
            events.append(Event("clip", record, length, src, s_in, s_out, label=src.name))
        elif kind == "note":
            events.append(Event("note", record, 0, text=str(spec)))
            continue
        else:
            text, frames = spec  # type: ignore[misc]
            events.append(Event(kind, record, frames, text=text))  # type: ignore[arg-type]
        record += events[-1].duration
    start = Timecode.parse("01:00:00;00" if rate == NTSC else "01:00:00:00", rate)
    return Timeline("Review test", rate, start, tuple(events))


def probe(path: Path) -> dict[str, object]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-print_format", "json", "-show_format",
         "-show_streams", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout
    data: dict[str, object] = json.loads(out)
    return data


def frame(path: Path, index: int, size: tuple[int, int]) -> np.ndarray:
    """Frame ``index`` of a video as a grey-level array."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-vf", f"select=eq(n\\,{index})",
         "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    ).stdout
    w, h = size
    return np.frombuffer(raw, dtype=np.uint8).reshape(h, w)


def loudness(path: Path, start: float, seconds: float) -> float:
    """Mean volume in dB of a stretch of the audio (-91 is digital silence)."""
    err = subprocess.run(
        ["ffmpeg", "-v", "info", "-ss", str(start), "-t", str(seconds), "-i", str(path),
         "-vn", "-af", "volumedetect", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr
    line = next(x for x in err.splitlines() if "mean_volume" in x)
    return float(line.split("mean_volume:")[1].split()[0])


@pytest.fixture(scope="module")
def rendered(media: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[
        Timeline, Path, RenderStats, list[float]]:
    grey = source(media["grey"], PAL, "10:00:00:00")
    bars = source(media["bars"], NTSC, "12:00:00;00")
    tl = sequence([
        ("title", ("The Flood: 50% [rough],\n\nit's \\ done", 10)),
        ("clip", (grey, 5, 30)),
        ("clip", (bars, 6, 36)),           # 30 frames at 29.97 → 25 at 25
        ("note", "music here"),
        ("voiceover", ("The river rose four metres in one night.", 10)),
    ])
    out = tmp_path_factory.mktemp("render-out") / "review.mp4"
    seen: list[float] = []
    # two events per ffmpeg, so this cut takes the parts-then-join path (the others take the
    # single-pass one)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "BATCH_EVENTS", 2)
        stats = render_review(tl, out, height=HEIGHT, progress=seen.append, jobs=2)
    return tl, out, stats, seen


def test_duration_and_frame_count_match_the_timeline(
        rendered: tuple[Timeline, Path, RenderStats, list[float]]) -> None:
    tl, out, stats, _ = rendered
    assert tl.duration == 70
    info = probe(out)
    streams = info["streams"]
    assert isinstance(streams, list)
    video = next(s for s in streams if s["codec_type"] == "video")
    audio = [s for s in streams if s["codec_type"] == "audio"]
    assert video["codec_name"] == "h264" and video["pix_fmt"] == "yuv420p"
    assert (video["width"], video["height"]) == review_size(tl, HEIGHT) == (320, 180)
    assert F(video["r_frame_rate"]) == PAL
    assert int(video["nb_read_frames"]) == 70
    assert video["tags"]["timecode"] == "01:00:00:00"  # record timecode for an NLE
    assert audio and audio[0]["codec_name"] == "aac"
    fmt = info["format"]
    assert isinstance(fmt, dict)
    assert abs(F(fmt["duration"]) - tl.seconds(70)) <= F(1, 25)
    assert stats.frames == 70 and stats.items == 4 and stats.parts == 2
    assert abs(stats.output_duration - 2.8) <= 1 / 25
    assert stats.cpu_seconds > 0 and stats.size_bytes == out.stat().st_size
    assert [p.name for p in out.parent.iterdir()] == ["review.mp4"]


def test_title_card_is_dark_with_text(
        rendered: tuple[Timeline, Path, RenderStats, list[float]]) -> None:
    _, out, _, _ = rendered
    card = frame(out, 5, (320, 180))
    assert np.median(card) < 20
    assert (card > 200).sum() > 100  # white letters


def test_source_name_and_running_timecode_are_burnt_in(
        rendered: tuple[Timeline, Path, RenderStats, list[float]]) -> None:
    _, out, _, _ = rendered
    first = frame(out, 10, (320, 180)).astype(int)  # first frame of the grey clip
    later = frame(out, 11, (320, 180)).astype(int)
    middle = first[60:120, 40:280]
    assert middle.max() - middle.min() <= 6  # the flat grey picture itself
    top, bottom = first[:30], first[-30:]
    assert top.max() - top.min() > 100 and bottom.max() - bottom.min() > 100
    # the name stays put, the timecode's last digit changes from one frame to the next
    assert np.abs(first[:30] - later[:30]).max() <= 40  # coding noise only
    assert np.abs(first[-30:] - later[-30:]).max() > 100


def test_burnt_in_timecode_wraps_at_midnight(media: dict[str, Path], tmp_path: Path) -> None:
    """A source recorded across midnight shows 00:00:00:00 after 23:59:59:24, as its own
    labels do (ffmpeg counts on to 24:00:00:00 unless told timecode is a 24-hour clock)."""
    late = source(media["grey"], PAL, "23:59:59:00")
    midnight = replace(late, start=Timecode.parse("00:00:00:00", PAL))
    # frame 25 of the late clip is labelled 00:00:00:00, and so is frame 0 of the other
    tl = sequence([("clip", (late, 20, 30)), ("clip", (midnight, 0, 10))])
    out = tmp_path / "midnight.mp4"
    render_review(tl, out, height=HEIGHT)
    after_midnight = frame(out, 5, (320, 180)).astype(int)[-30:]
    reference = frame(out, 10, (320, 180)).astype(int)[-30:]
    before = frame(out, 4, (320, 180)).astype(int)[-30:]  # 23:59:59:24
    assert np.abs(after_midnight - reference).max() <= 40  # coding noise only
    assert np.abs(before - reference).max() > 100


def test_audio_is_kept_and_cards_are_silent(
        rendered: tuple[Timeline, Path, RenderStats, list[float]]) -> None:
    _, out, _, _ = rendered
    assert loudness(out, 0.5, 0.8) > -40    # the grey clip's tone
    assert loudness(out, 1.5, 0.8) > -40    # the bars clip's tone
    assert loudness(out, 2.42, 0.3) < -80   # the voice-over slate


def test_progress_rises_to_one(
        rendered: tuple[Timeline, Path, RenderStats, list[float]]) -> None:
    _, _, _, seen = rendered
    assert seen and seen[-1] == 1.0
    assert all(b > a for a, b in itertools.pairwise(seen))
    assert all(0 <= x <= 1 for x in seen)


def test_ntsc_sequence_with_still_sound_and_proxy(media: dict[str, Path], tmp_path: Path) -> None:
    """A 29.97 sequence: a 25 fps clip conformed, a held still, a sound-only clip, and a clip
    whose original is gone but whose proxy is there."""
    grey = source(media["grey"], PAL, "10:00:00:00")
    photo = Source(asset_id="photo", path=str(image_png(tmp_path / "photo.png")),
                   name="photo.png", reel="PHOTO", kind="image", rate=NTSC,
                   start=Timecode(0, NTSC))
    tone = Source(asset_id="tone", path=str(audio_tone(tmp_path / "tone.wav", seconds=1.0)),
                  name="tone.wav", reel="TONE", kind="audio", rate=NTSC,
                  start=Timecode(0, NTSC), has_video=False, has_audio=True)
    proxied = replace(source(tmp_path / "offline.mov", NTSC, "12:00:00;00"),
                      proxy=str(media["bars"]))
    tl = sequence([("clip", (grey, 0, 50)), ("clip", (tone, 3, 18)), ("clip", (proxied, 0, 12)),
                   ("title", ("End", 3))], rate=NTSC)
    tl = Timeline(tl.name, tl.rate, tl.start,
                  (*tl.events, Event("still", tl.duration, 9, photo)))
    assert tl.duration == 60 + 15 + 12 + 3 + 9
    out = tmp_path / "ntsc.mp4"
    stats = render_review(tl, out, height=HEIGHT, jobs=1)
    info = probe(out)
    streams = info["streams"]
    assert isinstance(streams, list)
    video = next(s for s in streams if s["codec_type"] == "video")
    assert F(video["r_frame_rate"]) == NTSC
    assert int(video["nb_read_frames"]) == tl.duration == stats.frames
    assert video["tags"]["timecode"] == "01:00:00;00"
    fmt = info["format"]
    assert isinstance(fmt, dict)
    assert abs(F(fmt["duration"]) - tl.seconds(tl.duration)) <= 1 / NTSC
    assert loudness(out, 2.1, 0.4) > -40  # the tone clip, over grey
    sound_only = frame(out, 65, (320, 180))
    assert 20 < np.median(sound_only) < 50  # the dark grey behind a sound-only clip


def test_every_microphone_of_a_source_is_heard(tmp_path: Path) -> None:
    """A recorder's eight-channel WAV whose only sound is on channel 4 (the LFE's place, which
    a stereo downmix drops), then a camera file whose first mono track is silent and second
    is not: the review copy has both."""
    poly = tmp_path / "poly.wav"
    audio_poly(poly, seconds=1, sounding=3)
    camera = tmp_path / "camera.mov"
    video_tracks(camera, ["anullsrc=r=48000:cl=mono:d=1",
                          "sine=f=440:sample_rate=44100:duration=1"], codec="libx264")
    recorder = Source(asset_id="poly", path=str(poly), name="poly.wav", reel="POLY",
                      kind="audio", rate=PAL, start=Timecode(0, PAL), has_video=False,
                      has_audio=True)
    tl = sequence([("clip", (recorder, 0, 25)), ("clip", (source(camera, PAL, "00:00:00:00"),
                                                          0, 25))])
    out = tmp_path / "mics.mp4"
    render_review(tl, out, height=HEIGHT, jobs=1)
    assert loudness(out, 0.2, 0.6) > -40   # channel 4 of the recorder
    assert loudness(out, 1.2, 0.6) > -40   # the camera's second track


def test_a_track_that_ends_early_does_not_end_the_others(tmp_path: Path) -> None:
    """A radio mic that stopped at 1 s beside a boom that runs to 3 s: a clip from 1.5 s to
    2.5 s still has the boom (ffmpeg's amix stops at its shortest input)."""
    camera = tmp_path / "camera.mov"
    video_tracks(camera, ["sine=f=440:sample_rate=48000:duration=3",
                          "sine=f=660:sample_rate=48000:duration=1"], seconds=3, codec="libx264")
    tl = sequence([("clip", (source(camera, PAL, "00:00:00:00"), 38, 63))])
    out = tmp_path / "late.mp4"
    render_review(tl, out, height=HEIGHT, jobs=1)
    assert loudness(out, 0.1, 0.8) > -40


def test_missing_source_is_one_line_error_and_no_output(
        media: dict[str, Path], tmp_path: Path) -> None:
    gone = source(tmp_path / "gone.mov", PAL, "10:00:00:00")
    grey = source(media["grey"], PAL, "10:00:00:00")
    tl = sequence([("clip", (grey, 0, 10)), ("clip", (gone, 0, 10))])
    out = tmp_path / "review.mp4"
    with pytest.raises(UsageError) as caught:
        render_review(tl, out, height=HEIGHT)
    message = str(caught.value)
    assert "\n" not in message
    assert "item 2" in message and str(tmp_path / "gone.mov") in message
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


@pytest.mark.parametrize("name", ["review.mkv", "review.mov", "review"])
def test_a_name_other_than_mp4_is_refused_before_rendering(
        media: dict[str, Path], tmp_path: Path, name: str) -> None:
    grey = source(media["grey"], PAL, "10:00:00:00")
    with pytest.raises(UsageError) as caught:
        render_review(sequence([("clip", (grey, 0, 10))]), tmp_path / name, height=HEIGHT)
    assert str(caught.value) == (
        f"a review cut is an MP4 (H.264 and AAC): name it .mp4, not {name}")
    assert list(tmp_path.iterdir()) == []


def test_unreadable_source_is_a_media_error_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mov"
    broken.write_bytes(b"not a movie at all" * 100)
    tl = sequence([("clip", (source(broken, PAL, "00:00:00:00"), 0, 10))])
    out = tmp_path / "review.mp4"
    with pytest.raises(MediaError) as caught:
        render_review(tl, out, height=HEIGHT)
    message = str(caught.value)
    assert "\n" not in message and "item 1" in message and "broken.mov" in message
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["broken.mov"]


def test_in_point_past_the_end_is_refused_before_rendering(
        media: dict[str, Path], tmp_path: Path) -> None:
    grey = source(media["grey"], PAL, "10:00:00:00")
    tl = sequence([("clip", (grey, 0, 10)), ("clip", (grey, 200, 210)), ("title", ("x", 5))])
    with pytest.raises(MediaError) as caught:
        render_review(tl, tmp_path / "review.mp4", height=HEIGHT)
    message = str(caught.value)
    assert message.startswith("item 2 (grey.mp4): in point 10:00:08:00 is past the end of")
    assert "10:00:02:00" in message and "\n" not in message
    assert list(tmp_path.iterdir()) == []


def test_a_stuck_ffmpeg_is_stopped_and_the_item_at_fault_named(
        media: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the up-front check, a range with no picture makes ffmpeg's join of several items
    spin forever; the watchdog stops it and each item is then tried alone to find the culprit."""
    monkeypatch.setattr(render, "_check_range", lambda *args: None)
    monkeypatch.setattr(render, "STALL_SECONDS", 2.0)
    grey = source(media["grey"], PAL, "10:00:00:00")
    tl = sequence([("clip", (grey, 0, 10)), ("clip", (grey, 200, 210)), ("title", ("x", 5))])
    with pytest.raises(MediaError) as caught:
        render_review(tl, tmp_path / "review.mp4", height=HEIGHT)
    message = str(caught.value)
    assert message.startswith("item 2 (grey.mp4): ffmpeg failed on ")
    assert "no picture in the used range" in message and "\n" not in message
    assert list(tmp_path.iterdir()) == []


def test_drawtext_escape_keeps_every_character_literal() -> None:
    assert drawtext_escape("a:b") == "a\\\\:b"
    assert drawtext_escape("it's") == "it\\\\\\'s"
    assert drawtext_escape("x,y;[z]") == "x\\,y\\;\\[z\\]"
    assert drawtext_escape("50%") == "50%"


def test_font_lookup_finds_dejavu_or_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_font().name == "DejaVuSans.ttf"
    monkeypatch.setattr(render.shutil, "which", lambda name: None)  # no fc-match either
    with pytest.raises(ToolNotFound, match=r"DejaVu Sans.*fonts-dejavu-core"):
        find_font([tmp_path / "DejaVuSans.ttf"])


def test_a_killed_renders_leftovers_are_cleared_by_the_next(
        media: dict[str, Path], tmp_path: Path) -> None:
    """A render killed mid-way cannot remove its work folder; the next render of the same file
    does (once it is over a minute old: a younger one may belong to a render still running)."""
    stale = tmp_path / ".review.mp4.abc123.render"
    stale.mkdir()
    (stale / "part-0.mkv").write_bytes(b"half a part")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    young = tmp_path / ".review.mp4.def456.render"
    young.mkdir()
    tl = sequence([("clip", (source(media["grey"], PAL, "10:00:00:00"), 0, 5))])
    render_review(tl, tmp_path / "review.mp4", height=HEIGHT)
    assert sorted(p.name for p in tmp_path.iterdir()) == [young.name, "review.mp4"]
