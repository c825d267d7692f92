"""Search: one query language over every text in the catalog, answered by the database's own
index (SQLite FTS5 or PostgreSQL full text + pg_trgm), with hits that land on the exact moment.

Ranking, and why it looks like this: full relevance ranking (bm25, ts_rank) must score *every*
matching row before it can return the first, which took 0.6–4 s for a word present in most of
millions of rows, and the two databases' scores differ, so the same archive would answer
differently on a laptop and on the server. Instead:

1. the database returns matching rows newest first (highest ``search_entries.id``: the most
   recently indexed material), stopping after ``RANK_WINDOW`` × pages rows, so a common word
   costs no more than a rare one;
2. those rows are ranked in Python in windows of :data:`RANK_WINDOW` (the first window holds the
   newest matches): more distinct query terms present first, then more occurrences (capped at
   3), then asset path, then time in the asset, then entry id. A rare word (fewer matches than
   the window) is therefore fully ranked; a common one is ranked among its newest matches.

Because the index only decides *which* rows match and the order is computed here from the text,
SQLite and PostgreSQL give the same hits in the same order for the same catalog.

Hits carry ``snippet`` with matches between « and » (see :mod:`rushes.search.hits`), and
``highlights``: ``[start, end)`` character offsets of the matches in ``text``, which is what a
web page should use to place ``<mark>``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from rushes.catalog import Catalog
from rushes.catalog.assets import SHOWN_PATH_ORDER
from rushes.catalog.descriptions import SOURCE as METADATA
from rushes.domain.timecode import TimecodeClock
from rushes.errors import UsageError
from rushes.present import media_clock
from rushes.search import postgres_backend, sqlite_backend
from rushes.search.core import Candidate, Filters, fetch, fetch_many, in_list
from rushes.search.hits import Matcher, Score, first_word_start, merge, snippet
from rushes.search.query import parse_query, positive_terms

__all__ = ["RANK_WINDOW", "Hit", "SearchResult", "parse_query", "search"]

#: Matches ranked together; also the most rows one page of results reads from the index.
RANK_WINDOW = 200
#: The largest page a caller may ask for.
MAX_LIMIT = 1000


@dataclass(slots=True)
class Hit:
    """One matching piece of text, placed in its asset. Times are seconds.

    Not frozen: a search builds up to a page of these, and a frozen dataclass of this many
    fields takes 2.7 µs to build (each field set through ``object.__setattr__``) against 0.4.
    """

    asset: str
    path: str | None
    kind: str | None
    source: str
    speaker: str | None
    #: Where to land: the first matched word's start when the segment has word times.
    start: float
    end: float | None
    timecode: str | None
    end_timecode: str | None
    segment_start: float | None
    text: str
    snippet: str
    highlights: list[tuple[int, int]]
    entry: int
    ref_id: int | None
    #: For a transcript hit, which of the asset's transcripts (``import:srt``,
    #: ``asr:pocketsphinx``…): an asset may hold several, each giving its own hit.
    transcript: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "asset": self.asset, "path": self.path, "kind": self.kind, "source": self.source,
            "speaker": self.speaker, "start": self.start, "end": self.end,
            "timecode": self.timecode, "end_timecode": self.end_timecode,
            "segment_start": self.segment_start, "text": self.text, "snippet": self.snippet,
            "highlights": [list(h) for h in self.highlights], "entry": self.entry,
            "ref_id": self.ref_id, "transcript": self.transcript,
        }


@dataclass(frozen=True)
class SearchResult:
    """A page of hits. ``total`` is exact when every match was read (fewer than the ranked
    windows hold), else None; ``more`` says whether a next page exists."""

    query: str
    hits: list[Hit]
    total: int | None
    more: bool
    offset: int
    limit: int

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query, "total": self.total, "more": self.more,
            "offset": self.offset, "limit": self.limit,
            "hits": [h.to_json() for h in self.hits],
        }


@dataclass(frozen=True)
class _AssetInfo:
    kind: str
    path: str | None
    #: None without a frame rate: then hits have no timecode.
    clock: TimecodeClock | None


def search(
    catalog: Catalog,
    query: str,
    *,
    kind: str | None = None,
    asset: str | None = None,
    speaker: str | None = None,
    tag: str | None = None,
    source: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> SearchResult:
    """Run ``query`` (see :mod:`rushes.search.query`); keyword filters add to those in the text.

    ``asset`` is an asset id or id prefix; ``date_from``/``date_to`` are ``YYYY[-MM[-DD]]``
    (from inclusive, to exclusive) on the asset's creation date. Raises :class:`UsageError`
    for bad syntax or arguments.
    """
    check_page(limit, offset)
    parsed = parse_query(query)
    filters = Filters.build(
        parsed, kind=kind, asset=asset, speaker=speaker, tag=tag, source=source,
        date_from=date_from, date_to=date_to,
    )
    backend = postgres_backend if catalog.dialect == "postgresql" else sqlite_backend
    windows = -(-(offset + limit) // RANK_WINDOW)
    ranked_rows = windows * RANK_WINDOW
    matcher = Matcher(positive_terms(parsed.expr))
    with catalog.reads() as conn:
        rows = backend.candidates(conn, parsed.expr, filters, ranked_rows + 1)
        exhausted = len(rows) <= ranked_rows
        rows = rows[:ranked_rows]
        scores = {r.id: matcher.score(r.text) for r in rows} if matcher.active else {}
        if offset == 0 and len(rows) <= limit:
            # Every row is on the page: its assets' paths are read with the rest of the page.
            info, words = page_details(conn, rows)
            page = _rank(rows, scores, {a: i.path for a, i in info.items()})
        else:
            paths = _paths(conn, {r.asset_id for r in rows})
            page = _rank(rows, scores, paths)[offset:offset + limit]
            info, words = page_details(conn, page, paths)
    hits = [_hit(r, info.get(r.asset_id), words.get(r.ref_id) if r.ref_id else None,
                 matcher.spans(r.text) if matcher.active else [], matcher)
            for r in page]
    return SearchResult(
        query=query, hits=hits, total=len(rows) if exhausted else None,
        more=not exhausted or len(rows) > offset + limit, offset=offset, limit=limit,
    )


def check_page(limit: int, offset: int) -> None:
    """Refuse a page no search can give (every kind of search pages the same way)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise UsageError(f"offset must not be negative, not {offset}")


