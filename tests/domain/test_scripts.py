"""Unsegmented scripts and their bigram index text."""

from __future__ import annotations

from rushes.domain.scripts import (
    blank_unsegmented,
    grams_of,
    is_unsegmented,
    unsegmented_runs,
    word_index_text,
    word_text_of,
)


def test_grams_are_overlapping_bigrams_and_the_last_character_of_each_run() -> None:
    assert grams_of("我们的孩子") == "我们 们的 的孩 孩子 子"
    assert grams_of("孩") == "孩"
    assert grams_of("The 孩子 and 河。") == "孩子 子 河。 。"
    assert grams_of("ภาษา") == "ภา าษ ษา า"
    assert grams_of("no such script") is None
    assert grams_of("") is None


def test_runs_and_classes() -> None:
    assert unsegmented_runs("a我们b的 孩子") == ["我们", "的", "孩子"]
    assert is_unsegmented("x中") and not is_unsegmented("café")
    assert unsegmented_runs("𠀀𠀁") == ["𠀀𠀁"]  # extension B, beyond the BMP


def test_the_word_index_reads_the_text_with_its_runs_taken_out() -> None:
    assert word_text_of("我们用iPhone拍摄") == "iPhone"
    assert word_text_of("1989年6月4日，北京") == "1989 6 4 ，"
    assert word_text_of("カメラはSony A7で") == "Sony A7"
    assert word_text_of("我们的孩子") == ""
    assert word_text_of("no runs here") is None
    assert word_index_text("no runs here") == "no runs here"
    assert word_index_text("用iPhone") == "iPhone"
    # Offsets stay put for highlighting: one space per character, astral ones included.
    assert blank_unsegmented("a中b𠀀c") == "a b c"
    assert blank_unsegmented("𠀀x") == " x"
