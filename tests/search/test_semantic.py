"""Search by meaning (``--semantic``) and hybrid search (``--hybrid``) read the query as the word
search does: its filters apply, only its free text is embedded, excluded words leave hits out,
and its errors are the word search's. On SQLite and PostgreSQL (the ``catalog`` fixture), with
a small bag-of-words embedder standing in for the model so that rankings are predictable."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from rushes.catalog import Catalog
from rushes.catalog.logs import add_note
from rushes.errors import UsageError
from rushes.search import SearchResult, search
from rushes.search import semantic as semantic_module
from rushes.search.hybrid import hybrid_search
from rushes.search.semantic import semantic_search
from tests.search.corpus import CHINA, HARBOUR, RADIO, load


class WordsEmbedder:
    """A text's vector is the sum of a fixed random vector per word: texts sharing words are
    near. Keeps what it embedded; the last text is the query's."""

    backend = "test"
    name = "words"
    model_id = "words-test-1"
    dim = 64

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.embedded.extend(texts)
        rows = []
        for text in texts:
            v = np.zeros(self.dim)
            for word in re.findall(r"\w+", text.lower()):
                seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
                v += np.random.default_rng(seed).standard_normal(self.dim)
            v = v if v.any() else np.eye(self.dim)[0]
            rows.append(v / np.linalg.norm(v))
        return np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)


Search = Callable[..., SearchResult]


@pytest.fixture
def embedder(monkeypatch: pytest.MonkeyPatch) -> WordsEmbedder:
    made = WordsEmbedder()
    monkeypatch.setattr(semantic_module, "get_embedder", lambda *a, **k: made)
    return made


@pytest.fixture
def run(catalog: Catalog, tmp_path: Path, embedder: WordsEmbedder) -> Callable[..., Any]:
    load(catalog)

    def run(how: Search, query: str, **options: Any) -> SearchResult:
        return how(catalog, tmp_path / "cache", query, **options)

    return run


BOTH = pytest.mark.parametrize("how", [semantic_search, hybrid_search],
                               ids=["semantic", "hybrid"])


def _texts(result: SearchResult) -> list[str]:
    return [h.text for h in result.hits]


@BOTH
def test_filters_typed_in_the_query_apply(run: Callable[..., SearchResult], how: Search) -> None:
    audio = run(how, "boats kind:audio")
    assert {h.asset for h in audio.hits} == {RADIO}
    assert _texts(audio) == _texts(run(how, "boats", kind="audio"))
    ellen = run(how, 'harbour speaker:"Ellen Marsh"')
    assert ellen.hits and {h.speaker for h in ellen.hits} == {"Ellen Marsh"}
    assert {h.asset for h in run(how, "boats tag:people").hits} == {CHINA}
    assert {h.asset for h in run(how, "boats after:2024-01-01").hits} == {HARBOUR}
    assert {h.source for h in run(how, "boats source:tag").hits} == {"tag"}
    # Typed and given filters add up, as in the word search.
    assert run(how, "boats kind:audio", kind="video").hits == []


def test_only_the_free_text_looked_for_is_embedded(
    run: Callable[..., SearchResult], embedder: WordsEmbedder
) -> None:
    run(semantic_search, 'the harbour speaker:"Ellen Marsh" -storm kind:video (boats OR port)')
    assert embedder.embedded[-1] == "the harbour boats port"
    run(hybrid_search, 'harb* NOT "storm warning" "master plan" AND dawn')
    assert embedder.embedded[-1] == "harb master plan dawn"
    # A contraction typed without its apostrophe is looked for both ways by words, but its
    # meaning is the written word's, once.
    run(semantic_search, "dont (leave OR youre)")
    assert embedder.embedded[-1] == "don't leave you're"


@BOTH
@pytest.mark.parametrize("query", [
    "boats kind:movie", "boats source:notes", '"unclosed', "boats before:2024-13",
    "boats " + " ".join(f"-x{i}" for i in range(64)), "(" * 17 + "boats" + ")" * 17, "。",
])
def test_errors_are_the_word_search_s_before_the_model_works(
    run: Callable[..., SearchResult], embedder: WordsEmbedder, catalog: Catalog, how: Search,
    query: str,
) -> None:
    with pytest.raises(UsageError) as expected:
        search(catalog, query)
    with pytest.raises(UsageError) as err:
        run(how, query)
    assert str(err.value) == str(expected.value)
    assert embedder.embedded == []


@BOTH
def test_filters_alone_have_no_meaning_to_search_for(
    run: Callable[..., SearchResult], how: Search
) -> None:
    for query in ("kind:audio", "kind:audio -storm"):
        with pytest.raises(UsageError, match="needs words to look for"):
            run(how, query)


@BOTH
def test_excluded_words_leave_out_the_hits_that_contain_them(
    run: Callable[..., SearchResult], how: Search
) -> None:
    everything = _texts(run(how, "harbour tonight", limit=50))
    assert everything[0] == "Storm warning for the harbour tonight."
    kept = _texts(run(how, "harbour tonight -storm", limit=50))
    if how is semantic_search:
        assert kept == [t for t in everything if "storm" not in t.lower()]
    assert kept and not any("storm" in t.lower() for t in kept)
    # Page by page: the nearest is excluded, so the ranking is read deeper than asked.
    pages = [_texts(run(how, "harbour tonight -storm", limit=1, offset=n))
             for n in range(len(kept))]
    assert [t for page in pages for t in page] == kept
    for query, absent in (("harbour -(storm OR boats)", ("storm", "boats")),
                          ('harbour NOT "harbour master"', ("harbour master",))):
        texts = _texts(run(how, query, limit=50))
        assert texts and not any(a in t.lower() for t in texts for a in absent), query
    # Under OR an exclusion narrows one alternative, which meaning matches anyway (the
    # hybrid's word half still applies the whole boolean, so only meaning is compared).
    if how is semantic_search:
        assert _texts(run(how, "(harbour -storm) OR port")) == _texts(run(how, "harbour port"))


@BOTH
def test_highlights_never_mark_an_excluded_word(
    run: Callable[..., SearchResult], how: Search
) -> None:
    result = run(how, "harbour -master kind:video", limit=50)
    assert any("«harbour»" in h.snippet.lower() for h in result.hits)
    assert not any("«master" in h.snippet.lower() or "«kind" in h.snippet.lower()
                   for h in result.hits)
    assert all("master" not in h.text.lower() for h in result.hits)


@BOTH
def test_a_read_only_catalog_searches_an_index_that_holds_every_entry(
    catalog: Catalog, tmp_path: Path, embedder: WordsEmbedder, how: Search
) -> None:
    load(catalog)
    why = "the project /films is read-only here (its .rushes is not writable by this user)"
    frozen = Catalog(catalog.engine, read_only=why)
    with pytest.raises(UsageError, match=r"read-only here .*, and it has no index of its"):
        how(frozen, tmp_path / "cache", "boats")
    assert not (tmp_path / "cache").exists()
    found = _texts(how(catalog, tmp_path / "cache", "boats"))
    assert _texts(how(frozen, tmp_path / "cache", "boats")) == found
    with catalog.write() as conn:
        add_note(conn, RADIO, "boats in the harbour at night")
    with pytest.raises(UsageError, match=r"has changed since its index of meaning"):
        how(frozen, tmp_path / "cache", "boats")
