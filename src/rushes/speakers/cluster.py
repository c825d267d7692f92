"""Grouping one asset's segment embeddings into voices, and matching voices across the project.

Plain NumPy on purpose: it must run (and be tested) where the embedding model is not installed,
and the sizes are small (one row per transcript segment).

* **Agglomerative, average linkage, cosine distance with a threshold** rather than k-means or
  spectral clustering: the number of speakers in a rush is unknown (one narrator, an interview
  of two, a crowded kitchen), and a distance threshold decides it without being told. Average
  linkage resists the chaining that single linkage suffers between similar voices.
* **Bounded work**: above :data:`MAX_EXACT` embeddings, an evenly spaced sample is clustered
  and the rest join the nearest centroid, so a three-hour interview costs what a long one does.
* **Project matching is one-to-one**: two voices the clustering told apart in one asset never
  collapse onto the same known speaker, and a voice matches a known one only above
  :data:`MATCH_THRESHOLD` cosine similarity; otherwise it becomes a new speaker.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.floating]

#: Average-linkage clusters merge while their mean cosine distance is below this.
CLUSTER_THRESHOLD = 0.35
#: A cluster is the same voice as a known project speaker at or above this cosine similarity.
MATCH_THRESHOLD = 0.8
#: Above this many embeddings, cluster a sample and assign the rest to the nearest centroid
#: (the distance matrix is n² floats).
MAX_EXACT = 2000


def _unit(vectors: FloatArray) -> npt.NDArray[np.float64]:
    """Rows scaled to unit length (zero rows stay zero)."""
    array = np.asarray(vectors, dtype=np.float64)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    out = np.zeros_like(array)
    np.divide(array, norms, out=out, where=norms > 0)
    return out


def _agglomerate(unit: npt.NDArray[np.float64], threshold: float) -> npt.NDArray[np.int64]:
    """Average-linkage agglomerative clustering of unit rows; raw cluster ids per row.

    Keeps each row's nearest active neighbour so a merge costs O(n) vector work instead of a
    search of the whole matrix.
    """
    n = len(unit)
    labels = np.arange(n, dtype=np.int64)
    if n < 2:
        return labels
    dist = np.clip(1.0 - unit @ unit.T, 0.0, 2.0)
    np.fill_diagonal(dist, np.inf)
    size = np.ones(n)
    active = np.ones(n, dtype=bool)
    nearest = np.argmin(dist, axis=1)
    nearest_d = dist[np.arange(n), nearest]
    while True:
        i = int(np.argmin(np.where(active, nearest_d, np.inf)))
        if not active[i] or nearest_d[i] >= threshold:
            break
        j = int(nearest[i])
        # Lance–Williams update for average linkage: merge j into i.
        merged = (size[i] * dist[i] + size[j] * dist[j]) / (size[i] + size[j])
        merged[i] = np.inf
        dist[i], dist[:, i] = merged, merged
        dist[j], dist[:, j] = np.inf, np.inf
        size[i] += size[j]
        active[j] = False
        nearest_d[j] = np.inf
        labels[labels == j] = i
        # Rows whose nearest was i or j must look again; others may now prefer i.
        stale = active & ((nearest == i) | (nearest == j))
        stale[i] = True
        for k in np.flatnonzero(stale):
            nearest[k] = int(np.argmin(dist[k]))
            nearest_d[k] = dist[k, nearest[k]]
        closer = active & (dist[:, i] < nearest_d)
        nearest[closer] = i
        nearest_d[closer] = dist[closer, i]
    return labels


def cluster_embeddings(
    embeddings: FloatArray, threshold: float = CLUSTER_THRESHOLD
) -> list[int | None]:
    """A voice label per row of ``embeddings``: 0, 1, … numbered by first appearance (rows are
    in time order), or None for zero rows (segments that were not embedded)."""
    unit = _unit(embeddings)
    valid = np.flatnonzero(np.linalg.norm(unit, axis=1) > 0)
    out: list[int | None] = [None] * len(unit)
    if len(valid) == 0:
        return out
    if len(valid) <= MAX_EXACT:
        raw = _agglomerate(unit[valid], threshold)
    else:
        sample = np.linspace(0, len(valid) - 1, MAX_EXACT).round().astype(np.int64)
        sample_raw = _agglomerate(unit[valid][sample], threshold)
        keys = np.unique(sample_raw)
        cents = _unit(np.stack([unit[valid][sample][sample_raw == k].mean(axis=0)
                                for k in keys]))
        raw = keys[np.argmax(unit[valid] @ cents.T, axis=1)]
    renumber: dict[int, int] = {}
    for row, key in zip(valid, raw, strict=True):
        out[int(row)] = renumber.setdefault(int(key), len(renumber))
    return out


def centroids(embeddings: FloatArray, labels: Sequence[int | None]) -> npt.NDArray[np.float32]:
    """Unit-length mean embedding of each label 0…K-1 (shape K × dim)."""
    unit = _unit(embeddings)
    count = 1 + max((k for k in labels if k is not None), default=-1)
    out = np.zeros((count, unit.shape[1]), dtype=np.float64)
    for row, k in enumerate(labels):
        if k is not None:
            out[k] += unit[row]
    return _unit(out).astype(np.float32)


def match_project(
    cluster_centroids: FloatArray,
    known_speakers: Sequence[tuple[int, FloatArray]],
    threshold: float = MATCH_THRESHOLD,
) -> list[int | None]:
    """For each centroid, the id of the known speaker (``(id, embedding)`` pairs) with the same
    voice, or None where it is a new voice the caller should create.

    Greedy one-to-one by similarity, best pair first: two voices of one asset never map to the
    same person, and among several candidates the closest wins.
    """
    cents = _unit(cluster_centroids) if len(cluster_centroids) else np.zeros((0, 0))
    out: list[int | None] = [None] * len(cents)
    if len(cents) == 0 or not known_speakers:
        return out
    ids = [speaker_id for speaker_id, _ in known_speakers]
    known = _unit(np.stack([np.asarray(e, dtype=np.float64).ravel() for _, e in known_speakers]))
    if known.shape[1] != cents.shape[1]:
        return out  # embeddings from another model: nothing is comparable
    similarity = cents @ known.T
    for flat in np.argsort(-similarity, axis=None, kind="stable"):
        c, s = divmod(int(flat), similarity.shape[1])
        if similarity[c, s] < threshold:
            break
        if out[c] is None and ids[s] not in out:
            out[c] = ids[s]
    return out
