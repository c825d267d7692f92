"""The search box's language, parsed into a small tree both database backends compile.

Syntax (documented for users in ``rushes search --help``):

- ``harbour master``: every word must match (AND is implied between neighbours);
- ``"harbour master"``: a phrase (consecutive words); ``"harbour mas"*``: the last word a prefix;
- ``harb*``: a prefix;
- ``AND``, ``OR``, ``NOT`` (upper case, so that the words "and", "or", "not" stay searchable),
  ``-word`` / ``-"a phrase"`` / ``-(a OR b)`` for NOT, and parentheses. OR binds looser than AND;
- filters ``kind:video``, ``asset:<id prefix>``, ``speaker:"Ellen Marsh"`` (``speaker:Ell*``),
  ``tag:people`` (a tag path and the tags below it: ``people/Ai Weiwei``; ``tag:people/Ai*`` for
  a prefix), ``source:transcript``, ``after:2024-01-01`` (asset date ≥), ``before:2024-02-01``
  (asset date <). Filters always apply to the whole query, so they may not sit under OR or NOT;
- a term containing Chinese, Japanese or another script written without spaces (Thai, Lao, Khmer,
  Myanmar) is looked up as a substring, because those scripts have no word boundaries to index;
  punctuation at its ends (``黄铜，``) is not part of it, and a term of punctuation alone (``。``,
  ``!!!``) is nothing to look for, whatever the script, as punctuation is never a word;
- an English contraction typed without its apostrophe (``dont``, ``youre``) finds it written
  either way (:data:`CONTRACTIONS`; the index splits "don't" into "don" and "t");
- at most :data:`MAX_TERMS` words, phrases and filters, nested at most :data:`MAX_DEPTH` levels
  of parentheses and NOT: beyond that the parser (which recurses) and the databases' own query
  parsers (FTS5 fails with "parser stack overflow" at about 100 levels) would fail, so it is a
  usage error, decided here before any database work.

Parsing is pure (no database) so that every rule is pinned by a fast unit test, and so that the
SQLite and PostgreSQL backends cannot disagree about what a query means.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TypeAlias

from rushes.domain.scripts import is_unsegmented, is_unsegmented_char
from rushes.domain.words import WORD_RE, fold
from rushes.errors import UsageError

#: Filter names the query language knows; anything else before a colon is part of a word
#: (``10:30``, ``http://…``).
FILTERS = ("kind", "asset", "speaker", "tag", "source", "after", "before")

#: The most words, phrases and filters one query may hold: far beyond what a person types,
#: and well inside what both databases parse (see the module docstring).
MAX_TERMS = 64
#: The deepest nesting of parentheses and NOT (``-(a -(b …))``) one query may hold.
MAX_DEPTH = 16
#: How much of a query an error message or "no hits" repeats.
SHOWN_CHARS = 60


def shorten(text: str, width: int = SHOWN_CHARS) -> str:
    """``text`` cut to ``width`` characters with "…": a message quotes the query for context,
    and a pasted 100,000-character query would bury the message itself."""
    return text if len(text) <= width else text[:width - 1] + "…"


@dataclass(frozen=True)
class Term:
    """One thing to look for.

    ``words`` are the folded words of a word or phrase (one word for a plain word); ``prefix``
    makes the last word a prefix. ``substring`` terms (unsegmented scripts) keep ``text`` as typed
    and match anywhere inside the text.
    """

    text: str
    words: tuple[str, ...]
    prefix: bool = False
    substring: bool = False

    @property
    def by_grams(self) -> bool:
        """A 1–2 character substring of one unsegmented run: answered by the bigram index
        (``search_entries.grams``); longer substrings go to the trigram index."""
        return self.substring and len(self.text) <= 2 and all(
            is_unsegmented_char(ch) for ch in self.text
        )

    @property
    def label(self) -> str:
        if self.substring:
            return self.text
        body = " ".join(self.words)
        body = f'"{body}"' if len(self.words) > 1 else body
        return body + ("*" if self.prefix else "")


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]
    #: The children are one word's spellings (``dont`` typed, "don't" written: the last one),
    #: not alternatives the user typed: a search by meaning embeds the written one alone.
    spellings: bool = False


@dataclass(frozen=True)
class Not:
    child: Node


Node: TypeAlias = Term | And | Or | Not


@dataclass(frozen=True)
class Filter:
    name: str
    value: str


@dataclass(frozen=True)
class Query:
    """A parsed query: the text expression (None for filters alone) and the filters."""

    text: str
    expr: Node | None
    filters: tuple[Filter, ...] = field(default_factory=tuple)

    def filter_values(self, name: str) -> list[str]:
        return [f.value for f in self.filters if f.name == name]


def positive_terms(node: Node | None) -> list[Term]:
    """The terms a hit may contain (those not under NOT): what gets highlighted and scored."""
    out: list[Term] = []

    def walk(n: Node | None, negated: bool) -> None:
        if n is None:
            return
        if isinstance(n, Term):
            if not negated and n not in out:
                out.append(n)
        elif isinstance(n, Not):
            walk(n.child, not negated)
        else:
            for c in n.children:
                walk(c, negated)

    walk(node, False)
    return out


# --- tokenizer ---------------------------------------------------------------------------------

_Token: TypeAlias = tuple[str, str, bool]  # (kind, text, prefix) kind: ( ) word phrase op neg


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append((ch, ch, False))
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise UsageError(
                    f"unbalanced quote in {shorten(text)!r}: a \" has no closing partner"
                )
            prefix = end + 1 < n and text[end + 1] == "*"
            out.append(("phrase", text[i + 1:end], prefix))
            i = end + (2 if prefix else 1)
        elif ch == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "-":
            out.append(("neg", "-", False))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()"':
                j += 1
            word = text[i:j]
            name, colon, value = word.partition(":")
            if colon and name.lower() in FILTERS:
                if not value and j < n and text[j] == '"':
                    end = text.find('"', j + 1)
                    if end < 0:
                        raise UsageError(f"unbalanced quote in {shorten(text)!r}: "
                                         "a \" has no closing partner")
                    value, j = text[j + 1:end], end + 1
                    if j < n and text[j] == "*":
                        value, j = value + "*", j + 1
                if not value.strip():
                    raise UsageError(f"filter {name}: needs a value (for example {name}:…)")
                out.append(("filter", f"{name.lower()}:{value.strip()}", False))
            elif word in ("AND", "OR", "NOT"):
                out.append(("op", word, False))
            else:
                out.append(("word", word, False))
            i = j
    return out


# --- parser ------------------------------------------------------------------------------------

_Parsed: TypeAlias = Node | Filter | None


class _Parser:
    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.pos = 0
        #: Parentheses and NOTs open around the token being parsed: see :meth:`enter`.
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def error(self, message: str) -> UsageError:
        return UsageError(f"{message} in query {shorten(self.text)!r}")

    def enter(self) -> None:
        """One level deeper (a parenthesis or a NOT). Checked as the parser descends, so that
        a query of 1,000 NOTs fails at the 17th with a usage error, not with Python's
        RecursionError at the thousandth."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise UsageError(
                f"query too complex: at most {MAX_DEPTH} levels of parentheses and NOT"
            )

    def parse(self) -> _Parsed:
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:
            raise self.error("unbalanced parentheses: a ')' has no opening partner"
                             if tok[0] == ")" else f"unexpected {tok[1]!r}")
        return node

    def or_expr(self) -> _Parsed:
        parts = [self.and_expr()]
        while (tok := self.peek()) is not None and tok == ("op", "OR", False):
            self.take()
            parts.append(self.and_expr())
        if len(parts) == 1:
            return parts[0]
        if any(p is None for p in parts):
            raise self.error("OR needs something to look for on both sides")
        for p in parts:
            _no_filters(p, self, "OR")
        return Or(tuple(p for p in parts if p is not None and not isinstance(p, Filter)))

    def and_expr(self) -> _Parsed:
        parts: list[Node | Filter] = []
        while (tok := self.peek()) is not None and tok[0] != ")" and tok != ("op", "OR", False):
            if tok == ("op", "AND", False):
                self.take()
                if not parts or self.peek() is None or self.peek() in (
                    (")", ")", False), ("op", "OR", False), ("op", "AND", False)
                ):
                    raise self.error("AND needs something to look for on both sides")
                continue
            part = self.unary()
            if part is not None:
                parts.append(part)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))  # type: ignore[arg-type]

    def unary(self) -> _Parsed:
        tok = self.peek()
        assert tok is not None
        if tok == ("op", "NOT", False) or tok[0] == "neg":
            self.take()
            if self.peek() is None or self.peek() in ((")", ")", False), ("op", "OR", False)):
                raise self.error(f"{tok[1]} needs something after it")
            # ``-(…)`` is one level, as a reader sees it: the parenthesis counts it.
            counted = self.peek() != ("(", "(", False)
            if counted:
                self.enter()
            child = self.unary()
            if counted:
                self.depth -= 1
            if child is None:
                return None
            _no_filters(child, self, "NOT")
            assert not isinstance(child, Filter)
            return Not(child)
        return self.primary()

    def primary(self) -> _Parsed:
        kind, text, prefix = self.take()
        if kind == "(":
            self.enter()
            inner = self.or_expr()
            self.depth -= 1
            if self.peek() is None:
                raise self.error("unbalanced parentheses: a '(' has no closing partner")
            self.take()
            if inner is None:
                raise self.error("empty parentheses")
            return inner
        if kind == ")":
            raise self.error("unbalanced parentheses: a ')' has no opening partner")
        if kind == "op":
            raise self.error(f"{text} needs something to look for on both sides")
        if kind == "filter":
            name, _, value = text.partition(":")
            return Filter(name, value)
        if kind == "word" and text.endswith("*"):
            text, prefix = text.rstrip("*"), True
        term = make_term(text.replace("*", " "), prefix)
        if kind == "word" and term is not None and not prefix and len(term.words) == 1:
            spelled = CONTRACTIONS.get(term.words[0])
            if spelled is not None:
                # ``dont`` as typed also finds "don't", which the index holds as "don" "t".
                alternative = make_term(spelled)
                assert alternative is not None
                return Or((term, alternative), spellings=True)
        return term


