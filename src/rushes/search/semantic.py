"""Semantic search: the entries closest in meaning to the query, by sentence embeddings.

The vector index is brought up to date first (only entries added or changed since the last
search are embedded), then ranked by cosine similarity. Hits have the same shape as lexical
ones; words of the query that also occur literally are highlighted.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from rushes.catalog import Catalog
from rushes.catalog.schema import search_entries
from rushes.embeddings import get_embedder
from rushes.embeddings.index import VectorIndex
from rushes.errors import UsageError
from rushes.search import MAX_LIMIT, Hit, SearchResult, _hit, page_details
from rushes.search.core import Candidate, Filters, Params, filter_sql
from rushes.search.hits import Matcher
from rushes.search.query import Query, Term, make_term


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
    the filters (the same filters, and the same SQL, as the word search)."""
    if not query.strip():
        raise UsageError("empty query")
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    index = VectorIndex(cache_dir, get_embedder(model, threads=threads), threads=threads)
    index.update(catalog)
    allowed = allowed_entries(catalog, Filters.build(
        Query(query, None), kind=kind, asset=asset, speaker=speaker, tag=tag, source=source,
        date_from=date_from, date_to=date_to,
    ))
    ranked = index.query(query, k=offset + limit + 1, allowed_ids=allowed)
    page_ids = [entry for entry, _score in ranked[offset:offset + limit]]
    hits = hits_for(catalog, page_ids, query)
    return SearchResult(query=query, hits=hits, total=None,
                        more=len(ranked) > offset + limit, offset=offset, limit=limit)


def allowed_entries(catalog: Catalog, filters: Filters) -> list[int] | None:
    """Ids of the entries that pass the filters (None: no filter, all pass)."""
    if filters == Filters():
        return None
    params = Params()
    conds = filter_sql(filters, params, catalog.dialect)
    sql = "SELECT e.id FROM search_entries e WHERE " + " AND ".join(conds)
    with catalog.read() as conn:
        return list(conn.execute(sa.text(sql), params.used(sql)).scalars())


def content_terms(query: str) -> list[Term]:
    """The query's content words (four letters or more): "the" and "a" say nothing about
    meaning, so they are neither highlighted nor searched for by the hybrid's word half."""
    return [
        t for t in (make_term(w) for w in query.split() if len(w.strip(".,;:!?'\"")) >= 4)
        if t is not None
    ]


def hits_for(catalog: Catalog, entry_ids: list[int], query: str) -> list[Hit]:
    """Hits for entries in the given order, highlighting the query's words that occur."""
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
    matcher = Matcher(content_terms(query))
    return [_hit(r, info.get(r.asset_id), words.get(r.ref_id) if r.ref_id else None,
                 matcher.spans(r.text), matcher)
            for r in page]
