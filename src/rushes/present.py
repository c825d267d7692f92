"""Turning catalog rows and analyzer results into the JSON of the command-line contract.

Shared by the CLI and the web app so both say the same thing. Exact times become seconds (numbers)
only here, with a ``timecode`` string beside them that honours the source's embedded start.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sqlalchemy as sa

from rushes.catalog.assets import AssetRow, count_by_kind, list_problems
from rushes.catalog.jobs import counts, failed_jobs
from rushes.domain.timecode import Timecode, parse_rate, timecode_at, to_json_time


def _fraction(value: Any) -> Fraction | None:
    if value is None or value == "":
        return None
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None


def media_duration(probe: dict[str, Any]) -> Fraction | None:
    """The asset's exact duration from its probe, when it has one."""
    return _fraction(probe.get("duration"))


def media_clock(probe: dict[str, Any]) -> tuple[Fraction | None, Timecode | None]:
    """The asset's exact rate and embedded start timecode (when it has them)."""
    rate_value = probe.get("rate")
    rate = parse_rate(str(rate_value)) if rate_value else None
    start = None
    tc = probe.get("start_timecode")
    if rate is not None and tc:
        try:
            start = Timecode.parse(str(tc), rate)
        except Exception:  # an odd embedded label must not hide the asset
            start = None
    return rate, start


def asset_summary(asset: AssetRow, probe: dict[str, Any] | None) -> dict[str, Any]:
    """The ``rushes ls`` row: id, path, kind, duration, fps, plus what a person wants to see."""
    probe = probe or {}
    duration = media_duration(probe)
    rate, start = media_clock(probe)
    return {
        "id": asset.id,
        "path": asset.path,
        "kind": asset.kind,
        "format": asset.format,
        "size": asset.size,
        "duration": to_json_time(duration) if duration is not None else None,
        "fps": to_json_time(rate) if rate is not None else None,
        "rate": f"{rate.numerator}/{rate.denominator}" if rate is not None else None,
        "start_timecode": str(start) if start is not None else None,
        "width": probe.get("width"),
        "height": probe.get("height"),
    }


def shots_json(asset: AssetRow, result: dict[str, Any], probe: dict[str, Any]) -> dict[str, Any]:
    """``rushes shots --json``: shot ranges and transitions in seconds, with timecodes."""
    rate = parse_rate(str(result["rate"]))
    _, start = media_clock(probe)
    if start is not None and start.rate != rate:
        start = None

    def at(frame: int) -> dict[str, Any]:
        seconds = Fraction(frame) / rate
        return {
            "seconds": to_json_time(seconds),
            "frame": frame,
            "timecode": str(timecode_at(seconds, rate, start)),
        }

    shots = []
    for shot in result.get("shots", []):
        a, b = at(shot["start_frame"]), at(shot["end_frame"])
        shots.append({
            "start": a["seconds"], "end": b["seconds"],
            "start_frame": a["frame"], "end_frame": b["frame"],
            "start_timecode": a["timecode"], "end_timecode": b["timecode"],
        })
    transitions = []
    for tr in result.get("transitions", []):
        t = at(tr["frame"])
        transitions.append({
            "time": t["seconds"], "kind": tr["kind"], "frame": t["frame"],
            "timecode": t["timecode"],
            "start": to_json_time(Fraction(tr.get("start_frame", tr["frame"])) / rate),
            "end": to_json_time(Fraction(tr.get("end_frame", tr["frame"])) / rate),
        })
    return {
        "asset": asset.id,
        "path": asset.path,
        "fps": to_json_time(rate),
        "rate": f"{rate.numerator}/{rate.denominator}",
        "start_timecode": str(start) if start is not None else None,
        "shots": shots,
        "transitions": transitions,
    }


def status_json(conn: sa.Connection) -> dict[str, Any]:
    """``rushes status --json`` (and the web app's ``/api/status``): assets by kind, job counts,
    and every recorded error, files that could not be catalogued first."""
    errors: list[dict[str, Any]] = [
        {"path": p.path, "analyzer": p.stage, "error": p.error} for p in list_problems(conn)
    ]
    errors += [
        {"path": f.path, "asset": f.asset_id, "analyzer": f.analyzer, "error": f.error}
        for f in failed_jobs(conn)
    ]
    return {"assets": count_by_kind(conn), "jobs": counts(conn), "errors": errors}
