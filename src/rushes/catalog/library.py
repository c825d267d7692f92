"""The library page's one query: a filtered, sorted page of assets with what a card shows.

``rushes ls`` lists everything at once; a browser page must not, so this adds paging and the
filters the web app's library page offers.

Paging is LIMIT/OFFSET with a total count: the sort keys are computed per row (first path,
probe fields inside JSON), so there is no index to seek on, but both databases sort 10,000 short
keys in milliseconds; the wide rows are read only for the page's ids, and only they become
cards (see bench/web.py).
Filters on JSON fields use SQLAlchemy's JSON path operators, which compile to ``json_extract``
on SQLite and ``->>`` on PostgreSQL, so both databases answer alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from rushes.catalog.assets import AssetRow, first_path
from rushes.catalog.schema import assets, results, tags
from rushes.errors import UsageError

SORTS = ("path", "added", "date", "duration")
MAX_PAGE = 200


@dataclass(frozen=True)
class LibraryFilter:
    kind: str | None = None
    tag: str | None = None
    #: ``YYYY-MM-DD`` bounds on the recording (or photo) date, both inclusive.
    date_from: str | None = None
    date_to: str | None = None
    min_duration: float | None = None
    max_duration: float | None = None
    #: Part of the file name or folder.
    name: str | None = None
    sort: str = "path"

    def active(self) -> bool:
        return any(v not in (None, "") for k, v in self.__dict__.items() if k != "sort")


@dataclass(frozen=True)
class LibraryRow:
    asset: AssetRow
    probe: dict[str, Any]
    thumbnails: dict[str, Any] | None


def _seconds(text: sa.ColumnElement[str], dialect: str) -> sa.ColumnElement[float]:
    """A fraction string of seconds (``"3"``, ``"1001/30000"``) as a number, in SQL."""
    if dialect == "postgresql":
        num = sa.cast(sa.func.split_part(text, "/", 1), sa.Float)
        den = sa.cast(sa.func.nullif(sa.func.split_part(text, "/", 2), ""), sa.Float)
        slash = sa.func.strpos(text, "/")
    else:
        slash = sa.func.instr(text, "/")
        num = sa.cast(sa.func.substr(text, 1, slash - 1), sa.Float)
        den = sa.cast(sa.func.substr(text, slash + 1), sa.Float)
    return sa.case((slash > 0, num / den), else_=sa.cast(text, sa.Float))


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def browse(
    conn: sa.Connection, f: LibraryFilter, *, limit: int = 60, offset: int = 0
) -> tuple[list[LibraryRow], int]:
    """One page of assets matching ``f`` and how many match in all."""
    if f.sort not in SORTS:
        raise UsageError(f"sort must be one of {', '.join(SORTS)}, not {f.sort!r}")
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise UsageError(f"page size must be 1–{MAX_PAGE} and offset not negative")
    dialect = conn.dialect.name
    probe = results.alias("probe")
    thumbs = results.alias("thumbs")
    created = probe.c.data["creation_time"].as_string()
    duration = _seconds(probe.c.data["duration"].as_string(), dialect)
    path = first_path()

    conds: list[sa.ColumnElement[bool]] = []
    if f.kind:
        conds.append(assets.c.kind == f.kind)
    if f.tag:
        # An uncorrelated IN: the tagged ids are found once, not once per asset.
        tag = f.tag.strip().lower().rstrip("/")
        low = sa.func.lower(tags.c.name)
        conds.append(assets.c.id.in_(
            sa.select(tags.c.asset_id).where(
                sa.or_(low == tag, low.like(_like_escape(tag) + "/%", escape="\\"))
            )
        ))
    if f.date_from:
        conds.append(sa.func.substr(created, 1, 10) >= f.date_from)
    if f.date_to:
        conds.append(sa.func.substr(created, 1, 10) <= f.date_to)
    if f.min_duration is not None:
        conds.append(duration >= f.min_duration)
    if f.max_duration is not None:
        conds.append(duration <= f.max_duration)
    if f.name:
        conds.append(path.like("%" + _like_escape(f.name) + "%", escape="\\"))

    needs_probe = bool(f.date_from or f.date_to or f.min_duration is not None
                       or f.max_duration is not None or f.sort in {"date", "duration"})
    probe_join = sa.and_(probe.c.asset_id == assets.c.id, probe.c.analyzer == "probe")
    source: Any = assets.outerjoin(probe, probe_join) if needs_probe else assets

    order: list[Any]
    if f.sort == "added":
        order = [assets.c.added_ms.desc(), assets.c.id]
    elif f.sort == "date":
        order = [sa.nulls_last(created.desc()), assets.c.id]
    elif f.sort == "duration":
        order = [sa.nulls_last(duration.desc()), assets.c.id]
    else:
        order = [path, assets.c.id]

    # First the page's ids, sorting only ids and keys (with the total as a window count, one
    # pass over the matches); then the wide rows (JSON results) for just those ids. Sorting the
    # wide rows directly made SQLite carry every asset's JSON through the sort.
    page = conn.execute(
        sa.select(assets.c.id, sa.func.count().over().label("total"))
        .select_from(source).where(*conds).order_by(*order).limit(limit).offset(offset)
    ).all()
    if page:
        total = int(page[0].total)
    else:
        total = int(conn.execute(
            sa.select(sa.func.count()).select_from(source).where(*conds)
        ).scalar_one())
    ids = [r.id for r in page]
    if not ids:
        return [], total
    query = (
        sa.select(assets, path.label("path"), probe.c.data.label("probe"),
                  thumbs.c.data.label("thumbs"))
        .select_from(
            assets.outerjoin(probe, probe_join).outerjoin(
                thumbs, sa.and_(thumbs.c.asset_id == assets.c.id,
                                thumbs.c.analyzer == "thumbnails"))
        )
        .where(assets.c.id.in_(ids))
    )
    found = {
        r.id: LibraryRow(
            AssetRow(r.id, r.kind, r.format, r.size, r.added_ms, r.path),
            dict(r.probe or {}),
            dict(r.thumbs) if r.thumbs else None,
        )
        for r in conn.execute(query).all()
    }
    return [found[i] for i in ids if i in found], total


def tag_names(conn: sa.Connection, limit: int = 500) -> list[str]:
    """Distinct tag names for the filter's suggestions, most used first."""
    rows = conn.execute(
        sa.select(tags.c.name).group_by(tags.c.name)
        .order_by(sa.func.count().desc(), tags.c.name).limit(limit)
    ).scalars().all()
    return list(rows)
