"""Speech to text: pocketsphinx on generated espeak-ng speech, chunking, conditioning, errors.

Speech is made word by word (tests/asr/speech.py) so every word's true start is known exactly.
pocketsphinx and the conditioning are deterministic, so the assertions are about content and
exact times, never about how long anything took.
"""

from __future__ import annotations

import itertools
import re
import sys
import types
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from rushes.asr import (
    SAMPLE_RATE,
    Conditioning,
    RecognizedSegment,
    Word,
    condition,
    decode_audio,
    forget_engine,
    get_engine,
    iter_chunks,
    shared_engine,
    transcribe_file,
)
from rushes.asr.audio import quiet_cut
from rushes.asr.base import Engine, group_words
from rushes.asr.metrics import align, normalize_words, word_error_rate
from rushes.errors import MediaError, UsageError

from .speech import TrueWord, concatenated_speech, espeak, write_wav

SENTENCE = "The old lighthouse keeper walked down to the harbor every morning."
CONTENT = {"old", "lighthouse", "keeper", "walked", "down", "harbor", "every", "morning"}
SECOND = "We need to find the money before the end of the year."


@pytest.fixture(scope="module")
def engine() -> Engine:
    return get_engine("pocketsphinx")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[TrueWord]]:
    path = tmp_path_factory.mktemp("asr") / "keeper.wav"
    return path, concatenated_speech(path, [SENTENCE], voice="en-us")


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[TrueWord]]:
    """Two sentences, about 9 s: longer than the 4 s chunks used below."""
    path = tmp_path_factory.mktemp("asr") / "two.wav"
    return path, concatenated_speech(path, [SENTENCE, SECOND], voice="en-us", pause=0.8)


def words_of(segments: list[RecognizedSegment]) -> list[Word]:
    return [w for s in segments for w in s.words]


def test_pocketsphinx_recognises_the_spoken_words_at_their_times(
    engine: Engine, clip: tuple[Path, list[TrueWord]]
) -> None:
    path, truth = clip
    audio = decode_audio(path)
    words = words_of(engine.transcribe(audio, Fraction(0)))
    found = CONTENT & {w.text for w in words}
    assert len(found) >= 3, f"recognised {[w.text for w in words]}"
    # each content word found lands within a second of where it was said (first occurrence)
    true_start = {t.text: t.start for t in reversed(truth)}
    first = next(w for w in words if w.text in CONTENT)
    assert abs(first.start - true_start[first.text]) <= 1
    # the alignment agrees: most matched words start within 0.3 s of the truth
    al = align([t.text for t in truth], [w.text for w in words])
    close = [abs(words[j].start - truth[i].start) <= Fraction(3, 10) for i, j in al.matches]
    assert sum(close) >= 3 and sum(close) >= 0.8 * len(close)


def test_a_kept_engine_is_reused_and_gives_what_a_fresh_one_gives(
    clip: tuple[Path, list[TrueWord]], long_clip: tuple[Path, list[TrueWord]]
) -> None:
    """Workers keep the last engine between jobs: it must answer a file exactly as a freshly
    loaded engine does, whatever it transcribed before."""
    kept = shared_engine("pocketsphinx")
    assert shared_engine("pocketsphinx") is kept
    fresh = words_of(get_engine("pocketsphinx").transcribe(decode_audio(clip[0]), Fraction(0)))
    kept.transcribe(decode_audio(long_clip[0]), Fraction(0))
    assert words_of(kept.transcribe(decode_audio(clip[0]), Fraction(0))) == fresh
    # Other arguments are another engine, and the one kept is then that one.
    taught = shared_engine("pocketsphinx", vocabulary=("Harwick",))
    assert taught is not kept
    assert taught.identity()["vocabulary_words"] == 1
    assert shared_engine("pocketsphinx", vocabulary=("Harwick",)) is taught
    assert shared_engine("pocketsphinx") is not kept  # one engine kept, not several
    again = shared_engine("pocketsphinx")
    forget_engine()  # what a failed transcription does: the next job loads afresh
    assert shared_engine("pocketsphinx") is not again


def test_word_times_are_exact_monotonic_and_inside_the_audio(
    engine: Engine, clip: tuple[Path, list[TrueWord]]
) -> None:
    path, _ = clip
    audio = decode_audio(path)
    offset = Fraction(1001, 30)  # an offset that no float represents exactly
    segments = engine.transcribe(audio, offset)
    assert segments
    end = offset + Fraction(len(audio), SAMPLE_RATE)
    previous = offset
    for seg in segments:
        assert isinstance(seg.start, Fraction) and isinstance(seg.end, Fraction)
        assert seg.text == " ".join(w.text for w in seg.words)
        assert seg.start == seg.words[0].start and seg.end == seg.words[-1].end
        for w in seg.words:
            assert isinstance(w.start, Fraction) and isinstance(w.end, Fraction)
            assert previous <= w.start < w.end <= end
            # pocketsphinx frames are 1/100 s: times sit exactly on that grid past the offset
            assert ((w.start - offset) * 100).denominator == 1
            assert not w.text.startswith(("<", "[", "+")) and "(" not in w.text
            previous = w.end
    # to_result / from_result keep the exact times
    assert [RecognizedSegment.from_result(s.to_result()) for s in segments] == segments


