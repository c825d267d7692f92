"""The durable job queue: one row per asset × analyzer × version × parameters.

A worker claims a job by writing its owner and a lease expiry; a job whose lease ran out is
claimable again (its worker crashed or was killed). Storing a result and marking its job done
happen in one transaction, so a kill at any moment leaves either no result and a claimable job, or
a result and a done job — never a duplicate. On PostgreSQL claims use ``FOR UPDATE SKIP LOCKED``;
on SQLite the write transaction itself (``BEGIN IMMEDIATE``) serialises claimers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from rushes.catalog.assets import first_path
from rushes.catalog.db import now_ms
from rushes.catalog.results import save_result
from rushes.catalog.schema import jobs

STATES = ("pending", "running", "done", "failed")


@dataclass(frozen=True)
class Job:
    id: int
    asset_id: str
    analyzer: str
    version: int
    params_hash: str
    params: dict[str, Any]
    attempts: int


def _job(row: Any) -> Job:
    return Job(
        row.id, row.asset_id, row.analyzer, row.version, row.params_hash, dict(row.params),
        row.attempts,
    )


def ensure_job(
    conn: sa.Connection,
    asset_id: str,
    analyzer: str,
    version: int,
    params_hash: str,
    params: dict[str, Any],
) -> None:
    """Queue a job unless the same one exists; drop superseded jobs of the same analyzer."""
    drop_superseded(conn, asset_id, analyzer, version, params_hash)
    now = now_ms()
    values = {
        "asset_id": asset_id, "analyzer": analyzer, "version": version,
        "params_hash": params_hash, "params": params, "state": "pending", "attempts": 0,
        "created_ms": now, "updated_ms": now,
    }
    insert: Any
    if conn.dialect.name == "postgresql":
        insert = postgresql.insert(jobs).values(**values).on_conflict_do_nothing()
    else:
        insert = sqlite.insert(jobs).values(**values).on_conflict_do_nothing()
    conn.execute(insert)


def drop_superseded(
    conn: sa.Connection, asset_id: str, analyzer: str, version: int, params_hash: str
) -> None:
    """Forget jobs of an analyzer whose version or parameters are no longer current (a failed
    run with another engine, say), once the current result exists."""
    conn.execute(
        jobs.delete().where(
            jobs.c.asset_id == asset_id,
            jobs.c.analyzer == analyzer,
            jobs.c.state != "running",
            sa.or_(jobs.c.version != version, jobs.c.params_hash != params_hash),
        )
    )


def claim(
    conn: sa.Connection,
    owner: str,
    lease_ms: int,
    max_attempts: int,
    companions: Callable[[str], Collection[str]] = lambda _name: (),
    only_assets: Collection[str] | None = None,
) -> list[Job]:
    """Claim the oldest claimable job, plus pending jobs of the same asset whose analyzers
    ``companions(analyzer)`` names (they share one decode pass). Returns [] when none is free."""
    now = now_ms()
    while True:
        query = (
            sa.select(jobs)
            .where(
                sa.or_(
                    jobs.c.state == "pending",
                    sa.and_(jobs.c.state == "running", jobs.c.lease_expires_ms < now),
                )
            )
            .order_by(jobs.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if only_assets is not None:
            query = query.where(jobs.c.asset_id.in_(list(only_assets)))
        row = conn.execute(query).first()
        if row is None:
            return []
        # Attempts count claims whose worker died (a crash, the OOM killer): whether the lease
        # ran out (still "running") or the dead worker was noticed and its job handed back
        # ("pending"), a file that kills its worker must not take down every worker in turn.
        if row.attempts >= max_attempts:
            _set_failed(
                conn, row.id,
                f"its worker stopped {row.attempts} times while running it (crash or kill)",
            )
            continue
        break
    claimed = [row]
    partners = set(companions(row.analyzer))
    if partners:
        claimed += conn.execute(
            sa.select(jobs)
            .where(
                jobs.c.asset_id == row.asset_id,
                jobs.c.state == "pending",
                jobs.c.analyzer.in_(partners),
                jobs.c.id != row.id,
            )
            .with_for_update(skip_locked=True)
        ).all()
    ids = [r.id for r in claimed]
    conn.execute(
        jobs.update()
        .where(jobs.c.id.in_(ids))
        .values(
            state="running", lease_owner=owner, lease_expires_ms=now + lease_ms,
            attempts=jobs.c.attempts + 1, updated_ms=now,
        )
    )
    return [replace(_job(r), attempts=r.attempts + 1) for r in claimed]


def heartbeat(conn: sa.Connection, ids: Iterable[int], owner: str, lease_ms: int) -> None:
    conn.execute(
        jobs.update()
        .where(jobs.c.id.in_(list(ids)), jobs.c.lease_owner == owner, jobs.c.state == "running")
        .values(lease_expires_ms=now_ms() + lease_ms)
    )


def complete(conn: sa.Connection, job: Job, owner: str, data: dict[str, Any]) -> bool:
    """Store the result and mark the job done, unless another worker has taken it over."""
    done = conn.execute(
        jobs.update()
        .where(jobs.c.id == job.id, jobs.c.lease_owner == owner, jobs.c.state == "running")
        .values(state="done", error=None, lease_owner=None, lease_expires_ms=None,
                updated_ms=now_ms())
    ).rowcount
    if not done:
        return False
    save_result(conn, job.asset_id, job.analyzer, job.version, job.params_hash, data)
    return True


def fail(conn: sa.Connection, job: Job, owner: str, error: str) -> None:
    conn.execute(
        jobs.update()
        .where(jobs.c.id == job.id, jobs.c.lease_owner == owner, jobs.c.state == "running")
        .values(state="failed", error=error, lease_owner=None, lease_expires_ms=None,
                updated_ms=now_ms())
    )


def release(conn: sa.Connection, ids: Iterable[int], owner: str, *, count_attempt: bool) -> None:
    """Give claimed jobs back to the queue (a worker interrupted before it could finish them)."""
    values: dict[str, Any] = {
        "state": "pending", "lease_owner": None, "lease_expires_ms": None, "updated_ms": now_ms(),
    }
    if not count_attempt:
        values["attempts"] = sa.case((jobs.c.attempts > 0, jobs.c.attempts - 1), else_=0)
    conn.execute(
        jobs.update()
        .where(jobs.c.id.in_(list(ids)), jobs.c.lease_owner == owner, jobs.c.state == "running")
        .values(**values)
    )


def running_owners(conn: sa.Connection) -> dict[str, list[int]]:
    rows = conn.execute(
        sa.select(jobs.c.id, jobs.c.lease_owner).where(jobs.c.state == "running")
    ).all()
    out: dict[str, list[int]] = {}
    for job_id, owner in rows:
        out.setdefault(owner or "", []).append(job_id)
    return out


def _set_failed(conn: sa.Connection, job_id: int, error: str) -> None:
    conn.execute(
        jobs.update().where(jobs.c.id == job_id).values(
            state="failed", error=error, lease_owner=None, lease_expires_ms=None,
            updated_ms=now_ms(),
        )
    )


def retry_failed(
    conn: sa.Connection, asset_ids: Collection[str] | None = None, analyzer: str | None = None
) -> int:
    """Re-queue failed jobs: all of them, or one analyzer's for some assets."""
    update = jobs.update().where(jobs.c.state == "failed")
    if asset_ids is not None:
        update = update.where(jobs.c.asset_id.in_(list(asset_ids)))
    if analyzer is not None:
        update = update.where(jobs.c.analyzer == analyzer)
    return conn.execute(
        update.values(state="pending", attempts=0, error=None, updated_ms=now_ms())
    ).rowcount


