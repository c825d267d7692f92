"""The app's routers, one module per area; :data:`ROUTERS` is the order they are mounted in."""

from __future__ import annotations

from fastapi import APIRouter

from rushes.web.routes import api, assets, auth, edits, jobs, library, logging, media, search

ROUTERS: tuple[APIRouter, ...] = (
    library.router, assets.router, media.router, search.router, jobs.router, logging.router,
    edits.router, auth.router, api.router,
)
