"""Word pairs for phrase search, checked against SQLite's own unicode61 tokens."""

from __future__ import annotations

import itertools
import random
import sqlite3
from collections import defaultdict

from rushes.domain.words import NON_ASCII, pairs_match, pairs_of


def test_pairs_of_ascii_text_are_its_adjacent_words_in_order() -> None:
    assert pairs_of("Tide's out, said the harbour-master.") == (
        "tide_s s_out out_said said_the the_harbour harbour_master")
    assert pairs_of("3.14 take_2") == "3_14 14_take take_2"
    assert pairs_of("alone") is None
    assert pairs_of("") is None


def test_pairs_of_other_text_are_a_superset_marked_for_checking() -> None:
    # Accents folded, more pairs than the text has (from several splits), and the row marked
    # for checking against the word index.
    assert pairs_of("Café Müller opens") == (
        f"cafe_muller muller_opens caf_m m_ller ller_opens {NON_ASCII}")
    assert pairs_of("他说 harbour master") == f"harbour_master {NON_ASCII}"
    # A combining mark that no Latin letter decomposes into: unicode61 ends a word there.
    assert "a_b" in pairs_of("a\u0305b c").split()
    # An encircled letter is a symbol to unicode61, a letter once decomposed.
    assert {"call_ow", "call_now"} <= set(pairs_of("call ⓝow").split())
    # Nothing in it folds to ASCII: no ASCII phrase can be in it, and no row to check.
    assert pairs_of("नमस्ते दुनिया यह एक परीक्षण है") is None
    assert pairs_of("我们的孩子 在河边") is None


def test_pairs_match_is_a_phrase_of_pairs_for_ascii_rows() -> None:
    assert pairs_match(("a", "b")) == '"a_b"'
    assert pairs_match(("a", "b", "c")) == '("a_b b_c" OR ("a_b" AND "b_c" AND "_n"))'


def _fts_adjacent_ascii_pairs(texts: list[str]) -> dict[int, set[str]]:
    """For each text (by index), the adjacent token pairs SQLite's unicode61 tokenizer (as the
    word index is configured) makes of it, where both tokens are ASCII."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    db.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", enumerate(texts))
    tokens: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for term, doc, offset in db.execute("SELECT term, doc, offset FROM v"):
        tokens[doc].append((offset, term))
    out: dict[int, set[str]] = {}
    for doc, found in tokens.items():
        found.sort()
        out[doc] = {
            f"{a}_{b}" for (i, a), (j, b) in itertools.pairwise(found)
            if j == i + 1 and a.isascii() and b.isascii()
        }
    return out


def test_every_pair_the_word_index_sees_is_in_the_pairs_text() -> None:
    """The index may hold more pairs than the text has (rows are checked), never fewer: a pair
    missing here is a phrase that search would never find. Every code point up to U+3000 is
    tried between and beside words (combining marks, symbols, letters that fold to ASCII), and
    random mixtures of them."""
    contexts = ["qa{c}qb zz", "qa {c}qb zz", "qa{c} qb zz", "zz {c}qa qb", "a{c}b c", "x{c} y",
                "{c}a b{c}"]
    texts = [k.replace("{c}", chr(cp)) for cp in range(0x80, 0x3000) for k in contexts]
    # Found by larger random runs: a mark unicode61 splits at next to one it removes; an
    # encircled letter (a symbol to unicode61) before a decomposed one; a Kangxi radical (a
    # CJK letter once decomposed); letters in Python's Unicode that unicode61's older tables
    # do not count as letters (New Tai Lue vowels, a Vedic sign).
    texts += ["zaa a x\u0329z\u0301\u1e4f", "x\u24ddz\u0306yyx yy \u222a",
              "y\u1ce6ca\u0302a\u2f65c ", " aa\u09bcz\u19b0\u1e1e", "c \u01edc\u1cf2"]
    rng = random.Random(7)
    pool = [chr(cp) for cp in range(0x80, 0x3000)] + list("abcxyz  .,'-_")
    texts += [
        "".join(rng.choice(pool) if rng.random() < 0.3 else rng.choice("abcxyz  ")
                for _ in range(rng.randrange(3, 15)))
        for _ in range(20_000)
    ]
    missing = []
    for doc, pairs in _fts_adjacent_ascii_pairs(texts).items():
        indexed = set((pairs_of(texts[doc]) or "").split())
        if not pairs <= indexed:
            missing.append((texts[doc], sorted(pairs - indexed)))
    assert missing == []
