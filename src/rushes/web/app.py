"""The app factory: one FastAPI app per project, made by :func:`create_app` (no module-global
app, so tests and ``rushes serve`` each build their own, and two projects can be served from
one process).

Layers, outermost first: request size limit → allowed Host names (on loopback) → security
headers → signed-cookie session → the routes, each behind the :func:`~rushes.web.deps.gate`
(log-in, CSRF) and its own role check.
Errors become one readable line: JSON ``{"error": …}`` for the API and media, a page otherwise.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from rushes import __version__
from rushes.catalog import Catalog, open_catalog
from rushes.catalog.db import database_errors, database_failure
from rushes.errors import RushesError
from rushes.project import Project
from rushes.web.analysis import AnalysisRunner
from rushes.web.deps import CsrfFailed, Forbidden, NotLoggedIn, WebState, gate
from rushes.web.payload import flash, is_form, safe_next
from rushes.web.render import make_templates, render
from rushes.web.routes import ROUTERS
from rushes.web.security import BodyLimit, LoginLimiter, SecurityHeaders, session_secret

STATIC = Path(__file__).with_name("static")
#: Bodies are small JSON documents and form posts; nothing is uploaded through the app.
MAX_BODY = 1 << 20
SESSION_DAYS = 7


def _wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/media/")) or path == "/api":
        return True
    accept = request.headers.get("accept", "")
    return "text/html" not in accept and request.method not in {"GET", "HEAD"}


def create_app(
    project: Project,
    *,
    require_login: bool = False,
    catalog: Catalog | None = None,
    secret: str | None = None,
    https_only: bool = False,
    max_body: int = MAX_BODY,
    limiter: LoginLimiter | None = None,
    allowed_hosts: Sequence[str] | None = None,
) -> FastAPI:
    """The web app for ``project``.

    ``require_login`` makes every page and API call need a session (anonymous API calls get
    401). ``catalog`` may be passed in (tests, benchmarks) and is then not closed with the app;
    ``secret`` overrides the session key kept in ``.rushes/web-secret``; ``https_only`` marks
    the session cookie Secure for a server behind TLS. ``allowed_hosts`` refuses requests whose
    ``Host`` is not one of them (400): on loopback this stops a web page from reaching the app
    through a DNS name rebound to 127.0.0.1, which the browser would treat as that page's own
    origin.
    """
    owns_catalog = catalog is None
    cat = catalog if catalog is not None else open_catalog(
        project.database_url, read_only=project.read_only
    )
    key = secret or session_secret(project.dir, keep=project.read_only is None)
    analysis = AnalysisRunner(project)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            analysis.stop()
            if owns_catalog:
                cat.close()

    app = FastAPI(
        title=f"rushes: {project.root.name}",
        version=__version__,
        description=(
            "The rushes archive's JSON API: the same functions and JSON as the `rushes` "
            "command. State-changing calls need the session's CSRF token in an "
            "`X-CSRF-Token` header (GET /api/session gives it); with log-in required, "
            "POST /api/login first."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
        dependencies=[Depends(gate)],
    )
    app.state.rushes = WebState(
        project=project, catalog=cat, templates=make_templates(), require_login=require_login,
        analysis=analysis, limiter=limiter or LoginLimiter(),
    )
    # One cookie name per project: two projects served on one host (different ports share
    # cookies) would otherwise overwrite each other's sessions.
    cookie = "rushes_" + hashlib.sha256(key.encode()).hexdigest()[:10]
    app.add_middleware(
        SessionMiddleware, secret_key=key, session_cookie=cookie,
        max_age=SESSION_DAYS * 86400, same_site="lax", https_only=https_only,
    )
    app.add_middleware(SecurityHeaders)
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(BodyLimit, max_bytes=max_body)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(_head_twins(ROUTERS))
    _handlers(app)
    return app


def _head_twins(routers: Sequence[APIRouter]) -> APIRouter:
    """HEAD wherever GET is answered. FastAPI (unlike Starlette's own routes) does not, so a
    player or download tool asking for a media file's size got 405. Each twin runs the same
    endpoint behind the same gate and role check; only headers go out (FileResponse skips the
    file itself, uvicorn drops any other body). The twins are made per app, since the routers
    are shared, and stay out of the OpenAPI document, which would otherwise list each twice."""
    twins = APIRouter()
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute) and "GET" in (route.methods or ()):
                twins.add_api_route(
                    route.path, route.endpoint, methods=["HEAD"], include_in_schema=False,
                    dependencies=route.dependencies, response_model=route.response_model,
                    response_class=route.response_class, status_code=route.status_code,
                    name=f"{route.name}_head",
                )
    return twins


def _error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", {"status": status, "message": message},
                  status_code=status)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, _exc: NotLoggedIn) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": "log in first (POST /api/login)"}, status_code=401)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(safe_next(here), safe='')}", 303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": exc.message}, status_code=403)
        return _error_page(request, 403, exc.message)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _exc: CsrfFailed) -> Response:
        message = "missing or stale CSRF token; reload the page and try again"
        if _wants_json(request) or not is_form(request):
            return JSONResponse({"error": message}, status_code=403)
        return _error_page(request, 403, message)

    @app.exception_handler(RushesError)
    async def rushes_error(request: Request, exc: RushesError) -> Response:
        if is_form(request):
            flash(request, str(exc), "error")
            form = await request.form()
            return RedirectResponse(safe_next(form.get("next"), "/"), 303)
        if _wants_json(request):
            return JSONResponse({"error": str(exc)}, status_code=400)
        return _error_page(request, 400, str(exc))

    async def database_failed(request: Request, exc: Exception) -> Response:
        """A failing catalog (a server gone, a damaged file) is 503 with its reason, as the
        command line says it; any other database error is a fault here, left to be a 500."""
        reason = database_failure(exc)
        if reason is None:
            raise exc
        message = f"the catalog failed: {reason}"
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=503)
        return _error_page(request, 503, message)

    for error in database_errors():
        app.add_exception_handler(error, database_failed)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code < 500 and is_form(request) and request.method == "POST":
            flash(request, message, "error")
            form = await request.form()
            return RedirectResponse(safe_next(form.get("next"), "/"), 303)
        if _wants_json(request) or request.url.path.startswith("/static/"):
            return JSONResponse({"error": message}, status_code=exc.status_code,
                                headers=exc.headers)
        return _error_page(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in {"query", "path"})
        message = f"{where}: {first.get('msg', 'invalid')}" if where else "invalid request"
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=422)
        return _error_page(request, 422, message)
