"""Which analyzers an asset still needs, given its kind and the results it already has.

Called when an asset is added and again whenever one of its jobs completes (in the same
transaction), so analyzers that need another's result (proxy needs probe) are queued as soon as
they can run, and a version bump or a changed setting re-queues exactly that analyzer.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import sqlalchemy as sa

from rushes.analyzers import AssetView, analyzers, params_hash
from rushes.catalog.assets import AssetRow, list_assets
from rushes.catalog.jobs import drop_superseded, ensure_job, requeue
from rushes.catalog.results import result_versions, results_of
from rushes.config import Settings


def plan_asset(
    conn: sa.Connection, asset: AssetRow, settings: Settings, force: Collection[str] = ()
) -> int:
    """Queue the jobs ``asset`` lacks; returns how many analyzers it still needs. Analyzers
    named in ``force`` are queued even when their ``enabled_by`` setting is off."""
    have = result_versions(conn, asset.id)
    view = AssetView(asset.id, asset.kind, asset.format, Path(), results_of(conn, asset.id))
    needed = 0
    for analyzer in analyzers().values():
        if not all(dep in have for dep in analyzer.requires):
            continue
        if (
            analyzer.enabled_by
            and not settings.get(analyzer.enabled_by)
            and analyzer.name not in force
        ):
            continue
        if not analyzer.applies(view):
            continue
        params = analyzer.params(settings)
        digest = params_hash(params)
        if have.get(analyzer.name) == (analyzer.version, digest):
            drop_superseded(conn, asset.id, analyzer.name, analyzer.version, digest)
            continue
        ensure_job(conn, asset.id, analyzer.name, analyzer.version, digest, params)
        needed += 1
    return needed


def plan_all(conn: sa.Connection, settings: Settings) -> int:
    """Re-plan every asset: picks up new analyzers, version bumps and changed settings."""
    return sum(plan_asset(conn, asset, settings) for asset in list_assets(conn))


def requeue_followers(conn: sa.Connection, asset_id: str, done: str) -> int:
    """After ``done`` stored a new result for the asset, queue again the analyzers that judge
    it (their ``follows``) where they have run: a check made on the old result says nothing
    of the new one. Where they have not run yet, planning queues them as usual."""
    return sum(
        requeue(conn, asset_id, analyzer.name)
        for analyzer in analyzers().values()
        if done in analyzer.follows
    )


def redo_asset(
    conn: sa.Connection, asset: AssetRow, settings: Settings, names: Collection[str]
) -> list[str]:
    """Queue the analyzers ``names`` for ``asset`` again, even where their result is current: a
    fix that changed no version (a file an older rushes could not read past), or a file to
    check again. Returns those that were queued; one that has nothing to do on the asset (shots
    on sound), or waits for a result it lacks, is not. Each current result stays until its new
    one is stored."""
    have = result_versions(conn, asset.id)
    view = AssetView(asset.id, asset.kind, asset.format, Path(), results_of(conn, asset.id))
    known = analyzers()
    queued = []
    for name in names:
        analyzer = known[name]
        if not all(dep in have for dep in analyzer.requires) or not analyzer.applies(view):
            continue
        params = analyzer.params(settings)
        digest = params_hash(params)
        ensure_job(conn, asset.id, name, analyzer.version, digest, params)
        if requeue(conn, asset.id, name, analyzer.version, digest):
            queued.append(name)
    return queued
