"""The integrity analyzer: a file that probes fine but whose data stops short is reported.

The damaged files are made the way they happen: an MP4/M4A written with its index at the front
("faststart") and then cut short, as a copy interrupted in transfer. ffprobe still reports the
full duration from the index; only decoding (or reading the packets) finds where the data ends.
"""

from __future__ import annotations

import hashlib
import re
import struct
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import mediagen
from cli.runner import rushes, rushes_json
from rushes.analyzers import get_analyzer
from rushes.analyzers.base import AnalysisContext, AssetView, Result
from rushes.analyzers.integrity import (
    SHORTFALL,
    IntegrityAnalyzer,
    clock,
    damaged_stretches,
    decoded_end,
    judge,
)
from rushes.config import load_settings
from rushes.errors import MediaError
from rushes.media.extent import Extent
from rushes.media.identify import _av_family
from rushes.media.wav_header import WavLength, wav_length

#: Analysis without speech recognition: these clips are tones, and the check does not need it.
ENV = {"RUSHES_TRANSCRIBE": "false", "RUSHES_WORKERS": "1"}
SECONDS = 5


def clip_with_tone(path: Path, seconds: float = SECONDS, *, audio_seconds: float | None = None,
                    extra: tuple[str, ...] = ()) -> Path:
    """A testsrc2 clip with a tone (``extra``: ``-movflags +faststart`` puts an MP4 index first)."""
    audio = seconds if audio_seconds is None else audio_seconds
    mediagen.run_ffmpeg(
        "-f", "lavfi", "-t", str(seconds), "-i", "testsrc2=size=320x240:rate=25",
        "-f", "lavfi", "-t", str(audio), "-i", "sine=frequency=440:sample_rate=48000",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        *extra, str(path),
    )
    return path


def faststart_audio(path: Path, seconds: float = SECONDS) -> Path:
    mediagen.run_ffmpeg(
        "-f", "lavfi", "-t", str(seconds), "-i", "sine=frequency=440:sample_rate=48000",
        "-c:a", "aac", "-movflags", "+faststart", str(path),
    )
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def analyse(path: Path, kind: str, tmp: Path) -> Result:
    """Run probe, then shots (video), then integrity on ``path``, as the job runner orders them."""
    settings = load_settings(environ={})
    results: dict[str, Result] = {}
    names = ["probe", "shots", "integrity"] if kind == "video" else ["probe", "integrity"]
    for name in names:
        analyzer = get_analyzer(name)
        out = tmp / f"{path.stem}-{name}"
        out.mkdir()
        view = AssetView("a" * 64, kind, path.suffix.lstrip("."), path, dict(results))
        ctx = AnalysisContext(view, settings, analyzer.params(settings), out)
        results[name] = analyzer.run(ctx)
    return results["integrity"]


# -- through the real command --------------------------------------------------------------------


