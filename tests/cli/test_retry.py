"""``rushes retry``: failed files are tried again once fixed, failed jobs are re-queued."""

from __future__ import annotations

from pathlib import Path

import mediagen
from cli.runner import rushes, rushes_json


def test_retry_readds_a_file_that_was_fixed(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    broken = media / "A003.mp4"
    broken.write_bytes(b"")  # still copying from the card when first added
    rushes("init", str(tmp_path), cwd=tmp_path)
    first = rushes_json("add", "media", "--workers", "1", cwd=tmp_path)
    assert first["failed"] == 1
    mediagen.video_testsrc(broken, seconds=1)  # the copy finished
    retried = rushes_json("retry", "--workers", "1", cwd=tmp_path)
    assert retried["readded"]["added"] == 1 and retried["readded"]["failed"] == 0
    assert retried["jobs"]["failed"] == 0 and retried["jobs"]["done"] >= 3
    status = rushes_json("status", cwd=tmp_path)
    assert status["errors"] == [] and status["assets"] == {"video": 1}


def test_retry_requeues_failed_jobs(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    clip = mediagen.video_testsrc(media / "clip.mp4", seconds=1)
    rushes("init", str(tmp_path), cwd=tmp_path)
    rushes("add", "media", "--no-analyze", cwd=tmp_path)
    hidden = clip.rename(tmp_path / "elsewhere.mp4")  # every copy missing: analysis must fail
    failed = rushes_json("analyze", "--workers", "1", cwd=tmp_path)
    assert failed["jobs"]["failed"] >= 1 and failed["jobs"]["done"] == 0
    status = rushes_json("status", cwd=tmp_path)
    assert {e["error"] for e in status["errors"]} == {
        "no readable copy: every location of this asset is missing"
    }
    hidden.rename(clip)
    retried = rushes_json("retry", "--workers", "1", cwd=tmp_path)
    assert retried["requeued"] == failed["jobs"]["failed"]
    assert retried["jobs"]["failed"] == 0 and retried["jobs"]["pending"] == 0
