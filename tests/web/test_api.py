"""The JSON API and media over real HTTP: the CLI's JSON, range requests, log-in, roles, CSRF,
size limits and the log-in rate limit."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli.runner import rushes
from rushes.search import search
from rushes.web import create_app
from rushes.web.security import LoginLimiter
from web.conftest import PASSWORDS, WORDS, Archive, Server

pytestmark = pytest.mark.slow


@contextmanager
def client(server: Server, user: str | None = None) -> Iterator[httpx.Client]:
    """An HTTP client with a session (logged in as ``user``) and its CSRF token set."""
    with httpx.Client(base_url=server.url, timeout=30, follow_redirects=False) as c:
        c.headers["X-CSRF-Token"] = c.get("/api/session").json()["csrf_token"]
        if user is not None:
            r = c.post("/api/login", json={"name": user, "password": PASSWORDS[user]})
            assert r.status_code == 200, r.text
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        yield c


@pytest.fixture
def anon(open_server: Server) -> Iterator[httpx.Client]:
    with client(open_server) as c:
        yield c


def test_api_search_is_the_cli_json(archive: Archive, anon: httpx.Client, catalog: Any) -> None:
    r = anon.get("/api/search", params={"q": "twice"})
    assert r.status_code == 200
    data = r.json()
    assert data == search(catalog, "twice").to_json()
    cli = json.loads(rushes("search", "twice", "--json", cwd=archive.root).stdout)
    assert data == cli
    hit = data["hits"][0]
    assert hit["asset"] == archive.ids["interview"]
    assert hit["start"] == pytest.approx(1.10)
    assert hit["timecode"] == "10:00:01:02"


def test_api_search_asset_filter_takes_ids_not_paths(
    archive: Archive, anon: httpx.Client
) -> None:
    asset = archive.ids["interview"]
    r = anon.get("/api/search", params={"q": "twice", "asset": asset[:8]})
    assert r.status_code == 200
    assert {h["asset"] for h in r.json()["hits"]} == {asset}
    # The CLI takes a path here; a URL must not learn whether a file is catalogued.
    path = str(archive.root / "footage" / "interview.mp4")
    r = anon.get("/api/search", params={"q": "twice", "asset": path})
    assert r.status_code == 404
    assert "give an asset id" in r.json()["error"]


def test_player_stream_honours_range_requests(archive: Archive, anon: httpx.Client) -> None:
    asset = archive.ids["interview"]
    whole = (archive.root / "footage" / "interview.mp4").read_bytes()
    r = anon.get(f"/media/{asset}/play", headers={"Range": "bytes=100-199"})
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes 100-199/{len(whole)}"
    assert r.content == whole[100:200]
    assert r.headers["content-type"] == "video/mp4"
    assert anon.get(f"/media/{asset}/play").content == whole


def test_media_only_by_catalogued_id(archive: Archive, anon: httpx.Client) -> None:
    asset = archive.ids["interview"]
    for url in (
        f"/media/{asset[:12]}/play",  # a prefix is not enough for media
        "/media/" + "0" * 64 + "/play",  # not catalogued
        "/media/..%2F..%2Fetc%2Fpasswd/play",
        "/media/%2Fetc%2Fpasswd/original",
        f"/media/{asset}/../../etc/passwd",
    ):
        r = anon.get(url)
        assert r.status_code == 404, url
        assert b"root:" not in r.content


def test_media_refuses_a_file_changed_since_cataloguing(
    archive: Archive, anon: httpx.Client, tmp_path: Path
) -> None:
    still = archive.root / "stills" / "lighthouse.png"
    asset = archive.ids["still"]
    assert anon.get(f"/media/{asset}/original").status_code == 200
    original = still.read_bytes()
    stat = still.stat()
    try:
        still.write_bytes(b"not the catalogued picture")
        assert anon.get(f"/media/{asset}/original").status_code == 404
    finally:
        still.write_bytes(original)
        os.utime(still, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert anon.get(f"/media/{asset}/original").content == original


def test_documents_download_instead_of_rendering(archive: Archive, anon: httpx.Client) -> None:
    r = anon.get(f"/media/{archive.ids['nasty']}/original")
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["content-security-policy"] == "sandbox"


def test_frame_at_a_time_is_made_once_and_cached(archive: Archive, anon: httpx.Client) -> None:
    asset = archive.ids["harbour"]
    r = anon.get(f"/media/{asset}/frame", params={"t": 1.5, "w": 160})
    assert r.status_code == 200 and r.content[:2] == b"\xff\xd8"
    cached = list((archive.project.asset_cache(asset) / "web-frames").glob("*-w160.jpg"))
    assert [p.name for p in cached] == ["f37-w160.jpg"]
    mtime = cached[0].stat().st_mtime_ns
    assert anon.get(f"/media/{asset}/frame", params={"t": 1.51, "w": 160}).content == r.content
    assert cached[0].stat().st_mtime_ns == mtime
    assert anon.get(f"/media/{asset}/frame", params={"t": 1, "w": 123}).status_code == 422


def test_asset_transcript_and_shots_are_the_cli_json(
    archive: Archive, anon: httpx.Client
) -> None:
    asset = archive.ids["interview"]
    shown = anon.get(f"/api/assets/{asset[:10]}").json()
    assert shown["id"] == asset and shown["start_timecode"] == "10:00:00:00"
    assert shown["play_url"] == f"/media/{asset}/play"
    transcript = anon.get(f"/api/assets/{asset}/transcript").json()
    cli = json.loads(rushes("transcript", "show", asset, "--json", cwd=archive.root).stdout)
    assert transcript == cli
    words = [w["text"] for s in transcript["segments"] for w in s["words"]]
    assert words == [w for _, _, w in WORDS]
    shots = anon.get(f"/api/assets/{archive.ids['harbour']}/shots").json()
    assert [s["start"] for s in shots["shots"]] == [0.0, 1.0]
    assert anon.get(f"/api/assets/{archive.ids['still']}/shots").status_code == 404


def test_library_filters_and_pages(archive: Archive, anon: httpx.Client) -> None:
    everything = anon.get("/api/assets").json()
    assert everything["total"] == 5
    images = anon.get("/api/assets", params={"kind": "image"}).json()
    assert [a["id"] for a in images["assets"]] == [archive.ids["still"]]
    longer = anon.get("/api/assets", params={"min_duration": "3.5"}).json()
    assert [a["id"] for a in longer["assets"]] == [archive.ids["interview"]]
    tagged = anon.get("/api/assets", params={"tag": "people"}).json()
    assert [a["id"] for a in tagged["assets"]] == [archive.ids["nasty"]]
    page1 = anon.get("/api/assets", params={"limit": 2, "offset": 0}).json()
    page2 = anon.get("/api/assets", params={"limit": 2, "offset": 2}).json()
    ids = [a["id"] for a in page1["assets"] + page2["assets"]]
    assert len(set(ids)) == 4 and page1["total"] == 5
    by_path = [a["path"] for a in everything["assets"]]
    assert by_path == sorted(by_path)
    bad = anon.get("/api/assets", params={"kind": "spreadsheet"})
    assert bad.status_code == 422 and "kind" in bad.json()["error"]


def test_state_changes_need_the_csrf_token(archive: Archive, open_server: Server) -> None:
    with httpx.Client(base_url=open_server.url) as c:
        r = c.post(f"/api/assets/{archive.ids['harbour']}/tags", json={"names": ["csrf-test"]})
        assert r.status_code == 403 and "CSRF" in r.json()["error"]
        c.headers["X-CSRF-Token"] = "forged"
        c.get("/api/session")
        r = c.post(f"/api/assets/{archive.ids['harbour']}/tags", json={"names": ["csrf-test"]})
        assert r.status_code == 403
        form = c.post(f"/api/assets/{archive.ids['harbour']}/tags",
                      data={"names": "csrf-test", "csrf_token": "forged"},
                      headers={"X-CSRF-Token": ""})
        assert form.status_code == 403
        log = c.get(f"/api/assets/{archive.ids['harbour']}/log").json()
        assert "csrf-test" not in [t["tag"] for t in log["tags"]]


def test_forms_and_json_share_one_endpoint(archive: Archive, anon: httpx.Client) -> None:
    asset = archive.ids["harbour"]
    token = anon.headers["X-CSRF-Token"]
    r = anon.post(f"/api/assets/{asset}/tags",
                  data={"names": "place/harbour, weather/fog", "csrf_token": token,
                        "next": f"/assets/{asset}"},
                  headers={"X-CSRF-Token": ""})
    assert r.status_code == 303 and r.headers["location"] == f"/assets/{asset}"
    r = anon.post(f"/api/assets/{asset}/tags", data={
        "names": "x", "csrf_token": token, "next": "https://evil.example/"},
        headers={"X-CSRF-Token": ""})
    assert r.headers["location"] == f"/assets/{asset}"  # not another site
    tags = [t["tag"] for t in anon.get(f"/api/assets/{asset}/log").json()["tags"]]
    assert {"place/harbour", "weather/fog"} <= set(tags)
    assert anon.post(f"/api/assets/{asset}/untag", json={"names": ["x"]}).json() == {
        "removed": 1}


def test_anonymous_calls_get_401_when_login_is_required(
    archive: Archive, login_server: Server
) -> None:
    asset = archive.ids["interview"]
    with httpx.Client(base_url=login_server.url) as c:
        for url in ("/api/assets", "/api/search?q=twice", f"/media/{asset}/play",
                    f"/api/assets/{asset}", "/api/jobs", "/api/cuts", "/api"):
            r = c.get(url)
            assert r.status_code == 401, url
            assert "log in" in r.json()["error"]
        page = c.get("/search?q=twice")
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2Fsearch%3Fq%3Dtwice"
        assert c.get("/login").status_code == 200
        assert c.get("/openapi.json").status_code == 200
        session = c.get("/api/session").json()
        assert session["user"] is None and session["require_login"] is True


def test_roles_decide_what_each_may_change(archive: Archive, login_server: Server) -> None:
    asset = archive.ids["harbour"]
    with client(login_server, "vera") as viewer:
        assert viewer.get("/api/search", params={"q": "twice"}).status_code == 200
        note = viewer.post(f"/api/assets/{asset}/notes", json={"text": "lovely light", "at": 1})
        assert note.status_code == 201 and note.json()["author"] == "vera"
        assert note.json()["timecode"] is not None
        for method, url, body in (
            ("POST", f"/api/assets/{asset}/tags", {"names": ["nope"]}),
            ("POST", f"/api/assets/{asset}/rating", {"value": 3}),
            ("POST", "/api/clips", {"asset": asset, "in": 0, "out": 1}),
            ("POST", "/api/cuts", {"name": "viewer cut"}),
            ("POST", "/api/jobs/retry", None),
            ("DELETE", f"/api/notes/{note.json()['id']}", None),
            ("GET", "/api/users", None),
        ):
            r = viewer.request(method, url, json=body)
            assert r.status_code == 403, url
            assert "role" in r.json()["error"]
    with client(login_server, "eddie") as editor:
        assert editor.post(f"/api/assets/{asset}/tags", json={"names": ["by-editor"]}).json() == {
            "added": ["by-editor"]}
        assert editor.post("/api/users", json={
            "name": "mallory", "role": "owner", "password": "12345678"}).status_code == 403
    with client(login_server, "olive") as owner:
        made = owner.post("/api/users", json={"name": "guest", "role": "viewer",
                                              "password": "guest-pass-1"})
        assert made.status_code == 201
        names = [u["name"] for u in owner.get("/api/users").json()]
        assert names == ["eddie", "guest", "olive", "vera"]
        with httpx.Client(base_url=login_server.url) as guest:
            guest.headers["X-CSRF-Token"] = guest.get("/api/session").json()["csrf_token"]
            r = guest.post("/api/login", json={"name": "guest", "password": "guest-pass-1"})
            guest.headers["X-CSRF-Token"] = r.json()["csrf_token"]
            assert guest.get("/api/assets").status_code == 200
            assert owner.delete("/api/users/guest").status_code == 200
            # Removing a user ends their session at once.
            assert guest.get("/api/assets").status_code == 401


def test_logout_ends_the_session(login_server: Server) -> None:
    with client(login_server, "vera") as c:
        assert c.get("/api/assets").status_code == 200
        assert c.post("/api/logout").status_code == 200
        assert c.get("/api/assets").status_code == 401


def test_wrong_password_and_rate_limit(archive: Archive, run_server: Any) -> None:
    server = run_server(create_app(archive.project, require_login=True, secret="r" * 64,
                                   limiter=LoginLimiter(max_failures=3, window_s=600)))
    with httpx.Client(base_url=server.url) as c:
        c.headers["X-CSRF-Token"] = c.get("/api/session").json()["csrf_token"]
        for _ in range(3):
            r = c.post("/api/login", json={"name": "vera", "password": "guess"})
            assert r.status_code == 401 and r.json()["error"] == "wrong name or password"
        r = c.post("/api/login", json={"name": "vera", "password": PASSWORDS["vera"]})
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) > 0
        assert c.get("/api/assets").status_code == 401


def test_request_bodies_are_limited(archive: Archive, anon: httpx.Client) -> None:
    big = {"text": "x" * (2 << 20)}
    r = anon.post(f"/api/assets/{archive.ids['harbour']}/notes", json=big)
    assert r.status_code == 413

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(40):
            yield b"y" * 65536
        yield b'"}'

    r = anon.post(f"/api/assets/{archive.ids['harbour']}/notes", content=chunks(),
                  headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_openapi_documents_the_api(open_server: Server) -> None:
    doc = httpx.get(f"{open_server.url}/openapi.json").json()
    paths = doc["paths"]
    for path in ("/api/search", "/api/assets", "/api/assets/{ref}", "/api/clips",
                 "/api/cuts/{name}/move", "/api/cuts/{name}/export", "/api/jobs",
                 "/api/login", "/media/{asset_id}/play"):
        assert path in paths, path
    clip_body = paths["/api/clips"]["post"]["requestBody"]["content"]["application/json"]
    assert "in" in clip_body["schema"]["properties"]
    assert not any(p.endswith("/delete") for p in paths)


def test_session_secret_is_private(archive: Archive) -> None:
    from rushes.web.security import session_secret

    secret = session_secret(archive.project.dir)
    path = archive.project.dir / "web-secret"
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o644)
    assert session_secret(archive.project.dir) == secret
    assert path.stat().st_mode & 0o777 == 0o600


def test_cut_export_downloads_an_edl(archive: Archive, anon: httpx.Client) -> None:
    name = "api export"
    assert anon.post("/api/cuts", json={"name": name, "rate": "25"}).status_code == 201
    interview = archive.ids["interview"]
    r = anon.post(f"/api/cuts/{name}/items", json={"items": [f"{interview}@0.4-1.5"]})
    assert r.status_code == 200
    edl = anon.get(f"/api/cuts/{name}/export", params={"format": "edl"})
    assert edl.status_code == 200
    assert edl.headers["content-disposition"] == "attachment; filename*=utf-8''api%20export.edl"
    text = edl.text
    assert text.startswith("TITLE:")
    assert "10:00:00:10 10:00:01:13 01:00:00:00 01:00:01:03" in text
    assert anon.get(f"/api/cuts/{name}/export", params={"format": "pdf"}).status_code == 422


def test_loopback_app_refuses_foreign_host_names(archive: Archive, run_server: Any) -> None:
    """A page on evil.example whose name is rebound to 127.0.0.1 must not reach the app."""
    from rushes.web.security import LOOPBACK_HOSTS

    server = run_server(create_app(archive.project, secret="h" * 64,
                                   allowed_hosts=LOOPBACK_HOSTS))
    port = server.url.rsplit(":", 1)[1]
    with httpx.Client(base_url=server.url) as c:
        assert c.get("/api/assets").status_code == 200
        assert c.get("/api/assets", headers={"Host": f"localhost:{port}"}).status_code == 200
        r = c.get("/api/assets", headers={"Host": f"evil.example:{port}"})
        assert r.status_code == 400


def test_search_by_meaning_and_by_both_as_the_cli_does(
    archive: Archive, anon: httpx.Client
) -> None:
    """`match=meaning` is `rushes search --semantic`, `match=both` is `--hybrid`: a paraphrase
    with no word in common finds the line only by meaning; the page offers the choice."""
    query = "the boat crosses two times each week"
    assert anon.get("/api/search", params={"q": query}).json()["hits"] == []
    for match, flag in (("meaning", "--semantic"), ("both", "--hybrid")):
        data = anon.get("/api/search", params={"q": query, "match": match}).json()
        assert data["hits"][0]["text"].startswith("The ferry comes twice a week")
        cli = json.loads(rushes("search", flag, query, "--json", cwd=archive.root).stdout)
        assert [h["entry"] for h in data["hits"]] == [h["entry"] for h in cli["hits"]]
    assert anon.get("/api/search", params={"q": query, "match": "vibes"}).status_code == 422
    page = anon.get("/search", params={"q": query, "match": "meaning"}).text
    assert "The ferry comes" in page and '<option value="meaning" selected>' in page
