"""Paper edits: a named, ordered list of items with a sequence rate and start timecode.

Items are renumbered 1..n on every change: a cut holds hundreds of items, not millions, and
dense positions are what people type (`rushes cut move NAME 7 2`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sqlalchemy as sa

from rushes.catalog.db import now_ms
from rushes.catalog.schema import cut_items, cuts
from rushes.errors import UsageError

ITEM_KINDS = ("clip", "range", "still", "title", "voiceover", "note")


@dataclass(frozen=True)
class CutRow:
    id: int
    name: str
    #: "" while the cut follows its first video source's rate; else a fraction ("30000/1001").
    rate: str
    drop_frame: bool
    start_timecode: str
    created_ms: int
    updated_ms: int


@dataclass
class NewItem:
    """An item to insert; ``start``/``end`` are media seconds of its asset, ``duration``
    seconds (stills, titles, voice-over)."""

    kind: str
    clip_id: int | None = None
    asset_id: str | None = None
    start: Fraction | None = None
    end: Fraction | None = None
    duration: Fraction | None = None
    text: str | None = None
    label: str | None = None


@dataclass
class ItemRow(NewItem):
    """An item as stored: the same fields, with its row id and 1-based position."""

    id: int = field(kw_only=True)
    position: int = field(kw_only=True)


def _cut(r: Any) -> CutRow:
    return CutRow(r.id, r.name, r.rate, bool(r.drop_frame), r.start_timecode, r.created_ms,
                  r.updated_ms)


def new_cut(
    conn: sa.Connection, name: str, rate: str, drop_frame: bool, start_timecode: str
) -> CutRow:
    name = name.strip()
    if not name:
        raise UsageError("a cut needs a name")
    if conn.execute(sa.select(cuts.c.id).where(cuts.c.name == name)).first():
        raise UsageError(f"there is already a cut named {name!r}")
    now = now_ms()
    conn.execute(
        cuts.insert().values(
            name=name, rate=rate, drop_frame=drop_frame, start_timecode=start_timecode,
            created_ms=now, updated_ms=now,
        )
    )
    return get_cut(conn, name)


def get_cut(conn: sa.Connection, name: str) -> CutRow:
    row = conn.execute(sa.select(cuts).where(cuts.c.name == name)).first()
    if row is None:
        raise UsageError(f"no cut named {name!r} (see `rushes cut ls`)")
    return _cut(row)


def list_cuts(conn: sa.Connection) -> list[CutRow]:
    return [_cut(r) for r in conn.execute(sa.select(cuts).order_by(cuts.c.name)).all()]


def update_cut(conn: sa.Connection, cut: CutRow, **values: Any) -> None:
    conn.execute(
        cuts.update().where(cuts.c.id == cut.id).values(updated_ms=now_ms(), **values)
    )


def delete_cut(conn: sa.Connection, cut: CutRow) -> None:
    conn.execute(cuts.delete().where(cuts.c.id == cut.id))


def _frac(value: str | None) -> Fraction | None:
    return Fraction(value) if value else None


def items_of(conn: sa.Connection, cut: CutRow) -> list[ItemRow]:
    rows = conn.execute(
        sa.select(cut_items).where(cut_items.c.cut_id == cut.id).order_by(cut_items.c.seq)
    ).all()
    return [
        ItemRow(
            r.kind, r.clip_id, r.asset_id, _frac(r.in_time), _frac(r.out_time),
            _frac(r.duration), r.text, r.label, id=r.id, position=r.seq,
        )
        for r in rows
    ]


def _renumber(conn: sa.Connection, cut: CutRow, ids: list[int]) -> None:
    # Two passes so the new numbers never collide with old ones mid-way (no unique index is
    # relied upon, but readers in between see a consistent order either way).
    for seq, item_id in enumerate(ids, start=1):
        conn.execute(cut_items.update().where(cut_items.c.id == item_id).values(seq=seq))
    update_cut(conn, cut)


def _check_position(position: int, count: int, what: str) -> None:
    if not 1 <= position <= count:
        raise UsageError(
            f"{what} {position} is not in the cut (it has {count} item{'s' * (count != 1)})"
        )


def insert_items(
    conn: sa.Connection, cut: CutRow, items: list[NewItem], position: int | None = None
) -> list[int]:
    """Insert items before ``position`` (1-based; default: at the end); returns their ids."""
    current = [i.id for i in items_of(conn, cut)]
    if position is not None:
        _check_position(position, len(current) + 1, "position")
    at = len(current) if position is None else position - 1
    new_ids = []
    for item in items:
        if item.kind not in ITEM_KINDS:
            raise UsageError(f"not a cut item kind: {item.kind!r}")
        new_ids.append(conn.execute(
            cut_items.insert().values(
                cut_id=cut.id, seq=0, kind=item.kind, clip_id=item.clip_id,
                asset_id=item.asset_id,
                in_time=str(item.start) if item.start is not None else None,
                out_time=str(item.end) if item.end is not None else None,
                duration=str(item.duration) if item.duration is not None else None,
                text=item.text, label=item.label,
            ).returning(cut_items.c.id)
        ).scalar_one())
    _renumber(conn, cut, current[:at] + new_ids + current[at:])
    return new_ids


def move_item(conn: sa.Connection, cut: CutRow, from_pos: int, to_pos: int) -> None:
    """Move the item at ``from_pos`` so that it ends up at ``to_pos`` (both 1-based)."""
    ids = [i.id for i in items_of(conn, cut)]
    _check_position(from_pos, len(ids), "item")
    _check_position(to_pos, len(ids), "position")
    item = ids.pop(from_pos - 1)
    ids.insert(to_pos - 1, item)
    _renumber(conn, cut, ids)


def remove_item(conn: sa.Connection, cut: CutRow, position: int) -> ItemRow:
    items = items_of(conn, cut)
    _check_position(position, len(items), "item")
    gone = items[position - 1]
    conn.execute(cut_items.delete().where(cut_items.c.id == gone.id))
    _renumber(conn, cut, [i.id for i in items if i.id != gone.id])
    return gone


def clips_in_cut(conn: sa.Connection, cut: CutRow) -> set[int]:
    rows = conn.execute(
        sa.select(cut_items.c.clip_id).where(
            cut_items.c.cut_id == cut.id, cut_items.c.clip_id.is_not(None)
        )
    ).scalars().all()
    return {int(r) for r in rows}
