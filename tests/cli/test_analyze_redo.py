"""``rushes analyze --redo ANALYZER [ASSET...]`` runs an analyzer again where its result is
current (a fix that changed no version, a file to check again), keeps every other result, and
runs again what judges that result (the integrity check reads where the shots pass stopped)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import mediagen
from cli.runner import rushes, rushes_json


@pytest.fixture
def project(tmp_path: Path) -> Path:
    media = tmp_path / "media"
    media.mkdir()
    mediagen.video_shots(media / "clip.mp4", [("testsrc2", 1.0), ("mandelbrot", 1.0)])
    mediagen.audio_tone(media / "tone.wav", seconds=1)
    rushes("init", str(tmp_path), cwd=tmp_path)
    rushes("-c", "transcribe=false", "add", "media", "--workers", "1", cwd=tmp_path)
    return tmp_path


def _db(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(root / ".rushes" / "catalog.db")


def _made(root: Path) -> dict[tuple[str, str], int]:
    """When each result was stored (ms), by (file name, analyzer)."""
    with _db(root) as db:
        rows = db.execute(
            "SELECT l.path, r.analyzer, r.created_ms FROM results r "
            "JOIN locations l ON l.asset_id = r.asset_id"
        ).fetchall()
    return {(Path(path).name, name): made for path, name, made in rows}


def test_redo_runs_the_analyzer_again_and_what_judges_it(project: Path) -> None:
    before = _made(project)
    assert ("clip.mp4", "shots") in before and ("clip.mp4", "integrity") in before
    out = rushes_json("-c", "transcribe=false", "analyze", "--redo", "shots", "--json",
                      cwd=project)
    assert out["requeued"] == 1  # the one video; shots has nothing to do on a tone
    assert out["jobs"]["pending"] == 0 and out["jobs"]["failed"] == 0
    after = _made(project)
    again = {key for key in after if after[key] != before.get(key)}
    assert again == {("clip.mp4", "shots"), ("clip.mp4", "integrity")}
    assert set(after) == set(before)  # nothing lost, nothing doubled


def test_redo_on_named_assets_only(project: Path) -> None:
    before = _made(project)
    res = rushes("-c", "transcribe=false", "analyze", "--redo", "probe", "--redo", "shots",
                 "media/tone.wav", cwd=project)
    assert "re-queued 1 job" in res.stdout
    # Named, but shots has nothing to do on sound: said, not silently skipped.
    assert "tone.wav: shots does not apply" in res.stderr
    after = _made(project)
    assert {key for key in after if after[key] != before[key]} == {("tone.wav", "probe")}


def test_redo_of_a_check_and_what_it_checks_runs_the_check_once_after(project: Path) -> None:
    """Named together, integrity waits for the new shots rather than judging the old ones
    beside them (and running twice)."""
    out = rushes_json("-c", "transcribe=false", "analyze", "--redo", "integrity", "--redo",
                      "shots", "--json", "media/clip.mp4", cwd=project)
    assert out["requeued"] == 2
    made = _made(project)
    assert made["clip.mp4", "integrity"] >= made["clip.mp4", "shots"]


def test_an_offline_file_is_not_failed_by_a_redo(project: Path, tmp_path: Path) -> None:
    """A card unmounted: its results are all there is, and a redo would only turn its good
    jobs into failures."""
    (project / "media" / "clip.mp4").rename(tmp_path / "away.mp4")
    res = rushes("-c", "transcribe=false", "analyze", "--redo", "shots", cwd=project)
    assert "1 asset with no readable copy here (offline?) not analysed again" in res.stderr
    assert "re-queued 0 jobs" in res.stdout
    assert rushes_json("status", cwd=project)["errors"] == []
    named = rushes("-c", "transcribe=false", "analyze", "--redo", "shots", "media/clip.mp4",
                   cwd=project)
    assert "clip.mp4: no readable copy here (offline?); not analysed again" in named.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--redo", "nope"], "no analyzer 'nope'"),
    (["media/clip.mp4"], "name an analyzer to run again with --redo"),
])
def test_wrong_redo_is_one_clear_line(project: Path, args: list[str], message: str) -> None:
    res = rushes("analyze", *args, cwd=project, check=False)
    assert res.returncode == 2
    assert message in res.stderr
    assert "Traceback" not in res.stderr


def test_a_file_analysed_before_damage_was_skipped_is_read_past_it(tmp_path: Path) -> None:
    """The case the option was made for: a video whose shots pass (before decoding skipped a
    damaged stretch) stopped at the damage, so its shots end there and the integrity check
    says decoding fails. Done again, the pass reads past the damage and the check names the
    stretch; every other result is kept."""
    media = tmp_path / "media"
    media.mkdir()
    clip = mediagen.video_shots(tmp_path / "whole.mp4", [("testsrc2", 2.0), ("mandelbrot", 2.0)])
    data = bytearray(clip.read_bytes())
    start = int(len(data) * 0.25)
    data[start:start + 20_000] = bytes(20_000)  # a bad sector's zeros
    (media / "damaged.mp4").write_bytes(bytes(data))
    rushes("init", str(tmp_path), cwd=tmp_path)
    rushes("-c", "transcribe=false", "add", "media", "--workers", "1", cwd=tmp_path)
    # As an older rushes left it: shots stopped at 0.4 s, no stretch listed, integrity failed.
    with _db(tmp_path) as db:
        (shots_json,) = db.execute(
            "SELECT data FROM results WHERE analyzer = 'shots'").fetchone()
        old = json.loads(shots_json)
        old.pop("undecodable")
        old.update(decoded_end="2/5", shots=old["shots"][:1], transitions=[])
        old["shots"][0]["end_frame"] = 10
        db.execute("UPDATE results SET data = ? WHERE analyzer = 'shots'", (json.dumps(old),))
        db.execute("DELETE FROM results WHERE analyzer = 'integrity'")
        db.execute("UPDATE jobs SET state = 'failed', error = 'old message' "
                   "WHERE analyzer = 'integrity'")
    before = _made(tmp_path)
    rushes("-c", "transcribe=false", "analyze", "--redo", "shots", cwd=tmp_path)
    status = rushes_json("status", cwd=tmp_path)
    [error] = status["errors"]
    assert error["analyzer"] == "integrity"
    assert "(damaged: skipped there, the rest decodes)" in error["error"]
    shots = rushes_json("shots", "media/damaged.mp4", "--json", cwd=tmp_path)
    assert len(shots["shots"]) == 2  # the cut past the damage is found again
    after = _made(tmp_path)
    assert {key for key in after if after.get(key) != before.get(key)} == {
        ("damaged.mp4", "shots")}


def test_a_stale_result_is_made_again_for_those_files_alone(tmp_path: Path) -> None:
    """A proxy made before every microphone was mixed in: `rushes analyze` makes the poly
    WAV's again, and leaves the stereo file's (a version bump would redo every proxy)."""
    media = tmp_path / "media"
    media.mkdir()
    mediagen.audio_poly(media / "poly.wav", seconds=1, sounding=3)
    mediagen.audio_tone(media / "tone.wav", seconds=1)
    rushes("init", str(tmp_path), cwd=tmp_path)
    rushes("-c", "transcribe=false", "add", "media", "--workers", "1", cwd=tmp_path)
    with _db(tmp_path) as db:
        for rid, data in db.execute(
                "SELECT rowid, data FROM results WHERE analyzer = 'proxy'").fetchall():
            old = json.loads(data)
            old.pop("mixdown", None)
            db.execute("UPDATE results SET data = ? WHERE rowid = ?", (json.dumps(old), rid))
    before = _made(tmp_path)
    rushes("-c", "transcribe=false", "analyze", cwd=tmp_path)
    after = _made(tmp_path)
    assert {key for key in after if after[key] != before[key]} == {("poly.wav", "proxy")}
    with _db(tmp_path) as db:
        mixed = dict(db.execute(
            "SELECT l.path, json_extract(r.data, '$.mixdown') FROM results r JOIN locations l "
            "ON l.asset_id = r.asset_id WHERE r.analyzer = 'proxy'").fetchall())
    assert {Path(p).name: m for p, m in mixed.items()} == {
        "poly.wav": "every channel", "tone.wav": None}
