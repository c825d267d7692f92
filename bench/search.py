"""Search latency on a synthetic archive, on SQLite and PostgreSQL, against grep over SRT files.

The corpus stands for ``--hours`` of speech at 150 words a minute (1,000 h ≈ 9 million words)
in timecoded sentences of 6–18 words, drawn from a 40,000-word vocabulary with a Zipf
distribution (so "the"-like words are in most sentences and the tail is rare), with 3 % of
sentences in Chinese (characters drawn Zipf-like from 2,500). Assets are 30-minute recordings
(80 % video, 20 % audio) with a speaker per sentence and a probe result of the size rushes
stores (rate, start timecode, creation date among the rest). Every sentence is a transcript
segment with word times, as the transcript analyzer writes them, so that each hit is placed on
its first matched word from the stored words, as ``rushes search`` does.

For each database the catalog is created by the real migrations; rows are bulk-loaded with the
index maintenance off and the index then built in one go (timed separately), which is how a big
import should be done. Each query class is timed through :func:`rushes.search.search` (parsing,
SQL, ranking, snippets, timecodes: what ``rushes search`` does), 50 hits a page. The baseline
is grep over the same sentences written as one SRT file per asset (speaker as "NAME: " in the
line), run with the equivalent options (whole words, case-insensitive).

    .venv/bin/python bench/search.py --hours 50      # a quick run
    .venv/bin/python bench/search.py                 # 1,000 hours
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from pgserver import postgres_server
from rushes.catalog import Catalog, open_catalog
from rushes.catalog.schema import assets, locations, results, transcripts
from rushes.domain.scripts import grams_of, word_index_text, word_text_of
from rushes.domain.words import pairs_of
from rushes.search import RANK_WINDOW, postgres_backend, search, sqlite_backend
from rushes.search.core import Filters
from rushes.search.query import parse_query

WORDS_PER_HOUR = 150 * 60
ASSET_SECONDS = 30 * 60
SPEAKERS = ["Ellen Marsh", "Tom Reed", "Ai Nakamura", "Li Wei", "Sara Costa", "Jon Eide",
            "Maya Roth", "Omar Haddad", "Ines Duval", "Pete Vance", "Ruth Okafor", "Kai Berg"]
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "da", "pe", "gor", "lan", "ber",
             "tis", "mon", "har", "bou", "ste", "qua", "fen", "dri", "wel", "zu", "cho", "ath"]
CJK = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴"  # noqa: E501
QUERIES_PER_CLASS = 30
GREP_RUNS_PER_CLASS = 5


@dataclass
class Corpus:
    assets: list[tuple[str, str, str, str]]  # id, kind, path, creation date
    # (asset index, start_us, end_us, text, speaker)
    rows: list[tuple[int, int, int, str, str]]
    vocab: list[str]
    counts: dict[str, int]


def _zipf_cum(n: int, s: float = 1.05) -> list[float]:
    return list(itertools.accumulate(1.0 / (r ** s) for r in range(1, n + 1)))


def make_corpus(hours: float, seed: int = 7) -> Corpus:
    rng = random.Random(seed)
    vocab: list[str] = []
    seen: set[str] = set()
    while len(vocab) < 40_000:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 4))))
        if w not in seen:
            seen.add(w)
            vocab.append(w)
    cum = _zipf_cum(len(vocab))
    cjk_cum = _zipf_cum(len(CJK), 0.9)
    total_words = int(hours * WORDS_PER_HOUR)
    n_assets = max(1, int(hours * 3600 // ASSET_SECONDS))
    asset_rows = []
    for i in range(n_assets):
        kind = "audio" if i % 5 == 4 else "video"
        aid = f"{rng.getrandbits(256):064x}"
        day = f"{rng.randint(2015, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        ext = "wav" if kind == "audio" else "mov"
        asset_rows.append((aid, kind, f"/archive/{kind}/{i:05d}_{aid[:8]}.{ext}", day))
    rows: list[tuple[int, int, int, str, str]] = []
    counts: dict[str, int] = {}
    words_done = 0
    per_asset = total_words / n_assets
    asset = 0
    t_us = 0
    while words_done < total_words:
        n = rng.randint(6, 18)
        if rng.random() < 0.03:
            idx = [bisect.bisect(cjk_cum, rng.random() * cjk_cum[-1]) for _ in range(n + 4)]
            text = "".join(CJK[min(i, len(CJK) - 1)] for i in idx)
        else:
            picks = rng.choices(vocab, cum_weights=cum, k=n)
            for w in set(picks):
                counts[w] = counts.get(w, 0) + 1
            text = " ".join(picks).capitalize() + "."
        dur = n * 400_000
        rows.append((asset, t_us, t_us + dur, text, SPEAKERS[rng.randrange(len(SPEAKERS))]))
        t_us += dur + 200_000
        words_done += n
        if words_done >= per_asset * (asset + 1) and asset < n_assets - 1:
            asset, t_us = asset + 1, 0
    return Corpus(asset_rows, rows, vocab, counts)


# --- loading -----------------------------------------------------------------------------------


def _probe(kind: str, day: str) -> dict[str, object]:
    """A probe result of the size and shape ``rushes`` stores (~900 bytes), so that reading two
    fields out of it costs what it costs on a real catalog."""
    video = kind == "video"
    streams: list[dict[str, object]] = [{"index": 0, "type": "audio", "codec": "pcm_s24le",
                                         "channels": 2, "sample_rate": 48000, "layout": "stereo"}]
    if video:
        streams.insert(0, {"index": 0, "type": "video", "codec": "prores", "profile": "HQ",
                           "width": 1920, "height": 1080, "pix_fmt": "yuv422p10le",
                           "rate": "25/1", "field_order": "progressive"})
        streams[1]["index"] = 1
    return {
        "duration": "1800", "rate": "25/1" if video else None,
        "frame_count": 45000 if video else None, "width": 1920 if video else None,
        "height": 1080 if video else None, "display_aspect": "16:9" if video else None,
        "rotation": None, "video_codec": "prores" if video else None,
        "video_profile": "HQ" if video else None, "pix_fmt": "yuv422p10le" if video else None,
        "bit_depth": 10 if video else None, "field_order": "progressive" if video else None,
        "audio_codec": "pcm_s24le", "audio_channels": 2, "audio_sample_rate": 48000,
        "audio_streams": 1, "container": "mov,mp4,m4a,3gp,3g2,mj2" if video else "wav",
        "bit_rate": 184_000_000 if video else 2_304_000,
        "start_timecode": "10:00:00:00" if video else None, "drop_frame": False if video else None,
        "creation_time": f"{day}T12:00:00Z", "camera_make": "Blackmagic Design" if video else None,
        "camera_model": "URSA Mini Pro 4.6K" if video else None, "gps": None,
        "browser_playable": False, "streams": streams,
    }


def _word_times(start: int, end: int, text: str) -> str:
    """The segment's words as the transcript analyzer stores them, ``[[start_us, end_us, word],
    …]``, spread evenly (a CJK sentence one character a word)."""
    words = text.split() if text.isascii() else list(text)
    step = (end - start) // max(1, len(words))
    return json.dumps([[start + i * step, start + (i + 1) * step, w] for i, w in enumerate(words)])


def _segments(corpus: Corpus) -> Iterator[tuple[object, ...]]:
    """segments rows (id = the search entry's id and ref_id; transcript id = asset number)."""
    seq: dict[int, int] = {}
    for i, (a, s, e, t, sp) in enumerate(corpus.rows):
        seq[a] = seq.get(a, -1) + 1
        yield (i + 1, a + 1, corpus.assets[a][0], seq[a], s, e, t, sp, _word_times(s, e, t))


SEGMENT_COLUMNS = "id, transcript_id, asset_id, seq, start_us, end_us, text, speaker_label, words"


def _load_assets(catalog: Catalog, corpus: Corpus) -> None:
    with catalog.write() as conn:
        conn.execute(assets.insert(), [
            {"id": a, "kind": k, "format": p.rsplit(".", 1)[1], "size": 1, "added_ms": 0}
            for a, k, p, _ in corpus.assets
        ])
        conn.execute(locations.insert(), [
            {"asset_id": a, "path_bytes": p.encode(), "path": p, "size": 1, "mtime_ns": 0,
             "seen_ms": 0, "missing": False}
            for a, _, p, _ in corpus.assets
        ])
        conn.execute(results.insert(), [
            {"asset_id": a, "analyzer": "probe", "version": 1, "params_hash": "bench",
             "created_ms": 0, "data": _probe(k, d)}
            for a, k, _, d in corpus.assets
        ])
        conn.execute(transcripts.insert(), [
            {"id": n + 1, "asset_id": a, "source": "asr:pocketsphinx", "language": "en",
             "created_ms": 0}
            for n, (a, _, _, _) in enumerate(corpus.assets)
        ])


def load_sqlite(path: Path, corpus: Corpus) -> tuple[Catalog, float, float]:
    catalog = open_catalog(f"sqlite:///{path}")
    _load_assets(catalog, corpus)
    raw = catalog.engine.raw_connection()
    cur = raw.cursor()
    triggers = cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='search_entries'"
    ).fetchall()
    t0 = time.perf_counter()
    cur.execute("BEGIN")
    for name, _ in triggers:
        cur.execute(f"DROP TRIGGER {name}")
    cur.executemany(
        f"INSERT INTO segments ({SEGMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        _segments(corpus),  # type: ignore[arg-type]  # sqlite3 takes any iterable
    )
    cur.executemany(
        "INSERT INTO search_entries (id, asset_id, source, ref_id, start_us, end_us, text, "
        "speaker, grams, word_text, pairs) VALUES (?, ?, 'transcript', ?, ?, ?, ?, ?, ?, ?, ?)",
        [(i + 1, corpus.assets[a][0], i + 1, s, e, t, sp, grams_of(t), word_text_of(t),
          pairs_of(word_index_text(t)))
         for i, (a, s, e, t, sp) in enumerate(corpus.rows)],
    )
    cur.execute("COMMIT")
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    cur.execute("BEGIN")
    for table in ("search_fts", "search_pairs", "search_trigram", "search_bigram"):
        cur.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
        cur.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
    for _, sql in triggers:
        cur.execute(sql)
    cur.execute("COMMIT")
    cur.execute("ANALYZE")
    index = time.perf_counter() - t0
    cur.close()
    raw.close()
    return catalog, load, index


