"""rushes.media.extent: where a file's packets really end, against the length it states."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

import mediagen
from rushes.errors import MediaError
from rushes.media.extent import scan_extent, states_its_length


def test_intact_and_cut_faststart_mp4(tmp_path: Path) -> None:
    clip = mediagen.video_testsrc(
        tmp_path / "clip.mp4", seconds=3, extra=("-movflags", "+faststart")
    )
    whole = scan_extent(clip)
    assert whole.video == 3 and whole.video_stated == 3
    assert whole.audio is not None and abs(whole.audio - 3) < Fraction(1, 10)
    assert whole.end == max(whole.video, whole.audio)
    # The index at the front still lists every packet; the data behind 40 % of it is gone.
    cut = scan_extent(mediagen.truncated_copy(clip, tmp_path / "cut.mp4", 0.4))
    assert cut.video_stated == 3
    assert cut.video is not None and cut.audio is not None
    assert cut.video < Fraction(3, 2) and cut.audio < Fraction(3, 2)


def test_matroska_states_no_length_per_stream(tmp_path: Path) -> None:
    clip = mediagen.video_testsrc(tmp_path / "clip.mkv", seconds=2)
    extent = scan_extent(clip)
    assert extent.video_stated is None
    assert extent.video is not None and abs(extent.video - 2) < Fraction(1, 10)


def test_audio_file_has_no_video(tmp_path: Path) -> None:
    tone = mediagen.audio_tone(tmp_path / "tone.flac", seconds=2)
    extent = scan_extent(tone)
    assert extent.video is None and extent.audio == 2 and extent.end == 2


def test_unreadable_file_is_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not media at all" * 10)
    with pytest.raises(MediaError) as info:
        scan_extent(junk)
    assert "\n" not in str(info.value) and str(tmp_path) not in str(info.value)


@pytest.mark.parametrize(
    ("container", "expected"),
    [
        ("mov,mp4,m4a,3gp,3g2,mj2", True),
        ("matroska,webm", True),
        ("mxf", True),
        ("mpegts", False),  # its length comes from its last timestamps
        ("mp3", False),  # guessed from the bit rate without a Xing header
        ("aac", False),
        ("h264", False),
        (None, False),
        ("", False),
    ],
)
def test_formats_that_state_their_length(container: str | None, expected: bool) -> None:
    assert states_its_length(container) is expected
