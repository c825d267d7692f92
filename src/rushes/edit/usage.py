"""Reading an editor's cut back: which catalogued ranges the film uses, per source.

This is the basis of archive usage, clearance and credit reports: an archive house bills per
second used, so each use is listed with its source and record timecodes, and each source gets
its total (every use counted) and its unique footage (overlapping uses counted once).

Events are matched to assets by the names the file carries, most specific first: the media
file's name, the clip name, then the reel (as rushes writes reels, from the file name). When
several assets share a name, the one whose timecode span holds the event wins.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from rushes.catalog import Catalog
from rushes.catalog import cuts as cut_rows
from rushes.catalog.assets import AssetRow, list_assets, locations_of
from rushes.domain.timecode import Timecode, parse_rate, to_json_time
from rushes.edit.media import MediaInfo, media_info
from rushes.edit.timeline import ImportedEvent, reel_name
from rushes.errors import UsageError
from rushes.project import Project


@dataclass(frozen=True)
class _Candidate:
    info: MediaInfo
    start: Fraction  # media seconds of the event's source in
    end: Fraction


class _Index:
    """Every catalogued media asset by file name, stem and reel name (case-blind)."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.by_name: dict[str, list[AssetRow]] = {}
        self.by_reel: dict[str, list[AssetRow]] = {}
        self.infos: dict[str, MediaInfo] = {}
        for asset in list_assets(conn):
            if asset.kind not in {"video", "audio", "image"}:
                continue
            names = {os.path.basename(loc.path) for loc in locations_of(conn, asset.id)}
            for name in names:
                for key in {name.casefold(), Path(name).stem.casefold()}:
                    self.by_name.setdefault(key, []).append(asset)
                self.by_reel.setdefault(reel_name(name), []).append(asset)

    def info(self, asset: AssetRow) -> MediaInfo:
        if asset.id not in self.infos:
            self.infos[asset.id] = media_info(self.conn, asset)
        return self.infos[asset.id]

    def candidates(self, event: ImportedEvent) -> list[AssetRow]:
        for raw in (event.file_name, event.clip_name):
            if raw:
                name = os.path.basename(raw.replace("\\", "/")).strip()
                for key in (name.casefold(), Path(name).stem.casefold()):
                    if key in self.by_name:
                        return _unique(self.by_name[key])
        if event.reel:
            return _unique(self.by_reel.get(event.reel.strip().upper(), []))
        return []


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
            a = Timecode.parse(str(event.source_in), rate, df)
            b = Timecode.parse(str(event.source_out), rate, df)
            if rate == event.rate or b.frames - a.frames == event.frames:
                return (Fraction(a.frames - start_frames) / rate,
                        Fraction(b.frames - start_frames) / rate)
        except UsageError:
            pass
        offset = Fraction(start_frames) / rate
        return (event.source_in.seconds() - offset, event.source_out.seconds() - offset)
    return (event.source_in.seconds(), event.source_out.seconds())


def _choose(index: _Index, event: ImportedEvent) -> _Candidate | None:
    best: _Candidate | None = None
    for asset in index.candidates(event):
        info = index.info(asset)
        start, end = _media_range(info, event)
        candidate = _Candidate(info, start, end)
        inside = start >= 0 and (info.duration is None or end <= info.duration + Fraction(1, 10))
        if inside:
            return candidate
        best = best or candidate
    return best


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
        index = _Index(conn)
        for event in events:
            found = _choose(index, event)
            if found is None:
                unmatched.append({
                    "index": event.index, "track": event.track, "reel": event.reel,
                    "clip_name": event.clip_name, "file_name": event.file_name,
                    "source_in": str(event.source_in), "source_out": str(event.source_out),
                    "record_in": str(event.record_in),
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
                "outside_media": bool(found.start < 0 or (
                    info.duration is not None and found.end > info.duration + Fraction(1, 10))),
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
