"""The probe analyzer on real files made by ffmpeg and tagged by exiftool."""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import pytest

import mediagen
from rushes.analyzers import get_analyzer
from rushes.analyzers.base import AnalysisContext, AssetView, Result
from rushes.config import load_settings
from rushes.errors import AnalyzerError, MediaError


def probe(path: Path, kind: str = "video") -> Result:
    ctx = AnalysisContext(
        asset=AssetView(id="a1", kind=kind, format=path.suffix.lstrip("."), path=path),
        settings=load_settings(environ={}),
        params={},
        output_dir=path.parent / "out",
    )
    return get_analyzer("probe").run(ctx)


@pytest.mark.parametrize("suffix", [".mov", ".mp4"])
def test_ntsc_drop_frame_timecode(tmp_path: Path, suffix: str) -> None:
    clip = mediagen.video_testsrc(
        tmp_path / f"df{suffix}", seconds=1, rate="30000/1001", timecode="01:00:00;00",
        extra=["-r", "30000/1001"],
    )
    out = probe(clip)
    assert out["rate"] == "30000/1001"
    assert out["start_timecode"] == "01:00:00;00"
    assert out["drop_frame"] is True
    assert out["video_codec"] == "h264"
    assert out["audio_codec"] == "aac"
    assert (out["width"], out["height"]) == (320, 240)
    assert out["display_aspect"] == "4/3"
    assert out["browser_playable"] is True
    # Exact: the frame count at the exact rate gives back the duration to within a frame.
    duration = Fraction(out["duration"])
    assert abs(duration * Fraction(out["rate"]) - out["frame_count"]) < 1
    assert out["frame_count"] == 30


def test_pal_non_drop_timecode(tmp_path: Path) -> None:
    clip = mediagen.video_testsrc(tmp_path / "pal.mov", seconds=2, timecode="10:00:00:00")
    out = probe(clip)
    assert out["rate"] == "25/1"
    assert out["duration"] == "2/1"
    assert out["frame_count"] == 50
    assert out["start_timecode"] == "10:00:00:00"
    assert out["drop_frame"] is False


def test_23976(tmp_path: Path) -> None:
    clip = mediagen.video_testsrc(tmp_path / "film.mp4", seconds=1, rate="24000/1001",
                                  audio=False)
    out = probe(clip)
    assert out["rate"] == "24000/1001"
    assert out["start_timecode"] is None
    assert out["audio_streams"] == 0


def test_prores_pcm_is_not_browser_playable(tmp_path: Path) -> None:
    clip = mediagen.video_prores_pcm(tmp_path / "cam.mov", timecode="01:00:00;00")
    out = probe(clip)
    assert out["video_codec"] == "prores"
    assert out["bit_depth"] == 10
    assert out["audio_codec"] == "pcm_s16le"
    assert out["audio_sample_rate"] == 48000
    assert out["browser_playable"] is False


def test_rotation_from_display_matrix(tmp_path: Path) -> None:
    # ffmpeg 5.1 turns rotate=90 into a matrix that players turn 90° counter-clockwise.
    clip = mediagen.video_white_left_half(tmp_path / "turned.mp4", rotate=90)
    assert probe(clip)["rotation"] == 270
    plain = mediagen.video_white_left_half(tmp_path / "plain.mp4")
    assert probe(plain)["rotation"] == 0


def test_audio_file(tmp_path: Path) -> None:
    wav = mediagen.audio_tone(tmp_path / "tone.wav", seconds=1.5)
    out = probe(wav, "audio")
    assert out["rate"] is None
    assert out["rotation"] is None
    assert out["video_codec"] is None
    assert out["audio_codec"] == "pcm_s16le"
    assert out["audio_streams"] == 1
    assert out["duration"] == "3/2"
    assert out["browser_playable"] is False


def test_broadcast_wav_time_reference_is_its_exact_start(tmp_path: Path) -> None:
    # 10:00:00 at 48 kHz, plus 480 samples (10 ms: a quarter of a frame at 25 fps).
    wav = mediagen.audio_bwf(tmp_path / "sound.wav", time_reference=1_728_000_480)
    out = probe(wav, "audio")
    assert out["time_reference"] == 1_728_000_480
    assert Fraction(out["start_seconds"]) == Fraction(1_728_000_480, 48_000)
    assert out["start_seconds"] == "3600001/100"
    assert out["rate"] is None and out["start_timecode"] is None
    assert out["timecode_rate"] is None  # no iXML: the file does not say


