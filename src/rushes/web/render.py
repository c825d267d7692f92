"""Pages: the Jinja2 environment (autoescape always on) and the helpers templates use.

Everything a template prints is escaped by Jinja unless it is built here as :class:`Markup`
from escaped pieces (:func:`marked`), so a file name, label, note or transcript word holding
``<script>`` is shown as text, never run.
"""

from __future__ import annotations

import os
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from rushes import __version__
from rushes.domain.timecode import format_rate
from rushes.present import channel_names, take_label
from rushes.web.deps import current_actor, state
from rushes.web.security import csrf_token

TEMPLATES = Path(__file__).with_name("templates")


def clock(seconds: object) -> str:
    """A duration for people: ``0:07.2``, ``12:03.0``, ``1:02:03``."""
    if seconds is None or seconds == "":
        return ""
    try:
        value = float(seconds)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    whole = int(value)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}:{m:02d}:{s:02d}"
    return f"{m}:{s:02d}.{int((value - whole) * 10)}"


def filesize(n: object) -> str:
    if not isinstance(n, int):
        return ""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return ""


def basename(path: object) -> str:
    return os.path.basename(str(path)) if path else ""


def folder(path: object) -> str:
    return os.path.dirname(str(path)) if path else ""


def when(value: object) -> str:
    """An ISO date-time as ``2024-09-12 10:00``; anything else as it is."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return parsed.strftime("%Y-%m-%d %H:%M")


def rate_label(rate: object) -> str:
    if not rate:
        return ""
    try:
        return format_rate(Fraction(str(rate)))
    except (ValueError, ZeroDivisionError):
        return str(rate)


def marked(text: str, highlights: list[list[int]] | list[tuple[int, int]]) -> Markup:
    """``text`` with its ``[start, end)`` ranges wrapped in ``<mark>``, every piece escaped."""
    out: list[str] = []
    pos = 0
    for start, end in sorted((int(a), int(b)) for a, b in highlights):
        if start < pos or end <= start:
            continue
        out.append(str(escape(text[pos:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        clock=clock, filesize=filesize, basename=basename, folder=folder, when=when,
        rate_label=rate_label, marked=marked, take_label=take_label,
        channel_names=channel_names,
    )
    env.globals["version"] = __version__
    return Jinja2Templates(env=env)


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """A page, with what every page needs: who is acting, the CSRF token and flash messages."""
    st = state(request)
    flashes = request.session.pop("flash", []) if "flash" in request.session else []
    page = {
        "actor": current_actor(request),
        "csrf": csrf_token(request.session),
        "flashes": flashes,
        "require_login": st.require_login,
        "project_name": st.project.root.name,
        "path": request.url.path,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    }
    response: HTMLResponse = st.templates.TemplateResponse(
        request, name, page, status_code=status_code
    )
    response.headers["cache-control"] = "no-store"
    return response
