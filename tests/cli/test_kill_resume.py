"""SIGKILL ``rushes add`` at several moments, run it again: the catalog equals an uninterrupted
run's (same assets, locations, results, no duplicates, nothing lost), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import mediagen
from cli.runner import rushes
from rushes.catalog.schema import assets, jobs, locations, problems, results


@pytest.fixture(scope="module")
def footage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("footage")
    mediagen.video_shots(folder / "cuts.mp4", [("testsrc2", 1.0), ("smptehdbars", 1.0),
                                               ("mandelbrot", 1.0)])
    mediagen.video_testsrc(folder / "tc.mov", seconds=2, rate="30000/1001",
                           timecode="01:00:00;00")
    mediagen.video_testsrc(folder / "prores.mov", seconds=1, codec="prores_ks",
                           timecode="10:00:00:00")
    mediagen.video_testsrc(folder / "b.mp4", seconds=2, source="rgbtestsrc")
    mediagen.image_png(folder / "still.png")
    mediagen.audio_tone(folder / "tone.wav", seconds=1)
    (folder / "log.txt").write_text("Day one.\n")
    (folder / "empty.mov").write_bytes(b"")
    return folder


def _snapshot(url: str) -> dict[str, Any]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        snap = {
            "assets": sorted(
                (r.id, r.kind, r.format, r.size) for r in conn.execute(sa.select(assets))
            ),
            "locations": sorted(
                (r.asset_id, r.path) for r in conn.execute(sa.select(locations))
            ),
            "results": sorted(
                (r.asset_id, r.analyzer, r.version, json.dumps(r.data, sort_keys=True))
                for r in conn.execute(sa.select(results))
            ),
            "jobs": sorted(
                (r.asset_id, r.analyzer, r.version, r.state)
                for r in conn.execute(sa.select(jobs))
            ),
            "problems": sorted((r.path, r.error) for r in conn.execute(sa.select(problems))),
        }
    engine.dispose()
    return snap


def _project(
    tmp_path: Path, name: str, request: pytest.FixtureRequest, postgres: bool
) -> tuple[Path, dict[str, str], str]:
    root = tmp_path / name
    root.mkdir()
    if not postgres:
        return root, {}, f"sqlite:///{root / '.rushes' / 'catalog.db'}"
    url: str = request.getfixturevalue("new_postgres_database")()
    return root, {"RUSHES_DATABASE_URL": url}, url


@pytest.mark.slow
def test_sigkill_during_add_then_rerun_equals_uninterrupted_run(
    tmp_path: Path, footage: Path, database_url: str, request: pytest.FixtureRequest
) -> None:
    postgres = not database_url.startswith("sqlite")
    # The reference: one uninterrupted run (on its own database).
    ref_root, ref_env, ref_url = _project(tmp_path, "reference", request, postgres)
    rushes("init", str(ref_root), cwd=tmp_path, env=ref_env)
    rushes("add", str(footage), "--workers", "2", cwd=ref_root, env=ref_env)
    reference = _snapshot(ref_url)
    assert reference["results"], "the reference run analysed nothing"

    root, env, url = _project(tmp_path, "killed", request, postgres)
    rushes("init", str(root), cwd=tmp_path, env=env)
    full_env = {**os.environ, "RUSHES_PROGRESS": "none", **env}
    for delay in (0.4, 0.9, 1.4, 2.0):
        proc = subprocess.Popen(
            [sys.executable, "-m", "rushes", "add", str(footage), "--workers", "2"],
            cwd=root, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    rushes("add", str(footage), "--workers", "2", cwd=root, env=env)
    after = _snapshot(url)
    # Paths differ only by project; compare everything else exactly.
    assert after["assets"] == reference["assets"]
    assert after["results"] == reference["results"]
    assert after["jobs"] == reference["jobs"]
    assert [a for a, _ in after["locations"]] == [a for a, _ in reference["locations"]]
    assert [e for _, e in after["problems"]] == [e for _, e in reference["problems"]]
    # Every file a result names exists in the cache; no half-written folders are left.
    cache = root / ".rushes" / "cache"
    assert not list(cache.glob("*/*/*.partial-*"))
    for asset_id, analyzer, _version, data in after["results"]:
        for value in json.loads(data).values():
            if isinstance(value, str) and value.endswith((".jpg", ".mp4", ".m4a")):
                assert (cache / asset_id[:2] / asset_id / analyzer / value).is_file()