def _rank(
    rows: list[Candidate], scores: dict[int, Score], paths: dict[str, str | None]
) -> list[Candidate]:
    """Each window of rows in rank order. A file's own words (title, description, keywords)
    repeat the film's or the library's name in field after field: their occurrences count
    once, so that a description does not rank above the moment the word is said (among its
    asset's hits of the same score it comes first, being at the start)."""
    out: list[Candidate] = []
    nothing = (0, 0)
    for w in range(0, len(rows), RANK_WINDOW):
        window = rows[w:w + RANK_WINDOW]

        def key(r: Candidate) -> tuple[Any, ...]:
            found, occurrences = scores.get(r.id, nothing)
            if r.source == METADATA:
                occurrences = min(occurrences, 1)
            path = paths.get(r.asset_id)
            return (-found, -occurrences, path is None, path or "",
                    r.start_us if r.start_us is not None else -1, r.id)

        out.extend(sorted(window, key=key))
    return out


def _paths(conn: sa.Connection, ids: Iterable[str]) -> dict[str, str | None]:
    """The path to show of each asset, as first_path() picks it (present locations before
    missing ones, oldest first), for every candidate's asset: ranking needs them. One scan of
    the locations index, not a sorted subquery per asset (0.24 against 0.43 ms for 200)."""
    wanted = sorted(ids)
    out: dict[str, str | None] = dict.fromkeys(wanted)
    if not wanted:
        return out
    cond, params = in_list(conn, "l.asset_id", wanted, "text")
    seen: set[str] = set()
    for asset_id, path in fetch(
        conn,
        f"SELECT l.asset_id, l.path FROM locations l WHERE {cond} ORDER BY {SHOWN_PATH_ORDER}",
        params,
    ):
        if asset_id not in seen:
            seen.add(asset_id)
            out[asset_id] = path
    return out


#: A transcript segment as a hit needs it: its transcript's source, and its timed words.
SegmentInfo = tuple[str, list[Any]]


def page_details(
    conn: sa.Connection, page: list[Candidate], paths: dict[str, str | None] | None = None
) -> tuple[dict[str, _AssetInfo], dict[int, SegmentInfo]]:
    """What the hits shown need beyond their rows, so only for the page, not for every
    candidate: each asset's kind, path to show and media clock (rate, embedded start timecode),
    and each transcript segment's transcript source and timed words.

    Without ``paths``, each asset's path is read with its kind, as :func:`_paths` picks it. On
    PostgreSQL both statements go in one round trip (psycopg's pipeline). For a rare word at
    1,000 h (interleaved A/B through search(), p50): the paths read here, 2.56 → 2.25 ms; the
    pipeline, 1.91 → 1.75 ms."""
    assets = sorted({r.asset_id for r in page})
    segments = sorted({r.ref_id for r in page if r.source == "transcript" and r.ref_id})
    statements = []
    if assets:
        cond, params = in_list(conn, "a.id", assets, "text")
        path = ("(SELECT l.path FROM locations l WHERE l.asset_id = a.id "
                f"ORDER BY {SHOWN_PATH_ORDER} LIMIT 1)" if paths is None else "NULL")
        # The clock fields as generated columns (migration 0008): no probe document is parsed.
        statements.append((
            f"SELECT a.id, a.kind, r.media_rate, r.media_start_tc, {path} FROM assets a "
            f"LEFT JOIN results r ON r.asset_id = a.id AND r.analyzer = 'probe' WHERE {cond}",
            params,
        ))
    if segments:
        # Word times read as text on both databases (psycopg would decode PostgreSQL's json
        # with the standard library) and decoded with orjson: for 50 hits, 0.06 ms against
        # 0.29 ms, once the largest single step of building a page.
        # Which transcript each is from: joined on SQLite, where it costs nothing measurable;
        # on PostgreSQL the join cost 0.1-0.2 ms of planning, so sources come from a cache.
        cond, params = in_list(conn, "s.id", segments, "bigint")
        if conn.dialect.name == "postgresql":
            sql = ("SELECT s.id, CAST(s.words AS TEXT), s.transcript_id, NULL FROM segments s "
                   f"WHERE {cond}")
        else:
            sql = ("SELECT s.id, CAST(s.words AS TEXT), s.transcript_id, t.source FROM segments s "
                   f"JOIN transcripts t ON t.id = s.transcript_id WHERE {cond}")
        statements.append((sql, params))
    results = iter(fetch_many(conn, statements))
    info = {
        a: _AssetInfo(kind, found if paths is None else paths.get(a), _clock(rate, tc))
        for a, kind, rate, tc, found in (next(results) if assets else ())
    }
    words: dict[int, SegmentInfo] = {}
    if segments:
        rows = next(results)
        sources = (
            _postgres_sources(conn, {t for _, _, t, _ in rows})
            if conn.dialect.name == "postgresql" else {t: src for _, _, t, src in rows}
        )
        words = {i: (sources.get(t, ""), list(_decode_words(w) or [])) for i, w, t, _ in rows}
    return info, words


