"""Tags, notes (markers when timed) and ratings, kept searchable in ``search_entries``.

Every tag and note has a search entry beside it (source ``tag`` / ``note``, ``ref_id`` = its
row), written in the same transaction, so logging is found by the one search and ``tag:``
filters without a second index to keep in step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import sqlalchemy as sa

from rushes.catalog.db import now_ms
from rushes.catalog.schema import clips, notes, ratings, search_entries, tags
from rushes.errors import UsageError


def to_us(t: Fraction) -> int:
    """Microseconds for ordering and search (the exact fraction is kept beside it), rounded up
    so that the start of a frame maps back to that frame, not the one before."""
    return math.ceil(t * 1_000_000)


def normalize_tag(name: str) -> str:
    """``" people / Ai  Weiwei "`` → ``"people/Ai Weiwei"``: one spelling per tag."""
    parts = [" ".join(p.split()) for p in name.split("/")]
    if not name.strip() or any(not p for p in parts):
        raise UsageError(f"not a tag: {name!r} (use words separated by '/', e.g. place/Chengdu)")
    return "/".join(parts)


def index_entry(
    conn: sa.Connection, source: str, ref_id: int | None, asset_id: str, text: str,
    start_us: int | None = None, end_us: int | None = None,
) -> None:
    conn.execute(
        search_entries.insert().values(
            asset_id=asset_id, source=source, ref_id=ref_id, text=text,
            start_us=start_us, end_us=end_us,
        )
    )


def unindex_entry(conn: sa.Connection, source: str, ref_id: int) -> None:
    conn.execute(
        search_entries.delete().where(
            search_entries.c.source == source, search_entries.c.ref_id == ref_id
        )
    )


@dataclass(frozen=True)
class TagRow:
    id: int
    asset_id: str
    clip_id: int | None
    name: str


def _clip_span(conn: sa.Connection, clip_id: int | None) -> tuple[int | None, int | None]:
    if clip_id is None:
        return None, None
    row = conn.execute(
        sa.select(clips.c.start_us, clips.c.end_us).where(clips.c.id == clip_id)
    ).first()
    return (row.start_us, row.end_us) if row else (None, None)


def add_tags(
    conn: sa.Connection, asset_id: str, names: list[str], clip_id: int | None = None
) -> list[str]:
    """Tag the asset (or one of its clips); a tag already there is not added twice."""
    added = []
    start_us, end_us = _clip_span(conn, clip_id)
    for raw in names:
        name = normalize_tag(raw)
        exists = conn.execute(
            sa.select(tags.c.id).where(
                tags.c.asset_id == asset_id, tags.c.name == name,
                tags.c.clip_id.is_(None) if clip_id is None else tags.c.clip_id == clip_id,
            )
        ).first()
        if exists:
            continue
        tag_id = conn.execute(
            tags.insert().values(
                asset_id=asset_id, clip_id=clip_id, name=name, created_ms=now_ms()
            ).returning(tags.c.id)
        ).scalar_one()
        index_entry(conn, "tag", tag_id, asset_id, name, start_us, end_us)
        added.append(name)
    return added


def remove_tags(
    conn: sa.Connection, asset_id: str, names: list[str], clip_id: int | None = None
) -> int:
    wanted = [normalize_tag(n) for n in names]
    rows = conn.execute(
        sa.select(tags.c.id).where(
            tags.c.asset_id == asset_id, tags.c.name.in_(wanted),
            tags.c.clip_id.is_(None) if clip_id is None else tags.c.clip_id == clip_id,
        )
    ).scalars().all()
    for tag_id in rows:
        unindex_entry(conn, "tag", tag_id)
        conn.execute(tags.delete().where(tags.c.id == tag_id))
    return len(rows)


def tags_of(conn: sa.Connection, asset_id: str) -> list[TagRow]:
    rows = conn.execute(
        sa.select(tags).where(tags.c.asset_id == asset_id).order_by(tags.c.name, tags.c.id)
    ).all()
    return [TagRow(r.id, r.asset_id, r.clip_id, r.name) for r in rows]


def tag_counts(conn: sa.Connection) -> list[tuple[str, int]]:
    """Every tag with the number of assets carrying it, for the tag list and filters."""
    rows = conn.execute(
        sa.select(tags.c.name, sa.func.count(sa.distinct(tags.c.asset_id)))
        .group_by(tags.c.name).order_by(tags.c.name)
    ).all()
    return [(name, int(n)) for name, n in rows]


@dataclass(frozen=True)
class NoteRow:
    id: int
    asset_id: str
    clip_id: int | None
    at: Fraction | None
    text: str
    author: str | None
    created_ms: int


def add_note(
    conn: sa.Connection, asset_id: str, text: str, *, at: Fraction | None = None,
    clip_id: int | None = None, author: str | None = None,
) -> int:
    """A note about the asset, or a marker when ``at`` names a moment."""
    text = text.strip()
    if not text:
        raise UsageError("a note needs some text")
    at_us = to_us(at) if at is not None else None
    note_id: int = conn.execute(
        notes.insert().values(
            asset_id=asset_id, clip_id=clip_id, at_time=str(at) if at is not None else None,
            at_us=at_us, text=text, author=author, created_ms=now_ms(),
        ).returning(notes.c.id)
    ).scalar_one()
    start_us, end_us = (at_us, at_us) if at_us is not None else _clip_span(conn, clip_id)
    index_entry(conn, "note", note_id, asset_id, text, start_us, end_us)
    return note_id


def notes_of(conn: sa.Connection, asset_id: str) -> list[NoteRow]:
    rows = conn.execute(
        sa.select(notes).where(notes.c.asset_id == asset_id)
        .order_by(notes.c.at_us.is_(None), notes.c.at_us, notes.c.id)
    ).all()
    return [
        NoteRow(r.id, r.asset_id, r.clip_id, Fraction(r.at_time) if r.at_time else None,
                r.text, r.author, r.created_ms)
        for r in rows
    ]


def remove_note(conn: sa.Connection, note_id: int) -> bool:
    unindex_entry(conn, "note", note_id)
    return bool(conn.execute(notes.delete().where(notes.c.id == note_id)).rowcount)


def set_rating(conn: sa.Connection, asset_id: str, value: int | None) -> None:
    """0–5 stars; None clears the rating."""
    if value is not None and not 0 <= value <= 5:
        raise UsageError(f"a rating is 0 to 5 stars, not {value}")
    conn.execute(ratings.delete().where(ratings.c.asset_id == asset_id))
    if value is not None:
        conn.execute(ratings.insert().values(asset_id=asset_id, value=value))


def rating_of(conn: sa.Connection, asset_id: str) -> int | None:
    value = conn.execute(
        sa.select(ratings.c.value).where(ratings.c.asset_id == asset_id)
    ).scalar()
    return int(value) if value is not None else None
