"""Fixity and relinking: the archive's promise that what it holds is still what it was.

``verify`` re-hashes every known location and reports files whose bytes changed or that are gone.
``relink`` finds missing files again by content: it hashes only files whose size matches an asset
that has lost a location, so searching a big drive stays cheap.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from rushes.catalog import Catalog
from rushes.catalog.assets import (
    LocationRow,
    all_locations,
    assets_by_size,
    clear_problem,
    delete_location,
    display_path,
    get_asset,
    location_named,
    path_key,
    put_location,
    record_problem,
    set_location_state,
)
from rushes.ingest import scan
from rushes.media.hashing import hash_file


@dataclass
class VerifyReport:
    """What a fixity check found. ``changed`` holds only files whose bytes are known to differ;
    a file that could not be read (permission denied, a folder now in its place) is
    ``unreadable``: nothing is known about its content, and calling it changed would send
    someone looking for damage that may not be there."""

    checked: int = 0
    ok: int = 0
    changed: list[dict[str, str]] = field(default_factory=list)
    missing: list[dict[str, str]] = field(default_factory=list)
    unreadable: list[dict[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Files not confirmed intact: changed, missing or unreadable."""
        return len(self.changed) + len(self.missing) + len(self.unreadable)

    def to_json(self) -> dict[str, object]:
        return {
            "checked": self.checked,
            "ok": self.ok,
            "changed": [c["path"] for c in self.changed],
            "missing": [m["path"] for m in self.missing],
            "unreadable": [u["path"] for u in self.unreadable],
            "details": [*self.changed, *self.missing, *self.unreadable],
        }


def verify(
    catalog: Catalog, threads: int = 1, on_file: Callable[[str], None] | None = None
) -> VerifyReport:
    """Re-hash every location. A changed file is recorded as a problem; the catalog keeps the
    asset as it was (the original content is what was logged against).

    On a catalog opened read-only (an archive drive mounted read-only is exactly what one
    checks) the files are checked and reported the same, and nothing is recorded."""
    report = VerifyReport()

    def record(change: Callable[[sa.Connection], None]) -> None:
        if catalog.read_only is None:
            with catalog.write() as conn:
                change(conn)

    def verified(conn: sa.Connection, loc: LocationRow) -> None:
        set_location_state(conn, loc.id, missing=False, verified=True)
        clear_problem(conn, loc.path_bytes, "fixity")  # put right since (a restore)

    with catalog.read() as conn:
        locs = all_locations(conn)
    for loc in locs:
        if on_file:
            on_file(loc.path)
        report.checked += 1
        try:
            digest = hash_file(loc.fs_path, threads)
        except FileNotFoundError:
            report.missing.append({"path": loc.path, "asset": loc.asset_id, "status": "missing"})
            record(functools.partial(set_location_state, location_id=loc.id, missing=True))
            continue
        except OSError as exc:
            report.unreadable.append({
                "path": loc.path, "asset": loc.asset_id, "status": "unreadable",
                "error": exc.strerror or str(exc),
            })
            continue
        if digest == loc.asset_id:
            report.ok += 1
            record(functools.partial(verified, loc=loc))
            continue
        report.changed.append({
            "path": loc.path, "asset": loc.asset_id, "status": "changed",
            "expected": loc.asset_id, "actual": digest,
        })
        record(functools.partial(
            record_problem, key=loc.path_bytes, stage="fixity",
            error=f"content changed since it was catalogued (BLAKE3 {digest[:12]}…, "
            f"expected {loc.asset_id[:12]}…)",
        ))
    return report


@dataclass
class RelinkReport:
    relinked: list[dict[str, str]] = field(default_factory=list)
    still_missing: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"relinked": self.relinked, "missing": self.still_missing}


def relink(
    catalog: Catalog,
    search: Iterable[Path],
    threads: int = 1,
    on_file: Callable[[Path], None] | None = None,
) -> RelinkReport:
    """Find the files of assets whose locations vanished, by size then hash, under ``search``."""
    report = RelinkReport()
    with catalog.read() as conn:
        locs = all_locations(conn)
    lost = [loc for loc in locs if not loc.fs_path.exists()]
    if not lost:
        return report
    lost_assets = {loc.asset_id for loc in lost}
    with catalog.read() as conn:
        wanted_sizes = {a.size for a in (get_asset(conn, i) for i in lost_assets) if a}
        by_size = assets_by_size(conn, sorted(wanted_sizes))
    found: set[str] = set()
    for item in scan(search):
        if item.error:
            continue
        try:
            st = item.path.stat()
        except OSError:
            continue
        candidates = set(by_size.get(st.st_size, ())) & (lost_assets - found)
        if not candidates:
            continue
        key = path_key(item.path)
        with catalog.read() as conn:
            if location_named(conn, item.path) is not None:
                continue  # a known location, perhaps reached through a link
        if on_file:
            on_file(item.path)
        try:
            digest = hash_file(item.path, threads)
        except OSError:
            continue
        if digest not in candidates:
            continue
        found.add(digest)
        with catalog.write() as conn:
            put_location(conn, digest, key, st.st_size, st.st_mtime_ns)
            for loc in lost:
                if loc.asset_id == digest:
                    delete_location(conn, loc.id)
                    report.relinked.append(
                        {"asset": digest, "from": loc.path, "to": display_path(key)}
                    )
    for loc in lost:
        if loc.asset_id not in found:
            report.still_missing.append({"asset": loc.asset_id, "path": loc.path})
            with catalog.write() as conn:
                set_location_state(conn, loc.id, missing=True)
    return report
