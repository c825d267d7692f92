"""Reciprocal rank fusion and the word half of hybrid search."""

from __future__ import annotations

from rushes.search.hybrid import fuse, word_query


def test_fusion_rewards_agreement_and_keeps_order_on_ties() -> None:
    # 3 is second in both lists: 2/(60+2) beats 1/(60+1) for the firsts of one list each.
    assert fuse([[1, 3, 5], [2, 3, 6]])[0] == 3
    assert fuse([[1, 2], [2, 1]]) == [1, 2]  # same score: the first seen first
    assert fuse([[], [4, 5]]) == [4, 5]


def test_the_any_word_variant_keeps_content_words_and_respects_query_syntax() -> None:
    query = "when did the fishing vessels depart"
    assert word_query(query) == "when OR fishing OR vessels OR depart"
    assert word_query('"harbour master"') == '"harbour master"'
    assert word_query("boats -storm") == "boats -storm"
    assert word_query("a an the") == "a an the"
