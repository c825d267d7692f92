"""Clustering and project matching on synthetic embeddings: pure NumPy, always run."""

from __future__ import annotations

import sys

import numpy as np
import numpy.typing as npt
import pytest

from rushes.errors import UsageError
from rushes.speakers import cluster
from rushes.speakers.cluster import centroids, cluster_embeddings, match_project

DIM = 256


def _unit(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _blobs(
    n: int, seed: int = 0, spread: float = 0.04
) -> tuple[npt.NDArray[np.float64], list[int], npt.NDArray[np.float64]]:
    """Two Gaussian blobs on the unit sphere, interleaved like turns; (rows, truth, centres)."""
    rng = np.random.default_rng(seed)
    centres = _unit(rng.standard_normal((2, DIM)))
    truth = [int(x) for x in rng.integers(0, 2, n)]
    truth[0], truth[1] = 0, 1
    rows = _unit(centres[truth] + spread * rng.standard_normal((n, DIM)))
    return rows, truth, centres


def test_two_blobs_give_two_clusters_numbered_by_first_appearance() -> None:
    rows, truth, _ = _blobs(60)
    labels = cluster_embeddings(rows)
    assert labels == truth  # blob 0 speaks first, so it is cluster 0


def test_one_voice_stays_one_cluster() -> None:
    rows, _, centres = _blobs(40)
    same = _unit(centres[0] + 0.04 * np.random.default_rng(1).standard_normal((30, DIM)))
    assert set(cluster_embeddings(same)) == {0}
    assert cluster_embeddings(rows[:1]) == [0]
    assert cluster_embeddings(np.zeros((0, DIM))) == []


def test_zero_rows_get_no_label() -> None:
    rows, truth, _ = _blobs(20)
    rows[5] = 0.0
    labels = cluster_embeddings(rows)
    assert labels[5] is None
    assert [k for i, k in enumerate(labels) if i != 5] == [t for i, t in enumerate(truth) if i != 5]


def test_many_rows_cluster_a_sample_and_assign_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster, "MAX_EXACT", 25)
    rows, truth, _ = _blobs(200, seed=3)
    assert cluster_embeddings(rows) == truth


def test_centroids_are_unit_means() -> None:
    rows, truth, centres = _blobs(80, seed=2)
    cents = centroids(rows, truth)
    assert cents.shape == (2, DIM) and cents.dtype == np.float32
    assert np.allclose(np.linalg.norm(cents, axis=1), 1.0, atol=1e-5)
    assert float(cents[0] @ centres[0]) > 0.95 and float(cents[1] @ centres[1]) > 0.95


def test_match_project_reuses_close_and_creates_far() -> None:
    rng = np.random.default_rng(7)
    known_voice, other, new_voice = _unit(rng.standard_normal((3, DIM)))
    known = [(11, known_voice.astype(np.float32)), (12, other.astype(np.float32))]
    close = _unit(known_voice + 0.02 * rng.standard_normal(DIM))
    assert match_project(np.stack([close, new_voice]), known) == [11, None]
    assert match_project(np.stack([new_voice]), []) == [None]
    assert match_project(np.zeros((0, DIM)), known) == []


def test_match_project_is_one_to_one() -> None:
    """Two voices the clustering told apart never become the same person; the closer wins."""
    rng = np.random.default_rng(8)
    voice = _unit(rng.standard_normal(DIM))
    nearer = _unit(voice + 0.01 * rng.standard_normal(DIM))
    farther = _unit(voice + 0.03 * rng.standard_normal(DIM))
    assert match_project(np.stack([farther, nearer]), [(5, voice)]) == [None, 5]


def test_missing_resemblyzer_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from rushes.speakers import embed

    monkeypatch.setitem(sys.modules, "resemblyzer", None)  # import now raises ImportError
    assert not embed.available()
    with pytest.raises(UsageError, match=r"scripts/setup\.sh --speakers"):
        embed._resemblyzer()
