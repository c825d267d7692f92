"""Pages as HTML: every piece of user text escaped (file names, notes, labels, tags, transcript
words), forms carrying CSRF tokens, headers that forbid inline script, errors as pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest
from markupsafe import escape

from web.conftest import NASTY_LABEL, NASTY_NAME, NASTY_NOTE, NASTY_TAG, Archive, Server

pytestmark = pytest.mark.slow


class _Tags(HTMLParser):
    """Every start tag and its attributes, as the browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def get(server: Server, url: str) -> str:
    r = httpx.get(server.url + url, timeout=30)
    assert r.status_code == 200, (url, r.status_code)
    assert r.headers["content-type"].startswith("text/html")
    return r.text


def esc(text: str) -> str:
    """What Jinja's autoescape writes (MarkupSafe: ``"`` as ``&#34;``)."""
    return str(escape(text))


def assert_escaped(page: str, text: str) -> None:
    assert text not in page
    assert esc(text) in page


def test_no_planted_markup_reaches_any_page(archive: Archive, open_server: Server) -> None:
    nasty = archive.ids["nasty"]
    pages = {
        "library": get(open_server, "/"),
        "asset": get(open_server, f"/assets/{nasty}"),
        "interview": get(open_server, f"/assets/{archive.ids['interview']}"),
        "clips": get(open_server, "/clips"),
        "search": get(open_server, "/search?q=light"),
        "notes": get(open_server, "/search?q=levels"),
    }
    assert_escaped(pages["library"], NASTY_NAME)
    assert_escaped(pages["asset"], NASTY_NAME)
    assert_escaped(pages["asset"], NASTY_NOTE)
    assert_escaped(pages["asset"], NASTY_TAG)
    assert_escaped(pages["asset"], "<Olive>")
    assert_escaped(pages["interview"], NASTY_LABEL)
    assert_escaped(pages["interview"], "<b>light</b>")
    assert_escaped(pages["clips"], NASTY_LABEL)
    assert "&lt;b&gt;<mark>light</mark>&lt;/b&gt;" in pages["search"]
    assert "<mark>levels</mark>" in pages["notes"]
    for name, page in pages.items():
        tags = parse(page)
        scripts = [a.get("src") for t, a in tags
                   if t == "script" and a.get("type") != "application/json"]
        assert all(s and s.startswith("/static/js/") for s in scripts), name
        assert not any(a.get("onerror") for _, a in tags), name
        assert not any(t == "img" and a.get("src") == "x" for t, a in tags), name


def test_every_post_form_carries_the_csrf_token(archive: Archive, open_server: Server) -> None:
    pages = [get(open_server, u) for u in (
        f"/assets/{archive.ids['interview']}", "/clips", "/cuts", "/jobs", "/login")]
    posts = 0
    for page in pages:
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
        assert token is not None
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", page, re.S)
        for body in forms:
            posts += 1
            assert f'name="csrf_token" value="{token.group(1)}"' in body
    assert posts >= 8


def test_pages_forbid_inline_script(open_server: Server) -> None:
    r = httpx.get(open_server.url + "/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in r.text


def test_asset_page_shows_player_transcript_shots_and_timecode(
    archive: Archive, open_server: Server
) -> None:
    page = get(open_server, f"/assets/{archive.ids['interview']}?t=1.1")
    tags = parse(page)
    video = [a for t, a in tags if t == "video"]
    assert video and video[0]["id"] == "player"
    sources = [a["src"] for t, a in tags if t == "source"]
    assert sources == [f"/media/{archive.ids['interview']}/play"]
    words = [a for t, a in tags if t == "span" and a.get("class") == "w"]
    assert [float(w["data-s"] or 0) for w in words][:4] == [0.2, 0.4, 0.8, 1.1]
    root = next(a for t, a in tags if a.get("id") == "asset")
    assert root["data-t"] == "1.1" and root["data-start-frame"] == str(10 * 3600 * 25)
    assert "10:00:00:00" in page
    harbour = parse(get(open_server, f"/assets/{archive.ids['harbour']}"))
    shots = [a for t, a in harbour if t == "button" and "shot" in (a.get("class") or "")]
    assert [s["data-t"] for s in shots] == ["0.0", "1.0"]


def test_prefix_redirects_and_unknown_assets_are_404_pages(
    archive: Archive, open_server: Server
) -> None:
    asset = archive.ids["interview"]
    r = httpx.get(f"{open_server.url}/assets/{asset[:8]}?t=2")
    assert r.status_code == 307 and r.headers["location"] == f"/assets/{asset}?t=2"
    r = httpx.get(f"{open_server.url}/assets/{'e' * 64}", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "Not found" in r.text
    r = httpx.get(f"{open_server.url}/assets/..%2Fetc", headers={"Accept": "text/html"})
    assert r.status_code == 404


def test_library_pages_and_filters(archive: Archive, open_server: Server) -> None:
    page = get(open_server, "/?kind=video&sort=duration")
    names = re.findall(r'class="name" title="([^"]+)"', page)
    assert [n.rsplit("/", 1)[-1] for n in names] == [
        "interview.mp4", "harbour.mp4", esc(NASTY_NAME)]
    assert "3 assets" in page
    r = httpx.get(f"{open_server.url}/?min_duration=abc", headers={"Accept": "text/html"})
    assert r.status_code == 422 and "min_duration" in r.text
