"""Audio for speech recognition: decode, resample, cut into chunks at pauses, condition.

Why each step exists:

* **Streaming in chunks** (:func:`iter_chunks`): memory must not grow with a three-hour
  interview, and the transcript analyzer checkpoints after every chunk so a killed run loses at
  most one. ffmpeg decodes to a pipe; at most one chunk plus one read block is held.
* **Cutting at the quietest moment** near each chunk's nominal end: a chunk boundary inside a
  word loses or mangles that word in both chunks. Cutting in a pause means chunks need no
  overlap, and therefore no de-duplication of words that two chunks both heard (which goes wrong
  whenever the two decodes disagree on a word's timing). The cut depends only on the decoded
  samples, so the same file always gives the same chunks, and a resumed run the same words.
* **Resampling** with soxr (ffmpeg ``aresample=resampler=soxr``) where ffmpeg has it: a
  steep anti-alias filter keeps 8–24 kHz content from folding into the speech band.
* **Level normalisation** per chunk (peak, with a gain cap so a silent chunk is not blown up into
  loud noise): quiet location sound otherwise falls below what the acoustic models saw in
  training.
* **A faint noise floor** (seeded Gaussian dither, −60 dBFS RMS by default): digital silence
  (exact zeros, as between words in synthetic speech, or gated/edited audio) breaks
  pocketsphinx's running noise and cepstral-mean estimates. Measured in ``bench/asr.py``.
  The noise is seeded from the chunk's first sample index, so conditioning is deterministic and a
  resumed chunk is bit-identical to the first attempt.
"""

from __future__ import annotations

import functools
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from rushes.asr.base import SAMPLE_RATE, Audio
from rushes.errors import MediaError
from rushes.media.ffmpeg import last_error_line, media_arg, run_tool, tool_path

#: Analysis frame for finding pauses: 10 ms, the hop every engine uses.
_FRAME = SAMPLE_RATE // 100
#: Bytes read from ffmpeg per call: one second of float32 samples.
_READ_BYTES = SAMPLE_RATE * 4


@dataclass(frozen=True)
class Conditioning:
    """Which conditioning steps run; each can be switched off (the benchmark measures each).

    ``resampler`` is ``"soxr"`` (high quality; falls back to ``"swr"`` when this ffmpeg lacks
    libsoxr) or ``"swr"`` (ffmpeg's built-in default). ``normalize`` scales each chunk so its
    peak is ``peak_db`` dBFS, by at most ``max_gain_db``. ``dither_db`` is the RMS level of the
    added noise floor (``None``: none); ``seed`` varies it.
    """

    resampler: str = "soxr"
    normalize: bool = True
    peak_db: float = -1.0
    max_gain_db: float = 30.0
    dither_db: float | None = -60.0
    seed: int = 0

    @classmethod
    def off(cls) -> Conditioning:
        """Plain decode: ffmpeg's default resampler, no gain, no noise (the baseline)."""
        return cls(resampler="swr", normalize=False, dither_db=None)


DEFAULT_CONDITIONING = Conditioning()


@dataclass(frozen=True)
class Chunk:
    """``audio`` (conditioned float32, 16 kHz mono) starting at sample ``start_sample``."""

    index: int
    start_sample: int
    audio: Audio

    @property
    def start(self) -> Fraction:
        """Exact start in seconds (sample-accurate; the transcribe offset)."""
        return Fraction(self.start_sample, SAMPLE_RATE)

    @property
    def end(self) -> Fraction:
        return Fraction(self.start_sample + len(self.audio), SAMPLE_RATE)


def condition(audio: Audio, conditioning: Conditioning, start_sample: int = 0) -> Audio:
    """Apply the gain and noise-floor steps to one chunk; the same input, settings and
    ``start_sample`` always give the identical array (the noise is seeded by both)."""
    out = np.asarray(audio, dtype=np.float32).copy()
    if conditioning.normalize and len(out):
        peak = float(np.max(np.abs(out)))
        if peak > 0.0:
            gain = min(10 ** (conditioning.peak_db / 20) / peak,
                       10 ** (conditioning.max_gain_db / 20))
            out *= np.float32(gain)
    if conditioning.dither_db is not None and len(out):
        rng = np.random.default_rng([conditioning.seed, start_sample])
        noise = rng.standard_normal(len(out), dtype=np.float32)
        out += noise * np.float32(10 ** (conditioning.dither_db / 20))
    return out


@functools.cache
def has_soxr() -> bool:
    """Whether this ffmpeg was built with libsoxr (Debian's is)."""
    try:
        return "--enable-libsoxr" in run_tool("ffmpeg", ["-hide_banner", "-buildconf"])
    except MediaError:
        return False


def _resample_filter(resampler: str) -> str:
    if resampler == "soxr" and has_soxr():
        # precision 28 bits is soxr's "very high quality"; cost is negligible next to ASR
        return f"aresample={SAMPLE_RATE}:resampler=soxr:precision=28"
    if resampler in {"soxr", "swr"}:
        return f"aresample={SAMPLE_RATE}"
    raise ValueError(f"unknown resampler {resampler!r} (soxr or swr)")


