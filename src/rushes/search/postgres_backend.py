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
so no query ranks millions of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from rushes.search.core import COLUMNS, Candidate, Filters, Params, filter_sql, like_escape
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


def _cond(c: _Compiled) -> str:
    return c.sql if isinstance(c, _Cond) else f"e.tsv @@ ({c.sql})"


def _compile(node: Node, params: Params) -> _Compiled:
    if isinstance(node, Term):
        return _term(node, params)
    if isinstance(node, Not):
        child = _compile(node.child, params)
        return _Tsq(f"!!({child.sql})") if isinstance(child, _Tsq) else _Cond(f"NOT ({child.sql})")
    parts = [_compile(c, params) for c in node.children]
    op_tsq, op_sql = ("&&", "AND") if isinstance(node, And) else ("||", "OR")
    tsqs = [p.sql for p in parts if isinstance(p, _Tsq)]
    if len(tsqs) == len(parts):
        return _Tsq(f" {op_tsq} ".join(f"({s})" for s in tsqs))
    if isinstance(node, Or):
        return _Cond("(" + " OR ".join(f"({_cond(p)})" for p in parts) + ")")
    # AND: the word parts still as one tsquery, the substrings beside it.
    conds = [p.sql for p in parts if isinstance(p, _Cond)]
    if tsqs:
        conds.insert(0, _cond(_Tsq(f" {op_tsq} ".join(f"({s})" for s in tsqs))))
    return _Cond(f" {op_sql} ".join(f"({c})" for c in conds))


def candidates(
    conn: sa.Connection, expr: Node | None, filters: Filters, limit: int
) -> list[Candidate]:
    """Up to ``limit`` matching rows, newest (highest id) first."""
    params = Params()
    conds = [] if expr is None else [_cond(_compile(expr, params))]
    conds += filter_sql(filters, params, "postgresql")
    where = " AND ".join(f"({c})" for c in conds)
    sql = (
        f"SELECT {COLUMNS} FROM search_entries e"
        + (f" WHERE {where}" if where else "")
        + f" ORDER BY e.id DESC LIMIT {params.add(limit)}"
    )
    rows = conn.execute(sa.text(sql), params.used(sql)).all()
    return [Candidate(*row) for row in rows]
