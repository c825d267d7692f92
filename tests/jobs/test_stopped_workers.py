"""The job layer when workers stop before the queue is empty: an interrupted run hands its own
workers' jobs back without a penalty, and an executor says why its workers stopped."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from fixtures.counting_analyzer import ByteCount
from rushes.catalog import Catalog
from rushes.catalog.jobs import claim, counts
from rushes.catalog.schema import jobs
from rushes.ingest import add_paths
from rushes.jobs import executors
from rushes.jobs.executors import InlineExecutor
from rushes.jobs.owner import HOST, Owner, process_token
from rushes.jobs.worker import release_stopped
from rushes.project import Project


@pytest.fixture(autouse=True)
def counting_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rushes.analyzers.DEFAULT_ANALYZERS", ("fixtures.counting_analyzer",))
    ByteCount.runs.clear()


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a.txt").write_text("alpha\n")
    (folder / "b.txt").write_text("bravo bravo\n")
    return folder


def _row(catalog: Catalog, job_id: int) -> sa.Row[tuple[object, ...]]:
    with catalog.read() as conn:
        return conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).one()


def test_an_interrupted_run_takes_back_only_its_own_dead_workers_jobs(
    project: Project, catalog: Catalog, files: Path
) -> None:
    add_paths(project, catalog, [files])
    run = process_token()  # this live process stands for the interrupted run
    dead = "999999.1"  # no such process: a worker that has stopped
    with catalog.write() as conn:
        ours = claim(conn, str(Owner(HOST, run, dead)), lease_ms=3_600_000, max_attempts=3)
        other = claim(conn, str(Owner(HOST, "999998.1", dead)), lease_ms=3_600_000,
                      max_attempts=3)
    assert ours and other
    assert release_stopped(catalog, run) == len(ours)
    mine = _row(catalog, ours[0].id)
    # Stopped by the user, not by the file: back to pending with no attempt counted, at once.
    assert (mine.state, mine.attempts, mine.lease_owner) == ("pending", 0, None)
    # Another run's job is that run's recovery to make, not ours.
    assert _row(catalog, other[0].id).state == "running"
    # A live worker of our own run keeps its job.
    with catalog.write() as conn:
        live = claim(conn, str(Owner(HOST, run, run)), lease_ms=3_600_000, max_attempts=3)
    assert release_stopped(catalog, run) == 0
    assert _row(catalog, live[0].id).state == "running"


def test_the_inline_executor_reports_a_worker_that_stopped(
    project: Project, catalog: Catalog, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_paths(project, catalog, [files])

    def full_disk(*_args: object, **_kwargs: object) -> int:
        raise sa.exc.OperationalError(
            "UPDATE jobs", {}, sqlite3.OperationalError("database or disk is full")
        )

    monkeypatch.setattr(executors, "work", full_disk)
    stopped = InlineExecutor().run(project, catalog)
    assert stopped == ["stopped: the catalog failed: database or disk is full"]
    with catalog.read() as conn:
        assert counts(conn)["pending"] == 2
    monkeypatch.undo()
    monkeypatch.setattr("rushes.analyzers.DEFAULT_ANALYZERS", ("fixtures.counting_analyzer",))
    assert InlineExecutor().run(project, catalog) == []


@pytest.mark.parametrize(("code", "words"), [
    (-9, "killed by SIGKILL"), (-15, "killed by SIGTERM"), (1, "exited with status 1"),
])
def test_a_worker_exit_is_told_in_words(code: int, words: str) -> None:
    assert executors._exit_reason(code) == words
