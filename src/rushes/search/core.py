"""What both backends share: the filter set, the candidate row, and filters as SQL.

Filters are plain SQL over ``search_entries e`` (and small subqueries on ``assets``,
``results`` and other ``search_entries`` rows), written once with the one dialect difference
(ASCII-only lower-casing) spelled out, so SQLite and PostgreSQL filter identically.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from rushes.catalog.logs import normalize_tag
from rushes.catalog.schema import SEARCH_SOURCES
from rushes.domain import ASSET_KINDS
from rushes.errors import UsageError
from rushes.search.query import Query, normalise_date, shorten

_HEX = frozenset("0123456789abcdef")

#: A source filter names one of the kinds of text indexed: anything else is a typo, said so,
#: as ``source:notes`` would otherwise quietly find nothing.
SOURCES = SEARCH_SOURCES


@dataclass
class Filters:
    """Conditions every hit must meet; each list is ANDed (``kind:video kind:audio`` finds
    nothing). Tags and speakers match case-insensitively (ASCII letters), a value ending in
    ``*`` as a prefix. A tag is a path: it matches itself and the tags below it (``people``
    finds ``people/Ai Weiwei``), never a tag it only begins (``people/Ai`` does not find
    ``people/Ai Weiwei``: that is ``people/Ai*``)."""

    kinds: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None

    @classmethod
    def build(cls, query: Query, **given: Any) -> Filters:
        out = cls()
        out.kinds = [*query.filter_values("kind"), *_listed(given.get("kind"))]
        out.assets = [*query.filter_values("asset"), *_listed(given.get("asset"))]
        out.speakers = [*query.filter_values("speaker"), *_listed(given.get("speaker"))]
        out.tags = [*query.filter_values("tag"), *_listed(given.get("tag"))]
        out.sources = [*query.filter_values("source"), *_listed(given.get("source"))]
        for kind in out.kinds:
            if kind.lower() not in ASSET_KINDS:
                raise UsageError(
                    f"kind: wants one of {', '.join(ASSET_KINDS)}, not {shorten(kind)!r}"
                )
        out.kinds = [k.lower() for k in out.kinds]
        for source in out.sources:
            if source.lower() not in SOURCES:
                raise UsageError(
                    f"source: wants one of {', '.join(SOURCES)}, not {shorten(source)!r}"
                )
        out.sources = [s.lower() for s in out.sources]
        # Spelled as tags are stored: `--tag "people / Ai"`; `tag:people/` is not a tag.
        out.tags = [normalize_tag(t) for t in out.tags]
        for value in out.assets:
            if not value or not set(value.lower()) <= _HEX:
                raise UsageError(
                    f"asset: wants an asset id or id prefix (hex), not {shorten(value)!r}"
                )
        froms = [normalise_date("after", v) for v in query.filter_values("after")]
        tos = [normalise_date("before", v) for v in query.filter_values("before")]
        if given.get("date_from"):
            froms.append(normalise_date("after", str(given["date_from"])))
        if given.get("date_to"):
            tos.append(normalise_date("before", str(given["date_to"])))
        out.date_from = max(froms) if froms else None
        out.date_to = min(tos) if tos else None
        return out

    @property
    def narrows_assets(self) -> bool:
        """Whether a filter is a set of assets (kind, tag, date) that :func:`filter_sql`
        builds once and probes per row, which a planner cannot estimate through."""
        return bool(self.kinds or self.tags or self.date_from or self.date_to)


def _listed(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


@dataclass(frozen=True)
class Candidate:
    """A matching ``search_entries`` row, as both backends return it (newest id first)."""

    id: int
    asset_id: str
    source: str
    ref_id: int | None
    start_us: int | None
    end_us: int | None
    text: str
    speaker: str | None


#: Columns of :class:`Candidate`, in order, for the backends' SELECT lists.
COLUMNS = "e.id, e.asset_id, e.source, e.ref_id, e.start_us, e.end_us, e.text, e.speaker"


class Params:
    """Named bind parameters handed out as ``:p0``, ``:p1``… while SQL text is assembled."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f":{name}"

    def used(self, sql: str) -> dict[str, Any]:
        """The values the final SQL names (a sub-expression compiled twice leaves strays)."""
        names = set(re.findall(r":(p\d+)\b", sql))
        return {k: v for k, v in self.values.items() if k in names}


