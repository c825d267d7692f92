"""What an analyzer is: a named, versioned, pure step from one asset to a JSON-able result.

Analyzers never touch the database or know which executor runs them (beets' stages, PySceneDetect's
detectors). Two shapes exist:

* :class:`Analyzer` — ``run(ctx)`` reads the file itself (probe, proxy);
* :class:`FrameAnalyzer` — receives decoded frames through a :class:`FrameSink`; the job runner
  decodes each video once at reduced size and feeds every frame analyzer of that asset, so shot
  detection and thumbnails share one pass.

A result is a JSON-able ``dict``. Times inside it are exact: frame numbers with the rate as a
``"num/den"`` string, or rationals as strings, never floats.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from rushes.config import Settings
from rushes.media.frames import FrameSink, VideoInfo, decode_into

Result = dict[str, Any]


@dataclass(frozen=True)
class AssetView:
    """What an analyzer may know of an asset: identity, kind, a readable path, earlier results."""

    id: str
    kind: str
    format: str
    path: Path
    results: Mapping[str, Result] = field(default_factory=dict)

    @property
    def probe(self) -> Result:
        return self.results.get("probe", {})


@dataclass(frozen=True)
class AnalysisContext:
    """Everything a run gets: the asset, the settings, and a fresh folder for files it writes.

    Files written to ``output_dir`` are moved into the asset's cache atomically when the job
    completes; results name them relative to that folder. ``checkpoint_dir`` survives a killed
    run (it is keyed by analyzer version and parameters and removed once the job completes): a
    long analysis saves finished pieces there, so a retry loses at most the piece in progress.
    """

    asset: AssetView
    settings: Settings
    params: Mapping[str, Any]
    output_dir: Path
    checkpoint_dir: Path | None = None


class Analyzer(ABC):
    """A whole-file analyzer. Subclasses set ``name``, ``version``, ``kinds`` and ``requires``."""

    name: ClassVar[str]
    #: Bump when the output changes meaning or quality: only this analyzer re-runs.
    version: ClassVar[int]
    kinds: ClassVar[frozenset[str]]
    #: Analyzers whose results this one reads (they run first).
    requires: ClassVar[tuple[str, ...]] = ()
    #: Analyzers whose results this one judges: whenever one of them stores a new result for an
    #: asset, this one runs again there (the integrity check reads where the shots pass
    #: stopped, so a shots pass done again must be checked again). A follower may be taken
    #: back while it runs, its result refused: it should write no files of its own.
    follows: ClassVar[tuple[str, ...]] = ()
    #: Where the catalog also files the result for querying (``"transcript"``: segments and the
    #: search index), besides the results table; None for results only read whole.
    stores: ClassVar[str | None] = None
    #: A boolean setting that must be on for this analyzer to be queued automatically (slow or
    #: optional analyses); commands that ask for it explicitly queue it regardless.
    enabled_by: ClassVar[str | None] = None

    def applies(self, asset: AssetView) -> bool:
        """Whether this analyzer has work for the asset (given results of ``requires``)."""
        return asset.kind in self.kinds

    def stale(self, asset: AssetView) -> bool:
        """Whether the asset's current result (in ``asset.results``) must be made again though
        its version and parameters are current: a fix that changes the result of some files
        only, made again for those alone."""
        return False

    def params(self, settings: Settings) -> dict[str, Any]:
        """The settings that change this analyzer's output; a change re-runs it."""
        return {}

    @abstractmethod
    def run(self, ctx: AnalysisContext) -> Result: ...


def params_hash(params: Mapping[str, Any]) -> str:
    """Short stable digest of parameters: part of a job's identity."""
    blob = json.dumps(params, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


class FrameAnalyzer(Analyzer):
    """An analyzer fed decoded frames by the job runner (decode owned by the orchestrator)."""

    #: False when the sink is a :class:`~rushes.media.frames.SeekingSink` that says which frames
    #: it wants (thumbnails): a pass with no analyzer needing every frame seeks to those.
    needs_every_frame: ClassVar[bool] = True

    @abstractmethod
    def open_sink(self, ctx: AnalysisContext, info: VideoInfo) -> FrameSink: ...

    def run(self, ctx: AnalysisContext) -> Result:
        """Run alone (tests, one-off use): a decode pass feeding just this analyzer."""
        return decode_into(
            ctx.asset.path,
            [lambda info: self.open_sink(ctx, info)],
            every_frame=self.needs_every_frame,
            threads=ctx.settings.decode_threads,
        )[0]