def load_postgres(url: str, corpus: Corpus) -> tuple[Catalog, float, float]:
    catalog = open_catalog(url)
    _load_assets(catalog, corpus)
    raw = catalog.engine.raw_connection()
    cur = raw.cursor()
    # The throwaway server commits asynchronously (pgserver.py); VACUUM cannot set a hint bit
    # for a commit whose WAL is not yet flushed, and without hint bits it marks no page
    # all-visible. The load commits as a real server would, so that the VACUUM below works.
    cur.execute("SET synchronous_commit = on")
    text_indexes = ("ix_search_entries_tsv", "ix_search_entries_trgm",
                    "ix_search_entries_grams", "ix_search_entries_pairs")
    cur.execute(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'search_entries' "
        "AND indexname = ANY(%s)", (list(text_indexes),)
    )
    indexes = [r[0] for r in cur.fetchall()]
    assert len(indexes) == len(text_indexes), indexes
    cur.execute("DROP INDEX " + ", ".join(text_indexes))
    raw.commit()
    t0 = time.perf_counter()
    with cur.copy(f"COPY segments ({SEGMENT_COLUMNS}) FROM STDIN") as copy:
        for row in _segments(corpus):
            copy.write_row(row)
    with cur.copy(
        "COPY search_entries (id, asset_id, source, ref_id, start_us, end_us, text, speaker, "
        "grams) FROM STDIN"
    ) as copy:
        for i, (a, s, e, t, sp) in enumerate(corpus.rows):
            copy.write_row(
                (i + 1, corpus.assets[a][0], "transcript", i + 1, s, e, t, sp, grams_of(t))
            )
    for table in ("segments", "search_entries", "transcripts"):
        cur.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
    raw.commit()
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    for sql in indexes:
        cur.execute(sql)
    raw.commit()
    # Every table, as autovacuum does after a real ingest (since PostgreSQL 13 inserts trigger
    # it too): statistics for the planner (``assets`` too), hint bits and the visibility map,
    # which the first queries after a bulk load would otherwise be setting as they read.
    # (Before synchronous_commit above, ``segments`` kept no page all-visible, and each hit's
    # first read of its word times set the hint bits and dirtied the page.)
    raw.driver_connection.autocommit = True  # type: ignore[union-attr]
    cur.execute("VACUUM ANALYZE")
    # Write out what the builds and VACUUM left dirty in shared buffers, as the server's next
    # checkpoint would, instead of leaving the first searches to evict dirty pages.
    cur.execute("CHECKPOINT")
    raw.driver_connection.autocommit = False  # type: ignore[union-attr]
    index = time.perf_counter() - t0
    cur.close()
    raw.close()
    return catalog, load, index