def fetch(conn: sa.Connection, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Rows of one search statement, run on the driver's cursor inside ``conn``'s transaction.

    A search runs three small statements; through SQLAlchemy's statement and result layers each
    cost ~100 µs more than on the cursor (~20 µs), which was a third of a rare-word search at
    1,000 hours. The SQL is ours, with every value bound, written with ``:name`` parameters
    (sqlite3's named style); psycopg wants ``%(name)s`` and a literal ``%`` doubled.

    psycopg prepares a statement once it has run five times on a connection, which saves
    PostgreSQL's parsing (0.1–0.3 ms a search at 1,000 h, measured against ``prepare=False``).
    PostgreSQL could then plan a candidate statement once for all values, where the best plan
    depends on how common the word is; it does not, as its generic estimate costs more than
    the plans made for the values (``pg_prepared_statements``: no generic plan of a candidate
    statement after 400 bench searches, while the lookups by id use theirs).
    """
    if conn.dialect.name == "postgresql":
        sql = _pyformat(sql)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def fetch_many(
    conn: sa.Connection, statements: list[tuple[str, dict[str, Any]]]
) -> list[list[tuple[Any, ...]]]:
    """The rows of several independent statements, as :func:`fetch` gives them; on PostgreSQL
    sent together in psycopg's pipeline mode, so that they cost one round trip, not one each."""
    if conn.dialect.name != "postgresql" or len(statements) < 2:
        return [fetch(conn, sql, params) for sql, params in statements]
    driver: Any = conn.connection.driver_connection  # a psycopg Connection
    cursors = [driver.cursor() for _ in statements]
    try:
        with driver.pipeline():
            for cursor, (sql, params) in zip(cursors, statements, strict=True):
                cursor.execute(_pyformat(sql), params)
        return [list(cursor.fetchall()) for cursor in cursors]
    except Exception:
        # When a statement fails, the server skips the rest of the pipeline, but psycopg may
        # already count a later statement as prepared (it prepares on the sixth run): that
        # connection would then fail every search naming it. It is dropped from the pool.
        conn.invalidate()
        raise
    finally:
        for cursor in cursors:
            cursor.close()


def in_list(
    conn: sa.Connection, column: str, values: list[Any], sql_type: str
) -> tuple[str, dict[str, Any]]:
    """``column`` is one of ``values``, for :func:`fetch`: one array parameter on PostgreSQL
    (200 separate parameters cost more to plan than the query to run), a parameter each on
    SQLite up to a page's worth, then one JSON array (a deep page can name more assets than
    SQLite allows parameters)."""
    if conn.dialect.name == "postgresql":
        return f"{column} = ANY(CAST(:vals AS {sql_type}[]))", {"vals": values}
    if len(values) > _MAX_SQLITE_PARAMS:
        return f"{column} IN (SELECT value FROM json_each(:vals))", {"vals": json.dumps(values)}
    names = {f"v{n}": v for n, v in enumerate(values)}
    return f"{column} IN ({', '.join(f':{n}' for n in names)})", names


_MAX_SQLITE_PARAMS = 500

#: ``:name`` but not the second colon of a ``::type`` cast.
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@functools.lru_cache(maxsize=256)
def _pyformat(sql: str) -> str:
    """psycopg's spelling of ``sql``; cached, as most search statements recur verbatim."""
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))


def ascii_lower(value: str) -> str:
    """Lower-case ASCII letters only: what SQLite's lower() does, and PostgreSQL's under "C"."""
    return value.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


#: A set-of-assets filter (kind, tag, date) keeping at most this many assets is resolved to
#: their ids before the search: see :func:`few_assets`.
FEW_ASSETS = 32


