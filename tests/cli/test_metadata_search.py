"""What files say of themselves is found by ``rushes search``: an archive clip's title and
description, a scanned photograph's IPTC caption and keywords, a recorder's scene, take and
note. Probing again replaces the entry (never a second one), and the originals are untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

import mediagen
from cli.runner import rushes, rushes_json


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("described")
    media = root / "media"
    media.mkdir()
    mediagen.run_ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "0.4",
        "-metadata", "title=Harbour at dawn", "-metadata", "description=Boats leave Tobermory",
        "-metadata", "comment=Archive reel 14, Mull Museum", str(media / "reel14.mp4"),
    )
    mediagen.image_jpeg_with_exif(
        media / "keeper.jpg", "-IPTC:Caption-Abstract=Ellen Marsh at the lamp, 1962",
        "-IPTC:Keywords=lighthouse", "-IPTC:Keywords=Harwick Point",
    )
    mediagen.audio_bwf(media / "T003.wav", time_reference=48000, seconds=0.5, ixml_rate="25",
                       description="sSPEED=025.000-ND\r\nBoat engine starts late")
    mediagen.audio_tone(media / "plain.wav", seconds=0.5)
    rushes("init", str(root), cwd=root)
    rushes("-c", "transcribe=false", "add", "media", "--workers", "1", cwd=root)
    return root


def _hits(project: Path, *query: str) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = rushes_json("search", *query, cwd=project)["hits"]
    return hits


def test_a_title_description_caption_keyword_and_take_are_found(project: Path) -> None:
    for query, name in (
        ("tobermory", "reel14.mp4"), ('"mull museum"', "reel14.mp4"), ("dawn", "reel14.mp4"),
        ('"ellen marsh"', "keeper.jpg"), ('"harwick point"', "keeper.jpg"),
        ("12a", "T003.wav"), ('"boat engine"', "T003.wav"),
    ):
        hits = _hits(project, query)
        assert [(Path(h["path"]).name, h["source"]) for h in hits] == [(name, "metadata")], query
        assert hits[0]["start"] == 0.0 and hits[0]["end"] is None
    text = _hits(project, "lighthouse")[0]["text"]
    assert text == "Ellen Marsh at the lamp, 1962 · lighthouse, Harwick Point"
    # A recorder's KEY=value lines are not words of the take.
    assert "SPEED" not in _hits(project, "boat")[0]["text"]


def test_source_metadata_filters_and_lists_them(project: Path) -> None:
    listed = _hits(project, "source:metadata")
    assert sorted(Path(h["path"]).name for h in listed) == ["T003.wav", "keeper.jpg", "reel14.mp4"]
    assert not _hits(project, "tobermory", "source:note")
    bad = rushes("search", "x", "source:metadatas", cwd=project, check=False)
    assert bad.returncode != 0 and "metadata" in bad.stderr


def test_probing_again_replaces_the_entry_and_leaves_the_files_alone(project: Path) -> None:
    before = {p.name: _sha(p) for p in (project / "media").iterdir()}
    entries = [h["entry"] for h in _hits(project, "source:metadata")]
    rushes("analyze", "--redo", "probe", cwd=project)
    rushes("analyze", "--redo", "probe", cwd=project)
    after = _hits(project, "source:metadata")
    assert len(after) == 3 and sorted(h["entry"] for h in after) == sorted(entries)
    assert [Path(h["path"]).name for h in _hits(project, "tobermory")] == ["reel14.mp4"]
    assert {p.name: _sha(p) for p in (project / "media").iterdir()} == before


def test_show_prints_the_file_s_words(project: Path) -> None:
    probe = rushes_json("show", "media/keeper.jpg", cwd=project)["results"]["probe"]
    assert probe["description"] == "Ellen Marsh at the lamp, 1962"
    assert probe["keywords"] == ["lighthouse", "Harwick Point"]
    printed = rushes("show", "media/reel14.mp4", cwd=project).stdout
    assert "title: Harbour at dawn" in printed
