"""Media by asset id: the stream the player plays (HTTP range requests, 206), the original,
posters, filmstrips and frames at a time. Never a path from the client: see
:mod:`rushes.web.media_files`."""

from __future__ import annotations

import mimetypes
import re
from fractions import Fraction
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from rushes.catalog.assets import AssetRow, get_asset
from rushes.catalog.results import result_of
from rushes.errors import MediaError
from rushes.present import media_clock
from rushes.web import media_files
from rushes.web.deps import Actor, needs, state
from rushes.web.ranges import RangedFile

router = APIRouter(prefix="/media", tags=["media"])
_ID = re.compile(r"^[0-9a-f]{64}$")
#: Derived pictures never change under one name (a new result means new files); originals may
#: be re-catalogued, so they are revalidated by ETag instead.
_IMMUTABLE = "private, max-age=86400"


def _asset(request: Request, asset_id: str) -> AssetRow:
    if not _ID.match(asset_id):
        raise HTTPException(404, "no such asset (media is served by full asset id)")
    with state(request).catalog.read() as conn:
        asset = get_asset(conn, asset_id)
    if asset is None:
        raise HTTPException(404, f"no asset {asset_id[:12]} in this project")
    return asset


def _file(found: media_files.MediaFile | None, what: str, *, cache: str | None = None,
          download: str | None = None) -> RangedFile:
    if found is None:
        raise HTTPException(404, f"no {what} for this asset (yet)")
    headers = {"cache-control": cache} if cache else {}
    if download is not None:
        # Never render a document from our own origin: an HTML or SVG file would run as a page
        # of this app. As an attachment, sandboxed, it is only ever saved.
        headers["content-security-policy"] = "sandbox"
        return RangedFile(found.path, media_type=found.media_type, headers=headers,
                          filename=download, content_disposition_type="attachment")
    return RangedFile(found.path, media_type=found.media_type, headers=headers)


@router.get("/{asset_id}/play")
async def play(
    request: Request, asset_id: str, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> FileResponse:
    """The stream for the player (the proxy, else the browser-playable original). Honours
    `Range` (206 Partial Content), so the player can seek without downloading the file."""

    def find() -> media_files.MediaFile | None:
        st = state(request)
        asset = _asset(request, asset_id)
        with st.catalog.read() as conn:
            return media_files.playable(st.project, conn, asset)

    return _file(await run_in_threadpool(find), "playable media")


@router.get("/{asset_id}/original")
async def original(
    request: Request, asset_id: str, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> FileResponse:
    """The original file: images a browser shows inline; anything else as a download."""

    def find() -> tuple[media_files.MediaFile | None, str | None]:
        st = state(request)
        asset = _asset(request, asset_id)
        with st.catalog.read() as conn:
            image = media_files.viewable_image(conn, asset)
            if image is not None:
                return image, None
            path = media_files.original(conn, asset)
        if path is None:
            return None, None
        guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return media_files.MediaFile(path, guessed), path.name

    found, download = await run_in_threadpool(find)
    return _file(found, "original file (missing or changed since catalogued)", download=download)


def _picture(request: Request, asset_id: str, which: str) -> media_files.MediaFile | None:
    st = state(request)
    asset = _asset(request, asset_id)
    with st.catalog.read() as conn:
        thumbs = result_of(conn, asset.id, "thumbnails")
    path = media_files.picture(st.project, asset, thumbs, which)
    return media_files.MediaFile(path, "image/jpeg") if path is not None else None


@router.get("/{asset_id}/poster")
async def poster(
    request: Request, asset_id: str, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> FileResponse:
    found = await run_in_threadpool(_picture, request, asset_id, "poster")
    return _file(found, "poster", cache=_IMMUTABLE)


@router.get("/{asset_id}/filmstrip")
async def filmstrip(
    request: Request, asset_id: str, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> FileResponse:
    found = await run_in_threadpool(_picture, request, asset_id, "filmstrip")
    return _file(found, "filmstrip", cache=_IMMUTABLE)


@router.get("/{asset_id}/frame")
async def frame(
    request: Request,
    asset_id: str,
    _actor: Annotated[Actor, Depends(needs("viewer"))],
    t: Annotated[float, Query(ge=0, le=1e7, description="seconds into the media")] = 0.0,
    w: Annotated[int, Query(description="width: 160, 320 or 640")] = 320,
) -> FileResponse:
    """The frame shown at `t` seconds as a JPEG, made once and cached (search hits, shots)."""
    if w not in media_files.FRAME_WIDTHS:
        widths = ", ".join(map(str, media_files.FRAME_WIDTHS))
        raise HTTPException(422, f"w must be one of {widths}")

    def make() -> media_files.MediaFile | None:
        st = state(request)
        asset = _asset(request, asset_id)
        if asset.kind == "image":
            return _picture(request, asset_id, "poster")
        if asset.kind != "video":
            return None
        with st.catalog.read() as conn:
            probe = result_of(conn, asset.id, "probe") or {}
            source = media_files.original(conn, asset)
            if source is None:
                stream = media_files.playable(st.project, conn, asset)
                source = stream.path if stream is not None else None
        if source is None:
            return None
        rate, _ = media_clock(probe)
        duration = probe.get("duration")
        at = Fraction(t).limit_denominator(1_000_000)
        if duration:
            # Past the end (a hit's time rounded up, a stale link) shows the last frame.
            last = Fraction(str(duration)) - (1 / rate if rate else Fraction(1, 25))
            at = max(Fraction(0), min(at, last))
        try:
            path = media_files.frame_at(st.project, source, asset.id, at, rate, w, st.frame_slots)
        except MediaError:
            return None
        return media_files.MediaFile(path, "image/jpeg")

    found = await run_in_threadpool(make)
    return _file(found, "frame at that time", cache=_IMMUTABLE)
