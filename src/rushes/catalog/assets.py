"""Assets (content, by hash), their locations (paths where that content lives) and problems
(paths that could not become assets)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from rushes.catalog.db import now_ms
from rushes.catalog.schema import assets, locations, problems
from rushes.errors import UsageError


def path_key(path: Path | str) -> bytes:
    """The exact bytes of an absolute path: the key of a location (names need not be UTF-8)."""
    return os.fsencode(os.path.abspath(path))


def real_key(path: Path | str | bytes) -> bytes:
    """The bytes of the absolute path with every symbolic link resolved: the file it names."""
    raw = os.fsencode(path)
    try:
        return os.path.realpath(raw)
    except ValueError:  # a NUL byte: no file has that name, so nothing to resolve
        return os.path.abspath(raw)


def display_path(raw: bytes) -> str:
    """A readable, always-encodable form of a path; undecodable bytes shown as ``\\xNN``."""
    return raw.decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class LocationRow:
    id: int
    asset_id: str
    path_bytes: bytes
    path: str
    size: int
    mtime_ns: int
    missing: bool

    @property
    def fs_path(self) -> Path:
        return Path(os.fsdecode(self.path_bytes))


def _location(row: Any) -> LocationRow:
    return LocationRow(
        row.id, row.asset_id, bytes(row.path_bytes), row.path, row.size, row.mtime_ns,
        bool(row.missing),
    )


def location_at(conn: sa.Connection, key: bytes) -> LocationRow | None:
    row = conn.execute(sa.select(locations).where(locations.c.path_bytes == key)).first()
    return _location(row) if row else None


def location_named(conn: sa.Connection, path: Path | str) -> LocationRow | None:
    """The location at ``path``, or else the one that resolves to the same file through
    symbolic links (a linked folder, a link to a file), whichever path was added first: the
    same file reached by two paths is one location. At most three index lookups."""
    key = path_key(path)
    loc = location_at(conn, key)
    if loc is not None:
        return loc
    real = real_key(key)
    if real != key:
        loc = location_at(conn, real)
        if loc is not None:
            return loc
    rows = conn.execute(
        sa.select(locations).where(locations.c.real_bytes == real).order_by(locations.c.id)
    ).all()
    # Only a link that still leads there: one retargeted since it was added names another file.
    return next((_location(r) for r in rows if real_key(bytes(r.path_bytes)) == real), None)


def add_asset(conn: sa.Connection, asset_id: str, kind: str, fmt: str, size: int) -> bool:
    """Insert the asset if new; True when it was. Identical content arriving twice is one asset."""
    exists = conn.execute(sa.select(assets.c.id).where(assets.c.id == asset_id)).first()
    if exists:
        return False
    conn.execute(
        assets.insert().values(id=asset_id, kind=kind, format=fmt, size=size, added_ms=now_ms())
    )
    return True


def put_location(
    conn: sa.Connection, asset_id: str, key: bytes, size: int, mtime_ns: int
) -> None:
    """Point the path at the asset, recording the size and modification time it was seen with.

    Ingest calls it for a known path only when the bytes still hash to the same asset (a
    touched file): a known path whose content changed is a fixity failure and stays with the
    asset it was, or ``rushes verify`` would lose the alarm."""
    values = {
        "asset_id": asset_id, "path": display_path(key), "real_bytes": real_key(key),
        "size": size, "mtime_ns": mtime_ns, "seen_ms": now_ms(), "missing": False,
    }
    updated = conn.execute(
        locations.update().where(locations.c.path_bytes == key).values(**values)
    ).rowcount
    if not updated:
        conn.execute(locations.insert().values(path_bytes=key, **values))


def touch_location(conn: sa.Connection, location_id: int) -> None:
    conn.execute(
        locations.update().where(locations.c.id == location_id)
        .values(seen_ms=now_ms(), missing=False)
    )


def set_location_state(
    conn: sa.Connection, location_id: int, *, missing: bool, verified: bool = False
) -> None:
    values: dict[str, Any] = {"missing": missing}
    if verified:
        values["verified_ms"] = now_ms()
    conn.execute(locations.update().where(locations.c.id == location_id).values(**values))


def delete_location(conn: sa.Connection, location_id: int) -> None:
    conn.execute(locations.delete().where(locations.c.id == location_id))


def all_locations(conn: sa.Connection) -> list[LocationRow]:
    rows = conn.execute(sa.select(locations).order_by(locations.c.path)).all()
    return [_location(r) for r in rows]


def locations_of(conn: sa.Connection, asset_id: str) -> list[LocationRow]:
    rows = conn.execute(
        sa.select(locations).where(locations.c.asset_id == asset_id).order_by(locations.c.id)
    ).all()
    return [_location(r) for r in rows]


@dataclass(frozen=True)
class AssetRow:
    id: str
    kind: str
    format: str
    size: int
    added_ms: int
    path: str | None


#: Which of an asset's locations is its path to show: present ones before missing ones, oldest
#: first. :func:`first_path` for SQLAlchemy; this, over ``locations`` as ``l``, for statements
#: written out by hand (search's, run on the driver's cursor).
SHOWN_PATH_ORDER = "l.missing, l.id"


def first_path(asset_id: sa.ColumnElement[Any] = assets.c.id) -> sa.ScalarSelect[Any]:
    """The path to show of the asset ``asset_id`` names (see :data:`SHOWN_PATH_ORDER`)."""
    return (
        sa.select(locations.c.path)
        .where(locations.c.asset_id == asset_id)
        .order_by(locations.c.missing, locations.c.id)
        .limit(1)
        .scalar_subquery()
    )


def list_assets(conn: sa.Connection, kind: str | None = None) -> list[AssetRow]:
    query = sa.select(assets, first_path().label("path")).order_by(sa.text("path"), assets.c.id)
    if kind:
        query = query.where(assets.c.kind == kind)
    return [
        AssetRow(r.id, r.kind, r.format, r.size, r.added_ms, r.path)
        for r in conn.execute(query).all()
    ]


def get_asset(conn: sa.Connection, asset_id: str) -> AssetRow | None:
    row = conn.execute(
        sa.select(assets, first_path().label("path")).where(assets.c.id == asset_id)
    ).first()
    return AssetRow(row.id, row.kind, row.format, row.size, row.added_ms, row.path) if row else None


def resolve_asset(conn: sa.Connection, ref: str) -> AssetRow:
    """An ASSET argument: an id, a unique id prefix, or the path of one of its locations."""
    ref = ref.strip()
    hex_ref = bool(ref) and all(c in "0123456789abcdef" for c in ref.lower())
    if hex_ref and len(ref) >= 4:
        ids = conn.execute(
            sa.select(assets.c.id).where(assets.c.id.startswith(ref.lower())).limit(2)
        ).scalars().all()
        if len(ids) == 1:
            found = get_asset(conn, ids[0])
            assert found is not None
            return found
        if len(ids) > 1:
            raise UsageError(f"asset id prefix {ref!r} is ambiguous; give more characters")
    loc = location_named(conn, ref) if ref else None
    if loc is not None:
        found = get_asset(conn, loc.asset_id)
        if found is not None:
            return found
    if hex_ref and len(ref) < 4:
        raise UsageError(f"asset id prefix {ref!r} is too short: give at least 4 characters")
    raise UsageError(f"no asset {ref!r} in this project (give an id, an id prefix or a file path)")


def count_by_kind(conn: sa.Connection) -> dict[str, int]:
    rows = conn.execute(
        sa.select(assets.c.kind, sa.func.count()).group_by(assets.c.kind).order_by(assets.c.kind)
    ).all()
    return {kind: n for kind, n in rows}


def assets_by_size(conn: sa.Connection, sizes: Sequence[int]) -> dict[int, list[str]]:
    rows = conn.execute(sa.select(assets.c.id, assets.c.size).where(assets.c.size.in_(sizes)))
    out: dict[int, list[str]] = {}
    for asset_id, size in rows:
        out.setdefault(size, []).append(asset_id)
    return out


def record_problem(conn: sa.Connection, key: bytes, stage: str, error: str) -> None:
    """Record (or replace) the one readable line saying why a path is not (fully) catalogued."""
    values = {"path": display_path(key), "stage": stage, "error": error, "at_ms": now_ms()}
    updated = conn.execute(
        problems.update().where(problems.c.path_bytes == key).values(**values)
    ).rowcount
    if not updated:
        conn.execute(problems.insert().values(path_bytes=key, **values))


def clear_problem(conn: sa.Connection, key: bytes, stage: str | None = None) -> None:
    """Forget the problems recorded for a path (those of one ``stage`` only, if given)."""
    where = problems.c.path_bytes == key
    if stage is not None:
        where = where & (problems.c.stage == stage)
    conn.execute(problems.delete().where(where))


@dataclass(frozen=True)
class ProblemRow:
    path_bytes: bytes
    path: str
    stage: str
    error: str


def list_problems(
    conn: sa.Connection, stage: str | None = None, keys: Iterable[bytes] | None = None
) -> list[ProblemRow]:
    """Recorded problems: all, one stage's, or those of some paths (by key)."""
    query = sa.select(problems).order_by(problems.c.path)
    if stage:
        query = query.where(problems.c.stage == stage)
    if keys is not None:
        query = query.where(problems.c.path_bytes.in_(list(keys)))
    return [
        ProblemRow(bytes(r.path_bytes), r.path, r.stage, r.error)
        for r in conn.execute(query).all()
    ]