def warm_page_cache(catalog: Catalog) -> None:
    """Read every file of the database once, so that the timed queries find it in the page
    cache, as a server in use keeps its working set, and as grep finds the SRT files.

    This machine's memory manager reclaims page-cache pages left untouched for a while (the
    ``kdamond`` thread, with 19 GB free): the pages written first during the load could come
    from disk again by the time they are queried, and which ones did varied from run to run
    (PostgreSQL rare word p95 2.5 ms in one run, 12.5 ms in the next, with the same code)."""
    if catalog.dialect == "postgresql":
        with catalog.engine.connect() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            # Tables, indexes and TOAST tables of this database, each read once ('read':
            # into the page cache; shared_buffers could not hold them all).
            conn.exec_driver_sql(
                "SELECT pg_prewarm(c.oid, 'read') FROM pg_class c "
                "WHERE c.relkind IN ('r', 'i', 't', 'm') AND c.relpersistence = 'p' "
                "AND c.relnamespace IN ('public'::regnamespace, 'pg_toast'::regnamespace)"
            ).all()
            conn.commit()
        return
    path = catalog.engine.url.database
    assert path
    for name in (path, path + "-wal"):
        if os.path.exists(name):
            with open(name, "rb") as f:
                while f.read(1 << 24):
                    pass


