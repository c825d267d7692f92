"""Candidate rows on SQLite: FTS5 ``search_fts`` (words), ``search_pairs`` (adjacent word
pairs, for phrases), ``search_trigram`` (substrings of three characters or more) and
``search_bigram`` (1–2 character substrings of CJK, Thai…).

The query tree is compiled into as few FTS5 MATCH expressions as possible, because one MATCH
walks the index once, while every extra table costs a lookup per row. The shape of the SQL:

- a whole expression over one FTS table (the usual case: words, phrases, prefixes, AND/OR/NOT)
  *drives* the query: ``FROM search_fts f JOIN search_entries e … ORDER BY f.rowid DESC LIMIT n``.
  FTS5 walks its doclists newest-first and stops after n rows, so a word present in most rows
  costs the same as a rare one: no bm25 over millions of rows;
- an AND with such a part drives from it and checks the rest per row (a rowid-seek into the
  other FTS table, or LIKE);
- anything else (an OR across scripts, filters alone) scans ``search_entries`` newest-first with
  the conditions, still stopped by the LIMIT.

A 1–2 character term of an unsegmented script is a token of ``search_bigram`` (two characters)
or a prefix of one (one character: the bigrams it starts, or the last character of a run), and
its rows are checked with LIKE as well, so a hit is always a substring of the text.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from rushes.domain.words import NON_ASCII, pairs_match
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

WORDS, TRIGRAMS, BIGRAMS = "search_fts", "search_trigram", "search_bigram"
PAIRS = "search_pairs"


@dataclass(frozen=True)
class _Fts:
    """A sub-expression that one FTS5 MATCH on one table answers."""

    table: str
    match: str
    #: A condition on ``e`` the matched rows must also meet (LIKE for bigram terms).
    verify: str | None = None


@dataclass(frozen=True)
class _Cond:
    """A sub-expression as a SQL condition on ``e``."""

    sql: str


_Compiled = _Fts | _Cond


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _term(term: Term, params: Params) -> _Compiled:
    if term.substring:
        if term.by_grams:
            pattern = params.add("%" + like_escape(term.text) + "%")
            match = _quote(term.text) + ("*" if len(term.text) == 1 else "")
            return _Fts(BIGRAMS, match, f"e.text LIKE {pattern} ESCAPE '\\'")
        if len(term.text) >= 3:
            return _Fts(TRIGRAMS, _quote(term.text))
        # Mixed with other scripts ("a中"): neither index holds it.
        pattern = params.add("%" + like_escape(term.text) + "%")
        return _Cond(f"e.text LIKE {pattern} ESCAPE '\\'")
    if term.prefix:
        return _Fts(WORDS, _quote(term.text) + "*")
    # The text as typed, so FTS5 splits it exactly as it split the documents ("3.14", "don't").
    return _Fts(WORDS, _quote(term.text))


def _as_cond(c: _Compiled, params: Params) -> str:
    if isinstance(c, _Cond):
        return c.sql
    # A rowid-seek in the other index: cheap per row, unlike materialising a common word's rows.
    seek = (f"EXISTS (SELECT 1 FROM {c.table} WHERE {c.table} MATCH {params.add(c.match)} "
            f"AND rowid = e.id)")
    return seek + (f" AND ({c.verify})" if c.verify else "")


def _verify(parts: list[str | None], op: str) -> str | None:
    """The verification conditions of FTS parts merged into one MATCH, joined with ``op``."""
    if not any(parts):
        return None
    if op == "OR" and not all(parts):
        return None  # a part without one matches exactly already: nothing to narrow
    return f" {op} ".join(f"({p})" for p in parts if p)


def _compile(node: Node, params: Params) -> _Compiled:
    if isinstance(node, Term):
        return _term(node, params)
    if isinstance(node, Not):
        return _Cond(f"NOT ({_as_cond(_compile(node.child, params), params)})")
    if isinstance(node, Or):
        parts = [_compile(c, params) for c in node.children]
        tables = {p.table for p in parts if isinstance(p, _Fts)}
        if len(tables) == 1 and all(isinstance(p, _Fts) for p in parts):
            fts = [p for p in parts if isinstance(p, _Fts)]
            return _Fts(tables.pop(), " OR ".join(f"({p.match})" for p in fts),
                        _verify([p.verify for p in fts], "OR"))
        return _Cond("(" + " OR ".join(f"({_as_cond(p, params)})" for p in parts) + ")")
    return _compile_and(node, params)


def _compile_and(node: And, params: Params) -> _Compiled:
    """AND: positives on one table join into one MATCH, NOTs on that table become FTS5 NOT."""
    positives = [_compile(c, params) for c in node.children if not isinstance(c, Not)]
    negatives = [_compile(c.child, params) for c in node.children if isinstance(c, Not)]
    groups: dict[str, list[_Fts]] = {}
    for p in positives:
        if isinstance(p, _Fts):
            groups.setdefault(p.table, []).append(p)
    parts: list[_Compiled] = []
    for table, group in groups.items():
        match = " AND ".join(f"({g.match})" for g in group)
        verify = [g.verify for g in group]
        for n in negatives:
            if isinstance(n, _Fts) and n.table == table:
                match = f"({match}) NOT ({n.match})"
                verify.append(f"NOT ({n.verify})" if n.verify else None)
        parts.append(_Fts(table, match, _verify(verify, "AND")))
    parts.extend(p for p in positives if isinstance(p, _Cond))
    conds = [
        f"NOT ({_as_cond(n, params)})" for n in negatives
        if not (isinstance(n, _Fts) and n.table in groups)
    ]
    if len(parts) == 1 and not conds:
        return parts[0]
    # The substring part first: a substring is usually the rarer one, so the better driver.
    parts.sort(key=lambda p: 0 if isinstance(p, _Fts) and p.table != WORDS else 1)
    return _Cond(" AND ".join([f"({_as_cond(p, params)})" for p in parts] + conds))


def _pairs_match(node: Node) -> str | None:
    """A ``search_pairs`` expression for a phrase typed in ASCII, or an AND/OR of such
    phrases; None for anything else (a word alone, a prefix, a NOT, a mix with words: there
    one MATCH on the word index stays cheaper than checking each row in a second index)."""
    if isinstance(node, Term):
        if node.substring or node.prefix or len(node.words) < 2 or not node.text.isascii():
            return None
        return pairs_match(node.words)
    if isinstance(node, And | Or):
        parts = [_pairs_match(c) for c in node.children]
        if any(p is None for p in parts):
            return None
        return "(" + (" AND " if isinstance(node, And) else " OR ").join(map(str, parts)) + ")"
    return None


def _pairs_driver(node: Node, params: Params) -> _Fts | None:
    """Phrases from the word-pair index (migration 0007): exact for ASCII rows, and the other
    rows it returns are checked in the word index (:mod:`rushes.domain.words`)."""
    match = _pairs_match(node)
    if match is None:
        return None
    words = _compile(node, params)
    if not isinstance(words, _Fts) or words.table != WORDS:
        return None
    # Rows whose pairs end with the non-ASCII marker (pairs_of) are checked in the word index.
    marked = f"e.pairs = '{NON_ASCII}' OR substr(e.pairs, -3) = ' {NON_ASCII}'"
    return _Fts(PAIRS, match, f"NOT ({marked}) OR {_as_cond(words, params)}")


def _driver(node: Node | None, params: Params) -> tuple[_Fts | None, list[str]]:
    """The FTS table to walk (if any) and the remaining conditions on ``e``."""
    if node is None:
        return None, []
    pairs = _pairs_driver(node, params)
    if pairs is not None:
        return pairs, []
    if isinstance(node, And):
        compiled = _compile_and(node, params)
        if isinstance(compiled, _Fts):
            return compiled, []
        # Rebuild from the parts so the first FTS part can drive.
        return _split_and(node, params)
    compiled = _compile(node, params)
    if isinstance(compiled, _Fts):
        return compiled, []
    return None, [compiled.sql]


def _split_and(node: And, params: Params) -> tuple[_Fts | None, list[str]]:
    positives = [c for c in node.children if not isinstance(c, Not)]
    negatives = [c for c in node.children if isinstance(c, Not)]
    trigram_first = sorted(
        positives, key=lambda c: 0 if isinstance(c, Term) and c.substring else 1
    )
    for i, child in enumerate(trigram_first):
        compiled = _compile(child, params)
        if isinstance(compiled, _Fts):
            others = trigram_first[:i] + trigram_first[i + 1:] + negatives
            if not others:
                return compiled, []
            rest = _compile(others[0] if len(others) == 1 else And(tuple(others)), params)
            return compiled, [_as_cond(rest, params)]
    return None, [_as_cond(_compile(node, params), params)]


def candidates(
    conn: sa.Connection, expr: Node | None, filters: Filters, limit: int
) -> list[Candidate]:
    """Up to ``limit`` matching rows, newest (highest id) first."""
    assets = few_assets(conn, filters)
    if assets == []:
        return []
    params = Params()
    driver, conds = _driver(expr, params)
    if driver is not None and driver.verify:
        conds.insert(0, driver.verify)
    conds += filter_sql(filters, params, "sqlite", assets)
    key = "e.id" if driver is None else "f.rowid"
    if assets is not None:
        conds.append(f"{key} BETWEEN :lo AND :hi")
    where = " AND ".join(f"({c})" for c in conds)
    n = params.add(limit)
    if driver is not None:
        t = driver.table
        sql = (
            f"SELECT {COLUMNS} FROM {t} f JOIN search_entries e ON e.id = f.rowid "
            f"WHERE f.{t} MATCH {params.add(driver.match)}"
            + (f" AND {where}" if where else "")
            + f" ORDER BY f.rowid DESC LIMIT {n}"
        )
    else:
        sql = (
            f"SELECT {COLUMNS} FROM search_entries e"
            + (f" WHERE {where}" if where else "")
            + f" ORDER BY e.id DESC LIMIT {n}"
        )
    # A few assets: walk each stretch of their rows newest first, and stop at the limit.
    return run_candidates(conn, sql, params.used(sql), n, limit, assets)
