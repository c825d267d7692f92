"""A project's vocabulary: names the speech engine would otherwise never write.

PocketSphinx's language model has no "Harwick" and writes "Callum" as "Caitlin"; with the names
listed it writes them, on espeak-ng speech, deterministically (the decoder and the audio
conditioning are), so the assertions are about words, not timings.
"""

from __future__ import annotations

import random
import re
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

import mediagen
from cli.runner import rushes, rushes_json
from rushes.analyzers.transcript import TranscriptAnalyzer
from rushes.asr import decode_audio, get_engine
from rushes.asr.metrics import align
from rushes.asr.pocketsphinx_engine import (
    LOG_BASE,
    VOCABULARY_MARK,
    VOCABULARY_SHARE,
    PocketsphinxEngine,
)
from rushes.asr.vocabulary import (
    MAX_TERMS,
    espeak_pronunciations,
    ipa_to_arpabet,
    parse_terms,
    words_of,
)
from rushes.config import load_settings
from rushes.errors import UsageError

SPEECH = "Ellen Marsh kept the light at Harwick Point. Callum Reid is the harbour master."
NAMES = "Ellen Marsh, Harwick Point, Callum Reid"


def test_terms_are_split_squeezed_and_deduplicated() -> None:
    text = "Harwick Point;  Ellen   Marsh\n\nharwick point, Callum Reid,\r\n"
    assert parse_terms(text) == ("Harwick Point", "Ellen Marsh", "Callum Reid")
    assert parse_terms("") == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [("x" * 101, "longer than 100 characters"), ("Harwick, ---", "has no letters or digits"),
     (",".join(f"name{i}" for i in range(MAX_TERMS + 1)), f"at most {MAX_TERMS}")],
)
def test_a_vocabulary_no_one_means_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_terms(text)
    origin = "setting asr_vocabulary from -c asr_vocabulary"
    with pytest.raises(UsageError, match=f"{origin}: .*{message}"):
        load_settings(None, {}, [f"asr_vocabulary={text}"])


def test_the_setting_keeps_one_spelling_of_the_list() -> None:
    # The same names typed another way are the same job parameter: nothing is transcribed again.
    a = load_settings(None, {}, ["asr_vocabulary=Harwick Point;Ellen Marsh"]).asr_vocabulary
    b = load_settings(None, {}, ["asr_vocabulary= Harwick  Point ,\nEllen Marsh\n"]).asr_vocabulary
    assert a == b == "Harwick Point, Ellen Marsh"


def test_words_of_terms() -> None:
    assert words_of(["O’Hare", "Jean-Luc Picard", "jean luc", "1892"]) == [
        "o'hare", "jean", "luc", "picard", "1892"]


@pytest.mark.parametrize(
    ("ipa", "phones"),
    [("hˈɑːɹwɪk", "HH AA R W IH K"), ("kˈæləm", "K AE L AH M"), ("dʒˈʌdʒ", "JH AH JH"),
     ("hˈɜːɹi", "HH ER IY"), ("bˈʌʔn̩", "B AH T AH N"), ("θˈɪŋ", "TH IH NG"),
     ("mək ˈælɪstɚ", "M AH K AE L IH S T ER"), ("hˈɑː\u200dɹwɪk", "HH AA R W IH K")],
)
def test_ipa_becomes_arpabet(ipa: str, phones: str) -> None:
    assert ipa_to_arpabet(ipa) == phones.split()


def test_a_sound_arpabet_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match="no ARPAbet phone for 'y'"):
        ipa_to_arpabet("ɡyːtə")  # German ü


def _cmu_dictionary() -> dict[str, list[list[str]]]:
    import pocketsphinx

    out: dict[str, list[list[str]]] = {}
    path = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
    for line in path.read_text(encoding="utf-8").splitlines():
        word, *phones = line.split()
        out.setdefault(re.sub(r"\(\d+\)$", "", word), []).append(phones)
    return out


def test_espeak_pronunciations_are_close_to_the_cmu_dictionary() -> None:
    cmu = _cmu_dictionary()
    words = random.Random(5).sample(sorted(w for w in cmu if w.isalpha()), 300)
    found = espeak_pronunciations(words)
    assert found.keys() == set(words)
    errors = total = 0
    for word, phones in found.items():
        best = min((align(ref, phones) for ref in cmu[word]), key=lambda a: a.errors)
        errors += best.errors
        total += len(cmu[word][0])
    # A wrong table (a vowel mapped to a consonant, r-coloured vowels doubled) would put this
    # far above the 10 % that reduced vowels and stress leave between two good dictionaries.
    assert errors / total < 0.15


