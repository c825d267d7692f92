"""The job queue on SQLite and PostgreSQL: planning, dependencies, leases, failures, versions."""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from fixtures.counting_analyzer import ByteCount
from fixtures.dependent_analyzer import Doubler
from rushes.catalog import Catalog
from rushes.catalog.jobs import claim, counts, failed_jobs
from rushes.catalog.results import result_of
from rushes.catalog.schema import jobs
from rushes.ingest import add_paths
from rushes.jobs.executors import InlineExecutor
from rushes.jobs.owner import HOST, Owner, is_alive, process_token
from rushes.jobs.worker import recover_orphans
from rushes.project import Project


@pytest.fixture
def fake_analyzers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "rushes.analyzers.DEFAULT_ANALYZERS",
        ("fixtures.counting_analyzer", "fixtures.dependent_analyzer",
         "fixtures.failing_analyzer"),
    )
    ByteCount.runs.clear()
    Doubler.runs.clear()


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a.txt").write_text("alpha\n")
    (folder / "b.txt").write_text("bravo bravo\n")
    (folder / "boom.txt").write_text("charlie\n")
    return folder


def _analyze(project: Project, catalog: Catalog) -> None:
    InlineExecutor().run(project, catalog)


@pytest.mark.usefixtures("fake_analyzers")
def test_dependencies_run_in_order_and_results_are_stored(
    project: Project, catalog: Catalog, files: Path
) -> None:
    report = add_paths(project, catalog, [files / "a.txt"])
    asset_id = report.asset_ids[0]
    with catalog.read() as conn:
        # Only analyzers without unmet requirements are queued at first.
        queued = {r.analyzer for r in conn.execute(sa.select(jobs.c.analyzer))}
    assert queued == {"bytecount", "picky"}
    _analyze(project, catalog)
    with catalog.read() as conn:
        assert result_of(conn, asset_id, "bytecount") == {"bytes": 6, "file": "count.txt"}
        assert result_of(conn, asset_id, "doubler") == {"double": 12}
        # picky refuses documents: recorded as failed, the others done.
        assert counts(conn) == {"pending": 0, "running": 0, "done": 2, "failed": 1}
    # Files an analyzer wrote are in the asset's cache, under the analyzer's name.
    assert (project.asset_cache(asset_id) / "bytecount" / "count.txt").read_text() == "6"
    assert not list(project.asset_cache(asset_id).glob("*.partial-*"))


@pytest.mark.usefixtures("fake_analyzers")
def test_failures_are_recorded_readably_and_the_run_goes_on(
    project: Project, catalog: Catalog, files: Path, caplog: pytest.LogCaptureFixture
) -> None:
    add_paths(project, catalog, [files])
    with caplog.at_level(logging.DEBUG, logger="rushes.jobs"):
        _analyze(project, catalog)
    # An internal error is one line for the user; its traceback only at debug level.
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "\n" not in errors[0] and "simulated bug" in errors[0]
    assert any("Traceback" in r.getMessage() for r in caplog.records
               if r.levelno == logging.DEBUG)
    with catalog.read() as conn:
        failures = {(Path(f.path or "").name, f.error) for f in failed_jobs(conn)}
        state = counts(conn)
    assert ("a.txt", "documents are not to my taste") in failures
    assert ("boom.txt", "internal error in picky: ZeroDivisionError: simulated bug") in failures
    # Every other analyzer still ran on every file.
    assert len(ByteCount.runs) == 3 and len(Doubler.runs) == 3
    assert state["failed"] == 3 and state["done"] == 6 and state["pending"] == 0


