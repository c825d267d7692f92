"""Reading an editor's cut back: which catalogued ranges the film uses, per source.

This is the basis of archive usage, clearance and credit reports: an archive house bills per
second used, so each use is listed with its source and record timecodes, and each source gets
its total (every use counted) and its unique footage (overlapping uses counted once).

Events are matched to assets by what the file says of their media, most specific first:

1. the full path or URL of the media (an EDL's ``* SOURCE FILE:``, an XML ``pathurl`` or
   ``src``, an OTIO ``target_url``): the catalogued file at that path, or the same file reached
   through symbolic links; a relative path is read from the project's folder and from the
   timeline file's;
2. the path's trailing folders: a timeline from another machine names
   ``/Volumes/RAID/film/cardB/C0001.MP4`` where this catalog has
   ``/home/ed/film/cardB/C0001.MP4``; of the files of that name, the one whose path agrees in
   the most trailing folders (at least the one holding it) wins;
3. the file name, then the clip name, then the reel (rushes writes reels from file names),
   when exactly one catalogued file has it;
4. of several files of that name, the one whose timecode span holds the event's source range.

Cameras restart their clip numbers on every card, so two files named ``C0001.MP4`` are the
usual case, not a corner. When nothing above tells the files apart the event is reported as
ambiguous, with its candidates, and credited to none of them: a usage or clearance report that
names the wrong footage is worse than one that says it cannot tell. Each use records how it was
matched (``matched_by``), so a match by name alone can be checked.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from rushes.catalog import Catalog
from rushes.catalog import cuts as cut_rows
from rushes.catalog.assets import AssetRow, list_assets, location_named, locations_of
from rushes.domain.timecode import Timecode, parse_rate, to_json_time
from rushes.edit.importers import source_path
from rushes.edit.media import MediaInfo, media_info
from rushes.edit.timeline import ImportedEvent, reel_name
from rushes.errors import UsageError
from rushes.present import reference_timecode
from rushes.project import Project


@dataclass(frozen=True)
class _Candidate:
    info: MediaInfo
    start: Fraction  # media seconds of the event's source in
    end: Fraction
    matched_by: str = "name"

    @property
    def inside(self) -> bool:
        """Whether the event's source range lies within the file (a tenth of a second spare)."""
        info = self.info
        return self.start >= 0 and (
            info.duration is None or self.end <= info.duration + Fraction(1, 10))


@dataclass(frozen=True)
class _Ambiguous:
    """Several catalogued files fit an event and nothing in the timeline tells them apart."""

    name: str
    assets: tuple[AssetRow, ...]


def _parts(path: str) -> tuple[str, ...]:
    """A path's components, case-blind, whichever separator it was written with."""
    return tuple(p.casefold() for p in re.split(r"[/\\]+", path) if p not in {"", ".", ".."})


