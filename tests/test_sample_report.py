"""The README's demo end to end: ``rushes sample``, ``rushes add``, ``rushes report``.

One sample (the quick variant) is built, added and analysed once for the module; each test then
checks one promise: the sample is the varied material it claims to be, re-running it is cheap,
and the report names every asset, links pictures that exist, lists shots and proxies, shows the
errors and escapes whatever a file name holds.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

import mediagen
from cli.runner import rushes, rushes_json

pytestmark = pytest.mark.slow

#: Names a camera card or a careless export could really produce (no "/": that is a folder).
NASTY = '<b>odd "name" & <script>.mp4'
BROKEN = "footage/broken <i>take.mp4"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The quick sample plus a clip with a nasty name and a truncated clip, added and
    reported once; returns the sample's JSON, the project root, its assets and the report."""
    root = tmp_path_factory.mktemp("sample") / "harwick"
    made = rushes_json("sample", str(root), "--quick", cwd=root.parent)
    mediagen.video_testsrc(root / "footage" / NASTY, seconds=1)
    mediagen.truncated_copy(root / made["files"][0], root / BROKEN)
    rushes("add", ".", cwd=root)
    report = rushes_json("report", cwd=root)
    return {
        "made": made,
        "root": root,
        "assets": rushes_json("ls", cwd=root),
        "report": Path(report["report"]),
    }


class _Images(HTMLParser):
    """Collects the ``src`` of every ``<img>``."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources += [v for k, v in attrs if k == "src" and v]


def test_sample_has_every_kind_rate_and_timecode(sample: dict[str, Any]) -> None:
    root: Path = sample["root"]
    assert (root / ".rushes").is_dir(), "rushes sample must make the folder a project"
    kinds = {a["kind"] for a in sample["assets"]}
    assert {"video", "audio", "image", "document"} <= kinds
    clips = {
        Path(a["path"]).name: rushes_json("show", a["id"], cwd=root)
        for a in sample["assets"]
        if a["kind"] == "video" and Path(a["path"]).parent.parent.name == "footage"
    }
    assert {c["rate"] for c in clips.values()} >= {"25/1", "30000/1001", "24000/1001"}
    assert all(c["start_timecode"] for c in clips.values())
    assert "01:00:00;00" in {c["start_timecode"] for c in clips.values()}
    prores = [c for c in clips.values() if c["results"]["probe"]["video_codec"] == "prores"]
    assert prores and prores[0]["results"]["probe"]["audio_codec"].startswith("pcm_")
    photo = next(a for a in sample["assets"] if a["path"].endswith("DSCF0419.JPG"))
    probe = rushes_json("show", photo["id"], cwd=root)["results"]["probe"]
    assert probe["camera_make"] == "FUJIFILM" and probe["gps"]["lat"] > 57


def test_sample_rerun_only_fills_gaps(sample: dict[str, Any]) -> None:
    root: Path = sample["root"]
    again = rushes_json("sample", str(root), "--quick", cwd=root.parent)
    assert again["made"] == 0 and again["files"] == sample["made"]["files"]
    victim = root / sample["made"]["files"][-1]
    before = victim.read_bytes()
    victim.unlink()
    third = rushes_json("sample", str(root), "--quick", cwd=root.parent)
    assert third["made"] == 1 and victim.read_bytes() == before


def test_report_names_every_asset_escaped(sample: dict[str, Any]) -> None:
    report: Path = sample["report"]
    assert report == sample["root"] / ".rushes" / "report.html"
    page = report.read_text(encoding="utf-8")
    for asset in sample["assets"]:
        assert html.escape(Path(asset["path"]).name) in page, asset["path"]
    assert html.escape(NASTY) in page
    assert "<b>odd" not in page and '"name"' not in page and "<script>" not in page
    assert "<i>take" not in page


def test_report_pictures_are_relative_and_exist(sample: dict[str, Any]) -> None:
    report: Path = sample["report"]
    parser = _Images()
    parser.feed(report.read_text(encoding="utf-8"))
    visual = [a for a in sample["assets"] if a["kind"] in {"video", "image"}]
    assert len(parser.sources) >= len(visual) + 3  # a poster each, plus the clips' filmstrips
    for src in parser.sources:
        assert not urlsplit(src).scheme and not src.startswith("/"), src
        assert (report.parent / unquote(src)).is_file(), src


def test_report_shows_shots_proxies_and_errors(sample: dict[str, Any]) -> None:
    page = sample["report"].read_text(encoding="utf-8")
    assert "dissolve" in page
    assert re.search(r"cut</span> <span class=\"tc\">01:00:0\d;\d\d", page), "DF cut timecode"
    assert "proxy.mp4" in page  # the ProRes clip
    assert "Errors" in page and html.escape(Path(BROKEN).name) in page


def test_the_harbour_clip_is_three_shots_joined_by_cuts(tmp_path: Path) -> None:
    # As its script (and docs/getting-started.md) says, at full size: the detector must not
    # find a transition in the scenes themselves (a Game of Life's opening population crash
    # darkened the whole frame over a second, and was rightly called a dissolve).
    from rushes import sample

    entry = next(e for e in sample._plan() if e.relpath.endswith("A001_C002_harbour_callum.mp4"))
    clip = tmp_path / "harbour.mp4"
    font = next((f for f in sample._FONT_CANDIDATES if Path(f).is_file()), None)
    sample._make(entry.item, clip, clip.stem, tmp_path, font)
    rushes("init", str(tmp_path), cwd=tmp_path)
    rushes("-c", "transcribe=false", "add", str(clip), cwd=tmp_path)
    shots = rushes_json("shots", str(clip), cwd=tmp_path)
    assert len(shots["shots"]) == 3
    assert [t["kind"] for t in shots["transitions"]] == ["cut", "cut"]


def test_report_to_another_place(sample: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "contact sheet.html"
    missing = rushes("report", "-o", str(out), cwd=sample["root"], check=False)
    assert missing.returncode != 0 and "does not exist" in missing.stderr  # no folder made
    out.parent.mkdir()
    proc = rushes("report", "-o", str(out), cwd=sample["root"])
    assert proc.stdout.strip() == str(out)
    parser = _Images()
    parser.feed(out.read_text(encoding="utf-8"))
    assert parser.sources and all((out.parent / unquote(s)).is_file() for s in parser.sources)
