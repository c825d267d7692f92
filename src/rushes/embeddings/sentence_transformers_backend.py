"""Any local sentence-transformers model, loaded by sentence-transformers itself.

Used when a user points the ``embedding_model`` setting (or ``--model PATH``) at a model folder:
multilingual models, larger English ones, a team's fine-tuned model. Loading is the library's
real code on a local path with ``local_files_only=True`` and without ``trust_remote_code``, so
nothing is downloaded and no code from the model folder runs.

sentence-transformers (and torch under it) is an optional install; it is imported by name so
that type checking does not depend on whether it is present.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rushes.embeddings import model_fingerprint, model_name
from rushes.errors import UsageError

#: Texts per forward pass, sentence-transformers' own default.
BATCH_SIZE = 32

_INSTALL_HINT = "pip install torch==2.13.0 sentence-transformers==6.2.0"


def is_model_dir(path: Path) -> bool:
    """A sentence-transformers folder (``modules.json``) or a bare Hugging Face transformer
    (``config.json``), which sentence-transformers wraps with mean pooling."""
    return (path / "modules.json").is_file() or (path / "config.json").is_file()


class SentenceTransformersEmbedder:
    """A :class:`rushes.embeddings.Embedder` backed by ``SentenceTransformer`` on the CPU."""

    backend = "sentence-transformers"

    def __init__(self, model_dir: Path, threads: int = 1) -> None:
        if not model_dir.exists():
            raise UsageError(f"embedding model {model_dir} does not exist")
        if not model_dir.is_dir() or not is_model_dir(model_dir):
            raise UsageError(
                f"embedding model {model_dir} is not a sentence-transformers model folder "
                "(no modules.json or config.json)"
            )
        try:
            torch: Any = importlib.import_module("torch")
            st: Any = importlib.import_module("sentence_transformers")
        except ImportError as exc:
            raise UsageError(
                f"embedding model {model_dir} needs {exc.name or 'sentence-transformers'}, "
                f"which is not installed ({_INSTALL_HINT})"
            ) from None
        # One thread on purpose: workers already fill the cores, and on a shared 2-core machine
        # two torch threads measured several times slower per sentence than one.
        torch.set_num_threads(threads)
        self.threads = threads
        self.model_dir = model_dir.resolve()
        try:
            self._model: Any = st.SentenceTransformer(
                str(self.model_dir), device="cpu", local_files_only=True
            )
        except Exception as exc:  # the library raises OSError, ValueError, KeyError, …
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UsageError(f"cannot load embedding model {model_dir}: {first}") from None
        # Renamed in sentence-transformers 6; older releases only have the long name.
        get_dim = (getattr(self._model, "get_embedding_dimension", None)
                   or self._model.get_sentence_embedding_dimension)
        self.dim = int(get_dim())
        self.name = model_name(self.model_dir)
        self.model_id = f"{self.name}-st-{model_fingerprint(self.model_dir)}"

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Unit-length float32 vectors (normalised here even when the model has no Normalize
        module, so dot products in the index are cosines for every model)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=BATCH_SIZE, convert_to_numpy=True,
            normalize_embeddings=True, show_progress_bar=False,
        )
        out: NDArray[np.float32] = np.ascontiguousarray(vectors, dtype=np.float32)
        return out