def test_truncated_files_are_reported_and_intact_ones_are_not(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    whole = clip_with_tone(media / "A001_whole.mp4", extra=("-movflags", "+faststart"))
    cut = mediagen.truncated_copy(whole, media / "A002_cut.mp4", 0.4)
    tone = faststart_audio(media / "tone_whole.m4a")
    cut_tone = mediagen.truncated_copy(tone, media / "tone_cut.m4a", 0.4)
    before = {p.name: digest(p) for p in media.iterdir()}

    rushes("init", str(tmp_path), cwd=tmp_path)
    added = rushes_json("add", "media", cwd=tmp_path, env=ENV)
    # Every file is catalogued; the damaged ones are findings of analysis, not failed adds.
    assert added["added"] == 4 and added["failed"] == 0
    assert added["jobs"]["failed"] == 2 and added["jobs"]["pending"] == 0

    status = rushes_json("status", cwd=tmp_path, env=ENV)
    errors = {Path(e["path"]).name: e for e in status["errors"]}
    assert set(errors) == {cut.name, cut_tone.name}
    assert {e["analyzer"] for e in errors.values()} == {"integrity"}
    video = re.fullmatch(
        r"decodes only to 00:00:(\d\d\.\d{3}) of 00:00:05\.000 \(truncated: the data ends there\)",
        errors[cut.name]["error"],
    )
    assert video is not None, errors[cut.name]["error"]
    # 40 % of the bytes hold well under half of the pictures (the index comes first).
    assert 0.5 < float(video.group(1)) < 2.5
    audio = re.fullmatch(
        r"data ends at 00:00:(\d\d\.\d{3}) of 00:00:05\.000 \(truncated\)",
        errors[cut_tone.name]["error"],
    )
    assert audio is not None, errors[cut_tone.name]["error"]
    assert 0.5 < float(audio.group(1)) < 3.0

    text = rushes("status", cwd=tmp_path, env=ENV).stdout
    line = next(ln for ln in text.splitlines() if cut.name in ln)
    assert line.strip() == f"{cut}: [integrity] {errors[cut.name]['error']}"

    # Nothing catalogued is lost: the cut clip keeps its asset, probe, shots and thumbnails.
    listed = {Path(a["path"]).name: a for a in rushes_json("ls", cwd=tmp_path, env=ENV)}
    assert set(listed) == set(before)
    assert listed[cut.name]["duration"] == SECONDS  # what the file states, as probed
    shown = rushes_json("show", str(cut), cwd=tmp_path, env=ENV)
    assert {"probe", "shots", "thumbnails"} <= set(shown["results"])
    assert "integrity" not in shown["results"]
    # ``show`` says why: the failed analysis and its reason, in JSON and on the terminal.
    assert shown["failed_analyses"] == [
        {"analyzer": "integrity", "error": errors[cut.name]["error"]}]
    shown_text = rushes("show", str(cut), cwd=tmp_path, env=ENV).stdout
    assert f"         failed: integrity: {errors[cut.name]['error']}" in shown_text.splitlines()
    assert Fraction(shown["results"]["shots"]["decoded_end"]) == Fraction(video.group(1))
    intact = rushes_json("show", str(whole), cwd=tmp_path, env=ENV)
    assert intact["results"]["integrity"] == {"checked": True, "stated": "5/1", "reached": "5/1"}
    assert intact["failed_analyses"] == []

    # Retrying checks again and finds the same; the originals were never written to.
    rushes("retry", cwd=tmp_path, env=ENV)
    again = rushes_json("status", cwd=tmp_path, env=ENV)["errors"]
    assert sorted(e["error"] for e in again) == sorted(e["error"] for e in errors.values())
    assert {p.name: digest(p) for p in media.iterdir()} == before


# -- normal files are never flagged --------------------------------------------------------------


def test_audio_running_past_the_picture_is_not_damage(tmp_path: Path) -> None:
    """Matroska states only the file's length (the longest stream's): picture ending 2 s before
    the sound must not read as a picture cut short."""
    clip = clip_with_tone(tmp_path / "tail.mkv", 3, audio_seconds=5)
    result = analyse(clip, "video", tmp_path)
    assert result["checked"] is True
    assert Fraction(result["stated"]) > 4 and Fraction(result["reached"]) < 3.5


def test_intact_mp4_with_b_frames_is_whole(tmp_path: Path) -> None:
    clip = clip_with_tone(tmp_path / "b.mov", 3, extra=("-bf", "2"))
    assert analyse(clip, "video", tmp_path) == {
        "checked": True, "stated": "3/1", "reached": "3/1",
    }


def test_format_without_a_stated_length_is_not_judged(tmp_path: Path) -> None:
    """An MPEG-TS file's length is read from its last timestamps, so a cut one states less."""
    clip = clip_with_tone(tmp_path / "clip.ts", 3)
    cut = mediagen.truncated_copy(clip, tmp_path / "cut.ts", 0.4)
    result = analyse(cut, "video", tmp_path)
    assert result["checked"] is False and result["reached"] is None


# -- WAV: FFmpeg sizes a cut one by its bytes, the header still promises the take -----------------


def test_a_wav_cut_short_is_found_by_its_header(tmp_path: Path) -> None:
    whole = mediagen.audio_bwf(tmp_path / "take.wav", time_reference=1_728_000_000, seconds=6)
    assert analyse(whole, "audio", tmp_path)["checked"] is True
    cut = mediagen.truncated_copy(whole, tmp_path / "cut.wav", 0.4)
    with pytest.raises(MediaError) as info:
        analyse(cut, "audio", tmp_path)
    found = re.fullmatch(r"data ends at 00:00:(\d\d\.\d{3}) of 00:00:06\.000 \(truncated\)",
                         str(info.value))
    assert found is not None, str(info.value)
    assert 2.0 < float(found.group(1)) < 2.6  # 40 % of the bytes of 6 s


def test_an_unfinished_wav_header_promises_nothing(tmp_path: Path) -> None:
    """A recorder that lost power leaves the data size 0: the sound is all there."""
    data = bytearray(mediagen.audio_tone(tmp_path / "t.wav", seconds=3).read_bytes())
    at = data.index(b"data")
    data[at + 4:at + 8] = bytes(4)
    unfinished = tmp_path / "unfinished.wav"
    unfinished.write_bytes(bytes(data))
    assert wav_length(unfinished) is None
    assert analyse(unfinished, "audio", tmp_path)["checked"] is True


def test_a_wav_past_4_gib_is_media() -> None:
    """RF64 and BW64 are how a long polyphonic recording is written: catalogued as audio."""
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 8, 48000, 48000 * 24, 24, 24)
    for magic in (b"RF64", b"BW64"):
        head = magic + b"\xff\xff\xff\xff" + b"WAVE" + fmt
        assert _av_family(head) == "riff"