def test_espeak_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UsageError, match="espeak-ng is not installed"):
        espeak_pronunciations(["zarqovin"])
    assert espeak_pronunciations([]) == {}  # nothing to ask: espeak-ng is not needed


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The American voice: the wheel's model is American English.
    return mediagen.speech_wav(tmp_path_factory.mktemp("vocab") / "names.wav", SPEECH,
                               voice="en-us")


def _words(engine: PocketsphinxEngine, path: Path) -> list[str]:
    return [w.text for s in engine.transcribe(decode_audio(path), Fraction(0)) for w in s.words]


def test_names_are_written_only_with_the_vocabulary(speech: Path) -> None:
    plain = _words(PocketsphinxEngine(), speech)
    # "harwick" is not in the language model at all; "callum" and "reid" are, too rarely.
    assert not {"harwick", "callum", "reid"} & set(plain)
    taught = PocketsphinxEngine(vocabulary=parse_terms(NAMES))
    heard = _words(taught, speech)
    assert {"harwick", "callum", "reid"} <= set(heard)
    assert not any(VOCABULARY_MARK in w or "(" in w for w in heard)
    # ellen, marsh, harwick, point, callum, reid: none as likely as the boost already.
    assert taught.identity()["vocabulary_words"] == 6
    assert taught.identity()["vocabulary_skipped"] == []
    assert "vocabulary_words" not in PocketsphinxEngine().identity()


def test_words_that_cannot_be_learnt_are_skipped_and_recorded() -> None:
    # espeak-ng says nothing for a lone ʻokina or an Arabic-Indic digit (an empty
    # pronunciation crashed the decoder), and reads 北京 as "Chinese letter".
    engine = PocketsphinxEngine(vocabulary=("Route ٦٦", "ʻ", "北京", "Llanelli", "the"))
    record = engine.identity()
    assert record["vocabulary_skipped"] == ["٦٦", "ʻ", "北京"]
    # Llanelli's Welsh "ll" has a pronunciation; "the" needs no help; "route" is learnt.
    assert record["vocabulary_words"] == 2
    assert engine._decoder.lookup_word("llanelli" + VOCABULARY_MARK) is not None
    assert engine._decoder.lookup_word("the" + VOCABULARY_MARK) is None


def test_a_long_list_shares_a_bounded_part_of_the_language_model() -> None:
    rng = random.Random(7)
    syllables = ["ka", "lo", "mi", "ru", "zen", "tor", "vash", "quil", "dre", "bo"]
    names = {"".join(rng.choice(syllables) for _ in range(3)) for _ in range(1200)}
    terms = tuple(sorted(names))[:MAX_TERMS]
    engine = PocketsphinxEngine(vocabulary=terms)
    lm = engine._decoder.get_lm()
    entries = [w + VOCABULARY_MARK for w in words_of(terms)]
    share = sum(LOG_BASE ** lm.prob([e]) for e in entries)
    # Each at full weight, these would take 14 times the whole model's probability.
    assert 0.2 < share <= VOCABULARY_SHARE * 1.01


def test_a_word_no_dictionary_has_is_learnt_from_espeak(tmp_path: Path) -> None:
    wav = mediagen.speech_wav(tmp_path / "z.wav", "The keeper met Zarqovin at the harbour.",
                              voice="en-us")
    assert "zarqovin" not in _words(PocketsphinxEngine(), wav)
    assert "zarqovin" in _words(PocketsphinxEngine(vocabulary=("Zarqovin",)), wav)


def test_vosk_says_it_cannot_learn_words() -> None:
    with pytest.raises(UsageError, match="vosk cannot learn new words"):
        get_engine("vosk", "/models/x", vocabulary=("Harwick",))


def test_the_vocabulary_is_a_job_parameter_only_when_set() -> None:
    analyzer = TranscriptAnalyzer()
    plain = analyzer.params(load_settings(None, {}))
    # Without the setting the parameters are those every earlier transcript was made with.
    assert set(plain) == {"engine", "model", "language", "package", "chunk_seconds",
                          "conditioning"}
    named = analyzer.params(load_settings(None, {}, [f"asr_vocabulary={NAMES}"]))
    assert named == {**plain, "vocabulary": NAMES}


def test_transcribe_with_a_vocabulary_makes_a_name_searchable(
    tmp_path: Path, speech: Path
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    shutil.copyfile(speech, media / "harbour.wav")
    rushes("init", str(tmp_path), cwd=tmp_path)
    rushes("add", "media", "--no-analyze", cwd=tmp_path)
    rushes("transcribe", "--vocabulary", NAMES, "--workers", "1", cwd=tmp_path)
    found = rushes_json("search", "harwick", cwd=tmp_path)["hits"]
    assert [h["path"].rsplit("/", 1)[-1] for h in found] == ["harbour.wav"]
    # The name lands where it was said: after "Ellen Marsh kept the light at" (~1.5 s).
    assert 1.0 < found[0]["start"] < 3.0
