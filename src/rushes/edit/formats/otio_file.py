"""OpenTimelineIO files: ``.otio`` (JSON) and ``.otioz`` (a zip bundle), written and read.

``.otioz`` is OTIO's bundle: a zip holding ``version.txt``, ``content.otio`` and, optionally, a
``media/`` folder with the files the timeline uses. Bundling media copies every source file
whole and uncompressed (that is what OTIO's otioz adapter does), so for a documentary cut over
hours of rushes the bundle is as big as the footage used. :func:`write_otioz` therefore writes
the bundle **without media by default**: the same layout, with media references left pointing
at the original files (absolute ``file://`` URLs), which OTIO and Resolve read like a compressed
``.otio``. ``media=True`` runs OTIO's own otioz adapter, which copies the files into ``media/``
and points the references there; every file must then be present, with distinct file names
(an adapter rule), or nothing is written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import IO, Any, cast

import opentimelineio as otio
from opentimelineio.adapters import file_bundle_utils

from rushes.edit.otio_convert import from_otio, to_otio
from rushes.edit.timeline import ImportedEvent, Timeline
from rushes.errors import UsageError
from rushes.outputs import atomic_output


def otio_json(timeline: Timeline) -> str:
    """The ``.otio`` JSON document for ``timeline``."""
    text: str = otio.adapters.write_to_string(to_otio(timeline), adapter_name="otio_json")
    return text


def write_otio(timeline: Timeline, path: Path, **_options: Any) -> None:
    """Write ``timeline`` as an OpenTimelineIO JSON file."""
    text = otio_json(timeline)
    with atomic_output(Path(path)) as handle:
        cast("IO[str]", handle).write(text)


def write_otioz(timeline: Timeline, path: Path, *, media: bool = False, **_options: Any) -> None:
    """Write ``timeline`` as an ``.otioz`` bundle; ``media=True`` copies the source files in."""
    path = Path(path)
    if media:
        _write_bundle_with_media(timeline, path)
        return
    text = otio_json(timeline)
    with (
        atomic_output(path, "wb") as handle,
        zipfile.ZipFile(cast("IO[bytes]", handle), "w", zipfile.ZIP_DEFLATED) as bundle,
    ):
        bundle.writestr(file_bundle_utils.BUNDLE_VERSION_FILE, file_bundle_utils.BUNDLE_VERSION)
        bundle.writestr(file_bundle_utils.BUNDLE_PLAYLIST_PATH, text)


def _write_bundle_with_media(timeline: Timeline, path: Path) -> None:
    # The adapter refuses to overwrite and writes in place: it writes into a private folder
    # beside the target, and the finished bundle is moved over the target in one step.
    directory = path.parent if str(path.parent) else Path(".")
    scratch = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=directory))
    try:
        partial = scratch / path.name
        try:
            otio.adapters.write_to_file(
                to_otio(timeline), str(partial), adapter_name="otioz",
                media_policy=file_bundle_utils.MediaReferencePolicy.ErrorIfNotFile,
            )
        except file_bundle_utils.NotAFileOnDisk as exc:
            raise UsageError(
                f"cannot bundle media into {path.name}: {exc} is not a file on disk"
            ) from None
        except otio.exceptions.OTIOError as exc:
            raise UsageError(f"cannot bundle media into {path.name}: {exc}") from None
        os.replace(partial, path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def read_otio(path: Path, rate: Fraction | None = None) -> list[ImportedEvent]:
    """The media events of an ``.otio``, ``.otioz`` or ``.otiod`` file."""
    path = Path(path)
    if not path.exists():
        raise UsageError(f"cannot read {path}: no such file")
    try:
        tl = otio.adapters.read_from_file(str(path))
    except Exception as exc:  # OTIO raises its own errors, ValueError, zip and JSON errors
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(f"{path.name}: not a readable OpenTimelineIO file ({detail})") from None
    timelines = [tl] if isinstance(tl, otio.schema.Timeline) else list(
        tl.find_children(descended_from_type=otio.schema.Timeline)
        if hasattr(tl, "find_children") else []
    )
    if not timelines:
        raise UsageError(f"{path.name}: holds no timeline")
    events: list[ImportedEvent] = []
    for timeline in timelines:
        try:
            found = from_otio(timeline, rate)
        except otio.exceptions.OTIOError as exc:  # e.g. a clip with no range at all
            raise UsageError(f"{path.name}: {exc}") from None
        for event in found:
            events.append(replace(event, index=len(events) + 1))
    return events
