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
search, this module decides: a phrase whose word pairs are rare is found in the pair index
(:func:`_rare_pairs`), a rare word or a word in a filtered set is sorted from the GIN index
without the planner's estimate (:func:`_bounded`), and a common word in a few assets walks
their stretches of rows as on SQLite (:func:`candidates`).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

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
    # Read once for every decision below (cached: see _word_stats).
    stats = None if expr is None else _word_stats(conn)
    pairs = None if expr is None else _rare_pairs(expr, stats, limit)
    bounded = pairs is None and expr is not None and _bounded(expr, filters, stats)
    compiled = None if expr is None else _compile(expr, params, unestimated=bounded)
    walk = (pairs is None and assets is not None and expr is not None and not bounded
            and _some_word(expr))
    # With rare pairs, the pair index finds the rows and ``tsv`` only checks them.
    hidden = pairs is not None or walk or (
        expr is not None and not bounded and _common_word(expr, filters, stats))
    conds = [] if compiled is None else [_cond(compiled, hidden=hidden, unestimated=bounded)]
    if pairs is not None:
        conds.insert(0, f"rushes_pairs(e.tsv) @@ (SELECT CAST({params.add(pairs)} AS tsquery))")
    conds += filter_sql(filters, params, "postgresql", assets)
    if walk:
        conds.append("e.id BETWEEN :lo AND :hi")
    where = " AND ".join(f"({c})" for c in conds)
    # ``e.id + 0`` cannot be read off the primary key, so the planner must use the GIN index
    # and sort the (few) matches: see :func:`_bounded` and :func:`_rare_pairs`.
    order = "e.id + 0" if bounded or pairs is not None else "e.id"
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
    words, the share below which every other word lies, and the table's row count; and the same
    shares for the word pairs of ``rushes_pairs(tsv)`` (``pair_floor`` None where its index has
    none)."""

    share: dict[str, float]
    floor: float
    rows: float
    pair_share: dict[str, float] = field(default_factory=dict)
    pair_floor: float | None = None

    def rows_with(self, word: str) -> float:
        return self.share.get(word, self.floor) * self.rows

    def rows_with_pair(self, pair: str) -> float:
        assert self.pair_floor is not None
        return self.pair_share.get(pair, self.pair_floor) * self.rows


_stats_cache: dict[str, tuple[float, _WordStats | None]] = {}


def _word_stats(conn: sa.Connection) -> _WordStats | None:
    """The statistics (None before the table has been analysed), read at most every few
    minutes per database."""
    key = str(conn.engine.url)
    now = time.monotonic()
    cached = _stats_cache.get(key)
    if cached is not None and now - cached[0] < _STATS_TTL:
        return cached[1]
    rows = conn.execute(sa.text(
        "SELECT s.tablename, s.most_common_elems::text::text[], s.most_common_elem_freqs, "
        "c.reltuples FROM pg_stats s JOIN pg_class c ON c.relname = 'search_entries' "
        "WHERE (s.tablename, s.attname) IN "
        "(('search_entries', 'tsv'), ('ix_search_entries_pairs', 'rushes_pairs'))"
    )).all()
    found = {}
    for table, elems, freqs, total in rows:
        if elems and freqs and total and total > 0:
            # The array ends with the minimum, the maximum and the null share (ts_typanalyze).
            found[table] = (dict(zip(elems, freqs, strict=False)), float(freqs[len(elems)]),
                            float(total))
    stats = None
    if "search_entries" in found:
        share, floor, total = found["search_entries"]
        pair_share, pair_floor, _ = found.get("ix_search_entries_pairs", ({}, None, 0.0))
        stats = _WordStats(share, floor, total, pair_share, pair_floor)
    _stats_cache[key] = (now, stats)
    return stats


#: With a filter on a set of assets (kind, tag, date), a word in at most this many rows is
#: answered from the GIN index and sorted: see :func:`_bounded`.
FILTERED_BITMAP_ROWS = 20_000


def _bounded(expr: Node, filters: Filters, stats: _WordStats | None) -> bool:
    """Whether to read the matches from the GIN index and sort them (``e.id + 0``) rather
    than let the planner walk the primary key newest-first, expecting 201 matches soon.

    - A phrase (``a <-> b``) that the word pairs cannot answer (typed with other than ASCII,
      or mixed with substrings: see :func:`_rare_pairs`): PostgreSQL estimates it about as
      often as its words together; when it is in fact rare the walk reads the whole table
      (190 ms for 178 matches at 1,000 h). A phrase cannot match more rows than its rarest
      word, so when that word is in at most :data:`BITMAP_ROWS` rows, sorting its matches is
      the bounded plan.
    - Any word, with a set-of-assets filter: the set is a hashed SubPlan that the planner
      cannot see into, so it assumes half the rows pass; with a date range that keeps one
      asset in forty and a word in 2 % of rows, the walk read 400,000 rows to find 201
      (166 ms). Up to :data:`FILTERED_BITMAP_ROWS` rows of the word, sorting them is bounded
      by the word whatever the filter keeps.
    - Any word in at most :data:`WORD_BITMAP_ROWS` rows. The planner would choose the GIN
      index itself for most of these; deciding here lets the statement skip its estimate (see
      :func:`_cond`), and keeps the sort up to where it stops paying."""
    if stats is None:
        return False

    def rarest(term: Term) -> float:
        return min(stats.rows_with(w) for w in term.words)

    # A phrase that :func:`_rare_pairs` looked up and found common is walked: however rare
    # its words, the rows holding them all are more than its pair's.
    by_pairs = _pairs_apply(expr, stats)

    def most_rows(term: Term) -> float:
        if len(term.words) == 1:
            return WORD_BITMAP_ROWS
        return 0 if by_pairs and _pairable(term) else BITMAP_ROWS

    if _some_word(expr, lambda t: rarest(t) <= most_rows(t)):
        return True
    return filters.narrows_assets and _some_word(
        expr, lambda t: rarest(t) <= FILTERED_BITMAP_ROWS
    )


def _common_word(expr: Node, filters: Filters, stats: _WordStats | None) -> bool:
    """Whether ``expr`` is one word, with no filter, in more than :data:`WORD_BITMAP_ROWS`
    rows: the walk of the newest rows is then the plan, which the planner would choose too
    (it does from ~2,000 rows), but only after the estimate that :func:`_cond` describes
    (planning 0.36 against 0.10 ms). A filter or a second word could make the matches rare
    however common the word is, so those are left to the planner."""
    if not (isinstance(expr, Term) and len(expr.words) == 1 and _some_word(expr)):
        return False
    if filters != Filters():
        return False
    return stats is not None and stats.rows_with(expr.words[0]) > WORD_BITMAP_ROWS


#: What walking a row of the primary key newest-first and checking it costs, against fetching a
#: row the GIN index named and sorting it: 0.27 against 1.8 µs at 1,000 h (see
#: :func:`_rare_pairs`).
WALK_TO_SORT = 0.15


def _rare_pairs(expr: Node, stats: _WordStats | None, limit: int) -> str | None:
    """The tsquery over ``rushes_pairs(tsv)`` (migration 0010) to find ``expr``'s rows by, when
    its pairs are rare enough that sorting their rows beats walking the newest rows; else None.

    A phrase's rows are exactly those holding its word pairs in order, and a pair is far rarer
    than its words, so the pair index hands over the phrase's rows alone where the ``tsv``
    index hands over every row holding all its words (at 1,000 h, a phrase in 123 rows: 0.3
    against 12 ms). For a common pair the walk is the cheaper plan: it reads about ``limit``
    × rows in the table ÷ rows with the pair, each at :data:`WALK_TO_SORT` of the cost of a
    row sorted, so the two cost the same at √(``limit`` × table rows × WALK_TO_SORT) rows
    (4,700 for a first page at 1,000 h; measured: a pair in 5,000 rows, 8.9 ms sorted against
    8.2 walked, in 3,000 rows 3.5 against 14)."""
    if stats is None or not _pairs_apply(expr, stats):
        return None
    found = _pairs(expr, stats)
    if found is None:
        return None
    query, rows = found
    return query if rows * rows <= limit * stats.rows * WALK_TO_SORT else None


def _pairs(node: Node, stats: _WordStats) -> tuple[str, float] | None:
    """A tsquery over word pairs that every match of ``node`` meets, and how many rows it
    matches at most by the statistics; None where there is none: a single word, a prefix, a
    NOT, or a phrase typed with other than ASCII (see :func:`_pairable`)."""
    if isinstance(node, Term):
        if not _pairable(node):
            return None
        pairs = [f"{a}_{b}" for a, b in itertools.pairwise(node.words)]
        # Words from the tokenizer hold only letters and digits: safe inside quotes.
        return " & ".join(f"'{p}'" for p in pairs), min(map(stats.rows_with_pair, pairs))
    if isinstance(node, And):
        parts = [p for p in (_pairs(c, stats) for c in node.children) if p is not None]
        if not parts:
            return None
        return " & ".join(f"({q})" for q, _ in parts), min(rows for _, rows in parts)
    if isinstance(node, Or):
        alternatives = [_pairs(c, stats) for c in node.children]
        if not all(alternatives):
            return None
        return (" | ".join(f"({a[0]})" for a in alternatives if a),
                sum(a[1] for a in alternatives if a))
    return None


def _pairs_apply(expr: Node, stats: _WordStats) -> bool:
    """Whether the pair index is consulted for ``expr``: its statistics exist, and ``expr`` is
    one tsquery on ``tsv`` (no substring), which the pairs can narrow."""
    return stats.pair_floor is not None and _words_only(expr)


def _pairable(term: Term) -> bool:
    """Whether the pair index answers ``term``: a phrase, typed in ASCII (a non-ASCII word may
    not be the lexeme PostgreSQL pairs; an ASCII word is one lexeme, as typed)."""
    return (not term.substring and not term.prefix and len(term.words) > 1
            and term.text.isascii())


def _words_only(node: Node) -> bool:
    """Whether ``node`` holds no substring term: it is then one tsquery on ``tsv``."""
    if isinstance(node, Term):
        return not node.substring
    if isinstance(node, Not):
        return _words_only(node.child)
    return all(_words_only(c) for c in node.children)


def _some_word(node: Node, test: Callable[[Term], bool] = lambda t: True) -> bool:
    """Whether every match must hold a word or phrase (not a prefix or substring) that passes
    ``test``."""
    if isinstance(node, Term):
        return not node.substring and not node.prefix and test(node)
    if isinstance(node, And):
        return any(_some_word(c, test) for c in node.children)
    return False
