"""Scripts written without spaces between words, the character bigrams that index them, and
the text the word index reads once they are taken out.

Shared by the catalog (which stores the bigrams of every searchable text in
``search_entries.grams``, and the text left for the word index in ``word_text``) and the
search language (which looks such text up as a substring, and words around it as words), so
all agree on which characters count. Pure: imports nothing else of rushes.
"""

from __future__ import annotations

import re

#: Code point ranges of scripts written without spaces between words: Han (with extensions and
#: compatibility ideographs), kana, CJK punctuation/symbols, Thai, Lao, Myanmar, Khmer, Tibetan.
UNSEGMENTED = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi
    (0x3000, 0x30FF),  # CJK symbols, Hiragana, Katakana
    (0x3100, 0x31FF),  # Bopomofo, kana extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3FFFF),  # CJK extensions B…
)

_RUN_RE = re.compile(
    "[" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in UNSEGMENTED) + "]+"
)


def is_unsegmented_char(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in UNSEGMENTED)


def is_unsegmented(text: str) -> bool:
    """True when ``text`` holds a character of a script that has no spaces between words."""
    return any(is_unsegmented_char(ch) for ch in text)


def unsegmented_runs(text: str) -> list[str]:
    """The maximal runs of unsegmented-script characters in ``text``, in order."""
    return _RUN_RE.findall(text)


def blank_unsegmented(text: str) -> str:
    """``text`` with every unsegmented-script character replaced by a space: the same length,
    so offsets into it are offsets into ``text``. What the word index reads of a text
    (:func:`word_text_of`), for matching at the same offsets."""
    return _RUN_RE.sub(lambda m: " " * len(m.group()), text)


def word_text_of(text: str) -> str | None:
    """The text the word index reads in place of ``text``: its unsegmented runs taken out, so
    that the Latin words and numbers written among them are words of their own
    (``"用iPhone拍摄"`` → ``"iPhone"``, ``"1989年6月4日"`` → ``"1989 6 4"``); None when
    ``text`` has no such run (the index then reads ``text`` itself).

    Word search never looks for these scripts (a term holding one is a substring, found by the
    trigram and bigram indexes), and the tokenizers would otherwise make each whole run, with
    the Latin letters touching it, one useless token."""
    if _RUN_RE.search(text) is None:
        return None
    return " ".join(_RUN_RE.sub(" ", text).split())


def word_index_text(text: str) -> str:
    """What the word index reads of ``text``: :func:`word_text_of`, or the text itself."""
    words = word_text_of(text)
    return text if words is None else words


def grams_of(text: str) -> str | None:
    """The bigram index text of ``text``: for each unsegmented run, its overlapping character
    bigrams and then its last character alone, space-separated; None when there is no such run.

    ``"我们的孩子"`` → ``"我们 们的 的孩 孩子 子"``. Any 2-character substring of a run is one of
    its bigrams, and any single character starts a bigram or ends a run, so a 1-character query is
    a prefix lookup. The tokens hold only non-ASCII characters, so SQLite's ``ascii`` tokenizer
    and PostgreSQL's ``string_to_array(grams, ' ')`` both split them exactly at the spaces.
    """
    out: list[str] = []
    for run in unsegmented_runs(text):
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
        out.append(run[-1])
    return " ".join(out) if out else None
