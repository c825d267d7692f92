"""The ``integrity`` analyzer: does a video or audio file's data reach the length it states?

A file can open and probe perfectly and still be incomplete. The common case: a copy cut short
after a "faststart" MP4, whose index (``moov``) sits at the front and still lists every frame, so
ffprobe reports the full duration while the data behind the first third is gone. Catalogued as it
probes, such a file looks healthy until an editor hits the end of its picture. This analyzer says
so, as one readable line against the file, without touching the file or anything else the
catalog holds about it (its probe, shots and thumbnails stay).

A stretch in the middle that will not decode (a bad sector) is skipped by that pass, which goes
on decoding (:mod:`rushes.media.frames`), and listed in its result (``undecodable``): such a file
is reported **damaged** there, with the stretch's times.

It costs no extra decode for a whole file. For video, the shots analyzer's pass already decodes
every frame and records where the last decoded picture ends (``decoded_end``); that is compared
with the probed duration. Only when it falls short is the file read again, packets only (no
decoding, :func:`rushes.media.extent.scan_extent`), to tell the story apart:

* the data itself stops short (all of it, or the video's own stated length is not reached):
  the file is **truncated**;
* the video's data goes on but decoding failed and stopped there: the data is **damaged**;
* neither: a normal file whose audio runs on past the picture (a Matroska file states only the
  longest stream's length), so nothing is wrong.

Audio files have no decode pass to lean on; their packets are read (cheap beside video). A WAV
cut short probes as a shorter file (FFmpeg sizes it by its bytes), so its header's promised
length is read too (:mod:`rushes.media.wav_header`): a sound recorder's take cut in a copy is
found like a camera's.

Only formats that state their length up front are judged (see
:data:`rushes.media.extent.STATED_LENGTH_FORMATS`): where the length is computed from the data
(MPEG-TS) or guessed from the bit rate (raw AAC, MP3 without a Xing header), a shortfall means
nothing; a damaged stretch inside such a video is still found by the decode pass (frames
missing between two that came out). Normal files end within a frame or an audio packet
(20–40 ms) of their stated length, so a shortfall under :data:`SHORTFALL` is never reported.

A damaged file fails this job with a :class:`~rushes.errors.MediaError`: that is how an analysis
finding reaches ``rushes status`` (and its ``errors``), the web app's jobs page and the report,
one line with the file's path, while every other analyzer's result is kept. ``rushes retry``
checks again (a re-copied file is new content, so a new asset, checked on its own).
"""

from __future__ import annotations

from fractions import Fraction
from typing import ClassVar

from rushes.analyzers.base import AnalysisContext, Analyzer, AssetView, Result
from rushes.domain import TIMED_KINDS
from rushes.errors import MediaError
from rushes.media.extent import Extent, scan_extent, states_its_length
from rushes.media.probe import format_rational, parse_rational
from rushes.media.wav_header import wav_length
from rushes.transcripts.model import format_clock

#: How far short of its stated length a file may end and still count as whole: well above the
#: frame or audio packet normal files differ by, well below any copy cut short in transfer.
SHORTFALL = Fraction(1, 2)


def clock(t: Fraction) -> str:
    """``HH:MM:SS.mmm``, as a person reads a time in a clip (and as the CLI accepts one)."""
    return format_clock(max(Fraction(0), t))


def decoded_end(shots: Result) -> Fraction | None:
    """Where the shots pass's last decoded picture ends. Results made before it recorded that
    (``decoded_end``) give it as their frame count at their rate: close enough to decide whether
    to look closer, and judging is left to the packets."""
    end = parse_rational(shots.get("decoded_end"))
    if end is not None:
        return end
    rate = parse_rational(shots.get("rate"))
    count = shots.get("frame_count")
    if rate is None or not isinstance(count, int) or count <= 0:
        return None
    return count / rate


