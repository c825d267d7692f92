"""A paper edit as an OpenTimelineIO timeline, and an OTIO timeline read back as events.

OTIO is the interchange hub: ``.otio``/``.otioz`` files are written from :func:`to_otio`, and
any timeline OTIO's adapters read (EDL, FCP7 XML, OTIO JSON) becomes
:class:`~rushes.edit.timeline.ImportedEvent` rows through :func:`from_otio`.

Layout of what :func:`to_otio` builds:

- track ``V1`` (video) holds clips of video sources, stills and titles; ``A1`` (audio, present
  when any clip has sound or any voice-over is planned) holds the sound of those clips and the
  voice-over placeholders. Where one track has nothing, it has a gap of the same length, so the
  tracks stay in step.
- a clip's ``source_range`` starts exactly at the source's own rate, at the source's embedded
  start timecode plus the in frame (OTIO's convention: media time is timecode time), and lasts
  the clip's record length, written as whole frames at the sequence rate (a range's start and
  duration may carry different rates in OTIO; see the timing rule below); its
  media reference is an ``ExternalReference`` to the file URL, whose ``available_range`` starts
  at that timecode and lasts the media's length, at the source's rate.
- titles are clips of a ``GeneratorReference`` (kind ``Text``), voice-over placeholders clips of
  a ``MissingReference`` (the narration is not recorded yet); both carry their script.
- positioned notes are markers on ``V1`` at their record frame; cut-level notes sit in the
  timeline's metadata.
- ``global_start_time`` is the record start timecode at the sequence rate; the exact rate,
  drop-frame labelling and each clip's asset id are under ``metadata["rushes"]``.

Timing rule: OTIO places items end to end by their ``source_range`` durations, and ignores time
effects when it does (``range_in_parent``, ``Track.duration``). A source at another rate than the
sequence occupies ``round_half_up(source frames × sequence rate / source rate)`` sequence frames
in every rushes export (:mod:`rushes.edit.timeline`), which differs from its exact source time
by up to half a sequence frame. Left at its exact source length, such a clip would land the rest
of the track between frames and disagree with the EDL, FCP7 XML and FCPXML. So every clip's
duration is its record length at the sequence rate: each item then starts and ends on the
sequence's frame grid, the track lasts the cut's running time exactly, and OTIO's own EDL and
FCP7 XML writers, which take their rate from the first track's duration, write at the sequence
rate. This is what OTIO's FCP7 XML reader does with an editor's mixed-rate clip too: the source
range starts at the exact source frame and lasts the clip's record time. It is not a speed
change, so no ``LinearTimeWarp`` is written (an editing application would retime the clip by
the ratio); the range shows the same source frames as the other formats, as a 25 fps sequence
sampling a 29.97 source shows frames 0–74 of a range that lasts 75.52 source frames. The
native range in exact source frames is kept under ``metadata["rushes"]["source_range"]``, and
:func:`from_otio` reads it back whenever the clip still starts there and conforms to its record
length (an editor's trim falls back to the OTIO range).

:func:`from_otio` snaps each item's length to whole sequence frames (halves up) before adding it
to the record position, so timelines from other tools with exact source lengths at other rates
read back on the conform's frame grid as well.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

import opentimelineio as otio

from rushes.domain.timecode import Timecode, is_drop_frame_rate, parse_rate
from rushes.edit.timeline import (
    Event,
    ImportedEvent,
    Source,
    Timeline,
    conform_frames,
    round_half_up,
)
from rushes.errors import UsageError

#: The metadata namespace rushes writes into OTIO objects.
META = "rushes"

#: Reels that name no file in an EDL (black, bars, auxiliary): never given to a source.
RESERVED_REELS = frozenset({"BL", "BLK", "BLACK", "BARS", "AX"})


def file_url(path: str) -> str:
    """A ``file://`` URL for a local path, percent-encoded so spaces and accents survive."""
    return Path(os.path.abspath(path)).as_uri()