def quiet_cut(audio: Audio, lo: int, hi: int) -> int:
    """The sample in ``[lo, hi]`` at the middle of the quietest 200 ms there, preferring the
    quiet stretch nearest ``hi`` (so chunks stay close to their nominal length).

    Energies are taken on 10 ms frames and smoothed over 200 ms so that the short closure of a
    plosive inside a word is not mistaken for a pause between words.
    """
    lo = max(0, lo)
    hi = min(len(audio), hi)
    n = (hi - lo) // _FRAME
    if n < 1:
        return hi
    frames = audio[lo : lo + n * _FRAME].astype(np.float64).reshape(n, _FRAME)
    energy = np.mean(frames * frames, axis=1)
    width = min(20, n)
    smooth = np.convolve(energy, np.ones(width) / width, mode="valid")
    floor = float(smooth.min())
    quiet = smooth <= floor * (1 + 1e-3) + 1e-12
    # the run of quietest windows nearest the end; cut at its middle
    last = int(np.flatnonzero(quiet)[-1])
    first = last
    while first > 0 and quiet[first - 1]:
        first -= 1
    centre = (first + last) // 2 + width // 2
    return lo + centre * _FRAME


def iter_chunks(
    path: Path,
    chunk_seconds: float = 30.0,
    *,
    search_seconds: float = 5.0,
    start: Fraction = Fraction(0),
    stream: int = 0,
    conditioning: Conditioning = DEFAULT_CONDITIONING,
) -> Iterator[Chunk]:
    """Decode audio stream ``stream`` of ``path`` and yield conditioned chunks of at most
    ``chunk_seconds``, each cut at the quietest moment in its last ``search_seconds``.

    There is deliberately no overlap between chunks (see the module docstring): cutting in a
    pause makes it unnecessary, and chunks then tile the file exactly, so their words never need
    de-duplicating. ``start`` resumes after a checkpoint: pass the ``end`` of the last finished
    chunk; ffmpeg seeks there sample-accurately and chunk starts stay in file time.

    Memory is bounded by one chunk plus one second; the ffmpeg process is stopped if the caller
    stops iterating early. A file without that audio stream, or one ffmpeg cannot decode, raises
    :class:`~rushes.errors.MediaError` with ffmpeg's one-line reason.
    """
    if chunk_seconds <= 0 or search_seconds < 0:
        raise ValueError("chunk_seconds must be positive and search_seconds not negative")
    chunk = max(_FRAME, round(chunk_seconds * SAMPLE_RATE))
    search = min(chunk - _FRAME, round(search_seconds * SAMPLE_RATE))
    first_sample = round(start * SAMPLE_RATE)
    args = ["-hide_banner", "-nostdin", "-loglevel", "error"]
    if first_sample:
        args += ["-ss", f"{float(Fraction(first_sample, SAMPLE_RATE)):.6f}"]
    args += [
        "-i", media_arg(path), "-map", f"0:a:{stream}", "-vn", "-sn", "-dn",
        "-af", _resample_filter(conditioning.resampler), "-ac", "1",
        "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1",
    ]
    with tempfile.TemporaryFile() as errfile:
        proc = subprocess.Popen(
            [tool_path("ffmpeg"), *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errfile,
        )
        assert proc.stdout is not None
        try:
            buffer = np.empty(0, dtype=np.float32)
            pending = b""
            index, position = 0, first_sample
            while True:
                block = proc.stdout.read(_READ_BYTES)
                if block:
                    data = pending + block
                    usable = len(data) - len(data) % 4
                    pending = data[usable:]
                    buffer = np.concatenate([buffer, np.frombuffer(data[:usable], "<f4")])
                # more than a chunk buffered: the stream goes on, so cut in a pause
                while len(buffer) > chunk:
                    cut = quiet_cut(buffer, chunk - search, chunk)
                    yield Chunk(index, position, condition(buffer[:cut], conditioning, position))
                    buffer = buffer[cut:]
                    index, position = index + 1, position + cut
                if not block:
                    if len(buffer):
                        yield Chunk(index, position, condition(buffer, conditioning, position))
                    break
            returncode = proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        if returncode != 0:
            errfile.seek(0)
            stderr = errfile.read().decode("utf-8", errors="replace")
            if "matches no streams" in stderr:
                raise MediaError(f"no audio stream {stream} in this file")
            raise MediaError(f"ffmpeg: {last_error_line(stderr, [str(path)])}")


def decode_audio(
    path: Path, *, conditioning: Conditioning = DEFAULT_CONDITIONING, chunk_seconds: float = 30.0
) -> Audio:
    """A whole (short) file as one conditioned array: for tests, the benchmark and clips.
    Conditioned chunk by chunk exactly as :func:`iter_chunks` does, so results match."""
    parts = [c.audio for c in iter_chunks(path, chunk_seconds, conditioning=conditioning)]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.float32)