def _contractions() -> dict[str, str]:
    """English contractions as people type them without the apostrophe, and as spoken text
    writes them. Only those that are not words of their own: ``its``, ``were`` (we're),
    ``well``, ``lets``, ``ill``, ``id`` (I'd), ``wed``, ``shed``, ``hell`` … stay what they
    are."""
    spelled = [
        "don't", "doesn't", "didn't", "can't", "couldn't", "won't", "wouldn't", "shouldn't",
        "isn't", "aren't", "wasn't", "weren't", "hasn't", "haven't", "hadn't", "mustn't",
        "needn't", "ain't", "i'm", "i've", "you're", "you've", "you'll", "you'd", "they're",
        "they've", "they'll", "we've", "he's", "she's", "that's", "what's", "there's", "here's",
        "where's", "who's", "how's",
    ]
    return {w.replace("'", ""): w for w in spelled}


#: ``dont`` → ``don't``: a word typed without its apostrophe also finds it written with one.
CONTRACTIONS = _contractions()


def make_term(text: str, prefix: bool = False) -> Term | None:
    """A term from typed text; None when it holds nothing searchable (only punctuation).

    A word term ignores punctuation as the word index does (``night?`` is ``night``). A
    substring term would match it literally, so its ends are trimmed of punctuation and
    symbols first: ``。`` alone would otherwise find every Chinese sentence end while ``，``
    and ``!!!`` find nothing, and ``黄铜，`` would miss ``黄铜。``."""
    text = " ".join(text.split())
    if not text:
        return None
    if is_unsegmented(text):
        text = _trim_punctuation(text)
        if not text:
            return None
        if is_unsegmented(text):
            return Term(text, (), False, True)
    words = tuple(fold(w) for w in WORD_RE.findall(text))
    if not words:
        return None
    return Term(text, words, prefix)


