"""The web app in a real browser (Debian's Chromium, headless, driven by Playwright): the
library, playing, the transcript following and seeking, making a clip from selected words,
search landing on the moment, a paper edit reordered by drag and drop, played through and
exported, jobs updating live, and what each role may do after logging in.

Each test saves a screenshot of what it checked in the session's screenshots folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from playwright.sync_api import Locator, Page, expect

from rushes.catalog import Catalog
from rushes.catalog.jobs import ensure_job
from rushes.catalog.schema import jobs
from rushes.edit import service
from rushes.web import create_app
from web.conftest import NASTY_LABEL, NASTY_NAME, NASTY_NOTE, PASSWORDS, Archive, Server

pytestmark = pytest.mark.slow

PLAYER = "document.getElementById('player')"
# Conditions are passed as arrow functions: the pages' CSP forbids eval, which Playwright
# would use to poll a bare expression.


def current_time(page: Page, player: str = PLAYER) -> float:
    value: float = page.evaluate(f"{player}.currentTime")
    return value


def wait_ready(page: Page, player: str = PLAYER) -> None:
    page.wait_for_function(f"() => {player} && {player}.readyState >= 1")


def point(locator: Locator, fx: float, fy: float) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] * fx, box["y"] + box["height"] * fy


def test_library_shows_every_asset_and_filters(
    page: Page, open_server: Server, archive: Archive, screenshots: Path
) -> None:
    page.goto(open_server.url + "/")
    cards = page.locator("#library-grid .card")
    expect(cards).to_have_count(5)
    expect(page.locator(".count")).to_contain_text("5 assets")
    # Posters load (the browser decoded them) and the filmstrip scrubs on hover.
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.poster')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    harbour = page.locator(f'.thumb[href="/assets/{archive.ids["harbour"]}"]')
    harbour.hover()
    page.mouse.move(*point(harbour, 0.95, 0.5))
    scrub = harbour.locator(".scrub")
    assert "filmstrip" in scrub.evaluate("e => e.style.backgroundImage")
    assert scrub.evaluate("e => e.style.backgroundPosition") == "100% 0px"
    page.screenshot(path=screenshots / "library.png")
    page.locator("label.chip", has_text="image").click()
    expect(page).to_have_url(re.compile(r"kind=image"))
    expect(cards).to_have_count(1)
    expect(cards.first.locator(".name")).to_have_text("lighthouse.png")


def test_play_a_clip_and_the_transcript_follows(
    page: Page, open_server: Server, archive: Archive, screenshots: Path
) -> None:
    page.goto(f"{open_server.url}/assets/{archive.ids['interview']}")
    wait_ready(page)
    expect(page.locator("#timecode")).to_have_text("10:00:00:00")
    # The clip made in the fixture plays its range (0.4–1.5 s) and stops at its out point.
    clip = page.locator("#clips li", has_text="onerror")
    clip.locator(".play-range").click()
    page.wait_for_function(f"() => {PLAYER}.currentTime > 0.8 && !{PLAYER}.paused")
    expect(page.locator(".w.now")).to_have_count(1)
    page.wait_for_function(f"() => {PLAYER}.paused", timeout=15_000)
    stopped = current_time(page)
    assert 1.52 <= stopped < 1.9  # the clip's out point, 1.5 s rounded up to a whole frame
    expect(page.locator(".w.now")).to_have_text("a")  # said from 1.5 to 1.6 s
    assert page.locator("#timecode").inner_text().startswith("10:00:01:")
    page.screenshot(path=screenshots / "asset-playing.png")
    page.evaluate(f"{PLAYER}.play()")
    page.wait_for_function(f"() => {PLAYER}.currentTime > 2.1")
    assert current_time(page) > 2.1


def test_click_a_word_to_seek(page: Page, open_server: Server, archive: Archive) -> None:
    page.goto(f"{open_server.url}/assets/{archive.ids['interview']}")
    wait_ready(page)
    page.locator(".w", has_text="twice").click()
    page.wait_for_function(f"() => Math.abs({PLAYER}.currentTime - 1.1) < 0.001")
    expect(page.locator("#timecode")).to_have_text("10:00:01:02")
    expect(page.locator(".w.now")).to_have_text("twice")
    page.locator(".w", has_text="nobody").click()
    page.wait_for_function(f"() => Math.abs({PLAYER}.currentTime - 3.0) < 0.001")
    expect(page.locator(".w.now")).to_have_text("nobody")


def test_select_words_to_make_a_clip(
    page: Page, open_server: Server, archive: Archive, catalog: Catalog, screenshots: Path
) -> None:
    page.goto(f"{open_server.url}/assets/{archive.ids['interview']}")
    wait_ready(page)
    first = page.locator(".w", has_text="ferry")
    last = page.locator(".w", has_text="twice")
    page.mouse.move(*point(first, 0.05, 0.5))
    page.mouse.down()
    page.mouse.move(*point(last, 0.6, 0.5), steps=8)
    page.mouse.move(*point(last, 0.95, 0.5), steps=2)
    page.mouse.up()
    maker = page.locator("#clip-maker")
    expect(maker).to_be_visible()
    expect(page.locator("#clip-words")).to_have_text("“ferry comes twice”")
    expect(page.locator("#clip-in")).to_have_text("10:00:00:10")
    page.locator("#clip-label").fill("ferry twice a week")
    page.screenshot(path=screenshots / "asset-clip-from-words.png")
    page.locator("#clip-make").click()
    made = page.locator("#clips li.fresh")
    expect(made).to_contain_text("ferry twice a week")
    expect(maker).to_be_hidden()
    clips = [c for c in service.list_clips(catalog, archive.ids["interview"])
             if c["label"] == "ferry twice a week"]
    assert len(clips) == 1
    assert clips[0]["in"] == pytest.approx(0.4)
    assert clips[0]["out"] == pytest.approx(1.52)  # 1.5 s, out rounded to a whole frame
    assert clips[0]["in_timecode"] == "10:00:00:10"


def test_search_hit_opens_the_asset_at_that_moment(
    page: Page, open_server: Server, archive: Archive, screenshots: Path
) -> None:
    page.goto(f"{open_server.url}/search?q=nobody")
    hit = page.locator("#hits .hit").first
    expect(hit.locator(".snippet mark")).to_have_text("nobody")
    expect(hit.locator(".badge.tc")).to_have_text("10:00:03:00")
    page.wait_for_function(
        "() => { const i = document.querySelector('#hits img'); "
        "return i && i.complete && i.naturalWidth > 0; }"
    )
    page.screenshot(path=screenshots / "search.png")
    hit.locator("a.name").click()
    expect(page).to_have_url(re.compile(rf"/assets/{archive.ids['interview']}\?t=3(\.0)?$"))
    wait_ready(page)
    page.wait_for_function(f"() => Math.abs({PLAYER}.currentTime - 3.0) < 0.001")
    expect(page.locator(".w.now")).to_have_text("nobody")


def make_cut(catalog: Catalog, archive: Archive, name: str) -> None:
    service.new_cut(catalog, name, rate="25", settings=archive.project.settings)
    service.add_items(catalog, name, [f"{archive.ids['interview']}@0.4-1.2"], label="ferry")
    service.add_title(catalog, name, "HARWICK POINT", duration="1")
    service.add_items(catalog, name, [f"{archive.ids['harbour']}@0.5-1.5"], label="harbour")


def order_of(catalog: Catalog, archive: Archive, name: str) -> list[str]:
    items = service.cut_json(catalog, archive.project, name)["items"]
    return [i["label"] or i["kind"] for i in items]


def test_reorder_a_paper_edit_by_drag_and_drop(
    page: Page, open_server: Server, archive: Archive, catalog: Catalog, screenshots: Path
) -> None:
    name = "drag test"
    make_cut(catalog, archive, name)
    page.goto(f"{open_server.url}/cuts/{quote(name)}")
    items = page.locator("#items .item")
    expect(items).to_have_count(3)
    expect(page.locator("#running-time")).to_have_text("00:00:02:20")
    source = page.locator('#items .item[data-position="3"]')
    target = page.locator('#items .item[data-position="1"]')
    box = target.bounding_box()
    assert box is not None
    source.drag_to(target, target_position={"x": box["width"] / 2, "y": 4})
    expect(items.first.locator(".name")).to_have_text("harbour")
    assert order_of(catalog, archive, name) == ["harbour", "ferry", "title"]
    # Dragging the first item onto the lower half of the last puts it at the end.
    box = items.last.bounding_box()
    assert box is not None
    items.first.drag_to(items.last,
                        target_position={"x": box["width"] / 2, "y": box["height"] - 4})
    expect(items.last.locator(".name")).to_have_text("harbour")
    assert order_of(catalog, archive, name) == ["ferry", "title", "harbour"]
    page.screenshot(path=screenshots / "paper-edit.png")


def test_play_the_cut_through(
    page: Page, open_server: Server, archive: Archive, catalog: Catalog, screenshots: Path
) -> None:
    name = "play test"
    make_cut(catalog, archive, name)
    page.goto(f"{open_server.url}/cuts/{quote(name)}")
    page.locator("#cut-play").click()
    expect(page.locator('.item[data-position="1"]')).to_have_class(re.compile("playing"))
    page.wait_for_function("() => document.getElementById('cut-player').currentTime > 0.5")
    expect(page.locator('.item[data-position="2"]')).to_have_class(
        re.compile("playing"), timeout=10_000)
    expect(page.locator("#cut-card .card-text")).to_have_text("HARWICK POINT")
    page.screenshot(path=screenshots / "paper-edit-title.png")
    expect(page.locator('.item[data-position="3"]')).to_have_class(
        re.compile("playing"), timeout=10_000)
    page.wait_for_function("() => document.getElementById('cut-player').currentTime > 0.6")
    assert page.locator("#cut-tc").inner_text() >= "01:00:01:20"
    expect(page.locator("#cut-play")).to_be_enabled(timeout=10_000)
    expect(page.locator(".item.playing")).to_have_count(0)


def test_export_an_edl(
    page: Page, open_server: Server, archive: Archive, catalog: Catalog
) -> None:
    name = "export test"
    make_cut(catalog, archive, name)
    page.goto(f"{open_server.url}/cuts/{quote(name)}")
    assert page.locator("a.export").count() >= 6
    with page.expect_download() as info:
        page.locator('a.export[data-format="edl"]').click()
    download = info.value
    assert download.suggested_filename == "export test.edl"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("TITLE: export test")
    assert "10:00:00:10 10:00:01:05 01:00:00:00 01:00:00:20" in text


def test_escaped_text_stays_text(page: Page, open_server: Server, archive: Archive) -> None:
    page.goto(f"{open_server.url}/assets/{archive.ids['nasty']}")
    expect(page.locator(".asset-head h1")).to_have_text(NASTY_NAME)
    expect(page.locator(".note .text")).to_have_text(NASTY_NOTE)
    assert page.locator(".note .text i").count() == 0
    page.goto(f"{open_server.url}/assets/{archive.ids['interview']}")
    expect(page.locator(".w", has_text="light")).to_have_text("<b>light</b>")
    expect(page.locator("#clips li", has_text="onerror")).to_contain_text(NASTY_LABEL)


class FakeRunner:
    """Stands in for ``rushes analyze`` so the test watches the page, not a real run."""

    def __init__(self) -> None:
        self.started = 0
        self.running = False

    def start(self) -> bool:
        self.started += 1
        return True

    def stop(self) -> None:
        pass


def test_jobs_update_live_and_retry(
    page: Page, run_server: Any, archive: Archive, catalog: Catalog, screenshots: Path
) -> None:
    app = create_app(archive.project, secret="j" * 64)
    runner = FakeRunner()
    app.state.rushes.analysis = runner

    def fail(analyzer: str) -> None:
        with catalog.write() as conn:
            ensure_job(conn, archive.ids["tone"], analyzer, 1, "web", {})
            conn.execute(jobs.update().where(jobs.c.analyzer == analyzer)
                         .values(state="failed", error=f"{analyzer} could not <read> it"))

    try:
        fail("webtest-a")
        server = run_server(app)
        page.goto(server.url + "/jobs")
        expect(page.locator("#n-failed")).to_have_text("1")
        fail("webtest-b")
        expect(page.locator("#n-failed")).to_have_text("2", timeout=10_000)
        expect(page.locator("#errors")).to_contain_text("webtest-b could not <read> it")
        page.screenshot(path=screenshots / "jobs.png")
        page.locator("#retry").click()
        expect(page.locator(".flash")).to_have_text("re-queued 2 failed jobs")
        expect(page.locator("#n-failed")).to_have_text("0")
        expect(page.locator("#n-pending")).to_have_text("2")
        assert runner.started == 1
    finally:
        with catalog.write() as conn:
            conn.execute(jobs.delete().where(jobs.c.analyzer.like("webtest-%")))
        with catalog.read() as conn:
            left = conn.execute(sa.select(sa.func.count()).select_from(jobs)
                                .where(jobs.c.analyzer.like("webtest-%"))).scalar_one()
        assert left == 0


def log_in(page: Page, server: Server, name: str) -> None:
    page.goto(server.url + "/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    page.locator('input[name="name"]').fill(name)
    page.locator('input[name="password"]').fill(PASSWORDS[name])
    page.locator("form.stack button[type=submit]").click()
    expect(page).to_have_url(server.url + "/")
    expect(page.locator(".who .user")).to_contain_text(name)


def log_out(page: Page, server: Server) -> None:
    page.locator(".who button", has_text="Log out").click()
    expect(page).to_have_url(server.url + "/login")
    page.goto(server.url + "/clips")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fclips$"))


def test_each_role_sees_what_it_may_do(
    page: Page, login_server: Server, archive: Archive, catalog: Catalog, screenshots: Path
) -> None:
    asset = f"{login_server.url}/assets/{archive.ids['harbour']}"

    # A viewer watches, searches and comments, and changes nothing else.
    log_in(page, login_server, "vera")
    expect(page.locator(".who .role")).to_have_text("viewer")
    page.goto(asset)
    expect(page.locator("#tag-form")).to_have_count(0)
    expect(page.locator("form.rating")).to_have_count(0)
    expect(page.locator("#clip-maker")).to_have_count(0)
    page.locator('#note-form textarea[name="text"]').fill("The subject asks: keep this shot.")
    page.locator("#note-form button[type=submit]").click()
    expect(page.locator(".note", has_text="keep this shot")).to_contain_text("vera")
    expect(page.locator(".note form")).to_have_count(0)  # cannot remove notes
    page.screenshot(path=screenshots / "role-viewer.png")
    page.goto(login_server.url + "/jobs")
    expect(page.locator("#retry")).to_have_count(0)
    expect(page.locator("nav.main a", has_text="People")).to_have_count(0)
    log_out(page, login_server)

    # An editor logs: tags, ratings, clips; still no people page.
    log_in(page, login_server, "eddie")
    page.goto(asset)
    page.locator('#tag-form input[name="names"]').fill("place/harbour mouth")
    page.locator("#tag-form button").click()
    expect(page.locator(".tags .tag", has_text="place/harbour mouth")).to_be_visible()
    page.locator("form.rating .star").nth(3).click()
    expect(page.locator("form.rating .star.on")).to_have_count(4)
    expect(page.locator(".note form").first).to_be_attached()
    expect(page.locator("nav.main a", has_text="People")).to_have_count(0)
    page.screenshot(path=screenshots / "role-editor.png")
    page.goto(login_server.url + "/users")
    expect(page.locator(".error-page")).to_contain_text("needs the owner role")
    log_out(page, login_server)

    # An owner also manages people.
    log_in(page, login_server, "olive")
    page.locator("nav.main a", has_text="People").click()
    rows = page.locator(".users-page tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="olive")).to_contain_text("you")
    page.screenshot(path=screenshots / "role-owner.png")
    log_out(page, login_server)
    log = service.asset_log(catalog, archive.ids["harbour"])
    assert "place/harbour mouth" in [t["tag"] for t in log["tags"]]
    assert log["rating"] == 4