@pytest.mark.parametrize(("ixml_rate", "flag", "rate", "drop_frame"), [
    ("24000/1001", "NDF", "24000/1001", False),
    ("30000/1001", "DF", "30000/1001", True),
    ("30000/1001", "NDF", "30000/1001", False),
    ("25/1", "DF", "25/1", False),  # drop-frame does not exist at 25: the flag is a slip
    ("25", "NDF", "25/1", False),
    ("30000/1001", "", "30000/1001", None),  # not said: drop-frame as usual at 29.97
])
def test_a_recorder_s_ixml_gives_the_timecode_rate(
    tmp_path: Path, ixml_rate: str, flag: str, rate: str, drop_frame: bool | None
) -> None:
    wav = mediagen.audio_bwf(tmp_path / "sound.wav", time_reference=1_728_000_000, seconds=0.5,
                             ixml_rate=ixml_rate, ixml_flag=flag)
    out = probe(wav, "audio")
    assert out["time_reference"] == 1_728_000_000
    assert (out["timecode_rate"], out["drop_frame"]) == (rate, drop_frame)


@pytest.mark.parametrize("ixml_rate", ["12.5", "0", "fast", "1e400", "240"])
def test_an_ixml_rate_timecode_cannot_count_is_no_clock(tmp_path: Path, ixml_rate: str) -> None:
    wav = mediagen.audio_bwf(tmp_path / "sound.wav", time_reference=1_728_000_000, seconds=0.5,
                             ixml_rate=ixml_rate)
    out = probe(wav, "audio")
    assert out["timecode_rate"] is None and out["drop_frame"] is None
    assert out["start_seconds"] == "36000/1"


def test_wav_without_bext_has_no_time_reference(tmp_path: Path) -> None:
    out = probe(mediagen.audio_tone(tmp_path / "tone.wav", seconds=1.0), "audio")
    assert out["time_reference"] is None and out["start_seconds"] is None


def test_jpeg_with_exif_camera_and_gps(tmp_path: Path) -> None:
    still = mediagen.image_jpeg_with_exif(
        tmp_path / "photo.jpg",
        "-Make=Canon", "-Model=EOS R5",
        "-GPSLatitude=48.8583", "-GPSLatitudeRef=N",
        "-GPSLongitude=2.2945", "-GPSLongitudeRef=W",
        "-DateTimeOriginal=2021:03:04 12:34:56", "-OffsetTimeOriginal=+02:00",
        "-Orientation=6",
    )
    out = probe(still, "image")
    assert out["camera_make"] == "Canon"
    assert out["camera_model"] == "EOS R5"
    assert out["gps"]["lat"] == pytest.approx(48.8583)
    assert out["gps"]["lon"] == pytest.approx(-2.2945)
    assert out["creation_time"] == "2021-03-04T12:34:56+02:00"
    assert out["rotation"] == 90
    assert (out["width"], out["height"]) == (320, 240)
    assert out["duration"] is None
    assert out["rate"] is None
    assert "notes" not in out


def test_exiftool_missing_still_gives_the_ffprobe_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = mediagen.video_testsrc(tmp_path / "clip.mp4", seconds=1)
    real_which = shutil.which
    monkeypatch.setattr(
        "rushes.media.ffmpeg.shutil.which",
        lambda name: None if name == "exiftool" else real_which(name),
    )
    out = probe(clip)
    assert out["video_codec"] == "h264"
    assert any("exiftool is not installed" in note for note in out["notes"])


def test_malformed_file_gives_one_readable_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mov"
    junk.write_bytes(b"\x00\x00\x00\x18ftypqt  " + bytes(range(256)) * 8)
    with pytest.raises((MediaError, AnalyzerError)) as info:
        probe(junk)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("ffprobe: ")
    assert str(tmp_path) not in message


def test_truncated_mp4_without_its_index_is_an_error(tmp_path: Path) -> None:
    clip = mediagen.video_testsrc(tmp_path / "clip.mp4", seconds=2)
    cut = mediagen.truncated_copy(clip, tmp_path / "cut.mp4", 0.5)
    # mp4 keeps its index at the end: half a file has none and cannot be read.
    with pytest.raises(MediaError):
        probe(cut)
