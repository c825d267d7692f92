"""Search: the page (hits with the frame at the hit and the highlighted words) and
``/api/search``, which answers exactly what ``rushes search --json`` prints, from the same
:func:`rushes.search.search`."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from rushes.catalog.assets import resolve_asset
from rushes.errors import UsageError
from rushes.search import MAX_LIMIT, SearchResult, search
from rushes.web.deps import Actor, needs, state
from rushes.web.render import render
from rushes.web.views import KINDS

router = APIRouter()
PAGE_SIZE = 20


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
) -> SearchResult:
    catalog = state(request).catalog
    asset_id = None
    if asset:
        with catalog.read() as conn:
            asset_id = resolve_asset(conn, asset).id
    return search(
        catalog, q, kind=kind or None, asset=asset_id, speaker=speaker or None, tag=tag or None,
        source=source or None, date_from=after or None, date_to=before or None, limit=limit,
        offset=offset,
    )


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
) -> dict[str, Any]:
    """The same JSON as `rushes search QUERY --json`: `{"hits": [{"asset", "path", "start",
    "end", "text", "source", "timecode", "snippet", "highlights", …}], "total", "more"}`."""
    result = await run_in_threadpool(
        lambda: _run(request, q, kind=kind, asset=asset, speaker=speaker, tag=tag,
                     source=source, after=after, before=before, limit=limit, offset=offset)
    )
    return result.to_json()


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
async def search_page(
    request: Request,
    _actor: Annotated[Actor, Depends(needs("viewer"))],
    q: Annotated[str, Query(max_length=2000)] = "",
    kind: str | None = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> HTMLResponse:
    result: SearchResult | None = None
    error: str | None = None
    if q.strip():
        try:
            result = await run_in_threadpool(
                lambda: _run(request, q, kind=kind, limit=PAGE_SIZE, offset=offset)
            )
        except UsageError as exc:
            error = str(exc)

    def page_url(new_offset: int) -> str:
        params = {"q": q, "offset": new_offset}
        if kind:
            params["kind"] = kind
        return "/search?" + urlencode(params)

    return render(request, "search.html", {
        "q": q, "kind": kind or "", "result": result, "error": error, "offset": offset,
        "page_size": PAGE_SIZE, "page_url": page_url, "all_kinds": KINDS,
    })