def damaged_stretches(shots: Result, stated: Fraction | None) -> str | None:
    """The one-line problem with a video whose decode skipped stretches it could not decode
    (the shots pass's ``undecodable``), or None. Any stretch counts: a single bad packet is a
    flaw an archivist wants to know of before the editor finds it."""
    stretches = [
        (parse_rational(a) or Fraction(0), parse_rational(b) or Fraction(0))
        for a, b in shots.get("undecodable") or ()
    ]
    if not stretches:
        return None
    (first, end), more = stretches[0], len(stretches) - 1
    where = f"from {clock(first)} to {clock(end)}"
    if more:
        where += f" and in {more} more stretch{'es' if more > 1 else ''} up to " \
                 f"{clock(max(b for _, b in stretches))}"
    of = f" of {clock(stated)}" if stated is not None else ""
    return f"does not decode {where}{of} (damaged: skipped there, the rest decodes)"


def judge(kind: str, stated: Fraction, decoded: Fraction | None, extent: Extent) -> str | None:
    """The one-line problem with a file of ``kind`` stating ``stated`` seconds, whose pictures
    decode to ``decoded`` (video) and whose packets reach ``extent``; None when it is whole."""
    if kind == "video":
        data = extent.video
        # Without the video stream's own stated length, the stated one is the longest stream's,
        # and audio running on past the picture is normal: the data as a whole must reach it.
        need, have = (stated, extent.end) if extent.video_stated is None else (
            extent.video_stated, data
        )
        if have is not None and have < need - SHORTFALL:
            reached = decoded if decoded is not None else have
            return (
                f"decodes only to {clock(reached)} of {clock(stated)} "
                "(truncated: the data ends there)"
            )
        if decoded is not None and data is not None and data - decoded > SHORTFALL:
            return (
                f"decodes only to {clock(decoded)} of {clock(stated)} "
                f"(damaged: decoding fails there, though the data goes on to {clock(data)})"
            )
        return None
    have = extent.audio if extent.audio is not None else extent.end
    if have is not None and have < stated - SHORTFALL:
        return f"data ends at {clock(have)} of {clock(stated)} (truncated)"
    return None


class IntegrityAnalyzer(Analyzer):
    """Whether a video's or an audio file's data reaches its probed duration (see the module)."""

    name: ClassVar[str] = "integrity"
    #: 2: WAV headers are read (a catalogued WAV cut short is checked again and found).
    version: ClassVar[int] = 2
    kinds: ClassVar[frozenset[str]] = TIMED_KINDS
    requires: ClassVar[tuple[str, ...]] = ("probe",)
    follows: ClassVar[tuple[str, ...]] = ("shots",)

    def applies(self, asset: AssetView) -> bool:
        """Video waits for the shots pass (it reads where that decode ended); a video whose
        shots failed already has its decode error recorded, and is not judged again."""
        if asset.kind not in self.kinds:
            return False
        return asset.kind != "video" or "shots" in asset.results

    def run(self, ctx: AnalysisContext) -> Result:
        asset = ctx.asset
        probe = asset.probe
        stated = parse_rational(probe.get("duration"))
        container = probe.get("container")
        if asset.kind == "video":
            damage = damaged_stretches(asset.results.get("shots", {}), stated)
            if damage is not None:
                raise MediaError(damage)
        if stated is None or not states_its_length(container):
            return {"checked": False, "stated": format_rational(stated) if stated else None,
                    "reached": None}
        if asset.kind == "audio" and "wav" in str(container).split(","):
            promised = wav_length(asset.path)
            if promised is not None:
                problem = judge("audio", promised.stated, None, Extent(None, promised.present))
                if problem is not None:
                    raise MediaError(problem)
        decoded = decoded_end(asset.results.get("shots", {})) if asset.kind == "video" else None
        if decoded is not None and decoded >= stated - SHORTFALL:
            return {"checked": True, "stated": format_rational(stated),
                    "reached": format_rational(decoded)}
        extent = scan_extent(asset.path)
        problem = judge(asset.kind, stated, decoded, extent)
        if problem is not None:
            raise MediaError(problem)
        reached = decoded if decoded is not None else extent.end
        return {
            "checked": True,
            "stated": format_rational(stated),
            "reached": format_rational(reached) if reached is not None else None,
        }


ANALYZER = IntegrityAnalyzer()
