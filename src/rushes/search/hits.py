"""Matching in Python over the few rows the database returned: scores, highlights, snippets,
and the moment of the first matched word.

The database decides *which* rows match (its index is the source of truth); this module only
looks inside those rows. Doing it here, once, rather than with bm25 on SQLite and ts_rank on
PostgreSQL is what makes both databases rank the same rows in the same order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rushes.domain.scripts import blank_unsegmented
from rushes.domain.words import WORD_RE, fold
from rushes.search.query import Term

#: Markers around matched words in ``snippet``. Guillemets rather than brackets because
#: transcripts are full of ``[laughter]`` and ``[inaudible]``; a client that needs certainty
#: uses ``highlights`` (character offsets into ``text``) instead of parsing the snippet.
MARK_OPEN, MARK_CLOSE = "«", "»"

#: Longest snippet, in characters; longer texts (OCR pages, web captures) are cut around the
#: first match.
SNIPPET_CHARS = 200


#: How a row ranks: (distinct query terms present, their occurrences capped at 3 so that one
#: word said ten times does not beat a segment that has everything). A plain tuple: ranking
#: builds one per candidate row.
Score = tuple[int, int]


class Matcher:
    """Finds the positive terms of a query inside a text, the way the word index would."""

    def __init__(self, terms: Sequence[Term]) -> None:
        self.words = [t for t in terms if not t.substring]
        self.subs = [re.compile(re.escape(t.text), re.IGNORECASE) for t in terms if t.substring]
        # For ASCII text (most rows) one regex per term, run on the lower-cased text, is ~20×
        # faster than tokenizing; it matches exactly what the token comparison below would.
        # None when a word term is not ASCII itself (then every text is tokenized).
        regexes = [rx for rx in map(_ascii_regex, self.words) if rx is not None]
        self.ascii = regexes if len(regexes) == len(self.words) else None
        self._word_counts = None if self.ascii is None else [rx.findall for rx in self.ascii]
        self._sub_counts = [rx.findall for rx in self.subs]
        #: Whether there is anything to look for (a query of only filters or NOT has not).
        self.active = bool(self.words or self.subs)

    def spans(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, term number) of every match, in text order."""
        out: list[tuple[int, int, int]] = []
        if self.words and self.ascii is not None and text.isascii():
            lowered = text.lower()  # ASCII: the same length, so the same offsets
            for ti, rx in enumerate(self.ascii):
                out.extend((m.start(), m.end(), ti) for m in rx.finditer(lowered))
        elif self.words:
            # Among unsegmented runs, as the word index reads the text (word_text_of).
            blanked = blank_unsegmented(text)
            toks = [(m.start(), m.end(), fold(m.group())) for m in WORD_RE.finditer(blanked)]
            for ti, term in enumerate(self.words):
                n = len(term.words)
                last = term.words[-1]
                for i in range(len(toks) - n + 1):
                    tail = toks[i + n - 1][2]
                    if not (tail.startswith(last) if term.prefix else tail == last):
                        continue
                    if all(toks[i + k][2] == term.words[k] for k in range(n - 1)):
                        out.append((toks[i][0], toks[i + n - 1][1], ti))
        base = len(self.words)
        for si, rx in enumerate(self.subs):
            out.extend((m.start(), m.end(), base + si) for m in rx.finditer(text))
        out.sort()
        return out

    def score(self, text: str) -> Score:
        """What ranking needs, without the spans: only the page shown needs those, and
        counting each term's matches in C is several times cheaper than listing them."""
        if self._word_counts is not None and (not self.words or text.isascii()):
            # A plain loop over bound findall methods: the list-and-generator version spent
            # four times the regexes' own time in Python (1.4 against 0.6 µs a row).
            lowered = text.lower() if self.words else text
            found = total = 0
            for findall in self._word_counts:
                n = len(findall(lowered))
                if n:
                    found += 1
                    total += n
            for findall in self._sub_counts:
                n = len(findall(text))
                if n:
                    found += 1
                    total += n
            return found, total if total < 3 else 3
        spans = self.spans(text)
        return len({s[2] for s in spans}), min(len(spans), 3)


def _ascii_regex(term: Term) -> re.Pattern[str] | None:
    """The term as a regex over lower-cased ASCII text: its words (folded, so lower-case)
    separated by non-word characters, each a whole word (the last may go on, for a prefix).

    The first word comes first and the "no word character before it" check right after it,
    as a fixed-width lookbehind: a pattern that starts with a literal is found by the regex
    engine's fast literal search, while one starting with a lookbehind is tried at every
    position (2 µs against 0.3 µs for a 150-character segment; case-insensitive matching
    also loses the fast search, hence the lower-cased text)."""
    if not all(w.isascii() for w in term.words):
        return None
    first = re.escape(term.words[0])
    rest = "".join(r"[\W_]+" + re.escape(w) for w in term.words[1:])
    tail = r"[^\W_]*" if term.prefix else ""
    return re.compile(rf"{first}(?<![^\W_]{first}){rest}{tail}(?![^\W_])", re.ASCII)


def merge(spans: Sequence[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching matches become one highlighted range."""
    out: list[tuple[int, int]] = []
    for start, end, _ in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def snippet(text: str, ranges: Sequence[tuple[int, int]]) -> str:
    """The text (cut to about :data:`SNIPPET_CHARS` around the first match) with matches marked,
    on one line."""
    lo, hi = 0, len(text)
    if hi > SNIPPET_CHARS:
        first = ranges[0][0] if ranges else 0
        lo = max(0, first - SNIPPET_CHARS // 4)
        if lo:
            space = text.find(" ", lo, first)
            lo = space + 1 if space >= 0 else lo
        hi = min(len(text), lo + SNIPPET_CHARS)
        if hi < len(text):
            space = text.rfind(" ", lo + SNIPPET_CHARS // 2, hi)
            hi = space if space > 0 else hi
    parts: list[str] = ["…" if lo else ""]
    pos = lo
    for start, end in ranges:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        parts += [text[pos:start], MARK_OPEN, text[start:end], MARK_CLOSE]
        pos = end
    parts += [text[pos:hi], "…" if hi < len(text) else ""]
    out = "".join(parts)
    # One line: a note or a two-line subtitle cue is shown (and printed) as a line of text.
    return " ".join(out.splitlines()) if "\n" in out or "\r" in out else out


def first_word_start(
    text: str, words: Sequence[Sequence[Any]], offset: int, matcher: Matcher
) -> int | None:
    """Start (µs) of the timed word holding the character at ``offset`` of the segment text.

    Words are located in the text in order (case-insensitively, skipping any that cannot be
    found, since ASR word lists and segment punctuation differ); when none can be located the
    words are searched for the query terms directly.
    """
    find = text.lower().find
    cursor = 0
    for word in words:
        word_text = word[2]
        word_text = (word_text if type(word_text) is str else str(word_text)).strip().lower()
        if not word_text:
            continue
        pos = find(word_text, cursor)
        if pos < 0:
            continue
        cursor = pos + len(word_text)
        if cursor > offset:
            return int(word[0])
    for word in words:
        if matcher.spans(str(word[2])):
            return int(word[0])
    return None
