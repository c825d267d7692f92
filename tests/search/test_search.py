"""Search over a real catalog, on SQLite and on PostgreSQL (the ``catalog`` fixture runs each
test on both), and the two databases giving the same hits in the same order."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
import sqlalchemy as sa

from rushes.catalog import Catalog, open_catalog
from rushes.catalog.assets import add_asset, put_location
from rushes.catalog.descriptions import index_description
from rushes.catalog.logs import add_note
from rushes.catalog.schema import search_entries
from rushes.catalog.transcripts import SegmentRow, WordRow, store_transcript
from rushes.domain.words import pairs_match
from rushes.errors import UsageError
from rushes.search import RANK_WINDOW, SearchResult, core, postgres_backend, search
from rushes.search.postgres_backend import _WordStats
from tests.search.corpus import CHINA, HARBOUR, RADIO, load
from tests.search.test_search_rules import LARGEST


def _texts(result: SearchResult) -> list[str]:
    return [h.text for h in result.hits]


def test_a_word_matches_whole_words_only_in_any_case(loaded: Catalog) -> None:
    result = search(loaded, "HARBOUR")
    assert sorted(_texts(result)) == [
        "Good morning, this is the harbour.",
        "Storm warning for the harbour tonight.",
        "The harbour master said the boats left at dawn.",
    ]
    assert result.total == 3 and result.more is False
    hit = result.hits[0]
    assert set(hit.to_json()) >= {"asset", "path", "start", "end", "text", "source", "timecode",
                                  "snippet", "speaker", "kind", "segment_start"}


def test_phrase_and_prefix(loaded: Catalog) -> None:
    assert _texts(search(loaded, '"harbour master"')) == [
        "The harbour master said the boats left at dawn."
    ]
    assert _texts(search(loaded, '"master harbour"')) == []
    assert sorted(_texts(search(loaded, "harbo*"))) == [
        "A master plan for the harbor, they called it.",
        "Good morning, this is the harbour.",
        "Harbouring old grudges, the fishermen argued.",
        "Storm warning for the harbour tonight.",
        "The harbour master said the boats left at dawn.",
    ]


def test_and_or_not_and_parentheses(loaded: Catalog) -> None:
    assert _texts(search(loaded, "harbour boats")) == [
        "The harbour master said the boats left at dawn."
    ]
    assert _texts(search(loaded, "harbour AND boats")) == _texts(search(loaded, "harbour boats"))
    assert sorted(_texts(search(loaded, "storm OR grudges"))) == [
        "Harbouring old grudges, the fishermen argued.",
        "Nobody remembers the storm of ninety-eight.",
        "Storm warning for the harbour tonight.",
    ]
    assert sorted(_texts(search(loaded, "harbour -storm"))) == sorted(
        _texts(search(loaded, "harbour NOT storm"))
    ) == [
        "Good morning, this is the harbour.",
        "The harbour master said the boats left at dawn.",
    ]
    assert sorted(_texts(search(loaded, "(storm OR boats) -harbour"))) == [
        "Boats should stay in port.",
        "Nobody remembers the storm of ninety-eight.",
        "The boats came back to the village.",
    ]


def test_filters(loaded: Catalog) -> None:
    assert {h.asset for h in search(loaded, "boats kind:video").hits} == {HARBOUR, CHINA}
    assert {h.asset for h in search(loaded, "boats", kind="audio").hits} == {RADIO}
    assert {h.asset for h in search(loaded, f"boats asset:{CHINA[:4]}").hits} == {CHINA}
    assert _texts(search(loaded, 'harbour speaker:"ellen marsh"')) == [
        "Good morning, this is the harbour.",
        "The harbour master said the boats left at dawn.",
    ]
    assert {h.speaker for h in search(loaded, "speaker:Tom*").hits} == {"Tom Reed"}
    assert _texts(search(loaded, "harbour", speaker="Announcer")) == [
        "Storm warning for the harbour tonight."
    ]
    # Tags: entries of source 'tag' on the same asset, a tag matching the ones below it too.
    assert {h.asset for h in search(loaded, "boats tag:people/ai").hits} == {CHINA}
    assert {h.asset for h in search(loaded, "boats tag:people").hits} == {CHINA}
    assert search(loaded, "boats tag:people/A").hits == []
    assert {h.source for h in search(loaded, "boats source:transcript").hits} == {"transcript"}
    assert search(loaded, "boats source:note").hits == []
    # Dates: the probe's creation_time; assets without one are left out.
    assert {h.asset for h in search(loaded, "boats after:2024-01-01").hits} == {HARBOUR}
    assert {h.asset for h in search(loaded, "boats before:2024").hits} == {CHINA}
    assert {h.asset for h in search(loaded, "boats", date_from="2023-06-01",
                                    date_to="2023-06-02").hits} == {CHINA}
    assert {h.asset for h in search(loaded, "boats after:2023-06-02 before:2024-03-05").hits} \
        == set()
    # A kind is one of the asset kinds, in any case; anything else is a typo, said so.
    assert {h.asset for h in search(loaded, "boats kind:Video").hits} == {HARBOUR, CHINA}
    with pytest.raises(UsageError, match="kind: wants one of video, audio, image"):
        search(loaded, "boats", kind="banana")


@pytest.mark.parametrize("query", [
    "boats kind:video", "kind:video", "the kind:video", "boats tag:people", "harbo* after:2023",
    "tag:people", "kind:audio -storm", '"the boats" kind:video', "the -boats after:2023",
    "the -harbour kind:video",
])
@pytest.mark.parametrize("window", [RANK_WINDOW, 2])
def test_few_assets_are_walked_as_their_rows(
    loaded: Catalog, query: str, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A filter keeping few assets is resolved to their ids first (their rows are then walked
    # stretch by stretch, the newest first: always on SQLite, for a word on PostgreSQL); every
    # page must equal what the set built as a subquery gives. A later video, after a note on
    # the radio piece, makes the videos' rows two stretches, the village's holding the radio's
    # rows. With a window of 2 rows the walk stops after the newest few matches, so the order
    # of the stretches counts.
    monkeypatch.setattr("rushes.search.RANK_WINDOW", window)
    late = "d4" + "0" * 62
    with loaded.write() as conn:
        add_note(conn, RADIO, "The boats of the radio play.")
        add_asset(conn, late, "video", "mov", 100)
        put_location(conn, late, b"/archive/late.mov", 100, 0)
        store_transcript(conn, late, "import:srt", "en", [
            SegmentRow(0, 2_000_000, "The boats at night."),
            SegmentRow(3_000_000, 5_000_000, "The harbour is quiet."),
        ])
    pages = [(limit, offset) for limit in (1, 2, 50) for offset in (0, 1, 3)]
    walked = [search(loaded, query, limit=n, offset=o).to_json() for n, o in pages]
    monkeypatch.setattr(core, "FEW_ASSETS", 0)
    subquery = [search(loaded, query, limit=n, offset=o).to_json() for n, o in pages]
    assert walked == subquery
    assert any(page["hits"] for page in walked)


def test_filters_alone_list_entries(loaded: Catalog) -> None:
    result = search(loaded, "speaker:announcer")
    assert _texts(result) == [
        "Storm warning for the harbour tonight.", "Boats should stay in port.",
    ]
    assert [h.snippet for h in result.hits] == _texts(result)


def test_chinese_is_found_by_substring(loaded: Catalog) -> None:
    # Three characters and more: the trigram index; one or two: the bigram index (grams).
    assert _texts(search(loaded, "孩子的")) == ["我们的孩子的名字叫小明"]
    assert sorted(_texts(search(loaded, "孩子"))) == ["孩子们在河边玩", "我们的孩子的名字叫小明"]
    assert _texts(search(loaded, "河")) == ["孩子们在河边玩"]
    assert _texts(search(loaded, "孩子 -名字")) == ["孩子们在河边玩"]
    assert sorted(_texts(search(loaded, "名字叫 OR village"))) == [
        "The boats came back to the village.", "我们的孩子的名字叫小明",
    ]
    assert search(loaded, "孩子的名字").hits[0].snippet == "我们的«孩子的名字»叫小明"


def test_one_and_two_characters_of_unsegmented_scripts(loaded: Catalog) -> None:
    with loaded.write() as conn:
        conn.execute(search_entries.insert(), [
            {"asset_id": RADIO, "source": "note", "text": text}
            for text in ("ภาษาไทย", "カタカナ and 漢字。", "mixed a中 text")
        ])
    both = ["孩子们在河边玩", "我们的孩子的名字叫小明"]
    # A run's last character is only a unigram; its first only starts a bigram.
    assert _texts(search(loaded, "明")) == ["我们的孩子的名字叫小明"]
    assert _texts(search(loaded, "玩")) == ["孩子们在河边玩"]
    assert _texts(search(loaded, "我")) == ["我们的孩子的名字叫小明"]
    assert sorted(_texts(search(loaded, "子们"))) == ["孩子们在河边玩"]
    assert sorted(_texts(search(loaded, "们"))) == both
    assert _texts(search(loaded, "明孩")) == []  # not adjacent: no bigram spans two segments
    assert sorted(_texts(search(loaded, "边玩 OR 小明"))) == both
    assert sorted(_texts(search(loaded, "孩子 -明"))) == ["孩子们在河边玩"]
    assert sorted(_texts(search(loaded, "孩 河"))) == ["孩子们在河边玩"]
    # Thai vowel marks, kana, CJK punctuation: characters of the runs like any other.
    assert _texts(search(loaded, "าษ")) == ["ภาษาไทย"]
    assert _texts(search(loaded, "ย")) == ["ภาษาไทย"]
    # Punctuation at a term's ends is not looked for, as for words ("light," finds "light."):
    # "字。" is "字", which is in two texts, and the highlight leaves the "。" out.
    assert sorted(_texts(search(loaded, "字。"))) == [
        "カタカナ and 漢字。", "我们的孩子的名字叫小明",
    ]
    assert [h.snippet for h in search(loaded, "漢字。").hits] == ["カタカナ and «漢字»。"]
    assert _texts(search(loaded, "カ")) == ["カタカナ and 漢字。"]
    # A run does not continue across a space or a Latin letter.
    assert _texts(search(loaded, "ナ漢")) == []
    assert _texts(search(loaded, "a中")) == ["mixed a中 text"]  # mixed: a LIKE scan


def test_latin_words_and_numbers_among_chinese_are_words(loaded: Catalog) -> None:
    # Both tokenizers took a CJK run and the Latin letters touching it for one word.
    with loaded.write() as conn:
        store_transcript(conn, CHINA, "import:srt:zh", "zh", [
            SegmentRow(20_000_000, 23_000_000, "我们用iPhone 15拍摄", None, (
                WordRow(20_000_000, 20_500_000, "我们"), WordRow(20_500_000, 21_000_000, "用"),
                WordRow(21_000_000, 22_000_000, "iPhone"), WordRow(22_000_000, 22_500_000, "15"),
                WordRow(22_500_000, 23_000_000, "拍摄"),
            )),
        ])
        conn.execute(search_entries.insert(), [
            {"asset_id": RADIO, "source": "note", "text": t}
            for t in ("1989年6月4日的北京", "カメラはSony A7で", "a中b")
        ])
    hit = search(loaded, "iphone").hits
    assert [(h.snippet, h.start) for h in hit] == [("我们用«iPhone» 15拍摄", 21.0)]
    assert [h.snippet for h in search(loaded, "iph*").hits] == ["我们用«iPhone» 15拍摄"]
    assert [h.snippet for h in search(loaded, '"iphone 15"').hits] == ["我们用«iPhone 15»拍摄"]
    assert [h.snippet for h in search(loaded, "1989").hits] == ["«1989»年6月4日的北京"]
    assert [h.snippet for h in search(loaded, '"sony a7"').hits] == ["カメラは«Sony A7»で"]
    assert _texts(search(loaded, "b")) == ["a中b"]
    # The CJK text itself is still found as a substring, and Latin with it as typed.
    assert _texts(search(loaded, "拍摄")) == ["我们用iPhone 15拍摄"]
    assert _texts(search(loaded, "用iPhone")) == ["我们用iPhone 15拍摄"]


def test_short_substrings_are_looked_up_in_the_bigram_index(loaded: Catalog) -> None:
    # A row whose grams were never filled is invisible to 1–2 characters (the index answers,
    # not a scan), while the trigram index still finds three.
    with loaded.write() as conn:
        conn.execute(search_entries.insert().values(
            asset_id=RADIO, source="note", text="孩子们的河", grams=None
        ))
        stored = conn.execute(
            sa.select(search_entries.c.grams).where(search_entries.c.text == "孩子们在河边玩")
        ).scalar_one()
    assert stored == "孩子 子们 们在 在河 河边 边玩 玩"
    assert "孩子们的河" not in _texts(search(loaded, "孩子"))
    assert "孩子们的河" in _texts(search(loaded, "孩子们"))


PHRASES = ['"harbour master"', '"the harbour master"', '"harbour master" OR "storm warning"',
           '"harbour master" "the boats"', '"master harbour"', '"cafe opens"']
#: Rows for the phrase tests: accents, a decomposed accent, a symbol that makes a row unsure
#: on SQLite, and a non-ASCII word that only looks like two.
PHRASE_TEXTS = [
    "Café opens by the harbour master's hut.",
    "Cafe\u0301 opens at dawn, the HARBOUR, master!",
    "ⓝ the harbour master again",
    "harbourümaster is one word here",
    "The boats and the harbour master.",
]


def test_phrases_are_looked_up_in_the_word_pair_index(
    loaded: Catalog, statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a phrase is read from ``search_pairs`` (exact for ASCII rows, the rest checked
    in the word index) and finds what the word index alone finds: accents, a decomposed accent,
    a symbol that makes the row unsure, and a non-ASCII word that only looks like two."""
    if loaded.dialect != "sqlite":
        pytest.skip("the pair index is SQLite's")
    with loaded.write() as conn:
        conn.execute(search_entries.insert(), [
            {"asset_id": RADIO, "source": "note", "text": t} for t in PHRASE_TEXTS])
    def run(query: str) -> tuple[list[str], bool]:
        statements.clear()
        texts = _texts(search(loaded, query))
        return texts, any("search_pairs" in s for s in statements)

    with_pairs = {q: run(q) for q in PHRASES}
    from rushes.search import sqlite_backend
    monkeypatch.setattr(sqlite_backend, "_pairs_match", lambda node: None)
    without = {q: run(q) for q in PHRASES}
    assert {q: used for q, (_, used) in with_pairs.items()} == dict.fromkeys(PHRASES, True)
    assert {q: used for q, (_, used) in without.items()} == dict.fromkeys(PHRASES, False)
    assert {q: t for q, (t, _) in with_pairs.items()} == {q: t for q, (t, _) in without.items()}
    assert sorted(with_pairs['"harbour master"'][0]) == sorted([
        "Café opens by the harbour master's hut.",
        "Cafe\u0301 opens at dawn, the HARBOUR, master!",
        "The boats and the harbour master.",
        "The harbour master said the boats left at dawn.",
        "ⓝ the harbour master again",
    ])
    assert len(with_pairs['"cafe opens"'][0]) == 2


