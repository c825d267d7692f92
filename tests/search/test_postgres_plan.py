"""When the PostgreSQL backend tells the planner to sort a word's matches from the GIN index
instead of walking the newest rows: a decision made from PostgreSQL's own word statistics,
tested here with statistics of a known shape (750,000 entries)."""

from __future__ import annotations

from typing import Any

import pytest

from rushes.search.core import Filters
from rushes.search.postgres_backend import _bounded, _common_word, _rare_pairs, _WordStats
from rushes.search.query import parse_query

STATS = _WordStats(share={"the": 0.72, "harbour": 0.02, "bolt": 0.008, "lamp": 0.004},
                   floor=0.0001, rows=750_000)


def _decide(query: str, stats: Any = STATS) -> bool:
    parsed = parse_query(query)
    assert parsed.expr is not None
    return _bounded(parsed.expr, Filters.build(parsed), stats)


@pytest.mark.parametrize(("query", "sorted_from_index"), [
    # No asset filter: a word in up to 3,000 rows, a phrase with a word in up to 10,000.
    ("lamp", True),  # 3,000 rows
    ("zyzzyva", True),  # below the statistics' floor: 75 rows at most
    ("bolt", False),  # 6,000 rows: the planner walks
    ("bolt lamp", True),  # AND: the rarer word bounds every match
    ("(bolt OR lamp) harbour", False),
    ('"the lamp"', True),
    ('"the bolt"', True),
    ('"the harbour"', False),  # 15,000 rows: above BITMAP_ROWS
    # A set-of-assets filter hides its selectivity: any word up to 20,000 rows.
    ("harbour kind:audio", True),
    ("lamp after:2019-03 before:2019-06", True),
    ("the harbour tag:people", True),  # AND: the rarer word bounds every match
    ("the kind:video", False),  # 540,000 rows: the walk finds 201 soon
    ("harb* kind:audio", False),  # a prefix's rows are not known from word statistics
    ("(harbour OR the) kind:audio", False),  # an OR is as common as its commoner side
    # A speaker filter is a column the planner estimates: no help needed.
    ('harbour speaker:"Ellen Marsh"', False),
])
def test_which_searches_sort_the_words_matches(query: str, sorted_from_index: bool) -> None:
    assert _decide(query) is sorted_from_index


def test_without_statistics_the_planner_decides() -> None:
    assert _decide("harbour kind:audio", stats=None) is False


@pytest.mark.parametrize(("query", "walked"), [
    ("the", True),  # 540,000 rows
    ("bolt", True),  # 6,000 rows: above WORD_BITMAP_ROWS
    ("lamp", False),  # 3,000 rows: sorted from the index instead
    ("zyzzyva", False),
    ('"the harbour"', False),  # a phrase can be rare however common its words
    ("the harbour", False),  # so can two words
    ("the kind:video", False),  # and a filter
    ('the speaker:"Ellen Marsh"', False),
    ("the*", False),
    ("the OR harbour", False),
])
def test_which_searches_walk_without_the_planners_estimate(query: str, walked: bool) -> None:
    parsed = parse_query(query)
    assert parsed.expr is not None
    got = _common_word(parsed.expr, Filters.build(parsed), STATS)
    assert got is walked


#: STATS with word pairs (``rushes_pairs(tsv)``, migration 0010).
PAIRS = _WordStats(share=STATS.share, floor=STATS.floor, rows=STATS.rows,
                   pair_share={"the_harbour": 0.01, "the_bolt": 0.004, "harbour_master": 0.0002},
                   pair_floor=0.0001)


def _pairs_for(query: str, limit: int = 201, stats: Any = PAIRS) -> str | None:
    parsed = parse_query(query)
    assert parsed.expr is not None
    return _rare_pairs(parsed.expr, stats, limit=limit)


@pytest.mark.parametrize(("query", "pairs"), [
    ('"harbour master"', "'harbour_master'"),  # 150 rows
    # 3,000 rows: sorting beats the walk below √(201 × 750,000 × 0.15) ≈ 4,750 rows
    ('"the bolt"', "'the_bolt'"),
    ('"the harbour"', None),  # 7,500 rows: the walk
    ('"the harbour master"', "'the_harbour' & 'harbour_master'"),  # the rarer pair bounds it
    ('"zyzzyva quux"', "'zyzzyva_quux'"),  # below the statistics' floor: 75 rows at most
    ('"harbour master" OR "the bolt"', "('harbour_master') | ('the_bolt')"),  # 3,150 rows
    ('"the harbour" OR "harbour master"', None),  # 7,650 rows
    ('"harbour master" storm', "('harbour_master')"),  # a word adds no pair
    ('"harbour master" -"the bolt"', "('harbour_master')"),  # nor does a NOT
    ("harbour master", None),  # two words, not a phrase
    ('"the harbour" OR storm', None),  # an OR with no pair on one side
    ('"harbour mas"*', None),  # a prefix
    ('"café opens"', None),  # typed with other than ASCII
    ('"harbour master" 孩子们', None),  # a substring: not one tsquery
])
def test_which_phrases_are_read_from_the_pair_index(query: str, pairs: str | None) -> None:
    assert _pairs_for(query) == pairs


def test_a_deeper_page_reads_commoner_pairs_from_the_index() -> None:
    """The walk for 1,001 rows reads five times as far: the two cost the same at 10,600."""
    assert _pairs_for('"the harbour"', limit=1001) == "'the_harbour'"


def test_without_pair_statistics_phrases_are_left_as_before() -> None:
    assert _pairs_for('"harbour master"', stats=STATS) is None
    assert _pairs_for('"harbour master"', stats=None) is None


@pytest.mark.parametrize(("query", "sorted_from_index"), [
    ('"the lamp"', False),  # the pair index decided: not from the words' rows
    ('"the harbour" lamp', True),  # the rare word still bounds every match
    ('"the lamp" 孩子们', True),  # no pairs with a substring: the words' rule as before
    ('"café lamp"', True),  # nor typed with other than ASCII
])
def test_with_pair_statistics_phrases_are_not_sorted_from_their_words(
    query: str, sorted_from_index: bool
) -> None:
    assert _decide(query, stats=PAIRS) is sorted_from_index
