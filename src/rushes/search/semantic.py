"""Semantic search: the entries closest in meaning to the query, by sentence embeddings.

The query is read by the word search's own parser (:func:`rushes.search.query.parse_query`), so
that it means the same whichever way it is searched: its filters (``kind:audio``,
``speaker:"Ellen Marsh"``…) keep the same entries, with the same errors, as in a word search;
only its positive free text is embedded (a filter or an excluded word says nothing about the
meaning looked for); and an excluded word (``-kept``, ``NOT kept``) leaves out the hits that
contain it, judged as the highlights are (:class:`rushes.search.hits.Matcher`), so the same on
SQLite and PostgreSQL.

The vector index is brought up to date first (only entries added or changed since the last
search are embedded), then ranked by cosine similarity. Hits have the same shape as lexical
ones; words of the query that also occur literally are highlighted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from rushes.catalog import Catalog
from rushes.catalog.schema import search_entries
from rushes.embeddings import get_embedder
from rushes.embeddings.index import VectorIndex
from rushes.errors import UsageError
from rushes.search import Hit, SearchResult, _hit, check_page, page_details
from rushes.search.core import Candidate, Filters, Params, fetch, filter_sql, in_list
from rushes.search.hits import Matcher
from rushes.search.query import And, Node, Not, Or, Term, parse_query, shorten

#: Shortest query word that is highlighted and searched for by the hybrid's any-word variant:
#: "the" and "a" say nothing about meaning.
CONTENT_CHARS = 4


@dataclass(frozen=True)
class MeaningQuery:
    """A query as a search by meaning uses it (see the module docstring)."""

    #: The query as typed, for the result.
    query: str
    filters: Filters
    #: What is embedded: the terms looked for, in the order typed.
    text: str
    #: The words highlighted in hits: the content words among the terms looked for.
    highlight: list[Term]
    #: Whether an entry's text passes the query's exclusions; None when it has none.
    keep: Callable[[str], bool] | None


def meaning_query(
    query: str, *, limit: int, offset: int, **given: str | None
) -> MeaningQuery:
    """Parse ``query`` and its filters (``given``: the keyword filters of
    :func:`rushes.search.search`, added to those typed); raises :class:`UsageError` as the word
    search does, before any model is loaded."""
    check_page(limit, offset)
    parsed = parse_query(query)
    filters = Filters.build(parsed, **given)
    text = " ".join(t.text for t in _looked_for(parsed.expr, written=True))
    if not text:
        raise UsageError(f"search by meaning needs words to look for besides filters and "
                         f"exclusions, in {shorten(query)!r}")
    return MeaningQuery(query, filters, text, content_terms(parsed.expr),
                        exclusions(parsed.expr))


def meaning_index(
    catalog: Catalog, cache_dir: Path, model: Path | None, threads: int
) -> VectorIndex:
    """The index of the entries' meaning, brought up to date with the catalog first.

    A read-only project's index cannot be brought up to date from here (it lives in the
    project's cache): it is used as it is when it holds every entry, and refused in one line
    otherwise, rather than ranking a stale set of texts without a word."""
    index = VectorIndex(cache_dir, get_embedder(model, threads=threads), threads=threads)
    if catalog.read_only is None:
        index.update(catalog)
        return index
    current = index.is_current(catalog)
    if not current:
        what = "has no index of its texts' meaning" if current is None else (
            "has changed since its index of meaning was last brought up to date")
        raise UsageError(
            f"{catalog.read_only}, and it {what}: search by meaning once where it can be "
            "written, or search by words"
        )
    return index


def semantic_search(
    catalog: Catalog,
    cache_dir: Path,
    query: str,
    *,
    model: Path | None = None,
    threads: int = 1,
    asset: str | None = None,
    kind: str | None = None,
    speaker: str | None = None,
    tag: str | None = None,
    source: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Rank every searchable entry by closeness of meaning to ``query``, among those that pass
    the filters (the same filters, and the same SQL, as the word search) and its exclusions."""
    meaning = meaning_query(
        query, limit=limit, offset=offset, kind=kind, asset=asset, speaker=speaker, tag=tag,
        source=source, date_from=date_from, date_to=date_to,
    )
    index = meaning_index(catalog, cache_dir, model, threads)
    ranked = rank_by_meaning(catalog, index, meaning, offset + limit + 1)
    hits = hits_for(catalog, ranked[offset:offset + limit], meaning.highlight)
    return SearchResult(query=query, hits=hits, total=None,
                        more=len(ranked) > offset + limit, offset=offset, limit=limit)


