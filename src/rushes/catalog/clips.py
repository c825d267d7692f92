"""Clips (subclips, selects: an asset with an in and out point and a label) and bins.

A clip's label is searchable (search entry source ``clip``). In and out are exact fractions of
seconds of media time; out is exclusive, as in an EDL, so ``01:00-02:00`` is one second.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sqlalchemy as sa

from rushes.catalog.assets import first_path
from rushes.catalog.db import now_ms
from rushes.catalog.logs import index_entry, to_us, unindex_entry
from rushes.catalog.schema import assets, bin_entries, bins, clips, notes, tags
from rushes.errors import UsageError


@dataclass(frozen=True)
class ClipRow:
    id: int
    asset_id: str
    start: Fraction
    end: Fraction
    label: str | None
    rating: int | None
    created_ms: int
    path: str | None
    kind: str


def _clip_query() -> sa.Select[Any]:
    return sa.select(clips, first_path().label("path"), assets.c.kind).join(
        assets, assets.c.id == clips.c.asset_id
    )


def _row(r: Any) -> ClipRow:
    return ClipRow(
        r.id, r.asset_id, Fraction(r.in_time), Fraction(r.out_time), r.label, r.rating,
        r.created_ms, r.path, r.kind,
    )


def add_clip(
    conn: sa.Connection, asset_id: str, start: Fraction, end: Fraction, label: str | None
) -> int:
    clip_id: int = conn.execute(
        clips.insert().values(
            asset_id=asset_id, in_time=str(start), out_time=str(end), start_us=to_us(start),
            end_us=to_us(end), label=label, created_ms=now_ms(),
        ).returning(clips.c.id)
    ).scalar_one()
    if label:
        index_entry(conn, "clip", clip_id, asset_id, label, to_us(start), to_us(end))
    return clip_id


def get_clip(conn: sa.Connection, clip_id: int) -> ClipRow:
    row = conn.execute(_clip_query().where(clips.c.id == clip_id)).first()
    if row is None:
        raise UsageError(f"no clip {clip_id} in this project (see `rushes clip ls`)")
    return _row(row)


def find_clip(conn: sa.Connection, clip_id: int) -> ClipRow | None:
    row = conn.execute(_clip_query().where(clips.c.id == clip_id)).first()
    return _row(row) if row is not None else None


def list_clips(conn: sa.Connection, asset_id: str | None = None) -> list[ClipRow]:
    query = _clip_query().order_by(clips.c.asset_id, clips.c.start_us, clips.c.id)
    if asset_id is not None:
        query = query.where(clips.c.asset_id == asset_id)
    return [_row(r) for r in conn.execute(query).all()]


def set_clip_rating(conn: sa.Connection, clip_id: int, value: int | None) -> None:
    if value is not None and not 0 <= value <= 5:
        raise UsageError(f"a rating is 0 to 5 stars, not {value}")
    get_clip(conn, clip_id)
    conn.execute(clips.update().where(clips.c.id == clip_id).values(rating=value))


def remove_clip(conn: sa.Connection, clip_id: int) -> None:
    """Delete a clip with its tags and notes; cuts keep the range they copied from it."""
    get_clip(conn, clip_id)
    unindex_entry(conn, "clip", clip_id)
    for table, source in ((tags, "tag"), (notes, "note")):
        for ref in conn.execute(
            sa.select(table.c.id).where(table.c.clip_id == clip_id)
        ).scalars().all():
            unindex_entry(conn, source, ref)
    conn.execute(clips.delete().where(clips.c.id == clip_id))


# --- bins -----------------------------------------------------------------------------------


def new_bin(conn: sa.Connection, name: str) -> int:
    name = name.strip()
    if not name:
        raise UsageError("a bin needs a name")
    if conn.execute(sa.select(bins.c.id).where(bins.c.name == name)).first():
        raise UsageError(f"there is already a bin named {name!r}")
    bin_id: int = conn.execute(
        bins.insert().values(name=name, created_ms=now_ms()).returning(bins.c.id)
    ).scalar_one()
    return bin_id


def bin_id(conn: sa.Connection, name: str) -> int:
    found = conn.execute(sa.select(bins.c.id).where(bins.c.name == name)).scalar()
    if found is None:
        raise UsageError(f"no bin named {name!r} (see `rushes bin ls`)")
    return int(found)


def add_bin_entry(
    conn: sa.Connection, bin_: int, *, asset_id: str | None = None, clip_id: int | None = None
) -> bool:
    """Put an asset or a clip in a bin (once); True when it was not there yet."""
    where = (
        bin_entries.c.clip_id == clip_id if clip_id is not None
        else sa.and_(bin_entries.c.asset_id == asset_id, bin_entries.c.clip_id.is_(None))
    )
    if conn.execute(sa.select(bin_entries.c.id).where(bin_entries.c.bin_id == bin_, where)).first():
        return False
    seq = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(bin_entries.c.seq), 0))
        .where(bin_entries.c.bin_id == bin_)
    ).scalar_one()
    conn.execute(
        bin_entries.insert().values(
            bin_id=bin_, asset_id=asset_id, clip_id=clip_id, seq=int(seq) + 1
        )
    )
    return True


def remove_bin_entry(
    conn: sa.Connection, bin_: int, *, asset_id: str | None = None, clip_id: int | None = None
) -> bool:
    where = (
        bin_entries.c.clip_id == clip_id if clip_id is not None
        else sa.and_(bin_entries.c.asset_id == asset_id, bin_entries.c.clip_id.is_(None))
    )
    return bool(conn.execute(
        bin_entries.delete().where(bin_entries.c.bin_id == bin_, where)
    ).rowcount)


def bin_contents(conn: sa.Connection, bin_: int) -> list[tuple[str | None, int | None]]:
    """(asset id, clip id) pairs in the order they were put in."""
    rows = conn.execute(
        sa.select(bin_entries.c.asset_id, bin_entries.c.clip_id)
        .where(bin_entries.c.bin_id == bin_).order_by(bin_entries.c.seq)
    ).all()
    return [(a, c) for a, c in rows]


def list_bins(conn: sa.Connection) -> list[tuple[str, int]]:
    rows = conn.execute(
        sa.select(bins.c.name, sa.func.count(bin_entries.c.id))
        .outerjoin(bin_entries, bin_entries.c.bin_id == bins.c.id)
        .group_by(bins.c.id, bins.c.name).order_by(bins.c.name)
    ).all()
    return [(name, int(n)) for name, n in rows]