def file_name_from_url(url: str) -> str:
    """The file name a URL or path ends in (``file://localhost/D:/a%20b.mov`` → ``a b.mov``)."""
    parsed = urlparse(url)
    raw = parsed.path if parsed.scheme in {"file", "http", "https"} else url
    return PurePosixPath(unquote(raw).replace("\\", "/")).name


def otio_rate(rate: Fraction) -> float:
    """OTIO keeps rates as doubles; 30000/1001 as a double is what its timecode code expects."""
    return float(rate)


def rate_from_otio(value: float) -> Fraction:
    """An OTIO rate back as an exact fraction (29.97002997… → 30000/1001)."""
    return parse_rate(float(value))


def _rt(frames: int, rate: Fraction) -> Any:
    return otio.opentime.RationalTime(frames, otio_rate(rate))


def _range(start: int, duration: int, rate: Fraction) -> Any:
    return otio.opentime.TimeRange(_rt(start, rate), _rt(duration, rate))


# ---------------------------------------------------------------------------------------------
# Timeline → OTIO


def _source_meta(source: Source) -> dict[str, Any]:
    return {
        "asset_id": source.asset_id,
        "reel": source.reel,
        "rate": str(source.rate),
        "start_timecode": str(source.start),
        "drop_frame": source.start.drop_frame,
        "kind": source.kind,
        # OTIO has no channel model: a reader that lays out tracks per channel finds it here.
        "audio_channels": source.audio_channels if source.has_audio else 0,
        "audio_layout": list(source.audio_layout),
    }


def _media_reference(source: Source, available: Any) -> Any:
    ref = otio.schema.ExternalReference(target_url=file_url(source.path), available_range=available)
    ref.name = source.name
    ref.metadata[META] = _source_meta(source)
    # Adapter namespaces, so OTIO's own EDL and FCP7 writers keep the reel and the labelling.
    ref.metadata["fcp_xml"] = {
        "timecode": {
            "displayformat": "DF" if source.start.drop_frame else "NDF",
            "reel": {"name": source.reel},
        }
    }
    return ref


def _event_meta(event: Event) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "kind": event.kind,
        "label": event.label,
        "text": event.text,
        "record_in": event.record_in,
        "duration": event.duration,
    }
    if event.item_id is not None:
        meta["item_id"] = event.item_id
    if event.clip_id is not None:
        meta["clip_id"] = event.clip_id
    if event.source is not None:
        meta.update(
            asset_id=event.source.asset_id,
            reel=event.source.reel,
            source_in=event.source_in,
            source_out=event.source_out,
        )
    return meta


def _native_range(event: Event) -> dict[str, Any]:
    """The clip's exact source frames (timecode frames at the source rate, out exclusive).

    The OTIO range of a clip at another rate than the sequence lasts its record time, not its
    source frames (module docstring); this keeps what the cut asked for, readable by people
    (timecode labels) and by :func:`from_otio` (frames and the exact rate).
    """
    source = event.source
    assert source is not None
    return {
        "rate": str(source.rate),
        "start_frame": source.start.frames + event.source_in,
        "end_frame": source.start.frames + event.source_out,
        "start_timecode": str(source.timecode(event.source_in)),
        "end_timecode": str(source.timecode(event.source_out)),
    }


def _media_clip(event: Event, timeline: Timeline) -> Any:
    """A clip of a file: from its exact first source frame, for its record frames.

    The duration is the event's record length at the sequence rate (the conform's whole
    frames), so OTIO places it on the sequence's frame grid; for a source at the sequence rate
    that is its source frames, as before.
    """
    source = event.source
    assert source is not None
    if event.kind == "still":
        # A still has no clock of its own: it is held for the event's sequence frames.
        rate = timeline.rate
        available = _range(source.start.frames, event.source_in + event.duration, rate)
    else:
        rate = source.rate
        available = (
            _range(source.start.frames, source.duration_frames, rate)
            if source.duration_frames is not None
            else None
        )
    clip = otio.schema.Clip(
        name=event.label or source.name,
        media_reference=_media_reference(source, available),
        source_range=otio.opentime.TimeRange(
            _rt(source.start.frames + event.source_in, rate),
            _rt(event.duration, timeline.rate),
        ),
    )
    clip.metadata[META] = _event_meta(event)
    if event.kind == "clip":
        clip.metadata[META]["source_range"] = _native_range(event)
    clip.metadata["cmx_3600"] = {"reel": source.reel}
    return clip


