"""Every microphone a file holds, in both ears: the mixdown a proxy and a review copy play.

Documentary sound rarely lives in one stereo pair. A camera records boom and radio mic as
separate mono tracks; a sound recorder writes one polyphonic WAV of eight channels, which
ffmpeg takes for 7.1. A plain stereo downmix (``-ac 2`` on the first stream) hears the first
camera track alone, and drops a poly WAV's fourth channel (the LFE's place) while halving
others: a radio mic silent in the browser and in the review copy. Exports carry every channel
as it is (:mod:`rushes.edit.formats`); what is played is this mixdown.
"""

from __future__ import annotations

import math
from typing import Any

#: The rate streams are brought to before they are merged.
MIX_RATE = 48000

#: The most channels one filter takes (ffmpeg's ``pan``): a stream of more is left out, and
#: streams are mixed only up to this many channels in all.
MIX_CHANNELS = 64
#: How a stream that cannot be played is marked in a layout: no decoder for its codec, or no
#: channels.
SKIP = 0


def playable(layout: tuple[int, ...]) -> list[tuple[int, int]]:
    """``(audio stream index, channels)`` of the streams a mix takes, in file order, up to
    :data:`MIX_CHANNELS` channels in all (``layout``: :func:`mix_layout`)."""
    kept, total = [], 0
    for k, channels in enumerate(layout):
        if channels == SKIP:
            continue
        if total + channels > MIX_CHANNELS:
            break
        kept.append((k, channels))
        total += channels
    return kept


def needs_mixdown(layout: tuple[int, ...]) -> bool:
    """Whether playing one stream as stereo would lose or muffle a microphone: more than one
    stream, or more than two channels (see the module)."""
    kept = playable(layout)
    return len(kept) > 1 or (len(kept) == 1 and kept[0][1] > 2)


def every_channel(i: int, layout: tuple[int, ...], *, pad: bool = False) -> str:
    """The start of an ffmpeg filter chain on input ``i``'s audio (``layout``: the channels of
    each audio stream, :data:`SKIP` for one that cannot be played), ready for the next filter:
    every microphone it holds, in both ears. "" when nothing can be played.

    One stream of one or two channels goes on as it is. Otherwise every channel of every
    stream is summed into both sides, in floating point, each at 1/√n, then held under full
    scale by a limiter: one microphone alone is still heard, and a mixer's L/R mix summed with
    the isolated mics it was made from does not clip. ``pad``: the mix of several streams goes
    on in silence past them all (ffmpeg's ``amix`` stops at its shortest input), so the caller
    must cut the chain's end."""
    kept = playable(layout)
    if not kept:
        return ""
    if not needs_mixdown(layout):
        return f"[{i}:a:{kept[0][0]}]"
    weight = f"{1 / math.sqrt(sum(c for _, c in kept)):.4f}"

    def both_sides(channels: int) -> str:
        terms = "+".join(f"{weight}*c{c}" for c in range(channels))
        return f"aformat=sample_fmts=fltp,pan=stereo|c0={terms}|c1={terms}"

    limit = "alimiter=limit=0.97:attack=1:release=50:level=0:latency=1,"
    if len(kept) == 1:
        k, channels = kept[0]
        return f"[{i}:a:{k}]{both_sides(channels)},{limit}"
    streams = "".join(
        f"[{i}:a:{k}]aresample={MIX_RATE},{both_sides(channels)}[mix{i}_{k}];"
        for k, channels in kept
    )
    inputs = "".join(f"[mix{i}_{k}]" for k, _ in kept)
    if not pad:
        return f"{streams}{inputs}amix=inputs={len(kept)}:normalize=0,{limit}"
    # A silent bed that never ends, first: the mix runs on it to the caller's cut, whichever
    # track ends first (amix stops at its shortest input), even one with nothing left after a
    # seek.
    bed = f"anullsrc=r={MIX_RATE}:cl=stereo[bed{i}];"
    return (f"{bed}{streams}[bed{i}]{inputs}amix=inputs={len(kept) + 1}:duration=first:"
            f"normalize=0,{limit}")


def mix_layout(streams: list[dict[str, Any]], *, codec_key: str = "codec") -> tuple[int, ...]:
    """The layout :func:`every_channel` takes, from a list of streams (the probe summary's, or
    ffprobe's own with ``codec_key="codec_name"``): each audio stream's channels in file
    order, :data:`SKIP` for one whose codec is unknown (ffmpeg has no decoder for it) or that
    has no channels or more than one filter takes. Old probe summaries without a stream list
    give ()."""
    out = []
    for s in streams:
        if (s.get("type") or s.get("codec_type")) != "audio":
            continue
        channels = int(s.get("channels") or 0)
        codec = s.get(codec_key)
        known = s.get("codec_known", codec not in (None, "", "none"))
        out.append(channels if known and 0 < channels <= MIX_CHANNELS else SKIP)
    return tuple(out)


def audio_layout(probe: dict[str, Any]) -> tuple[int, ...]:
    """The channels of each audio stream the probe listed, in file order. A stream whose
    channel count is unknown counts as one."""
    return tuple(
        max(1, int(s.get("channels") or 1))
        for s in probe.get("streams") or ()
        if s.get("type") == "audio"
    )


def mixes_streams(layout: tuple[int, ...]) -> bool:
    """Whether :func:`every_channel` mixes several streams (and so waits on each)."""
    return len(playable(layout)) > 1
