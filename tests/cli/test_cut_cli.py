"""``rushes clip``, ``rushes cut``, tags and notes through the real command, on generated media
carrying embedded timecode at every rate editors meet."""

from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

import mediagen
from cli.runner import rushes, rushes_json

# name, ffmpeg rate, embedded start timecode, an in and an out typed as source timecode
RATES = [
    ("r23976", "24000/1001", "00:59:59:00", "00:59:59:12", "01:00:00:12"),
    ("r24", "24", "10:00:00:00", "10:00:00:05", "10:00:01:17"),
    ("r25", "25", "10:00:00:00", "10:00:00:13", "10:00:01:24"),
    # Across a minute boundary where drop-frame labels skip ;00 and ;01 (;00-;03 at 59.94).
    ("r2997df", "30000/1001", "00:00:59;00", "00:00:59;20", "00:01:00;10"),
    ("r2997ndf", "30000/1001", "00:00:59:00", "00:00:59:20", "00:01:00:10"),
    ("r30", "30", "01:00:00:00", "01:00:00:29", "01:00:01:01"),
    ("r50", "50", "01:00:00:00", "01:00:00:25", "01:00:01:49"),
    ("r5994df", "60000/1001", "00:00:59;00", "00:00:59;50", "00:01:00;20"),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cuts")
    media = root / "media"
    media.mkdir()
    for name, rate, tc, _, _ in RATES:
        mediagen.video_testsrc(media / f"{name}.mov", seconds=2.5, size="160x120", rate=rate,
                               timecode=tc)
    mediagen.image_png(media / "still.png", size="160x120")
    rushes("init", str(root), cwd=root)
    rushes("-c", "transcribe=false", "add", "media", "--workers", "1", cwd=root)
    return root


@pytest.mark.parametrize(("name", "rate", "tc", "in_tc", "out_tc"), RATES,
                         ids=[r[0] for r in RATES])
def test_clip_and_cut_keep_source_timecode_exact_at_every_rate(
    project: Path, name: str, rate: str, tc: str, in_tc: str, out_tc: str
) -> None:
    clip = rushes_json("clip", "add", f"media/{name}.mov", "--in", in_tc, "--out", out_tc,
                       "--label", f"select {name}", cwd=project)
    assert isinstance(clip["id"], int)
    assert (clip["in_timecode"], clip["out_timecode"]) == (in_tc, out_tc)
    cut = f"cut-{name}"
    rushes("cut", "new", cut, cwd=project)
    rushes("cut", "add", cut, str(clip["id"]), f"media/{name}.mov@{in_tc}-{out_tc}", cwd=project)
    shown = rushes_json("cut", "show", cut, cwd=project)
    num, _, den = rate.partition("/")
    assert shown["rate"] == f"{num}/{den or 1}"  # the cut follows its first video's rate
    drop = ";" in tc
    assert shown["drop_frame"] is drop
    assert shown["start_timecode"] == ("01:00:00;00" if drop else "01:00:00:00")
    first, second = shown["items"]
    for item in (first, second):
        assert (item["source_in_timecode"], item["source_out_timecode"]) == (in_tc, out_tc)
    assert first["clip"] == clip["id"] and second["clip"] is None
    assert first["record_out_timecode"] == second["record_in_timecode"]
    frames = shown["frames"]
    assert frames % 2 == 0
    assert shown["items"][1]["record_out"] == pytest.approx(float(frames / Fraction(rate)),
                                                            abs=1e-6)


def test_mixed_rates_conform_by_the_documented_rule(project: Path) -> None:
    rushes("cut", "new", "mixed", "--rate", "25", "--start", "00:00:00:00", cwd=project)
    # One second at 29.97 is 30 source frames → 30 × 25 / 29.97 = 25.025 → 25 frames at 25.
    # 13 frames at 23.976 → 13 × 25 / 23.976 = 13.55 → 14 frames.
    rushes("cut", "add", "mixed", "media/r2997ndf.mov@00:00:59:00-00:01:00:00",
           "media/r23976.mov@00:59:59:00-00:59:59:13", "media/still.png@2", cwd=project)
    items = rushes_json("cut", "show", "mixed", cwd=project)["items"]
    assert [i["record_in_timecode"] for i in items] == ["00:00:00:00", "00:00:01:00",
                                                        "00:00:01:14"]
    assert items[2]["record_out_timecode"] == "00:00:03:14"
    assert items[1]["source_out_timecode"] == "00:59:59:13"  # source range stays exact


def test_titles_voiceover_notes_move_and_running_time(project: Path) -> None:
    rushes("cut", "new", "story", "--rate", "25", cwd=project)
    rushes("cut", "add", "story", "--title", "Chengdu, 2008", "--duration", "2", cwd=project)
    rushes("cut", "add", "story", "media/r25.mov@10:00:00:00-10:00:01:00", cwd=project)
    rushes("cut", "add", "story", "--voiceover", "He went back every year after that",
           cwd=project)
    rushes("cut", "add", "story", "--note", "music under", "--at", "2", cwd=project)
    rushes("cut", "move", "story", "1", "3", cwd=project)
    shown = rushes_json("cut", "show", "story", cwd=project)
    assert [i["kind"] for i in shown["items"]] == ["note", "clip", "title", "voiceover"]
    # 1 s clip + 2 s title + 7 words at 150 wpm (2.8 s) = 5.8 s = 145 frames.
    assert shown["running_time"] == "00:00:05:20" and shown["frames"] == 145
    listed = rushes_json("cut", "ls", cwd=project)
    assert {"name": "story", "running_time": "00:00:05:20"}.items() <= next(
        c for c in listed if c["name"] == "story").items()
    text = rushes("cut", "show", "story", cwd=project).stdout
    assert "TITLE: Chengdu, 2008" in text and "r25.mov 10:00:00:00-10:00:01:00" in text


@pytest.mark.parametrize(("args", "message"), [
    (["clip", "add", "media/r25.mov", "--in", "10:00:02:00", "--out", "10:00:01:00"],
     "is not after the in point"),
    (["clip", "add", "media/r25.mov", "--in", "10:00:01:00", "--out", "10:00:09:00"],
     "is beyond the end of r25.mov (10:00:02:1"),
    (["clip", "add", "media/r25.mov", "--in", "10:00:01;00", "--out", "10:00:02:00"],
     "drop-frame, which does not exist at 25 fps"),
    (["clip", "add", "media/r25.mov", "--in", "1:2:3:4:5", "--out", "2"], "not a time"),
    (["clip", "add", "media/r25.mov", "--in", "10:0:01", "--out", "2"],
     "the in point 20:00:01:00 is beyond the end"),
    (["clip", "add", "media/still.png", "--in", "0", "--out", "1"],
     "only video and audio have in and out points"),
    (["cut", "add", "nope", "media/r25.mov@1-2"], "no cut named 'nope'"),
    (["cut", "new", "bad", "--rate", "25", "--start", "01:00:00;00"],
     "does not exist at 25 fps"),
    (["cut", "new", "bad", "--rate", "abc"], "not a frame rate"),
])
def test_bad_input_is_one_line_and_changes_nothing(
    project: Path, args: list[str], message: str
) -> None:
    before = rushes_json("clip", "ls", cwd=project)
    proc = rushes(*args, cwd=project, check=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert rushes_json("clip", "ls", cwd=project) == before


def test_absurd_item_durations_are_refused_in_one_line(project: Path) -> None:
    rushes("cut", "new", "lengths", "--rate", "25", cwd=project)
    for args, message in [
        (["--title", "x", "--duration", "1e9"], "at most 24 hours"),
        (["--voiceover", "words", "--duration", "86400.04"], "at most 24 hours"),
        (["--title", "x", "--duration", "inf"], "not a duration in seconds: 'inf'"),
        (["--title", "x", "--duration", "nan"], "not a duration in seconds: 'nan'"),
        (["--title", "x", "--duration", "0"], "above zero"),
        (["--title", "x", "--duration", "-3"], "above zero"),
        (["media/still.png@1e9"], "at most 24 hours"),
        (["media/still.png@0-100000"], "at most 24 hours"),
        (["media/still.png@00:00:05-00:00:05"], "above zero"),
    ]:
        proc = rushes("cut", "add", "lengths", *args, cwd=project, check=False)
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 1 and len(lines) == 1 and message in lines[0], (args, lines)
    assert rushes_json("cut", "show", "lengths", cwd=project)["items"] == []
    # A timecode day itself is allowed.
    rushes("cut", "add", "lengths", "--title", "x", "--duration", "86400", cwd=project)
    shown = rushes_json("cut", "show", "lengths", cwd=project)
    assert shown["frames"] == 86400 * 25


def test_tags_notes_and_clip_labels_are_found_by_search(project: Path) -> None:
    rushes("tag", "media/r50.mov", "people/Ai Weiwei", "place/Chengdu", cwd=project)
    note = rushes_json("note", "add", "media/r50.mov", "the headmaster arrives", "--at",
                       "01:00:01:10", cwd=project)
    assert note["timecode"] == "01:00:01:10"
    hits = rushes_json("search", "headmaster", cwd=project)["hits"]
    assert [(h["source"], h["timecode"]) for h in hits] == [("note", "01:00:01:10")]
    tagged = rushes_json("search", "Chengdu", cwd=project)["hits"]
    assert [h["source"] for h in tagged] == ["tag"]
    log = rushes_json("log", "media/r50.mov", cwd=project)
    assert [t["tag"] for t in log["tags"]] == ["people/Ai Weiwei", "place/Chengdu"]


def test_unused_selects(project: Path) -> None:
    a = rushes_json("clip", "add", "media/r30.mov", "--in", "0", "--out", "1", "--label",
                    "kept", cwd=project)
    b = rushes_json("clip", "add", "media/r30.mov", "--in", "1", "--out", "2", "--label",
                    "dropped", cwd=project)
    rushes("cut", "new", "short", cwd=project)
    rushes("cut", "add", "short", str(a["id"]), cwd=project)
    unused = [c["id"] for c in rushes_json("clip", "unused", "short", cwd=project)]
    assert b["id"] in unused and a["id"] not in unused


def test_contract_json_is_one_document(project: Path) -> None:
    proc = rushes("clip", "add", "media/r24.mov", "--in", "0.5", "--out", "1", "--json",
                  cwd=project)
    assert set(json.loads(proc.stdout)) >= {"id"}


@pytest.mark.parametrize("fmt", ["edl", "fcp7", "fcpxml", "otio"])
def test_every_export_reads_back_to_the_same_source_frames(
    project: Path, tmp_path: Path, fmt: str
) -> None:
    """Export a cut mixing every rate through the real command, read it back with
    `rushes cut import`: each source range comes back with the timecodes it was given."""
    cut = f"all-{fmt}"
    rushes("cut", "new", cut, "--rate", "29.97", "--start", "01:00:00;00", cwd=project)
    items = [f"media/{name}.mov@{a}-{b}" for name, _, _, a, b in RATES]
    rushes("cut", "add", cut, *items, "media/still.png@2", cwd=project)
    rushes("cut", "add", cut, "--title", "Chengdu, 2008", cwd=project)
    out = tmp_path / ("cut." + {"fcp7": "xml"}.get(fmt, fmt))
    rushes("cut", "export", cut, "--format", fmt, "-o", str(out), cwd=project)
    report = rushes_json("cut", "import", str(out), "--rate", "29.97", cwd=project)
    assert report["matched"] >= len(RATES) + 1 and report["unmatched"] == []
    used = {Path(s["path"]).stem: s["uses"] for s in report["sources"]}
    for name, rate, _, a, b in RATES:
        (use,) = used[name]
        assert use["in_timecode"] == a, (fmt, name)
        if fmt == "fcpxml" and Fraction(rate) > Fraction(30000, 1001):
            # FCPXML keeps one duration per clip, on the sequence's frame grid: a faster source
            # reads back as the frames that play in it (its out point within a frame or two).
            assert use["out_timecode"][:-2] == b[:-2], (fmt, name)
            assert abs(int(use["out_timecode"][-2:]) - int(b[-2:])) <= 2, (fmt, name)
        else:
            assert use["out_timecode"] == b, (fmt, name)
    shown = rushes_json("cut", "show", cut, cwd=project)["items"]
    assert [u[0]["record_in_timecode"] for n, u in sorted(used.items()) if n != "still"] == [
        i["record_in_timecode"] for i in sorted(shown[:len(RATES)], key=lambda i: i["name"])
    ]


def test_usage_csv_lists_each_use(project: Path, tmp_path: Path) -> None:
    rushes("cut", "new", "usage", cwd=project)
    rushes("cut", "add", "usage", "media/r25.mov@10:00:00:00-10:00:01:00",
           "media/r25.mov@10:00:00:12-10:00:02:00", cwd=project)
    edl = tmp_path / "usage.edl"
    rushes("cut", "export", "usage", "-o", str(edl), cwd=project)
    csv_path = tmp_path / "usage.csv"
    report = rushes_json("cut", "import", str(edl), "--rate", "25", "--csv", str(csv_path),
                         cwd=project)
    (source,) = report["sources"]
    assert source["total"] == 2.52 and source["unique"] == 2.0  # overlap counted once
    rows = csv_path.read_text().splitlines()
    assert rows[0].startswith("path,asset,event") and len(rows) == 3
    assert "10:00:00:12,10:00:02:00" in rows[2]


def test_a_missing_source_or_unreadable_file_is_one_line_and_writes_nothing(
    project: Path, tmp_path: Path
) -> None:
    gone = project / "media" / "gone.mov"
    mediagen.video_testsrc(gone, seconds=1, size="160x120")
    rushes("-c", "transcribe=false", "add", str(gone), "--workers", "1", cwd=project)
    rushes("cut", "new", "broken", cwd=project)
    rushes("cut", "add", "broken", "media/gone.mov@0-0.5", cwd=project)
    gone.unlink()
    out = tmp_path / "broken.edl"
    proc = rushes("cut", "export", "broken", "-o", str(out), cwd=project, check=False)
    assert proc.returncode == 1 and "item 1: the source file" in proc.stderr
    assert "gone.mov is missing" in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert not out.exists() and list(tmp_path.iterdir()) == []
    junk = tmp_path / "junk.edl"
    junk.write_bytes(b"\x00\xff garbage")
    proc = rushes("cut", "import", str(junk), cwd=project, check=False)
    assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1
    assert "junk.edl" in proc.stderr


def test_render_makes_a_watchable_review_copy_of_the_cut(project: Path, tmp_path: Path) -> None:
    rushes("cut", "new", "review", "--rate", "25", cwd=project)
    rushes("cut", "add", "review", "--title", "Review", "--duration", "1", cwd=project)
    rushes("cut", "add", "review", "media/r2997df.mov@00:00:59;20-00:01:00;10",
           "media/still.png@1", cwd=project)
    out = tmp_path / "review.mp4"
    proc = rushes("cut", "render", "review", "-o", str(out), cwd=project)
    assert "wrote" in proc.stderr and out.exists()
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
         "stream=nb_read_frames,r_frame_rate", "-of", "json", str(out)],
        capture_output=True, text=True, check=True,
    )
    stream = json.loads(probe.stdout)["streams"][0]
    # 1 s title + 18 frames at 29.97 (;20 to ;10 across a drop: → 15 at 25) + 1 s still.
    frames = rushes_json("cut", "show", "review", cwd=project)["frames"]
    assert frames == 65
    assert (stream["r_frame_rate"], int(stream["nb_read_frames"])) == ("25/1", frames)
    assert list(tmp_path.iterdir()) == [out]


def test_a_kept_import_takes_the_sequence_rate_not_its_first_sources(
    project: Path, tmp_path: Path
) -> None:
    rushes("cut", "new", "pal-seq", "--rate", "25", cwd=project)
    rushes("cut", "add", "pal-seq", "media/r2997ndf.mov@00:00:59:00-00:01:00:00",
           "media/r25.mov@10:00:00:00-10:00:01:00", cwd=project)
    edl = tmp_path / "pal.edl"
    rushes("cut", "export", "pal-seq", "-o", str(edl), cwd=project)
    rushes("cut", "import", str(edl), "--rate", "25", "--as", "pal-back", cwd=project)
    back = rushes_json("cut", "show", "pal-back", cwd=project)
    assert (back["rate"], back["start_timecode"]) == ("25/1", "01:00:00:00")
    assert [i["source_in_timecode"] for i in back["items"]] == ["00:00:59:00", "10:00:00:00"]
