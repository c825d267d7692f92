"""When analysis stops before the queue is empty: workers killed (the OOM killer), the user's
Ctrl-C, the run itself killed. Work left undone is an error after the report; an interrupt
hands its jobs back at once; nothing multiprocessing made is left for its tracker to warn about.

Each test freezes the processes (SIGSTOP) before it looks at the queue and strikes, so what it
strikes is known rather than hoped for: a job is running, and work is left."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import mediagen
from cli.runner import rushes, rushes_json

ADD = ("-c", "transcribe=false", "add", "media", "--workers", "2")


@pytest.fixture(scope="module")
def footage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four videos of different content, so there are a dozen jobs to interrupt."""
    folder = tmp_path_factory.mktemp("footage")
    for i, source in enumerate(("testsrc2", "smptehdbars", "rgbtestsrc", "mandelbrot")):
        mediagen.video_testsrc(folder / f"take{i}.mp4", seconds=3, source=source)
    return folder


def _project(tmp_path: Path, footage: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "media").symlink_to(footage)
    rushes("init", str(root), cwd=root)
    return root


def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "RUSHES_PROGRESS": "none"}
    return subprocess.Popen(
        [sys.executable, "-m", "rushes", *args], cwd=root, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )


def _jobs(root: Path) -> list[tuple[str, int]]:
    """(state, attempts) of every job; [] before the catalog has its tables."""
    db = root / ".rushes" / "catalog.db"
    conn = sqlite3.connect(db, timeout=60)  # WAL: a frozen writer never blocks this read
    try:
        return [(r[0], r[1]) for r in conn.execute("SELECT state, attempts FROM jobs")]
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def _workers(run: int) -> list[int]:
    """The analysis worker processes of the run ``run`` (not its resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == run and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def _freeze_while_running(root: Path, proc: subprocess.Popen[str], group: bool) -> list[int]:
    """Stop the run's two workers (or its whole process group) at a moment when a job is
    running, as seen after they stopped; returns the workers' pids."""
    while True:
        assert proc.poll() is None, "the run ended before a job could be caught running"
        pids = _workers(proc.pid)
        if len(pids) < 2:
            time.sleep(0.05)
            continue
        if group:
            os.killpg(proc.pid, signal.SIGSTOP)
        else:
            for pid in pids:
                os.kill(pid, signal.SIGSTOP)
        if "running" in [state for state, _ in _jobs(root)]:
            return pids
        if group:
            os.killpg(proc.pid, signal.SIGCONT)
        else:
            for pid in pids:
                os.kill(pid, signal.SIGCONT)
        time.sleep(0.05)


def test_killed_workers_make_add_fail_after_its_report(tmp_path: Path, footage: Path) -> None:
    root = _project(tmp_path, footage)
    proc = _start(root, *ADD, "--json")
    for pid in _freeze_while_running(root, proc, group=False):
        os.kill(pid, signal.SIGKILL)  # as the OOM killer would
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 1, err
    report = json.loads(out)  # the add report is printed in full first
    assert report["added"] == 4 and report["failed"] == 0
    left = report["jobs"]["pending"] + report["jobs"]["running"]
    assert left > 0
    last = err.strip().splitlines()[-1]
    assert last == (
        f"rushes: error: analysis stopped with {left} jobs not run "
        "(2 workers killed by SIGKILL); run `rushes analyze`"
    )
    assert "Traceback" not in err
    # The dead workers' jobs are back in the queue, not shown as running.
    status = rushes_json("status", cwd=root)
    assert status["jobs"]["running"] == 0 and status["jobs"]["pending"] == left
    # `rushes analyze` does the rest and exits 0.
    done = rushes_json("analyze", cwd=root)
    assert done["jobs"]["pending"] == 0 and done["jobs"]["running"] == 0
    assert done["jobs"]["done"] > 0


def test_ctrl_c_hands_jobs_back_at_once(tmp_path: Path, footage: Path) -> None:
    root = _project(tmp_path, footage)
    proc = _start(root, *ADD)
    _freeze_while_running(root, proc, group=True)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C at the terminal does
    os.killpg(proc.pid, signal.SIGCONT)
    _out, err = proc.communicate(timeout=600)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == "rushes: interrupted"
    assert "Traceback" not in err
    jobs = _jobs(root)
    assert "running" not in [state for state, _ in jobs]
    # Handed back without counting an attempt: the user stopped them, not the file.
    assert all(attempts == 0 for state, attempts in jobs if state == "pending")
    status = rushes_json("status", cwd=root)
    assert status["jobs"]["running"] == 0 and status["jobs"]["pending"] > 0
    assert not list((root / ".rushes" / "cache").glob("*/*/*.partial-*"))


def test_a_killed_run_leaves_no_semaphores_for_the_tracker_to_warn_about(
    tmp_path: Path, footage: Path
) -> None:
    root = _project(tmp_path, footage)
    proc = _start(root, *ADD)
    frozen = _freeze_while_running(root, proc, group=False)
    proc.kill()
    # Its workers die with it (SIGKILL as their death signal), or, caught still starting
    # before they could ask for that, stop on their own once they run and see it gone.
    for pid in frozen:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)
    _out, err = proc.communicate(timeout=600)
    assert proc.returncode == -signal.SIGKILL
    assert "leaked semaphore" not in err and "resource_tracker" not in err
