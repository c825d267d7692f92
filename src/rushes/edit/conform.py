"""From a cut's items in the catalog to a :class:`~rushes.edit.timeline.Timeline`.

This is the only place where a paper edit's times are turned into frames: every exporter and
the review render print what this builds. The sequence rate is the cut's own, or (until set)
its first video source's, or the ``sequence_rate`` setting. Rounding rules are in
:mod:`rushes.edit.timeline`; in short, source ranges stay exact at the source's rate and each
record duration is the nearest whole number of sequence frames.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from fractions import Fraction

import sqlalchemy as sa

from rushes.catalog.assets import get_asset, locations_of
from rushes.catalog.cuts import CutRow, ItemRow, items_of
from rushes.catalog.results import result_of
from rushes.catalog.transcripts import TranscriptRow, load_transcript
from rushes.config import Settings
from rushes.domain.timecode import Timecode, is_drop_frame_rate, parse_rate
from rushes.edit.media import MediaInfo, media_info
from rushes.edit.timeline import (
    Event,
    Source,
    Timeline,
    Word,
    conform_frames,
    reel_name,
    round_half_up,
    seconds_to_frames,
)
from rushes.errors import UsageError
from rushes.present import reference_timecode
from rushes.project import Project


@dataclass(frozen=True)
class SequenceClock:
    rate: Fraction
    start: Timecode


def voiceover_seconds(text: str, wpm: int) -> Fraction:
    """A narration placeholder lasts as long as its script takes to read (one second at least)."""
    words = len(text.split())
    return max(Fraction(1), Fraction(words * 60, wpm))


def sequence_clock(
    conn: sa.Connection, cut: CutRow, settings: Settings, items: list[ItemRow] | None = None
) -> SequenceClock:
    """The cut's rate and record start: set on the cut, else its first video's, else the
    ``sequence_rate`` setting (with drop-frame labels when that video's timecode has them).
    ``items``: the cut's items when the caller has read them already."""
    drop_frame = cut.drop_frame
    if cut.rate:
        rate = parse_rate(cut.rate)
    else:
        rate = parse_rate(str(settings.sequence_rate))
        drop_frame = is_drop_frame_rate(rate)
        for item in items if items is not None else items_of(conn, cut):
            if item.asset_id is None or item.kind not in {"clip", "range"}:
                continue
            asset = get_asset(conn, item.asset_id)
            if asset is None or asset.kind != "video":
                continue
            info = media_info(conn, asset)
            if info.rate is not None:
                rate = info.rate
                drop_frame = (
                    info.start.drop_frame if info.start is not None
                    else is_drop_frame_rate(rate)
                )
                break
    try:
        start = Timecode.parse(cut.start_timecode, rate, drop_frame)
    except UsageError as exc:
        raise UsageError(f"cut {cut.name!r}: start timecode {exc}") from None
    return SequenceClock(rate, start)


class _Sources:
    """Each asset's Source once per timeline, with reel names unique within it."""

    def __init__(
        self, conn: sa.Connection, project: Project, rate: Fraction, drop_frame: bool = False
    ) -> None:
        self.conn, self.project, self.rate, self.drop_frame = conn, project, rate, drop_frame
        self.infos: dict[str, MediaInfo] = {}
        self.sources: dict[str, Source] = {}
        self.reels: set[str] = set()
        self.transcripts: dict[str, TranscriptRow | None] = {}

    def transcript(self, asset_id: str) -> TranscriptRow | None:
        """Each asset's transcript read once per timeline, however many of its ranges the cut
        holds."""
        if asset_id not in self.transcripts:
            self.transcripts[asset_id] = load_transcript(self.conn, asset_id)
        return self.transcripts[asset_id]

    def info(self, asset_id: str, where: str) -> MediaInfo:
        if asset_id not in self.infos:
            asset = get_asset(self.conn, asset_id)
            if asset is None:
                raise UsageError(f"{where}: its asset {asset_id[:12]} is no longer catalogued")
            self.infos[asset_id] = media_info(self.conn, asset)
        return self.infos[asset_id]

    def source(self, asset_id: str, where: str) -> Source:
        if asset_id in self.sources:
            return self.sources[asset_id]
        info = self.info(asset_id, where)
        present = [loc for loc in locations_of(self.conn, asset_id) if not loc.missing]
        path = present[0].path if present else (info.asset.path or "")
        rate = info.rate or self.rate
        if info.start is not None:
            start = info.start
        elif info.rate is None and info.reference is not None:
            # A Broadcast WAV starts at its time reference, counted in the cut's frames (and
            # labelled as the cut is), as editing applications read it; rounded down to a frame.
            start = reference_timecode(info.reference, rate, self.drop_frame)
        else:
            start = Timecode(0, rate)
        proxy = None
        proxy_result = result_of(self.conn, asset_id, "proxy")
        if proxy_result and proxy_result.get("file"):
            candidate = self.project.asset_cache(asset_id) / "proxy" / str(proxy_result["file"])
            proxy = str(candidate) if candidate.exists() else None
        source = Source(
            asset_id=asset_id,
            path=path,
            name=os.path.basename(path) or asset_id,
            reel=reel_name(os.path.basename(path) or asset_id, self.reels),
            kind=info.asset.kind,
            rate=rate,
            start=start,
            duration_frames=(
                round_half_up(info.duration * rate) if info.duration is not None else None
            ),
            width=info.width,
            height=info.height,
            has_video=info.has_video,
            has_audio=info.has_audio,
            audio_rate=info.audio_rate,
            audio_channels=info.audio_channels,
            audio_layout=info.audio_layout,
            proxy=proxy,
        )
        self.sources[asset_id] = source
        return source


def _words(row: TranscriptRow | None, start: Fraction, end: Fraction) -> tuple[Word, ...]:
    """The transcript words whose middle lies inside [start, end), in source seconds."""
    if row is None:
        return ()
    lo, hi = int(start * 1_000_000), int(end * 1_000_000)
    out = []
    for seg in row.segments:
        if seg.end_us < lo or seg.start_us > hi:
            continue
        for w in seg.words:
            if lo <= (w.start_us + w.end_us) // 2 < hi:
                out.append(Word(Fraction(w.start_us, 1_000_000), Fraction(w.end_us, 1_000_000),
                                w.text, seg.speaker))
    return tuple(out)


def build_timeline(
    conn: sa.Connection, project: Project, cut: CutRow, settings: Settings,
    *, require_media: bool = False,
) -> Timeline:
    """The cut as a timeline. ``require_media``: every source file must be present (exports and
    renders that point an editor at files), else one line names the item and the file."""
    items = items_of(conn, cut)
    clock = sequence_clock(conn, cut, settings, items)
    sources = _Sources(conn, project, clock.rate, clock.start.drop_frame)
    events: list[Event] = []
    record = 0
    width = height = None
    for item in items:
        where = f"cut {cut.name!r} item {item.position}"
        event = _event(item, where, record, clock.rate, sources, settings)
        if require_media and event.source is not None and not _present(event.source):
            raise UsageError(
                f"{where}: the source file {event.source.path or event.source.asset_id} is "
                "missing (see `rushes relink`)"
            )
        if event.source is not None and event.source.kind == "video" and width is None:
            width, height = event.source.width, event.source.height
        events.append(event)
        record += event.duration
    return Timeline(
        name=cut.name, rate=clock.rate, start=clock.start, events=tuple(events),
        width=width or 1920, height=height or 1080,
    )


def _present(source: Source) -> bool:
    return bool(source.path) and os.path.exists(source.path)


def _event(
    item: ItemRow, where: str, record: int, rate: Fraction, sources: _Sources,
    settings: Settings,
) -> Event:
    # Every event starts as this note and is specialised below (dataclasses.replace keeps the
    # shared fields in one place).
    base = Event(kind="note", record_in=record, duration=0, item_id=item.id,
                 clip_id=item.clip_id, label=item.label or "", text=item.text or "")
    if item.kind in {"clip", "range"}:
        assert item.asset_id is not None and item.start is not None and item.end is not None
        source = sources.source(item.asset_id, where)
        src_in = round_half_up(item.start * source.rate)
        src_out = max(src_in + 1, round_half_up(item.end * source.rate))
        return replace(
            base, kind="clip", duration=conform_frames(src_out - src_in, source.rate, rate),
            source=source, source_in=src_in, source_out=src_out,
            words=_words(sources.transcript(item.asset_id), item.start, item.end),
        )
    if item.kind == "still":
        assert item.asset_id is not None
        source = sources.source(item.asset_id, where)
        frames = seconds_to_frames(item.duration or Fraction(str(settings.still_seconds)), rate)
        return replace(base, kind="still", duration=frames, source=source, source_out=frames)
    if item.kind == "title":
        seconds = item.duration or Fraction(str(settings.title_seconds))
        return replace(base, kind="title", duration=seconds_to_frames(seconds, rate))
    if item.kind == "voiceover":
        seconds = item.duration or voiceover_seconds(item.text or "", settings.voiceover_wpm)
        return replace(base, kind="voiceover", duration=seconds_to_frames(seconds, rate))
    return base
