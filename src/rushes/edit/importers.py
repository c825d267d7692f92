"""Read an editor's timeline file back as events, whatever application wrote it.

The kind is told by the file's suffix, and for ``.xml`` by its root element (FCP7 ``xmeml`` or
FCPXML ``fcpxml``). Every reader returns :class:`~rushes.edit.timeline.ImportedEvent` rows for
the media clips of every track; every unreadable or malformed file is one
:class:`~rushes.errors.UsageError` naming the file (and the line, where the format has lines).

:func:`source_path` gives the local path an event's media reference names, whichever way the
format spells it (an EDL comment's plain path, an XML ``pathurl`` or ``src``, an OTIO
``target_url``): the file name alone cannot tell ``cardA/C0001.MP4`` from ``cardB/C0001.MP4``,
and cameras restart their clip numbers on every card.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rushes.edit.timeline import ImportedEvent
from rushes.errors import UsageError

SUFFIXES = (".edl", ".xml", ".fcpxml", ".fcpxmld", ".otio", ".otioz", ".otiod")

_ROOT_TAG = re.compile(rb"<(?!\?|!)\s*([A-Za-z_][\w.-]*)")
_DRIVE_IN_URL = re.compile(r"^/[A-Za-z]:[/\\]")


def local_path(text: str | None) -> str | None:
    """The file path a timeline's media reference names, as this machine would write it.

    ``file://localhost/tmp/a%20b.mov`` and ``file:///tmp/a%20b.mov`` → ``/tmp/a b.mov``;
    ``file:///D:/Rushes/x.mov`` → ``D:/Rushes/x.mov``; a plain path (``/Volumes/R/x.mov``,
    ``D:\\Rushes\\x.mov``, ``media/x.mov``) is kept as written, since EDL comments carry paths,
    not URLs, and a ``%`` there is part of the name. None for a reference that is no file (an
    ``http:`` address) and for nothing at all. Percent-escapes that are no UTF-8 come back as
    the bytes they stand for (surrogate-escaped, as :func:`os.fsdecode` gives names).
    """
    if text is None or not text.strip():
        return None
    text = text.strip()
    if not text.lower().startswith("file:"):
        # Another scheme's address names no file here; anything else is a path as written
        # (``D:\\x.mov`` and ``Take: 2.mov`` are not URLs).
        return None if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+://", text) else text
    try:
        parts = urlsplit(text)
    except ValueError:  # a malformed host ("file://[x/…"): not a URL after all
        return text
    path = unquote(parts.path, errors="surrogateescape")
    if _DRIVE_IN_URL.match(path):
        path = path[1:]  # file:///D:/x → D:/x
    host = parts.netloc
    if host and host.lower() != "localhost":
        path = f"//{host}{path}"  # a share: file://server/media/x → //server/media/x
    return path or None


def source_path(event: ImportedEvent) -> str | None:
    """The local path of an imported event's media, if the timeline gave more than a name.

    Readers keep the path or URL as the file gives it in ``ImportedEvent.file_path``; a
    ``file_name`` that holds a folder is taken as a path too.
    """
    raw = event.file_path
    if not raw and event.file_name and ("/" in event.file_name or "\\" in event.file_name):
        raw = event.file_name
    return local_path(raw)


def _root_tag(path: Path) -> str | None:
    """The name of an XML file's root element, from its first few kilobytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    # Skip the declaration, comments and the doctype, then take the first element's name.
    head = re.sub(rb"<!--.*?-->", b"", head, flags=re.S)
    m = _ROOT_TAG.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def _read_fcpxml(path: Path) -> list[ImportedEvent]:
    # Imported on use: the FCPXML module is its own (and heavier) piece.
    module = importlib.import_module("rushes.edit.formats.fcpxml")
    reader: Callable[[Path], list[ImportedEvent]] = module.read_fcpxml
    return reader(path)


def read_timeline_file(path: Path, rate: Fraction | None = None) -> list[ImportedEvent]:
    """The media events of an EDL, FCP7 XML, FCPXML or OpenTimelineIO file.

    ``rate`` is the sequence rate where the file does not say it: needed for an EDL marked
    ``NON-DROP FRAME`` (EDLs do not carry a rate), a fallback for OTIO files without one.
    """
    path = Path(path)
    if not path.exists():
        raise UsageError(f"cannot read {path}: no such file")
    suffix = path.suffix.lower()
    if suffix in {".fcpxml", ".fcpxmld"}:
        return _read_fcpxml(path)
    if path.is_dir() and suffix != ".otiod":
        raise UsageError(f"{path} is a folder, not a timeline file")
    if suffix == ".edl":
        from rushes.edit.formats.edl import read_edl

        return read_edl(path, rate)
    if suffix == ".xml":
        root = _root_tag(path)
        if root == "fcpxml":
            return _read_fcpxml(path)
        if root != "xmeml":
            raise UsageError(
                f"{path.name}: not a timeline XML (its root is {root or 'missing'}; "
                "FCP7 XML has <xmeml>, FCPXML <fcpxml>)"
            )
        from rushes.edit.formats.fcp7 import read_fcp7

        return read_fcp7(path)
    if suffix in {".otio", ".otioz", ".otiod"}:
        from rushes.edit.formats.otio_file import read_otio

        return read_otio(path, rate)
    raise UsageError(
        f"{path.name}: unknown timeline file type (one of: {', '.join(SUFFIXES)})"
    )
