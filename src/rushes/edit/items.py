"""Reading what people type to name a piece of media: clip ids, ``ASSET@IN-OUT`` ranges,
stills, and clips found by their transcript words."""

from __future__ import annotations

import math
import re
import unicodedata
from fractions import Fraction

import sqlalchemy as sa

from rushes.catalog.assets import AssetRow, resolve_asset
from rushes.catalog.clips import find_clip
from rushes.catalog.cuts import NewItem
from rushes.catalog.transcripts import load_transcript
from rushes.domain import TIMED_KINDS
from rushes.domain.timecode import check_duration
from rushes.edit.media import MediaInfo, media_info
from rushes.errors import UsageError

_CLIP_RE = re.compile(r"^(?:clip:)?(\d+)$", re.IGNORECASE)


def parse_range(info: MediaInfo, text: str, where: str) -> tuple[Fraction, Fraction]:
    """``IN-OUT`` against the asset's clock; both ends snapped to frames and checked."""
    if "-" not in text:
        raise UsageError(f"{where}: {text!r} is not a range (expected IN-OUT, e.g. 12.5-20)")
    a, b = text.split("-", 1)
    return parse_bounds(info, a, b, where)


def parse_bounds(
    info: MediaInfo, in_text: str, out_text: str, where: str
) -> tuple[Fraction, Fraction]:
    """An in and an out point given apart (``--in``/``--out``), read and checked as a range."""
    start = info.snap(info.parse(in_text, "in point"))
    end = info.snap(info.parse(out_text, "out point"))
    info.check_range(start, end, where)
    return start, end


def parse_item(conn: sa.Connection, text: str, timecode_rate: Fraction | None = None) -> NewItem:
    """One ITEM of ``rushes cut add`` / ``rushes bin add``.

    ``12`` or ``clip:12`` is a clip; ``ASSET@IN-OUT`` a range of an asset (for an image,
    ``IMG@5`` or ``IMG@0-5`` holds it five seconds); a bare ASSET is a whole video or audio
    file, or an image held for the ``still_seconds`` setting. ``timecode_rate``: the cut's
    rate, at which a Broadcast WAV's timecodes are read (25 when the cut has none yet).
    """
    text = text.strip()
    m = _CLIP_RE.match(text)
    if m:
        clip = find_clip(conn, int(m.group(1)))
        if clip is not None:
            return NewItem("clip", clip_id=clip.id, asset_id=clip.asset_id, start=clip.start,
                           end=clip.end, label=clip.label)
        if text.lower().startswith("clip:"):
            raise UsageError(f"no clip {m.group(1)} in this project (see `rushes clip ls`)")
    asset, rng = _asset_and_range(conn, text)
    info = media_info(conn, asset, timecode_rate)
    where = f"item {text!r}"
    if asset.kind == "image":
        if not rng:
            return NewItem("still", asset_id=asset.id)
        if "-" in rng:
            a, b = (info.parse(x, "time") for x in rng.split("-", 1))
            seconds = b - a
        else:
            seconds = info.parse(rng, "duration")
        try:
            check_duration(seconds, rng)
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}") from None
        return NewItem("still", asset_id=asset.id, duration=seconds)
    if asset.kind not in TIMED_KINDS:
        raise UsageError(f"{where}: {asset.path} is {asset.kind}; only video, audio and images "
                         "go into a cut")
    if not rng:
        if info.duration is None:
            raise UsageError(f"{where}: the length of {asset.path} is unknown; give IN-OUT")
        return NewItem("range", asset_id=asset.id, start=Fraction(0), end=info.snap(info.duration))
    start, end = parse_range(info, rng, where)
    return NewItem("range", asset_id=asset.id, start=start, end=end)


def _asset_and_range(conn: sa.Connection, text: str) -> tuple[AssetRow, str]:
    """``ASSET@RANGE`` split at its last '@'; a file name may hold an '@' itself
    (``take@2.mov``), so when the part before it names no asset, the whole text is tried."""
    if "@" not in text:
        return resolve_asset(conn, text), ""
    ref, _, rng = text.rpartition("@")
    try:
        return resolve_asset(conn, ref), rng
    except UsageError as first:
        try:
            return resolve_asset(conn, text), ""
        except UsageError:
            raise first from None


def _fold(text: str) -> str:
    """Case-, accent- and punctuation-blind form for matching typed words to transcript words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def find_words(
    conn: sa.Connection, asset: AssetRow, phrase: str, occurrence: int = 1
) -> tuple[Fraction, Fraction]:
    """Start of the first and end of the last transcript word of ``phrase`` (its Nth use).

    Words are matched on their folded letters joined together, so punctuation, case, spacing
    and unsegmented scripts (Chinese words stored as single characters) all match."""
    row = load_transcript(conn, asset.id)
    if row is None:
        raise UsageError(f"{asset.path} has no transcript; run `rushes transcribe` first")
    target = _fold(phrase)
    if not target:
        raise UsageError("--text needs some words")
    joined = []
    owner: list[tuple[int, int]] = []
    for seg in row.segments:
        for w in seg.words:
            folded = _fold(w.text)
            joined.append(folded)
            owner.extend([(w.start_us, w.end_us)] * len(folded))
    haystack = "".join(joined)
    at = -1
    for _ in range(occurrence):
        at = haystack.find(target, at + 1)
        if at < 0:
            break
    if at < 0:
        raise UsageError(f"the words {phrase!r} are not in the transcript of {asset.path}")
    first, last = owner[at], owner[at + len(target) - 1]
    return Fraction(first[0], 1_000_000), Fraction(last[1], 1_000_000)


def clip_range_for_text(
    conn: sa.Connection, asset: AssetRow, phrase: str, handles: Fraction, occurrence: int = 1
) -> tuple[Fraction, Fraction]:
    """The clip around spoken words, with handles, kept inside the media and on frames."""
    info = media_info(conn, asset)
    start, end = find_words(conn, asset, phrase, occurrence)
    start = max(Fraction(0), start - handles)
    end = end + handles
    if info.duration is not None:
        end = min(end, info.duration)
    if info.rate is not None:
        # Outward to whole frames, so the handles never cut into the words.
        start = Fraction(math.floor(start * info.rate)) / info.rate
        end = max(Fraction(math.ceil(end * info.rate)) / info.rate, start + 1 / info.rate)
    return start, end