def test_chunk_boundaries_fall_in_pauses_and_words_are_not_duplicated(
    engine: Engine, long_clip: tuple[Path, list[TrueWord]]
) -> None:
    path, truth = long_clip
    # short chunks force cuts into the 0.12 s gaps between words
    chunks = list(iter_chunks(path, chunk_seconds=4, search_seconds=2))
    assert len(chunks) >= 3
    # chunks tile the file exactly: no gap, no overlap
    for a, b in itertools.pairwise(chunks):
        assert a.end == b.start
    assert [c.index for c in chunks] == list(range(len(chunks)))
    total = sum(len(c.audio) for c in chunks)
    assert chunks[-1].end == Fraction(total, SAMPLE_RATE)
    # no boundary cuts a word
    for c in chunks[1:]:
        assert not any(t.start < c.start < t.end for t in truth), f"cut at {float(c.start)}"
    chunked = [w for _, segs in transcribe_file(engine, path, chunk_seconds=4,
                                                 search_seconds=2) for w in words_of(segs)]
    # no duplicates: strictly one after another across chunk boundaries
    for w1, w2 in itertools.pairwise(chunked):
        assert w1.end <= w2.start
    assert len(chunked) <= len(words_of(engine.transcribe(decode_audio(path), Fraction(0)))) + 3


def test_chunked_transcript_matches_whole_around_a_boundary(
    engine: Engine, long_clip: tuple[Path, list[TrueWord]]
) -> None:
    """With the usual proportions (chunk much longer than a pause) the cut lands in the pause
    between the sentences, and the words either side are those of an unchunked decode."""
    path, truth = long_clip
    results = list(transcribe_file(engine, path, chunk_seconds=8, search_seconds=3))
    assert len(results) == 2
    boundary = results[1][0].start
    last_of_first = next(t for t in truth if t.text == "morning")
    assert last_of_first.end < boundary < truth[len(SENTENCE.split())].start
    chunked = [w for _, segs in results for w in words_of(segs)]
    whole = words_of(engine.transcribe(decode_audio(path), Fraction(0)))

    def near(ws: list[Word]) -> list[str]:
        return [w.text for w in ws if abs(w.start - boundary) <= Fraction(3, 2)]

    assert near(chunked) == near(whole)
    assert len(near(chunked)) >= 2
    for a, b in itertools.pairwise(chunked):
        assert a.end <= b.start


def test_resuming_from_a_chunk_end_gives_the_same_later_chunks(
    long_clip: tuple[Path, list[TrueWord]]
) -> None:
    path, _ = long_clip
    chunks = list(iter_chunks(path, chunk_seconds=4, search_seconds=2))
    resumed = list(iter_chunks(path, chunk_seconds=4, search_seconds=2, start=chunks[0].end))
    assert [c.start for c in resumed] == [c.start for c in chunks[1:]]
    # the seek is sample-accurate up to the resampler's edge: lengths agree, samples nearly so
    for a, b in zip(chunks[1:], resumed, strict=True):
        assert len(a.audio) == len(b.audio)
        assert np.max(np.abs(a.audio - b.audio)) < 0.05


def test_conditioning_is_deterministic_and_switchable(tmp_path: Path) -> None:
    audio, rate = espeak("the harbor", voice="en-us")
    path = write_wav(tmp_path / "h.wav", audio, rate)
    a = decode_audio(path)
    b = decode_audio(path)
    assert a.dtype == np.float32 and np.array_equal(a, b)
    raw = decode_audio(path, conditioning=Conditioning.off())
    # resamplers may differ by a sample in length
    assert abs(len(raw) - len(a)) <= 1 and abs(len(a) - len(audio) * SAMPLE_RATE / rate) <= 1
    # off: digital silence stays exactly zero; on: a faint floor everywhere, peak at -1 dBFS
    assert np.count_nonzero(raw == 0) > 0 and np.count_nonzero(a == 0) == 0
    assert abs(float(np.max(np.abs(a))) - 10 ** (-1 / 20)) < 0.01
    # digital silence becomes a noise floor of -60 dBFS RMS
    floor = condition(np.zeros(SAMPLE_RATE, np.float32), Conditioning())
    assert float(np.sqrt(np.mean(floor.astype(np.float64) ** 2))) == pytest.approx(1e-3, rel=0.02)
    # the noise depends on where the chunk starts (seeded by sample index) and on the seed
    x = np.zeros(1600, np.float32)
    assert np.array_equal(condition(x, Conditioning(), 16000), condition(x, Conditioning(), 16000))
    assert not np.array_equal(condition(x, Conditioning(), 0), condition(x, Conditioning(), 1))
    assert not np.array_equal(condition(x, Conditioning(seed=1)), condition(x, Conditioning()))
    # gain is capped: a near-silent chunk is not blown up to full scale
    quiet = np.full(160, 1e-6, np.float32)
    out = condition(quiet, Conditioning(dither_db=None))
    assert float(np.max(out)) == pytest.approx(1e-6 * 10 ** (30 / 20), rel=1e-3)


