"""An asset's page (player, transcript, shots, metadata, log) and its JSON: the same as
``rushes show --json``, ``rushes transcript show --json`` and ``rushes shots --json``."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from rushes.catalog.assets import AssetRow, locations_of, resolve_asset
from rushes.catalog.results import results_of
from rushes.domain import TIMED_KINDS
from rushes.edit import service
from rushes.errors import UsageError
from rushes.present import (
    asset_summary,
    audio_clock,
    media_clock,
    reference_timecode,
    shots_json,
    time_reference,
)
from rushes.transcript_service import transcript_json
from rushes.web import media_files
from rushes.web.deps import Actor, needs, state
from rushes.web.render import render
from rushes.web.views import picture_urls

router = APIRouter()
_HEX = re.compile(r"^[0-9a-f]{4,64}$")


def check_ref(ref: str) -> str:
    """An asset id or id prefix from a URL (never a path: URLs name assets, not files)."""
    ref = ref.strip().lower()
    if not _HEX.match(ref):
        raise HTTPException(404, f"no asset {ref[:64]!r}: give an asset id")
    return ref


def find_asset(request: Request, ref: str) -> AssetRow:
    """An asset by id or unique id prefix."""
    ref = check_ref(ref)
    try:
        with state(request).catalog.read() as conn:
            return resolve_asset(conn, ref)
    except UsageError as exc:
        raise HTTPException(404, str(exc)) from None


def asset_detail(request: Request, asset: AssetRow) -> dict[str, Any]:
    """``rushes show --json`` for the asset, plus the URLs its page uses."""
    st = state(request)
    with st.catalog.read() as conn:
        results = results_of(conn, asset.id)
        locs = locations_of(conn, asset.id)
        stream = media_files.playable(st.project, conn, asset)
        image = media_files.viewable_image(conn, asset)
        has_original = media_files.original(conn, asset) is not None
    data = asset_summary(asset, results.get("probe"), st.project.settings.timecode_rate)
    data["locations"] = [{"path": loc.path, "missing": loc.missing} for loc in locs]
    data["cache"] = str(st.project.asset_cache(asset.id))
    data["results"] = results
    data.update(picture_urls(asset.id, results.get("thumbnails")))
    data["play_url"] = f"/media/{asset.id}/play" if stream is not None else None
    data["play_type"] = stream.media_type if stream is not None else None
    data["plays_proxy"] = stream is not None and stream.path.parent.name == "proxy"
    data["image_url"] = f"/media/{asset.id}/original" if image is not None else None
    data["original_url"] = f"/media/{asset.id}/original" if has_original else None
    return data


def _transcript(request: Request, asset: AssetRow) -> dict[str, Any] | None:
    try:
        return transcript_json(state(request).catalog, asset.id)
    except UsageError:
        return None


def _shots(asset: AssetRow, results: dict[str, Any]) -> dict[str, Any] | None:
    shots = results.get("shots")
    if asset.kind != "video" or not shots:
        return None
    return shots_json(asset, shots, results.get("probe") or {})


def _log(request: Request, asset: AssetRow) -> dict[str, Any]:
    st = state(request)
    log: dict[str, Any] = service.asset_log(
        st.catalog, asset.id, st.project.settings.timecode_rate
    )
    return log


def _page_data(request: Request, ref: str) -> dict[str, Any]:
    asset = find_asset(request, ref)
    detail = asset_detail(request, asset)
    results = detail["results"]
    probe = results.get("probe") or {}
    rate, start = media_clock(probe)
    reference = time_reference(probe) if asset.kind == "audio" else None
    if rate is None and reference is not None:
        # A Broadcast WAV's player counts its recorder's timecode, as `rushes show` labels it.
        rate, drop_frame = audio_clock(probe, state(request).project.settings.timecode_rate)
        start = reference_timecode(reference, rate, drop_frame)
    return {
        "asset": detail,
        "probe": probe,
        "transcript": _transcript(request, asset),
        "shots": _shots(asset, results),
        "log": _log(request, asset),
        "clock": {
            "rate_num": rate.numerator if rate else None,
            "rate_den": rate.denominator if rate else None,
            "start_frame": start.frames if start else 0,
            "drop_frame": bool(start.drop_frame) if start else False,
        },
        "proxy_pending": (asset.kind in TIMED_KINDS and detail["play_url"] is None
                          and probe.get("browser_playable") is False),
    }


@router.get("/assets/{ref}", response_class=HTMLResponse, include_in_schema=False)
async def asset_page(
    request: Request,
    ref: str,
    _actor: Annotated[Actor, Depends(needs("viewer"))],
    t: Annotated[float | None, Query(ge=0, le=1e7)] = None,
) -> Response:
    data = await run_in_threadpool(_page_data, request, ref)
    if data["asset"]["id"] != ref:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/assets/{data['asset']['id']}{query}", 307)
    return render(request, "asset.html", {**data, "t": t})


@router.get("/api/assets/{ref}", tags=["assets"])
async def asset_api(
    request: Request, ref: str, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> dict[str, Any]:
    """`rushes show --json` for the asset (id or id prefix), plus media URLs."""
    return await run_in_threadpool(lambda: asset_detail(request, find_asset(request, ref)))


@router.get("/api/assets/{ref}/transcript", tags=["assets"])
async def transcript_api(
    request: Request, ref: str, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> dict[str, Any]:
    """`rushes transcript show ASSET --json`."""

    def load() -> dict[str, Any]:
        asset = find_asset(request, ref)
        found = _transcript(request, asset)
        if found is None:
            raise HTTPException(404, f"{asset.path or asset.id} has no transcript yet")
        return found

    return await run_in_threadpool(load)


@router.get("/api/assets/{ref}/shots", tags=["assets"])
async def shots_api(
    request: Request, ref: str, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> dict[str, Any]:
    """`rushes shots ASSET --json`."""

    def load() -> dict[str, Any]:
        asset = find_asset(request, ref)
        with state(request).catalog.read() as conn:
            results = results_of(conn, asset.id)
        found = _shots(asset, results)
        if found is None:
            raise HTTPException(404, f"{asset.path or asset.id} has no shots (yet)")
        return found

    return await run_in_threadpool(load)
