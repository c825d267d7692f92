"""The shots analyzer: frame-exact cuts, dissolves and fades, no boundaries from flashes or motion.

Clips are generated with known ground truth (mediagen.video_transitions) at 320×240 and a few
seconds each; the truth frames come from how the clip was built, not from a previous run.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import mediagen
from rushes.analyzers import get_analyzer
from rushes.analyzers.base import AnalysisContext, AssetView, FrameAnalyzer, Result
from rushes.analyzers.shots import ANALYZER, ShotsAnalyzer, ShotsSink
from rushes.config import load_settings
from rushes.media.frames import DecodedFrame, VideoInfo, decode_into


def context(path: Path, out: Path, **settings: Any) -> AnalysisContext:
    base = load_settings(environ={})
    s = base.replace(**settings) if settings else base
    return AnalysisContext(
        asset=AssetView(id="a1", kind="video", format=path.suffix.lstrip("."), path=path),
        settings=s,
        params=ANALYZER.params(s),
        output_dir=out,
    )


def detect(path: Path, tmp: Path, **settings: Any) -> Result:
    return ANALYZER.run(context(path, tmp, **settings))


def kinds_and_frames(result: Result) -> list[tuple[str, int]]:
    return [(t["kind"], t["frame"]) for t in result["transitions"]]


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shots")


def test_is_registered_frame_analyzer() -> None:
    analyzer = get_analyzer("shots")
    assert isinstance(analyzer, ShotsAnalyzer) and isinstance(analyzer, FrameAnalyzer)
    assert analyzer.version == 2 and analyzer.kinds == frozenset({"video"})
    assert analyzer.requires == () and analyzer.needs_every_frame
    settings = load_settings(environ={}).replace(shot_sensitivity=1.5)
    assert analyzer.params(settings) == {"sensitivity": 1.5}


@pytest.mark.parametrize("rate", ["25", "30000/1001"])
def test_hard_cuts_are_frame_exact(media: Path, tmp_path: Path, rate: str) -> None:
    path = media / f"cuts-{rate.replace('/', '_')}.mp4"
    truth = mediagen.video_transitions(
        path, [("testsrc2", 31), ("smptehdbars", 24), ("mandelbrot", 20), ("rgbtestsrc", 17)],
        ["cut", "cut", "cut"], rate=rate,
    )
    result = detect(path, tmp_path)
    assert kinds_and_frames(result) == [("cut", t["frame"]) for t in truth] == [
        ("cut", 31), ("cut", 55), ("cut", 75)
    ]
    for t in result["transitions"]:
        assert t["start_frame"] == t["end_frame"] == t["frame"]
    assert result["rate"] == rate if "/" in rate else result["rate"] == f"{rate}/1"
    assert result["frame_count"] == 92


def test_result_shape_and_shots_tile_the_clip(media: Path, tmp_path: Path) -> None:
    path = media / "shape.mp4"
    mediagen.video_transitions(path, [("testsrc2", 20), ("smptehdbars", 30)], ["cut"])
    result = detect(path, tmp_path)
    assert set(result) == {"rate", "frame_count", "decoded_end", "shots", "transitions"}
    assert result["rate"] == "25/1" and result["frame_count"] == 50
    assert result["decoded_end"] == "2/1"  # 50 frames at 25 fps, as an exact rational
    assert result["shots"] == [
        {"start_frame": 0, "end_frame": 20}, {"start_frame": 20, "end_frame": 50}
    ]
    assert result["transitions"] == [
        {"kind": "cut", "frame": 20, "start_frame": 20, "end_frame": 20}
    ]
    # Exact values only: frame numbers and a rational rate, never floats.
    Fraction(result["rate"])
    for item in result["shots"] + result["transitions"]:
        assert all(isinstance(v, int | str) and not isinstance(v, bool) for v in item.values())


def test_dissolve_reported_as_dissolve_within_its_span(media: Path, tmp_path: Path) -> None:
    path = media / "dissolve.mp4"
    [truth] = mediagen.video_transitions(
        path, [("testsrc2", 50), ("smptehdbars", 50)], ["dissolve"], transition_frames=25,
    )
    result = detect(path, tmp_path)
    [found] = result["transitions"]
    assert found["kind"] == "dissolve"
    assert truth["start_frame"] <= found["frame"] <= truth["end_frame"]
    assert abs(found["start_frame"] - truth["start_frame"]) <= 3
    assert abs(found["end_frame"] - truth["end_frame"]) <= 3
    assert [s["start_frame"] for s in result["shots"]] == [0, found["frame"]]


def test_fades_through_black_reported_as_fades(media: Path, tmp_path: Path) -> None:
    """Both an xfade ``fadeblack`` and a fade out, fade in (a dip to true black)."""
    path = media / "fades.mp4"
    truth = mediagen.video_transitions(
        path, [("testsrc2", 45), ("smptehdbars", 50), ("rgbtestsrc", 45)], ["fadeblack", "dip"],
        transition_frames=24, rate="24",
    )
    result = detect(path, tmp_path)
    assert [t["kind"] for t in result["transitions"]] == ["fade", "fade"]
    for found, true in zip(result["transitions"], truth, strict=True):
        assert true["start_frame"] <= found["frame"] <= true["end_frame"]
        assert abs(found["frame"] - true["frame"]) <= 2  # the darkest point
        assert found["start_frame"] <= found["frame"] <= found["end_frame"]


def test_fade_in_at_start_and_out_at_end_are_not_boundaries(media: Path, tmp_path: Path) -> None:
    path = media / "fade-in-out.mp4"
    mediagen.video_testsrc(
        path, seconds=3, audio=False, extra=["-vf", "fade=t=in:d=0.6,fade=t=out:st=2.4:d=0.6"]
    )
    assert detect(path, tmp_path)["transitions"] == []


def test_two_frame_white_flash_is_not_a_transition(media: Path, tmp_path: Path) -> None:
    path = media / "flash.mp4"
    mediagen.video_transitions(path, [("testsrc2", 40), ("cellauto=rule=110", 40)], ["cut"],
                               flashes=[15, 60])
    assert kinds_and_frames(detect(path, tmp_path)) == [("cut", 40)]


@pytest.mark.parametrize(
    "source",
    [
        "smptebars",  # static
        "testsrc2",  # small moving parts
        "testsrc2|scroll=h=0.05:v=0.02",  # a fast scroll over a detailed picture
        "smptehdbars|rotate=a=t*3:fillcolor=black",  # a fast spin
        "cellauto=rule=110",  # texture that changes completely every frame
    ],
)
def test_single_shots_give_no_transitions(media: Path, tmp_path: Path, source: str) -> None:
    path = media / f"single-{abs(hash(source))}.mp4"
    mediagen.video_transitions(path, [(source, 60)], [], rate="30000/1001")
    result = detect(path, tmp_path)
    assert result["transitions"] == []
    assert result["shots"] == [{"start_frame": 0, "end_frame": 60}]


LIFE = "life=mold=10:ratio=0.3:death_color=#C83232:life_color=#00ff00"


@pytest.mark.parametrize(
    ("shots", "rate"),
    [
        # A fast scroll (3 % of the width a frame) dissolving into a still picture.
        ((("smptehdbars|scroll=h=-0.03", 50), ("mandelbrot", 50)), "25"),
        # A spin-and-scroll dissolving into a moving texture.
        ((("testsrc2|rotate=a=-t*3:fillcolor=black,scroll=v=0.02", 50), (LIFE, 50)), "24"),
        # A still picture dissolving into a fast scroll.
        ((("mandelbrot", 50), ("smptehdbars|scroll=h=-0.03", 50)), "30000/1001"),
    ],
)
def test_dissolve_into_or_out_of_fast_motion(
    media: Path, tmp_path: Path, shots: tuple[tuple[str, int], ...], rate: str
) -> None:
    """Motion spoils the linear mix of the end frames; the colour histogram still shows it."""
    path = media / f"motion-dissolve-{abs(hash((shots, rate)))}.mp4"
    [truth] = mediagen.video_transitions(path, list(shots), ["dissolve"], rate=rate)
    [found] = detect(path, tmp_path)["transitions"]
    assert found["kind"] == "dissolve"
    assert truth["start_frame"] <= found["frame"] <= truth["end_frame"]
    assert abs(found["frame"] - truth["frame"]) <= 4
    assert found["start_frame"] <= found["frame"] <= found["end_frame"]


@pytest.mark.parametrize(
    "lum",
    [
        "128+90*sin(X/W*3+Y/H*2-T*0.6)",
        "128+100*sin(X/W*2-T*0.8)",
    ],
)
@pytest.mark.parametrize("rate", ["25", "30000/1001"])
def test_slowly_drifting_gradient_gives_no_transitions(
    media: Path, tmp_path: Path, lum: str, rate: str
) -> None:
    """A smooth picture changing steadily is, over a second, as linear a mix as a dissolve; but it
    never settles either side."""
    chroma = "cb='128+50*cos(X/W*2+T*0.5)':cr='128+50*sin(Y/H*2-T*0.4)'"
    source = f"color=c=gray|geq=lum='{lum}':{chroma}"
    path = media / f"drift-{abs(hash((lum, rate)))}.mp4"
    mediagen.video_transitions(path, [(source, 125)], [], rate=rate)
    assert detect(path, tmp_path)["transitions"] == []


def _flicker_then_tint(i: int, cut: int, flash: int = -1) -> np.ndarray:
    """A grey picture flickering hard in brightness, then (from ``cut``) the same picture steady,
    brighter and tinted; white at ``flash`` and the frame after."""
    rng = np.random.default_rng(3)
    pattern = rng.integers(70, 180, (54, 96)).astype(np.int16)
    small = np.empty((54, 96, 3), np.uint8)
    if flash <= i <= flash + 1:
        small[...] = (235, 128, 128)
    elif i < cut:
        small[..., 0] = np.clip(pattern + (-80, 0, 80, 0)[i % 4], 0, 255)
        small[..., 1:] = 128
    else:
        small[..., 0] = np.clip(pattern + 80, 0, 255)
        small[..., 1], small[..., 2] = 100, 156
    return small


def test_cut_whose_block_means_come_back_but_colours_do_not() -> None:
    """Block means after the cut match a frame of the flicker before it, as after a flash; the
    colours do not come back, so it is a cut. A white flash on the flicker stays a flash."""
    for flash, cut, expected in ((-9, 61, [("cut", 61)]), (30, 200, [])):
        sink = ShotsSink(Fraction(25), 1.0)
        for i in range(120):
            small = _flicker_then_tint(i, cut, flash)
            sink.feed(DecodedFrame(i, Fraction(i, 25), i % 50 == 0, small))
        assert kinds_and_frames(sink.finish()) == expected


def test_exact_pictures_do_not_change_the_cuts(media: Path) -> None:
    """Skipping the deblocking filter (the default) never moves a boundary."""
    path = media / "exact.mp4"
    mediagen.video_transitions(
        path, [("testsrc2", 30), ("mandelbrot", 25), ("smptehdbars", 30)], ["cut", "cut"],
        encode=["-preset", "veryfast", "-crf", "30"],
    )

    def factory(info: VideoInfo) -> ShotsSink:
        return ShotsSink(info.rate, 1.0)

    fast = decode_into(path, [factory])[0]
    exact = decode_into(path, [factory], exact_pictures=True)[0]
    assert fast["transitions"] == exact["transitions"]
    assert [t["frame"] for t in fast["transitions"]] == [30, 55]


def test_sink_holds_a_bounded_window() -> None:
    """Memory does not grow with the video: the detector keeps a fixed ring of small frames."""
    sink = ShotsSink(Fraction(25), 1.0)
    rng = np.random.default_rng(1)
    base = rng.integers(40, 200, (54, 96, 3), dtype=np.uint8)
    other = rng.integers(40, 200, (54, 96, 3), dtype=np.uint8)
    for i in range(1500):
        small = base if i < 700 else other
        sink.feed(DecodedFrame(i, Fraction(i, 25), i % 50 == 0, small))
        if i == 100:
            window = sink.detector.window
            held = sink.detector.held_bytes()
    assert sink.detector.window == window and sink.detector.held_bytes() == held
    assert window < 200
    result = sink.finish()
    assert result["frame_count"] == 1500
    assert kinds_and_frames(result) == [("cut", 700)]


def test_sensitivity_scales_thresholds(media: Path, tmp_path: Path) -> None:
    """A small change of picture is a cut only to a more sensitive detector."""
    path = media / "subtle.mp4"
    mediagen.video_transitions(
        path, [("smptebars", 30), ("smptebars|eq=brightness=0.04", 30)], ["cut"]
    )
    assert detect(path, tmp_path)["transitions"] == []
    assert kinds_and_frames(detect(path, tmp_path, shot_sensitivity=4.0)) == [("cut", 30)]


def test_decoded_end_is_where_the_last_picture_ends(media: Path, tmp_path: Path) -> None:
    """The pass records where its last decoded frame ends, from the frames' own times: the whole
    clip for an intact file, well short of the stated length for one cut short."""
    path = mediagen.video_testsrc(
        media / "whole.mp4", seconds=3, audio=False, extra=("-movflags", "+faststart")
    )
    assert Fraction(detect(path, tmp_path)["decoded_end"]) == 3
    cut = mediagen.truncated_copy(path, media / "cut.mp4", 0.4)
    result = detect(cut, tmp_path)
    end = Fraction(result["decoded_end"])
    assert 0 < end < Fraction(3, 2)
    assert end == Fraction(result["frame_count"], 25)  # constant rate: frames × 1/25 s


def test_decoded_end_uses_how_long_the_last_frame_is_shown() -> None:
    """A screen recording may hold its last frame for seconds; one frame period is not its end."""
    sink = ShotsSink(Fraction(25), 1.0)
    small = np.zeros((54, 96, 3), np.uint8)
    for i in range(10):
        sink.feed(DecodedFrame(i, Fraction(i, 25), i == 0, small))
    assert sink.finish()["decoded_end"] == "2/5"
    sink = ShotsSink(Fraction(25), 1.0)
    for i in range(10):
        held = Fraction(2) if i == 9 else Fraction(1, 25)
        sink.feed(DecodedFrame(i, Fraction(i, 25), i == 0, small, duration=held))
    assert sink.finish()["decoded_end"] == "59/25"