def test_chunks_are_bounded_in_size(tmp_path: Path) -> None:
    """A long input streams as chunks no longer than asked, whatever the total length."""
    seconds = 25
    noise = np.random.default_rng(7).standard_normal(rate := 22050) * 0.1
    write_wav(tmp_path / "n.wav", np.tile(noise, seconds).astype(np.float32), rate)

    def sizes() -> Iterator[int]:
        for c in iter_chunks(tmp_path / "n.wav", chunk_seconds=2, search_seconds=0.5):
            assert len(c.audio) <= 2 * SAMPLE_RATE
            yield len(c.audio)
    got = list(sizes())
    assert len(got) >= 12 and sum(got) == seconds * SAMPLE_RATE


def test_quiet_cut_picks_the_pause() -> None:
    x = np.ones(SAMPLE_RATE * 3, np.float32) * 0.5
    x[20000:26000] = 0.0  # a 375 ms pause from 1.25 s
    cut = quiet_cut(x, 8000, 40000)
    assert 20000 + 1600 <= cut <= 26000 - 1600


def test_pocketsphinx_refuses_a_language_it_has_no_model_for() -> None:
    with pytest.raises(UsageError, match=r"pocketsphinx has no model for 'zh'.*faster-whisper"):
        get_engine("pocketsphinx", language="zh")
    assert get_engine("pocketsphinx", language="en-GB").supports("en-US")


def test_pocketsphinx_model_path_must_be_a_model(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=re.escape(str(tmp_path / "nope"))):
        get_engine("pocketsphinx", tmp_path / "nope")
    with pytest.raises(UsageError, match="not a PocketSphinx model folder"):
        get_engine("pocketsphinx", tmp_path)


def test_unknown_engine_names_the_choices() -> None:
    with pytest.raises(UsageError, match="pocketsphinx, faster-whisper, vosk"):
        get_engine("dragon")


def _installed(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


@pytest.mark.parametrize(
    ("engine_name", "module", "hint"),
    [("faster-whisper", "faster_whisper", "rushes[whisper]"), ("vosk", "vosk", "rushes[vosk]")],
)
def test_optional_engine_not_installed(
    monkeypatch: pytest.MonkeyPatch, engine_name: str, module: str, hint: str
) -> None:
    # None in sys.modules makes the import fail, whether or not the package is installed here
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(UsageError, match=rf"{engine_name} is not installed: .*{re.escape(hint)}"):
        get_engine(engine_name, "/models/x")


@pytest.mark.parametrize(("engine_name", "module"),
                         [("faster-whisper", "faster_whisper"), ("vosk", "vosk")])
def test_optional_engine_missing_or_incomplete_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, engine_name: str, module: str
) -> None:
    if not _installed(module):
        # the path check comes before any model loading: a stand-in module is enough
        stub = types.ModuleType(module)
        monkeypatch.setitem(sys.modules, module, stub)
    missing = tmp_path / "no-such-model"
    message = f"{engine_name} model folder '{missing}' does not exist"
    with pytest.raises(UsageError, match=re.escape(message)):
        get_engine(engine_name, missing)
    (tmp_path / "empty").mkdir()
    message = f"'{tmp_path / 'empty'}' is not a "
    with pytest.raises(UsageError, match=re.escape(message) + ".* model folder"):
        get_engine(engine_name, tmp_path / "empty")
    with pytest.raises(UsageError, match="needs a local model folder"):
        get_engine(engine_name)


def test_missing_audio_stream_is_a_media_error(tmp_path: Path) -> None:
    from tests.mediagen import video_testsrc

    path = video_testsrc(tmp_path / "silent.mp4", seconds=0.5, audio=False)
    with pytest.raises(MediaError, match="no audio stream"):
        list(iter_chunks(path))


def test_group_words_splits_at_pauses() -> None:
    f = Fraction
    words = [Word(f(0), f(1, 2), "a"), Word(f(6, 10), f(1), "b"), Word(f(2), f(5, 2), "c")]
    segs = group_words(words)
    assert [s.text for s in segs] == ["a b", "c"]
    assert segs[1].start == 2 and segs[1].end == f(5, 2)


def test_word_error_rate() -> None:
    assert normalize_words("The Keeper's lamp, lit.") == ["the", "keeper's", "lamp", "lit"]
    assert word_error_rate("the cat sat", "the cat sat") == 0
    assert word_error_rate("the cat sat", "a cat sat down") == pytest.approx(2 / 3)
    al = align(["a", "b", "c"], ["a", "c"])
    assert (al.deletions, al.matches) == (1, [(0, 0), (2, 1)])


@pytest.mark.parametrize("samples", [1, 160, 400])
def test_a_few_milliseconds_of_audio_are_no_words_not_an_error(
    engine: Engine, samples: int
) -> None:
    # What a truncated file's last chunk can be: pocketsphinx has no hypothesis at all.
    assert engine.transcribe(np.zeros(samples, np.float32), Fraction(3)) == []
