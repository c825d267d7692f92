"""Writers and readers of editing-application timeline formats, one module each.

:func:`write_timeline` is the one entry the CLI and the web app call; each format's module is
imported only when used (python-docx and OpenTimelineIO are not small).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from rushes.edit.timeline import Timeline
from rushes.errors import UsageError

#: format name → (module, function, fixed keyword options, usual file suffix)
FORMATS: dict[str, tuple[str, str, dict[str, Any], str]] = {
    "edl": ("edl", "write_edl", {}, ".edl"),
    "edl-premiere": ("edl", "write_edl", {"variant": "premiere"}, ".edl"),
    "fcp7": ("fcp7", "write_fcp7", {}, ".xml"),
    "fcpxml": ("fcpxml", "write_fcpxml", {}, ".fcpxml"),
    "otio": ("otio_file", "write_otio", {}, ".otio"),
    "otioz": ("otio_file", "write_otioz", {}, ".otioz"),
    "srt": ("captions", "write_captions", {"fmt": "srt"}, ".srt"),
    "webvtt": ("captions", "write_captions", {"fmt": "webvtt"}, ".vtt"),
    "markdown": ("script", "write_markdown", {}, ".md"),
    "docx": ("script", "write_docx", {}, ".docx"),
}

ALIASES = {"vtt": "webvtt", "md": "markdown", "xml": "fcp7", "premiere": "edl-premiere"}

FORMAT_NAMES = tuple(FORMATS) + tuple(ALIASES)


def format_for(fmt: str | None, path: Path) -> str:
    """The format asked for, or the one the output file's suffix implies."""
    if fmt:
        name = ALIASES.get(fmt.lower(), fmt.lower())
        if name not in FORMATS:
            raise UsageError(f"unknown format {fmt!r} (one of: {', '.join(FORMATS)})")
        return name
    suffix = path.suffix.lower()
    for name, (_, _, _, ext) in FORMATS.items():
        if ext == suffix:
            return name
    raise UsageError(f"say --format for {path.name} (one of: {', '.join(FORMATS)})")


def write_timeline(timeline: Timeline, fmt: str | None, path: Path, **options: Any) -> str:
    name = format_for(fmt, path)
    module, function, fixed, _ = FORMATS[name]
    writer = getattr(importlib.import_module(f"rushes.edit.formats.{module}"), function)
    writer(timeline, path, **fixed, **options)
    return name