def test_wav_length_reads_riff_and_rf64() -> None:
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 48000, 96000, 2, 16)
    riff = b"RIFF" + bytes(4) + b"WAVE" + fmt + b"data" + struct.pack("<I", 96000 * 4)
    rf64 = (b"RF64" + bytes(4) + b"WAVE" + b"ds64" + struct.pack("<IQQQI", 28, 0, 96000 * 8, 0, 0)
            + fmt + b"data" + struct.pack("<I", 0xFFFFFFFF))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.wav"
        path.write_bytes(riff + bytes(96000))
        assert wav_length(path) == WavLength(Fraction(4), Fraction(1))
        path.write_bytes(rf64 + bytes(96000 * 2))
        assert wav_length(path) == WavLength(Fraction(8), Fraction(2))
        path.write_bytes(b"RIFF\0\0\0\0AVI LIST")
        assert wav_length(path) is None


# -- damage that is not truncation ---------------------------------------------------------------


@pytest.mark.parametrize("b_frames", [False, True])
def test_a_damaged_stretch_is_skipped_reported_and_the_rest_analysed(
    tmp_path: Path, b_frames: bool
) -> None:
    """A bad sector's zeros in the first shot: the decode skips them and goes on, so the cut
    into the second shot is still found at its own frame, and integrity names the stretch.
    With B-frames the decoder hands frames over reordered, so the frames lost are told by
    their times, not by which call failed."""
    clip = mediagen.video_shots(tmp_path / "clip.mp4", [("testsrc2", 2.0), ("mandelbrot", 2.0)],
                                extra=("-bf", "3") if b_frames else ())
    (tmp_path / "whole").mkdir()
    assert analyse(clip, "video", tmp_path / "whole")["checked"] is True
    data = bytearray(clip.read_bytes())
    start = int(len(data) * 0.25)
    data[start:start + 20_000] = bytes(20_000)  # a stretch of zeros, as a bad sector reads
    broken = tmp_path / "zeros.mp4"
    broken.write_bytes(bytes(data))
    with pytest.raises(MediaError) as info:
        analyse(broken, "video", tmp_path)
    message = str(info.value)
    found = re.fullmatch(
        r"does not decode from 00:00:0(\d\.\d{3}) to 00:00:0(\d\.\d{3}) of 00:00:04\.000 "
        r"\(damaged: skipped there, the rest decodes\)",
        message,
    )
    assert found is not None, message
    assert 0 < float(found.group(1)) <= float(found.group(2)) < 2

    shots = analyse_shots(broken, tmp_path)
    assert shots["frame_count"] == 100
    assert Fraction(shots["decoded_end"]) == 4
    [(lost_from, lost_to)] = [(Fraction(a), Fraction(b)) for a, b in shots["undecodable"]]
    assert (lost_from, lost_to) == (Fraction(found.group(1)), Fraction(found.group(2)))
    assert lost_from < lost_to
    assert 50 in [t["frame"] for t in shots["transitions"]]  # the cut, at its own frame


@pytest.mark.parametrize("how", ["zeros", "gone"])
def test_damage_a_transport_stream_drops_in_silence_is_found(tmp_path: Path, how: str) -> None:
    """MPEG-TS (broadcast recorders, older camcorders): its demuxer drops the packets a
    damaged stretch holds, marking the next one corrupt, and the decoder conceals the rest, so
    no call fails. The frames missing between two that came out are the lost stretch; frame
    numbers stay the file's own, so the cut after it is found at its own frame."""
    clip = mediagen.video_shots(tmp_path / "clip.ts", [("testsrc2", 2.0), ("mandelbrot", 2.0)])
    (tmp_path / "whole").mkdir()
    whole = analyse_shots(clip, tmp_path / "whole")
    assert "undecodable" not in whole
    data = bytearray(clip.read_bytes())
    start = int(len(data) * 0.25)
    if how == "zeros":
        data[start:start + 20_000] = bytes(20_000)  # a bad sector
    else:
        del data[start:start + 20_000]  # a stretch lost in a copy
    broken = tmp_path / f"{how}.ts"
    broken.write_bytes(bytes(data))
    shots = analyse_shots(broken, tmp_path)
    [(lost_from, lost_to)] = [(Fraction(a), Fraction(b)) for a, b in shots["undecodable"]]
    assert 0 < lost_from < lost_to < 2
    assert shots["frame_count"] == 100
    assert 50 in [t["frame"] for t in shots["transitions"]]  # the cut, at its own frame
    with pytest.raises(MediaError, match=r"\(damaged: skipped there, the rest decodes\)"):
        analyse(broken, "video", tmp_path)


