"""Logging and paper edits as the CLI and the web app both call them: one function per action,
each taking the catalog (and the project where settings or the cache matter) and returning
JSON-ready data. Exact times become seconds with timecodes beside them only here."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from rushes.catalog import Catalog, logs
from rushes.catalog import clips as clip_rows
from rushes.catalog import cuts as cut_rows
from rushes.catalog.assets import get_asset, resolve_asset
from rushes.catalog.clips import ClipRow
from rushes.config import Settings
from rushes.domain import TIMED_KINDS
from rushes.domain.timecode import (
    Timecode,
    parse_duration,
    parse_rate,
    parse_sequence_rate,
    parse_start,
    to_json_time,
)
from rushes.edit.conform import build_timeline, sequence_clock
from rushes.edit.items import clip_range_for_text, parse_bounds, parse_item
from rushes.edit.media import media_info
from rushes.edit.timeline import Event, Timeline
from rushes.errors import UsageError
from rushes.project import Project

# --- clips ----------------------------------------------------------------------------------


def clip_json(
    conn: sa.Connection, clip: ClipRow, timecode_rate: Fraction | None = None
) -> dict[str, Any]:
    """``timecode_rate``: what a Broadcast WAV's timecodes are printed at when its recorder
    wrote no rate (the ``sequence_rate`` setting; 25 by default)."""
    asset = get_asset(conn, clip.asset_id)
    assert asset is not None
    info = media_info(conn, asset, timecode_rate)
    a, b = info.time_json(clip.start), info.time_json(clip.end)
    return {
        "id": clip.id,
        "asset": clip.asset_id,
        "path": clip.path,
        "kind": clip.kind,
        "in": a["seconds"],
        "out": b["seconds"],
        "in_timecode": a["timecode"],
        "out_timecode": b["timecode"],
        "duration": to_json_time(clip.end - clip.start),
        "label": clip.label,
        "rating": clip.rating,
        "tags": [t.name for t in logs.tags_of(conn, clip.asset_id) if t.clip_id == clip.id],
    }


def add_clip(
    catalog: Catalog,
    asset_ref: str,
    *,
    in_: str | None = None,
    out: str | None = None,
    text: str | None = None,
    label: str | None = None,
    settings: Settings | None = None,
    occurrence: int = 1,
) -> dict[str, Any]:
    """A subclip by in/out points, or around the words ``text`` in the transcript (with the
    ``clip_handles`` setting either side). Out is exclusive, as in an EDL."""
    with catalog.write() as conn:
        asset = resolve_asset(conn, asset_ref)
        if asset.kind not in TIMED_KINDS:
            raise UsageError(
                f"{asset.path} is {asset.kind}: only video and audio have in and out points "
                "(add an image to a cut as a still)"
            )
        # A Broadcast WAV's timecodes are read at its recorder's rate, else the project's.
        tc_rate = settings.timecode_rate if settings else None
        info = media_info(conn, asset, tc_rate)
        if text is not None:
            if in_ is not None or out is not None:
                raise UsageError("give either --text or --in/--out, not both")
            handles = Fraction(str(settings.clip_handles)) if settings else Fraction(1, 2)
            start, end = clip_range_for_text(conn, asset, text, handles, occurrence)
            label = label if label is not None else " ".join(text.split())
        else:
            if in_ is None or out is None:
                raise UsageError("a clip needs --in and --out (or --text)")
            # Apart, not joined as "IN-OUT": a negative in point would split wrongly.
            start, end = parse_bounds(info, in_, out, f"clip of {asset.path}")
        clip_id = clip_rows.add_clip(conn, asset.id, start, end, label or None)
        return clip_json(conn, clip_rows.get_clip(conn, clip_id), tc_rate)


def list_clips(
    catalog: Catalog, asset_ref: str | None = None, timecode_rate: Fraction | None = None
) -> list[dict[str, Any]]:
    """``timecode_rate``: as for :func:`clip_json`."""
    with catalog.read() as conn:
        asset_id = resolve_asset(conn, asset_ref).id if asset_ref else None
        return [clip_json(conn, c, timecode_rate)
                for c in clip_rows.list_clips(conn, asset_id)]


def remove_clip(catalog: Catalog, clip_id: int) -> None:
    with catalog.write() as conn:
        clip_rows.remove_clip(conn, clip_id)


# --- tags, notes, ratings -------------------------------------------------------------------


def _clip_of(conn: sa.Connection, asset_id: str, clip_id: int | None) -> int | None:
    if clip_id is None:
        return None
    clip = clip_rows.get_clip(conn, clip_id)
    if clip.asset_id != asset_id:
        raise UsageError(f"clip {clip_id} is not a clip of this asset")
    return clip.id


def tag(
    catalog: Catalog, asset_ref: str, names: list[str], clip_id: int | None = None
) -> list[str]:
    with catalog.write() as conn:
        asset = resolve_asset(conn, asset_ref)
        return logs.add_tags(conn, asset.id, names, _clip_of(conn, asset.id, clip_id))


def untag(
    catalog: Catalog, asset_ref: str, names: list[str], clip_id: int | None = None
) -> int:
    with catalog.write() as conn:
        asset = resolve_asset(conn, asset_ref)
        return logs.remove_tags(conn, asset.id, names, _clip_of(conn, asset.id, clip_id))


def list_tags(catalog: Catalog) -> list[dict[str, Any]]:
    with catalog.read() as conn:
        return [{"tag": name, "assets": n} for name, n in logs.tag_counts(conn)]


def _note_json(
    conn: sa.Connection, note: logs.NoteRow, timecode_rate: Fraction | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": note.id, "asset": note.asset_id, "clip": note.clip_id, "text": note.text,
        "author": note.author, "at": None, "timecode": None, "marker": note.at is not None,
    }
    if note.at is not None:
        asset = get_asset(conn, note.asset_id)
        assert asset is not None
        t = media_info(conn, asset, timecode_rate).time_json(note.at)
        out["at"], out["timecode"] = t["seconds"], t["timecode"]
    return out


def add_note(
    catalog: Catalog, asset_ref: str, text: str, *, at: str | None = None,
    author: str | None = None, clip_id: int | None = None,
    timecode_rate: Fraction | None = None,
) -> dict[str, Any]:
    """A note on an asset (or clip); with ``at`` a marker at that moment. ``timecode_rate``:
    as for :func:`clip_json`."""
    with catalog.write() as conn:
        asset = resolve_asset(conn, asset_ref)
        info = media_info(conn, asset, timecode_rate)
        moment = None
        if at is not None:
            moment = info.snap(info.parse(at, "marker time"))
            if info.duration is not None and moment > info.duration:
                raise UsageError(
                    f"marker time {at!r} is beyond the end of {info.name} "
                    f"({info.label(info.duration)})"
                )
        note_id = logs.add_note(conn, asset.id, text, at=moment,
                                clip_id=_clip_of(conn, asset.id, clip_id), author=author)
        note = next(n for n in logs.notes_of(conn, asset.id) if n.id == note_id)
        return _note_json(conn, note, timecode_rate)


def remove_note(catalog: Catalog, note_id: int) -> None:
    with catalog.write() as conn:
        if not logs.remove_note(conn, note_id):
            raise UsageError(f"no note {note_id}")


def set_rating(
    catalog: Catalog, asset_ref: str, value: int | None, clip_id: int | None = None
) -> None:
    with catalog.write() as conn:
        asset = resolve_asset(conn, asset_ref)
        if clip_id is not None:
            clip_rows.set_clip_rating(conn, _clip_of(conn, asset.id, clip_id) or 0, value)
        else:
            logs.set_rating(conn, asset.id, value)


def asset_log(
    catalog: Catalog, asset_ref: str, timecode_rate: Fraction | None = None
) -> dict[str, Any]:
    """Everything logged on an asset: tags, notes and markers, rating, clips.
    ``timecode_rate``: as for :func:`clip_json`."""
    with catalog.read() as conn:
        asset = resolve_asset(conn, asset_ref)
        return {
            "asset": asset.id,
            "path": asset.path,
            "rating": logs.rating_of(conn, asset.id),
            "tags": [{"id": t.id, "tag": t.name, "clip": t.clip_id}
                     for t in logs.tags_of(conn, asset.id)],
            "notes": [_note_json(conn, n, timecode_rate)
                      for n in logs.notes_of(conn, asset.id)],
            "clips": [clip_json(conn, c, timecode_rate)
                      for c in clip_rows.list_clips(conn, asset.id)],
        }


# --- bins -----------------------------------------------------------------------------------


def new_bin(catalog: Catalog, name: str) -> dict[str, Any]:
    with catalog.write() as conn:
        clip_rows.new_bin(conn, name)
    return {"name": name.strip(), "items": []}


def _bin_entry(conn: sa.Connection, text: str) -> tuple[str | None, int | None]:
    """A clip id (``12``, ``clip:12``) or else an asset (id, prefix or path), as a bin holds it."""
    ref = text.strip().removeprefix("clip:")
    clip = clip_rows.find_clip(conn, int(ref)) if ref.isdigit() else None
    if clip is not None:
        return None, clip.id
    return resolve_asset(conn, text).id, None


def add_to_bin(catalog: Catalog, name: str, items: list[str]) -> int:
    """Put clips (ids) or assets (id, prefix or path) in a bin; returns how many were new."""
    with catalog.write() as conn:
        bin_ = clip_rows.bin_id(conn, name)
        return sum(
            clip_rows.add_bin_entry(conn, bin_, asset_id=asset_id, clip_id=clip_id)
            for asset_id, clip_id in (_bin_entry(conn, text) for text in items)
        )


def remove_from_bin(catalog: Catalog, name: str, items: list[str]) -> int:
    with catalog.write() as conn:
        bin_ = clip_rows.bin_id(conn, name)
        return sum(
            clip_rows.remove_bin_entry(conn, bin_, asset_id=asset_id, clip_id=clip_id)
            for asset_id, clip_id in (_bin_entry(conn, text) for text in items)
        )


def list_bins(catalog: Catalog) -> list[dict[str, Any]]:
    with catalog.read() as conn:
        return [{"name": name, "items": n} for name, n in clip_rows.list_bins(conn)]


def bin_json(
    catalog: Catalog, name: str, timecode_rate: Fraction | None = None
) -> dict[str, Any]:
    """``timecode_rate``: as for :func:`clip_json`."""
    with catalog.read() as conn:
        bin_ = clip_rows.bin_id(conn, name)
        items: list[dict[str, Any]] = []
        for asset_id, clip_id in clip_rows.bin_contents(conn, bin_):
            if clip_id is not None:
                clip = clip_rows.get_clip(conn, clip_id)
                items.append({"type": "clip", **clip_json(conn, clip, timecode_rate)})
            elif asset_id is not None:
                asset = get_asset(conn, asset_id)
                if asset is not None:
                    items.append({"type": "asset", "id": asset.id, "asset": asset.id,
                                  "path": asset.path, "kind": asset.kind})
        return {"name": name, "items": items}


# --- cuts -----------------------------------------------------------------------------------


def _rate_and_start(
    rate: str | None, start: str | None, drop_frame: bool | None, settings: Settings
) -> tuple[str, bool, str]:
    """Validate a cut's clock as typed: the rate (one timecode can count), then the start label
    at that rate, held to the rules `clip add` holds a source timecode to (24-hour clock, ``;``
    only where drop-frame exists)."""
    start_text = start or str(settings.sequence_start)
    if not rate:
        # Follows its first video until set; the label is checked against the default rate.
        probe_rate = parse_rate(str(settings.sequence_rate))
        try:
            Timecode.parse(start_text, probe_rate, False, within_day=True)
        except UsageError as exc:
            raise UsageError(f"start {exc}") from None
        return "", bool(drop_frame), start_text
    exact = parse_sequence_rate(rate)
    typed_df = ";" in start_text or "," in start_text
    df = drop_frame if drop_frame is not None else typed_df
    tc = parse_start(start_text, exact, df)
    text = f"{exact.numerator}/{exact.denominator}" if exact.denominator != 1 else str(exact)
    return text, tc.drop_frame, str(tc)


def new_cut(
    catalog: Catalog, name: str, *, rate: str | None = None, start: str | None = None,
    drop_frame: bool | None = None, settings: Settings,
) -> dict[str, Any]:
    rate_text, df, start_text = _rate_and_start(rate, start, drop_frame, settings)
    with catalog.write() as conn:
        cut = cut_rows.new_cut(conn, name, rate_text, df, start_text)
    return {"name": cut.name, "rate": cut.rate or None, "start_timecode": cut.start_timecode}


def set_cut_clock(
    catalog: Catalog, name: str, *, rate: str | None, start: str | None,
    drop_frame: bool | None, settings: Settings,
) -> None:
    with catalog.write() as conn:
        cut = cut_rows.get_cut(conn, name)
        clock = sequence_clock(conn, cut, settings)
        current_rate = cut.rate or f"{clock.rate.numerator}/{clock.rate.denominator}"
        rate_text, df, start_text = _rate_and_start(
            rate or current_rate, start or cut.start_timecode,
            drop_frame if drop_frame is not None
            else (clock.start.drop_frame if not rate else None),
            settings,
        )
        cut_rows.update_cut(conn, cut, rate=rate_text, drop_frame=df, start_timecode=start_text)


def list_cuts(catalog: Catalog, project: Project) -> list[dict[str, Any]]:
    out = []
    with catalog.read() as conn:
        for cut in cut_rows.list_cuts(conn):
            timeline = build_timeline(conn, project, cut, project.settings)
            out.append(_cut_head(timeline, cut))
    return out


def delete_cut(catalog: Catalog, name: str) -> None:
    with catalog.write() as conn:
        cut_rows.delete_cut(conn, cut_rows.get_cut(conn, name))


def add_items(
    catalog: Catalog, name: str, items: list[str], *, position: int | None = None,
    label: str | None = None, settings: Settings | None = None,
) -> list[int]:
    """Add ITEMs (clip ids, ``ASSET@IN-OUT``, images) in order, before ``position``.
    ``settings``: the project's, for the rate of a cut that follows its first video."""
    with catalog.write() as conn:
        cut = cut_rows.get_cut(conn, name)
        # A Broadcast WAV whose recorder wrote no rate has its timecodes counted at the cut's
        # rate, as its exports will print them: the one set, else the one it follows so far.
        rate = (
            parse_rate(cut.rate) if cut.rate
            else sequence_clock(conn, cut, settings).rate if settings is not None
            else None
        )
        parsed = [parse_item(conn, text, rate) for text in items]
        if label is not None:
            for item in parsed:
                item.label = label
        return cut_rows.insert_items(conn, cut, parsed, position)


