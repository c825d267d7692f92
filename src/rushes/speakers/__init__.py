"""Who speaks when: voice embeddings per transcript segment, clustered per asset and matched
across the project so that naming a voice once names it everywhere.

:mod:`rushes.speakers.cluster` is plain NumPy and always importable; :mod:`rushes.speakers.embed`
needs the optional ``resemblyzer`` package (``scripts/setup.sh --speakers``) and imports it only
when called, so the rest of rushes works without it.
"""

from __future__ import annotations

from rushes.speakers.cluster import (
    CLUSTER_THRESHOLD,
    MATCH_THRESHOLD,
    centroids,
    cluster_embeddings,
    match_project,
)

__all__ = [
    "CLUSTER_THRESHOLD",
    "MATCH_THRESHOLD",
    "centroids",
    "cluster_embeddings",
    "match_project",
]