@pytest.mark.parametrize("ext", ["ts", "mp4"])
def test_a_variable_frame_rate_after_damage_is_not_more_damage(tmp_path: Path, ext: str) -> None:
    """A phone halves its frame rate in low light, leaving gaps no frame was ever in: after a
    damaged stretch earlier in the file, those gaps are not lost frames, and frame numbers
    after them stay the whole file's."""
    clip = tmp_path / f"vfr.{ext}"
    mediagen.run_ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=4",
        "-vf", "select='lt(t,3)+not(mod(n,2))'", "-fps_mode", "vfr", "-c:v", "libx264",
        "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(clip),
    )
    (tmp_path / "whole").mkdir()
    whole = analyse_shots(clip, tmp_path / "whole")
    data = bytearray(clip.read_bytes())
    start = int(len(data) * 0.25)
    data[start:start + 20_000] = bytes(20_000)
    broken = tmp_path / f"broken.{ext}"
    broken.write_bytes(bytes(data))
    shots = analyse_shots(broken, tmp_path)
    [(lost_from, lost_to)] = [(Fraction(a), Fraction(b)) for a, b in shots["undecodable"]]
    assert 0 < lost_from < lost_to < 2
    assert shots["frame_count"] == whole["frame_count"]


def analyse_shots(path: Path, tmp: Path) -> Result:
    settings = load_settings(environ={})
    analyzer = get_analyzer("shots")
    out = tmp / f"{path.stem}-shots-only"
    out.mkdir()
    view = AssetView("b" * 64, "video", path.suffix.lstrip("."), path, {})
    return analyzer.run(AnalysisContext(view, settings, analyzer.params(settings), out))


def test_damage_message_counts_further_stretches() -> None:
    shots = {"undecodable": [["41/25", "46/25"], ["4", "21/5"], ["3", "16/5"]]}
    assert damaged_stretches(shots, Fraction(5)) == (
        "does not decode from 00:00:01.640 to 00:00:01.840 and in 2 more stretches up to "
        "00:00:04.200 of 00:00:05.000 (damaged: skipped there, the rest decodes)")
    assert damaged_stretches({}, Fraction(5)) is None


# -- the judgement itself ------------------------------------------------------------------------


def test_judge_truncated_video_names_where_and_of_what() -> None:
    extent = Extent(video=Fraction(99, 25), audio=Fraction(99, 25), video_stated=Fraction(10))
    assert judge("video", Fraction(10), Fraction(99, 25), extent) == (
        "decodes only to 00:00:03.960 of 00:00:10.000 (truncated: the data ends there)"
    )


def test_judge_video_short_of_its_own_length_is_truncated_whatever_the_audio() -> None:
    """A track that states its own length (MP4) must reach it, even if audio data goes on (a file
    cut where its audio was written ahead of its video)."""
    extent = Extent(video=Fraction(4), audio=Fraction(10), video_stated=Fraction(10))
    problem = judge("video", Fraction(10), Fraction(4), extent)
    assert problem is not None and problem.startswith("decodes only to 00:00:04.000 of")


def test_judge_lets_small_shortfalls_pass() -> None:
    stated = Fraction(10)
    end = stated - SHORTFALL + Fraction(1, 100)
    extent = Extent(video=end, audio=end, video_stated=stated)
    assert judge("video", stated, end, extent) is None
    assert judge("audio", stated, None, Extent(None, end)) is None
    short = stated - SHORTFALL - Fraction(1, 100)
    assert judge("audio", stated, None, Extent(None, short)) is not None


def test_judge_without_timestamps_says_nothing() -> None:
    assert judge("video", Fraction(10), None, Extent(None, None)) is None
    assert judge("audio", Fraction(10), None, Extent(None, None)) is None


def test_decoded_end_of_results_made_before_it_was_recorded() -> None:
    assert decoded_end({"rate": "25/1", "frame_count": 99, "decoded_end": "397/100"}) == Fraction(
        397, 100
    )
    assert decoded_end({"rate": "30000/1001", "frame_count": 300}) == Fraction(300 * 1001, 30000)
    assert decoded_end({"rate": "25/1", "frame_count": 0}) is None


def test_clock_rounds_to_the_millisecond() -> None:
    assert clock(Fraction(99, 25)) == "00:00:03.960"
    assert clock(Fraction(3600 * 2 + 61) + Fraction(2, 3)) == "02:01:01.667"


def test_applies_to_video_once_its_shots_exist_and_to_audio() -> None:
    analyzer = IntegrityAnalyzer()
    shots: dict[str, Any] = {"shots": {"rate": "25/1", "frame_count": 10}}
    assert not analyzer.applies(AssetView("a", "video", "mp4", Path()))
    assert analyzer.applies(AssetView("a", "video", "mp4", Path(), shots))
    assert analyzer.applies(AssetView("a", "audio", "m4a", Path()))
    assert not analyzer.applies(AssetView("a", "image", "jpg", Path(), shots))
