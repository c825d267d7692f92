"""Search: the page (hits with the frame at the hit and the highlighted words) and
``/api/search``, which answers exactly what ``rushes search --json`` prints, from the same
:func:`rushes.search.search`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from rushes.catalog.assets import resolve_asset
from rushes.domain import ASSET_KINDS
from rushes.errors import UsageError
from rushes.search import MAX_LIMIT, SearchResult, search
from rushes.web.deps import Actor, needs, state
from rushes.web.render import render
from rushes.web.routes.assets import check_ref

router = APIRouter()
PAGE_SIZE = 20
#: words: the word search (exact; "no hits" means nobody said them); meaning: by sentence
#: embeddings; both: the two fused (see rushes.search.hybrid).
Match = Literal["words", "meaning", "both"]


def _run(
    request: Request,
    q: str,
    *,
    kind: str | None = None,
    asset: str | None = None,
    speaker: str | None = None,
    tag: str | None = None,
    source: str | None = None,
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
    offset: int = 0,
    match: str = "words",
) -> SearchResult:
    web = state(request)
    catalog = web.catalog
    asset_id = None
    if asset:
        # An id, never a path: a URL must not ask whether a file of this machine is catalogued.
        ref = check_ref(asset)
        with catalog.read() as conn:
            asset_id = resolve_asset(conn, ref).id
    filters: dict[str, Any] = dict(
        kind=kind or None, asset=asset_id, speaker=speaker or None, tag=tag or None,
        source=source or None, date_from=after or None, date_to=before or None, limit=limit,
        offset=offset,
    )
    if match == "words":
        return search(catalog, q, **filters)
    # By meaning, or both: the same functions as `rushes search --semantic / --hybrid` (the
    # model loads on first use and stays loaded).
    from rushes.search.hybrid import hybrid_search
    from rushes.search.semantic import semantic_search

    settings = web.project.settings
    model = settings.embedding_model
    run = hybrid_search if match == "both" else semantic_search
    return run(catalog, web.project.cache_dir, q, model=Path(model) if model else None,
               threads=settings.embedding_threads, **filters)


@router.get("/api/search", tags=["search"])
async def search_api(
    request: Request,
    _actor: Annotated[Actor, Depends(needs("viewer"))],
    q: Annotated[str, Query(min_length=1, max_length=2000, description="the query")],
    kind: str | None = None,
    asset: Annotated[str | None, Query(description="asset id or id prefix")] = None,
    speaker: str | None = None,
    tag: str | None = None,
    source: str | None = None,
    after: Annotated[str | None, Query(description="YYYY[-MM[-DD]], inclusive")] = None,
    before: Annotated[str | None, Query(description="YYYY[-MM[-DD]], exclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    match: Annotated[Match, Query(description="words (the default), meaning (as "
                                  "--semantic) or both (as --hybrid)")] = "words",
) -> dict[str, Any]:
    """The same JSON as `rushes search QUERY --json`: `{"hits": [{"asset", "path", "start",
    "end", "text", "source", "timecode", "snippet", "highlights", …}], "total", "more"}`."""
    result = await run_in_threadpool(
        lambda: _run(request, q, kind=kind, asset=asset, speaker=speaker, tag=tag,
                     source=source, after=after, before=before, limit=limit, offset=offset,
                     match=match)
    )
    return result.to_json()


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
async def search_page(
    request: Request,
    _actor: Annotated[Actor, Depends(needs("viewer"))],
    q: Annotated[str, Query(max_length=2000)] = "",
    kind: str | None = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    match: Match = "words",
) -> HTMLResponse:
    result: SearchResult | None = None
    error: str | None = None
    if q.strip():
        try:
            result = await run_in_threadpool(
                lambda: _run(request, q, kind=kind, limit=PAGE_SIZE, offset=offset, match=match)
            )
        except UsageError as exc:
            error = str(exc)

    def page_url(new_offset: int) -> str:
        params: dict[str, str | int] = {"q": q, "offset": new_offset}
        if kind:
            params["kind"] = kind
        if match != "words":
            params["match"] = match
        return "/search?" + urlencode(params)

    return render(request, "search.html", {
        "q": q, "kind": kind or "", "result": result, "error": error, "offset": offset,
        "page_size": PAGE_SIZE, "page_url": page_url, "all_kinds": ASSET_KINDS, "match": match,
    })