def _is_punctuation(ch: str) -> bool:
    """Punctuation, a symbol or a space, in any script (Unicode categories P*, S*, Z*)."""
    return unicodedata.category(ch)[0] in "PSZ"


def _trim_punctuation(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _is_punctuation(text[start]):
        start += 1
    while end > start and _is_punctuation(text[end - 1]):
        end -= 1
    return text[start:end]


def _no_filters(node: _Parsed, parser: _Parser, where: str) -> None:
    def walk(n: _Parsed) -> None:
        if isinstance(n, Filter):
            raise parser.error(
                f"filter {n.name}: applies to the whole query and cannot sit under {where}"
            )
        if isinstance(n, And | Or):
            for c in n.children:
                walk(c)
        elif isinstance(n, Not):
            walk(n.child)

    walk(node)


def _simplify(node: Node) -> Node:
    """Flatten nested ANDs/ORs so backends see the widest groups (one FTS5 query, not many)."""
    if isinstance(node, Not):
        return Not(_simplify(node.child))
    if isinstance(node, Or) and node.spellings:
        return node
    if isinstance(node, And | Or):
        flat: list[Node] = []
        for c in node.children:
            s = _simplify(c)
            # A word's spellings stay one node (semantic search embeds one of them).
            if type(s) is type(node) and not (isinstance(s, Or) and s.spellings):
                flat.extend(s.children)
            else:
                flat.append(s)
        return flat[0] if len(flat) == 1 else type(node)(tuple(flat))
    return node


def _has_positive(node: Node) -> bool:
    """Whether the expression can be looked up without scanning everything (not only NOTs)."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_has_positive(c) for c in node.children)
    return all(_has_positive(c) for c in node.children)


def _and_parts(tree: _Parsed) -> list[Node | Filter]:
    """The conjuncts of the top level, through nested ANDs: where filters may stand."""
    if tree is None:
        return []
    if isinstance(tree, And):
        out: list[Node | Filter] = []
        for c in tree.children:
            out.extend(_and_parts(c))
        return out
    return [tree]


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def normalise_date(name: str, value: str) -> str:
    """``2024`` / ``2024-03`` / ``2024-03-05`` → ``YYYY-MM-DD`` (the first day of the span)."""
    m = _DATE_RE.match(value.strip())
    if m:
        try:  # a calendar date: 2024-02-31 is a typo, not the 2nd of March
            return datetime.date(*(int(part or 1) for part in m.groups())).isoformat()
        except ValueError:
            pass
    raise UsageError(
        f"{name}: wants a date like 2024-01-31, 2024-01 or 2024, not {shorten(value)!r}"
    )


def parse_query(text: str) -> Query:
    """Parse the search box. Raises :class:`UsageError` with one readable line on bad syntax."""
    if not text or not text.strip():
        raise UsageError("empty search query: give words to look for")
    tokens = _tokens(text)
    terms = sum(1 for kind, _, _ in tokens if kind in ("word", "phrase", "filter"))
    if terms > MAX_TERMS:
        raise UsageError(f"query too complex: at most {MAX_TERMS} terms (words, phrases and "
                         f"filters), not {terms}")
    parser = _Parser(text, tokens)
    tree = parser.parse()
    parts = _and_parts(tree)
    filters = [p for p in parts if isinstance(p, Filter)]
    rest = [p for p in parts if not isinstance(p, Filter)]
    expr: Node | None = None if not rest else rest[0] if len(rest) == 1 else And(tuple(rest))
    for f in filters:
        if f.name in ("after", "before"):
            normalise_date(f.name, f.value)
    if expr is not None:
        expr = _simplify(expr)
        if not _has_positive(expr) and not filters:
            raise UsageError(
                f"query {shorten(text)!r} only excludes; add a word or a filter to look for"
            )
    if expr is None and not filters:
        raise UsageError(f"nothing to search for in {shorten(text)!r}")
    return Query(text, expr, tuple(filters))
