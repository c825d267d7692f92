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
from rushes.domain.timecode import (
    Timecode,
    is_drop_frame_rate,
    parse_rate,
    timecode_at,
    to_json_time,
)

#: The rate an audio file's time reference is counted at when nothing else gives one: the
#: ``sequence_rate`` setting's default.
DEFAULT_TIMECODE_RATE = Fraction(25)


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


def time_reference(probe: dict[str, Any]) -> Fraction | None:
    """An audio file's recorded start in exact seconds since midnight (a Broadcast WAV's
    ``bext`` time reference); None without one, and for probes made before it was read."""
    return _fraction(probe.get("start_seconds"))


def recorder_rate(probe: dict[str, Any]) -> tuple[Fraction | None, bool | None]:
    """The rate (and drop-frame labelling) a sound recorder counted a Broadcast WAV's
    timecode at, from its iXML; ``(None, None)`` where the file does not say (and for probes
    made before it was read)."""
    rate = _fraction(probe.get("timecode_rate"))
    if rate is None or rate <= 0:
        return None, None
    drop_frame = probe.get("drop_frame")
    if drop_frame is None:
        return rate, None  # the recorder did not say: as usual at that rate
    return rate, bool(drop_frame) and is_drop_frame_rate(rate)


def audio_clock(
    probe: dict[str, Any], timecode_rate: Fraction | None = None
) -> tuple[Fraction, bool | None]:
    """What a Broadcast WAV's timecodes count at: the recorder's own rate when its iXML gives
    one (the slate and the sound report show that), else ``timecode_rate`` (a cut's rate, or
    the ``sequence_rate`` setting), else :data:`DEFAULT_TIMECODE_RATE`. The flag is None where
    the rate's usual labelling applies (drop-frame at 29.97)."""
    rate, drop_frame = recorder_rate(probe)
    if rate is not None:
        return rate, drop_frame
    return timecode_rate or DEFAULT_TIMECODE_RATE, None


def reference_timecode(
    seconds: Fraction, rate: Fraction, drop_frame: bool | None = None
) -> Timecode:
    """The start timecode of a file whose start is ``seconds`` since midnight, counted at
    ``rate`` (an audio file has no frames of its own: editing applications label a Broadcast
    WAV at the project's rate). A start between two frames is rounded down to the frame, as
    Avid, Resolve and Premiere do; the sound itself is not moved, so it lies less than a frame
    after its labels (the exact start stays in the probe's ``start_seconds``).
    ``drop_frame``: the cut's labelling; by default drop-frame at 29.97 and 59.94, as a new
    sequence at those rates has."""
    df = is_drop_frame_rate(rate) if drop_frame is None else drop_frame
    return timecode_at(seconds, rate, drop_frame=df)


def take_label(probe: dict[str, Any]) -> str | None:
    """A recorder's scene, take and tape, as its sound report gives them: ``12A/3 · DAY02 ·
    circled``; None where its iXML said none."""
    slate = "/".join(str(v) for v in (probe.get("scene"), probe.get("take")) if v)
    bits = [slate, str(probe.get("tape") or ""), "circled" if probe.get("circled") else ""]
    return " · ".join(b for b in bits if b) or None


def channel_names(probe: dict[str, Any]) -> str | None:
    """A recorder's channel names in order, ``–`` for one it left unnamed: ``Boom, Lav, –``."""
    return ", ".join(n or "–" for n in probe.get("track_names") or ()) or None


def asset_summary(
    asset: AssetRow, probe: dict[str, Any] | None, timecode_rate: Fraction | None = None
) -> dict[str, Any]:
    """The ``rushes ls`` row: id, path, kind, duration, fps, plus what a person wants to see.

    An audio file with a time reference (Broadcast WAV) shows its ``start_seconds`` and a
    ``start_timecode`` counted at its recorder's rate (:func:`audio_clock`; without one at
    ``timecode_rate``, the ``sequence_rate`` setting, 25 when not given)."""
    probe = probe or {}
    duration = media_duration(probe)
    rate, start = media_clock(probe)
    reference = time_reference(probe) if asset.kind == "audio" else None
    if start is None and rate is None and reference is not None:
        start = reference_timecode(reference, *audio_clock(probe, timecode_rate))
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
        "start_seconds": to_json_time(reference) if reference is not None else None,
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
