"""``rushes add``, ``rushes analyze`` and ``rushes retry``."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from rushes.analyzers import analyzers
from rushes.catalog.assets import (
    clear_problem,
    list_assets,
    list_problems,
    locations_of,
    resolve_asset,
)
from rushes.catalog.jobs import counts, retry_failed
from rushes.cli.app import State, as_paths, emit_json, note, pass_state, printable
from rushes.cli.progress import progress
from rushes.errors import RushesError
from rushes.ingest import AddReport, add_paths
from rushes.jobs.executors import make_executor
from rushes.jobs.plan import plan_all, redo_asset
from rushes.jobs.worker import recover_orphans


def workers_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--workers", "-j", type=click.IntRange(min=1), default=None,
        help="Analysis worker processes (default: the workers setting; 1 runs inline).",
    )(f)


@dataclass(frozen=True)
class Analysis:
    """What a run of the queue left: job counts, and the jobs not run because workers stopped
    early (killed by the OOM killer, a full disk). Files that failed to be added or analysed are
    reported by the command's own output and ``rushes status``; only work not done at all makes
    the command fail, after its report is printed."""

    jobs: dict[str, int]
    not_run: int = 0
    why: str = ""

    def raise_if_stopped(self) -> None:
        if self.not_run:
            raise RushesError(
                f"analysis stopped with {self.not_run} job{'s' * (self.not_run != 1)} not run "
                f"({self.why}); run `rushes analyze`"
            )


def run_queue(
    state: State, workers: int | None, while_producing: Callable[[], object] | None = None
) -> Analysis:
    """Run every claimable job with the configured executor, showing progress on stderr.
    Workers start first, so they analyse files while ``while_producing`` is still adding."""
    project, catalog = state.project(), state.catalog()
    recover_orphans(catalog)
    with catalog.read() as conn:
        start = counts(conn)
    if start["pending"] == 0 and start["running"] == 0 and while_producing is None:
        return Analysis(start)
    executor = make_executor(workers or project.settings.workers)
    with progress("analysing", project.settings.progress) as bar:
        def show(c: dict[str, int]) -> None:
            finished = c["done"] + c["failed"]
            bar.update(finished, finished + c["pending"] + c["running"],
                       f"{c['failed']} failed" if c["failed"] else "")

        stopped = executor.run(project, catalog, progress=show, while_producing=while_producing)
    with catalog.read() as conn:
        jobs = counts(conn)
    not_run = jobs["pending"] + jobs["running"] if stopped else 0
    return Analysis(jobs, not_run, _why(stopped))


def _why(stopped: list[str]) -> str:
    """``2 workers killed by SIGKILL``, ``a worker exited with status 1; …``: how many of each."""
    tally = Counter(stopped)
    return "; ".join(
        f"{n} workers {reason}" if n > 1 else f"a worker {reason}" for reason, n in tally.items()
    )


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--no-analyze", is_flag=True, help="Catalogue only; run analysis later.")
@workers_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_state
def add(
    state: State, paths: tuple[str, ...], no_analyze: bool, workers: int | None, as_json: bool
) -> None:
    """Catalogue files and folders in place (never moved or modified), then analyse them."""
    project, catalog = state.project(), state.catalog()
    catalog.check_writable()  # before hashing the first file, not after
    reports: list[AddReport] = []

    def produce() -> None:
        with progress("adding", project.settings.progress) as bar:
            reports.append(add_paths(project, catalog, as_paths(paths), on_file=bar.tick))
        for err in reports[0].errors:
            note(f"{printable(err['path'])}: {err['error']}")

    analysis = None
    if project.settings.analyze and not no_analyze:
        analysis = run_queue(state, workers, while_producing=produce)
    else:
        produce()
    report = reports[0]
    if as_json:
        data = report.to_json()
        if analysis is not None:
            data["jobs"] = analysis.jobs
        emit_json(data)
    else:
        summary = f"added {report.added}, skipped {report.skipped}, failed {report.failed}"
        if analysis is not None:
            jobs = analysis.jobs
            summary += f"; analysis: {jobs['done']} done, {jobs['failed']} failed"
        click.echo(summary)
    if analysis is not None:
        analysis.raise_if_stopped()


@click.command()
@click.argument("assets", nargs=-1)
@click.option(
    "--redo", "redo", multiple=True, metavar="ANALYZER",
    help="Run ANALYZER again on ASSETs (default: every asset it applies to) even where its "
         "result is current, and what judges it after it; repeatable. Each result is kept "
         "until its new one is stored.",
)
@workers_option
@click.option("--json", "as_json", is_flag=True, help="Print job counts as JSON.")
@pass_state
def analyze(
    state: State, assets: tuple[str, ...], redo: tuple[str, ...], workers: int | None,
    as_json: bool,
) -> None:
    """Run pending analysis (after --no-analyze, an interruption, or an analyzer upgrade).

    With --redo, run an analyzer again where nothing says it must: after a fix that changed no
    version (shots of a damaged file an older rushes stopped reading at), or to check a file
    again."""
    known = analyzers()
    for name in redo:
        if name not in known:
            raise click.BadParameter(
                f"no analyzer {name!r} (there are: {', '.join(known)})", param_hint="--redo"
            )
    if assets and not redo:
        raise click.UsageError(
            "name an analyzer to run again with --redo (ASSETs say where); plain "
            "`rushes analyze` runs all pending analysis"
        )
    catalog = state.catalog()
    requeued, offline = 0, 0
    with catalog.write() as conn:
        plan_all(conn, state.settings)
        wanted = (
            [] if not redo else [resolve_asset(conn, a) for a in assets] if assets
            else list_assets(conn)
        )
        names = dict.fromkeys(redo)  # in the order given, once each
        for row in wanted:
            shown = printable(row.path or row.id)
            if not any(loc.fs_path.is_file() for loc in locations_of(conn, row.id)):
                # Its current results are all there is: a redo would only fail it.
                offline += 1
                if assets:
                    note(f"{shown}: no readable copy here (offline?); not analysed again")
                continue
            done = redo_asset(conn, row, state.settings, names)
            requeued += len(done.queued)
            for name in done.running:
                note(f"{shown}: {name} is running already")
            for name in done.not_applicable if assets else ():
                note(f"{shown}: {name} does not apply to this {row.kind} file (or waits "
                     "for an analysis it needs)")
    if offline and not assets:
        note(f"{offline} asset{'s' * (offline != 1)} with no readable copy here (offline?) "
             "not analysed again")
    if redo and not as_json:
        click.echo(f"re-queued {requeued} job{'s' * (requeued != 1)}")
    analysis = run_queue(state, workers)
    result = analysis.jobs
    if as_json:
        emit_json({"jobs": result, **({"requeued": requeued} if redo else {})})
    else:
        click.echo(f"analysis: {result['done']} done, {result['failed']} failed")
    analysis.raise_if_stopped()


@click.command()
@click.option("--no-analyze", is_flag=True, help="Only re-queue; do not run.")
@workers_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def retry(state: State, no_analyze: bool, workers: int | None, as_json: bool) -> None:
    """Re-queue failed analysis jobs and re-try files that could not be added."""
    project, catalog = state.project(), state.catalog()
    with catalog.write() as conn:
        requeued = retry_failed(conn)
        failed_paths = list_problems(conn, "ingest")
        for problem in failed_paths:
            clear_problem(conn, problem.path_bytes)
    report = add_paths(
        project, catalog, [Path(os.fsdecode(p.path_bytes)) for p in failed_paths]
    )
    for err in report.errors:
        note(f"{printable(err['path'])}: {err['error']}")
    analysis = None if no_analyze else run_queue(state, workers)
    if as_json:
        jobs = None if analysis is None else analysis.jobs
        emit_json({"requeued": requeued, "readded": report.to_json(), "jobs": jobs})
    else:
        click.echo(
            f"re-queued {requeued} job{'s' * (requeued != 1)}; re-added {report.added} of "
            f"{len(failed_paths)} file{'s' * (len(failed_paths) != 1)}"
        )
    if analysis is not None:
        analysis.raise_if_stopped()


def register(cli: click.Group) -> None:
    for command in (add, analyze, retry):
        cli.add_command(command)
