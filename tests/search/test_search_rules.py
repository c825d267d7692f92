"""What a query may name and how much of it there may be, on a real catalog: SQLite and
PostgreSQL (the ``catalog`` fixture runs each test on both)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from rushes.catalog import Catalog
from rushes.catalog.clips import add_clip
from rushes.catalog.logs import add_tags
from rushes.catalog.transcripts import SegmentRow, store_transcript
from rushes.errors import UsageError
from rushes.search import search
from rushes.search.query import MAX_DEPTH, MAX_TERMS
from tests.search.corpus import CHINA, HARBOUR, RADIO


def _texts(query: str, catalog: Catalog, **options: Any) -> list[str]:
    return [h.text for h in search(catalog, query, **options).hits]


def test_a_misspelled_source_is_an_error_naming_the_sources(loaded: Catalog) -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        ("boats source:notes", {}), ("boats", {"source": "transcripts"}),
    ]
    for query, options in cases:
        with pytest.raises(UsageError) as err:
            search(loaded, query, **options)
        assert str(err.value).startswith(
            "source: wants one of transcript, clip, note, tag, metadata, ocr, not"
        )
    # Any case, as for kind; the contract's "ocr" is a source with nothing in it yet.
    assert search(loaded, "boats source:ocr").hits == []
    with pytest.raises(UsageError, match=r"^not a tag: 'people/'"):
        search(loaded, "boats tag:people/")
    assert {h.source for h in search(loaded, "boats source:Transcript").hits} == {"transcript"}


def test_a_tag_filter_is_a_tag_path_and_the_tags_below_it(loaded: Catalog) -> None:
    with loaded.write() as conn:
        add_tags(conn, HARBOUR, ["people/Ai Weiwei"])  # CHINA has "people/Ai"

    def assets(query: str, **options: Any) -> set[str]:
        return {h.asset for h in search(loaded, f"boats {query}", **options).hits}

    # The examples of `rushes search --help` and docs/transcripts-and-search.md section 7.
    assert assets('tag:"people/Ai Weiwei"') == {HARBOUR}
    assert assets("", tag="people/Ai Weiwei") == {HARBOUR}
    assert assets("", tag=" people / Ai  Weiwei ") == {HARBOUR}  # spelled as tags are stored
    assert assets("tag:people") == {HARBOUR, CHINA}
    assert assets("tag:people/ai") == {CHINA}  # a whole name, not the start of one
    assert assets("tag:people/Ai*") == {HARBOUR, CHINA}
    assert assets("tag:people/Ai tag:people/Ai*") == {CHINA}


def test_punctuation_ends_no_substring(loaded: Catalog) -> None:
    hits = search(loaded, "孩子，").hits
    assert sorted(h.text for h in hits) == sorted(_texts("孩子", loaded))
    assert {h.snippet.count("«孩子»") for h in hits} == {1}
    with pytest.raises(UsageError, match="nothing to search for"):
        search(loaded, "。")


def _nots(n: int) -> str:
    return " ".join(f"-x{i}" for i in range(n))


#: The largest queries the limits allow, each meaning "harbour" in this corpus: every term
#: but one excluded (FTS5 nests each NOT one level deeper); the deepest parentheses; NOTs
#: inside the deepest group; an OR of 64 phrases.
LARGEST = [
    "harbour " + _nots(MAX_TERMS - 1),
    "(" * MAX_DEPTH + "harbour" + ")" * MAX_DEPTH,
    "(" * (MAX_DEPTH - 1) + "harbour " + _nots(MAX_TERMS - 1) + ")" * (MAX_DEPTH - 1),
    "".join(f"(y{i} OR (" for i in range(MAX_DEPTH // 2 - 1)) + "harbour " + _nots(40)
    + ")" * (MAX_DEPTH - 2),
    " OR ".join([*(f'"y{i} z{i}"' for i in range(MAX_TERMS - 1)), "harbour"]),
    "harbour " + " ".join(f"-孩子{i}" for i in range(MAX_TERMS - 1)),
]


@pytest.mark.parametrize("query", LARGEST)
def test_the_largest_allowed_queries_work(loaded: Catalog, query: str) -> None:
    assert sorted(_texts(query, loaded)) == sorted(_texts("harbour", loaded)) != []
    assert _texts(query, loaded, kind="video", limit=1)


@pytest.mark.parametrize("query", [
    "harbour " + _nots(MAX_TERMS), "(" * (MAX_DEPTH + 1) + "harbour" + ")" * (MAX_DEPTH + 1),
    "(" * 300 + "harbour" + ")" * 300, "NOT " * 1000 + "harbour", "harbour " + _nots(100),
])
def test_too_complex_is_refused_before_any_database_work(
    loaded: Catalog, query: str, statements: list[str]
) -> None:
    with pytest.raises(UsageError, match=r"^query too complex: at most"):
        search(loaded, query)
    assert statements == []


def test_a_tag_on_a_clip_keeps_the_lines_said_within_that_clip(loaded: Catalog) -> None:
    with loaded.write() as conn:
        clip = add_clip(conn, HARBOUR, Fraction(9), Fraction(15), "master shot")
        add_tags(conn, HARBOUR, ["selects"], clip_id=clip)
        add_tags(conn, RADIO, ["selects"])  # the whole asset

    def texts(query: str) -> list[str]:
        return sorted(h.text for h in search(loaded, query).hits)

    # Not "Good morning, this is the harbour." (2 s) nor the storm line (20 s) of the harbour
    # clip; every harbour line of the radio piece, tagged as a whole.
    assert texts("harbour tag:selects") == [
        "Storm warning for the harbour tonight.",
        "The harbour master said the boats left at dawn.",
    ]
    assert texts("master tag:selects") == [
        "The harbour master said the boats left at dawn.", "master shot",
    ]
    # A segment that only begins inside the clip, or ends inside it, is within it too.
    with loaded.write() as conn:
        store_transcript(conn, HARBOUR, "asr:test", "en", [
            SegmentRow(8_000_000, 9_500_000, "harbour before and in", None, ()),
            SegmentRow(14_500_000, 16_000_000, "harbour in and after", None, ()),
            SegmentRow(15_000_000, 16_000_000, "harbour just after", None, ()),
        ])
    assert "harbour before and in" in texts("harbour tag:selects")
    assert "harbour in and after" in texts("harbour tag:selects")
    assert "harbour just after" not in texts("harbour tag:selects")
    assert "harbour just after" in texts("harbour")


def test_a_contraction_typed_without_its_apostrophe_finds_it(loaded: Catalog) -> None:
    """People type ``dont``; speech-to-text and subtitles write "don't", which the index holds
    as "don" and "t". Both spellings are found, and the highlight covers the word as written."""
    with loaded.write() as conn:
        store_transcript(conn, RADIO, "asr:test", "en", [
            SegmentRow(1_000_000, 3_000_000, "I don't know where they went.", None, ()),
            SegmentRow(4_000_000, 6_000_000, "Dont panic, it's fine.", None, ()),
            SegmentRow(7_000_000, 9_000_000, "They're back and we're glad.", None, ()),
            SegmentRow(10_000_000, 12_000_000, "The don took a t-shirt.", None, ()),
            SegmentRow(13_000_000, 15_000_000, "Were you there?", None, ()),
        ])
    found = search(loaded, "dont").hits
    assert sorted(h.text for h in found) == ["Dont panic, it's fine.",
                                             "I don't know where they went."]
    assert {h.snippet for h in found} == {"I «don't» know where they went.",
                                          "«Dont» panic, it's fine."}
    assert _texts("dont know", loaded) == ["I don't know where they went."]
    assert _texts("theyre", loaded) == ["They're back and we're glad."]
    # "were" is a word of its own: it does not also look for "we're".
    assert _texts("were", loaded) == ["Were you there?"]
    assert _texts("boats -dont", loaded) == _texts("boats", loaded)
    # Among alternatives the user typed, too.
    assert sorted(_texts("theyre OR dont", loaded)) == [
        "Dont panic, it's fine.", "I don't know where they went.",
        "They're back and we're glad."]
