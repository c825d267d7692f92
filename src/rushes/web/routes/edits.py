"""Clips, bins and paper edits: the pages and the API over :mod:`rushes.edit.service`, the same
functions ``rushes clip``/``bin``/``cut`` call.

Cut and bin names travel in URL paths, so a name containing ``/`` cannot be addressed here (the
command line can); everything else, spaces and all, can.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import AfterValidator, BaseModel, Field
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from rushes.edit import service
from rushes.edit.formats import FORMATS
from rushes.errors import UsageError
from rushes.web.deps import Actor, needs, state
from rushes.web.payload import body_doc, done, read_body
from rushes.web.render import render
from rushes.web.routes.assets import check_ref

router = APIRouter()

#: Formats offered as export buttons, with what a person calls them.
EXPORT_LABELS = {
    "edl": "EDL (CMX 3600)", "edl-premiere": "EDL for Premiere", "fcp7": "FCP7 XML (Premiere)",
    "fcpxml": "FCPXML (Final Cut, Resolve)", "otio": "OpenTimelineIO", "otioz": "OTIO bundle",
    "srt": "SRT captions", "webvtt": "WebVTT captions", "markdown": "Script (Markdown)",
    "docx": "Script (Word)",
}


def addressable(name: str) -> str:
    """A bin or cut name the pages can address: no "/" (it would split the URL path) and not
    only dots (browsers fold "." and ".." path segments away, so forms would post elsewhere)."""
    if "/" in name:
        raise ValueError("a name used in web addresses cannot contain '/'")
    if set(name.strip()) == {"."}:
        raise ValueError("a name used in web addresses cannot be only dots")
    return name


def _q(name: str) -> str:
    return quote(name, safe="")


# --- clips -------------------------------------------------------------------------------------


class ClipIn(BaseModel):
    asset: str = Field(min_length=4, max_length=64)
    #: In and out points: seconds, HH:MM:SS.mmm or a source timecode; out is exclusive.
    in_: str | float | None = Field(default=None, alias="in")
    out: str | float | None = None
    #: Instead of in/out: the words of the transcript to clip around.
    text: str | None = Field(default=None, max_length=5000)
    label: str | None = Field(default=None, max_length=500)


@router.get("/api/clips", tags=["clips"])
async def clips_api(
    request: Request,
    _actor: Annotated[Actor, Depends(needs("viewer"))],
    asset: Annotated[str | None, Query(description="only this asset's clips")] = None,
) -> list[dict[str, Any]]:
    """`rushes clip ls [ASSET] --json`."""
    ref = check_ref(asset) if asset else None
    rows: list[dict[str, Any]] = await run_in_threadpool(
        service.list_clips, state(request).catalog, ref,
        state(request).project.settings.timecode_rate,
    )
    return rows


@router.post("/api/clips", tags=["clips"], openapi_extra=body_doc(ClipIn), status_code=201)
async def add_clip_api(
    request: Request, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """A subclip by in/out, or around transcript words (`rushes clip add`)."""
    body = await read_body(request, ClipIn)
    ref = check_ref(body.asset)
    st = state(request)
    clip = await run_in_threadpool(
        lambda: service.add_clip(
            st.catalog, ref,
            in_=None if body.in_ is None else str(body.in_),
            out=None if body.out is None else str(body.out),
            text=body.text, label=body.label, settings=st.project.settings,
        )
    )
    return await done(request, clip, message=f"clip {clip['id']} made",
                      back=f"/assets/{clip['asset']}", status=201)


async def _remove_clip(request: Request, clip_id: int) -> Response:
    await run_in_threadpool(service.remove_clip, state(request).catalog, clip_id)
    return await done(request, {"removed": clip_id}, message=f"clip {clip_id} removed",
                      back="/clips")


@router.delete("/api/clips/{clip_id}", tags=["clips"])
async def remove_clip_api(
    request: Request, clip_id: int, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """`rushes clip rm ID`."""
    return await _remove_clip(request, clip_id)


@router.post("/api/clips/{clip_id}/delete", include_in_schema=False)
async def remove_clip_form(
    request: Request, clip_id: int, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    return await _remove_clip(request, clip_id)


# --- bins --------------------------------------------------------------------------------------


class BinIn(BaseModel):
    name: Annotated[str, AfterValidator(addressable)] = Field(min_length=1, max_length=200)


class EntriesIn(BaseModel):
    #: Clip ids, or assets (id or id prefix).
    items: list[str] = Field(min_length=1, max_length=500)


@router.get("/api/bins", tags=["bins"])
async def bins_api(
    request: Request, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> list[dict[str, Any]]:
    """`rushes bin ls --json`."""
    rows: list[dict[str, Any]] = await run_in_threadpool(
        service.list_bins, state(request).catalog
    )
    return rows


@router.post("/api/bins", tags=["bins"], openapi_extra=body_doc(BinIn), status_code=201)
async def new_bin_api(
    request: Request, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """`rushes bin new NAME`."""
    body = await read_body(request, BinIn)
    made = await run_in_threadpool(service.new_bin, state(request).catalog, body.name)
    return await done(request, made, message=f"bin {made['name']} made",
                      back=f"/clips?bin={_q(made['name'])}", status=201)


@router.get("/api/bins/{name}", tags=["bins"])
async def bin_api(
    request: Request, name: str, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> dict[str, Any]:
    """`rushes bin ls NAME --json`."""
    st = state(request)
    data: dict[str, Any] = await run_in_threadpool(
        service.bin_json, st.catalog, name, st.project.settings.timecode_rate
    )
    return data


def _entries(items: list[str]) -> list[str]:
    """Clip ids as they are; anything else must be an asset id or prefix (not a path)."""
    out = []
    for item in items:
        text = item.strip().removeprefix("clip:")
        out.append(text if text.isdigit() else check_ref(text))
    return out


@router.post("/api/bins/{name}/items", tags=["bins"], openapi_extra=body_doc(EntriesIn))
async def bin_add_api(
    request: Request, name: str, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """Put clips or assets in the bin (`rushes bin add`)."""
    body = await read_body(request, EntriesIn)
    added = await run_in_threadpool(
        service.add_to_bin, state(request).catalog, name, _entries(body.items)
    )
    return await done(request, {"added": added}, message=f"{added} added to {name}",
                      back=f"/clips?bin={_q(name)}")


@router.post("/api/bins/{name}/remove", tags=["bins"], openapi_extra=body_doc(EntriesIn))
async def bin_remove_api(
    request: Request, name: str, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """Take clips or assets out of the bin (`rushes bin rm`)."""
    body = await read_body(request, EntriesIn)
    removed = await run_in_threadpool(
        service.remove_from_bin, state(request).catalog, name, _entries(body.items)
    )
    return await done(request, {"removed": removed}, message=f"{removed} removed from {name}",
                      back=f"/clips?bin={_q(name)}")


@router.get("/clips", response_class=HTMLResponse, include_in_schema=False)
async def clips_page(
    request: Request,
    _actor: Annotated[Actor, Depends(needs("viewer"))],
    bin: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    st = state(request)

    def load() -> dict[str, Any]:
        shown = (service.bin_json(st.catalog, bin, st.project.settings.timecode_rate)
                 if bin else None)
        return {
            "clips": service.list_clips(st.catalog, None, st.project.settings.timecode_rate),
            "bins": service.list_bins(st.catalog),
            "bin": shown,
            "cuts": service.list_cuts(st.catalog, st.project),
        }

    return render(request, "clips.html", await run_in_threadpool(load))


# --- cuts --------------------------------------------------------------------------------------


class CutIn(BaseModel):
    name: Annotated[str, AfterValidator(addressable)] = Field(min_length=1, max_length=200)
    rate: str | None = Field(default=None, max_length=32)
    start: str | None = Field(default=None, max_length=16)


class ItemsIn(BaseModel):
    #: Clip ids, or ``ASSET@IN-OUT`` ranges, or image assets (stills).
    items: list[str] = Field(min_length=1, max_length=500)
    #: 1-based place to insert before; absent appends.
    position: int | None = Field(default=None, ge=1)
    label: str | None = Field(default=None, max_length=500)


class TextItemIn(BaseModel):
    kind: Literal["title", "voiceover", "note"]
    text: str = Field(default="", max_length=10_000)
    #: Seconds, for titles and voice-over.
    duration: str | None = Field(default=None, max_length=32)
    position: int | None = Field(default=None, ge=1)


class MoveIn(BaseModel):
    from_: int = Field(alias="from", ge=1)
    to: int = Field(ge=1)


def _cut_url(name: str) -> str:
    return f"/cuts/{_q(name)}"


@router.get("/api/cuts", tags=["cuts"])
async def cuts_api(
    request: Request, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> list[dict[str, Any]]:
    """`rushes cut ls --json`: each cut's rate, start, running time and item count."""
    st = state(request)
    rows: list[dict[str, Any]] = await run_in_threadpool(service.list_cuts, st.catalog, st.project)
    return rows