def _text_item(
    catalog: Catalog, name: str, kind: str, text: str, duration: str | None,
    position: int | None,
) -> int:
    text = text.strip()
    if not text and kind != "title":
        raise UsageError(f"a {kind} item needs some text")
    seconds = parse_duration(duration) if duration is not None else None
    with catalog.write() as conn:
        cut = cut_rows.get_cut(conn, name)
        ids = cut_rows.insert_items(
            conn, cut, [cut_rows.NewItem(kind, duration=seconds, text=text)], position
        )
    return ids[0]


def add_title(catalog: Catalog, name: str, text: str, *, duration: str | None = None,
              position: int | None = None) -> int:
    return _text_item(catalog, name, "title", text, duration, position)


def add_voiceover(catalog: Catalog, name: str, text: str, *, duration: str | None = None,
                  position: int | None = None) -> int:
    return _text_item(catalog, name, "voiceover", text, duration, position)


def add_note_item(catalog: Catalog, name: str, text: str, *,
                  position: int | None = None) -> int:
    return _text_item(catalog, name, "note", text, None, position)


def move_item(catalog: Catalog, name: str, from_pos: int, to_pos: int) -> None:
    with catalog.write() as conn:
        cut_rows.move_item(conn, cut_rows.get_cut(conn, name), from_pos, to_pos)