def _trailing(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """How many trailing components two paths share."""
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


class _Index:
    """Every catalogued media asset by location, file name, stem and reel name (case-blind)."""

    def __init__(self, conn: sa.Connection, roots: list[Path]) -> None:
        self.conn = conn
        self.roots = roots
        self.assets: dict[str, AssetRow] = {}
        self.by_name: dict[str, list[AssetRow]] = {}
        self.by_reel: dict[str, list[AssetRow]] = {}
        self.parts: dict[str, list[tuple[str, ...]]] = {}
        self.infos: dict[str, MediaInfo] = {}
        self.by_path: dict[str, AssetRow | None] = {}
        for asset in list_assets(conn):
            if asset.kind not in {"video", "audio", "image"}:
                continue
            self.assets[asset.id] = asset
            paths = [loc.path for loc in locations_of(conn, asset.id)]
            self.parts[asset.id] = [_parts(p) for p in paths]
            for name in {os.path.basename(p) for p in paths}:
                for key in {name.casefold(), Path(name).stem.casefold()}:
                    self.by_name.setdefault(key, []).append(asset)
                self.by_reel.setdefault(reel_name(name), []).append(asset)

    def info(self, asset: AssetRow) -> MediaInfo:
        if asset.id not in self.infos:
            self.infos[asset.id] = media_info(self.conn, asset)
        return self.infos[asset.id]

    def candidate(self, asset: AssetRow, event: ImportedEvent, matched_by: str) -> _Candidate:
        info = self.info(asset)
        start, end = _media_range(info, event)
        return _Candidate(info, start, end, matched_by)

    def at_path(self, path: str) -> AssetRow | None:
        """The asset catalogued at ``path`` (or at the file it leads to through links); a
        relative path is tried from each root. Looked up once per path: a timeline names the
        same file in many events, and a clip's picture and channels are events of their own."""
        if path not in self.by_path:
            self.by_path[path] = self._at_path(path)
        return self.by_path[path]

    def _at_path(self, path: str) -> AssetRow | None:
        where = Path(path)
        tries = [where] if where.is_absolute() else [root / where for root in self.roots]
        for target in tries:
            try:
                loc = location_named(self.conn, target)
            except (OSError, ValueError):  # a name no file system takes
                continue
            if loc is not None and loc.asset_id in self.assets:
                return self.assets[loc.asset_id]
        return None

    def named(self, event: ImportedEvent, path: str | None) -> tuple[str, list[AssetRow], str]:
        """The name the event's media goes by here, the assets of that name, and which of the
        timeline's names it was: the path's or file's name, the clip's, else the reel."""
        names = [(os.path.basename(path.replace("\\", "/")), "name")] if path else []
        names += [(event.file_name or "", "name"), (event.clip_name or "", "clip name")]
        for raw, how in names:
            name = os.path.basename(raw.replace("\\", "/")).strip()
            if not name:
                continue
            for key in (name.casefold(), Path(name).stem.casefold()):
                if key in self.by_name:
                    return name, _unique(self.by_name[key]), how
        reel = (event.reel or "").strip()
        if reel:
            return reel, _unique(self.by_reel.get(reel.upper(), [])), "reel"
        return "", [], ""

    def closest(self, rows: list[AssetRow], path: str) -> list[AssetRow]:
        """Those of ``rows`` whose path agrees with ``path`` in the most trailing folders; all
        of them when none agrees beyond the file name."""
        wanted = _parts(path)
        score = {r.id: max((_trailing(p, wanted) for p in self.parts[r.id]), default=0)
                 for r in rows}
        best = max(score.values(), default=0)
        return [r for r in rows if score[r.id] == best] if best >= 2 else rows


def _unique(rows: list[AssetRow]) -> list[AssetRow]:
    seen: dict[str, AssetRow] = {}
    for r in rows:
        seen.setdefault(r.id, r)
    return list(seen.values())


def _media_range(info: MediaInfo, event: ImportedEvent) -> tuple[Fraction, Fraction]:
    """The event's source range in the asset's media seconds.

    The printed labels are read at the asset's own rate when they can be (an EDL prints each
    source's timecode at that source's rate, whatever rate the file was read at); otherwise the
    event's frames are converted through seconds."""
    rate = info.rate
    if rate is not None:
        start_frames = info.start.frames if info.start is not None else 0
        df = info.start.drop_frame if info.start is not None else False
        try:
            # Unwrapped: a range across midnight stays in order (23:59:59:12 to 24:00:02:00).
            a = Timecode.parse(event.source_in.label(wrap=False), rate, df)
            b = Timecode.parse(event.source_out.label(wrap=False), rate, df)
            if rate == event.rate or b.frames - a.frames == event.frames:
                return (Fraction(a.frames - start_frames) / rate,
                        Fraction(b.frames - start_frames) / rate)
        except UsageError:
            pass
        offset = Fraction(start_frames) / rate
        return (event.source_in.seconds() - offset, event.source_out.seconds() - offset)
    if info.reference is not None:
        # A Broadcast WAV's labels count from its time reference at the list's rate.
        offset = reference_timecode(info.reference, event.rate).seconds()
        return (event.source_in.seconds() - offset, event.source_out.seconds() - offset)
    return (event.source_in.seconds(), event.source_out.seconds())


def _choose(index: _Index, event: ImportedEvent) -> _Candidate | _Ambiguous | None:
    """The one catalogued file an event uses, by the rules in this module's docstring; an
    :class:`_Ambiguous` when several fit equally; None when none has its names."""
    path = source_path(event)
    if path:
        exact = index.at_path(path)
        if exact is not None:
            return index.candidate(exact, event, "path")
    name, rows, how = index.named(event, path)
    if path and len(rows) > 1 and how == "name":
        narrowed = index.closest(rows, path)
        if len(narrowed) == 1:
            return index.candidate(narrowed[0], event, "folders")
        rows = narrowed
    if not rows:
        return None
    if len(rows) == 1:
        return index.candidate(rows[0], event, how)
    found = [index.candidate(r, event, f"{how} and timecode") for r in rows]
    fitting = [c for c in found if c.inside]
    if len(fitting) == 1:
        return fitting[0]
    return _Ambiguous(name, tuple(c.info.asset for c in (fitting or found)))


def _union(spans: list[tuple[Fraction, Fraction]]) -> Fraction:
    total, reach = Fraction(0), None
    for a, b in sorted(spans):
        if reach is None or a >= reach:
            total += b - a
            reach = b
        elif b > reach:
            total += b - reach
            reach = b
    return total


def import_usage(
    catalog: Catalog, project: Project, path: Path, *, rate: str | None = None,
    as_cut: str | None = None,
) -> dict[str, Any]:
    """Read FILE, match its events to assets, and report the ranges each source contributes."""
    from rushes.edit.importers import read_timeline_file

    events = read_timeline_file(path, parse_rate(rate) if rate else None)
    sources: dict[str, dict[str, Any]] = {}
    spans: dict[str, list[tuple[Fraction, Fraction]]] = {}
    unmatched: list[dict[str, Any]] = []
    seen: set[tuple[str, Fraction, Fraction, int]] = set()
    matched_events: set[int] = set()
    kept: list[tuple[AssetRow, Fraction, Fraction]] = []
    with catalog.read() as conn:
        index = _Index(conn, [project.root, Path(path).parent])
        for event in events:
            found = _choose(index, event)
            if not isinstance(found, _Candidate):
                unmatched.append({
                    "index": event.index, "track": event.track, "reel": event.reel,
                    "clip_name": event.clip_name, "file_name": event.file_name,
                    "file_path": source_path(event),
                    "source_in": str(event.source_in), "source_out": str(event.source_out),
                    "record_in": str(event.record_in),
                    # Several files fit and nothing in the timeline tells them apart.
                    "ambiguous": found is not None,
                    "name": found.name if found is not None else None,
                    "candidates": sorted(str(a.path or a.id) for a in found.assets)
                    if found is not None else [],
                })
                continue
            matched_events.add(event.index)
            info = found.info
            key = (info.asset.id, found.start, found.end, event.record_in.frames)
            if key in seen:  # the same shot on V1 and A1: one use
                continue
            seen.add(key)
            entry = sources.setdefault(info.asset.id, {
                "asset": info.asset.id, "path": info.asset.path, "kind": info.asset.kind,
                "uses": [],
            })
            a, b = info.time_json(found.start), info.time_json(found.end)
            entry["uses"].append({
                "event": event.index,
                "track": event.track,
                "source_in": a["seconds"], "source_out": b["seconds"],
                "in_timecode": a["timecode"], "out_timecode": b["timecode"],
                "record_in_timecode": str(event.record_in),
                "record_out_timecode": str(event.record_out),
                "duration": to_json_time(found.end - found.start),
                "outside_media": not found.inside,
                "matched_by": found.matched_by,
            })
            spans.setdefault(info.asset.id, []).append((found.start, found.end))
            kept.append((info.asset, found.start, found.end))
    out_sources = []
    grand = Fraction(0)
    for asset_id, entry in sources.items():
        total = sum((b - a for a, b in spans[asset_id]), Fraction(0))
        grand += total
        entry["total"] = to_json_time(total)
        entry["unique"] = to_json_time(_union(spans[asset_id]))
        entry["total_timecode"] = _clock(total)
        out_sources.append(entry)
    out_sources.sort(key=lambda s: str(s["path"]))
    if as_cut:
        _keep_as_cut(catalog, as_cut, events, kept)
    return {
        "file": str(path),
        # Edit events as the file numbers them (an EDL's ``AA/V`` event is one, on three
        # tracks); ``track_events`` counts each track's piece.
        "events": len({e.index for e in events}),
        "matched": len(matched_events),
        "track_events": len(events),
        "sources": out_sources,
        "unmatched": unmatched,
        "total": to_json_time(grand),
    }


def ambiguity_warnings(report: dict[str, Any]) -> list[str]:
    """One line per name that several catalogued files share and that the timeline gave no
    way to tell apart: which events, which files. Those events are credited to none."""
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for u in report["unmatched"]:
        if u.get("ambiguous"):
            events = groups.setdefault((u["name"], tuple(u["candidates"])), [])
            if u["index"] not in events:
                events.append(u["index"])
    lines = []
    for (name, paths), events in groups.items():
        shown = ", ".join(str(e) for e in events[:10]) + (
            f" and {len(events) - 10} more" if len(events) > 10 else "")
        which = f"event {shown}" if len(events) == 1 else f"events {shown}"
        lines.append(
            f"warning: {which}: {name} could be any of {len(paths)} catalogued files "
            f"({'; '.join(paths)}); the timeline's paths and timecodes do not tell them "
            "apart, so none is credited"
        )
    return lines


def _clock(seconds: Fraction) -> str:
    whole = int(seconds)
    ms = int((seconds - whole) * 1000)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}.{ms:03d}"


