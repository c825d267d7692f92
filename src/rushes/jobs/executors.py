"""Executors run workers: inline in this process (tests, debugging, ``--workers 1``) or in a
local pool of processes (the default). Both meet the same small interface, which a cluster
executor can implement by starting :func:`rushes.jobs.worker.work` on other machines.

An executor returns why workers stopped before the queue was empty (killed by the kernel's OOM
killer, a full disk): the command then tells the user that work is left rather than exiting 0.
An interrupt (Ctrl-C) stops every worker, which hands its jobs back and removes its half-written
folders, so ``rushes status`` is right at once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Protocol

from rushes.catalog import Catalog, open_catalog
from rushes.catalog.db import database_failure
from rushes.catalog.jobs import counts
from rushes.jobs.owner import Owner, process_token
from rushes.jobs.worker import recover_orphans, release_stopped, work
from rushes.project import Project

log = logging.getLogger("rushes.jobs")

Progress = Callable[[dict[str, int]], None]

#: Seconds an interrupted worker has to hand its jobs back before it is killed.
STOP_GRACE_SECONDS = 10.0


class Executor(Protocol):
    def run(
        self,
        project: Project,
        catalog: Catalog,
        *,
        only_assets: Collection[str] | None = None,
        progress: Progress | None = None,
        while_producing: Callable[[], object] | None = None,
    ) -> list[str]:
        """Run jobs until none is left. ``while_producing`` (an ingest filling the queue) is
        called in this process; workers may start on its jobs before it returns. Returns, for
        each worker that stopped before the queue was empty, how it ended (``killed by
        SIGKILL``, ``stopped: the catalog failed: database or disk is full``); none when all
        went well. The jobs such a worker left may still be pending."""


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
    ) -> list[str]:
        if while_producing is not None:
            while_producing()
        owner = Owner.here(process_token())
        try:
            work(project, catalog, owner, only_assets=only_assets)
        except Exception as exc:
            # As a pool worker would: the run reports the work left, after the add report.
            return [f"stopped: {_stopped_by(exc)}"]
        if progress:
            with catalog.read() as conn:
                progress(counts(conn))
        return []


def _stopped_by(exc: Exception) -> str:
    """One line saying why a worker stopped; the traceback is for --debug."""
    log.debug("worker stopped", exc_info=exc)
    reason = database_failure(exc)
    return f"the catalog failed: {reason}" if reason else f"{type(exc).__name__}: {exc}"


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the run that spawned it dies (even by SIGKILL), so a
    killed ``rushes add`` leaves no orphan holding leases."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: leases still expire and orphans are recovered by pid checks


def _stop_on_signal() -> None:
    """Make SIGINT and SIGTERM stop this worker the same way: the first raises
    KeyboardInterrupt, so the worker hands its jobs back and removes its half-written folders
    (:func:`rushes.jobs.worker.work`); later ones are ignored so that this clean-up is not itself
    cut short (Ctrl-C reaches the whole process group, then the run asks each worker to stop)."""

    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        # Not SIG_IGN once stopping: a signal that arrived meanwhile would then be raised as
        # "OSError: Signal 15 ignored due to race condition" in the middle of the clean-up.
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)


def _worker_main(
    project: Project, run_token: str, only_assets: list[str] | None,
    producing: Connection | None, log_level: int = logging.WARNING,
) -> None:
    _die_with_parent()
    # The parent died before we could ask: we were handed to init, or to whichever process
    # adopts orphans here (a container's or a session's reaper), so compare with the run's pid
    # rather than with 1. An orphan would go on claiming jobs under the dead run's name while
    # the next run took them back: two workers on one job, and half-written folders left.
    if os.getppid() != int(run_token.split(".", 1)[0]):
        return
    _stop_on_signal()
    # A spawned process starts with logging unconfigured: log as the command does (--debug).
    logging.basicConfig(level=log_level, format="rushes: %(levelname)s: %(message)s")
    # The producer is done when the run closes its end of the pipe (or dies).
    producer_done = (lambda: True) if producing is None else producing.poll
    try:
        catalog = open_catalog(project.database_url)
        try:
            work(
                project, catalog, Owner.here(run_token), only_assets=only_assets,
                producer_done=producer_done,
            )
        finally:
            catalog.close()
    except KeyboardInterrupt:
        pass
    except Exception as exc:
        # A full disk, a catalog gone: one line here, and the run says how much work is left.
        log.warning("an analysis worker stopped: %s", _stopped_by(exc))
        sys.exit(1)


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
    ) -> list[str]:
        ctx = multiprocessing.get_context("spawn")
        run_token = process_token(os.getpid())
        assets = list(only_assets) if only_assets is not None else None
        # A pipe, not a multiprocessing Event: an Event is a named semaphore, which a run killed
        # with SIGKILL leaks, and the resource tracker then warns about it on the terminal.
        producing: Connection | None = None
        still_producing: Connection | None = None
        if while_producing is not None:
            producing, still_producing = ctx.Pipe(duplex=False)
        procs = [
            ctx.Process(
                target=_worker_main, daemon=True,
                args=(project, run_token, assets, producing, logging.getLogger().level),
            )
            for _ in range(self.workers)
        ]
        try:
            with _interrupts_ignored():
                # Each worker starts ignoring Ctrl-C until it can stop cleanly (not mid-import,
                # which would print a traceback), then installs its own handler.
                for proc in procs:
                    proc.start()
            if while_producing is not None:
                try:
                    while_producing()
                finally:
                    if still_producing is not None:
                        still_producing.close()
            while any(p.is_alive() for p in procs):
                if progress:
                    with catalog.read() as conn:
                        progress(counts(conn))
                for p in procs:
                    p.join(timeout=0.5 / len(procs))
        except BaseException:
            _stop([p for p in procs if p.pid is not None])
            try:
                release_stopped(catalog, run_token)
            except Exception as exc:  # the next run recovers them; the interrupt is the news
                log.warning("could not hand back the stopped workers' jobs: %s", _stopped_by(exc))
            raise
        finally:
            for end in (producing, still_producing):
                if end is not None:
                    end.close()
        stopped = [_exit_reason(p.exitcode) for p in procs if p.exitcode]
        if stopped:
            _hand_back_dead(catalog)
        if progress:
            with catalog.read() as conn:
                progress(counts(conn))
        return stopped


def _hand_back_dead(catalog: Catalog) -> None:
    """Put the jobs of workers that died (the OOM killer, a full disk) back to pending, so that
    status shows them as work to do at once. A catalog that cannot be written now (the disk
    that stopped the workers is full) must not hide the run's report: the next run recovers
    them as well."""
    try:
        recover_orphans(catalog)
    except Exception as exc:
        reason = database_failure(exc)
        if reason is None:
            raise
        log.warning("could not re-queue the stopped workers' jobs: %s", reason)


@contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ignore SIGINT here while processes are started, so that they start ignoring it too (a
    signal's ignored state is inherited across exec). Only the main thread may do this."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _stop(procs: Sequence[BaseProcess]) -> None:
    """Ask every worker to stop (SIGTERM, which it takes as an interrupt), give them
    :data:`STOP_GRACE_SECONDS` to hand back their jobs, then kill any that is still there."""
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for p in procs:
        p.join(timeout=max(deadline - time.monotonic(), 0.0))
    for p in procs:
        if p.is_alive():
            p.kill()
            p.join(timeout=5)


def _exit_reason(code: int | None) -> str:
    """How a worker ended, in words: ``killed by SIGKILL``, ``exited with status 1``."""
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


def make_executor(workers: int) -> Executor:
    return InlineExecutor() if workers <= 1 else LocalPoolExecutor(workers)

