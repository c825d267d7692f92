"""OpenTimelineIO files: ``.otio`` (JSON) and ``.otioz`` (a zip bundle), written and read.

``.otioz`` is OTIO's bundle: a zip holding ``version.txt``, ``content.otio`` and, optionally, a
``media/`` folder with the files the timeline uses. Bundling media copies every source file
whole and uncompressed (that is what OTIO's otioz adapter does), so for a documentary cut over
hours of rushes the bundle is as big as the footage used. :func:`write_otioz` therefore writes
the bundle **without media by default**: the same layout, with media references left pointing
at the original files (absolute ``file://`` URLs), which OTIO and Resolve read like a compressed
``.otio``. ``media=True`` copies the files into ``media/`` (stored, not compressed, as OTIO's
adapter does) and points the references there; every file must then be present, or nothing is
written. OTIO's own otioz adapter refuses two files of the same name, which is every
documentary (cameras restart at ``C0001`` on each card) and cannot be told otherwise, so the
bundle is written here: a name two files share gets the folders that tell them apart
(``cardA_C0001.MP4``, ``cardB_C0001.MP4``), and each reference keeps where it was copied from
in its ``rushes`` metadata (``original_url``), so reading the bundle back still names the
catalogued file.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import urlsplit

import opentimelineio as otio
from opentimelineio import url_utils
from opentimelineio.adapters import file_bundle_utils

from rushes.edit.otio_convert import META, from_otio, to_otio
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
    else:
        _write_bundle(path, otio_json(timeline), {})


def _write_bundle(path: Path, text: str, media: dict[str, str]) -> None:
    """An ``.otioz`` as OTIO's adapter lays it out: its version file and the timeline,
    deflated, and ``media`` (a file on disk → its path inside) stored as it is, whole or not
    at all."""
    with (
        atomic_output(path, "wb") as handle,
        zipfile.ZipFile(cast("IO[bytes]", handle), "w") as bundle,
    ):
        bundle.writestr(file_bundle_utils.BUNDLE_VERSION_FILE, file_bundle_utils.BUNDLE_VERSION,
                        compress_type=zipfile.ZIP_DEFLATED)
        bundle.writestr(file_bundle_utils.BUNDLE_PLAYLIST_PATH, text,
                        compress_type=zipfile.ZIP_DEFLATED)
        for source, inside in media.items():
            bundle.write(source, inside, compress_type=zipfile.ZIP_STORED)


def _write_bundle_with_media(timeline: Timeline, path: Path) -> None:
    """The ``.otioz`` layout OTIO's adapter writes, with media under names that cannot clash
    (see the module's docstring), written whole or not at all."""
    tl = to_otio(timeline)
    sources: dict[str, list[Any]] = {}
    for clip in tl.find_clips():
        ref = clip.media_reference
        url = getattr(ref, "target_url", None)
        if not url:
            continue  # a generator (title, voice-over slate) or a missing reference
        if urlsplit(str(url)).scheme not in {"file", ""}:
            raise UsageError(f"cannot bundle media into {path.name}: {url} is not a file on disk")
        source = os.path.abspath(url_utils.filepath_from_url(str(url)))
        if not os.path.isfile(source):
            raise UsageError(
                f"cannot bundle media into {path.name}: {source} is not a file on disk")
        sources.setdefault(source, []).append(ref)
    names = bundle_names(list(sources))
    inside = {source: f"{file_bundle_utils.BUNDLE_DIR_NAME}/{names[source]}"
              for source in sources}
    for source, refs in sources.items():
        for ref in refs:
            ours = dict(ref.metadata.get(META) or {})
            ours["original_url"] = str(ref.target_url)
            ref.metadata[META] = ours
            ref.target_url = url_utils.url_from_filepath(inside[source])
    _write_bundle(path, otio.adapters.write_to_string(tl, adapter_name="otio_json"), inside)


def bundle_names(sources: list[str]) -> dict[str, str]:
    """A distinct file name for each source path, for a bundle's ``media/`` folder.

    A name only one source has is kept. Sources sharing a name (case-blind, as on the file
    systems an editor unpacks to) are prefixed with as many of their folders as tell them
    apart (``cardA_C0001.MP4``); a name that still clashes with another ends in ``_2``, ``_3``.
    """
    groups: dict[str, list[str]] = {}
    for source in sorted(set(sources)):
        groups.setdefault(os.path.basename(source).casefold(), []).append(source)
    names: dict[str, str] = {}
    for group in groups.values():
        deepest = max(len(Path(s).parent.parts) for s in group)
        for depth in range(0 if len(group) == 1 else 1, deepest + 1):
            tried = {s: _prefixed(s, depth) for s in group}
            if len({n.casefold() for n in tried.values()}) == len(group):
                break
        else:  # folders that differ only in case: the numbering below tells them apart
            tried = {s: _prefixed(s, 1) for s in group}
        names.update(tried)
    taken: set[str] = set()
    # A file keeping its own name keeps it; a made name that meets it is numbered.
    for source in sorted(names, key=lambda s: (names[s] != Path(s).name, s)):
        name, n = names[source], 1
        while name.casefold() in taken:
            n += 1
            name = f"{Path(names[source]).stem}_{n}{Path(names[source]).suffix}"
        taken.add(name.casefold())
        names[source] = name
    return names


def _prefixed(source: str, depth: int) -> str:
    """``source``'s file name after its last ``depth`` folder names, joined by ``_``."""
    folders = Path(source).parent.parts[1:]  # not the root
    return "_".join([*folders[max(0, len(folders) - depth):], Path(source).name])


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
