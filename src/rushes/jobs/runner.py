"""Running a batch of claimed jobs for one asset.

Frame analyzers of a video share one decode pass; whole-file analyzers run one by one. Each
analyzer writes into a private folder that is renamed into the asset's cache just before its result
is committed, so a kill leaves at worst a stale folder that the retry replaces.
"""

from __future__ import annotations

import logging
import shutil
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from rushes.analyzers import AnalysisContext, Analyzer, AssetView, FrameAnalyzer, get_analyzer
from rushes.catalog import Catalog
from rushes.catalog.assets import get_asset, locations_of
from rushes.catalog.jobs import Job, complete, fail
from rushes.catalog.results import results_of
from rushes.errors import RushesError
from rushes.jobs.owner import is_alive, process_token
from rushes.jobs.plan import plan_asset, requeue_followers
from rushes.jobs.stores import file_result
from rushes.media.frames import SinkFactory, decode_into
from rushes.project import Project

log = logging.getLogger("rushes.jobs")


def run_batch(project: Project, catalog: Catalog, owner: str, batch: list[Job]) -> None:
    """Run jobs claimed together (all for the same asset); record each outcome."""
    asset_id = batch[0].asset_id
    with catalog.read() as conn:
        asset = get_asset(conn, asset_id)
        locs = locations_of(conn, asset_id)
        results = results_of(conn, asset_id)
    if asset is None:
        return  # deleted meanwhile; its jobs went with it
    path = next((loc.fs_path for loc in locs if loc.fs_path.is_file()), None)
    if path is None:
        for job in batch:
            _fail(catalog, job, owner, "no readable copy: every location of this asset is missing")
        return
    view = AssetView(asset.id, asset.kind, asset.format, path, results)
    frame_jobs: list[tuple[Job, FrameAnalyzer, AnalysisContext]] = []
    made: list[Path] = []
    try:
        for job in batch:
            analyzer = get_analyzer(job.analyzer)
            ctx = _context(project, view, job)
            made.append(ctx.output_dir)
            if isinstance(analyzer, FrameAnalyzer) and asset.kind == "video":
                frame_jobs.append((job, analyzer, ctx))
                continue
            _run_one(project, catalog, owner, job, analyzer, ctx, partial(analyzer.run, ctx))
        if frame_jobs:
            _run_frame_pass(project, catalog, owner, path, frame_jobs)
    except BaseException:
        # The worker hands the batch back and stops: the folders of its jobs not yet done
        # would otherwise wait for a sweep that only a later run of the same job makes.
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)
        raise


def _context(project: Project, view: AssetView, job: Job) -> AnalysisContext:
    cache = project.asset_cache(view.id)
    me = process_token()
    _sweep(cache, job.analyzer, me)
    work = cache / f"{job.analyzer}.partial-{me}"
    work.mkdir(parents=True)
    checkpoints = cache / f"{job.analyzer}.checkpoints-v{job.version}-{job.params_hash}"
    return AnalysisContext(view, project.settings, job.params, work, checkpoints)


def _sweep(cache: Path, analyzer: str, me: str) -> None:
    """Remove the analyzer's half-written folders left by dead workers (and our own); a live
    process's folder is not ours to take. Done before a job and again after it: a worker of a
    killed run may still be dying when the next run starts the same job."""
    for stale in cache.glob(f"{analyzer}.partial-*"):
        token = stale.name.rsplit("-", 1)[1]
        if token == me or not is_alive(token):
            shutil.rmtree(stale, ignore_errors=True)


def _run_frame_pass(
    project: Project,
    catalog: Catalog,
    owner: str,
    path: Path,
    frame_jobs: list[tuple[Job, FrameAnalyzer, AnalysisContext]],
) -> None:
    def factory(a: FrameAnalyzer, c: AnalysisContext) -> SinkFactory:
        return lambda info: a.open_sink(c, info)

    every = any(a.needs_every_frame for _, a, _ in frame_jobs)
    try:
        outputs = decode_into(
            path,
            [factory(a, c) for _, a, c in frame_jobs],
            every_frame=every,
            threads=project.settings.decode_threads,
        )
    except Exception as exc:  # one decode failure fails every analyzer that shared the pass
        for job, analyzer, ctx in frame_jobs:
            _record_failure(catalog, owner, job, analyzer, ctx, exc)
        return
    for (job, analyzer, ctx), data in zip(frame_jobs, outputs, strict=True):
        _run_one(project, catalog, owner, job, analyzer, ctx, partial(dict, data))


def _run_one(
    project: Project,
    catalog: Catalog,
    owner: str,
    job: Job,
    analyzer: Analyzer,
    ctx: AnalysisContext,
    produce: Callable[[], dict[str, Any]],
) -> None:
    try:
        data = produce()
    except Exception as exc:
        _record_failure(catalog, owner, job, analyzer, ctx, exc)
        return
    final = project.asset_cache(job.asset_id) / job.analyzer
    if any(ctx.output_dir.iterdir()):
        shutil.rmtree(final, ignore_errors=True)
        ctx.output_dir.rename(final)
    else:
        ctx.output_dir.rmdir()
    with catalog.write() as conn:
        if complete(conn, job, owner, data):
            if analyzer.stores is not None:
                file_result(conn, analyzer.stores, job.asset_id, analyzer.name, data)
            asset = get_asset(conn, job.asset_id)
            if asset is not None:
                plan_asset(conn, asset, project.settings)
                requeue_followers(conn, asset.id, job.analyzer)
    if ctx.checkpoint_dir is not None:
        shutil.rmtree(ctx.checkpoint_dir, ignore_errors=True)
    _sweep(final.parent, job.analyzer, process_token())


def _record_failure(
    catalog: Catalog,
    owner: str,
    job: Job,
    analyzer: Analyzer,
    ctx: AnalysisContext,
    exc: BaseException,
) -> None:
    shutil.rmtree(ctx.output_dir, ignore_errors=True)
    if isinstance(exc, RushesError):
        message = str(exc)
    else:
        message = f"internal error in {analyzer.name}: {type(exc).__name__}: {exc}"
        # One line, as every error the user sees; the traceback is for --debug (a bug report).
        log.error("%s on %s (run with --debug for the traceback)", message, ctx.asset.path)
        log.debug("%s", traceback.format_exc())
    _fail(catalog, job, owner, message)


def _fail(catalog: Catalog, job: Job, owner: str, message: str) -> None:
    with catalog.write() as conn:
        fail(conn, job, owner, message.splitlines()[0] if message else "failed")

