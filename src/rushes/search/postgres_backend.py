"""Candidate rows on PostgreSQL: the ``tsv`` column (GIN) for words, pg_trgm (GIN) for substrings.

Latin-script sub-expressions become one tsquery (``&&``, ``||``, ``!!`` of
``phraseto_tsquery('simple', …)``), so the GIN index answers the whole boolean at once; CJK terms
become ``text ILIKE '%…%'``, which the pg_trgm index serves from three characters up; one or two
characters of those scripts are looked up in ``grams_tsv`` (GIN over the text's character
bigrams: the bigram itself, or for one character every lexeme it starts) and checked with ILIKE.
Each term is handed to PostgreSQL's own parser as typed, so it is
split exactly as the documents were.

Rows come newest id first with a LIMIT, as on SQLite; the planner walks the primary key
backwards for very common words (stopping after LIMIT rows) and uses the GIN index for rare ones,
so no query ranks millions of rows. Where its estimates mislead it, or cost more than the
search, this module decides: a rare word, a rare phrase or a word in a filtered set is sorted
from the GIN index without the planner's estimate (:func:`_bounded`), and a common word in a few
assets walks their stretches of rows as on SQLite (:func:`candidates`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from rushes.search.core import (
    COLUMNS,
    Candidate,
    Filters,
    Params,
    few_assets,
    filter_sql,
    like_escape,
    run_candidates,
)
from rushes.search.query import And, Node, Not, Or, Term


@dataclass(frozen=True)
class _Tsq:
    """A sub-expression that one tsquery answers."""

    sql: str


@dataclass(frozen=True)
class _Cond:
    sql: str


_Compiled = _Tsq | _Cond


def _term(term: Term, params: Params) -> _Compiled:
    if term.substring:
        pattern = params.add("%" + like_escape(term.text) + "%")
        if len(term.text) >= 3:
            return _Cond(f"e.text ILIKE {pattern} ESCAPE '\\'")
        # pg_trgm has no trigram to look up for one or two characters: its index would hand
        # back every row. Hide the column from it (the bigram index answers, or, for a term
        # mixing scripts, the planner walks the primary key newest-first to the LIMIT).
        like = f"(e.text || '') ILIKE {pattern} ESCAPE '\\'"
        if not term.by_grams:
            return _Cond(like)
        # The lexeme quoted verbatim: these characters are never a quote or a backslash.
        lexeme = f"'{term.text}'" + (":*" if len(term.text) == 1 else "")
        return _Cond(f"(e.grams_tsv @@ CAST({params.add(lexeme)} AS tsquery) AND {like})")
    if term.prefix:
        # Words from the tokenizer hold only letters and digits: safe inside quotes.
        lexemes = [f"'{w}'" for w in term.words]
        lexemes[-1] += ":*"
        return _Tsq(f"to_tsquery('simple', {params.add(' <-> '.join(lexemes))})")
    # The index holds folded words (rushes_fold in the migration); so does term.words.
    return _Tsq(f"phraseto_tsquery('simple', {params.add(' '.join(term.words))})")


def _cond(c: _Compiled, hidden: bool = False, unestimated: bool = False) -> str:
    """``c`` as a condition on ``e``.

    ``hidden``: written as the function behind ``@@``, which the GIN index cannot serve, so
    that a walk of the primary key stays the plan (a bitmap of a common word's rows would cost
    more than the walk).

    ``unestimated``: the tsquery as an InitPlan, ``(SELECT …)``, which the GIN index still
    serves but the planner cannot look up in the word statistics. Where this module has
    chosen the plan (:func:`_bounded`) the estimate changes nothing, and it is most of the
    planning: the 10,000 words migration 0005 keeps statistics on are unpacked for every
    lookup, 0.28 ms of a rare word's 0.31 ms planning at 1,000 h (0.04 ms as an InitPlan)."""
    if isinstance(c, _Cond):
        return c.sql
    if hidden:
        return f"ts_match_vq(e.tsv, {c.sql})"
    return f"e.tsv @@ (SELECT {c.sql})" if unestimated else f"e.tsv @@ ({c.sql})"


