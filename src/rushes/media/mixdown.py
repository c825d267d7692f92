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

#: The most channels a review copy mixes from one source (ffmpeg's ``pan`` takes 64).
MIX_CHANNELS = 64


def every_channel(i: int, layout: tuple[int, ...]) -> str:
    """The start of an ffmpeg filter chain on input ``i``'s audio (its streams' channels in
    ``layout``): every microphone it holds, in both ears, ready for the next filter.

    Mono and stereo go on as they are. Otherwise every channel of every stream is summed into
    both sides, each at 1/√n, so that one microphone alone is still heard and several saying
    the same words do not clip."""
    if not needs_mixdown(layout):
        return f"[{i}:a:0]"
    weight = f"{1 / math.sqrt(min(sum(layout), MIX_CHANNELS)):.4f}"

    def both_sides(channels: int) -> str:
        terms = "+".join(f"{weight}*c{c}" for c in range(min(channels, MIX_CHANNELS)))
        return f"pan=stereo|c0={terms}|c1={terms}"

    if len(layout) == 1:
        return f"[{i}:a:0]{both_sides(layout[0])},"
    # Each stream to both sides at one rate, then summed (amix: amerge cannot choose a format
    # for streams of unknown layouts, which cameras write).
    streams = "".join(
        f"[{i}:a:{k}]aresample={MIX_RATE},{both_sides(channels)}[mix{i}_{k}];"
        for k, channels in enumerate(layout)
    )
    inputs = "".join(f"[mix{i}_{k}]" for k in range(len(layout)))
    return f"{streams}{inputs}amix=inputs={len(layout)}:normalize=0,"


def audio_layout(probe: dict[str, Any]) -> tuple[int, ...]:
    """The channels of each audio stream the probe listed, in file order. A stream whose
    channel count is unknown counts as one."""
    return tuple(
        max(1, int(s.get("channels") or 1))
        for s in probe.get("streams") or ()
        if s.get("type") == "audio"
    )


def needs_mixdown(layout: tuple[int, ...]) -> bool:
    """Whether playing the file as stereo loses or muffles a microphone (see the module)."""
    return len(layout) > 1 or (len(layout) == 1 and layout[0] > 2)
