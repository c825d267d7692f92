"""Which analyzers an asset still needs, given its kind and the results it already has.

Called when an asset is added and again whenever one of its jobs completes (in the same
transaction), so analyzers that need another's result (proxy needs probe) are queued as soon as
they can run, and a version bump or a changed setting re-queues exactly that analyzer.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from rushes.analyzers import Analyzer, AssetView, analyzers, params_hash
from rushes.catalog.assets import AssetRow, list_assets
from rushes.catalog.jobs import STATES, drop_superseded, ensure_job, is_running, requeue
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
        if (
            analyzer.enabled_by
            and not settings.get(analyzer.enabled_by)
            and analyzer.name not in force
        ):
            continue
        if not _ready(analyzer, have, view):
            continue
        params = analyzer.params(settings)
        digest = params_hash(params)
        if have.get(analyzer.name) == (analyzer.version, digest):
            drop_superseded(conn, asset.id, analyzer.name, analyzer.version, digest)
            if analyzer.stale(view):
                # Its done job runs again (a failed retry is left for `rushes retry`).
                needed += requeue(conn, asset.id, analyzer.name, analyzer.version, digest,
                                  states=("done",))
            continue
        ensure_job(conn, asset.id, analyzer.name, analyzer.version, digest, params)
        needed += 1
    return needed


def plan_all(conn: sa.Connection, settings: Settings) -> int:
    """Re-plan every asset: picks up new analyzers, version bumps and changed settings."""
    return sum(plan_asset(conn, asset, settings) for asset in list_assets(conn))


def _ready(analyzer: Analyzer, have: Mapping[str, object], view: AssetView) -> bool:
    """Whether ``analyzer`` has work on the asset now: the results it needs exist and it
    applies to what they say."""
    return all(dep in have for dep in analyzer.requires) and analyzer.applies(view)


def requeue_followers(conn: sa.Connection, asset_id: str, done: str) -> int:
    """After ``done`` stored a new result for the asset, queue again the analyzers that judge
    it (their ``follows``) where they have run or are running: a check made on the old result
    says nothing of the new one. Where they have not run yet, planning queues them as usual."""
    return sum(
        requeue(conn, asset_id, analyzer.name, states=STATES)
        for analyzer in analyzers().values()
        if done in analyzer.follows
    )


@dataclass
class Redo:
    """What :func:`redo_asset` did for one asset: the analyzers queued again, those already
    running, and those with nothing to do there (shots on sound, or waiting for a result)."""

    queued: list[str] = field(default_factory=list)
    running: list[str] = field(default_factory=list)
    not_applicable: list[str] = field(default_factory=list)


def redo_asset(
    conn: sa.Connection, asset: AssetRow, settings: Settings, names: Collection[str]
) -> Redo:
    """Queue the analyzers ``names`` for ``asset`` again, even where their result is current: a
    fix that changed no version (a file an older rushes could not read past), or a file to
    check again. An analyzer that follows another one named is left to run after it
    (:func:`requeue_followers`), not beside it on the old result. Each current result stays
    until its new one is stored."""
    have = result_versions(conn, asset.id)
    view = AssetView(asset.id, asset.kind, asset.format, Path(), results_of(conn, asset.id))
    known = analyzers()
    done = Redo()
    for name in names:
        analyzer = known[name]
        if not _ready(analyzer, have, view):
            done.not_applicable.append(name)
            continue
        if any(f in names and f in have for f in analyzer.follows):
            done.queued.append(name)  # after what it follows
            continue
        params = analyzer.params(settings)
        digest = params_hash(params)
        ensure_job(conn, asset.id, name, analyzer.version, digest, params)
        if requeue(conn, asset.id, name, analyzer.version, digest):
            done.queued.append(name)
        elif is_running(conn, asset.id, name):
            done.running.append(name)
    return done
