"""Ingest in place: scan paths, hash, identify by content, catalogue, queue analysis.

Originals are only ever opened for reading. Each file is committed in its own transaction, so a
kill loses at most the file being hashed; an unchanged file (same path, size and modification
time) is not hashed again. A file reached by a second path through a symbolic link (a linked
folder, a link to a file) is the location already catalogued, under the path first added, never a
second one. A file that cannot be catalogued gets one readable line recorded against its path and
the run goes on.
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
    add_asset,
    clear_problem,
    display_path,
    get_asset,
    location_named,
    path_key,
    put_location,
    record_problem,
    touch_location,
)
from rushes.errors import MediaError
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


def scan(paths: Iterable[Path]) -> Iterator[Found]:
    """Files under ``paths`` in a stable order, skipping hidden names and project folders."""
    for top in paths:
        try:
            st = top.stat()
        except FileNotFoundError:
            yield Found(top, "no such file or folder")
            continue
        except OSError as exc:
            yield Found(top, _os_reason(exc))
            continue
        if not stat.S_ISDIR(st.st_mode):
            yield Found(top)
            continue
        for root, dirs, files in os.walk(top, onerror=None):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != MARKER)
            for name in sorted(files):
                if _ignored(name):
                    continue
                yield Found(Path(root) / name)


def _ignored(name: str) -> bool:
    return (
        name.startswith(".")
        or name in _IGNORED_NAMES
        or os.path.splitext(name)[1].lower() in _IGNORED_SUFFIXES
    )


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "vanished before it could be read"
    if isinstance(exc, IsADirectoryError):
        return "is a folder"
    return exc.strerror or str(exc)


def add_paths(
    project: Project,
    catalog: Catalog,
    paths: Iterable[Path],
    on_file: Callable[[Path], None] | None = None,
) -> AddReport:
    """Catalogue every file under ``paths``; see the module docstring for the guarantees."""
    report = AddReport()
    for found in scan(paths):
        if on_file:
            on_file(found.path)
        key = path_key(found.path)
        if found.error:
            _failed(catalog, report, key, found.error)
            continue
        try:
            outcome = _add_file(project, catalog, found.path, key)
        except MediaError as exc:
            _failed(catalog, report, key, str(exc))
            continue
        except OSError as exc:
            _failed(catalog, report, key, _os_reason(exc))
            continue
        except Exception as exc:  # a bug must not stop the other files; the log has the detail
            log.exception("ingest of %s failed", found.path)
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


def _failed(catalog: Catalog, report: AddReport, key: bytes, error: str) -> None:
    report.failed += 1
    report.errors.append({"path": display_path(key), "error": error})
    with catalog.write() as conn:
        record_problem(conn, key, "ingest", error)


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
        raise MediaError("empty file (0 bytes)")
    with path.open("rb"):
        pass  # an unreadable file fails here with a clear reason, before any hashing
    digest = hash_file(path, project.settings.hash_threads)
    identity = identify(path)
    after = path.stat()
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise MediaError("changed while being read (still copying?); add it again when complete")
    is_new = known is None or known.asset_id != digest
    with catalog.write() as conn:
        add_asset(conn, digest, identity.kind, identity.format, after.st_size)
        put_location(conn, digest, key, after.st_size, after.st_mtime_ns)
        if identity.warning:
            record_problem(conn, key, "identify", identity.warning)
        else:
            clear_problem(conn, key)
        if given != key:
            clear_problem(conn, given)
        asset = get_asset(conn, digest)
        assert asset is not None
        plan_asset(conn, asset, project.settings)
    return digest, is_new, identity.warning
