"""The command-line contract of DESIGN.md, driven through the real ``rushes`` command.

Outside tests rely on these names and JSON keys: every ``--json`` output is one JSON document on
stdout, errors are one line on stderr with a non-zero exit.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import mediagen
from cli.runner import rushes, rushes_json


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a three-shot clip (cuts at 1 s and 2 s), a 29.97 DF clip, a still, a tone,
    a document, a duplicate copy and an empty file; added and analysed once for the module."""
    root = tmp_path_factory.mktemp("contract")
    media = root / "media"
    media.mkdir()
    mediagen.video_shots(
        media / "three shots.mp4",
        [("testsrc2", 1.0), ("smptehdbars", 1.0), ("mandelbrot", 1.0)],
    )
    mediagen.video_testsrc(media / "df.mov", seconds=1, rate="30000/1001",
                           timecode="01:00:00;00")
    mediagen.image_png(media / "still.jpg")
    mediagen.audio_tone(media / "tone.wav", seconds=1)
    (media / "log.txt").write_text("Day one at the river.\n")
    shutil.copy(media / "df.mov", media / "df copy.mov")
    (media / "empty.mp4").write_bytes(b"")
    rushes("init", str(root), cwd=root)
    return root


@pytest.fixture(scope="module")
def added(project: Path) -> dict[str, object]:
    data: dict[str, object] = rushes_json("add", "media", "--workers", "2", cwd=project)
    return data


def test_add_reports_counts_and_errors(added: dict[str, object]) -> None:
    assert {"added", "skipped", "failed", "errors"} <= set(added)
    assert added["added"] == 6 and added["skipped"] == 0 and added["failed"] == 1
    errors = added["errors"]
    assert isinstance(errors, list)
    assert [Path(e["path"]).name for e in errors] == ["empty.mp4"]
    assert set(errors[0]) >= {"path", "error"}


def test_status_counts_assets_jobs_and_errors(project: Path, added: object) -> None:
    status = rushes_json("status", cwd=project)
    assert status["assets"] == {"audio": 1, "document": 1, "image": 1, "video": 2}
    assert set(status["jobs"]) == {"pending", "running", "done", "failed"}
    assert status["jobs"]["pending"] == 0 and status["jobs"]["running"] == 0
    assert status["jobs"]["done"] > 0
    (error,) = status["errors"]
    assert Path(error["path"]).name == "empty.mp4" and error["analyzer"] == "ingest"
    assert error["error"] == "empty file (0 bytes)"


def test_ls_lists_assets_with_exact_rates(project: Path, added: object) -> None:
    rows = rushes_json("ls", cwd=project)
    by_name = {Path(r["path"]).name: r for r in rows}
    for row in rows:
        assert {"id", "path", "kind", "duration", "fps"} <= set(row)
    df = by_name.get("df.mov") or by_name["df copy.mov"]
    assert df["kind"] == "video" and df["rate"] == "30000/1001"
    assert df["fps"] == pytest.approx(29.97, abs=0.001)
    assert df["start_timecode"] == "01:00:00;00"
    assert by_name["three shots.mp4"]["duration"] == pytest.approx(3.0, abs=0.05)
    assert by_name["still.jpg"]["kind"] == "image" and by_name["still.jpg"]["fps"] is None
    assert by_name["tone.wav"]["kind"] == "audio"
    assert by_name["log.txt"]["kind"] == "document"


def test_shots_finds_the_cuts_by_id_prefix_and_path(project: Path, added: object) -> None:
    data = rushes_json("shots", "media/three shots.mp4", cwd=project)
    assert {"asset", "fps", "shots", "transitions"} <= set(data)
    assert data["fps"] == 25
    cuts = [t["time"] for t in data["transitions"] if t["kind"] == "cut"]
    assert cuts == [1.0, 2.0]
    assert [(s["start"], s["end"]) for s in data["shots"]] == [(0, 1.0), (1.0, 2.0), (2.0, 3.0)]
    same = rushes_json("shots", data["asset"][:10], cwd=project)
    assert same["shots"] == data["shots"]


def test_show_has_metadata_and_locations(project: Path, added: object) -> None:
    data = rushes_json("show", "media/df.mov", cwd=project)
    names = sorted(Path(loc["path"]).name for loc in data["locations"])
    assert names == ["df copy.mov", "df.mov"]
    assert data["results"]["probe"]["start_timecode"] == "01:00:00;00"
    assert data["results"]["probe"]["drop_frame"] is True
    # The text view leads with what an editor looks for first, picture size included.
    text = rushes("show", "media/df.mov", cwd=project).stdout
    assert re.search(r"^\s+width: \d+$", text, re.M) and re.search(r"^\s+height: \d+$", text, re.M)
    assert "start_timecode: 01:00:00;00" in text


def test_verify_reports_all_ok(project: Path, added: object) -> None:
    data = rushes_json("verify", cwd=project)
    assert data == {**data, "checked": 6, "ok": 6, "changed": [], "missing": []}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["shots", "nosuchasset"], "no asset 'nosuchasset'"),
        (["shots", "ab"], "asset id prefix 'ab' is too short: give at least 4 characters"),
        (["shots", "media/log.txt"], "not video"),
        (["add", "--workers", "0", "media"], "--workers"),
        (["ls", "--kind", "hologram"], "--kind"),
        (["-c", "workers=lots", "status"], "setting workers"),
    ],
)
def test_errors_are_one_readable_line(
    project: Path, added: object, args: list[str], needle: str
) -> None:
    proc = rushes(*args, cwd=project, check=False)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("rushes: error:") and needle in lines[0]
    assert proc.stdout == ""


def test_outside_a_project_is_one_readable_line(tmp_path: Path) -> None:
    proc = rushes("status", "--json", cwd=tmp_path, check=False,
                  env={"RUSHES_PROJECT": ""})
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "rushes: error: no rushes project here or above; run `rushes init` or pass --project DIR"
    )


def test_json_output_is_a_single_document(project: Path, added: object) -> None:
    proc = rushes("ls", "--json", cwd=project)
    json.loads(proc.stdout)  # raises if anything else reached stdout
