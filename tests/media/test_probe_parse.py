"""The pure halves of rushes.media.probe and rushes.media.ffmpeg, on hand-written tool output.

Each fixture is the few lines of ffprobe/exiftool JSON that matter for one odd case met in real
files, so a regression names the case rather than a file.
"""

from __future__ import annotations

from typing import Any

import pytest

from rushes.media.ffmpeg import last_error_line
from rushes.media.probe import (
    browser_playable,
    iso_datetime,
    parse_rational,
    rotation_of,
    stream_rate,
    summarize,
)

MOV = "mov,mp4,m4a,3gp,3g2,mj2"


def _video(**extra: Any) -> dict[str, Any]:
    stream: dict[str, Any] = {
        "index": 0, "codec_type": "video", "codec_name": "h264", "profile": "High",
        "width": 1920, "height": 1080, "sample_aspect_ratio": "1:1", "pix_fmt": "yuv420p",
        "field_order": "progressive", "r_frame_rate": "25/1", "avg_frame_rate": "25/1",
        "time_base": "1/12800", "duration_ts": 25600, "duration": "2.000000", "nb_frames": "50",
    }
    stream.update(extra)
    return stream


def _audio(index: int = 1, **extra: Any) -> dict[str, Any]:
    stream: dict[str, Any] = {
        "index": index, "codec_type": "audio", "codec_name": "aac", "channels": 2,
        "sample_rate": "48000", "channel_layout": "stereo", "time_base": "1/48000",
        "duration_ts": 96000,
    }
    stream.update(extra)
    return stream


def _probe(*streams: dict[str, Any], fmt: str = MOV, **fmt_extra: Any) -> dict[str, Any]:
    return {
        "streams": list(streams),
        "format": {"format_name": fmt, "duration": "2.000000", "bit_rate": "5000000", **fmt_extra},
    }


def test_ntsc_drop_frame_timecode_on_video_stream() -> None:
    video = _video(
        r_frame_rate="30000/1001", avg_frame_rate="30000/1001", time_base="1/30000",
        duration_ts=60060, nb_frames="60", tags={"timecode": "01:00:00;00"},
    )
    out = summarize(_probe(video, _audio()), None, "video")
    assert out["rate"] == "30000/1001"
    assert out["duration"] == "1001/500"
    assert out["frame_count"] == 60
    assert out["start_timecode"] == "01:00:00;00"
    assert out["drop_frame"] is True
    assert out["browser_playable"] is True


def test_timecode_only_on_a_tmcd_track() -> None:
    tmcd = {"index": 2, "codec_type": "data", "codec_tag_string": "tmcd",
            "tags": {"timecode": "10:00:00:00"}}
    out = summarize(_probe(_video(), _audio(), tmcd), None, "video")
    assert out["start_timecode"] == "10:00:00:00"
    assert out["drop_frame"] is False
    assert [s["type"] for s in out["streams"]] == ["video", "audio", "data"]


def test_timecode_at_format_level_only_with_upper_case_key() -> None:
    out = summarize(_probe(_video(), fmt="mxf", tags={"TIMECODE": "09:59:50:00"}), None, "video")
    assert out["start_timecode"] == "09:59:50:00"


def test_semicolon_timecode_at_25_fps_is_not_drop_frame() -> None:
    out = summarize(_probe(_video(tags={"timecode": "10:00:00;00"})), None, "video")
    assert out["drop_frame"] is False
    assert out["start_timecode"] == "10:00:00:00"


def test_23976_keeps_the_exact_rate() -> None:
    video = _video(r_frame_rate="24000/1001", avg_frame_rate="2997/125", time_base="1/24000",
                   duration_ts=48048, nb_frames=None)
    out = summarize(_probe(video), None, "video")
    assert out["rate"] == "24000/1001"
    assert out["duration"] == "1001/500"
    assert out["frame_count"] == 48


def test_rate_counts_frames_not_fields() -> None:
    assert stream_rate({"r_frame_rate": "60000/1001", "avg_frame_rate": "30000/1001"}) == (
        parse_rational("30000/1001")
    )
    assert stream_rate({"r_frame_rate": "0/0", "avg_frame_rate": "0/0"}) is None


def test_rotation_from_display_matrix_side_data() -> None:
    # ffprobe counts counter-clockwise; an iPhone portrait clip shows -90 (turn 90° clockwise).
    side = [{"side_data_type": "Display Matrix", "rotation": -90}]
    out = summarize(_probe(_video(side_data_list=side)), None, "video")
    assert out["rotation"] == 90
    assert rotation_of(_video(side_data_list=[{"rotation": 90}])) == 270
    assert rotation_of(_video(tags={"rotate": "180"})) == 180
    assert rotation_of(_video()) == 0


def test_audio_only_file_has_no_video_fields_and_cover_art_is_ignored() -> None:
    cover = _video(index=0, codec_name="mjpeg", pix_fmt="yuvj420p",
                   disposition={"attached_pic": 1})
    mp3 = _audio(index=1, codec_name="mp3", time_base="1/14112000", duration_ts=28224000)
    out = summarize(_probe(cover, mp3, fmt="mp3"), None, "audio")
    assert out["rate"] is None
    assert out["width"] is None
    assert out["video_codec"] is None
    assert out["audio_codec"] == "mp3"
    assert out["audio_streams"] == 1
    assert out["duration"] == "2/1"
    assert out["browser_playable"] is True
    assert out["streams"][0]["attached_pic"] is True