@pytest.mark.usefixtures("fake_analyzers")
def test_version_bump_reruns_only_that_analyzer(
    project: Project, catalog: Catalog, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_paths(project, catalog, [files / "a.txt", files / "b.txt"])
    _analyze(project, catalog)
    assert len(ByteCount.runs) == 2 and len(Doubler.runs) == 2
    monkeypatch.setattr(Doubler, "version", 2)
    ByteCount.runs.clear()
    Doubler.runs.clear()
    # Re-adding unchanged files re-plans them: only the bumped analyzer has work.
    report = add_paths(project, catalog, [files / "a.txt", files / "b.txt"])
    assert report.skipped == 2 and report.added == 0
    _analyze(project, catalog)
    assert ByteCount.runs == [] and len(Doubler.runs) == 2
    with catalog.read() as conn:
        versions = dict(
            conn.execute(sa.select(jobs.c.analyzer, jobs.c.version)
                         .where(jobs.c.analyzer == "doubler")).all()
        )
    assert versions == {"doubler": 2}  # superseded jobs do not linger


@pytest.mark.usefixtures("fake_analyzers")
def test_expired_lease_is_claimed_again_and_attempts_are_bounded(
    project: Project, catalog: Catalog, files: Path
) -> None:
    add_paths(project, catalog, [files / "b.txt"])
    with catalog.write() as conn:
        first = claim(conn, "elsewhere|1.1|2.2", lease_ms=-1, max_attempts=2)
    assert first and first[0].attempts == 1
    # The lease has already expired: another worker may take the job over.
    with catalog.write() as conn:
        again = claim(conn, "other|3.3|4.4", lease_ms=-1, max_attempts=2)
    assert [j.id for j in again] == [first[0].id] and again[0].attempts == 2
    # A job whose worker kept dying is failed instead of retried forever.
    with catalog.write() as conn:
        rest = claim(conn, "third|5.5|6.6", lease_ms=60_000, max_attempts=2)
        failed = failed_jobs(conn)
    assert first[0].id not in [j.id for j in rest]
    assert any("stopped 2 times" in f.error for f in failed)


@pytest.mark.usefixtures("fake_analyzers")
def test_jobs_of_a_killed_run_return_without_waiting_for_the_lease(
    project: Project, catalog: Catalog, files: Path
) -> None:
    add_paths(project, catalog, [files / "a.txt"])
    dead = "999999.1"  # no such process
    owner = str(Owner(HOST, dead, dead))
    with catalog.write() as conn:
        held = claim(conn, owner, lease_ms=3_600_000, max_attempts=3)
    assert held
    assert recover_orphans(catalog) == len(held)
    with catalog.read() as conn:
        row = conn.execute(sa.select(jobs).where(jobs.c.id == held[0].id)).one()
    # The whole run was killed (not a crash under a live run): the attempt is not held against it.
    assert row.state == "pending" and row.attempts == 0
    live_run = process_token()
    with catalog.write() as conn:
        held = claim(conn, str(Owner(HOST, live_run, dead)), lease_ms=3_600_000, max_attempts=3)
    recover_orphans(catalog)
    with catalog.read() as conn:
        row = conn.execute(sa.select(jobs).where(jobs.c.id == held[0].id)).one()
    assert row.state == "pending" and row.attempts == 1


@pytest.mark.usefixtures("fake_analyzers")
def test_a_job_whose_worker_keeps_dying_is_failed_after_max_attempts(
    project: Project, catalog: Catalog, files: Path
) -> None:
    # A file that gets its worker killed (the OOM killer) under a live run: the dead worker is
    # noticed at once and its job handed back as pending, counting the attempt; after
    # max_attempts it is failed instead of taking down every worker in turn.
    add_paths(project, catalog, [files / "a.txt"])
    live_run, dead = process_token(), "999999.1"
    with catalog.write() as conn:
        first = claim(conn, str(Owner(HOST, live_run, dead)), lease_ms=3_600_000,
                      max_attempts=2)[0]
    for _ in range(2):
        recover_orphans(catalog)
        with catalog.write() as conn:
            held = claim(conn, str(Owner(HOST, live_run, dead)), lease_ms=3_600_000,
                         max_attempts=2)
        if first.id not in [j.id for j in held]:
            break
    with catalog.read() as conn:
        row = conn.execute(sa.select(jobs).where(jobs.c.id == first.id)).one()
    assert row.state == "failed" and row.attempts == 2
    assert "its worker stopped 2 times" in row.error


@pytest.fixture
def zombie() -> Iterator[int]:
    """A child that has exited but is not reaped: what a SIGKILLed worker becomes when its new
    parent (a container's PID 1) never calls wait()."""
    proc = subprocess.Popen(["true"])
    stat = Path(f"/proc/{proc.pid}/stat")
    deadline = time.monotonic() + 10
    while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline, "the child never exited"
        time.sleep(0.01)
    yield proc.pid
    proc.wait()


@pytest.mark.usefixtures("fake_analyzers")
def test_a_zombie_worker_counts_as_dead_its_jobs_and_folders_are_taken_back(
    project: Project, catalog: Catalog, files: Path, zombie: int
) -> None:
    dead_worker = process_token(zombie)
    assert not is_alive(dead_worker)
    assert is_alive(process_token())
    report = add_paths(project, catalog, [files / "a.txt"])
    asset_id = report.asset_ids[0]
    owner = str(Owner(HOST, "999999.1", dead_worker))
    with catalog.write() as conn:
        held = claim(conn, owner, lease_ms=3_600_000, max_attempts=3)
    assert recover_orphans(catalog) == len(held)
    # The half-written folder the zombie left is cleared when its job runs again.
    stale = project.asset_cache(asset_id) / f"bytecount.partial-{dead_worker}"
    stale.mkdir(parents=True)
    (stale / "count.txt").write_text("half")
    _analyze(project, catalog)
    with catalog.read() as conn:
        assert result_of(conn, asset_id, "bytecount") == {"bytes": 6, "file": "count.txt"}
    assert not list(project.asset_cache(asset_id).glob("*.partial-*"))


@pytest.mark.usefixtures("fake_analyzers")
def test_a_folder_whose_writer_dies_during_the_job_is_cleared_after_it(
    project: Project, catalog: Catalog, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker of a killed run may still be dying when the next run starts the same job: its
    folder is left alone then (its writer looks alive) and must be cleared once the job is
    done, or it stays in the cache for good."""
    from rushes.jobs import runner

    report = add_paths(project, catalog, [files / "a.txt"])
    asset_id = report.asset_ids[0]
    dying = "424242.7"
    stale = project.asset_cache(asset_id) / f"bytecount.partial-{dying}"
    stale.mkdir(parents=True)
    seen: list[str] = []

    def alive(token: str) -> bool:  # alive when first asked, dead afterwards
        seen.append(token)
        return token != dying or seen.count(dying) == 1

    monkeypatch.setattr(runner, "is_alive", alive)
    _analyze(project, catalog)
    with catalog.read() as conn:
        assert result_of(conn, asset_id, "bytecount") == {"bytes": 6, "file": "count.txt"}
    assert seen.count(dying) >= 2
    assert not list(project.asset_cache(asset_id).glob("*.partial-*"))


@pytest.mark.usefixtures("fake_analyzers")
def test_a_batch_that_stops_midway_leaves_no_folders(
    project: Project, catalog: Catalog, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error or an interrupt while a batch runs hands its jobs back; the private folders
    already made for them go too (the next run of those jobs may be another worker's)."""
    from rushes.jobs import runner

    report = add_paths(project, catalog, [files / "a.txt"])

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "_run_one", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _analyze(project, catalog)
    assert not list(project.asset_cache(report.asset_ids[0]).glob("*.partial-*"))
    with catalog.read() as conn:
        assert counts(conn)["running"] == 0


def test_a_worker_whose_run_died_before_it_could_ask_to_die_with_it_does_nothing(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker asks Linux to kill it with its run, but a run killed while the worker was still
    starting leaves it an orphan, adopted by init or by whatever reaps orphans there (in a
    container, often not pid 1). It must then stop, not claim jobs under the dead run's name
    while the next run takes them back (two workers on one job)."""
    import os

    from rushes.jobs import executors

    calls: list[str] = []

    class Catalog:
        def close(self) -> None:
            calls.append("close")

    monkeypatch.setattr(executors, "_die_with_parent", lambda: None)
    monkeypatch.setattr(executors, "_stop_on_signal", lambda: None)  # pytest's own handlers
    monkeypatch.setattr(executors, "open_catalog", lambda url: Catalog())
    monkeypatch.setattr(executors, "work", lambda *args, **kwargs: calls.append("work"))
    # This process's own pid is not its parent: as if the run that started it had died.
    executors._worker_main(project, process_token(os.getpid()), None, None)
    assert calls == []
    executors._worker_main(project, process_token(os.getppid()), None, None)
    assert calls == ["work", "close"]
