"""The vector index: one embedding per ``search_entries`` row, searched by brute-force cosine.

Why brute force in NumPy: the standard sqlite3 module here cannot load extensions (no
sqlite-vec), pgvector is not on every PostgreSQL server, and an exact scan over 16-bit vectors is
fast enough for an archive (bench/embed.py measures 100k and 1M vectors). Exact search also means
no recall to tune and nothing to retrain as the archive grows.

Vectors are stored as bfloat16 (the top 16 bits of each float32, rounded): half the disk and page
cache of float32, and widening back is one integer shift, which NumPy vectorises. IEEE float16
would be more precise but NumPy converts it element by element: measured 1.8 s per query over 1M
vectors against 0.3 s for bfloat16. Scores carry an error below 1e-3, far under the gaps that
decide a ranking.

On disk, under ``<project>/.rushes/cache/vectors/<model_id>/`` (one folder per model, so
changing the model builds a fresh index and never mixes vectors of two models)::

    manifest.json          the commit record: generation, committed row count, tombstone file
    vectors-<gen>.bf16     rows × dim bfloat16 (as uint16), raw, appended in place
    ids-<gen>.i64          the search_entries id of each row
    hashes-<gen>.u64       a 64-bit fingerprint of the text each row was computed from
    dead-<gen>-<n>.npy     row numbers whose entry was deleted or whose text changed

Kill-safety: data files only grow by appends past the committed row count, and ``manifest.json``
(written to a temporary file, fsynced, renamed) is the single commit point. A process killed
mid-append leaves bytes beyond the committed count, which the next writer truncates; readers map
only committed rows. Tombstone files and compacted generations get new names, so a reader that
read the previous manifest still finds consistent files (or retries once if they were removed).

Incremental: ``update`` embeds only entries whose id is new or whose text fingerprint changed,
in batches, committing after each, so an interrupted build resumes where it stopped. A cheap
aggregate query (count, max id, total text length) skips the scan when nothing changed.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray

from rushes.catalog import Catalog
from rushes.catalog.schema import search_entries
from rushes.embeddings import Embedder, blas_threads

FORMAT = 1
#: Entries embedded and committed together: large enough that the fsync and manifest write are
#: noise (~1 s of embedding), small enough that a kill loses little work.
BATCH = 256
#: Rows scored per step of a query: bounds the float32 working copy (12 MB at 384 dims)
#: whatever the archive's size; small enough to stay in cache between widening and the product.
QUERY_CHUNK = 8192
#: Compact (rewrite without dead rows) once this share of rows is dead.
COMPACT_SHARE = 0.25

IdArray = NDArray[np.int64]


@dataclass(frozen=True)
class IndexUpdate:
    """What one :meth:`VectorIndex.update` did."""

    added: int
    removed: int
    total: int


@dataclass(frozen=True)
class _State:
    generation: int
    rows: int
    dead_file: str | None
    dead_serial: int
    check: list[int] | None

    def files(self, directory: Path) -> tuple[Path, Path, Path]:
        g = self.generation
        return (directory / f"vectors-{g}.bf16", directory / f"ids-{g}.i64",
                directory / f"hashes-{g}.u64")


def text_fingerprint(text: str) -> int:
    """64 bits of BLAKE2b: tells whether an entry's text changed since it was embedded (SQLite
    reuses the ids of deleted rows, so an id alone does not identify a text)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


