"""Analyzer results: one current result per asset and analyzer, replaced when a newer version
or different parameters run."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from rushes.catalog.db import now_ms
from rushes.catalog.schema import results


def save_result(
    conn: sa.Connection,
    asset_id: str,
    analyzer: str,
    version: int,
    params_hash: str,
    data: dict[str, Any],
) -> None:
    conn.execute(
        results.delete().where(results.c.asset_id == asset_id, results.c.analyzer == analyzer)
    )
    conn.execute(
        results.insert().values(
            asset_id=asset_id, analyzer=analyzer, version=version, params_hash=params_hash,
            data=data, created_ms=now_ms(),
        )
    )


def result_of(conn: sa.Connection, asset_id: str, analyzer: str) -> dict[str, Any] | None:
    row = conn.execute(
        sa.select(results.c.data).where(
            results.c.asset_id == asset_id, results.c.analyzer == analyzer
        )
    ).first()
    return dict(row.data) if row else None


def results_of(conn: sa.Connection, asset_id: str) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        sa.select(results.c.analyzer, results.c.data).where(results.c.asset_id == asset_id)
    ).all()
    return {name: dict(data) for name, data in rows}


def result_versions(conn: sa.Connection, asset_id: str) -> dict[str, tuple[int, str]]:
    """(version, params hash) of each stored result: what planning compares against."""
    rows = conn.execute(
        sa.select(results.c.analyzer, results.c.version, results.c.params_hash)
        .where(results.c.asset_id == asset_id)
    ).all()
    return {name: (version, ph) for name, version, ph in rows}