def warm_up(catalog: Catalog, classes: dict[str, list[Case]]) -> None:
    """Run a different draw of every class once, so that the timed queries meet a database
    that has been answering searches, not one fresh from its index builds.

    Fresh from the builds, PostgreSQL's shared buffers (512 MB here) held the last index built
    and little else: the timed queries then read most pages from the page cache into buffers,
    and, before the CHECKPOINT in :func:`load_postgres`, first wrote out the build's dirty
    pages to make room (filtered p95 44 ms on a first pass, 7.5 ms once warm). The timed
    queries are not among these, so their own rows are not cached by this."""
    for cases in classes.values():
        for case in cases:
            search(catalog, case.query, limit=50)


def write_srt(folder: Path, corpus: Corpus) -> None:
    """One SRT per asset, in ``KIND/YYYY-MM/`` folders by creation date (the filtered greps read
    only the folders their filters name)."""
    files: dict[int, list[str]] = {}
    for a, s, e, t, sp in corpus.rows:
        lines = files.setdefault(a, [])
        lines.append(f"{len(lines) + 1}\n{_srt_time(s)} --> {_srt_time(e)}\n{sp}: {t}\n")
    for a, lines in files.items():
        aid, kind, _, day = corpus.assets[a]
        out = folder / kind / day[:7] / f"{aid}.srt"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines), encoding="utf-8")


def _srt_time(us: int) -> str:
    ms = us // 1000
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


# --- queries -----------------------------------------------------------------------------------


@dataclass
class Case:
    query: str
    grep: str  # a shell pipeline over {dir}


