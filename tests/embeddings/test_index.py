"""The vector index over search_entries: built incrementally, kill-safe, one per model, on
SQLite and PostgreSQL catalogs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from numpy.typing import NDArray

from rushes.catalog import Catalog
from rushes.catalog.assets import add_asset
from rushes.catalog.schema import search_entries
from rushes.embeddings import Embedder, get_embedder
from rushes.embeddings.index import VectorIndex
from rushes.project import Project

ASSET = "b" * 64
OTHER = "c" * 64


class HashEmbedder:
    """Deterministic stand-in: a text's vector is seeded by its hash, so equal texts give equal
    vectors and a query for a stored text finds it with cosine 1. Counts what it embedded."""

    backend = "test"
    name = "hash"
    dim = 16

    def __init__(self, model_id: str = "hash-test-1", fail_after: int | None = None) -> None:
        self.model_id = model_id
        self.embedded: list[str] = []
        self.fail_after = fail_after

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if self.fail_after is not None and len(self.embedded) >= self.fail_after:
            raise KeyboardInterrupt("killed")
        self.embedded.extend(texts)
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
        return np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)


def _add(catalog: Catalog, texts: Sequence[str], asset: str = ASSET) -> list[int]:
    ids = []
    with catalog.write() as conn:
        if conn.execute(sa.text("SELECT count(*) FROM assets WHERE id = :a"), {"a": asset}
                        ).scalar() == 0:
            add_asset(conn, asset, "video", "mp4", 10)
        for i, text in enumerate(texts):
            ids.append(conn.execute(search_entries.insert().values(
                asset_id=asset, source="transcript", ref_id=None, start_us=i * 1_000_000,
                end_us=(i + 1) * 1_000_000, text=text,
            ).returning(search_entries.c.id)).scalar_one())
    return ids


def _texts(n: int, prefix: str = "line") -> list[str]:
    return [f"{prefix} {i}" for i in range(n)]


def test_update_is_incremental_and_survives_a_restart(project: Project, catalog: Catalog) -> None:
    first = _add(catalog, _texts(600))
    emb = HashEmbedder()
    index = VectorIndex(project.cache_dir, emb)
    result = index.update(catalog, batch_size=100)
    assert (result.added, result.removed, result.total) == (600, 0, 600)
    assert index.query("line 123", k=1) == [(first[123], pytest.approx(1.0, abs=1e-3))]
    emb.embedded.clear()

    # Nothing changed: nothing embedded (the aggregate check short-cuts the scan).
    assert index.update(catalog).added == 0 and emb.embedded == []

    second = _add(catalog, _texts(50, "more"))
    assert index.update(catalog).added == 50
    assert emb.embedded == _texts(50, "more")

    # A new process: a new embedder object and index over the same folder.
    emb2 = HashEmbedder()
    reopened = VectorIndex(project.cache_dir, emb2)
    assert len(reopened) == 650
    assert reopened.update(catalog).added == 0 and emb2.embedded == []
    hits = reopened.query("more 7", k=3)
    assert hits[0] == (second[7], pytest.approx(1.0, abs=1e-3))
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_deleted_and_changed_entries_are_retired(project: Project, catalog: Catalog) -> None:
    ids = _add(catalog, _texts(40))
    emb = HashEmbedder()
    index = VectorIndex(project.cache_dir, emb)
    index.update(catalog)
    with catalog.write() as conn:
        conn.execute(search_entries.delete().where(search_entries.c.id.in_(ids[:5])))
        conn.execute(search_entries.update().where(search_entries.c.id == ids[10])
                     .values(text="an edited note"))
    result = index.update(catalog)
    assert (result.added, result.removed, result.total) == (1, 6, 35)
    found = {i for i, _ in index.query("line 0", k=100)}
    assert found == set(ids[5:])
    assert index.query("an edited note", k=1)[0][0] == ids[10]
    # Deleting most entries compacts the files instead of carrying dead rows forever.
    with catalog.write() as conn:
        conn.execute(search_entries.delete().where(search_entries.c.id.in_(ids[5:30])))
    assert index.update(catalog).removed == 25
    assert sorted(i for i, _ in index.query("x", k=100)) == ids[30:]
    vectors = next(index.dir.glob("vectors-*.bf16"))
    assert vectors.stat().st_size == 10 * 16 * 2


def test_allowed_ids_filter_before_ranking(project: Project, catalog: Catalog) -> None:
    ids = _add(catalog, _texts(30))
    others = _add(catalog, _texts(30, "other"), asset=OTHER)
    index = VectorIndex(project.cache_dir, HashEmbedder())
    index.update(catalog)
    hits = index.query("line 3", k=5, allowed_ids=others)
    assert len(hits) == 5 and {i for i, _ in hits} <= set(others)
    assert index.query("line 3", k=5, allowed_ids=[]) == []
    assert index.query("line 3", k=1, allowed_ids=[ids[3], others[0]])[0][0] == ids[3]


def test_a_killed_update_keeps_its_committed_batches(project: Project, catalog: Catalog) -> None:
    _add(catalog, _texts(500))
    dying = HashEmbedder(fail_after=200)
    with pytest.raises(KeyboardInterrupt):
        VectorIndex(project.cache_dir, dying).update(catalog, batch_size=100)
    index = VectorIndex(project.cache_dir, HashEmbedder())
    assert len(index) == 200
    # Debris of a writer killed mid-append and mid-rename: ignored, then cleaned up.
    with next(index.dir.glob("vectors-*.bf16")).open("ab") as fh:
        fh.write(b"\x01" * 1000)
    (index.dir / "manifest.json.tmp999").write_text("{half")
    assert len(index) == 200
    resumed = HashEmbedder()
    assert VectorIndex(project.cache_dir, resumed).update(catalog, batch_size=100).added == 300
    assert resumed.embedded == _texts(500)[200:]
    assert not list(index.dir.glob("*.tmp*"))
    assert next(index.dir.glob("vectors-*.bf16")).stat().st_size == 500 * 16 * 2


def test_a_new_model_builds_its_own_index(project: Project, catalog: Catalog) -> None:
    _add(catalog, _texts(20))
    old = VectorIndex(project.cache_dir, HashEmbedder("hash-test-1"))
    old.update(catalog)
    new_embedder = HashEmbedder("hash-test-2")
    new = VectorIndex(project.cache_dir, new_embedder)
    assert len(new) == 0 and new.dir != old.dir
    assert new.update(catalog).added == 20 and len(new_embedder.embedded) == 20
    assert new.prune_other_models() == ["hash-test-1"]
    assert not old.dir.exists()


def test_empty_catalog(project: Project, catalog: Catalog) -> None:
    index = VectorIndex(project.cache_dir, HashEmbedder())
    assert index.query("anything") == []
    assert index.update(catalog).total == 0
    assert index.query("anything") == []


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    return get_embedder()


def test_semantic_search_with_the_bundled_model(
    tmp_path: Path, project: Project, catalog: Catalog, minilm: Embedder
) -> None:
    ids = _add(catalog, [
        "the harbour crane lifted a container",
        "the children's names were never published",
        "we drove north until the road ran out",
    ])
    index = VectorIndex(project.cache_dir, minilm)
    index.update(catalog)
    hits = index.query("nobody released the kids' names", k=3)
    assert hits[0][0] == ids[1]
    assert hits[0][1] > hits[1][1] + 0.2