def remove_item(catalog: Catalog, name: str, position: int) -> None:
    with catalog.write() as conn:
        cut_rows.remove_item(conn, cut_rows.get_cut(conn, name), position)


def _tc(timeline: Timeline, frames: int) -> str:
    return str(timeline.record_timecode(frames))


def running_time(timeline: Timeline) -> str:
    """The cut's length as a timecode-style duration at its rate (``00:04:12:10``)."""
    return str(Timecode(timeline.duration, timeline.rate, timeline.drop_frame))


def _cut_head(timeline: Timeline, cut: cut_rows.CutRow) -> dict[str, Any]:
    return {
        "name": timeline.name,
        "rate": f"{timeline.rate.numerator}/{timeline.rate.denominator}",
        "fps": to_json_time(timeline.rate),
        "rate_follows_source": not cut.rate,
        "drop_frame": timeline.drop_frame,
        "start_timecode": str(timeline.start),
        "duration": to_json_time(timeline.seconds(timeline.duration)),
        "frames": timeline.duration,
        "running_time": running_time(timeline),
        "items": len(timeline.events),
    }


def event_json(timeline: Timeline, position: int, event: Event) -> dict[str, Any]:
    out: dict[str, Any] = {
        "position": position,
        "id": event.item_id,
        "kind": event.kind,
        "clip": event.clip_id,
        "label": event.label or None,
        "text": event.text or None,
        "record_in": to_json_time(timeline.seconds(event.record_in)),
        "record_out": to_json_time(timeline.seconds(event.record_out)),
        "record_in_timecode": _tc(timeline, event.record_in),
        "record_out_timecode": _tc(timeline, event.record_out),
        "duration": to_json_time(timeline.seconds(event.duration)),
        "asset": None, "path": None, "source_in": None, "source_out": None,
        "source_in_timecode": None, "source_out_timecode": None, "words": None,
    }
    source = event.source
    if source is not None:
        out.update({
            "asset": source.asset_id,
            "path": source.path,
            "name": source.name,
            "reel": source.reel,
            "source_kind": source.kind,
        })
        if event.kind == "clip":
            out.update({
                "source_in": to_json_time(source.seconds(event.source_in)),
                "source_out": to_json_time(source.seconds(event.source_out)),
                "source_in_timecode": str(source.timecode(event.source_in)),
                "source_out_timecode": str(source.timecode(event.source_out)),
                "source_rate": f"{source.rate.numerator}/{source.rate.denominator}",
                "words": " ".join(w.text for w in event.words) or None,
            })
    return out