#: Sources of PostgreSQL transcripts already seen, by (catalog URL, transcript id). Their ids
#: come from a sequence, and a transcript's source never changes (a re-import is a new row),
#: so what one page learnt stays true, and a page costs no join for it: joining transcripts
#: to segments cost 0.1-0.2 ms of a 1.7 ms rare-word search, mostly planning.
_SOURCES_SEEN: dict[tuple[str, int], str] = {}


def _postgres_sources(conn: sa.Connection, ids: set[int]) -> dict[int, str]:
    """The source (``import:srt``, ``asr:pocketsphinx``…) of each PostgreSQL transcript id."""
    catalog = str(conn.engine.url)
    known = {i: _SOURCES_SEEN[(catalog, i)] for i in ids if (catalog, i) in _SOURCES_SEEN}
    missing = sorted(ids - known.keys())
    if missing:
        cond, params = in_list(conn, "id", missing, "bigint")
        found = {int(i): str(s) for i, s in
                 fetch(conn, f"SELECT id, source FROM transcripts WHERE {cond}", params)}
        if len(_SOURCES_SEEN) > 100_000:
            _SOURCES_SEEN.clear()
        _SOURCES_SEEN.update(((catalog, i), s) for i, s in found.items())
        known.update(found)
    return known


@functools.lru_cache(maxsize=4096)
def _clock(rate: str | None, tc: str | None) -> TimecodeClock | None:
    """media_clock of the two probe fields, ready to label times; an archive has few distinct
    (rate, start) pairs, and parsing them (Fraction, timecode) was a third of a rare-word
    search."""
    frame_rate, start = media_clock({"rate": rate, "start_timecode": tc})
    return None if frame_rate is None else TimecodeClock.of(frame_rate, start)


def _decode_words(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        # What orjson refuses and the standard library reads (NaN, Infinity): never written
        # by rushes, but a catalog may hold what another tool imported.
        return json.loads(text)


def _seconds(us: int) -> float:
    """Seconds for JSON, as rushes.domain.timecode.to_json_time rounds them (an int division
    is correctly rounded, so this equals float(Fraction(us, 10**6)) without its cost)."""
    return round(us / 1_000_000, 6)


def _hit(
    row: Candidate,
    info: _AssetInfo | None,
    segment: SegmentInfo | None,
    spans: list[tuple[int, int, int]],
    matcher: Matcher,
) -> Hit:
    # ref_id is a note's or a clip's id for other sources: the same number as some segment's.
    transcript, words = (
        segment if segment is not None and row.source == "transcript" else (None, None)
    )
    ranges = merge(spans)
    start_us = row.start_us
    if words and ranges and start_us is not None:
        found = first_word_start(row.text, words, ranges[0][0], matcher)
        if found is not None and (row.end_us is None or start_us <= found <= row.end_us):
            start_us = found
    clock = info.clock if info else None
    end_us = row.end_us
    return Hit(
        asset=row.asset_id,
        path=info.path if info else None,
        kind=info.kind if info else None,
        source=row.source,
        speaker=row.speaker,
        start=_seconds(start_us or 0),
        end=_seconds(end_us) if end_us is not None else None,
        timecode=clock.label(start_us or 0) if clock is not None else None,
        end_timecode=clock.label(end_us) if clock is not None and end_us is not None else None,
        segment_start=_seconds(row.start_us) if row.start_us is not None else None,
        text=row.text,
        snippet=snippet(row.text, ranges),
        highlights=ranges,
        entry=row.id,
        ref_id=row.ref_id,
        transcript=transcript,
    )