def test_wav_is_not_browser_playable() -> None:
    pcm = _audio(index=0, codec_name="pcm_s24le", channels=1)
    out = summarize(_probe(pcm, fmt="wav"), None, "audio")
    assert out["audio_channels"] == 1
    assert out["browser_playable"] is False


def test_image_from_ffprobe_and_exiftool() -> None:
    still = _video(index=0, codec_name="mjpeg", pix_fmt="yuvj420p", width=4000, height=3000,
                   r_frame_rate="25/1", duration="0.040000", duration_ts=1, time_base="1/25")
    exif = {
        "EXIF:Make": "FUJIFILM", "EXIF:Model": "X-T4", "EXIF:Orientation": 8,
        "EXIF:DateTimeOriginal": "2019:07:14 18:02:11", "EXIF:OffsetTimeOriginal": "-0500",
        "EXIF:GPSLatitude": 40.7, "EXIF:GPSLatitudeRef": "N",
        "EXIF:GPSLongitude": 74.0, "EXIF:GPSLongitudeRef": "W",
    }
    out = summarize(_probe(still, fmt="image2"), exif, "image")
    assert out["duration"] is None
    assert out["rate"] is None
    assert out["frame_count"] is None
    assert (out["width"], out["height"]) == (4000, 3000)
    assert out["rotation"] == 270
    assert out["camera_make"] == "FUJIFILM"
    assert out["camera_model"] == "X-T4"
    assert out["creation_time"] == "2019-07-14T18:02:11-05:00"
    assert out["gps"] == {"lat": 40.7, "lon": -74.0, "alt": None}
    assert out["browser_playable"] is True


def test_image_described_by_exiftool_alone() -> None:
    exif = {"File:FileType": "HEIC", "File:ImageWidth": 4032, "File:ImageHeight": 3024}
    out = summarize(None, exif, "image")
    assert (out["width"], out["height"], out["container"]) == (4032, 3024, "heic")
    assert out["display_aspect"] == "4/3"
    assert out["browser_playable"] is False


def test_phone_video_location_and_dates_from_quicktime_tags() -> None:
    tags = {"com.apple.quicktime.location.ISO6709": "+48.8583+002.2945+035.000/",
            "com.apple.quicktime.make": "Apple", "creation_time": "2023-05-01T10:00:00.000000Z"}
    out = summarize(_probe(_video(), fmt=MOV, tags=tags), None, "video")
    assert out["gps"] == {"lat": 48.8583, "lon": 2.2945, "alt": 35.0}
    assert out["camera_make"] == "Apple"
    assert out["creation_time"] == "2023-05-01T10:00:00+00:00"
    exif = {"QuickTime:CreationDate": "2023:05:01 12:00:00+02:00",
            "QuickTime:CreateDate": "2023:05:01 10:00:00"}
    assert summarize(_probe(_video()), exif, "video")["creation_time"] == (
        "2023-05-01T12:00:00+02:00"
    )


def test_zero_dates_are_unknown_and_quicktime_dates_are_utc() -> None:
    exif = {"QuickTime:CreateDate": "0000:00:00 00:00:00"}
    assert summarize(_probe(_video()), exif, "video")["creation_time"] is None
    exif = {"QuickTime:CreateDate": "2020:01:02 03:04:05"}
    assert summarize(_probe(_video()), exif, "video")["creation_time"] == (
        "2020-01-02T03:04:05+00:00"
    )
    assert iso_datetime("2020:01:02 03:04:05.250") == "2020-01-02T03:04:05.25"


@pytest.mark.parametrize(
    ("container", "video", "pix_fmt", "audio", "playable"),
    [
        (MOV, "h264", "yuv420p", ["aac"], True),
        ("matroska,webm", "vp9", "yuv420p", ["opus"], True),
        ("matroska,webm", "h264", "yuv420p", ["aac"], False),
        (MOV, "prores", "yuv422p10le", ["pcm_s16le"], False),
        (MOV, "hevc", "yuv420p", ["aac"], False),
        (MOV, "h264", "yuv420p10le", ["aac"], False),
        (MOV, "h264", "yuv422p", ["aac"], False),
        (MOV, "h264", "yuv420p", ["pcm_s16le"], False),
        ("mxf", "dnxhd", "yuv422p", ["pcm_s24le"], False),
        ("mpegts", "mpeg2video", "yuv420p", ["mp2"], False),
        ("dv", "dvvideo", "yuv411p", ["pcm_s16le"], False),
    ],
)
def test_browser_playable(
    container: str, video: str, pix_fmt: str, audio: list[str], playable: bool
) -> None:
    assert browser_playable("video", container, video, pix_fmt, audio) is playable


def test_last_error_line_skips_noise_and_addresses() -> None:
    stderr = (
        "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x557c804941c0] moov atom not found\n"
        "file:/data/a b.mov: Invalid data found when processing input\n"
        "Conversion failed!\n\n"
    )
    line = last_error_line(stderr, hide=("file:/data/a b.mov",))
    assert line == "Invalid data found when processing input"
    assert last_error_line(stderr.splitlines()[0]) == "mov,mp4,m4a,3gp,3g2,mj2: moov atom not found"
    assert last_error_line("\n\n") == "failed without saying why"
