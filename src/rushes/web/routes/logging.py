"""Logging an asset: tags, notes and markers, ratings (``rushes tag``/``note``/``rate``/``log``).

A viewer may add notes (that is how the subject or a producer comments) but nothing else here;
tags, ratings and removing notes need an editor.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool

from rushes.edit import service
from rushes.web.deps import Actor, needs, state
from rushes.web.payload import body_doc, done, read_body
from rushes.web.routes.assets import check_ref, find_asset

router = APIRouter(tags=["logging"])


class TagsIn(BaseModel):
    #: Each entry may hold several tags separated by commas (what a form's text box sends).
    names: list[str] = Field(min_length=1, max_length=100)
    clip: int | None = None

    @field_validator("names")
    @classmethod
    def _split(cls, value: list[str]) -> list[str]:
        out = [part.strip() for v in value for part in v.split(",") if part.strip()]
        if not out:
            raise ValueError("give at least one tag")
        if any(len(n) > 200 for n in out):
            raise ValueError("a tag is at most 200 characters")
        return out


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    #: A marker time: seconds, HH:MM:SS.mmm or a timecode; absent for a note on the whole asset.
    at: str | float | None = None
    clip: int | None = None


class RatingIn(BaseModel):
    #: 0–5 stars; absent clears the rating.
    value: int | None = Field(default=None, ge=0, le=5)
    clip: int | None = None


def _asset_page(asset: str) -> str:
    return f"/assets/{asset}"


@router.get("/api/assets/{ref}/log")
async def log_api(
    request: Request, ref: str, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> dict[str, Any]:
    """`rushes log ASSET --json`: tags, notes and markers, rating, clips."""
    def load() -> dict[str, Any]:
        asset = find_asset(request, ref)
        st = state(request)
        log: dict[str, Any] = service.asset_log(
            st.catalog, asset.id, st.project.settings.timecode_rate
        )
        return log

    return await run_in_threadpool(load)


@router.post("/api/assets/{ref}/tags", openapi_extra=body_doc(TagsIn))
async def tag_api(
    request: Request, ref: str, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """Tag the asset, or one of its clips (`rushes tag`). Answers the tags that were new."""
    body = await read_body(request, TagsIn)
    added = await run_in_threadpool(
        service.tag, state(request).catalog, check_ref(ref), body.names, body.clip
    )
    message = f"tagged {', '.join(added)}" if added else "already tagged"
    return await done(request, {"added": added}, message=message, back=_asset_page(ref))


@router.post("/api/assets/{ref}/untag", openapi_extra=body_doc(TagsIn))
async def untag_api(
    request: Request, ref: str, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """Remove tags from the asset or one of its clips (`rushes untag`)."""
    body = await read_body(request, TagsIn)
    removed = await run_in_threadpool(
        service.untag, state(request).catalog, check_ref(ref), body.names, body.clip
    )
    return await done(request, {"removed": removed}, message=f"removed {removed} tag(s)",
                      back=_asset_page(ref))


@router.post("/api/assets/{ref}/notes", openapi_extra=body_doc(NoteIn), status_code=201)
async def note_api(
    request: Request, ref: str, actor: Annotated[Actor, Depends(needs("viewer"))]
) -> Response:
    """A note on the asset (or a clip); with `at`, a marker at that moment (`rushes note add`).
    The author is the logged-in user."""
    body = await read_body(request, NoteIn)
    at = None if body.at is None else str(body.at)
    note = await run_in_threadpool(
        lambda: service.add_note(state(request).catalog, check_ref(ref), body.text, at=at,
                                 author=actor.name, clip_id=body.clip,
                                 timecode_rate=state(request).project.settings.timecode_rate)
    )
    return await done(request, note, message="note added", back=_asset_page(ref), status=201)


async def _remove_note(request: Request, note_id: int) -> Response:
    await run_in_threadpool(service.remove_note, state(request).catalog, note_id)
    return await done(request, {"removed": note_id}, message="note removed")


@router.delete("/api/notes/{note_id}")
async def remove_note_api(
    request: Request, note_id: int, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """Remove a note or marker (`rushes note rm`)."""
    return await _remove_note(request, note_id)


@router.post("/api/notes/{note_id}/delete", include_in_schema=False)
async def remove_note_form(
    request: Request, note_id: int, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    return await _remove_note(request, note_id)


@router.post("/api/assets/{ref}/rating", openapi_extra=body_doc(RatingIn))
async def rating_api(
    request: Request, ref: str, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """Rate the asset (or a clip) 0–5 stars; no value clears it (`rushes rate`)."""
    body = await read_body(request, RatingIn)
    await run_in_threadpool(
        service.set_rating, state(request).catalog, check_ref(ref), body.value, body.clip
    )
    message = f"rated {body.value}" if body.value is not None else "rating cleared"
    return await done(request, {"rating": body.value}, message=message, back=_asset_page(ref))