def query_classes(corpus: Corpus, seed: int = 11) -> dict[str, list[Case]]:
    rng = random.Random(seed)
    by_count = sorted(corpus.counts, key=lambda w: -corpus.counts[w])
    n_rows = len(corpus.rows)
    common = by_count[:QUERIES_PER_CLASS]
    rare = [w for w in by_count if 3 <= corpus.counts[w] <= 30]
    mid = [w for w in by_count if n_rows / 2000 <= corpus.counts[w] <= n_rows / 50]
    latin = [r[3] for r in corpus.rows if r[3].isascii()]
    chinese = [r[3] for r in corpus.rows if not r[3].isascii()]

    def g(pattern: str, extra: str = "", where: str = "{dir}") -> str:
        return f"grep -r -i -w -F {extra} -- {shlex.quote(pattern)} {where}"

    def sample(pool: list[str], k: int = QUERIES_PER_CLASS) -> list[str]:
        return rng.sample(pool, min(k, len(pool)))

    phrases = []
    for text in sample(latin, QUERIES_PER_CLASS * 3):
        words = text.rstrip(".").lower().split()
        i = rng.randrange(len(words) - 1)
        phrases.append(" ".join(words[i:i + 2]))
    prefixes = sorted({w[:4] for w in sample(mid, 200) if len(w) >= 6})
    subs = []
    for text in sample(chinese, QUERIES_PER_CLASS):
        i = rng.randrange(len(text) - 3)
        subs.append(text[i:i + 3])
    subs2 = [s[:2] for s in subs]

    def quarter() -> tuple[str, str, list[str]]:
        """after:, before: and the YYYY-MM folders of three months from a random start."""
        start = rng.randrange(2015 * 12, 2024 * 12 + 9)
        months = [f"{m // 12}-{m % 12 + 1:02d}" for m in range(start, start + 4)]
        return months[0], months[3], months[:3]

    def dated(word: str) -> Case:
        after, before, months = quarter()
        where = " ".join(f"{{dir}}/{k}/{m}" for k in ("video", "audio") for m in months)
        return Case(f"{word} after:{after} before:{before}", g(word, "-s", where))
    return {
        "rare word": [Case(w, g(w)) for w in sample(rare)],
        "common word": [Case(w, g(w)) for w in common],
        "phrase": [Case(f'"{p}"', g(p)) for p in phrases[:QUERIES_PER_CLASS]],
        "prefix": [
            Case(f"{p}*", f"grep -r -i -w -E -- {shlex.quote(p + '[[:alnum:]]*')} {{dir}}")
            for p in sample(prefixes)
        ],
        "boolean": [
            Case(f"({a} OR {b}) {c} -{d}",
                 f"grep -r -i -w -E -- {shlex.quote(a + '|' + b)} {{dir}} | "
                 f"grep -i -w -F -- {shlex.quote(c)} | grep -v -i -w -F -- {shlex.quote(d)}")
            for a, b, c, d in (sample(mid, 4) for _ in range(QUERIES_PER_CLASS))
        ],
        "CJK substring (3 chars)": [Case(s, f"grep -r -F -- {shlex.quote(s)} {{dir}}")
                                    for s in subs],
        "CJK substring (2 chars)": [Case(s, f"grep -r -F -- {shlex.quote(s)} {{dir}}")
                                    for s in subs2],
        "filtered": [
            Case(f'{w} kind:audio speaker:"{sp}"',
                 g(w, where="{dir}/audio") + f" | grep -F -- {shlex.quote(sp + ':')}")
            for w, sp in zip(sample(mid), itertools.cycle(SPEAKERS), strict=False)
        ],
        "date range": [dated(w) for w in sample(mid)],
    }


def time_queries(catalog: Catalog, cases: list[Case]) -> list[float]:
    for case in cases[:3]:  # warm the connection pool and the page cache
        search(catalog, case.query)
    out = []
    for case in cases:
        t0 = time.perf_counter()
        search(catalog, case.query, limit=50)
        out.append(time.perf_counter() - t0)
    return out


def time_index(catalog: Catalog, cases: list[Case]) -> list[float]:
    """The database's share of each query: its candidate rows alone (one window, as a first
    page reads), timed after :func:`time_queries` ran the same queries, so with warm caches —
    a lower bound on what any search built on this index can take."""
    backend = postgres_backend if catalog.dialect == "postgresql" else sqlite_backend
    out = []
    for case in cases:
        parsed = parse_query(case.query)
        filters = Filters.build(parsed)
        with catalog.reads() as conn:
            t0 = time.perf_counter()
            backend.candidates(conn, parsed.expr, filters, RANK_WINDOW + 1)
            out.append(time.perf_counter() - t0)
    return out


