"""The shared timeline rules: conform rounding, still lengths, reel names, atomic output."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from rushes.domain.timecode import Timecode
from rushes.edit.timeline import (
    Source,
    Timeline,
    conform_frames,
    reel_name,
    round_half_up,
    seconds_to_frames,
)
from rushes.outputs import write_text_atomic

NTSC = Fraction(30000, 1001)


def test_rounding_is_half_up_and_conform_keeps_real_time_within_half_a_frame() -> None:
    assert [round_half_up(Fraction(n, 2)) for n in (1, 3, 5)] == [1, 2, 3]
    assert conform_frames(30, NTSC, Fraction(25)) == 25  # 25.025
    assert conform_frames(13, Fraction(24000, 1001), Fraction(25)) == 14  # 13.55
    assert conform_frames(1, Fraction(50), Fraction(24)) == 1  # never zero
    for frames in range(1, 500):
        out = conform_frames(frames, NTSC, Fraction(25))
        assert abs(Fraction(out, 25) - frames / NTSC) <= Fraction(1, 50)
    assert seconds_to_frames(Fraction(5, 2), Fraction(25)) == 63
    assert seconds_to_frames(Fraction(0), Fraction(25)) == 1


@pytest.mark.parametrize(("rate", "start", "last", "after"), [
    (Fraction(25), "23:59:59:00", "23:59:59:24", "00:00:00:01"),
    (NTSC, "23:59:59;00", "23:59:59;29", "00:00:00;01"),
    (Fraction(60000, 1001), "23:59:59;00", "23:59:59;59", "00:00:00;01"),
])
def test_source_and_record_labels_are_on_the_24_hour_clock(
    rate: Fraction, start: str, last: str, after: str
) -> None:
    clock = Timecode.parse(start, rate)
    fps = round(rate)
    source = Source("a", "/m/a.mov", "a.mov", "A", "video", rate, clock)
    timeline = Timeline("late", rate, clock, ())
    for label in (source.timecode, timeline.record_timecode):
        assert [str(label(n)) for n in (fps - 1, fps + 1)] == [last, after]
    # the frame counts go on: lengths across midnight stay positive
    assert source.timecode(fps + 1).frames - source.timecode(fps - 1).frames == 2


@pytest.mark.parametrize(("name", "reel"), [
    ("A001_C002_harbour_callum.mp4", "A001C002"),
    ("B001_C003_lamp_room.mov", "B001C003"),
    ("ROLL_3.mov", "ROLL_3"),
    ("interview take-2.mov", "INTERVIE"),
    ("北京.mp4", "AX"),
])
def test_reel_names_are_short_stable_and_meaningful(name: str, reel: str) -> None:
    assert reel_name(name) == reel
    assert reel_name(name) == reel_name(name)


def test_reel_name_clashes_get_a_number() -> None:
    taken: set[str] = set()
    names = [reel_name(n, taken) for n in ("A001_C002_a.mov", "A001_C002_b.mov",
                                           "A001_C002_c.mov")]
    assert names == ["A001C002", "A001C0_1", "A001C0_2"]


def test_atomic_output_reaches_the_disk_before_it_replaces_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new file's data is synced before the rename and the folder after it: a power cut
    must leave the old export or the new one, never an empty file in its place."""
    import os

    events: list[str] = []
    fsync, replace = os.fsync, os.replace

    def synced(fd: int) -> None:
        events.append("fsync folder" if os.path.isdir(f"/proc/self/fd/{fd}") else "fsync file")
        fsync(fd)

    def replaced(src: str, dst: str) -> None:
        events.append("replace")
        replace(src, dst)

    monkeypatch.setattr(os, "fsync", synced)
    monkeypatch.setattr(os, "replace", replaced)
    write_text_atomic(tmp_path / "cut.edl", "TITLE: cut\n")
    assert events == ["fsync file", "replace", "fsync folder"]
    assert (tmp_path / "cut.edl").read_text() == "TITLE: cut\n"


def test_atomic_output_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "cut.edl"
    write_text_atomic(target, "old")
    with pytest.raises(TypeError):
        write_text_atomic(target, None)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["cut.edl"]
