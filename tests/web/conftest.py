"""Fixtures for the web app: one small archive built once per session, the app served in-process
by uvicorn on 127.0.0.1 (once without log-in, once requiring it), and Debian's Chromium driven by
Playwright (``executable_path``; nothing is downloaded).

The archive is tiny and deterministic: two short test-pattern clips (one with a known, imported
word-timed transcript), a clip whose file name is HTML, a still and a tone. Logging that holds
HTML (a note, a clip label, a tag) is added up front, so every page can be checked for escaping.
Tests share the archive; each makes the clips, cuts and tags it needs under its own names.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

import mediagen
from rushes.catalog import Catalog, open_catalog
from rushes.catalog.assets import list_assets
from rushes.catalog.users import add_user
from rushes.config import load_settings
from rushes.edit import service
from rushes.ingest import add_paths
from rushes.jobs.executors import InlineExecutor
from rushes.project import Project, init_project
from rushes.transcript_service import import_transcript
from rushes.web import create_app
from rushes.web.security import LoginLimiter

CHROMIUM = "/usr/bin/chromium"
NASTY_NAME = '<b>odd "name" & <script>.mp4'
NASTY_NOTE = '<script>alert("note")</script> check the <i>levels</i>'
NASTY_LABEL = "<img src=x onerror=alert(1)> select"
NASTY_TAG = "people/<Ellen & Co>"
PASSWORDS = {"olive": "owner-pass-1", "eddie": "editor-pass-1", "vera": "viewer-pass-1"}
ROLES = {"olive": "owner", "eddie": "editor", "vera": "viewer"}

#: The interview's transcript: (start, end, word) — what a click or a selection must land on.
WORDS = [
    (0.20, 0.40, "The"), (0.40, 0.80, "ferry"), (0.80, 1.10, "comes"), (1.10, 1.50, "twice"),
    (1.50, 1.60, "a"), (1.60, 1.90, "week."),
    (2.00, 2.40, "Without"), (2.40, 2.55, "the"), (2.55, 3.00, "<b>light</b>"),
    (3.00, 3.30, "nobody"), (3.30, 3.60, "sails."),
]


@dataclass(frozen=True)
class Archive:
    project: Project
    root: Path
    ids: dict[str, str]  # short name → asset id
    clip_id: int  # a clip with NASTY_LABEL on the interview


def _whisper_json(path: Path) -> Path:
    segments = []
    for seg in (WORDS[:6], WORDS[6:]):
        segments.append({
            "start": seg[0][0], "end": seg[-1][1],
            "text": " " + " ".join(w for _, _, w in seg),
            "words": [{"start": s, "end": e, "word": " " + w, "probability": 0.9}
                      for s, e, w in seg],
        })
    path.write_text(json.dumps(segments), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    root = tmp_path_factory.mktemp("web") / "harwick"
    env = {"RUSHES_WORKERS": "1", "RUSHES_PROGRESS": "none", "RUSHES_TRANSCRIBE": "false"}
    init_project(root, environ=env)
    project = Project(root.resolve(), load_settings(root / ".rushes" / "config.toml", env))
    media = root / "footage"
    media.mkdir()
    mediagen.video_testsrc(media / "interview.mp4", seconds=4, rate="25",
                           timecode="10:00:00:00")
    mediagen.video_shots(media / "harbour.mp4", [("smptehdbars", 1.0), ("mandelbrot", 1.0)])
    mediagen.video_testsrc(media / NASTY_NAME, seconds=1, source="rgbtestsrc")
    (root / "stills").mkdir()
    mediagen.image_png(root / "stills" / "lighthouse.png", source="smptebars")
    (root / "sound").mkdir()
    mediagen.audio_tone(root / "sound" / "tone.wav", seconds=1.0)
    catalog = open_catalog(project.database_url)
    try:
        add_paths(project, catalog, [root / "footage", root / "stills", root / "sound"])
        InlineExecutor().run(project, catalog)
        with catalog.read() as conn:
            by_name = {Path(a.path or "").name: a.id for a in list_assets(conn)}
        ids = {
            "interview": by_name["interview.mp4"], "harbour": by_name["harbour.mp4"],
            "nasty": by_name[NASTY_NAME], "still": by_name["lighthouse.png"],
            "tone": by_name["tone.wav"],
        }
        import_transcript(catalog, _whisper_json(root / "interview.json"), ids["interview"],
                          fmt="whisper-json")
        service.add_note(catalog, ids["nasty"], NASTY_NOTE, author="<Olive>")
        service.tag(catalog, ids["nasty"], [NASTY_TAG])
        clip = service.add_clip(catalog, ids["interview"], in_="0.4", out="1.5",
                                label=NASTY_LABEL)
        with catalog.write() as conn:
            for name, password in PASSWORDS.items():
                add_user(conn, name, ROLES[name], password)
    finally:
        catalog.close()
    return Archive(project, root, ids, clip["id"])


@pytest.fixture(scope="session")
def catalog(archive: Archive) -> Iterator[Catalog]:
    cat = open_catalog(archive.project.database_url)
    yield cat
    cat.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    app: FastAPI


@pytest.fixture(scope="session")
def run_server() -> Iterator[Any]:
    """Starts apps with uvicorn in threads; all are stopped at the end of the session."""
    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app: FastAPI) -> Server:
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", access_log=False))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the web app did not start")
            time.sleep(0.02)
        running.append((server, thread))
        return Server(f"http://127.0.0.1:{port}", app)

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def open_server(archive: Archive, run_server: Any) -> Server:
    """The app as on a laptop: no log-in, the visitor acts as the owner."""
    server: Server = run_server(create_app(archive.project, secret="o" * 64))
    return server


@pytest.fixture(scope="session")
def login_server(archive: Archive, run_server: Any) -> Server:
    """The app as on a team server: log-in required."""
    server: Server = run_server(
        create_app(archive.project, require_login=True, secret="l" * 64,
                   limiter=LoginLimiter(max_failures=50))
    )
    return server


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    b = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--autoplay-policy=no-user-gesture-required", "--mute-audio"],
    )
    yield b
    b.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where browser tests save what they saw (look at them; the best go into docs/images)."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1360, "height": 860}, accept_downloads=True)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails the test on any script error or alert (an escaping failure would
    run a planted ``alert``)."""
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    pg.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield pg
    assert problems == []