def _keep_as_cut(
    catalog: Catalog, name: str, events: list[ImportedEvent],
    kept: list[tuple[AssetRow, Fraction, Fraction]],
) -> None:
    """The editor's cut as a rushes cut (video uses in record order) for review and reuse,
    at the file's rate and from its earliest record timecode."""
    first = min(events, key=lambda e: e.record_in.frames, default=None)
    # The record side's rate is the sequence's (an event's own ``rate`` is its source's).
    start = first.record_in if first else Timecode(0, Fraction(25))
    rate = start.rate
    rate_text = f"{rate.numerator}/{rate.denominator}" if rate.denominator != 1 else str(rate)
    with catalog.write() as conn:
        cut = cut_rows.new_cut(conn, name, rate_text, start.drop_frame, str(start))
        items = [
            cut_rows.NewItem("still" if asset.kind == "image" else "range", asset_id=asset.id,
                             start=None if asset.kind == "image" else max(a, Fraction(0)),
                             end=None if asset.kind == "image" else b,
                             duration=(b - a) if asset.kind == "image" else None)
            for asset, a, b in kept
        ]
        cut_rows.insert_items(conn, cut, items)


def usage_csv(report: dict[str, Any]) -> str:
    """One row per use, for a clearance spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["path", "asset", "event", "track", "source_in", "source_out",
                     "record_in", "record_out", "seconds"])
    for s in report["sources"]:
        for u in s["uses"]:
            writer.writerow([
                s["path"], s["asset"], u["event"], u["track"],
                u["in_timecode"] or u["source_in"], u["out_timecode"] or u["source_out"],
                u["record_in_timecode"], u["record_out_timecode"], u["duration"],
            ])
    return buffer.getvalue()