def filter_sql(
    filters: Filters, params: Params, dialect: str, assets: list[str] | None = None
) -> list[str]:
    """SQL conditions on ``e`` for the filters (ANDed by the caller). ``assets``: the ids the
    set-of-assets filters keep, when :func:`few_assets` resolved them, else they are built as
    subqueries."""

    low = _lower(dialect)

    def assets_in(subquery: str) -> str:
        """The row's asset is in the set ``subquery`` names. The rows still come from the text
        index (or newest-first); the set is built once and probed per row: SQLite makes a
        temporary index of it, and on PostgreSQL ``IS TRUE`` keeps the IN a hashed SubPlan
        instead of letting the planner turn it into a join whose order it estimates, which
        at 1,000 h took up to 9 s for a common word after:2020. (The earlier ``=
        ANY(ARRAY(subquery))`` compared each row with the whole array in turn: 57 ms for a
        common word with kind:video, against 1.4 ms.)

        The uncorrelated EXISTS is evaluated once, before any row is read, by both
        databases: an empty set (a tag nobody used) ends the search there instead of
        checking every row that holds a common word (150 ms at 1,000 h)."""
        member = (f"(e.asset_id IN ({subquery})) IS TRUE" if dialect == "postgresql"
                  else f"e.asset_id IN ({subquery})")
        return f"EXISTS ({subquery}) AND {member}"

    out: list[str] = []
    if assets is not None:
        names = ", ".join(params.add(a) for a in assets)
        out.append(f"e.asset_id IN ({names})" if names else "0 = 1")
    else:
        out += [assets_in(sub) for sub in _asset_sets(filters, params, low)]
    for prefix in filters.assets:
        prefix = prefix.lower()
        # A range, not LIKE: it uses the asset_id index on both databases.
        lo, hi = params.add(prefix), params.add(prefix + "g")
        out.append(f"e.asset_id >= {lo} AND e.asset_id < {hi}")
    out += [_tag_scope(tag, params, low) for tag in filters.tags]
    for speaker in filters.speakers:
        out.append(f"e.speaker IS NOT NULL AND {_name_match('e.speaker', speaker, params, low)}")
    for source in filters.sources:
        out.append(f"e.source = {params.add(source)}")
    return out


def few_assets(conn: sa.Connection, filters: Filters) -> list[str] | None:
    """The ids of the assets the set-of-assets filters keep, if there are at most
    :data:`FEW_ASSETS` of them; None when there are more, or no such filter.

    A planner cannot see into a set built by a subquery, and a narrow set is where that
    hurts: the newest-first walk for a common word reads every newer row until it reaches
    the set's (200,000 rows for a month at 1,000 h: 20 ms on SQLite, 150 ms for a prefix on
    PostgreSQL). Given the ids, SQLite walks each asset's rows alone and PostgreSQL plans
    with the real values."""
    if not filters.narrows_assets:
        return None
    params = Params()
    sets = _asset_sets(filters, params, _lower(conn.dialect.name))
    where = " AND ".join(f"a.id IN ({sub})" for sub in sets)
    sql = f"SELECT a.id FROM assets a WHERE {where} LIMIT {FEW_ASSETS + 1}"
    ids = [row[0] for row in fetch(conn, sql, params.used(sql))]
    return ids if len(ids) <= FEW_ASSETS else None


def entry_ranges(conn: sa.Connection, assets: list[str]) -> list[tuple[int, int]]:
    """The id ranges holding the assets' entries, highest first, overlapping ones merged.

    An asset's entries are mostly one run of ids (written together at ingest); its range may
    hold other assets' rows too, which the asset condition leaves out. Each bound is one seek
    in the ``(asset_id, id)`` index (migration 0006).
    """
    if conn.dialect.name == "postgresql":
        each = "unnest(CAST(:ids AS text[])) AS v(value)"
        ids: Any = assets
    else:
        each, ids = "json_each(:ids) v", json.dumps(assets)
    rows = fetch(conn, (
        "SELECT (SELECT min(id) FROM search_entries WHERE asset_id = v.value), "
        f"(SELECT max(id) FROM search_entries WHERE asset_id = v.value) FROM {each}"
    ), {"ids": ids})
    out: list[tuple[int, int]] = []
    for lo, hi in sorted((r for r in rows if r[0] is not None), key=lambda r: -r[1]):
        if out and hi >= out[-1][0] - 1:
            out[-1] = (min(lo, out[-1][0]), out[-1][1])
        else:
            out.append((lo, hi))
    return out


