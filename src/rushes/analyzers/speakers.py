"""Speakers analyzer: who speaks when, as voice clusters over the transcript's segments.

It reads the transcript result (segment times) and the file's audio, embeds each segment's
voice (:mod:`rushes.speakers.embed`, resemblyzer) and clusters them per asset
(:mod:`rushes.speakers.cluster`). The result holds per-asset cluster numbers and centroids
only: turning clusters into project speakers (the same person across every rush) needs the
catalog, so that happens when the result is filed (:func:`rushes.catalog.speakers.assign_speakers`).

resemblyzer is optional and imported only when a job runs: without it this analyzer fails
with a readable "how to install" error and everything else works.
"""

from __future__ import annotations

from typing import Any

from rushes.analyzers.base import AnalysisContext, Analyzer, AssetView, Result
from rushes.asr.base import dist_version
from rushes.config import Settings
from rushes.domain import TIMED_KINDS
from rushes.speakers.cluster import CLUSTER_THRESHOLD, centroids, cluster_embeddings


class SpeakersAnalyzer(Analyzer):
    name = "speakers"
    version = 1
    kinds = TIMED_KINDS
    requires = ("transcript",)
    stores = "speakers"
    enabled_by = "speaker_labels"

    def applies(self, asset: AssetView) -> bool:
        transcript = asset.results.get("transcript", {})
        return asset.kind in self.kinds and bool(transcript.get("segments"))

    def params(self, settings: Settings) -> dict[str, Any]:
        from rushes.speakers import embed

        return {
            "package": f"resemblyzer {dist_version('resemblyzer')}",
            "min_seconds": embed.MIN_SECONDS,
            "threshold": CLUSTER_THRESHOLD,
        }

    def run(self, ctx: AnalysisContext) -> Result:
        from rushes.speakers.embed import embed_segments

        segments = [
            (int(s["start_us"]), int(s["end_us"]))
            for s in ctx.asset.results.get("transcript", {}).get("segments", [])
        ]
        vectors = embed_segments(ctx.asset.path, segments)
        labels = cluster_embeddings(vectors, float(ctx.params.get("threshold",
                                                                   CLUSTER_THRESHOLD)))
        return {
            "segments": [
                {"start_us": start, "end_us": end, "cluster": k}
                for (start, end), k in zip(segments, labels, strict=True)
            ],
            "clusters": [
                {"k": k, "centroid": [round(float(x), 6) for x in centroid]}
                for k, centroid in enumerate(centroids(vectors, labels))
            ],
        }


ANALYZER = SpeakersAnalyzer()