@router.post("/api/cuts", tags=["cuts"], openapi_extra=body_doc(CutIn), status_code=201)
async def new_cut_api(
    request: Request, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """`rushes cut new NAME [--rate R] [--start TC]`."""
    body = await read_body(request, CutIn)
    st = state(request)
    made = await run_in_threadpool(
        lambda: service.new_cut(st.catalog, body.name, rate=body.rate, start=body.start,
                                settings=st.project.settings)
    )
    return await done(request, made, message=f"cut {made['name']} made",
                      back=_cut_url(made["name"]), status=201)


@router.get("/api/cuts/{name}", tags=["cuts"])
async def cut_api(
    request: Request, name: str, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> dict[str, Any]:
    """`rushes cut show NAME --json`: every item with source and record times."""
    st = state(request)
    data: dict[str, Any] = await run_in_threadpool(service.cut_json, st.catalog, st.project, name)
    return data


@router.post("/api/cuts/{name}/items", tags=["cuts"], openapi_extra=body_doc(ItemsIn))
async def cut_add_api(
    request: Request, name: str, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """Add clips, ranges (`ASSET@IN-OUT`) or stills (`rushes cut add`)."""
    body = await read_body(request, ItemsIn)
    ids = await run_in_threadpool(
        lambda: service.add_items(state(request).catalog, name, body.items,
                                  position=body.position, label=body.label,
                                  settings=state(request).project.settings)
    )
    return await done(request, {"ids": ids}, message=f"{len(ids)} item(s) added",
                      back=_cut_url(name))


@router.post("/api/cuts/{name}/text", tags=["cuts"], openapi_extra=body_doc(TextItemIn))
async def cut_text_api(
    request: Request, name: str, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """Add a title card, a voice-over placeholder or a note (`rushes cut add --title…`)."""
    body = await read_body(request, TextItemIn)
    catalog = state(request).catalog

    def add() -> int:
        if body.kind == "title":
            return service.add_title(catalog, name, body.text, duration=body.duration,
                                     position=body.position)
        if body.kind == "voiceover":
            return service.add_voiceover(catalog, name, body.text, duration=body.duration,
                                         position=body.position)
        return service.add_note_item(catalog, name, body.text, position=body.position)

    item = await run_in_threadpool(add)
    return await done(request, {"id": item}, message=f"{body.kind} added", back=_cut_url(name))


@router.post("/api/cuts/{name}/move", tags=["cuts"], openapi_extra=body_doc(MoveIn))
async def cut_move_api(
    request: Request, name: str, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """Move the item at position `from` to position `to` (1-based; `rushes cut move`)."""
    body = await read_body(request, MoveIn)
    await run_in_threadpool(service.move_item, state(request).catalog, name, body.from_, body.to)
    return await done(request, {"moved": [body.from_, body.to]}, message="moved",
                      back=_cut_url(name))


async def _remove_item(request: Request, name: str, position: int) -> Response:
    await run_in_threadpool(service.remove_item, state(request).catalog, name, position)
    return await done(request, {"removed": position}, message=f"item {position} removed",
                      back=_cut_url(name))


@router.delete("/api/cuts/{name}/items/{position}", tags=["cuts"])
async def cut_remove_api(
    request: Request, name: str, position: int,
    _actor: Annotated[Actor, Depends(needs("editor"))],
) -> Response:
    """Remove the item at `position` (`rushes cut rm`)."""
    return await _remove_item(request, name, position)


@router.post("/api/cuts/{name}/items/{position}/delete", include_in_schema=False)
async def cut_remove_form(
    request: Request, name: str, position: int,
    _actor: Annotated[Actor, Depends(needs("editor"))],
) -> Response:
    return await _remove_item(request, name, position)


@router.get("/api/cuts/{name}/unused", tags=["cuts"])
async def unused_api(
    request: Request, name: str, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> list[dict[str, Any]]:
    """Selects that did not make this cut (`rushes clip unused CUT --json`)."""
    rows: list[dict[str, Any]] = await run_in_threadpool(
        service.unused_clips, state(request).catalog, name,
        state(request).project.settings.timecode_rate,
    )
    return rows


def _download_name(name: str, ext: str) -> str:
    safe = re.sub(r"[^\w.\- ]+", "_", name).strip(" .") or "cut"
    return safe + ext


@router.get("/api/cuts/{name}/export", tags=["cuts"])
async def export_api(
    request: Request,
    name: str,
    _actor: Annotated[Actor, Depends(needs("editor"))],
    format: Annotated[str, Query(description=", ".join(FORMATS))] = "edl",
) -> FileResponse:
    """The cut in an editing application's format, as a download (`rushes cut export`)."""
    fmt = format.lower()
    if fmt not in FORMATS:
        raise HTTPException(422, f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    ext = FORMATS[fmt][3]
    st = state(request)
    folder = Path(tempfile.mkdtemp(prefix="rushes-export-"))
    target = folder / _download_name(name, ext)
    try:
        await run_in_threadpool(service.export_cut, st.catalog, st.project, name, fmt, target)
    except ImportError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise UsageError(f"the {fmt} exporter is not available here ({exc})") from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if not target.is_file():
        shutil.rmtree(folder, ignore_errors=True)
        raise UsageError(f"the {fmt} export of {name!r} wrote nothing")
    return FileResponse(
        target, filename=target.name, media_type="application/octet-stream",
        headers={"cache-control": "no-store"},
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


@router.get("/cuts", response_class=HTMLResponse, include_in_schema=False)
async def cuts_page(
    request: Request, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> HTMLResponse:
    st = state(request)
    cuts = await run_in_threadpool(service.list_cuts, st.catalog, st.project)
    return render(request, "cuts.html", {"cuts": cuts})


@router.get("/cuts/{name}", response_class=HTMLResponse, include_in_schema=False)
async def cut_page(
    request: Request, name: str, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> HTMLResponse:
    st = state(request)

    def load() -> dict[str, Any]:
        try:
            cut = service.cut_json(st.catalog, st.project, name)
        except UsageError as exc:
            raise HTTPException(404, str(exc)) from None
        return {
            "cut": cut,
            "unused": service.unused_clips(st.catalog, name, st.project.settings.timecode_rate),
            "clips": service.list_clips(st.catalog, None, st.project.settings.timecode_rate),
            "formats": [(f, EXPORT_LABELS.get(f, f)) for f in FORMATS],
        }

    return render(request, "cut.html", await run_in_threadpool(load))
