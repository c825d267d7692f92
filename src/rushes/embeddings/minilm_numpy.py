"""A BERT sentence encoder (all-MiniLM-L6-v2 and its kin) as a plain NumPy forward pass.

Why not torch: the default install must work from small wheels alone. torch is hundreds of
megabytes (gigabytes with CUDA), while this model is 6 layers of 384 wide; NumPy's BLAS runs it
at about the speed torch does on one core. The weights are read with ``safetensors``' NumPy API
and the text is cut into word pieces by ``tokenizers`` from the model's own ``tokenizer.json``, so
the token ids are exactly those sentence-transformers would feed the same model.

The arithmetic mirrors Hugging Face's ``BertModel`` in float32 (post-layer-norm blocks, exact erf
GELU, absolute positions, token type 0), followed by sentence-transformers' mean pooling over
real tokens and L2 normalisation. A test checks it against sentence-transformers (cosine ≥ 0.999)
whenever that is installed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rushes.embeddings import blas_threads
from rushes.errors import UsageError

F32 = NDArray[np.float32]

#: Texts per forward pass. Batches are built from texts of similar length (sorted first), so
#: padding stays small; 32 keeps the attention tensors of 256-token texts under 30 MB.
BATCH_SIZE = 32


@dataclass(frozen=True)
class _Layer:
    """One transformer block's weights, transposed once at load so each product is ``x @ w``."""

    qkv_w: F32  # (hidden, 3*hidden): query, key and value in one product
    qkv_b: F32
    out_w: F32
    out_b: F32
    ln1_g: F32
    ln1_b: F32
    up_w: F32
    up_b: F32
    down_w: F32
    down_b: F32
    ln2_g: F32
    ln2_b: F32


def _layer_norm(x: F32, gamma: F32, beta: F32, eps: float) -> F32:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    out: F32 = centred / np.sqrt(var + eps) * gamma + beta
    return out


def _gelu(x: F32) -> F32:
    """BERT's exact GELU, x·Φ(x) = ½(x + |x|·erf(|x|/√2)), computed in place.

    NumPy has no erf, so it is Abramowitz & Stegun 7.1.26 (absolute error under 1.5e-7); the
    common tanh approximation would drift from the reference by ~1e-3. The intermediate layer
    is the largest tensor of the pass, hence the in-place arithmetic (fewer temporaries made
    this ~2× faster)."""
    z = np.abs(x)
    z *= np.float32(0.7071067811865476)
    t = z * np.float32(0.3275911)
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # 1 - erf(|x|/√2)
    np.subtract(1.0, poly, out=poly)  # erf(|x|/√2)
    poly *= np.abs(x)
    poly += x
    poly *= np.float32(0.5)
    return poly


