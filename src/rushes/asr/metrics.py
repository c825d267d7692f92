"""Word error rate and word alignment: how transcripts are scored (benchmark, tests, and
comparing an imported transcript against a recognised one).

WER is the standard one: the minimum number of substitutions, deletions and insertions turning
the reference word sequence into the hypothesis, divided by the number of reference words, over
words normalised to lowercase with punctuation stripped (so "Harbour," and "harbour" agree).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

#: Anything that is not a letter, digit or an apostrophe inside a word.
_STRIP = re.compile(r"[^\w']+|(?<!\w)'|'(?!\w)")


def normalize_words(text: str) -> list[str]:
    """Lowercase words without punctuation: ``"Keeper's lamp, lit."`` → ``["keeper's", "lamp",
    "lit"]``; curly apostrophes count as straight ones, hyphens split words."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").lower()
    return [w for w in _STRIP.sub(" ", text.replace("_", " ")).split() if w]


@dataclass(frozen=True)
class Alignment:
    """Edit counts and the pairs of (reference index, hypothesis index) that matched exactly."""

    substitutions: int
    deletions: int
    insertions: int
    reference_words: int
    matches: list[tuple[int, int]]

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def wer(self) -> float:
        """Errors per reference word (can exceed 1 with many insertions); 0 for two empties."""
        if self.reference_words == 0:
            return 0.0 if self.errors == 0 else float("inf")
        return self.errors / self.reference_words


def align(reference: Sequence[str], hypothesis: Sequence[str]) -> Alignment:
    """Levenshtein alignment over words, with a backtrace preferring matches, then
    substitutions, so the matched pairs are the ones a person would draw. O(n·m) time and
    memory: meant for a clip's worth of words (thousands), not a feature film at once."""
    n, m = len(reference), len(hypothesis)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        row, prev, r = cost[i], cost[i - 1], reference[i - 1]
        for j in range(1, m + 1):
            sub = prev[j - 1] + (0 if r == hypothesis[j - 1] else 1)
            row[j] = min(sub, prev[j] + 1, row[j - 1] + 1)
    i, j = n, m
    subs = dels = ins = 0
    matches: list[tuple[int, int]] = []
    while i > 0 or j > 0:
        if i > 0 and j > 0:
            same = reference[i - 1] == hypothesis[j - 1]
            if cost[i][j] == cost[i - 1][j - 1] + (0 if same else 1):
                if same:
                    matches.append((i - 1, j - 1))
                else:
                    subs += 1
                i, j = i - 1, j - 1
                continue
        if i > 0 and cost[i][j] == cost[i - 1][j] + 1:
            dels += 1
            i -= 1
        else:
            ins += 1
            j -= 1
    matches.reverse()
    return Alignment(subs, dels, ins, n, matches)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """WER of ``hypothesis`` against ``reference`` text, both normalised."""
    return align(normalize_words(reference), normalize_words(hypothesis)).wer
