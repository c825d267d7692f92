"""Who is asking, and may they: the app's shared state, the acting person, and the gate every
request passes (log-in when required, then CSRF for anything that changes state).

The gate is one app-wide dependency rather than something each route remembers: a route added
later is protected without anyone thinking of it. Routes then state the least role they need
with :func:`needs`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import Request

from rushes.catalog import Catalog
from rushes.catalog.users import ROLES, User, get_user, role_rank
from rushes.project import Project
from rushes.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SAFE_METHODS,
    LoginLimiter,
    csrf_ok,
)

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates

    from rushes.web.analysis import AnalysisRunner

#: Paths anyone may reach even when log-in is required (the way in, and the page furniture).
PUBLIC_PREFIXES = ("/static/", "/login", "/api/login", "/api/session", "/openapi.json")


@dataclass
class WebState:
    """Everything the routes share, made once by :func:`rushes.web.app.create_app`."""

    project: Project
    catalog: Catalog
    templates: Jinja2Templates
    require_login: bool
    analysis: AnalysisRunner
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    #: ffmpeg processes making frame thumbnails at once: a search page asks for dozens.
    frame_slots: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(2)
    )


def state(request: Request) -> WebState:
    found: WebState = request.app.state.rushes
    return found


@dataclass(frozen=True)
class Actor:
    """The person behind a request. Without log-in required, an anonymous visitor on loopback
    is the laptop's owner and may do everything; a logged-in user always acts as themselves."""

    user: User | None
    role: str

    @property
    def name(self) -> str | None:
        return self.user.name if self.user is not None else None

    def may(self, role: str) -> bool:
        return role_rank(self.role) >= role_rank(role)


class NotLoggedIn(Exception):
    """No (valid) session where one is required: 401 for the API, the log-in page for pages."""


class Forbidden(Exception):
    """Logged in, but the role does not allow this: 403."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CsrfFailed(Exception):
    """A state-changing request without this session's token: 403, nothing changed."""


def session_user(request: Request) -> User | None:
    """The user this session belongs to, if it still matches a user and their password."""
    session = request.session
    uid = session.get("uid")
    if not isinstance(uid, int):
        return None
    with state(request).catalog.read() as conn:
        user = get_user(conn, uid)
    if user is None or user.stamp != session.get("stamp"):
        session.pop("uid", None)
        session.pop("stamp", None)
        return None
    return user


def current_actor(request: Request) -> Actor | None:
    """The acting person (cached on the request), or None when log-in is required and absent."""
    if hasattr(request.state, "actor"):
        cached: Actor | None = request.state.actor
        return cached
    user = session_user(request)
    actor: Actor | None
    if user is not None:
        actor = Actor(user, user.role)
    elif state(request).require_login:
        actor = None
    else:
        actor = Actor(None, ROLES[-1])
    request.state.actor = actor
    return actor


def is_public(path: str) -> bool:
    return any(path == p.rstrip("/") or path.startswith(p) for p in PUBLIC_PREFIXES)


async def gate(request: Request) -> None:
    """Applied to every route: log-in first (so anonymous API calls get 401, not 403), then
    the CSRF token for any method that may change something."""
    if not is_public(request.url.path) and current_actor(request) is None:
        raise NotLoggedIn
    if request.method in SAFE_METHODS:
        return
    given = request.headers.get(CSRF_HEADER)
    if not given:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not csrf_ok(request.session, given):
        raise CsrfFailed


def needs(role: str) -> Callable[[Request], Actor]:
    """A dependency that returns the actor if their role is at least ``role``."""
    role_rank(role)

    def check(request: Request) -> Actor:
        actor = current_actor(request)
        if actor is None:
            raise NotLoggedIn
        if not actor.may(role):
            raise Forbidden(f"this needs the {role} role; you are {actor.role}")
        return actor

    check.__name__ = f"needs_{role}"
    return check