def _compile(node: Node, params: Params, unestimated: bool = False) -> _Compiled:
    """``node`` as SQL; ``unestimated``: see :func:`_cond`."""
    if isinstance(node, Term):
        return _term(node, params)
    if isinstance(node, Not):
        child = _compile(node.child, params, unestimated)
        return _Tsq(f"!!({child.sql})") if isinstance(child, _Tsq) else _Cond(f"NOT ({child.sql})")
    parts = [_compile(c, params, unestimated) for c in node.children]
    op_tsq, op_sql = ("&&", "AND") if isinstance(node, And) else ("||", "OR")
    tsqs = [p.sql for p in parts if isinstance(p, _Tsq)]
    if len(tsqs) == len(parts):
        return _Tsq(f" {op_tsq} ".join(f"({s})" for s in tsqs))
    if isinstance(node, Or):
        return _Cond("(" + " OR ".join(f"({_cond(p, unestimated=unestimated)})"
                                       for p in parts) + ")")
    # AND: the word parts still as one tsquery, the substrings beside it.
    conds = [p.sql for p in parts if isinstance(p, _Cond)]
    if tsqs:
        tsq = _Tsq(f" {op_tsq} ".join(f"({s})" for s in tsqs))
        conds.insert(0, _cond(tsq, unestimated=unestimated))
    return _Cond(f" {op_sql} ".join(f"({c})" for c in conds))


def candidates(
    conn: sa.Connection, expr: Node | None, filters: Filters, limit: int
) -> list[Candidate]:
    """Up to ``limit`` matching rows, newest (highest id) first."""
    # A few assets are named to the planner, which then estimates their rows.
    assets = few_assets(conn, filters)
    if assets == []:
        return []
    params = Params()
    bounded = expr is not None and _bounded(expr, filters, conn)
    compiled = None if expr is None else _compile(expr, params, unestimated=bounded)
    walk = assets is not None and expr is not None and not bounded and _some_word(expr)
    hidden = walk or (expr is not None and not bounded and _common_word(expr, filters, conn))
    conds = [] if compiled is None else [_cond(compiled, hidden=hidden, unestimated=bounded)]
    conds += filter_sql(filters, params, "postgresql", assets)
    if walk:
        conds.append("e.id BETWEEN :lo AND :hi")
    where = " AND ".join(f"({c})" for c in conds)
    # ``e.id + 0`` cannot be read off the primary key, so the planner must use the GIN index
    # and sort the (few) matches: see :func:`_bounded`.
    order = "e.id + 0" if bounded else "e.id"
    n = params.add(limit)
    sql = (
        f"SELECT {COLUMNS} FROM search_entries e"
        + (f" WHERE {where}" if where else "")
        + f" ORDER BY {order} DESC LIMIT {n}"
    )
    # A common word in a few assets: walk each stretch of their rows newest first, as on
    # SQLite. Left to the planner, it walked the whole table's newest rows until it reached
    # the assets' (a month at 1,000 h: 22 ms for a common word, up to 70 ms for a phrase of
    # two), or read every row of the set through the asset index and sorted them (11 ms).
    return run_candidates(conn, sql, params.used(sql), n, limit, assets if walk else None)


#: How long the word statistics are trusted before they are read again.
_STATS_TTL = 300.0
#: A phrase whose rarest word is in at most this many rows is answered from the GIN index and
#: sorted (fetching that many rows costs ~5 ms per thousand here); above it, the newest-first
#: walk of the primary key stays the plan.
BITMAP_ROWS = 10_000
#: Any word in at most this many rows is answered from the GIN index and sorted. PostgreSQL
#: itself turns to the walk from ~2,000 rows, where at 1,000 h sorting is still faster up to
#: ~4,000 (a word in 2,000 rows, first query: 4.6 against 15 ms; 3,000 rows: 5.7 against 10).
WORD_BITMAP_ROWS = 3_000


@dataclass(frozen=True)
class _WordStats:
    """PostgreSQL's own statistics of ``tsv``: the share of rows holding each of the most common
    words, the share below which every other word lies, and the table's row count."""

    share: dict[str, float]
    floor: float
    rows: float

    def rows_with(self, word: str) -> float:
        return self.share.get(word, self.floor) * self.rows


