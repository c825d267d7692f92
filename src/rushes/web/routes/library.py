"""The library: every asset as a card (poster, filmstrip on hover), filtered and paged."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from rushes.catalog.assets import count_by_kind
from rushes.catalog.library import MAX_PAGE, SORTS, LibraryFilter, browse, tag_names
from rushes.domain import ASSET_KINDS
from rushes.web.deps import Actor, needs, state
from rushes.web.render import render
from rushes.web.views import asset_card

router = APIRouter()
PAGE_SIZE = 48
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _number(name: str, value: str | None) -> float | None:
    text = _blank(value)
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        raise HTTPException(422, f"{name} must be a number of seconds, not {text!r}") from None
    if not math.isfinite(number) or number < 0:
        raise HTTPException(422, f"{name} must be a number of seconds, not {text!r}")
    return number


def _date(name: str, value: str | None) -> str | None:
    text = _blank(value)
    if text is not None and not _DATE.match(text):
        raise HTTPException(422, f"{name} must be a date YYYY-MM-DD, not {text!r}")
    return text


def library_filter(
    kind: Annotated[str | None, Query(description="video, audio, image, document, webpage")] = None,
    tag: Annotated[str | None, Query(description="a tag, or a tag above others (people)")] = None,
    date_from: Annotated[str | None, Query(alias="from", description="YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, Query(alias="to", description="YYYY-MM-DD")] = None,
    min_duration: Annotated[str | None, Query(description="seconds")] = None,
    max_duration: Annotated[str | None, Query(description="seconds")] = None,
    name: Annotated[str | None, Query(description="part of the file name or folder")] = None,
    sort: Annotated[str, Query(description="path, added, date or duration")] = "path",
) -> LibraryFilter:
    kind = _blank(kind)
    if kind is not None and kind not in ASSET_KINDS:
        raise HTTPException(422, f"kind must be one of {', '.join(ASSET_KINDS)}, not {kind!r}")
    if sort not in SORTS:
        raise HTTPException(422, f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    date_to = _date("to", date_to)
    if date_to is not None and len(date_to) < 10:
        # "to 2024-09" means up to the end of that month (or year): pad past any real day.
        date_to += "-99" if len(date_to) == 7 else "-99-99"
    return LibraryFilter(
        kind=kind, tag=_blank(tag), date_from=_date("from", date_from), date_to=date_to,
        min_duration=_number("min_duration", min_duration),
        max_duration=_number("max_duration", max_duration), name=_blank(name), sort=sort,
    )


def _page(request: Request, f: LibraryFilter, limit: int, offset: int) -> dict[str, Any]:
    with state(request).catalog.read() as conn:
        rows, total = browse(conn, f, limit=limit, offset=offset)
        kinds = count_by_kind(conn)
        tags = tag_names(conn)
    return {
        "total": total,
        "offset": offset,
        "limit": limit,
        "assets": [asset_card(r.asset, r.probe, r.thumbnails,
                              state(request).project.settings.timecode_rate) for r in rows],
        "kinds": kinds,
        "tags": tags,
    }


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def library_page(
    request: Request,
    f: Annotated[LibraryFilter, Depends(library_filter)],
    _actor: Annotated[Actor, Depends(needs("viewer"))],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    data = await run_in_threadpool(_page, request, f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    pages = max(1, math.ceil(data["total"] / PAGE_SIZE))
    params = {k: v for k, v in request.query_params.items() if k != "page" and v}

    def page_url(n: int) -> str:
        return "/?" + urlencode({**params, "page": n})

    return render(request, "library.html", {
        **data, "filter": f, "page": page, "pages": pages, "page_url": page_url,
        "all_kinds": ASSET_KINDS, "sorts": SORTS,
        "date_to_shown": (request.query_params.get("to") or ""),
    })


@router.get("/api/assets", tags=["library"])
async def list_assets_api(
    request: Request,
    f: Annotated[LibraryFilter, Depends(library_filter)],
    _actor: Annotated[Actor, Depends(needs("viewer"))],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 60,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """A page of assets: each is `rushes ls --json`'s row plus picture URLs and its date."""
    data = await run_in_threadpool(_page, request, f, limit, offset)
    return {k: data[k] for k in ("total", "offset", "limit", "assets")}