def run_candidates(
    conn: sa.Connection, sql: str, values: dict[str, Any], limit_param: str, limit: int,
    assets: list[str] | None,
) -> list[Candidate]:
    """The rows of a backend's candidate statement ``sql``. Without ``assets``, one run. With
    them, ``sql`` is bounded by ``:lo``/``:hi`` and runs once per stretch of those assets'
    rows (:func:`entry_ranges`), from the highest, each time limited (``limit_param``) to what
    is still missing, stopping as soon as there are ``limit``: a common word fills a page from
    the first stretch or two."""
    if assets is None:
        return [Candidate(*row) for row in fetch(conn, sql, values)]
    out: list[Candidate] = []
    for lo, hi in entry_ranges(conn, assets):
        values.update({"lo": lo, "hi": hi, limit_param.removeprefix(":"): limit - len(out)})
        out += [Candidate(*row) for row in fetch(conn, sql, values)]
        if len(out) >= limit:
            break
    return out


def _lower(dialect: str) -> Callable[[str], str]:
    """SQL lower-casing ASCII letters only (ascii_lower) on either database."""
    if dialect == "postgresql":
        return lambda expr: f'lower({expr} COLLATE "C")'
    return lambda expr: f"lower({expr})"


def _name_match(
    expr: str, value: str, params: Params, low: Callable[[str], str], hierarchical: bool = False
) -> str:
    value = ascii_lower(value.strip())
    if value.endswith("*"):
        pattern = params.add(like_escape(value.rstrip("*")) + "%")
        return f"{low(expr)} LIKE {pattern} ESCAPE '\\'"
    cond = f"{low(expr)} = {params.add(value)}"
    if hierarchical:
        below = params.add(like_escape(value.rstrip("/")) + "/%")
        cond = f"({cond} OR {low(expr)} LIKE {below} ESCAPE '\\')"
    return cond


def _tag_scope(tag: str, params: Params, low: Callable[[str], str]) -> str:
    """Where in its asset a row must be to carry ``tag``: anywhere when the asset itself has
    the tag, within a tagged clip's span otherwise. A clip tagged "selects" is the selected
    moment, not the whole interview (the asset set of :func:`_asset_sets` holds both kinds of
    tag, so it narrows first). A row overlaps a clip when it starts before the clip's end
    and ends after its start; a row without an end, or of no length, when it starts within
    it; a row without times (a note on the whole asset) is in no clip."""
    named = _name_match("g.name", tag, params, low, hierarchical=True)
    return (
        f"(EXISTS (SELECT 1 FROM tags g WHERE g.asset_id = e.asset_id AND g.clip_id IS NULL "
        f"AND {named}) OR EXISTS (SELECT 1 FROM tags g JOIN clips c ON c.id = g.clip_id "
        f"WHERE g.asset_id = e.asset_id AND {named} AND e.start_us < c.end_us "
        "AND (e.end_us > c.start_us OR e.start_us >= c.start_us)))"
    )


def _asset_sets(filters: Filters, params: Params, low: Callable[[str], str]) -> list[str]:
    """One subquery naming a set of asset ids per kind, tag and date filter."""
    out = [f"SELECT a.id FROM assets a WHERE a.kind = {params.add(kind)}" for kind in filters.kinds]
    for tag in filters.tags:
        # From the tags themselves (a few thousand rows), not from their search entries,
        # which SQLite may find by scanning every entry when its statistics say that
        # ``source`` is not selective (73 ms at 1,000 h).
        named = _name_match("g.name", tag, params, low, hierarchical=True)
        out.append(f"SELECT g.asset_id FROM tags g WHERE {named}")
    if filters.date_from or filters.date_to:
        # created_day: the probe's creation date, a generated, indexed column (migration 0005).
        conds = ["r.analyzer = 'probe'"]
        if filters.date_from:
            conds.append(f"r.created_day >= {params.add(filters.date_from)}")
        if filters.date_to:
            conds.append(f"r.created_day < {params.add(filters.date_to)}")
        out.append("SELECT r.asset_id FROM results r WHERE " + " AND ".join(conds))
    return out