_stats_cache: dict[str, tuple[float, _WordStats | None]] = {}


def _word_stats(conn: sa.Connection) -> _WordStats | None:
    """The statistics (None before the table has been analysed), read at most every few
    minutes per database."""
    key = str(conn.engine.url)
    now = time.monotonic()
    cached = _stats_cache.get(key)
    if cached is not None and now - cached[0] < _STATS_TTL:
        return cached[1]
    row = conn.execute(sa.text(
        "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples "
        "FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename "
        "WHERE s.tablename = 'search_entries' AND s.attname = 'tsv'"
    )).first()
    stats = None
    if row is not None and row[0] and row[1] and row[2] and row[2] > 0:
        words, freqs = list(row[0]), [float(f) for f in row[1]]
        # The array ends with the minimum, the maximum and the null share (ts_typanalyze).
        stats = _WordStats(dict(zip(words, freqs, strict=False)), freqs[len(words)], float(row[2]))
    _stats_cache[key] = (now, stats)
    return stats


#: With a filter on a set of assets (kind, tag, date), a word in at most this many rows is
#: answered from the GIN index and sorted: see :func:`_bounded`.
FILTERED_BITMAP_ROWS = 20_000


def _bounded(expr: Node, filters: Filters, conn: sa.Connection) -> bool:
    """Whether to read the matches from the GIN index and sort them (``e.id + 0``) rather
    than let the planner walk the primary key newest-first, expecting 201 matches soon.

    - A phrase (``a <-> b``): PostgreSQL estimates it about as often as its words together;
      when it is in fact rare the walk reads the whole table (190 ms for 178 matches at
      1,000 h). A phrase cannot match more rows than its rarest word, so when that word is
      in at most :data:`BITMAP_ROWS` rows, sorting its matches is the bounded plan.
    - Any word, with a set-of-assets filter: the set is a hashed SubPlan that the planner
      cannot see into, so it assumes half the rows pass; with a date range that keeps one
      asset in forty and a word in 2 % of rows, the walk read 400,000 rows to find 201
      (166 ms). Up to :data:`FILTERED_BITMAP_ROWS` rows of the word, sorting them is bounded
      by the word whatever the filter keeps.
    - Any word in at most :data:`WORD_BITMAP_ROWS` rows. The planner would choose the GIN
      index itself for most of these; deciding here lets the statement skip its estimate (see
      :func:`_cond`), and keeps the sort up to where it stops paying."""
    stats = _word_stats(conn)
    if stats is None:
        return False

    def rarest(term: Term) -> float:
        return min(stats.rows_with(w) for w in term.words)

    if _some_word(expr, lambda t: rarest(t) <= (BITMAP_ROWS if len(t.words) > 1
                                                 else WORD_BITMAP_ROWS)):
        return True
    return filters.narrows_assets and _some_word(
        expr, lambda t: rarest(t) <= FILTERED_BITMAP_ROWS
    )


def _common_word(expr: Node, filters: Filters, conn: sa.Connection) -> bool:
    """Whether ``expr`` is one word, with no filter, in more than :data:`WORD_BITMAP_ROWS`
    rows: the walk of the newest rows is then the plan, which the planner would choose too
    (it does from ~2,000 rows), but only after the estimate that :func:`_cond` describes
    (planning 0.36 against 0.10 ms). A filter or a second word could make the matches rare
    however common the word is, so those are left to the planner."""
    if not (isinstance(expr, Term) and len(expr.words) == 1 and _some_word(expr)):
        return False
    if filters != Filters():
        return False
    stats = _word_stats(conn)
    return stats is not None and stats.rows_with(expr.words[0]) > WORD_BITMAP_ROWS


def _some_word(node: Node, test: Callable[[Term], bool] = lambda t: True) -> bool:
    """Whether every match must hold a word or phrase (not a prefix or substring) that passes
    ``test``."""
    if isinstance(node, Term):
        return not node.substring and not node.prefix and test(node)
    if isinstance(node, And):
        return any(_some_word(c, test) for c in node.children)
    return False
