"""The probe analyzer: technical metadata, embedded timecode, camera, date and place.

It runs first because everything else leans on it: the proxy analyzer reads
``browser_playable``, exports read ``start_timecode`` and ``rate``. The work lives in
:mod:`rushes.media.probe`; this module only adapts it to the analyzer interface.
"""

from __future__ import annotations

from typing import ClassVar

from rushes.analyzers.base import AnalysisContext, Analyzer, Result
from rushes.media.probe import probe_media


class ProbeAnalyzer(Analyzer):
    """ffprobe + exiftool summary of one file (see :func:`rushes.media.probe.summarize`)."""

    name: ClassVar[str] = "probe"
    version: ClassVar[int] = 1
    kinds: ClassVar[frozenset[str]] = frozenset({"video", "audio", "image"})
    requires: ClassVar[tuple[str, ...]] = ()

    def run(self, ctx: AnalysisContext) -> Result:
        return probe_media(ctx.asset.path, ctx.asset.kind)


ANALYZER = ProbeAnalyzer()