def _title_clip(event: Event, rate: Fraction) -> Any:
    ref = otio.schema.GeneratorReference(
        name="Text",
        generator_kind="Text",
        available_range=_range(0, event.duration, rate),
        parameters={"text": event.text},
    )
    clip = otio.schema.Clip(
        name=event.label or event.text.split("\n", 1)[0] or "Title",
        media_reference=ref,
        source_range=_range(0, event.duration, rate),
    )
    clip.metadata[META] = _event_meta(event)
    return clip


def _voiceover_clip(event: Event, rate: Fraction) -> Any:
    ref = otio.schema.MissingReference(name="voice-over to record")
    ref.metadata[META] = {"kind": "voiceover", "text": event.text}
    clip = otio.schema.Clip(
        name=f"VO: {event.label}" if event.label else "VO",
        media_reference=ref,
        source_range=_range(0, event.duration, rate),
    )
    clip.metadata[META] = _event_meta(event)
    return clip


def _gap_like(item: Any) -> Any:
    """A gap exactly as long as ``item``, so the other track keeps in step with it."""
    return otio.schema.Gap(source_range=otio.opentime.TimeRange(duration=item.duration()))


def _note_marker(event: Event, rate: Fraction) -> Any:
    first_line = event.text.strip().split("\n", 1)[0]
    marker = otio.schema.Marker(
        name=event.label or first_line or "Note",
        marked_range=_range(event.record_in, 0, rate),
        color=otio.schema.MarkerColor.YELLOW,
    )
    marker.metadata[META] = {"kind": "note", "text": event.text, "record_in": event.record_in}
    return marker


def _has_sound(event: Event) -> bool:
    return event.kind == "voiceover" or (
        event.kind == "clip" and event.source is not None and event.source.has_audio
    )


def to_otio(timeline: Timeline) -> Any:
    """The paper edit as an ``otio.schema.Timeline`` (layout in the module docstring)."""
    rate = timeline.rate
    result = otio.schema.Timeline(
        name=timeline.name,
        global_start_time=_rt(timeline.start.frames, rate),
    )
    result.metadata[META] = {
        "rate": str(rate),
        "drop_frame": timeline.drop_frame,
        "start_timecode": str(timeline.start),
        "width": timeline.width,
        "height": timeline.height,
        "audio_rate": timeline.audio_rate,
        "notes": list(timeline.notes),
    }
    result.metadata["fcp_xml"] = {
        "timecode": {"displayformat": "DF" if timeline.drop_frame else "NDF"}
    }
    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    for event in timeline.events:
        if event.kind == "note":
            video.markers.append(_note_marker(event, rate))
            continue
        if event.kind in {"clip", "still"}:
            clip = _media_clip(event, timeline)
            has_picture = event.kind == "still" or (
                event.source is not None and event.source.has_video
            )
            video.append(clip if has_picture else _gap_like(clip))
            audio.append(clip.deepcopy() if _has_sound(event) else _gap_like(clip))
        elif event.kind == "title":
            clip = _title_clip(event, rate)
            video.append(clip)
            audio.append(_gap_like(clip))
        else:  # voiceover
            clip = _voiceover_clip(event, rate)
            video.append(_gap_like(clip))
            audio.append(clip)
    result.tracks.append(video)
    if any(_has_sound(e) for e in timeline.events):
        result.tracks.append(audio)
    return result


# ---------------------------------------------------------------------------------------------
# OTIO → imported events


def _frames(time: Any, rate: Fraction) -> int:
    """An OTIO time as whole frames at ``rate`` (halves up), exact when the rates agree."""
    return round_half_up(Fraction(time.value) * rate / rate_from_otio(time.rate))


