"""Words as SQLite's ``unicode61`` tokenizer splits them, and the word pairs that index phrases.

Shared by the catalog (which stores the word pairs of every searchable text in
``search_entries.pairs`` on SQLite) and the search language (which looks a phrase up by its
pairs), so both split text the same way. Pure: imports nothing else of rushes.

Why pairs: FTS5 answers a phrase by walking the position lists of all its words. For a rare
phrase of common words ("the of") that is every row holding both words, however few hold the
phrase. The pair ``the_of`` is one short doclist instead (migration 0007).

The pairs are exact only where Python splits and folds text as unicode61 does, which holds for
every ASCII text: there a phrase of ASCII words matches if and only if its pairs appear in
order. A non-ASCII text gets a superset, the pairs of several ways of splitting it (Python
cannot split exactly as unicode61 does: its Unicode tables are newer, and unicode61 ends words
at some marks and symbols that Python's folding removes or turns into letters), followed by
the token :data:`NON_ASCII`; the search checks such rows against the word index itself. A
text with nothing that folds to an ASCII letter or digit (Hindi, Chinese) gets no pairs: no
ASCII phrase can be in it. That every pair the word index sees is among them was checked
against SQLite's own tokens for every code point in eight contexts and on 1.6 million random
texts; ``tests/domain/test_words.py`` keeps a smaller run of it.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Sequence

#: A word as SQLite's unicode61 tokenizer sees it: a run of letters and digits (no underscore).
WORD_RE = re.compile(r"[^\W_]+")

#: Splits a folded text into ASCII words only, for the pairs of non-ASCII texts.
_ASCII_WORD_RE = re.compile(r"[a-z0-9]+")

#: Every non-ASCII text's pairs end with this token: such rows are checked, not trusted.
NON_ASCII = "_n"


def fold(word: str) -> str:
    """Case and accent folding close to unicode61 ``remove_diacritics 2`` (simple lower-casing,
    not ``casefold``: the tokenizer keeps ß as ß)."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@functools.cache
def _latin_marks() -> frozenset[str]:
    """The combining marks that Latin letters decompose into: the diacritics unicode61 removes.
    Made on first use (only non-ASCII texts need it), not when the catalog is imported."""
    out: set[str] = set()
    for cp in range(0xC0, 0x2000):
        parts = unicodedata.normalize("NFD", chr(cp))
        if len(parts) > 1 and parts[0].isascii() and parts[0].isalpha():
            out.update(parts[1:])
    return frozenset(out)



def _splits_unlike_python(ch: str) -> bool:
    """Whether unicode61 may end a word at ``ch`` where Python's split runs on once the text is
    folded: a combining mark that no Latin letter decomposes into, or any other character that
    is not a letter or digit (ⓝ and ⽥ become letters when decomposed; to unicode61 they are
    symbols)."""
    if ch.isascii():
        return False
    if unicodedata.category(ch).startswith("M"):
        return ch not in _latin_marks()
    return not ch.isalnum()


def _pairs(words: Sequence[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in itertools.pairwise(words)]


def pairs_of(text: str) -> str | None:
    """The word-pair index text of ``text``: ``"Tide's out."`` → ``"tide_s s_out"``; None when
    it has fewer than two words, or no word that could fold to ASCII.

    ASCII text: its words' pairs, in order, so that a phrase of three words is a phrase of
    two pairs. Other text: the ASCII pairs of several splits, then :data:`NON_ASCII` (see the
    module's docstring).
    """
    if text.isascii():
        pairs = _pairs(WORD_RE.findall(text.lower()))
        return " ".join(pairs) if pairs else None
    folded = fold(text)
    if not _ASCII_WORD_RE.search(folded):
        return None  # no word of it can fold to an ASCII word, so no ASCII phrase is in it
    apart = fold("".join(" " if _splits_unlike_python(ch) else ch for ch in text))
    splits = (
        WORD_RE.findall(folded),
        [fold(w) for w in WORD_RE.findall(text)],
        _ASCII_WORD_RE.findall(folded),
        _ASCII_WORD_RE.findall(text.lower()),
        WORD_RE.findall(apart),
        _ASCII_WORD_RE.findall(apart),
    )
    seen: dict[str, None] = {}
    for words in splits:
        for pair in _pairs(words):
            if pair.isascii():
                seen[pair] = None
    return " ".join([*seen, NON_ASCII])


def pairs_match(words: Sequence[str]) -> str:
    """The FTS5 expression over ``search_pairs`` for a phrase of folded ASCII words (two or
    more): every row holding the phrase, and for non-ASCII rows possibly more (to be checked).

    ASCII rows must hold the pairs as a phrase; non-ASCII rows every pair, anywhere."""
    pairs = _pairs(words)
    if len(pairs) == 1:
        return f'"{pairs[0]}"'
    anywhere = " AND ".join([*(f'"{p}"' for p in pairs), f'"{NON_ASCII}"'])
    return f"(\"{' '.join(pairs)}\" OR ({anywhere}))"