def rank_by_meaning(
    catalog: Catalog, index: VectorIndex, meaning: MeaningQuery, k: int
) -> list[int]:
    """The ids of the ``k`` entries nearest in meaning that pass the filters and exclusions,
    best first.

    Filters narrow the index before ranking (so they never empty the top k). Exclusions are
    judged on the text of the ranked entries, so the ranking is read deeper, four times at a
    time, until ``k`` remain or the index is exhausted: only the texts read cost, and a query
    without exclusions reads none."""
    allowed = allowed_entries(catalog, meaning.filters)
    vector = index.embedder.embed([meaning.text])[0]
    if meaning.keep is None:
        return [entry for entry, _score in index.query_vector(vector, k, allowed)]
    texts: dict[int, str] = {}
    depth = k
    while True:
        ranked = [entry for entry, _score in index.query_vector(vector, depth, allowed)]
        texts.update(_texts(catalog, [e for e in ranked if e not in texts]))
        # An entry deleted since it was indexed has no text; hits_for leaves it out.
        kept = [e for e in ranked if meaning.keep(texts.get(e, ""))]
        if len(kept) >= k or len(ranked) < depth:
            return kept[:k]
        depth *= 4


def allowed_entries(catalog: Catalog, filters: Filters) -> list[int] | None:
    """Ids of the entries that pass the filters (None: no filter, all pass)."""
    if filters == Filters():
        return None
    params = Params()
    conds = filter_sql(filters, params, catalog.dialect)
    sql = "SELECT e.id FROM search_entries e WHERE " + " AND ".join(conds)
    with catalog.read() as conn:
        return list(conn.execute(sa.text(sql), params.used(sql)).scalars())


def _texts(catalog: Catalog, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    with catalog.read() as conn:
        cond, params = in_list(conn, "e.id", ids, "bigint")
        return {i: t for i, t in fetch(conn, f"SELECT e.id, e.text FROM search_entries e "
                                             f"WHERE {cond}", params)}


def _looked_for(
    node: Node | None, negated: bool = False, *, written: bool = False
) -> list[Term]:
    """The terms not under NOT (or under two), in the order typed, repeats kept: the free text
    of the query, without its filters, operators and exclusions. ``written``: of a word's
    spellings (``dont`` and "don't") only the one text writes, so that what is embedded is the
    query as typed, not "dont don't"."""
    if node is None:
        return []
    if isinstance(node, Term):
        return [] if negated else [node]
    if isinstance(node, Not):
        return _looked_for(node.child, not negated, written=written)
    spellings = written and isinstance(node, Or) and node.spellings
    children = node.children[-1:] if spellings else node.children
    return [t for c in children for t in _looked_for(c, negated, written=written)]


def exclusions(expr: Node | None) -> Callable[[str], bool] | None:
    """Whether a text passes the query's exclusions; None when it has none.

    The query's expression must hold with every term looked for taken as present (meaning
    stands for it) and every excluded term looked up in the text: ``light -kept`` leaves out
    texts containing "kept", ``-(a OR b)`` those with either, ``-"kept this"`` the phrase; an
    exclusion in one alternative of an OR (``(light -kept) OR beacon``) leaves nothing out,
    since the other alternative holds by meaning."""
    if expr is None or not _has_not(expr):
        return None
    matchers: dict[Term, Matcher] = {}

    def holds(node: Node, negated: bool, text: str) -> bool:
        if isinstance(node, Term):
            if not negated:
                return True
            matcher = matchers.get(node)
            if matcher is None:
                matcher = matchers[node] = Matcher([node])
            return matcher.score(text)[0] > 0
        if isinstance(node, Not):
            return not holds(node.child, not negated, text)
        if isinstance(node, And):
            return all(holds(c, negated, text) for c in node.children)
        return any(holds(c, negated, text) for c in node.children)

    return lambda text: holds(expr, False, text)


def _has_not(node: Node) -> bool:
    if isinstance(node, Term):
        return False
    if isinstance(node, Not):
        return True
    return any(_has_not(c) for c in node.children)


def content_terms(expr: Node | None) -> list[Term]:
    """The content words among the terms looked for (:data:`CONTENT_CHARS` characters or
    more), each a term of its own, first occurrence only: highlighted in hits, and searched for
    by the hybrid's any-word variant. Never an excluded word, filter or operator."""
    out: dict[Term, None] = {}
    for term in _looked_for(expr):
        if term.substring:
            if len(term.text) >= CONTENT_CHARS:
                out[term] = None
            continue
        for n, word in enumerate(term.words):
            if len(word) >= CONTENT_CHARS:
                prefix = term.prefix and n == len(term.words) - 1
                out[Term(word, (word,), prefix)] = None
    return list(out)


def hits_for(catalog: Catalog, entry_ids: list[int], terms: Sequence[Term]) -> list[Hit]:
    """Hits for entries in the given order, highlighting ``terms`` where they occur."""
    with catalog.read() as conn:
        rows = {
            r.id: Candidate(r.id, r.asset_id, r.source, r.ref_id, r.start_us, r.end_us, r.text,
                            r.speaker)
            for r in conn.execute(
                sa.select(search_entries).where(search_entries.c.id.in_(entry_ids))
            )
        }
        page = [rows[i] for i in entry_ids if i in rows]
        info, words = page_details(conn, page)
    matcher = Matcher(terms)
    return [_hit(r, info.get(r.asset_id), words.get(r.ref_id) if r.ref_id else None,
                 matcher.spans(r.text), matcher)
            for r in page]
