"""The query language, parsed without a database."""

from __future__ import annotations

import pytest

from rushes.errors import UsageError
from rushes.search.hits import Matcher, merge, snippet
from rushes.search.query import And, Filter, Not, Or, Term, parse_query, positive_terms


def _words(node: object) -> object:
    """A compact picture of a tree: terms as their labels."""
    if isinstance(node, Term):
        return node.label
    if isinstance(node, Not):
        return ("NOT", _words(node.child))
    if isinstance(node, And | Or):
        return (type(node).__name__.upper(), *(_words(c) for c in node.children))
    return node


@pytest.mark.parametrize(("text", "tree"), [
    ("harbour", "harbour"),
    ("Harbour Master", ("AND", "harbour", "master")),
    ('"harbour master"', '"harbour master"'),
    ('"harbour mas"*', '"harbour mas"*'),
    ("harb*", "harb*"),
    ("boat OR ship", ("OR", "boat", "ship")),
    ("boat ship OR storm", ("OR", ("AND", "boat", "ship"), "storm")),
    ("boat AND (ship OR storm)", ("AND", "boat", ("OR", "ship", "storm"))),
    ("boat -storm", ("AND", "boat", ("NOT", "storm"))),
    ("boat NOT storm", ("AND", "boat", ("NOT", "storm"))),
    ('boat -"big storm"', ("AND", "boat", ("NOT", '"big storm"'))),
    ("boat -(a OR b)", ("AND", "boat", ("NOT", ("OR", "a", "b")))),
    ("ninety-eight", '"ninety eight"'),
    ("and or not", ("AND", "and", "or", "not")),
    ("10:30", '"10 30"'),
    ("孩子", "孩子"),
    ("((boat))", "boat"),
])
def test_parse_trees(text: str, tree: object) -> None:
    assert _words(parse_query(text).expr) == tree


def test_filters_apply_to_the_whole_query() -> None:
    q = parse_query('kind:video speaker:"Ellen Marsh" (harbour OR port) tag:people/Ai '
                    "source:transcript asset:A1B2 after:2024-01 before:2025")
    assert q.filters == (
        Filter("kind", "video"), Filter("speaker", "Ellen Marsh"), Filter("tag", "people/Ai"),
        Filter("source", "transcript"), Filter("asset", "A1B2"), Filter("after", "2024-01"),
        Filter("before", "2025"),
    )
    assert _words(q.expr) == ("OR", "harbour", "port")


def test_filters_alone_and_with_only_exclusions_are_queries() -> None:
    assert parse_query("speaker:Tom*").expr is None
    assert _words(parse_query("kind:audio -storm").expr) == ("NOT", "storm")


