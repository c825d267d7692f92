"""Web app server time: the library page at 10,000 assets and the search page.

A catalog is made by the real migrations (SQLite, and PostgreSQL with ``--postgres``) and filled
directly with synthetic rows: ``--assets`` assets (70 % video, 15 % audio, 10 % image, 5 %
document) with a location, a probe result (duration, rate, start timecode, creation date), a
thumbnails result and, for one asset in ten, a tag; plus ``--sentences`` transcript sentences per
audio/video asset, drawn from bench/search.py's Zipf corpus, in ``search_entries``.

The app is served by uvicorn on 127.0.0.1 in this process, wrapped in an ASGI middleware that
times each request from its arrival to the last byte of its response: that is the *server time*
reported (p50/p95 over ``--requests`` requests after a warm-up); the client's round trip is
printed beside it. The peers, in the same run on the same catalog:

- the library page against building every card at once, as ``rushes ls --json`` does
  (``list_assets`` + ``asset_summary`` for all assets): what a page without paging would cost;
- the search page and ``/api/search`` against calling :func:`rushes.search.search` directly:
  what the web layer adds to the same query.

    .venv/bin/python bench/web.py                 # 10,000 assets on SQLite
    .venv/bin/python bench/web.py --postgres      # and on a throwaway PostgreSQL server
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).parent))

from pgserver import postgres_server
from rushes.catalog import Catalog, open_catalog
from rushes.catalog.assets import list_assets
from rushes.catalog.results import result_of
from rushes.catalog.schema import assets, locations, results, search_entries, tags
from rushes.config import load_settings
from rushes.present import asset_summary
from rushes.project import Project, init_project
from rushes.search import search
from rushes.web import create_app
from search import make_corpus

KINDS = ["video"] * 14 + ["audio"] * 3 + ["image"] * 2 + ["document"]
SUFFIX = {"video": "mov", "audio": "wav", "image": "jpg", "document": "pdf"}


class ServerTime:
    """ASGI middleware: seconds from a request's arrival to its last response byte."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.times: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()

        async def timed(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.times.append(time.perf_counter() - t0)

        await self.app(scope, receive, timed)


def fill(catalog: Catalog, n_assets: int, sentences: int, seed: int = 5) -> dict[str, Any]:
    """Synthetic assets with everything a card shows, and transcript sentences to search."""
    rng = random.Random(seed)
    rows = []
    for i in range(n_assets):
        kind = rng.choice(KINDS)
        day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        path = f"/archive/card{i // 200:03d}/{kind}/{'A' if i % 2 else 'B'}{i:05d}.{SUFFIX[kind]}"
        rows.append((f"{rng.getrandbits(256):064x}", kind, path, day))
    timed = [r for r in rows if r[1] in {"video", "audio"}]
    hours = max(1.0, len(timed) * sentences * 10 / (150 * 60))
    corpus = make_corpus(hours)
    texts = [r[3] for r in corpus.rows if r[3].isascii()]
    with catalog.write() as conn:
        conn.execute(assets.insert(), [
            {"id": a, "kind": k, "format": SUFFIX[k], "size": rng.randint(10**5, 10**10),
             "added_ms": 1_700_000_000_000 + i}
            for i, (a, k, _, _) in enumerate(rows)
        ])
        conn.execute(locations.insert(), [
            {"asset_id": a, "path_bytes": p.encode(), "path": p, "size": 1, "mtime_ns": 0,
             "seen_ms": 0, "missing": False}
            for a, _, p, _ in rows
        ])
        conn.execute(results.insert(), [
            {"asset_id": a, "analyzer": "probe", "version": 1, "params_hash": "bench",
             "created_ms": 0,
             "data": {"duration": f"{rng.randint(2, 3600 * 25)}/25" if k in {"video", "audio"}
                      else None,
                      "rate": "25" if k == "video" else None,
                      "start_timecode": "10:00:00:00" if k == "video" else None,
                      "creation_time": f"{d}T12:00:00Z", "width": 1920, "height": 1080}}
            for a, k, _, d in rows
        ])
        conn.execute(results.insert(), [
            {"asset_id": a, "analyzer": "thumbnails", "version": 1, "params_hash": "bench",
             "created_ms": 0,
             "data": {"poster": "poster.jpg", "filmstrip": "filmstrip.jpg",
                      "filmstrip_times": [str(t) for t in range(10)]}}
            for a, k, _, _ in rows if k in {"video", "image"}
        ])
        conn.execute(tags.insert(), [
            {"asset_id": a, "name": "people/Ellen Marsh", "created_ms": 0}
            for a, _, _, _ in rows[::10]
        ])
        entries = []
        for a, _, _, _ in timed:
            t = 0
            for _ in range(sentences):
                text = texts[len(entries) % len(texts)]
                entries.append({"asset_id": a, "source": "transcript", "start_us": t,
                                "end_us": t + 4_000_000, "text": text})
                t += 5_000_000
        for start in range(0, len(entries), 5000):
            conn.execute(search_entries.insert(), entries[start:start + 5000])
    by_count = sorted(corpus.counts, key=lambda w: -corpus.counts[w])
    rare = [w for w in by_count if 3 <= corpus.counts[w] <= 30]
    return {"rows": rows, "entries": len(entries), "common": by_count[0],
            "rare": rare[len(rare) // 2] if rare else by_count[-1]}


def pct(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def measure(client: httpx.Client, timer: ServerTime, url: str, n: int) -> dict[str, float]:
    for _ in range(5):
        assert client.get(url).status_code == 200, url
    timer.times.clear()
    rtt = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.get(url)
        rtt.append(time.perf_counter() - t0)
        assert r.status_code == 200, url
    server = list(timer.times)
    return {"p50": pct(server, 50) * 1000, "p95": pct(server, 95) * 1000,
            "rtt50": pct(rtt, 50) * 1000, "bytes": len(r.content)}


def time_call(fn: Callable[[], object], n: int) -> dict[str, float]:
    fn()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return {"p50": pct(out, 50) * 1000, "p95": pct(out, 95) * 1000}


def every_card(catalog: Catalog) -> int:
    """What ``rushes ls --json`` does for the whole catalog: the unpaged peer."""
    with catalog.read() as conn:
        return len([asset_summary(a, result_of(conn, a.id, "probe"))
                    for a in list_assets(conn)])


def run(database: str, url: str, root: Path, n_assets: int, sentences: int, n: int) -> None:
    env = {"RUSHES_DATABASE_URL": url} if url else {}
    init_project(root, environ=env)
    project = Project(root.resolve(), load_settings(root / ".rushes" / "config.toml", env))
    catalog = open_catalog(project.database_url)
    t0 = time.perf_counter()
    info = fill(catalog, n_assets, sentences)
    print(f"\n{database}: {n_assets:,} assets, {info['entries']:,} transcript sentences "
          f"(loaded in {time.perf_counter() - t0:.1f} s)")
    app = create_app(project, catalog=catalog, secret="b" * 64)
    timer = ServerTime(app)
    server = uvicorn.Server(uvicorn.Config(timer, host="127.0.0.1", port=0, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    video = next(a for a, k, _, _ in info["rows"] if k == "video")
    common, rare = info["common"], info["rare"]
    pages_total = -(-n_assets // 48)
    pages = [
        ("library, first page (48 cards, by path)", "/"),
        ("library, first page, newest first", "/?sort=added"),
        (f"library, page {pages_total // 2} of {pages_total}", f"/?page={pages_total // 2}"),
        ("library, kind=audio + length ≥ 10 min, by duration",
         "/?kind=audio&min_duration=600&sort=duration"),
        ("library, tag=people, by date", "/?tag=people&sort=date"),
        ("library, date range (one month)", "/?from=2024-03-01&to=2024-03-31"),
        ("/api/assets (60 cards, JSON)", "/api/assets?limit=60"),
        (f"search page, common word ({common})", f"/search?q={common}"),
        (f"search page, rare word ({rare})", f"/search?q={rare}"),
        (f"/api/search, common word ({common})", f"/api/search?q={common}"),
        ("asset page (no transcript rows)", f"/assets/{video}"),
    ]
    figures: dict[str, dict[str, float]] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for label, path in pages:
                figures[label] = measure(client, timer, path, n)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    unpaged = time_call(lambda: every_card(catalog), max(3, n // 20))
    direct_common = time_call(lambda: search(catalog, common, limit=20), n)
    direct_api = time_call(lambda: search(catalog, common, limit=50), n)
    catalog.close()

    print(f"\n| request ({database}) | server p50 ms | server p95 ms | round trip p50 ms | "
          "bytes |")
    print("|---|---:|---:|---:|---:|")
    for label, f in figures.items():
        print(f"| {label} | {f['p50']:.1f} | {f['p95']:.1f} | {f['rtt50']:.1f} | "
              f"{int(f['bytes']):,} |")
    first = figures["library, first page (48 cards, by path)"]
    page = figures[f"search page, common word ({common})"]
    api = figures[f"/api/search, common word ({common})"]
    print(f"\n| peer ({database}) | p50 ms | p95 ms | ratio to the web request p50 |")
    print("|---|---:|---:|---:|")
    print(f"| every card at once (`rushes ls --json` path, {n_assets:,}) | "
          f"{unpaged['p50']:.1f} | {unpaged['p95']:.1f} | "
          f"{unpaged['p50'] / first['p50']:.1f}× the library page |")
    print(f"| search() direct, 20 hits (the search page's query) | {direct_common['p50']:.1f} | "
          f"{direct_common['p95']:.1f} | page is {page['p50'] / direct_common['p50']:.2f}× |")
    print(f"| search() direct, 50 hits (the API's query) | {direct_api['p50']:.1f} | "
          f"{direct_api['p95']:.1f} | API is {api['p50'] / direct_api['p50']:.2f}× |")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--assets", type=int, default=10_000)
    ap.add_argument("--sentences", type=int, default=5,
                    help="transcript sentences per audio/video asset")
    ap.add_argument("--requests", type=int, default=100, help="timed requests per page")
    ap.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="rushes-bench-web-"))
    try:
        run("SQLite", "", work / "sqlite", args.assets, args.sentences, args.requests)
        if args.postgres:
            with postgres_server("bench") as url:
                run("PostgreSQL", url, work / "pg", args.assets, args.sentences, args.requests)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
