"""Voice embeddings of transcript segments with resemblyzer's VoiceEncoder.

Why this shape:

* **resemblyzer** ships its trained weights inside the wheel (``pretrained.pt``), so speaker
  labels work offline with nothing but pip; it is imported lazily, so rushes runs without it.
* **Streaming**: the file is decoded chunk by chunk (:func:`rushes.asr.audio.iter_chunks`) and
  each segment's samples are gathered as the chunks pass, so memory is one chunk plus the
  segments still open (each capped at :data:`MAX_SECONDS`), not the whole recording.
* **No gain or dither** at decode: resemblyzer normalises each segment's level itself, and a
  noise floor added for the ASR engines would only blur the voice.
* **One torch thread**: the job runner already runs one analyzer per worker process; letting
  torch spread over every core would oversubscribe the machine and make runs slower, not faster.
* **Short segments are skipped** (< :data:`MIN_SECONDS`): the encoder's partial window is 1.6 s
  and a half-second "yes" gives an embedding too noisy to place; those segments get no label
  rather than a confident wrong one.
"""

from __future__ import annotations

import functools
import importlib
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rushes.asr.audio import Conditioning, iter_chunks
from rushes.asr.base import SAMPLE_RATE
from rushes.errors import UsageError

#: Segments shorter than this (seconds) get no embedding (a zero row).
MIN_SECONDS = 0.8
#: At most this much of a long segment is embedded: enough for a stable voice print, and it
#: bounds the memory one open segment can hold.
MAX_SECONDS = 20.0
#: resemblyzer's embedding size.
EMBEDDING_SIZE = 256
#: Plain decode for embeddings: high-quality resampling, no gain, no noise floor.
_CONDITIONING = Conditioning(normalize=False, dither_db=None)
INSTALL_HINT = "speaker labels need resemblyzer: scripts/setup.sh --speakers"

Embeddings = npt.NDArray[np.float32]


def _resemblyzer() -> Any:
    """The resemblyzer module, or a :class:`UsageError` that says how to install it."""
    try:
        with warnings.catch_warnings():
            # resemblyzer 0.1.4 imports scipy.ndimage.morphology, deprecated since SciPy 1.8.
            warnings.simplefilter("ignore", DeprecationWarning)
            # webrtcvad imports pkg_resources (hence setuptools<81), which now warns.
            warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
            # By name: it ships no type hints, and mypy then passes with or without it installed.
            return importlib.import_module("resemblyzer")
    except ImportError as exc:
        raise UsageError(f"{INSTALL_HINT} ({exc})") from None


def available() -> bool:
    """Whether resemblyzer can be imported (without raising)."""
    try:
        _resemblyzer()
    except UsageError:
        return False
    return True


@functools.cache
def _encoder() -> Any:
    """One VoiceEncoder per process (loading the weights takes a moment), on the CPU."""
    module = _resemblyzer()
    import torch

    torch.set_num_threads(1)
    return module.VoiceEncoder(device="cpu", verbose=False)


def embed_audio(audio: npt.NDArray[np.float32]) -> Embeddings | None:
    """The unit-length voice embedding of 16 kHz mono ``audio``, or None when too little of it
    is speech (resemblyzer's preprocessing trims long silences first)."""
    module = _resemblyzer()
    if len(audio) < MIN_SECONDS * SAMPLE_RATE or not np.any(audio):
        return None
    with warnings.catch_warnings(), np.errstate(divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        wav = module.preprocess_wav(np.asarray(audio, dtype=np.float32), SAMPLE_RATE)
    if len(wav) < (MIN_SECONDS / 2) * SAMPLE_RATE:
        return None
    vector = np.asarray(_encoder().embed_utterance(wav), dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    if not np.isfinite(norm) or norm == 0.0:
        return None
    return vector / np.float32(norm)


def embed_segments(
    path: Path, segments: Sequence[tuple[int, int]], *, stream: int = 0
) -> Embeddings:
    """Voice embeddings of ``segments`` ((start_us, end_us) pairs) of the file at ``path``.

    Returns a float32 array of shape (len(segments), 256): unit rows for embedded segments,
    zero rows for those skipped (shorter than :data:`MIN_SECONDS`, or silence). Segments may
    come in any order and may overlap.
    """
    _resemblyzer()  # fail before decoding anything when it is missing
    out = np.zeros((len(segments), EMBEDDING_SIZE), dtype=np.float32)
    spans: list[tuple[int, int, int]] = []  # (first sample, end sample, index)
    for index, (start_us, end_us) in enumerate(segments):
        first = round(int(start_us) * SAMPLE_RATE / 1_000_000)
        end = round(int(end_us) * SAMPLE_RATE / 1_000_000)
        if end - first >= MIN_SECONDS * SAMPLE_RATE:
            spans.append((first, min(end, first + round(MAX_SECONDS * SAMPLE_RATE)), index))
    if not spans:
        return out
    spans.sort()
    pending = iter(spans)
    upcoming = next(pending, None)
    open_: dict[int, tuple[int, int, list[npt.NDArray[np.float32]]]] = {}

    def finish(index: int) -> None:
        _first, _end, parts = open_.pop(index)
        vector = embed_audio(np.concatenate(parts) if parts else np.empty(0, np.float32))
        if vector is not None:
            out[index] = vector

    for chunk in iter_chunks(path, conditioning=_CONDITIONING, stream=stream):
        lo, hi = chunk.start_sample, chunk.start_sample + len(chunk.audio)
        while upcoming is not None and upcoming[0] < hi:
            first, end, index = upcoming
            open_[index] = (first, end, [])
            upcoming = next(pending, None)
        for index, (first, end, parts) in list(open_.items()):
            a, b = max(first, lo), min(end, hi)
            if b > a:
                parts.append(chunk.audio[a - lo : b - lo].copy())  # not a view of the chunk
            if end <= hi:
                finish(index)
        if upcoming is None and not open_:
            break  # nothing more to gather: stop decoding early
    for index in list(open_):
        finish(index)  # segments running past the end of the audio
    return out