def test_substring_terms_are_marked() -> None:
    q = parse_query("孩子的 boat")
    assert isinstance(q.expr, And)
    terms = positive_terms(q.expr)
    assert [t.substring for t in terms] == [True, False]


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"),
    ("   ", "empty"),
    ('"harbour master', "unbalanced quote"),
    ('speaker:"Ellen', "unbalanced quote"),
    ("(harbour", "unbalanced parentheses"),
    ("harbour)", "unbalanced parentheses"),
    ("()", "empty parentheses"),
    ("OR boat", "OR needs"),
    ("boat OR", "OR needs"),
    ("boat AND", "AND needs"),
    ("-storm", "only excludes"),
    ("NOT", "NOT needs"),
    ("kind:", "needs a value"),
    ("after:yesterday boat", "after: wants a date"),
    ("boat before:2024-02-31", "before: wants a date"),
    ("boat after:0000", "after: wants a date"),
    ("boat OR kind:video", "cannot sit under OR"),
    ("boat -kind:video", "cannot sit under NOT"),
    ("!!!", "nothing to search for"),
])
def test_bad_syntax_is_one_readable_line(text: str, message: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_query(text)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_matcher_and_snippet_mark_whole_words_phrases_prefixes_and_substrings() -> None:
    terms = positive_terms(parse_query('"harbour master" boat* 孩子 -dawn').expr)
    m = Matcher(terms)
    text = "The Harbour master's boats; 我们的孩子. Harbourmaster at dawn"
    ranges = merge(m.spans(text))
    assert snippet(text, ranges) == (
        "The «Harbour master»'s «boats»; 我们的«孩子». Harbourmaster at dawn"
    )
    assert [text[a:b] for a, b in ranges] == ["Harbour master", "boats", "孩子"]


def test_long_texts_are_cut_around_the_first_match() -> None:
    m = Matcher(positive_terms(parse_query("needle").expr))
    text = "hay " * 100 + "needle " + "hay " * 100
    cut = snippet(text, merge(m.spans(text)))
    assert cut.startswith("…") and cut.endswith("…")
    assert "«needle»" in cut and len(cut) <= 205


def test_accents_and_case_fold_in_highlights() -> None:
    m = Matcher(positive_terms(parse_query("cafe").expr))
    assert merge(m.spans("Un CAFÉ noir")) == [(3, 7)]


@pytest.mark.parametrize("query", [
    "harbour", "ha*", '"harbour master"', '"harbour mas"*', "harbour master", "a", "3.14",
    "don't", "x_y",
])
def test_the_ascii_regexes_match_what_the_tokens_match(query: str) -> None:
    # ASCII texts take a regex per term over the lower-cased text; every other text is
    # tokenized and compared word by word. Both must find the same matches.
    texts = [
        "The HARBOUR master's harbour-master; harbourmaster, a_harbour_b harbour2 harbour",
        "haha ha HA h.a Harbour -- Master: harbour\tmaster harbour  masters",
        "Don't say 3.14 or 3,14; x_y, x-y, xy. A a-a _a_",
        "",
    ]
    fast = Matcher(positive_terms(parse_query(query).expr))
    assert fast.ascii is not None
    slow = Matcher(positive_terms(parse_query(query).expr))
    slow.ascii = None
    for text in texts:
        assert fast.spans(text) == slow.spans(text), text
        assert fast.score(text) == slow.score(text), text
    assert any(fast.spans(t) for t in texts)


@pytest.mark.parametrize("text", ["。", "，", "!!!", "、", "「」", '"。"', "…", "。 ，", "¥"])
def test_punctuation_alone_is_nothing_to_search_for_in_any_script(text: str) -> None:
    # "。" is in the CJK block, which is searched as a substring: it used to find every
    # Chinese sentence end while "，" (a full-width form) found nothing.
    with pytest.raises(UsageError, match="nothing to search for"):
        parse_query(text)


def test_punctuation_at_the_ends_of_a_substring_is_not_part_of_it() -> None:
    assert _words(parse_query("黄铜，").expr) == "黄铜"
    assert _words(parse_query("「黄铜」").expr) == "黄铜"
    assert _words(parse_query("黄铜，我").expr) == "黄铜，我"  # inside, it is what was typed
    assert _words(parse_query("。light").expr) == "light"  # the rest is a word
    assert _words(parse_query("light 。").expr) == "light"
    text = "无论有没有人看见，我每天早上都擦亮黄铜。"
    ranges = merge(Matcher(positive_terms(parse_query("黄铜，").expr)).spans(text))
    assert [text[a:b] for a, b in ranges] == ["黄铜"]


def _nots(n: int) -> str:
    return " ".join(f"-x{i}" for i in range(n))


@pytest.mark.parametrize(("text", "message"), [
    ("(" * 300 + "light" + ")" * 300, "at most 16 levels"),
    ("NOT " * 1000 + "light", "at most 16 levels"),
    ("light " + "-(" * 300 + "x" + ")" * 300, "at most 16 levels"),
    ("(" * 17 + "light" + ")" * 17, "at most 16 levels"),
    ("light " + "NOT " * 17 + "x", "at most 16 levels"),
    ("light " + _nots(100), "at most 64 terms (words, phrases and filters), not 101"),
    ("light " + _nots(64), "not 65"),
    ("kind:video " * 65, "not 65"),
    ("x " * 100_000, "not 100000"),
])
def test_too_complex_queries_are_one_readable_line(text: str, message: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_query(text)
    assert str(err.value).startswith("query too complex: ") and message in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("text", [
    "light " + _nots(63),
    "(" * 16 + "light" + ")" * 16,
    "light " + "-(" * 16 + "x" + ")" * 16,  # "-(" is one level
    "light " + "NOT " * 16 + "x",
    " OR ".join(f'"w{i} v{i}"' for i in range(64)),
])
def test_the_largest_queries_allowed_parse(text: str) -> None:
    assert parse_query(text).expr is not None


def test_errors_quote_a_long_query_shortened() -> None:
    for text in ('"' + "x" * 100_000, "(" + "x" * 100_000, "-" + "x" * 100_000):
        with pytest.raises(UsageError) as err:
            parse_query(text)
        assert len(str(err.value)) < 200 and "…" in str(err.value)


def test_a_contraction_without_its_apostrophe_also_looks_for_it() -> None:
    dont = Term("dont", ("dont",))
    spelled = Term("don't", ("don", "t"))
    assert parse_query("dont").expr == Or((dont, spelled), spellings=True)
    assert parse_query("DONT").expr == Or((Term("DONT", ("dont",)), spelled), spellings=True)
    # One word's spellings stay one node among the alternatives typed.
    assert parse_query("dont OR leave").expr == Or(
        (Or((dont, spelled), spellings=True), Term("leave", ("leave",))))
    # Typed as a prefix, a phrase or a word of its own, it is taken as typed.
    assert parse_query("dont*").expr == Term("dont", ("dont",), prefix=True)
    assert parse_query('"dont know"').expr == Term("dont know", ("dont", "know"))
    assert parse_query("were").expr == Term("were", ("were",))
    assert parse_query("its").expr == Term("its", ("its",))
