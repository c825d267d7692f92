"""Read an editor's timeline file back as events, whatever application wrote it.

The kind is told by the file's suffix, and for ``.xml`` by its root element (FCP7 ``xmeml`` or
FCPXML ``fcpxml``). Every reader returns :class:`~rushes.edit.timeline.ImportedEvent` rows for
the media clips of every track; every unreadable or malformed file is one
:class:`~rushes.errors.UsageError` naming the file (and the line, where the format has lines).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from rushes.edit.timeline import ImportedEvent
from rushes.errors import UsageError

SUFFIXES = (".edl", ".xml", ".fcpxml", ".fcpxmld", ".otio", ".otioz", ".otiod")

_ROOT_TAG = re.compile(rb"<(?!\?|!)\s*([A-Za-z_][\w.-]*)")


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
