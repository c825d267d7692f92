"""The worker loop: claim, run, repeat, until the queue is empty and nothing else can add to it.

Plain and synchronous; whoever calls it decides the concurrency (inline, a process pool, a
cluster node). A heartbeat thread keeps the leases of long jobs alive.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager

from rushes.analyzers import FrameAnalyzer, analyzers
from rushes.catalog import Catalog
from rushes.catalog.jobs import claim, counts, heartbeat, release, running_owners
from rushes.jobs.owner import HOST, Owner, is_alive
from rushes.jobs.runner import run_batch
from rushes.project import Project

log = logging.getLogger("rushes.jobs")


def frame_companions(name: str) -> Collection[str]:
    """Analyzers that share a decode pass with ``name`` (all frame analyzers share one)."""
    registry = analyzers()
    if not isinstance(registry.get(name), FrameAnalyzer):
        return ()
    return [n for n, a in registry.items() if isinstance(a, FrameAnalyzer) and n != name]


def recover_orphans(catalog: Catalog) -> int:
    """Return to the queue the jobs held by dead workers of this host (no need to wait for their
    leases). An attempt counts only if the run that started the worker is still alive."""
    return _release_dead(catalog)


def release_stopped(catalog: Catalog, run: str) -> int:
    """Return to the queue, without counting an attempt, the jobs still held by workers of
    ``run`` that are gone: the run itself stopped them (Ctrl-C), so no file is to blame, and
    ``rushes status`` should say so at once rather than after the next run's recovery. A worker
    normally hands its jobs back as it stops; this catches one that could not (killed while
    claiming, or after its grace period)."""
    return _release_dead(catalog, run)


def _release_dead(catalog: Catalog, run: str | None = None) -> int:
    """Release the jobs of this host's dead workers: of one ``run`` that stopped them itself
    (no attempt counted), or of any run (an attempt counted while that run is alive, as the
    worker died under it)."""
    released = 0
    with catalog.write() as conn:
        for text, ids in running_owners(conn).items():
            owner = Owner.parse(text)
            if owner is None or owner.host != HOST or (run is not None and owner.run != run):
                continue
            if is_alive(owner.worker):
                continue
            release(conn, ids, text, count_attempt=run is None and is_alive(owner.run))
            released += len(ids)
    return released


@contextmanager
def _heartbeat(catalog: Catalog, ids: list[int], owner: str, lease_ms: int) -> Iterator[None]:
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(lease_ms / 3000):
            try:
                with catalog.write() as conn:
                    heartbeat(conn, ids, owner, lease_ms)
            except Exception:  # a missed beat is retried; the lease has slack
                log.warning("heartbeat failed", exc_info=True)

    thread = threading.Thread(target=beat, name="rushes-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def work(
    project: Project,
    catalog: Catalog,
    owner: Owner,
    *,
    producer_done: Callable[[], bool] = lambda: True,
    only_assets: Collection[str] | None = None,
) -> int:
    """Run jobs until none is claimable, none is running elsewhere, and the producer (an ingest
    feeding the queue) is done. Returns the number of jobs this worker ran."""
    settings = project.settings
    lease_ms = settings.lease_seconds * 1000
    ran = 0
    recover_orphans(catalog)
    while True:
        with catalog.write() as conn:
            batch = claim(
                conn, str(owner), lease_ms, settings.max_attempts, frame_companions, only_assets
            )
        if not batch:
            with catalog.read() as conn:
                busy = counts(conn)["running"]
            if producer_done() and busy == 0:
                return ran
            if busy and recover_orphans(catalog):
                continue
            time.sleep(0.2)
            continue
        ids = [job.id for job in batch]
        try:
            with _heartbeat(catalog, ids, str(owner), lease_ms):
                run_batch(project, catalog, str(owner), batch)
        except BaseException:
            # Interrupted (Ctrl-C, termination): hand unfinished jobs back without a penalty.
            with catalog.write() as conn:
                release(conn, ids, str(owner), count_attempt=False)
            raise
        ran += len(batch)