def _sequence_clock(tl: Any, rate: Fraction | None) -> tuple[Fraction, int, bool]:
    """Sequence rate, start frame and drop-frame labelling of an OTIO timeline."""
    meta = dict(tl.metadata.get(META) or {})
    seq_rate: Fraction | None = None
    if "rate" in meta:
        try:
            seq_rate = Fraction(str(meta["rate"]))
        except (ValueError, ZeroDivisionError):
            raise UsageError(f"timeline {tl.name!r}: bad rate {meta['rate']!r}") from None
    start = tl.global_start_time
    if seq_rate is None and start is not None:
        seq_rate = rate_from_otio(start.rate)
    if seq_rate is None:
        seq_rate = rate
    if seq_rate is None:
        for clip in tl.find_clips():
            seq_rate = rate_from_otio(clip.trimmed_range().duration.rate)
            break
    if seq_rate is None:
        raise UsageError(f"timeline {tl.name!r} has no frame rate (no start time and no clips)")
    start_frames = _frames(start, seq_rate) if start is not None else 0
    if "drop_frame" in meta:
        drop_frame = bool(meta["drop_frame"])
    else:
        fcp_tc = (tl.metadata.get("fcp_xml") or {}).get("timecode") or {}
        drop_frame = str(fcp_tc.get("displayformat", "")).upper() == "DF"
    return seq_rate, start_frames, drop_frame and is_drop_frame_rate(seq_rate)


def _names(clip: Any) -> tuple[str | None, str | None, str | None, bool]:
    """Reel, clip name, file name and source drop-frame labelling, wherever adapters put them."""
    ref = clip.media_reference
    ours = dict(clip.metadata.get(META) or {})
    ref_ours = dict(ref.metadata.get(META) or {}) if ref is not None else {}
    cmx = dict(clip.metadata.get("cmx_3600") or {})
    ref_fcp = dict(ref.metadata.get("fcp_xml") or {}) if ref is not None else {}
    fcp_tc = dict(ref_fcp.get("timecode") or {})
    reel = ours.get("reel") or cmx.get("reel")
    fcp_reel = fcp_tc.get("reel")
    if not reel and fcp_reel:
        reel = fcp_reel.get("name") if hasattr(fcp_reel, "get") else str(fcp_reel)
    file_name = None
    target = getattr(ref, "target_url", None)
    if target:
        file_name = file_name_from_url(str(target))
    for comment in cmx.get("comments") or []:
        text = str(comment)
        if text.upper().startswith("SOURCE FILE:") and not file_name:
            file_name = file_name_from_url(text.split(":", 1)[1].strip())
    if not file_name and ref is not None and ref.name:
        file_name = str(ref.name)
    drop_frame = bool(ref_ours.get("drop_frame", False)) or (
        str(fcp_tc.get("displayformat", "")).upper() == "DF"
    )
    return (str(reel) if reel else None), (clip.name or None), file_name, drop_frame


def _file_path(clip: Any) -> str | None:
    """The media's full URL or path: where a bundle copied it from (``original_url``, kept by
    :func:`rushes.edit.formats.otio_file.write_otioz` with media), its ``target_url``, else an
    EDL adapter's ``SOURCE FILE`` comment."""
    ref = clip.media_reference
    ours = dict(ref.metadata.get(META) or {}) if ref is not None else {}
    if ours.get("original_url"):
        return str(ours["original_url"])
    target = getattr(ref, "target_url", None)
    if target:
        return str(target)
    for comment in dict(clip.metadata.get("cmx_3600") or {}).get("comments") or []:
        text = str(comment)
        if text.upper().startswith("SOURCE FILE:"):
            return text.split(":", 1)[1].strip() or None
    return None


def _is_media(clip: Any) -> bool:
    """A clip of a file (or a file gone offline), not black, bars, a title or a placeholder."""
    if not clip.enabled:
        return False
    kind = (clip.metadata.get(META) or {}).get("kind")
    if kind in {"title", "voiceover"}:
        return False
    return not isinstance(clip.media_reference, otio.schema.GeneratorReference)