class MiniLMNumpy:
    """Sentence embeddings from a BERT-architecture sentence-transformers model directory
    (``config.json``, ``model.safetensors``, ``tokenizer.json``), without torch."""

    backend = "numpy"

    def __init__(self, model_dir: Path, model_id: str, name: str, threads: int = 1) -> None:
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise UsageError(
                f"the built-in sentence embedder needs the {exc.name} package "
                "(scripts/setup.sh installs it)"
            ) from None
        self.model_dir = model_dir
        self.model_id = model_id
        self.name = name
        self.threads = threads
        try:
            config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
            weights = load_file(str(model_dir / "model.safetensors"))
            self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        except Exception as exc:  # OSError, JSON errors, and the Rust readers' own exceptions
            raise UsageError(f"cannot load the sentence model in {model_dir}: {exc}") from None
        if config.get("model_type") != "bert":
            raise UsageError(
                f"{model_dir} holds a {config.get('model_type')!r} model; the built-in embedder "
                "runs BERT models only (install sentence-transformers for others)"
            )
        if not _mean_pooled(model_dir):
            raise UsageError(
                f"{model_dir} does not use mean pooling; the built-in embedder computes mean "
                "pooling only (install sentence-transformers for other models)"
            )
        self.dim = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_tokens = min(_max_seq_length(model_dir), int(config["max_position_embeddings"]))
        # Truncate like sentence-transformers does (its max_seq_length, not tokenizer.json's own
        # 128-token setting) and pad per batch here, so short batches stay short.
        self._tokenizer.enable_truncation(max_length=self.max_tokens)
        self._tokenizer.no_padding()
        self._load(weights, int(config["num_hidden_layers"]))

    def _load(self, w: dict[str, NDArray[Any]], layers: int) -> None:
        def f(name: str) -> F32:
            return np.ascontiguousarray(w[name], dtype=np.float32)

        def t(name: str) -> F32:
            return np.ascontiguousarray(w[name].T, dtype=np.float32)

        pre = "" if "embeddings.word_embeddings.weight" in w else "bert."
        self._word = f(pre + "embeddings.word_embeddings.weight")
        self._pos = f(pre + "embeddings.position_embeddings.weight")
        self._type0 = f(pre + "embeddings.token_type_embeddings.weight")[0]
        self._emb_g = f(pre + "embeddings.LayerNorm.weight")
        self._emb_b = f(pre + "embeddings.LayerNorm.bias")
        self._layers: list[_Layer] = []
        for i in range(layers):
            p = f"{pre}encoder.layer.{i}."
            self._layers.append(_Layer(
                qkv_w=np.ascontiguousarray(np.concatenate(
                    [t(p + f"attention.self.{n}.weight") for n in ("query", "key", "value")],
                    axis=1,
                )),
                qkv_b=np.concatenate(
                    [f(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")]
                ),
                out_w=t(p + "attention.output.dense.weight"),
                out_b=f(p + "attention.output.dense.bias"),
                ln1_g=f(p + "attention.output.LayerNorm.weight"),
                ln1_b=f(p + "attention.output.LayerNorm.bias"),
                up_w=t(p + "intermediate.dense.weight"),
                up_b=f(p + "intermediate.dense.bias"),
                down_w=t(p + "output.dense.weight"),
                down_b=f(p + "output.dense.bias"),
                ln2_g=f(p + "output.LayerNorm.weight"),
                ln2_b=f(p + "output.LayerNorm.bias"),
            ))

    def embed(self, texts: Sequence[str]) -> F32:
        """Unit-length float32 vectors, one row per text, in the order given."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        with blas_threads(self.threads):
            self._embed_into(out, texts)
        return out

    def _embed_into(self, out: F32, texts: Sequence[str]) -> None:
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), BATCH_SIZE):
            chunk = order[start:start + BATCH_SIZE]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.float32)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            out[chunk] = self._forward(ids, mask)

    def _forward(self, ids: NDArray[np.int64], mask: F32) -> F32:
        batch, length = ids.shape
        hidden, heads = self.dim, self._heads
        size = hidden // heads
        x = self._word[ids] + self._pos[:length] + self._type0
        x = _layer_norm(x, self._emb_g, self._emb_b, self._eps).reshape(batch * length, hidden)
        # Padding keys get a large negative score (as BertModel's extended mask does), so the
        # padded positions never change a real token's attention.
        bias = ((1.0 - mask) * np.float32(np.finfo(np.float32).min))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(size))
        for layer in self._layers:
            qkv = (x @ layer.qkv_w + layer.qkv_b).reshape(batch, length, 3, heads, size)
            q = qkv[:, :, 0].transpose(0, 2, 1, 3)
            k = qkv[:, :, 1].transpose(0, 2, 3, 1)
            v = qkv[:, :, 2].transpose(0, 2, 1, 3)
            scores = (q @ k) * scale + bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, hidden)
            x = _layer_norm(x + ctx @ layer.out_w + layer.out_b, layer.ln1_g, layer.ln1_b,
                            self._eps)
            up = _gelu(x @ layer.up_w + layer.up_b)
            x = _layer_norm(x + up @ layer.down_w + layer.down_b, layer.ln2_g, layer.ln2_b,
                            self._eps)
        tokens = x.reshape(batch, length, hidden)
        summed = (tokens * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: F32 = (pooled / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
        return result


def _max_seq_length(model_dir: Path) -> int:
    """sentence-transformers' own truncation length for the model (256 for all-MiniLM-L6-v2)."""
    try:
        data = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(data.get("max_seq_length", 256))
    except (OSError, ValueError):
        return 256


def _mean_pooled(model_dir: Path) -> bool:
    """Whether the folder's pooling module (if it has one) is plain mean pooling, the only kind
    this forward pass implements; a folder without one is pooled by mean, as
    sentence-transformers does for a bare transformer."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    for module in modules:
        if str(module.get("type", "")).endswith("Pooling"):
            try:
                cfg = json.loads(
                    (model_dir / module["path"] / "config.json").read_text(encoding="utf-8")
                )
            except (OSError, ValueError, KeyError):
                return False
            if cfg.get("pooling_mode") == "mean":
                return True
            modes = {k for k, v in cfg.items() if k.startswith("pooling_mode") and v is True}
            return modes == {"pooling_mode_mean_tokens"}
    return True
