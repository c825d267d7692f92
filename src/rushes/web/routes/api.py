"""The API's front door: what this server is and where its parts are."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from rushes import __version__
from rushes.web.deps import state

router = APIRouter(tags=["api"])


@router.get("/api")
async def api_index(request: Request) -> dict[str, Any]:
    """The project served, the version, and the API's main entry points."""
    st = state(request)
    return {
        "rushes": __version__,
        "project": st.project.root.name,
        "require_login": st.require_login,
        "openapi": "/openapi.json",
        "session": "/api/session",
        "assets": "/api/assets",
        "search": "/api/search?q=",
        "clips": "/api/clips",
        "bins": "/api/bins",
        "cuts": "/api/cuts",
        "jobs": "/api/jobs",
        "status": "/api/status",
    }
