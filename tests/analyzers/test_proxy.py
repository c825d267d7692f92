"""The proxy analyzer: H.264/AAC copies of what a browser cannot play, timecode kept."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import mediagen
from rushes.analyzers import get_analyzer
from rushes.analyzers.base import AnalysisContext, AssetView, Result
from rushes.config import load_settings
from rushes.errors import MediaError


def asset(path: Path, kind: str = "video", probe: Result | None = None) -> AssetView:
    results: dict[str, Result] = {}
    if probe is not None:
        results["probe"] = probe
    return AssetView(id="a1", kind=kind, format=path.suffix.lstrip("."), path=path,
                     results=results)


def run(analyzer: str, view: AssetView, out: Path, **settings: Any) -> Result:
    base = load_settings(environ={})
    ctx = AnalysisContext(view, base.replace(**settings) if settings else base, {}, out)
    return get_analyzer(analyzer).run(ctx)


def probed(path: Path, kind: str = "video") -> AssetView:
    return asset(path, kind, run("probe", asset(path, kind), path.parent / "probe-out"))


def test_params_are_the_proxy_settings() -> None:
    params = get_analyzer("proxy").params(load_settings(environ={}))
    assert params == {"proxy_height": 360, "proxy_crf": 26}


def test_prores_with_pcm_gets_an_h264_proxy_keeping_timecode(tmp_path: Path) -> None:
    source = mediagen.video_prores_pcm(tmp_path / "cam.mov", timecode="01:00:00;00")
    view = probed(source)
    assert get_analyzer("proxy").applies(view)
    out_dir = tmp_path / "out"
    result = run("proxy", view, out_dir, proxy_height=120)
    assert result["file"] == "proxy.mp4"
    assert (result["width"], result["height"]) == (160, 120)
    assert sorted(p.name for p in out_dir.iterdir()) == ["proxy.mp4"]  # no partial left

    proxy = probed(out_dir / "proxy.mp4").probe
    assert proxy["video_codec"] == "h264"
    assert proxy["audio_codec"] == "aac"
    assert proxy["audio_channels"] == 2
    assert proxy["pix_fmt"] == "yuv420p"
    assert proxy["browser_playable"] is True
    assert proxy["rate"] == view.probe["rate"]
    assert proxy["start_timecode"] == "01:00:00;00"
    frame = 1 / Fraction(view.probe["rate"])
    assert abs(Fraction(proxy["duration"]) - Fraction(view.probe["duration"])) <= frame
    assert Fraction(result["duration"]) == Fraction(proxy["duration"])


def test_playable_h264_aac_mp4_does_not_apply(tmp_path: Path) -> None:
    clip = mediagen.video_testsrc(tmp_path / "web.mp4", seconds=1)
    assert not get_analyzer("proxy").applies(probed(clip))


def test_needs_a_probe_and_the_right_kind(tmp_path: Path) -> None:
    proxy = get_analyzer("proxy")
    assert proxy.requires == ("probe",)
    path = tmp_path / "x.mov"
    assert not proxy.applies(asset(path))  # no probe result yet
    assert proxy.applies(asset(path, probe={"browser_playable": False}))
    assert not proxy.applies(asset(path, "image", {"browser_playable": False}))


def test_rotated_source_gives_an_upright_proxy(tmp_path: Path) -> None:
    clip = mediagen.video_white_left_half(tmp_path / "turned.mp4", rotate=90)
    result = run("proxy", probed(clip), tmp_path / "out", proxy_height=120)
    assert (result["width"], result["height"]) == (90, 120)
    assert probed(tmp_path / "out" / "proxy.mp4").probe["rotation"] == 0


def test_small_source_is_not_enlarged(tmp_path: Path) -> None:
    source = mediagen.video_prores_pcm(tmp_path / "cam.mov")
    result = run("proxy", probed(source), tmp_path / "out")  # proxy_height 360 > 240
    assert (result["width"], result["height"]) == (320, 240)


def test_wav_gets_an_m4a_proxy(tmp_path: Path) -> None:
    wav = mediagen.audio_tone(tmp_path / "tone.wav", seconds=1)
    view = probed(wav, "audio")
    assert get_analyzer("proxy").applies(view)
    result = run("proxy", view, tmp_path / "out")
    assert result["file"] == "proxy.m4a"
    assert result["width"] is None
    proxy = probed(tmp_path / "out" / "proxy.m4a", "audio").probe
    assert proxy["audio_codec"] == "aac"
    assert proxy["browser_playable"] is True
    # AAC pads by whole 1024-sample frames; anything else would be a wrong file.
    assert abs(Fraction(proxy["duration"]) - 1) < Fraction(1, 10)


def volume(path: Path, which: str = "mean") -> float:
    """``mean`` or ``max`` volume of the whole sound in dB (-91 is digital silence)."""
    err = subprocess.run(["ffmpeg", "-v", "info", "-i", str(path), "-vn", "-af",
                          "volumedetect", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    return float(err.split(f"{which}_volume:")[1].split()[0])


def loudness(path: Path) -> float:
    return volume(path, "mean")


def test_every_microphone_is_heard_in_the_proxy(tmp_path: Path) -> None:
    """A recorder's eight-channel WAV with a radio mic on channel 4 alone (ffmpeg takes eight
    channels for 7.1, and a stereo downmix drops the LFE's place), and a camera file whose
    second mono track alone holds sound: both are heard in the browser's copy."""
    poly = tmp_path / "poly.wav"
    mediagen.audio_poly(poly, seconds=1, sounding=3)
    result = run("proxy", probed(poly, "audio"), tmp_path / "poly-out")
    assert loudness(tmp_path / "poly-out" / result["file"]) > -40
    camera = tmp_path / "camera.mov"
    mediagen.video_tracks(camera, ["anullsrc=r=48000:cl=mono:d=1",
                                   "sine=f=440:sample_rate=48000:duration=1"])
    view = probed(camera)
    assert get_analyzer("proxy").applies(view)
    result = run("proxy", view, tmp_path / "camera-out")
    assert loudness(tmp_path / "camera-out" / result["file"]) > -40


