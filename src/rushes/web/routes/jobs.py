"""Jobs: analysis progress and failures (the page polls ``/api/jobs``), retry and run.

``/api/status`` is ``rushes status --json``; ``/api/jobs`` adds whether this server is running
an analysis. Retrying is ``rushes retry``'s first half (re-queue failed jobs) followed by an
analysis run in a child process (:mod:`rushes.web.analysis`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from rushes import present
from rushes.catalog.jobs import retry_failed
from rushes.web.deps import Actor, needs, state
from rushes.web.payload import done
from rushes.web.render import render

router = APIRouter(tags=["jobs"])


def status_json(request: Request) -> dict[str, Any]:
    """Exactly ``rushes status --json``."""
    with state(request).catalog.read() as conn:
        return present.status_json(conn)


def _jobs_json(request: Request) -> dict[str, Any]:
    data = status_json(request)
    jobs = data["jobs"]
    finished = jobs["done"] + jobs["failed"]
    total = finished + jobs["pending"] + jobs["running"]
    data["progress"] = {"finished": finished, "total": total}
    data["analysis_running"] = state(request).analysis.running
    return data


@router.get("/api/status")
async def status_api(
    request: Request, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> dict[str, Any]:
    """`rushes status --json`: assets by kind, job counts, every recorded error."""
    return await run_in_threadpool(status_json, request)


@router.get("/api/jobs")
async def jobs_api(
    request: Request, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> dict[str, Any]:
    """Job counts, progress and failures, and whether this server is running analysis."""
    return await run_in_threadpool(_jobs_json, request)


@router.post("/api/jobs/retry")
async def retry_api(
    request: Request, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """Re-queue every failed job and start analysing (`rushes retry`)."""

    def retry() -> dict[str, Any]:
        st = state(request)
        with st.catalog.write() as conn:
            requeued = retry_failed(conn)
        started = st.analysis.start() if requeued else False
        return {"requeued": requeued, "started": started}

    result = await run_in_threadpool(retry)
    message = (f"re-queued {result['requeued']} failed jobs"
               if result["requeued"] else "no failed jobs to retry")
    return await done(request, result, message=message, back="/jobs")


@router.post("/api/jobs/analyze")
async def analyze_api(
    request: Request, _actor: Annotated[Actor, Depends(needs("editor"))]
) -> Response:
    """Run pending analysis in the background (`rushes analyze`)."""
    started = await run_in_threadpool(state(request).analysis.start)
    message = "analysis started" if started else "analysis is already running"
    return await done(request, {"started": started}, message=message, back="/jobs")


@router.get("/jobs", response_class=HTMLResponse, include_in_schema=False)
async def jobs_page(
    request: Request, _actor: Annotated[Actor, Depends(needs("viewer"))]
) -> HTMLResponse:
    data = await run_in_threadpool(_jobs_json, request)
    return render(request, "jobs.html", {"jobs": data})
