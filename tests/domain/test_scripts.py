"""Unsegmented scripts and their bigram index text."""

from __future__ import annotations

from rushes.domain.scripts import grams_of, is_unsegmented, unsegmented_runs


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
