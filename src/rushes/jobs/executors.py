"""Executors run workers: inline in this process (tests, debugging, ``--workers 1``) or in a
local pool of processes (the default). Both meet the same small interface, which a cluster
executor can implement by starting :func:`rushes.jobs.worker.work` on other machines."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Collection
from typing import Any, Protocol

from rushes.catalog import Catalog, open_catalog
from rushes.catalog.jobs import counts
from rushes.jobs.owner import Owner, process_token
from rushes.jobs.worker import work
from rushes.project import Project

Progress = Callable[[dict[str, int]], None]


class Executor(Protocol):
    def run(
        self,
        project: Project,
        catalog: Catalog,
        *,
        only_assets: Collection[str] | None = None,
        progress: Progress | None = None,
        while_producing: Callable[[], object] | None = None,
    ) -> None:
        """Run jobs until none is left. ``while_producing`` (an ingest filling the queue) is
        called in this process; workers may start on its jobs before it returns."""


class InlineExecutor:
    """Runs the worker loop in the calling process, after any producer has finished."""

    def run(
        self,
        project: Project,
        catalog: Catalog,
        *,
        only_assets: Collection[str] | None = None,
        progress: Progress | None = None,
        while_producing: Callable[[], object] | None = None,
    ) -> None:
        if while_producing is not None:
            while_producing()
        owner = Owner.here(process_token())
        work(project, catalog, owner, only_assets=only_assets)
        if progress:
            with catalog.read() as conn:
                progress(counts(conn))


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the run that spawned it dies (even by SIGKILL), so a
    killed ``rushes add`` leaves no orphan holding leases."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: leases still expire and orphans are recovered by pid checks


def _worker_main(
    project: Project, run_token: str, only_assets: list[str] | None, producing: Any,
    log_level: int = logging.WARNING,
) -> None:
    _die_with_parent()
    # The parent died before we could ask: we were handed to init, or to whichever process
    # adopts orphans here (a container's or a session's reaper), so compare with the run's pid
    # rather than with 1. An orphan would go on claiming jobs under the dead run's name while
    # the next run took them back: two workers on one job, and half-written folders left.
    if os.getppid() != int(run_token.split(".", 1)[0]):
        return
    # A spawned process starts with logging unconfigured: log as the command does (--debug).
    logging.basicConfig(level=log_level, format="rushes: %(levelname)s: %(message)s")
    catalog = open_catalog(project.database_url)
    try:
        work(
            project, catalog, Owner.here(run_token), only_assets=only_assets,
            producer_done=lambda: not producing.is_set(),
        )
    except KeyboardInterrupt:
        pass
    finally:
        catalog.close()


class LocalPoolExecutor:
    """N worker processes on this machine, each running the same claim loop against the catalog.

    Processes are spawned, not forked, so no database connection or decoder state is shared.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)

    def run(
        self,
        project: Project,
        catalog: Catalog,
        *,
        only_assets: Collection[str] | None = None,
        progress: Progress | None = None,
        while_producing: Callable[[], object] | None = None,
    ) -> None:
        ctx = multiprocessing.get_context("spawn")
        run_token = process_token(os.getpid())
        assets = list(only_assets) if only_assets is not None else None
        producing = ctx.Event()
        if while_producing is not None:
            producing.set()
        procs = [
            ctx.Process(
                target=_worker_main, daemon=True,
                args=(project, run_token, assets, producing, logging.getLogger().level),
            )
            for _ in range(self.workers)
        ]
        for proc in procs:
            proc.start()
        try:
            if while_producing is not None:
                try:
                    while_producing()
                finally:
                    producing.clear()
            while any(p.is_alive() for p in procs):
                if progress:
                    with catalog.read() as conn:
                        progress(counts(conn))
                for p in procs:
                    p.join(timeout=0.5 / len(procs))
        except BaseException:
            for p in procs:
                p.terminate()
            for p in procs:
                p.join(timeout=5)
            raise
        if progress:
            with catalog.read() as conn:
                progress(counts(conn))


def make_executor(workers: int) -> Executor:
    return InlineExecutor() if workers <= 1 else LocalPoolExecutor(workers)

