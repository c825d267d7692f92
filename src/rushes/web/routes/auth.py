"""Logging in and out, the session's state for scripts, and (for owners) the people page.

A log-in starts a fresh session (the old one's contents, including its CSRF token, are dropped)
so a token or cookie planted before log-in is worthless after it. Failed log-ins are counted per
client address and per name; past the limit the answer is 429 with Retry-After.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from rushes.catalog.users import add_user, authenticate, list_users, remove_user
from rushes.web.deps import Actor, current_actor, needs, state
from rushes.web.payload import body_doc, done, flash, is_form, read_body, safe_next
from rushes.web.render import render
from rushes.web.security import csrf_token

router = APIRouter(tags=["session"])


class LoginIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)
    next: str | None = None


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: Literal["owner", "editor", "viewer"]
    password: str = Field(min_length=8, max_length=1000)


def session_json(request: Request) -> dict[str, Any]:
    actor = current_actor(request)
    return {
        "user": actor.user.to_json() if actor is not None and actor.user is not None else None,
        "role": actor.role if actor is not None else None,
        "require_login": state(request).require_login,
        "csrf_token": csrf_token(request.session),
    }


@router.get("/api/session")
async def session_api(request: Request) -> dict[str, Any]:
    """Who this session is, and its CSRF token for state-changing calls (`X-CSRF-Token`)."""
    return await run_in_threadpool(session_json, request)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
async def login_page(
    request: Request, next: Annotated[str, Query(max_length=2000)] = "/"
) -> Response:
    return render(request, "login.html", {"next": safe_next(next)})


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/api/login", openapi_extra=body_doc(LoginIn))
async def login_api(request: Request) -> Response:
    """Start a session as NAME. Answers the new session's CSRF token."""
    body = await read_body(request, LoginIn)
    st = state(request)
    keys = (f"ip:{_client(request)}", f"name:{body.name.strip().lower()}")
    wait = st.limiter.retry_after(*keys)
    if wait > 0:
        raise HTTPException(
            429, f"too many failed log-ins; try again in {math.ceil(wait)} s",
            headers={"Retry-After": str(math.ceil(wait))},
        )

    def check() -> Any:
        with st.catalog.write() as conn:
            return authenticate(conn, body.name, body.password)

    user = await run_in_threadpool(check)
    target = safe_next(body.next, "/")
    if user is None:
        st.limiter.failed(*keys)
        if is_form(request):
            flash(request, "wrong name or password", "error")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", 303)
        raise HTTPException(401, "wrong name or password")
    st.limiter.succeeded(f"name:{body.name.strip().lower()}")
    request.session.clear()
    request.session["uid"] = user.id
    request.session["stamp"] = user.stamp
    request.state.actor = Actor(user, user.role)
    data = {"user": user.to_json(), "csrf_token": csrf_token(request.session)}
    if is_form(request):
        flash(request, f"logged in as {user.name} ({user.role})")
        return RedirectResponse(target, 303)
    return await done(request, data)


@router.post("/api/logout")
async def logout_api(request: Request) -> Response:
    """End this session."""
    request.session.clear()
    back = "/login" if state(request).require_login else "/"
    if is_form(request):
        flash(request, "logged out")
        return RedirectResponse(back, 303)
    return await done(request, {"ok": True})


# --- people (owners only) ----------------------------------------------------------------------


@router.get("/users", response_class=HTMLResponse, include_in_schema=False)
async def users_page(
    request: Request, _actor: Annotated[Actor, Depends(needs("owner"))]
) -> HTMLResponse:
    def load() -> list[Any]:
        with state(request).catalog.read() as conn:
            return list_users(conn)

    return render(request, "users.html", {"users": await run_in_threadpool(load)})


@router.get("/api/users")
async def users_api(
    request: Request, _actor: Annotated[Actor, Depends(needs("owner"))]
) -> list[dict[str, Any]]:
    """Everyone who may log in (`rushes user ls --json`)."""

    def load() -> list[dict[str, Any]]:
        with state(request).catalog.read() as conn:
            return [u.to_json() for u in list_users(conn)]

    return await run_in_threadpool(load)


@router.post("/api/users", openapi_extra=body_doc(UserIn), status_code=201)
async def add_user_api(
    request: Request, _actor: Annotated[Actor, Depends(needs("owner"))]
) -> Response:
    """Add a person (`rushes user add NAME --role R`)."""
    body = await read_body(request, UserIn)

    def add() -> dict[str, Any]:
        with state(request).catalog.write() as conn:
            return add_user(conn, body.name, body.role, body.password).to_json()

    made = await run_in_threadpool(add)
    return await done(request, made, message=f"added {made['name']} ({made['role']})",
                      back="/users", status=201)


async def _remove(request: Request, name: str, actor: Actor) -> Response:
    if actor.user is not None and actor.user.name == name:
        raise HTTPException(409, "you cannot remove yourself while logged in")

    def remove() -> None:
        with state(request).catalog.write() as conn:
            remove_user(conn, name)

    await run_in_threadpool(remove)
    return await done(request, {"removed": name}, message=f"removed {name}", back="/users")


@router.delete("/api/users/{name}")
async def remove_user_api(
    request: Request, name: str, actor: Annotated[Actor, Depends(needs("owner"))]
) -> Response:
    """Remove a person; their sessions end at once (`rushes user rm NAME`)."""
    return await _remove(request, name, actor)


@router.post("/api/users/{name}/delete", include_in_schema=False)
async def remove_user_form(
    request: Request, name: str, actor: Annotated[Actor, Depends(needs("owner"))]
) -> Response:
    return await _remove(request, name, actor)

