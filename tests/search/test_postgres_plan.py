"""When the PostgreSQL backend tells the planner to sort a word's matches from the GIN index
instead of walking the newest rows: a decision made from PostgreSQL's own word statistics,
tested here with statistics of a known shape (750,000 entries)."""

from __future__ import annotations

from typing import Any

import pytest

from rushes.search import postgres_backend
from rushes.search.core import Filters
from rushes.search.postgres_backend import _bounded, _common_word, _WordStats
from rushes.search.query import parse_query

STATS = _WordStats(share={"the": 0.72, "harbour": 0.02, "bolt": 0.008, "lamp": 0.004},
                   floor=0.0001, rows=750_000)


def _decide(query: str, monkeypatch: pytest.MonkeyPatch, stats: Any = STATS) -> bool:
    monkeypatch.setattr(postgres_backend, "_word_stats", lambda conn: stats)
    parsed = parse_query(query)
    assert parsed.expr is not None
    return _bounded(parsed.expr, Filters.build(parsed), conn=None)  # type: ignore[arg-type]


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
def test_which_searches_sort_the_words_matches(
    query: str, sorted_from_index: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _decide(query, monkeypatch) is sorted_from_index


def test_without_statistics_the_planner_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _decide("harbour kind:audio", monkeypatch, stats=None) is False


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
def test_which_searches_walk_without_the_planners_estimate(
    query: str, walked: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres_backend, "_word_stats", lambda conn: STATS)
    parsed = parse_query(query)
    assert parsed.expr is not None
    got = _common_word(parsed.expr, Filters.build(parsed), conn=None)  # type: ignore[arg-type]
    assert got is walked
