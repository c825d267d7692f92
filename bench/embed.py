"""Semantic search benchmark: sentence embedding throughput and vector index query latency.

Embedding: the built-in NumPy MiniLM forward pass against sentence-transformers on the same
model files (when installed), at 1 and 2 threads, on transcript-like sentences (8–30 words).
Index: exact cosine search over synthetic unit vectors at 100k and 1M entries (384 dims,
bfloat16 on disk), with and without an ``allowed_ids`` filter of 1,000 entries.

    .venv/bin/python bench/embed.py [--sentences 512] [--sizes 100000,1000000]

Wall times on a shared machine vary by tens of per cent between runs; the ratios between rows
of one run are what to read.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rushes.embeddings import Embedder, bundled_model_dir, get_embedder
from rushes.embeddings.index import VectorIndex, _State

_TEXT = (
    "we went back to the house after the funeral and nobody would talk about what happened "
    "that night the police said the records were sealed but the families kept asking for the "
    "names of the children who were taken from the harbour school in nineteen eighty four my "
    "mother kept every letter in a box under the stairs and I only found them years later when "
    "we sold the place I think the council knew all along they just did not want the press"
)
WORDS = _TEXT.split()


def sentences(n: int, seed: int = 7) -> list[str]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        length = int(rng.integers(8, 31))
        out.append(" ".join(WORDS[int(i)] for i in rng.integers(0, len(WORDS), length)))
    return out


def throughput(embed: Callable[[Sequence[str]], Any], texts: list[str]) -> tuple[float, float]:
    """(sentences per wall second, sentences per CPU second) after a warm-up batch."""
    embed(texts[:32])
    wall, cpu = time.perf_counter(), time.process_time()
    embed(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return len(texts) / wall, len(texts) / max(cpu, 1e-9)


def bench_embedders(n: int) -> list[tuple[str, int, float, float]]:
    texts = sentences(n)
    rows: list[tuple[str, int, float, float]] = []
    for threads in (1, 2):
        emb = get_embedder(threads=threads)
        rows.append(("rushes NumPy MiniLM", threads, *throughput(emb.embed, texts)))
    try:
        torch: Any = importlib.import_module("torch")
        importlib.import_module("sentence_transformers")
    except ImportError:
        print("sentence-transformers not installed: its rows are skipped", file=sys.stderr)
        return rows
    st = get_embedder(bundled_model_dir(), threads=1)
    for threads in (1, 2):
        torch.set_num_threads(threads)
        rows.append(("sentence-transformers (torch CPU)", threads, *throughput(st.embed, texts)))
    torch.set_num_threads(1)
    return rows


class _Stored:
    """Stands in for a model when filling an index with synthetic vectors."""

    backend = "bench"
    name = "synthetic"
    model_id = "synthetic-bench"
    dim = 384

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        raise NotImplementedError


def _unit(rng: np.random.Generator, n: int, dim: int) -> NDArray[np.float32]:
    v = rng.standard_normal((n, dim), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v


def bench_index(sizes: list[int], queries: int = 15) -> list[tuple[int, float, float, int]]:
    rows = []
    rng = np.random.default_rng(1)
    stored: Embedder = _Stored()
    with tempfile.TemporaryDirectory(prefix="rushes-bench-") as tmp:
        for size in sizes:
            index = VectorIndex(Path(tmp) / str(size), stored)
            index.dir.mkdir(parents=True)
            state = _State(0, 0, None, 0, None)
            for start in range(0, size, 100_000):
                n = min(100_000, size - start)
                # Filled through the same append the update path uses (fsync and all).
                state = index._append(state, _unit(rng, n, stored.dim),
                                      np.arange(start + 1, start + n + 1, dtype=np.int64),
                                      np.zeros(n, np.uint64))
            qs = _unit(rng, queries + 1, stored.dim)
            index.query_vector(qs[0], 10)  # page the file in, as a running server has it
            full = []
            for q in qs[1:]:
                t = time.perf_counter()
                index.query_vector(q, 10)
                full.append(time.perf_counter() - t)
            allowed = rng.choice(size, 1000, replace=False) + 1
            filtered = []
            for q in qs[1:]:
                t = time.perf_counter()
                index.query_vector(q, 10, allowed_ids=allowed)
                filtered.append(time.perf_counter() - t)
            disk = sum(p.stat().st_size for p in index.dir.iterdir())
            rows.append((size, statistics.median(full) * 1000,
                         statistics.median(filtered) * 1000, disk))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=512)
    parser.add_argument("--sizes", default="100000,1000000")
    args = parser.parse_args()

    emb = get_embedder(threads=1)
    one = []
    for text in sentences(31, seed=3):
        t = time.perf_counter()
        emb.embed([text])
        one.append(time.perf_counter() - t)
    print(f"query embedding (NumPy, 1 thread): median {statistics.median(one[1:]) * 1000:.1f} ms")

    print(f"\n{args.sentences} sentences of 8–30 words\n")
    print("| embedder | threads | sentences/s (wall) | sentences per CPU-s |")
    print("|---|---:|---:|---:|")
    for name, threads, wall, cpu in bench_embedders(args.sentences):
        print(f"| {name} | {threads} | {wall:.0f} | {cpu:.0f} |")

    print("\n| vectors | query ms (all) | query ms (1,000 allowed ids) | on disk MB |")
    print("|---:|---:|---:|---:|")
    for size, full, filtered, disk in bench_index([int(s) for s in args.sizes.split(",")]):
        print(f"| {size:,} | {full:.0f} | {filtered:.1f} | {disk / 1e6:.0f} |")


if __name__ == "__main__":
    main()