def cut_json(catalog: Catalog, project: Project, name: str) -> dict[str, Any]:
    """A cut with every item's record and source times: `rushes cut show --json`."""
    with catalog.read() as conn:
        cut = cut_rows.get_cut(conn, name)
        timeline = build_timeline(conn, project, cut, project.settings)
    head = _cut_head(timeline, cut)
    head["items"] = [event_json(timeline, i, e) for i, e in enumerate(timeline.events, 1)]
    return head


def timeline_of(
    catalog: Catalog, project: Project, name: str, *, require_media: bool = True
) -> Timeline:
    with catalog.read() as conn:
        cut = cut_rows.get_cut(conn, name)
        timeline = build_timeline(
            conn, project, cut, project.settings, require_media=require_media
        )
    if not timeline.events:
        raise UsageError(f"cut {name!r} is empty; add items with `rushes cut add`")
    return timeline


def export_cut(
    catalog: Catalog, project: Project, name: str, fmt: str | None, path: Path,
    **options: Any,
) -> str:
    """Write the cut in an editing application's format; returns the format written."""
    from rushes.edit.formats import write_timeline

    timeline = timeline_of(catalog, project, name)
    return write_timeline(timeline, fmt, path, **options)


def unused_clips(
    catalog: Catalog, name: str, timecode_rate: Fraction | None = None
) -> list[dict[str, Any]]:
    """Selects that did not make the cut (the deleted-scenes reel): clips not placed in it and
    not covered for at least half their length by a range of the same asset in it.
    ``timecode_rate``: as for :func:`clip_json`."""
    with catalog.read() as conn:
        cut = cut_rows.get_cut(conn, name)
        items = cut_rows.items_of(conn, cut)
        used_ids = {i.clip_id for i in items if i.clip_id is not None}
        spans: dict[str, list[tuple[Fraction, Fraction]]] = {}
        for item in items:
            if item.asset_id and item.start is not None and item.end is not None:
                spans.setdefault(item.asset_id, []).append((item.start, item.end))
        out = []
        for clip in clip_rows.list_clips(conn):
            if clip.id in used_ids:
                continue
            covered = sum(
                (max(Fraction(0), min(b, clip.end) - max(a, clip.start))
                 for a, b in spans.get(clip.asset_id, [])),
                Fraction(0),
            )
            if covered * 2 >= clip.end - clip.start:
                continue
            out.append(clip_json(conn, clip, timecode_rate))
        return out
