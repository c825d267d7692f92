"""Range requests at their edges (suffix, open, backwards, unsatisfiable, other units, several
ranges) and HEAD requests, over real HTTP; plus the byte-range parser on its own."""

from __future__ import annotations

import httpx
import pytest

from rushes.web.ranges import IGNORE, parse_byte_ranges
from web.conftest import Archive, Server

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("header", "expected"), [
    ("bytes=0-9", [(0, 10)]),
    ("bytes=-500", [(500, 1000)]),
    ("bytes=-5000", [(0, 1000)]),
    ("bytes=990-", [(990, 1000)]),
    ("bytes=990-5000", [(990, 1000)]),
    ("bytes=0-9,5-19,100-109", [(0, 20), (100, 110)]),
    ("bytes=0-9,5000-", [(0, 10)]),
    ("bytes=0-9, ,", [(0, 10)]),
    ("bytes=-0", []),
    ("bytes=1000-", []),
    ("bytes=5-2", []),
    ("bytes=abc", []),
    ("bytes=-", []),
    ("bytes=1-2-3", []),
    ("bytes", []),
    ("bytes=", []),
    ("items=0-5", IGNORE),
])
def test_byte_ranges_follow_rfc_9110(header: str, expected: object) -> None:
    assert parse_byte_ranges(header, 1000) == expected


@pytest.fixture
def anon(open_server: Server) -> httpx.Client:
    return httpx.Client(base_url=open_server.url, timeout=30, follow_redirects=False)


def test_range_edges_on_the_player_stream(archive: Archive, anon: httpx.Client) -> None:
    url = f"/media/{archive.ids['interview']}/play"
    whole = (archive.root / "footage" / "interview.mp4").read_bytes()
    size = len(whole)
    r = anon.get(url, headers={"Range": "bytes=-500"})
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes {size - 500}-{size - 1}/{size}"
    assert r.content == whole[-500:]
    r = anon.get(url, headers={"Range": f"bytes={size - 100}-"})
    assert r.status_code == 206 and r.content == whole[-100:]
    r = anon.get(url, headers={"Range": f"bytes=0-9,{size + 10}-"})
    assert r.status_code == 206 and r.content == whole[:10]
    for bad in ("bytes=-0", f"bytes={size}-", "bytes=500-100", "bytes=abc", "bytes=1-2-3"):
        r = anon.get(url, headers={"Range": bad})
        assert r.status_code == 416, bad
        assert r.headers["content-range"] == f"bytes */{size}", bad
        assert "not satisfiable" in r.json()["error"], bad
    r = anon.get(url, headers={"Range": "items=0-5"})
    assert r.status_code == 200 and r.content == whole
    # A copy the client holds that no longer matches: the whole file, whatever the range says.
    r = anon.get(url, headers={"Range": "bytes=500-100", "If-Range": '"stale"'})
    assert r.status_code == 200 and r.content == whole


def test_head_answers_like_get_without_a_body(archive: Archive, anon: httpx.Client) -> None:
    url = f"/media/{archive.ids['interview']}/play"
    size = (archive.root / "footage" / "interview.mp4").stat().st_size
    r = anon.head(url)
    assert r.status_code == 200
    assert r.headers["content-length"] == str(size)
    assert r.headers["accept-ranges"] == "bytes"
    assert r.content == b""
    r = anon.head(url, headers={"Range": "bytes=0-99"})
    assert r.status_code == 206 and r.headers["content-length"] == "100" and r.content == b""
    assert anon.head(url, headers={"Range": "bytes=-0"}).status_code == 416
    for page in ("/", "/api/search?q=twice", f"/assets/{archive.ids['interview']}"):
        r = anon.head(page)
        assert r.status_code == 200, page
        assert r.content == b""
    assert anon.head("/media/" + "0" * 64 + "/play").status_code == 404


def test_head_is_behind_the_log_in_too(archive: Archive, login_server: Server) -> None:
    with httpx.Client(base_url=login_server.url) as c:
        assert c.head(f"/media/{archive.ids['interview']}/play").status_code == 401
        assert c.head("/api/assets").status_code == 401
        assert c.head("/").status_code == 303


def test_head_twins_stay_out_of_the_openapi_document(open_server: Server) -> None:
    doc = httpx.get(f"{open_server.url}/openapi.json").json()
    assert not any("head" in ops for ops in doc["paths"].values())