def requeue(
    conn: sa.Connection, asset_id: str, analyzer: str, version: int | None = None,
    params_hash: str | None = None, *, states: Collection[str] = ("done", "failed", "pending"),
) -> int:
    """Queue an asset's job of ``analyzer`` to run again (the current one when ``version`` and
    ``params_hash`` are given) where it is in one of ``states``. Its result stays until the new
    one is stored (:func:`complete` replaces it), so nothing is lost if the run never comes. A
    running job (when ``states`` holds "running") is taken back from its worker, whose result
    is refused when it finishes (:func:`complete` wants its lease), as made from what is now
    out of date."""
    update = jobs.update().where(
        jobs.c.asset_id == asset_id, jobs.c.analyzer == analyzer,
        jobs.c.state.in_(list(states)),
    )
    if version is not None:
        update = update.where(jobs.c.version == version)
    if params_hash is not None:
        update = update.where(jobs.c.params_hash == params_hash)
    return conn.execute(
        update.values(state="pending", attempts=0, error=None, lease_owner=None,
                      lease_expires_ms=None, updated_ms=now_ms())
    ).rowcount


def is_running(conn: sa.Connection, asset_id: str, analyzer: str) -> bool:
    return conn.execute(
        sa.select(jobs.c.id).where(
            jobs.c.asset_id == asset_id, jobs.c.analyzer == analyzer, jobs.c.state == "running"
        ).limit(1)
    ).first() is not None


def counts(conn: sa.Connection) -> dict[str, int]:
    out = dict.fromkeys(STATES, 0)
    for state, n in conn.execute(
        sa.select(jobs.c.state, sa.func.count()).group_by(jobs.c.state)
    ).all():
        out[state] = n
    return out


@dataclass(frozen=True)
class FailedJob:
    asset_id: str
    analyzer: str
    error: str
    path: str | None


def failed_jobs(
    conn: sa.Connection, asset_ids: Collection[str] | None = None, analyzer: str | None = None
) -> list[FailedJob]:
    """Failed jobs with their errors: all of them, or one analyzer's for some assets."""
    path = first_path(jobs.c.asset_id)
    query = (
        sa.select(jobs.c.asset_id, jobs.c.analyzer, jobs.c.error, path.label("path"))
        .where(jobs.c.state == "failed")
        .order_by(jobs.c.id)
    )
    if asset_ids is not None:
        query = query.where(jobs.c.asset_id.in_(list(asset_ids)))
    if analyzer is not None:
        query = query.where(jobs.c.analyzer == analyzer)
    rows = conn.execute(query).all()
    return [FailedJob(r.asset_id, r.analyzer, r.error or "failed", r.path) for r in rows]
