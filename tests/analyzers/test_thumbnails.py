"""The thumbnails analyzer: poster and filmstrip from decoded frames, thumbnails of stills."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import mediagen
from rushes.analyzers import get_analyzer
from rushes.analyzers.base import AnalysisContext, AssetView, FrameAnalyzer, Result
from rushes.analyzers.thumbnails import ThumbnailSink
from rushes.config import Settings, load_settings
from rushes.errors import MediaError
from rushes.media.frames import DecodedFrame, VideoInfo, _Video, decode_into, open_video


def context(path: Path, kind: str, out: Path, **settings: Any) -> AnalysisContext:
    base: Settings = load_settings(environ={})
    return AnalysisContext(
        asset=AssetView(id="a1", kind=kind, format=path.suffix.lstrip("."), path=path),
        settings=base.replace(**settings) if settings else base,
        params={},
        output_dir=out,
    )


def shared_pass(ctx: AnalysisContext) -> Result:
    """What the job runner does when shots runs too: every frame, through ``open_sink``."""
    analyzer = get_analyzer("thumbnails")
    assert isinstance(analyzer, FrameAnalyzer)
    return decode_into(ctx.asset.path, [lambda info: analyzer.open_sink(ctx, info)])[0]


def luma(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float32)


def test_params_are_the_thumbnail_settings() -> None:
    params = get_analyzer("thumbnails").params(load_settings(environ={}))
    assert params == {"thumbnail_width": 320, "filmstrip_frames": 10, "filmstrip_width": 160}


def test_every_frame_pass_picks_frames_nearest_the_filmstrip_targets(tmp_path: Path) -> None:
    clip = mediagen.video_testsrc(tmp_path / "clip.mp4", seconds=2, audio=False)
    ctx = context(clip, "video", tmp_path / "out", filmstrip_frames=4)
    out = shared_pass(ctx)
    # Targets are slot centres 0.25, 0.75, 1.25, 1.75 s; frames at 25 fps nearest to them.
    assert out["filmstrip_times"] == ["6/25", "19/25", "31/25", "44/25"]
    assert out["poster_time"] == "1/5"  # first frame from 10% of 2 s
    assert (out["width"], out["height"]) == (320, 240)
    with Image.open(tmp_path / "out" / out["poster"]) as poster:
        assert poster.size == (320, 240)
    with Image.open(tmp_path / "out" / out["filmstrip"]) as strip:
        assert strip.size == (4 * 160, 120)


def alone(ctx: AnalysisContext) -> tuple[Result, list[Fraction]]:
    """The analyzer run alone (a resumed job), and the times of the frames it was fed."""
    fed: list[Fraction] = []
    real = ThumbnailSink.feed

    def feed(self: ThumbnailSink, frame: DecodedFrame) -> None:
        fed.append(frame.time)
        real(self, frame)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ThumbnailSink, "feed", feed)
        return get_analyzer("thumbnails").run(ctx), fed


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("gop", [10, 25, 400], ids=["gop-10", "gop-25", "one-key-frame"])
def test_run_alone_records_what_the_shared_pass_records(tmp_path: Path, gop: int) -> None:
    # Resuming a killed job runs thumbnails without shots: the result must not depend on that.
    clip = mediagen.video_testsrc(tmp_path / "clip.mp4", seconds=12, audio=False,
                                  extra=["-g", str(gop)])
    shared = shared_pass(context(clip, "video", tmp_path / "shared", filmstrip_frames=4))
    out, fed = alone(context(clip, "video", tmp_path / "alone", filmstrip_frames=4))
    assert out == shared
    assert files(tmp_path / "alone") == files(tmp_path / "shared")
    assert fed == sorted(set(fed)), "a frame was fed twice or out of order"
    if gop == 25:
        # Key frames every second: the pass seeks to each target instead of decoding 12 s.
        assert len(fed) < 150
    if gop == 400:
        # Every seek would land on the one key frame: decoded straight on, up to the last target.
        assert fed == [Fraction(i, 25) for i in range(len(fed))]


def seeking_alone(
    ctx: AnalysisContext, past: Fraction = Fraction(0)
) -> tuple[Result, list[Fraction], list[Fraction]]:
    """:func:`alone`, also listing the times sought; each seek lands ``past`` seconds later."""
    real = _Video.seek
    seeks: list[Fraction] = []

    def seek(self: _Video, time: Fraction) -> None:
        seeks.append(time)
        real(self, time + past)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_Video, "seek", seek)
        out, fed = alone(ctx)
    return out, fed, seeks


def test_a_seek_decodes_on_from_the_key_frame_to_its_target(tmp_path: Path) -> None:
    # Key frames every 5 s; targets: poster from 1.2 s, tiles at 3 s and 9 s. The 9 s tile is
    # reached by one seek to the 5 s key frame and decoding on, not by seeking again each frame.
    clip = mediagen.video_testsrc(tmp_path / "clip.mp4", seconds=12, audio=False,
                                  extra=["-g", "125"])
    shared = shared_pass(context(clip, "video", tmp_path / "shared", filmstrip_frames=2))
    out, fed, seeks = seeking_alone(context(clip, "video", tmp_path / "alone", filmstrip_frames=2))
    assert out == shared
    assert seeks == [9]
    frames = [Fraction(i, 25) for i in range(76)] + [Fraction(i, 25) for i in range(125, 226)]
    assert fed == frames


def test_a_seek_that_lands_past_the_target_rewinds(tmp_path: Path) -> None:
    # Some demuxers (MPEG-TS, damaged indexes) land after the wanted time: the frames before it
    # are then decoded from the top rather than skipped.
    clip = mediagen.video_testsrc(tmp_path / "clip.mp4", seconds=12, audio=False,
                                  extra=["-g", "25"])
    shared = shared_pass(context(clip, "video", tmp_path / "shared", filmstrip_frames=4))
    out, fed, seeks = seeking_alone(
        context(clip, "video", tmp_path / "alone", filmstrip_frames=4), past=Fraction(2)
    )
    assert len(seeks) == 1, "seeking went on after a seek overshot"
    assert out == shared
    assert fed == sorted(set(fed))


def test_poster_skips_a_black_opening(tmp_path: Path) -> None:
    clip = mediagen.video_shots(tmp_path / "late.mp4", [("color=c=black", 1.0), ("testsrc2", 1.0)])
    out = shared_pass(context(clip, "video", tmp_path / "out"))
    assert out["poster_time"] == "1/1"
    with Image.open(tmp_path / "out" / "poster.jpg") as poster:
        assert luma(poster).mean() > 40


def test_only_kept_frames_are_scaled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = mediagen.video_testsrc(tmp_path / "clip.mp4", seconds=2, audio=False)
    calls: list[int] = []
    real = DecodedFrame.picture

    def counting(self: DecodedFrame, width: int) -> Image.Image:
        calls.append(self.index)
        return real(self, width)

    monkeypatch.setattr(DecodedFrame, "picture", counting)
    shared_pass(context(clip, "video", tmp_path / "out", filmstrip_frames=4))
    # 50 frames decoded; 4 tiles and one poster scaled.
    assert len(calls) == 5


def test_rotated_video_poster_is_upright(tmp_path: Path) -> None:
    clip = mediagen.video_white_left_half(tmp_path / "turned.mp4", rotate=90)
    out = shared_pass(context(clip, "video", tmp_path / "out"))
    assert out["width"] == 320
    assert out["height"] > out["width"]
    with Image.open(tmp_path / "out" / "poster.jpg") as poster:
        y = luma(poster)
    # Players (ffmpeg's autorotate) turn this matrix counter-clockwise: the left half goes down.
    h = y.shape[0]
    assert y[: h // 2 - 8].mean() < 40
    assert y[h // 2 + 8 :].mean() > 215
    with Image.open(tmp_path / "out" / "filmstrip.jpg") as strip:
        assert strip.height > 160


def test_unknown_duration_still_spreads_the_filmstrip(tmp_path: Path) -> None:
    clip = mediagen.video_testsrc(tmp_path / "clip.mp4", seconds=2, audio=False)
    info, frames = open_video(clip)
    blind = VideoInfo(info.rate, None, None, info.width, info.height)
    sink = ThumbnailSink(blind, thumbnail_width=320, filmstrip_width=160, filmstrip_frames=4)
    for frame in frames:
        sink.feed(frame)
    picked = sink.pick()
    times = [t for t, _ in picked.strip]
    assert len(times) == 4
    assert times == sorted(times)
    assert times[0] < Fraction(1, 2)
    assert times[-1] > Fraction(3, 2)


def test_empty_video_is_an_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00" * 1000)
    with pytest.raises(MediaError):
        get_analyzer("thumbnails").run(context(junk, "video", tmp_path / "out"))


def test_image_thumbnail_is_upright_from_exif_orientation(tmp_path: Path) -> None:
    still = mediagen.image_jpeg_with_exif(tmp_path / "photo.jpg", "-Orientation=6",
                                          size="640x480")
    out = get_analyzer("thumbnails").run(context(still, "image", tmp_path / "out"))
    assert out == {"poster": "thumb.jpg", "width": 320, "height": 427}
    with Image.open(tmp_path / "out" / "thumb.jpg") as thumb:
        assert thumb.size == (320, 427)
        assert thumb.mode == "RGB"


def _rgba(path: Path) -> None:
    Image.new("RGBA", (64, 48), (255, 0, 0, 0)).save(path)


def _gray16(path: Path) -> None:
    Image.fromarray(np.full((48, 64), 40000, dtype=np.uint16)).save(path)


def _cmyk(path: Path) -> None:
    Image.new("CMYK", (64, 48), (0, 0, 0, 0)).save(path, "JPEG")


def _palette(path: Path) -> None:
    Image.new("P", (64, 48), 0).save(path, transparency=0)


@pytest.mark.parametrize(
    ("make", "name", "expected"),
    [
        (_rgba, "alpha.png", 255),  # fully transparent: shown over white
        (_gray16, "gray16.png", 155),  # 40000/65535 of full scale, not clipped to white
        (_cmyk, "cmyk.jpg", 255),  # no ink: white paper
        (_palette, "palette.gif", 255),  # transparent palette entry
    ],
)
def test_image_modes_become_rgb(tmp_path: Path, make: Any, name: str, expected: int) -> None:
    source = tmp_path / name
    make(source)
    out = get_analyzer("thumbnails").run(context(source, "image", tmp_path / "out"))
    assert (out["width"], out["height"]) == (64, 48)  # never enlarged
    with Image.open(tmp_path / "out" / "thumb.jpg") as thumb:
        assert thumb.mode == "RGB"
        assert abs(float(luma(thumb).mean()) - expected) < 4


def test_unreadable_image_is_a_media_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(MediaError):
        get_analyzer("thumbnails").run(context(bad, "image", tmp_path / "out"))
