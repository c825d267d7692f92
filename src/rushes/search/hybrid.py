"""Hybrid search: the word search and the meaning search, fused by reciprocal rank.

Each half finds what the other misses: the words find names, numbers and exact phrases that an
embedding blurs; the embedding finds a paraphrase that shares no word with the query. Reciprocal
rank fusion (Cormack et al., 2009: ``score = Σ 1 / (60 + rank)``) needs no calibration between
a cosine and a word count, so the fused order is the same on SQLite and PostgreSQL.

The word half is the word search as typed (all words must occur): on `bench/hybrid.py`'s
labelled set, asking it for *any* content word instead (OR) let texts sharing one common word
with a paraphrase crowd out the meaning half's answer (paraphrase MRR 0.49 against 0.89).
``any_word=True`` keeps that variant for comparison.

The query is parsed once for both halves' meaning (:func:`rushes.search.semantic.meaning_query`):
its filters and exclusions hold in both, so an excluded word is in no hit, and a query the word
search refuses (``kind:movie``) is refused here too, with the same error.
"""

from __future__ import annotations

import re
from pathlib import Path

from rushes.catalog import Catalog
from rushes.errors import UsageError
from rushes.search import MAX_LIMIT, RANK_WINDOW, SearchResult, search
from rushes.search.query import parse_query
from rushes.search.semantic import (
    content_terms,
    hits_for,
    meaning_index,
    meaning_query,
    rank_by_meaning,
)

#: The constant of reciprocal rank fusion: larger flattens the gap between ranks.
RRF_K = 60
#: How deep each half's ranking is read before fusing.
DEPTH = RANK_WINDOW

_SYNTAX = re.compile(r'["*:()]|\b(AND|OR|NOT)\b|(^|\s)-\w')


def word_query(query: str) -> str:
    """The word half's query: as typed when it uses the query language, else its content
    words joined by OR."""
    if _SYNTAX.search(query):
        return query
    try:
        expr = parse_query(query).expr
    except UsageError:
        return query  # nothing to look for: the word search says so
    words: list[str] = []
    for term in content_terms(expr):
        words.extend(term.words or (term.text,))
    unique = list(dict.fromkeys(words))
    return " OR ".join(unique) if unique else query


def fuse(rankings: list[list[int]], k: int = RRF_K) -> list[int]:
    """Entry ids by summed reciprocal rank over the rankings (ties: first seen first)."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, entry in enumerate(ranking, start=1):
            scores[entry] = scores.get(entry, 0.0) + 1.0 / (k + rank)
    order = {e: i for i, e in enumerate(dict.fromkeys(e for r in rankings for e in r))}
    return sorted(scores, key=lambda e: (-scores[e], order[e]))


def hybrid_search(
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
    any_word: bool = False,
) -> SearchResult:
    """Words and meaning together (see the module docstring); same filters as both."""
    meaning = meaning_query(
        query, limit=limit, offset=offset, asset=asset, kind=kind, speaker=speaker, tag=tag,
        source=source, date_from=date_from, date_to=date_to,
    )
    # The index first: on a read-only project it may refuse, and the word search be wasted.
    index = meaning_index(catalog, cache_dir, model, threads)
    depth = max(DEPTH, offset + limit)
    words = word_query(query) if any_word else query
    lexical = search(
        catalog, words, limit=min(depth, MAX_LIMIT), asset=asset, kind=kind, speaker=speaker,
        tag=tag, source=source, date_from=date_from, date_to=date_to,
    ).hits
    semantic = rank_by_meaning(catalog, index, meaning, depth)
    fused = fuse([[h.entry for h in lexical], semantic])
    page = fused[offset:offset + limit]
    return SearchResult(query=query, hits=hits_for(catalog, page, meaning.highlight),
                        total=None, more=len(fused) > offset + limit, offset=offset,
                        limit=limit)