def _native_end(
    clip: Any, rate: Fraction, src_in: int, record_len: int, seq_rate: Fraction
) -> int | None:
    """The exact source out frame rushes recorded for ``clip``, while it still describes it.

    A clip at another rate than the sequence lasts its record time in OTIO, a fraction of a
    source frame off its source frames (module docstring); the frames the cut asked for are in
    rushes' metadata. They are used only when the clip still starts at that frame, at that rate,
    and its record length is what those frames conform to: a clip an editor trimmed in another
    tool (whose metadata came along unchanged) is read from its OTIO range instead.
    """
    native: Any = (clip.metadata.get(META) or {}).get("source_range")
    try:
        native_rate = Fraction(str(native["rate"]))
        start, end = int(native["start_frame"]), int(native["end_frame"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if native_rate != rate or start != src_in or end <= start:
        return None
    if conform_frames(end - start, rate, seq_rate) != record_len:
        return None
    return end


def _imported(
    clip: Any, track: str, index: int, record_in: int, record_len: int,
    seq: tuple[Fraction, int, bool],
) -> ImportedEvent:
    seq_rate, seq_start, seq_df = seq
    used = clip.trimmed_range()
    rate = rate_from_otio(used.start_time.rate)
    reel, clip_name, file_name, df = _names(clip)
    file_path = _file_path(clip)
    src_in = _frames(used.start_time, rate)
    src_out = _native_end(clip, rate, src_in, record_len, seq_rate)
    if src_out is None:
        src_out = src_in + _frames(used.duration, rate)
    df = df and is_drop_frame_rate(rate)
    return ImportedEvent(
        index=index,
        track=track,
        rate=rate,
        source_in=Timecode(src_in, rate, df),
        source_out=Timecode(src_out, rate, df),
        record_in=Timecode(seq_start + record_in, seq_rate, seq_df),
        record_out=Timecode(seq_start + record_in + record_len, seq_rate, seq_df),
        reel=reel,
        clip_name=clip_name,
        file_name=file_name,
        file_path=file_path,
    )


def _track_items(track: Any, seq_rate: Fraction) -> Iterator[tuple[Any, int, int]]:
    """(clip, record frame, record frames) of every clip on a track, nested ones included.

    Top-level items advance by their own length snapped to sequence frames (the conform
    rule); clips inside nested compositions take OTIO's own mapping into the track.
    """
    position = 0
    for item in track:
        if isinstance(item, otio.schema.Transition):
            continue
        length = _frames(item.duration(), seq_rate)
        if isinstance(item, otio.schema.Clip):
            yield item, position, length
        elif isinstance(item, otio.core.Composition):
            window_start = _frames(item.trimmed_range().start_time, seq_rate)
            for inner in item.find_clips():
                placed = inner.transformed_time_range(inner.trimmed_range(), item)
                start = _frames(placed.start_time, seq_rate) - window_start
                end = start + _frames(placed.duration, seq_rate)
                start, end = max(start, 0), min(end, length)
                if end > start:
                    yield inner, position + start, end - start
        position += length


def from_otio(tl: Any, rate: Fraction | None = None) -> list[ImportedEvent]:
    """Every media clip of every track of ``tl`` as an event, in track order.

    ``rate`` is the sequence rate to assume when the timeline says none (no start time, no
    rushes metadata). Titles, black, bars, gaps and disabled clips are left out; reel, clip and
    file names come from rushes' metadata, the ``cmx_3600`` reel and comments, the FCP7 file
    element, or the media reference's URL.
    """
    seq = _sequence_clock(tl, rate)
    events: list[ImportedEvent] = []
    counts = {"V": 0, "A": 0}
    for track in tl.tracks:
        kind = getattr(track, "kind", otio.schema.TrackKind.Video)  # a nested stack: picture
        letter = "A" if kind == otio.schema.TrackKind.Audio else "V"
        counts[letter] += 1
        name = track.name or f"{letter}{counts[letter]}"
        # A track may show a window of itself: OTIO's EDL reader keeps the first record
        # timecode as a negative window start instead of a global start time.
        window = _frames(track.source_range.start_time, seq[0]) if track.source_range else 0
        for clip, position, record_len in _track_items(track, seq[0]):
            record_in = position - window
            if _is_media(clip) and record_len > 0 and record_in + record_len > 0:
                events.append(_imported(clip, name, len(events) + 1, record_in, record_len, seq))
    return events