def peak(path: Path) -> float:
    return volume(path, "max")


def audio_seconds(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                          "stream=duration", "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return float(out.strip())


def test_the_mix_runs_to_the_longest_track_and_does_not_clip(tmp_path: Path) -> None:
    """A radio mic that stopped before the boom: the proxy's sound runs to the boom's end, not
    the mic's (ffmpeg's amix stops at the shortest). A mixer's mix recorded beside the mics it
    was made from, eight channels of one loud sound: held under full scale, not clipped."""
    tracks = tmp_path / "tracks.mov"
    mediagen.video_tracks(tracks, ["sine=f=440:sample_rate=48000:duration=3",
                                   "sine=f=660:sample_rate=44100:duration=1"], seconds=3)
    result = run("proxy", probed(tracks), tmp_path / "tracks-out")
    assert audio_seconds(tmp_path / "tracks-out" / result["file"]) > 2.9
    assert result["mixdown"] == "every channel"
    loud = tmp_path / "loud.wav"
    mediagen.run_ffmpeg("-f", "lavfi", "-i", "sine=f=440:sample_rate=48000:duration=1",
                        "-af", "volume=12dB,pan=8c|" + "|".join(f"c{i}=c0" for i in range(8)),
                        "-c:a", "pcm_s24le", str(loud))
    result = run("proxy", probed(loud, "audio"), tmp_path / "loud-out")
    assert peak(tmp_path / "loud-out" / result["file"]) < -0.1


def test_a_track_no_decoder_reads_is_left_out_of_the_mix(tmp_path: Path) -> None:
    """A camera file with a second sound track in a codec ffmpeg does not know: the proxy
    plays the first, rather than failing for the second."""
    both = tmp_path / "both.mov"
    mediagen.video_tracks(both, ["sine=f=440:sample_rate=48000:duration=1",
                                 "sine=f=660:sample_rate=48000:duration=1"])
    data = bytearray(both.read_bytes())
    at = data.rindex(b"sowt")  # the second track's sample description
    data[at:at + 4] = b"zzzz"
    odd = tmp_path / "odd.mov"
    odd.write_bytes(bytes(data))
    view = probed(odd)
    [first, second] = [s for s in view.probe["streams"] if s["type"] == "audio"]
    assert first["codec_known"] is True and second["codec_known"] is False
    result = run("proxy", view, tmp_path / "odd-out")
    assert loudness(tmp_path / "odd-out" / result["file"]) > -40
    assert "mixdown" not in result  # one track left to play: played as it is


def test_a_proxy_made_before_the_mix_is_made_again_for_that_file_alone(tmp_path: Path) -> None:
    poly = tmp_path / "poly.wav"
    mediagen.audio_poly(poly, seconds=1, sounding=3)
    proxy = get_analyzer("proxy")
    old = {"file": "proxy.m4a"}  # a result of before, without "mixdown"
    poly_probe = probed(poly, "audio").probe
    assert proxy.stale(AssetView("a1", "audio", "wav", poly,
                                 {"probe": poly_probe, "proxy": old}))
    assert not proxy.stale(AssetView("a1", "audio", "wav", poly, {"probe": poly_probe}))
    tone = mediagen.audio_tone(tmp_path / "tone.wav", seconds=1)
    assert not proxy.stale(AssetView("a2", "audio", "wav", tone,
                                     {"probe": probed(tone, "audio").probe, "proxy": old}))


def test_unreadable_source_fails_with_one_line_and_no_partial(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mov"
    junk.write_bytes(b"\x00" * 2000)
    out_dir = tmp_path / "out"
    with pytest.raises(MediaError) as info:
        run("proxy", asset(junk, probe={"browser_playable": False}), out_dir)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("ffmpeg: ")
    assert list(out_dir.iterdir()) == []
