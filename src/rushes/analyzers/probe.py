"""The probe analyzer: technical metadata, embedded timecode, camera, date and place.

It runs first because everything else leans on it: the proxy analyzer reads
``browser_playable``, exports read ``start_timecode`` and ``rate`` (and, for a Broadcast WAV,
``start_seconds``: its ``bext`` time reference, exact). The work lives in
:mod:`rushes.media.probe`; this module only adapts it to the analyzer interface.
"""

from __future__ import annotations

from typing import ClassVar

from rushes.analyzers.base import AnalysisContext, Analyzer, Result
from rushes.media.probe import probe_media


class ProbeAnalyzer(Analyzer):
    """ffprobe + exiftool summary of one file (see :func:`rushes.media.probe.summarize`)."""

    name: ClassVar[str] = "probe"
    #: 2: ``time_reference``/``start_seconds`` (BWF). The bump re-probes catalogued files so a
    #: sound recorder's WAVs gain their start; a result without the keys reads as no reference.
    #: 3: ``timecode_rate`` and ``drop_frame`` from a recorder's iXML, so its WAVs are labelled
    #: at the rate the recorder and the slate counted.
    #: 4: ``title``, ``description`` and ``keywords``, the file's own words, filed as its
    #: ``metadata`` search entry (with the sound report): catalogued files become findable by
    #: their captions.
    version: ClassVar[int] = 4
    kinds: ClassVar[frozenset[str]] = frozenset({"video", "audio", "image"})
    requires: ClassVar[tuple[str, ...]] = ()
    stores: ClassVar[str | None] = "probe"

    def run(self, ctx: AnalysisContext) -> Result:
        return probe_media(ctx.asset.path, ctx.asset.kind)


ANALYZER = ProbeAnalyzer()
