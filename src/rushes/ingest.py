"""Ingest in place: scan paths, hash, identify by content, catalogue, queue analysis.

Originals are only ever opened for reading. Each file is committed in its own transaction, so a
kill loses at most the file being hashed; an unchanged file (same path, size and modification
time) is not hashed again. A file reached by a second path through a symbolic link (a linked
folder, a link to a file) is the location already catalogued, under the path first added, never a
second one; linked folders inside a tree are followed, each real folder walked once. A file or
folder that cannot be catalogued gets one readable line recorded against its path and the run
goes on; only a failing catalog (disk full, server gone) stops it.

A catalogued file whose bytes are no longer those of its asset is a fixity failure, not a new
version: it is reported and left pointing at the asset it was, so that ``rushes verify`` keeps
reporting it and the logging done against the original is not quietly orphaned.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rushes.catalog import Catalog
from rushes.catalog.assets import (
    LocationRow,
    add_asset,
    clear_problem,
    display_path,
    get_asset,
    list_problems,
    location_named,
    path_key,
    put_location,
    record_problem,
    touch_location,
)
from rushes.catalog.db import database_failure
from rushes.errors import MediaError, RushesError
from rushes.jobs.plan import plan_asset
from rushes.media.hashing import hash_file
from rushes.media.identify import identify
from rushes.project import MARKER, Project

log = logging.getLogger("rushes.ingest")

#: Names never worth cataloguing: OS and NLE litter, partial downloads.
_IGNORED_NAMES = {"Thumbs.db", "desktop.ini", ".DS_Store"}
_IGNORED_SUFFIXES = {".part", ".crdownload", ".tmp"}


@dataclass
class AddReport:
    added: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    asset_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "added": self.added, "skipped": self.skipped, "failed": self.failed,
            "errors": self.errors, "assets": self.asset_ids,
        }


@dataclass(frozen=True)
class Found:
    """A path from the scan, or the reason it could not be listed."""

    path: Path
    error: str | None = None


def scan(
    paths: Iterable[Path], on_folder: Callable[[str], None] | None = None
) -> Iterator[Found]:
    """Files under ``paths`` in a stable order, skipping hidden names and project folders; a
    folder that cannot be listed is a :class:`Found` with its reason, since the files in it
    would otherwise be missing from the catalog without a word. ``on_folder`` is told each
    folder that was listed."""
    for top in paths:
        try:
            st = top.stat()
        except FileNotFoundError:
            yield Found(top, _broken_link(top) or "no such file or folder")
            continue
        except OSError as exc:
            yield Found(top, _os_reason(exc, top))
            continue
        if not stat.S_ISDIR(st.st_mode):
            yield Found(top)
            continue
        yield from _walk(top, on_folder)


def _walk(top: Path, on_folder: Callable[[str], None] | None) -> Iterator[Found]:
    """The files of one folder tree. A link to a folder outside the tree is followed, as the
    folder is when named directly, each real folder once (two links to one card). A link to a
    folder inside the tree, or above it, is not: the files are catalogued under their real
    paths whatever the order of the names, and a link up the tree would loop or take in
    everything beside the folder asked for."""
    unreadable: list[OSError] = []
    # The real path of every folder walked or about to be, keyed (while pending) by the path
    # os.walk will give it: only a link needs resolving, a plain folder extends its parent's.
    top_real = os.path.realpath(top)
    walked = {top_real}
    pending = {str(top): top_real}
    for root, dirs, files in os.walk(top, onerror=unreadable.append, followlinks=True):
        yield from _unreadable_folders(unreadable)
        if on_folder:
            on_folder(root)
        real_root = pending.pop(root, None) or os.path.realpath(root)
        keep = []
        for name in sorted(dirs):
            if name.startswith(".") or name == MARKER:
                continue
            child = os.path.join(root, name)
            if os.path.islink(child):
                real = os.path.realpath(child)
                if _within(real, top_real) or _within(top_real, real):
                    # Inside the tree (walked under its own path, whatever the sort order), or
                    # above it (a loop, or everything beside the folder asked for).
                    continue
            else:
                real = os.path.join(real_root, name)
            if real in walked:
                continue  # a folder reached by a second link
            walked.add(real)
            pending[child] = real
            keep.append(name)
        dirs[:] = keep
        for name in sorted(files):
            if _ignored(name):
                continue
            yield Found(Path(root) / name)
    yield from _unreadable_folders(unreadable)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _unreadable_folders(errors: list[OSError]) -> Iterator[Found]:
    """Report (and forget) the folders os.walk could not list since it was last asked."""
    for exc in errors:
        where = Path(exc.filename) if exc.filename else Path(".")
        yield Found(where, f"folder could not be read ({_os_reason(exc, where)}); "
                           "nothing in it was added")
    errors.clear()


def _ignored(name: str) -> bool:
    return (
        name.startswith(".")
        or name in _IGNORED_NAMES
        or os.path.splitext(name)[1].lower() in _IGNORED_SUFFIXES
    )


def _os_reason(exc: OSError, path: Path | None = None) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return (path is not None and _broken_link(path)) or "vanished before it could be read"
    if isinstance(exc, IsADirectoryError):
        return "is a folder"
    return exc.strerror or str(exc)


def _broken_link(path: Path) -> str | None:
    """"broken link (to TARGET)" when ``path`` is a symbolic link to nothing, else None: the
    person must mend or remove the link, not look for a file that went away."""
    try:
        target = os.readlink(os.fsencode(path))
    except (OSError, ValueError):
        return None
    return f"broken link (to {display_path(target)})"


class ContentChanged(RushesError):
    """A catalogued file whose bytes no longer hash to its asset: a fixity failure."""

    def __init__(self, location: LocationRow) -> None:
        super().__init__(
            f"content changed since it was catalogued as asset {location.asset_id[:12]}; "
            "`rushes verify` reports it (restore the original, or add the new version under "
            "another name)"
        )
        self.location = location


def add_paths(
    project: Project,
    catalog: Catalog,
    paths: Iterable[Path],
    on_file: Callable[[Path], None] | None = None,
) -> AddReport:
    """Catalogue every file under ``paths``; see the module docstring for the guarantees."""
    report = AddReport()
    with catalog.read() as conn:
        # Folders that could not be read last time: listed now, their record is out of date.
        unread = {p.path_bytes for p in list_problems(conn, "ingest")}

    def listed(folder: str) -> None:
        key = path_key(folder)
        if key in unread:
            unread.discard(key)
            with catalog.write() as conn:
                clear_problem(conn, key, "ingest")

    for found in scan(paths, on_folder=listed):
        if on_file:
            on_file(found.path)
        key = path_key(found.path)
        if found.error:
            _failed(catalog, report, key, found.error)
            continue
        try:
            outcome = _add_file(project, catalog, found.path, key)
        except ContentChanged as exc:
            # Recorded as verify records it, against the stored path, so that the alarm stays
            # until verify (or an add that hashes the file again) finds the original restored.
            _failed(catalog, report, key, str(exc), stage="fixity",
                    problem_key=exc.location.path_bytes)
            continue
        except MediaError as exc:
            _failed(catalog, report, key, str(exc))
            continue
        except OSError as exc:
            _failed(catalog, report, key, _os_reason(exc, found.path))
            continue
        except Exception as exc:
            if database_failure(exc) is not None:
                raise  # the catalog itself failed (disk full, server gone): no file can be added
            # A bug must not stop the other files. The report has the one line; the traceback
            # is for --debug only, so that a person's terminal never shows one.
            log.debug("ingest of %s failed", found.path, exc_info=True)
            _failed(catalog, report, key, f"internal error: {type(exc).__name__}: {exc}")
            continue
        asset_id, added, warning = outcome
        if added:
            report.added += 1
        else:
            report.skipped += 1
        if asset_id not in report.asset_ids:
            report.asset_ids.append(asset_id)
        if warning:
            report.errors.append({"path": display_path(key), "error": warning})
    return report


def _failed(
    catalog: Catalog, report: AddReport, key: bytes, error: str, *, stage: str = "ingest",
    problem_key: bytes | None = None,
) -> None:
    report.failed += 1
    report.errors.append({"path": display_path(key), "error": error})
    with catalog.write() as conn:
        record_problem(conn, problem_key or key, stage, error)


def _add_file(
    project: Project, catalog: Catalog, path: Path, key: bytes
) -> tuple[str, bool, str | None]:
    """Returns (asset id, whether it was newly catalogued, a warning)."""
    before = path.stat()
    if not stat.S_ISREG(before.st_mode):
        raise MediaError("not a regular file")
    given = key
    with catalog.read() as conn:
        known = location_named(conn, path)
    if known is not None:
        key = known.path_bytes  # reached through a link: the path first added stays the one
    if (
        known is not None
        and known.size == before.st_size
        and known.mtime_ns == before.st_mtime_ns
    ):
        with catalog.write() as conn:
            touch_location(conn, known.id)
            if given != key:
                clear_problem(conn, given)  # an earlier failure through the link is over
            asset = get_asset(conn, known.asset_id)
            if asset is not None:
                plan_asset(conn, asset, project.settings)
        return known.asset_id, False, None
    if before.st_size == 0:
        if known is not None:
            raise ContentChanged(known)
        raise MediaError("empty file (0 bytes)")
    with path.open("rb"):
        pass  # an unreadable file fails here with a clear reason, before any hashing
    digest = hash_file(path, project.settings.hash_threads)
    if known is not None and known.asset_id != digest:
        _unchanged_since(path, before)  # still being copied over is the likelier story
        raise ContentChanged(known)
    identity = identify(path)
    after = _unchanged_since(path, before)
    with catalog.write() as conn:
        add_asset(conn, digest, identity.kind, identity.format, after.st_size)
        put_location(conn, digest, key, after.st_size, after.st_mtime_ns)
        if identity.warning:
            record_problem(conn, key, "identify", identity.warning)
        else:
            clear_problem(conn, key)  # a fixity alarm too: the bytes were hashed and match
        if given != key:
            clear_problem(conn, given)
        asset = get_asset(conn, digest)
        assert asset is not None
        plan_asset(conn, asset, project.settings)
    return digest, known is None, identity.warning


def _unchanged_since(path: Path, before: os.stat_result) -> os.stat_result:
    """The file's status now, refused if it changed while it was being read."""
    after = path.stat()
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise MediaError("changed while being read (still copying?); add it again when complete")
    return after