def time_nothing(catalog: Catalog, runs: int = 50) -> list[float]:
    """A search that finds nothing: the fixed cost of every search (parsing, a pooled
    connection, the index lookup of an absent word), below which no class can go."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        search(catalog, "zzqxjv")
        out.append(time.perf_counter() - t0)
    return out


def time_grep(folder: Path, cases: list[Case]) -> list[float]:
    """Time each pipeline printing every match into a pipe, as grep does for a user.

    Not ``> /dev/null``: GNU grep notices that its output is /dev/null and stops reading each
    file at its first match (as with ``-l``), which made a common word look 16× cheaper to grep
    (34 ms instead of 557 ms at 1,000 h) than finding every line that has it.
    """
    out = []
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    for case in cases[:GREP_RUNS_PER_CLASS]:
        cmd = case.grep.replace("{dir}", shlex.quote(str(folder)))
        t0 = time.perf_counter()
        subprocess.run(["bash", "-c", f"{cmd} | wc -l > /dev/null"], env=env, check=False)
        out.append(time.perf_counter() - t0)
    return out


def pct(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hours", type=float, default=1000.0)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--keep", metavar="DIR", help="Build in DIR and keep it (default: a temp dir)")
    args = ap.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="rushes-bench-search-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        run(args.hours, work, not args.no_postgres)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def run(hours: float, work: Path, with_postgres: bool) -> None:
    t0 = time.perf_counter()
    corpus = make_corpus(hours)
    n_words = sum(len(r[3].split()) if r[3].isascii() else len(r[3]) for r in corpus.rows)
    print(f"corpus: {hours:g} h, {len(corpus.assets)} assets, {len(corpus.rows):,} segments, "
          f"~{n_words:,} words (CJK characters counted as words), made in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    srt = work / "srt"
    write_srt(srt, corpus)
    size = sum(f.stat().st_size for f in srt.rglob("*.srt"))
    print(f"SRT baseline: {size / 1e6:.0f} MB in {len(corpus.assets)} files", flush=True)
    classes = query_classes(corpus)
    # Other queries of the same classes, run once before the timed ones: see warm_up().
    warm_up_classes = query_classes(corpus, seed=12)
    grep = {name: time_grep(srt, cases) for name, cases in classes.items()}
    dbs: dict[str, dict[str, list[float]]] = {}
    index_only: dict[str, dict[str, list[float]]] = {}

    def bench(name: str, opener: Callable[[], tuple[Catalog, float, float]]) -> None:
        catalog, load, index = opener()
        print(f"{name}: load {load:.1f} s, index build {index:.1f} s", flush=True)
        warm_page_cache(catalog)
        warm_up(catalog, warm_up_classes)
        dbs[name] = {c: time_queries(catalog, cases) for c, cases in classes.items()}
        index_only[name] = {c: time_index(catalog, cases) for c, cases in classes.items()}
        nothing = pct(time_nothing(catalog), 50)
        print(f"{name}: a search that finds nothing takes {nothing * 1000:.2f} ms (p50)",
              flush=True)
        catalog.close()

    bench("SQLite", lambda: load_sqlite(work / "catalog.db", corpus))
    if with_postgres:
        with postgres_server() as url:
            bench("PostgreSQL", lambda: load_postgres(url, corpus))
    print()
    # "index p50": the candidate query alone (warm); "grep p50 ÷ 100": what a search would
    # have to take to be 100× faster than grep.
    print("| class | " + " | ".join(f"{d} p50 ms | {d} p95 ms | {d} index p50 ms" for d in dbs)
          + " | grep p50 ms | grep p50 ÷ 100 ms | "
          + " | ".join(f"grep ÷ {d} p50" for d in dbs) + " |")
    print("|---|" + "---:|" * (4 * len(dbs) + 2))
    for c in classes:
        cells = []
        for d in dbs:
            cells += [f"{pct(dbs[d][c], 50) * 1000:.1f}", f"{pct(dbs[d][c], 95) * 1000:.1f}",
                      f"{pct(index_only[d][c], 50) * 1000:.2f}"]
        g50 = pct(grep[c], 50)
        ratios = [f"{g50 / pct(dbs[d][c], 50):.0f}×" for d in dbs]
        print(f"| {c} | " + " | ".join(cells) + f" | {g50 * 1000:.0f} | {g50 * 10:.2f} | "
              + " | ".join(ratios) + " |")


if __name__ == "__main__":
    main()