class VectorIndex:
    """Embeddings of the catalog's ``search_entries`` for one model, on disk in the project
    cache. Build or refresh with :meth:`update`; search with :meth:`query`."""

    def __init__(self, cache_dir: Path, embedder: Embedder, threads: int = 1) -> None:
        self.embedder = embedder
        #: BLAS threads for scoring. One on purpose: on a busy 2-core machine a 1M-vector scan
        #: measured 0.4 s with one OpenBLAS thread and 1.7 s with its default two.
        self.threads = threads
        self.dim = embedder.dim
        self.dir = cache_dir / "vectors" / embedder.model_id

    # -- reading -----------------------------------------------------------------------------

    def _state(self) -> _State:
        try:
            data = json.loads((self.dir / "manifest.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return _State(0, 0, None, 0, None)
        if data.get("format") != FORMAT or data.get("dim") != self.dim:
            # Written by another version of this code: treat as empty; update() starts over.
            return _State(-1, 0, None, 0, None)
        return _State(int(data["generation"]), int(data["rows"]), data.get("dead"),
                      int(data.get("dead_serial", 0)), data.get("check"))

    def _arrays(self, state: _State) -> tuple[NDArray[np.uint16], IdArray, NDArray[np.bool_]]:
        """Memory-maps of the committed rows (no copy: memory stays flat as the index grows)."""
        if state.rows == 0 or state.generation < 0:
            return (np.zeros((0, self.dim), np.uint16), np.zeros(0, np.int64),
                    np.zeros(0, np.bool_))
        vec_path, ids_path, _ = state.files(self.dir)
        vectors = np.memmap(vec_path, np.uint16, "r", shape=(state.rows, self.dim))
        ids = np.memmap(ids_path, np.int64, "r", shape=(state.rows,))
        live = np.ones(state.rows, np.bool_)
        if state.dead_file:
            dead = np.load(self.dir / state.dead_file)
            live[dead[dead < state.rows]] = False
        return vectors, ids, live

    def __len__(self) -> int:
        _, _, live = self._arrays(self._state())
        return int(live.sum())

    def query(
        self, text: str, k: int = 10, allowed_ids: Sequence[int] | IdArray | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` entries most similar in meaning to ``text``: ``(entry_id, cosine)``, best
        first. ``allowed_ids`` restricts the search (to one asset's entries, a source, the hits
        of a filter) before ranking, so a filter never empties the top k."""
        vector = self.embedder.embed([text])[0]
        return self.query_vector(vector, k, allowed_ids)

    def query_vector(
        self, vector: NDArray[np.float32], k: int = 10,
        allowed_ids: Sequence[int] | IdArray | None = None,
    ) -> list[tuple[int, float]]:
        """:meth:`query` for a vector already computed (unit length, ``dim`` long)."""
        with blas_threads(self.threads):
            return self._query_vector(vector, k, allowed_ids)

    def _query_vector(
        self, vector: NDArray[np.float32], k: int, allowed_ids: Sequence[int] | IdArray | None,
    ) -> list[tuple[int, float]]:
        for attempt in range(2):
            try:
                vectors, ids, live = self._arrays(self._state())
                break
            except FileNotFoundError:
                # A compaction removed the generation named by the manifest just read.
                if attempt:
                    raise
        if k <= 0 or len(ids) == 0:
            return []
        q = np.asarray(vector, dtype=np.float32).reshape(self.dim)
        if allowed_ids is not None:
            allowed = np.asarray(allowed_ids, dtype=np.int64)
            rows = np.flatnonzero(live & np.isin(ids, allowed))
            if len(rows) == 0:
                return []
            scores = _widen(np.asarray(vectors[rows])) @ q
        else:
            rows = None
            scores = np.empty(len(ids), np.float32)
            work = np.empty((min(QUERY_CHUNK, len(ids)), self.dim), np.uint32)
            for start in range(0, len(ids), QUERY_CHUNK):
                block = vectors[start:start + QUERY_CHUNK]
                scores[start:start + len(block)] = _widen(block, work[:len(block)]) @ q
            scores[~live] = -np.inf
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        picked = top if rows is None else rows[top]
        return [(int(ids[r]), float(scores[t]))
                for r, t in zip(picked, top, strict=True) if np.isfinite(scores[t])]

    # -- writing -----------------------------------------------------------------------------

    def update(
        self, catalog: Catalog, batch_size: int = BATCH,
        progress: Callable[[int, int], None] | None = None,
    ) -> IndexUpdate:
        """Embed the ``search_entries`` rows not yet in the index (new ids, or changed text) and
        retire rows whose entry is gone. Safe to kill at any moment and to run from several
        processes (writers take a lock; readers never wait). ``progress(done, todo)`` is called
        after each committed batch."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with _locked(self.dir / "lock"):
            return self._update(catalog, batch_size, progress)

    def _update(
        self, catalog: Catalog, batch_size: int, progress: Callable[[int, int], None] | None,
    ) -> IndexUpdate:
        state = self._state()
        if state.generation < 0:
            self._reset()
            state = _State(0, 0, None, 0, None)
        self._truncate_to(state)
        self._remove_strays(state)
        check = _catalog_check(catalog)
        if state.check == check:
            return IndexUpdate(0, 0, len(self))

        cat_ids, cat_hashes = self._catalog_fingerprints(catalog)
        _, stored_ids, live = self._arrays(state)
        stored_hashes = self._stored_hashes(state)
        keep = live.copy()
        if len(stored_ids):
            pos = np.minimum(np.searchsorted(cat_ids, stored_ids), max(len(cat_ids) - 1, 0))
            if len(cat_ids):
                keep &= (cat_ids[pos] == stored_ids) & (cat_hashes[pos] == stored_hashes)
            else:
                keep[:] = False
        removed = int((live & ~keep).sum())
        todo = cat_ids[~np.isin(cat_ids, np.asarray(stored_ids)[keep])]
        del stored_ids, stored_hashes
        if removed:
            state = self._write_dead(state, np.flatnonzero(~keep))
            if (state.rows - int(keep.sum())) > COMPACT_SHARE * state.rows:
                state = self._compact(state, keep)

        added = 0
        for start in range(0, len(todo), batch_size):
            chunk = todo[start:start + batch_size]
            with catalog.read() as conn:
                rows = conn.execute(
                    sa.select(search_entries.c.id, search_entries.c.text)
                    .where(search_entries.c.id.in_([int(i) for i in chunk]))
                    .order_by(search_entries.c.id)
                ).all()
            if rows:
                vectors = self.embedder.embed([r.text for r in rows])
                state = self._append(
                    state, vectors, np.array([r.id for r in rows], np.int64),
                    np.array([text_fingerprint(r.text) for r in rows], np.uint64),
                )
                added += len(rows)
            if progress is not None:
                progress(min(start + batch_size, len(todo)), len(todo))
        # Recorded last: a kill before this point makes the next update re-check, never skip.
        state = _State(state.generation, state.rows, state.dead_file, state.dead_serial, check)
        self._commit(state)
        return IndexUpdate(added, removed, len(self))

    def is_current(self, catalog: Catalog) -> bool | None:
        """Whether the index holds every entry of the catalog as it is now (None: there is no
        index), read without writing anything: for a catalog that may not be written, whose
        index cannot be brought up to date from here."""
        state = self._state()
        if state.generation < 0 or state.check is None:
            return None
        return bool(state.check == _catalog_check(catalog))

    def _catalog_fingerprints(self, catalog: Catalog) -> tuple[IdArray, NDArray[np.uint64]]:
        """Every entry's id and text fingerprint, sorted by id, streamed so that only 16 bytes a
        row stay in memory."""
        ids = array.array("q")
        hashes = array.array("Q")
        with catalog.read() as conn:
            result = conn.execution_options(yield_per=10_000).execute(
                sa.select(search_entries.c.id, search_entries.c.text)
                .order_by(search_entries.c.id)
            )
            for entry_id, text in result:
                ids.append(entry_id)
                hashes.append(text_fingerprint(text))
        return np.frombuffer(ids, np.int64), np.frombuffer(hashes, np.uint64)

    def _stored_hashes(self, state: _State) -> NDArray[np.uint64]:
        if state.rows == 0:
            return np.zeros(0, np.uint64)
        return np.fromfile(state.files(self.dir)[2], np.uint64, count=state.rows)

    def _truncate_to(self, state: _State) -> None:
        """Drop bytes past the committed rows: the remains of an append that was killed."""
        sizes = (self.dim * 2, 8, 8)
        for path, size in zip(state.files(self.dir), sizes, strict=True):
            if path.exists() and path.stat().st_size != state.rows * size:
                with path.open("r+b") as fh:
                    fh.truncate(state.rows * size)

    def _append(
        self, state: _State, vectors: NDArray[np.float32], ids: IdArray,
        hashes: NDArray[np.uint64],
    ) -> _State:
        for path, data in zip(
            state.files(self.dir),
            (to_bfloat16(vectors), ids.astype("<i8"), hashes.astype("<u8")),
            strict=True,
        ):
            with path.open("ab") as fh:
                fh.write(np.ascontiguousarray(data).tobytes())
                fh.flush()
                os.fsync(fh.fileno())
        new = _State(state.generation, state.rows + len(ids), state.dead_file,
                     state.dead_serial, None)
        self._commit(new)
        return new

    def _write_dead(self, state: _State, dead_rows: NDArray[np.intp]) -> _State:
        serial = state.dead_serial + 1
        name = f"dead-{state.generation}-{serial}.npy"
        _atomic_write(self.dir / name, lambda fh: np.save(fh, dead_rows.astype(np.int64)))
        new = _State(state.generation, state.rows, name, serial, None)
        self._commit(new)
        if state.dead_file and state.dead_file != name:
            (self.dir / state.dead_file).unlink(missing_ok=True)
        return new

    def _compact(self, state: _State, keep: NDArray[np.bool_]) -> _State:
        """Rewrite the live rows as a new generation, streamed in chunks (bounded memory)."""
        new = _State(state.generation + 1, 0, None, 0, None)
        for path in new.files(self.dir):
            path.unlink(missing_ok=True)
        old_files = state.files(self.dir)
        vectors, ids, _ = self._arrays(state)
        hashes = np.memmap(old_files[2], np.uint64, "r", shape=(state.rows,))
        outs = [p.open("wb") for p in new.files(self.dir)]
        try:
            for start in range(0, state.rows, QUERY_CHUNK):
                sel = keep[start:start + QUERY_CHUNK]
                sources: tuple[NDArray[Any], ...] = (vectors, ids, hashes)
                for fh, arr in zip(outs, sources, strict=True):
                    fh.write(np.ascontiguousarray(arr[start:start + QUERY_CHUNK][sel]).tobytes())
            for fh in outs:
                fh.flush()
                os.fsync(fh.fileno())
        finally:
            for fh in outs:
                fh.close()
        new = _State(new.generation, int(keep.sum()), None, 0, None)
        self._commit(new)
        for path in old_files:
            path.unlink(missing_ok=True)
        if state.dead_file:
            (self.dir / state.dead_file).unlink(missing_ok=True)
        return new

    def _commit(self, state: _State) -> None:
        manifest = {
            "format": FORMAT, "model_id": self.embedder.model_id, "model": self.embedder.name,
            "backend": self.embedder.backend, "dim": self.dim, "generation": state.generation,
            "rows": state.rows, "dead": state.dead_file, "dead_serial": state.dead_serial,
            "check": state.check,
        }
        payload = json.dumps(manifest, indent=1).encode()
        _atomic_write(self.dir / "manifest.json", lambda fh: fh.write(payload))

    def _remove_strays(self, state: _State) -> None:
        """Files no manifest names any more: temporaries and half-written generations of a
        killed writer, and files a finished compaction left to readers of the old manifest."""
        wanted = {p.name for p in state.files(self.dir)} | {"manifest.json", "lock"}
        if state.dead_file:
            wanted.add(state.dead_file)
        for path in self.dir.iterdir():
            if path.name not in wanted and path.is_file():
                path.unlink(missing_ok=True)

    def _reset(self) -> None:
        for path in self.dir.iterdir():
            if path.name != "lock":
                path.unlink(missing_ok=True)

    def prune_other_models(self) -> list[str]:
        """Delete the vectors of other models in this project (after a model change has been
        kept); returns the model ids removed. Not automatic: switching back would rebuild."""
        removed = []
        for sibling in self.dir.parent.iterdir():
            if sibling.is_dir() and sibling != self.dir:
                shutil.rmtree(sibling, ignore_errors=True)
                removed.append(sibling.name)
        return sorted(removed)


def _catalog_check(catalog: Catalog) -> list[int]:
    """What tells, cheaply, that the catalog's entries changed since the index was updated:
    their count, highest id and total text length."""
    with catalog.read() as conn:
        count, max_id, total = conn.execute(sa.select(
            sa.func.count(), sa.func.max(search_entries.c.id),
            sa.func.sum(sa.func.length(search_entries.c.text)),
        )).one()
    return [int(count or 0), int(max_id or 0), int(total or 0)]


def to_bfloat16(vectors: NDArray[np.float32]) -> NDArray[np.uint16]:
    """Round float32 to bfloat16 bit patterns (round half up on the dropped 16 bits; the inputs
    are finite unit-vector components, so no NaN or overflow handling is needed)."""
    bits = np.ascontiguousarray(vectors, dtype="<f4").view(np.uint32)
    return ((bits + np.uint32(0x8000)) >> np.uint32(16)).astype("<u2")


def _widen(
    bf16: NDArray[np.uint16], out: NDArray[np.uint32] | None = None
) -> NDArray[np.float32]:
    """bfloat16 bit patterns back to float32: the 16 bits become the high half."""
    if out is None:
        out = np.empty(bf16.shape, np.uint32)
    np.left_shift(bf16, 16, out=out, dtype=np.uint32)
    return out.view(np.float32)


def _atomic_write(path: Path, write: Callable[[Any], Any]) -> None:
    """Write to a temporary file, fsync, rename over ``path``: readers see old or new, whole."""
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    with tmp.open("wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock, released by the kernel if the holder dies."""
    with path.open("a+b") as fh:
        try:
            import fcntl
        except ImportError:  # Windows: one writer at a time is then up to the caller
            yield
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