def test_postgres_phrases_are_looked_up_in_the_word_pair_index(
    loaded: Catalog, statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a phrase whose word pairs are rare is read from the GIN index over
    ``rushes_pairs(tsv)`` (migration 0010), and finds what the ``tsv`` index alone finds."""
    if loaded.dialect != "postgresql":
        pytest.skip("the pair index over tsv is PostgreSQL's")
    texts = [*PHRASE_TEXTS, "The boats and the harbour-master.", "harbour <b>master</b> in markup"]
    with loaded.write() as conn:
        conn.execute(search_entries.insert(), [
            {"asset_id": RADIO, "source": "note", "text": t} for t in texts])
    rare = _WordStats(share={}, floor=1e-9, rows=1_000, pair_share={}, pair_floor=1e-9)
    monkeypatch.setattr(postgres_backend, "_word_stats", lambda conn: rare)

    def run(query: str) -> tuple[list[str], bool]:
        statements.clear()
        found = _texts(search(loaded, query, limit=1000))
        return sorted(found), any("rushes_pairs(e.tsv)" in s for s in statements)

    with_pairs = {q: run(q) for q in PHRASES}
    monkeypatch.setattr(postgres_backend, "_rare_pairs", lambda *args: None)
    without = {q: run(q) for q in PHRASES}
    assert {q: used for q, (_, used) in with_pairs.items()} == dict.fromkeys(PHRASES, True)
    assert not any(used for _, used in without.values())
    assert {q: t for q, (t, _) in with_pairs.items()} == {q: t for q, (t, _) in without.items()}
    assert "The boats and the harbour-master." in with_pairs['"harbour master"'][0]
    assert "harbourümaster is one word here" not in with_pairs['"harbour master"'][0]


@pytest.mark.postgres
def test_a_word_pair_matches_exactly_the_rows_its_phrase_does(postgres_url: str) -> None:
    """``rushes_pairs(tsv) @@ 'a_b'`` against ``tsv @@ 'a' <-> 'b'``, for every pair of a small
    vocabulary, over texts joined by what PostgreSQL's parser treats in its own ways
    (hyphenated compounds, markup, e-mail and URL parts, apostrophes), a lexeme past its 256
    kept positions, and words past position 16,383, where every position reads 16,383."""
    import random

    rng = random.Random(7)
    vocab = ["harbour", "master", "the", "x", "3", "14", "ai"]
    joins = [" ", "-", "'", ", ", ". ", " <b>", "</b> ", "/", "_", " — ", ".", "@", "://"]
    texts = ["".join(rng.choice(vocab) + rng.choice(joins) for _ in range(rng.randrange(1, 14)))
             for _ in range(600)]
    texts.append("the master " * 300 + "harbour x")
    texts.append("ai " * 16_390 + "harbour master x the")
    catalog = open_catalog(postgres_url)
    try:
        load(catalog)
        with catalog.write() as conn:
            conn.execute(search_entries.insert(), [
                {"asset_id": RADIO, "source": "note", "text": t} for t in texts])
            matched = 0
            for a in vocab:
                for b in vocab:
                    by_phrase = conn.exec_driver_sql(
                        "SELECT id FROM search_entries WHERE tsv @@ phraseto_tsquery('simple', "
                        "%(q)s) ORDER BY id", {"q": f"{a} {b}"}).scalars().all()
                    by_pair = conn.exec_driver_sql(
                        "SELECT id FROM search_entries WHERE rushes_pairs(tsv) @@ "
                        "CAST(%(q)s AS tsquery) ORDER BY id", {"q": f"'{a}_{b}'"}
                    ).scalars().all()
                    assert by_pair == by_phrase, (a, b)
                    matched += bool(by_pair)
    finally:
        catalog.close()
    assert matched > 30, "most pairs occur somewhere"


def test_the_pair_index_checks_only_rows_that_could_hold_the_phrase(loaded: Catalog) -> None:
    """A text with nothing that folds to ASCII (Hindi, Chinese) cannot hold an ASCII phrase,
    so it is never a candidate to check; a non-ASCII row is checked in the word index even when
    its non-ASCII part comes after a NUL (its pairs are a superset, in any order)."""
    if loaded.dialect != "sqlite":
        pytest.skip("the pair index is SQLite's")
    hindi = ["नमस्ते", "दुनिया", "यह", "एक", "परीक्षण", "है"]
    with loaded.write() as conn:
        conn.execute(search_entries.insert(), [
            {"asset_id": RADIO, "source": "note",
             "text": " ".join(hindi[(i + j) % 6] for j in range(8))}
            for i in range(500)
        ] + [{"asset_id": RADIO, "source": "note", "text": "b c a b\x00 café"}])
        candidates = conn.exec_driver_sql(
            "SELECT count(*) FROM search_pairs WHERE search_pairs MATCH ?",
            (pairs_match(("harbour", "master")),),
        ).scalar()
    assert candidates == 1  # "The harbour master said the boats left at dawn."
    assert _texts(search(loaded, '"a b c"')) == []
    assert _texts(search(loaded, '"a b"')) == ["b c a b\x00 café"]


def test_hit_lands_on_the_first_matched_word(loaded: Catalog) -> None:
    # "The harbour master said the boats …" starts at 10 s; words every 0.4 s.
    hit = search(loaded, "boats master").hits[0]
    assert hit.segment_start == 10.0
    assert hit.start == pytest.approx(10.8)  # "master", word 2, before "boats" (word 5)
    assert hit.end == pytest.approx(10.0 + 9 * 0.4)
    # Without word times, the segment's start.
    untimed = search(loaded, '"master plan"').hits[0]
    assert untimed.start == untimed.segment_start == 40.0


def test_a_hit_names_its_transcript_and_a_note_takes_nothing_from_a_segment(
    loaded: Catalog,
) -> None:
    [said] = search(loaded, "dawn").hits
    assert said.transcript == "import:srt" and said.to_json()["transcript"] == "import:srt"
    # A note's ref_id is its own id, which can be some segment's id too.
    with loaded.write() as conn:
        segment = conn.execute(
            sa.select(search_entries.c.ref_id).where(search_entries.c.text.like("%dawn%"))
        ).scalar_one()
        note = add_note(conn, HARBOUR, "dawn patrol", at=Fraction(3))
        conn.execute(search_entries.update().where(
            search_entries.c.source == "note", search_entries.c.ref_id == note
        ).values(ref_id=segment))
    hits = {h.source: h for h in search(loaded, "dawn").hits}
    assert hits["note"].transcript is None
    assert hits["note"].start == 3.0  # not moved to a word of the segment
    assert hits["transcript"].transcript == "import:srt"


def test_timecode_honours_the_embedded_start(loaded: Catalog) -> None:
    hit = search(loaded, "dawn").hits[0]
    assert hit.start == pytest.approx(13.2)  # word 9 of the segment at 10 s
    assert hit.timecode == "01:00:13:05"  # 01:00:00:00 + 13.2 s at 25 fps
    assert hit.end_timecode == "01:00:13:15"
    village = search(loaded, "village").hits[0]
    assert village.start == pytest.approx(11.4)  # 9 s + word 6 at 0.4 s each
    assert village.timecode == "00:00:11:11"  # frame 341 at 30000/1001, no start timecode
    radio = search(loaded, "tonight").hits[0]
    assert radio.timecode is None and radio.start == pytest.approx(2.5)


def test_a_hit_shows_the_path_ls_shows_on_every_page(loaded: Catalog) -> None:
    """The path shown (and ranked by) is the asset's oldest present location, as ``rushes ls``
    shows it, whether the page holds every match (its paths read with the asset info) or one
    page of many (paths read for all the ranked rows first)."""
    from rushes.catalog.assets import locations_of, set_location_state

    with loaded.write() as conn:
        put_location(conn, HARBOUR, b"/backup/harbour.mov", 1, 0)
        old = locations_of(conn, HARBOUR)[0]
        set_location_state(conn, old.id, missing=True)
    every = search(loaded, "harbour")
    assert every.total == len(every.hits) == 3
    one_by_one = [search(loaded, "harbour", limit=1, offset=n).hits[0] for n in range(3)]
    for hits in (every.hits, one_by_one):
        assert {h.path for h in hits if h.asset == HARBOUR} == {"/backup/harbour.mov"}
    assert [h.to_json() for h in one_by_one] == [h.to_json() for h in every.hits]


def test_snippets_mark_matches(loaded: Catalog) -> None:
    hit = search(loaded, '"harbour master" boats').hits[0]
    assert hit.snippet == "The «harbour master» said the «boats» left at dawn."
    assert [hit.text[a:b] for a, b in hit.highlights] == ["harbour master", "boats"]
    assert search(loaded, "harbour*").hits[0].snippet.count("«") == 1


def test_ranking_prefers_more_terms_then_path_then_time(loaded: Catalog) -> None:
    result = search(loaded, "harbour OR boats OR storm")
    assert [(h.path, h.segment_start) for h in result.hits] == [
        # Two distinct terms present…
        ("/archive/harbour.mov", 10.0),
        ("/archive/radio.wav", 0.5),
        # …then one, by path and time.
        ("/archive/harbour.mov", 2.0),
        ("/archive/harbour.mov", 20.0),
        ("/archive/radio.wav", 4.0),
        ("/archive/village.mp4", 9.0),
    ]


def test_a_file_s_own_words_rank_as_one_occurrence(loaded: Catalog) -> None:
    """The village clip's title, description and keywords all say "storm": three occurrences,
    which would put it above the two moments "storm" is said. It counts as one."""
    with loaded.write() as conn:
        index_description(conn, CHINA, {"title": "Storm", "description": "A storm at sea",
                                        "keywords": ["storm"]})
    hits = search(loaded, "storm").hits
    assert [(h.path, h.source) for h in hits] == [
        ("/archive/harbour.mov", "transcript"), ("/archive/radio.wav", "transcript"),
        ("/archive/village.mp4", "metadata"),
    ]
    assert hits[2].text == "Storm · A storm at sea · storm" and hits[2].start == 0.0
    assert search(loaded, "storm sea").hits[0].source == "metadata"  # both words: first


def test_paging(loaded: Catalog) -> None:
    everything = search(loaded, "the")
    assert everything.total == len(everything.hits) and not everything.more
    page1 = search(loaded, "the", limit=3)
    page2 = search(loaded, "the", limit=3, offset=3)
    assert page1.more and page1.total == everything.total
    assert [h.entry for h in page1.hits + page2.hits] == [h.entry for h in everything.hits][:6]


def test_common_words_are_bounded_to_the_ranked_window(loaded: Catalog) -> None:
    with loaded.write() as conn:
        conn.execute(search_entries.insert(), [
            {"asset_id": RADIO, "source": "note", "text": f"note {i} about the weather",
             "start_us": i * 1_000_000, "end_us": i * 1_000_000 + 1}
            for i in range(RANK_WINDOW + 20)
        ])
    result = search(loaded, "weather", limit=10)
    assert result.total is None and result.more
    # The newest window is what gets ranked: the last notes added.
    assert all(int(h.text.split()[1]) >= 20 for h in result.hits)
    assert [h.start for h in result.hits] == sorted(h.start for h in result.hits)


@pytest.mark.parametrize("bad", ['"unclosed', "(a OR b", "", "asset:zz9 boats"])
def test_syntax_errors(loaded: Catalog, bad: str) -> None:
    with pytest.raises(UsageError):
        search(loaded, bad)


def test_bad_limits(loaded: Catalog) -> None:
    with pytest.raises(UsageError):
        search(loaded, "boats", limit=0)
    with pytest.raises(UsageError):
        search(loaded, "boats", offset=-1)


#: Queries whose answers must be identical on both databases (ids, order, times, snippets).
SAME_ON_BOTH = [
    "harbour", "HARBOUR", '"harbour master"', '"the boats"', '"boats 1" OR "the harbour"',
    '"the boats 14 harbour"', '"harbour master" -storm', "harb*", '"harbour mas"*', "the",
    "the boats",
    "harbour OR boats OR storm", "(storm OR boats) -harbour", "harbour NOT storm",
    "ninety-eight", "孩子", "孩子的", "河", "孩子 OR boats", "孩子 boats", "名字叫 OR village",
    "子", "们", "明", "子们", "孩子 -明", "河 OR 明", "-孩 boats", "(孩 OR 河) 子们",
    "明 kind:video",
    "kind:video the", "kind:audio", 'speaker:"Ellen Marsh"', "speaker:tom*", "tag:people",
    "the tag:people/Ai", "source:transcript the", "after:2024 the", "before:2024-01-01 the",
    f"asset:{HARBOUR[:6]} the", "-the kind:audio", "孩子，", 'boats tag:"people/Ai"',
    "tag:people/A*", "source:Note the",
    "source:metadata", "tobermory", '"harbour at dawn"', "12a OR 孩子", "dawn -boats",
    *LARGEST,
]


@pytest.fixture
def both(tmp_path: Path, postgres_url: str) -> Iterator[tuple[Catalog, Catalog]]:
    lite = open_catalog(f"sqlite:///{tmp_path / 'same.db'}")
    pg = open_catalog(postgres_url)
    for cat in (lite, pg):
        load(cat)
        with cat.write() as conn:  # enough rows that windows and ranking matter
            conn.execute(search_entries.insert(), [
                {"asset_id": (HARBOUR, CHINA, RADIO)[i % 3], "source": "note",
                 "text": f"the boats {i} harbour {'storm' if i % 7 == 0 else 'calm'} 孩子们",
                 "start_us": (i * 7919) % 100_000_000, "end_us": None}
                for i in range(RANK_WINDOW * 2 + 13)
            ])
            # A file's own words, as the probe files them.
            index_description(conn, HARBOUR, {
                "title": "Harbour at dawn", "description": "Boats leave Tobermory\n\n渔船",
                "keywords": ["boats", "harbour"]})
            index_description(conn, RADIO, {"scene": "12A", "take": "3", "sound_note": "dawn"})
    yield lite, pg
    lite.close()
    pg.close()


#: Word statistics the PostgreSQL backend plans from: none (the planner decides), every word
#: and word pair rare (each statement it can bound reads a GIN index with an unestimated
#: tsquery and sorts; phrases from the pair index), every word and pair common (the walks).
_PLANNED_AS = {
    "planner": None,
    "all rare": _WordStats(share={}, floor=1e-9, rows=1_000, pair_floor=1e-9),
    "all common": _WordStats(share={}, floor=0.9, rows=1e9, pair_floor=0.9),
}


@pytest.mark.postgres
@pytest.mark.parametrize("stats", _PLANNED_AS.values(), ids=_PLANNED_AS.keys())
def test_sqlite_and_postgres_give_the_same_hits(
    both: tuple[Catalog, Catalog], stats: _WordStats | None, statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lite, pg = both
    assert pg.dialect == "postgresql" and lite.dialect == "sqlite"
    monkeypatch.setattr(postgres_backend, "_word_stats", lambda conn: stats)
    for query in SAME_ON_BOTH:
        for offset, limit in ((0, 50), (190, 30), (0, 1000)):
            a = search(lite, query, limit=limit, offset=offset).to_json()
            b = search(pg, query, limit=limit, offset=offset).to_json()
            assert a == b, query
    rare = stats is not None and stats.floor < 1e-6
    assert any("e.tsv @@ (SELECT" in s for s in statements) == rare
    assert any("rushes_pairs(e.tsv) @@ (SELECT" in s for s in statements) == rare
    assert search(lite, "the").hits, "the comparison must compare something"
    with lite.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(search_entries)).scalar()


@pytest.mark.postgres
@pytest.mark.parametrize("query", ["cafe", "café", "CAFÉ", "ai", "people", "take", "2"])
def test_accents_and_compound_tokens_match_alike(
    both: tuple[Catalog, Catalog], query: str
) -> None:
    lite, pg = both
    for cat in (lite, pg):
        with cat.write() as conn:
            for text in ("Café", "tagged people/Ai", "take_2"):
                conn.execute(search_entries.insert().values(asset_id=RADIO, source="note",
                                                            text=text))
    a = search(lite, query).to_json()
    assert a["hits"], "SQLite finds it"
    assert a == search(pg, query).to_json()


@pytest.mark.parametrize("n", [3, 600, 40_000])
def test_in_list_takes_any_number_of_values(catalog: Catalog, n: int) -> None:
    """A deep page names one value per candidate asset; SQLite refuses more than 32,766
    parameters, so a long list goes as one JSON array, with the same answer."""
    from rushes.search.core import fetch, in_list

    with catalog.write() as conn:
        for aid in ("aa01", "bb02", "cc03"):
            conn.exec_driver_sql(
                "INSERT INTO assets (id, kind, format, size, added_ms) "
                f"VALUES ('{aid}', 'video', 'mov', 1, 0)"
            )
    values = ["aa01", "cc03", *(f"{i:08x}" for i in range(n - 2))]
    with catalog.reads() as conn:
        cond, params = in_list(conn, "a.id", values, "text")
        rows = fetch(conn, f"SELECT a.id FROM assets a WHERE {cond} ORDER BY a.id", params)
    assert rows == [("aa01",), ("cc03",)]


def test_word_times_the_fast_decoder_refuses_are_still_read() -> None:
    from rushes.search import _decode_words

    assert _decode_words('[[0, 400000, "harbour"]]') == [[0, 400000, "harbour"]]
    # NaN is not JSON, but Python's json module writes and reads it.
    words = _decode_words('[[0, NaN, "harbour"]]')
    assert words[0][0] == 0 and words[0][2] == "harbour" and words[0][1] != words[0][1]
    assert _decode_words(None) is None


@pytest.mark.postgres
def test_a_failed_page_read_does_not_spoil_the_pooled_connection(postgres_url: str) -> None:
    """The page's asset info and word times go to PostgreSQL in one pipeline. psycopg prepares
    a statement on its sixth run; when the first statement fails on that run (here a lock
    timeout), the server skips the second, which psycopg still counts as prepared. Unless the
    connection is dropped, every later search with transcript hits on it fails ('prepared
    statement … does not exist')."""
    admin = sa.create_engine(postgres_url.rsplit("/", 1)[0] + "/postgres",
                             isolation_level="AUTOCOMMIT")
    name = postgres_url.rsplit("/", 1)[1]
    with admin.connect() as c:
        c.exec_driver_sql(f"ALTER DATABASE \"{name}\" SET lock_timeout = '200ms'")
    admin.dispose()
    catalog = open_catalog(postgres_url)
    try:
        load(catalog)
        for _ in range(5):
            assert len(search(catalog, "harbour").hits) == 3
        locker = sa.create_engine(postgres_url)
        with locker.connect() as other, other.begin():
            # What a migration, VACUUM FULL or a reindex takes.
            other.exec_driver_sql("LOCK TABLE results IN ACCESS EXCLUSIVE MODE")
            with pytest.raises(Exception, match="lock timeout"):
                search(catalog, "harbour")
        locker.dispose()
        for _ in range(3):
            assert len(search(catalog, "harbour").hits) == 3
    finally:
        catalog.close()
